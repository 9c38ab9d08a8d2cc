#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The bad-input catalogue (catalogue.py) through omacpd's Deliver and
through `omacpctl decode`: each input gives its specific error naming the
layer and the offset, leaves no object and no file behind (or exactly the
one object a valid or partial input makes), and after all of it the daemon
still serves the next valid message."""

import collections
import concurrent.futures
import os
import re
import subprocess
import tempfile
import time
import unittest

import dbus

import catalogue
from omacptest.daemon import (ERR, OMACPCTL, Daemon, dbus_error_name, hex_lines, main, vector)

# inner caps (the WBXML/XML size caps) are reached only when Deliver lets
# the input through: MaxMessageBytes above them
CONFIG = {'10-catalogue.conf': '[Limits]\nMaxMessageBytes=1048576\n'}
# the store's durability is not what this test is about: on tmpfs its
# fsync()s cost nothing (about 4000 store writes here)
if os.access('/dev/shm', os.W_OK):
    tempfile.tempdir = '/dev/shm'
TEMP_FILE = re.compile(r'\.[A-Za-z0-9]{6}$')  # g_file_set_contents() temporaries


def store_files(d):
    out = []
    for root, _, files in os.walk(d.state):
        out.extend(os.path.join(root, f) for f in files)
    return out


def message_dirs(d):
    path = os.path.join(d.state, 'messages')
    return sorted(os.listdir(path)) if os.path.isdir(path) else []


def ctl_sample(entry):
    m = re.fullmatch(r'truncated/.*/(\d+)-of-(\d+)', entry.name)
    if m is None:
        return True
    n, total = int(m.group(1)), int(m.group(2))
    return n <= 8 or n >= total - 8 or n % 8 == 0


def run_ctl(entry, tmpdir, index):
    """omacpctl decode of the same octets: (exit status, stderr lines)."""
    path = os.path.join(tmpdir, 'in-%d' % index)
    if entry.fmt == 'xml':
        with open(path, 'wb') as f:
            f.write(entry.data)
    else:
        with open(path, 'w') as f:
            f.write(''.join(x.hex().upper() + '\n' for x in entry.inputs()))
    argv = [OMACPCTL, 'decode', '--format', entry.fmt, path]
    if 'imsi' in entry.options:
        argv[2:2] = ['--imsi', entry.options['imsi']]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, LC_ALL='C', LANGUAGE=''))
    os.unlink(path)
    return r.returncode, [l for l in r.stderr.split('\n') if l.strip()]


class Catalogue(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.entries = catalogue.everything()
        kinds = collections.Counter(e.kind for e in cls.entries)
        print('# catalogue: %d inputs (%d errors, %d partial, %d valid), %d truncations' %
              (len(cls.entries), kinds['error'], kinds['receiving'], kinds['valid'],
               sum(1 for e in cls.entries if e.name.startswith('truncated/'))), flush=True)
        cls.d = Daemon(dropins=CONFIG)

    @classmethod
    def tearDownClass(cls):
        cls.d.close()

    def deliver_entry(self, entry, modem):
        """Delivers every input of @entry; returns (path, None) or (None, exc)."""
        opts = dict(entry.options)
        if entry.fmt in ('ud', 'sms', 'tpdu'):
            opts.setdefault('modem', modem)
        path = None
        for data in entry.inputs():
            try:
                path = self.d.deliver(data, entry.fmt, **opts)
            except dbus.exceptions.DBusException as e:
                return None, e
        return path, None

    def test_1_daemon(self):
        d = self.d
        started = time.monotonic()
        failures = []
        objects = len(d.managed())
        dirs = message_dirs(d)
        codes = collections.Counter()
        for i, entry in enumerate(self.entries):
            path, exc = self.deliver_entry(entry, '/modem/cat%d' % i)
            now = len(d.managed())
            if entry.kind == 'error':
                if exc is None:
                    failures.append('%s: accepted as %s (%s)' % (
                        entry.name, path, d.state_of(path)))
                    d.call(path, 'Delete')
                    continue
                name = dbus_error_name(exc) or ''
                text = exc.get_dbus_message() or ''
                codes[name.replace(ERR, '')] += 1
                if not re.fullmatch(r'%s(%s)' % (re.escape(ERR), entry.code), name):
                    failures.append('%s: %s (%s), wanted %s' % (entry.name, name, text,
                                                               entry.code))
                if not re.search(r'(^|\W)(%s)\b' % entry.layer, text):
                    failures.append('%s: message does not name the layer (%s): %s' %
                                    (entry.name, entry.layer, text))
                if entry.where and entry.where not in text:
                    failures.append('%s: message has no %s: %s' % (entry.name, entry.where,
                                                                   text))
                if now != objects:
                    failures.append('%s: %d objects after, %d before' % (entry.name, now,
                                                                         objects))
                    objects = now
                continue
            if exc is not None:
                failures.append('%s: refused: %s %s' % (entry.name, dbus_error_name(exc),
                                                        exc.get_dbus_message()))
                continue
            props = d.props(path)
            if now != objects + 1:
                failures.append('%s: %d objects after, %d before' % (entry.name, now, objects))
            if entry.kind == 'receiving':
                if props['State'] != 'receiving':
                    failures.append('%s: %s, wanted receiving' % (entry.name, props['State']))
                distinct = len(set(entry.inputs()))
                if props['SegmentsReceived'] != distinct:
                    failures.append('%s: %d segments received, delivered %d' % (
                        entry.name, props['SegmentsReceived'], distinct))
            elif props['State'] not in entry.states:
                failures.append('%s: %s (%s), wanted %s' % (entry.name, props['State'],
                                                          props['Error'], entry.states))
            if entry.check:
                try:
                    entry.check(self, d, path, entry)
                except AssertionError as e:
                    failures.append(str(e))
            d.call(path, 'Delete')
            objects = len(d.managed())
        print('# daemon: %d inputs in %.0f s; errors by name: %s' % (
            len(self.entries), time.monotonic() - started, dict(sorted(codes.items()))),
            flush=True)
        self.assertEqual(message_dirs(d), dirs, 'message directories left behind')
        temps = [f for f in store_files(d) if TEMP_FILE.search(f)]
        self.assertEqual(temps, [], 'half-written files')
        self.assertEqual(failures, [], '\n'.join(failures[:60]) +
                         ('\n... %d in all' % len(failures) if len(failures) > 60 else ''))

    def test_2_omacpctl(self):
        failures = []
        # One process start per input costs 15-50 ms: every crafted input,
        # and of the 6000 truncations (each given to the daemon) those in
        # the first and last 8 octets of each sample and every 8th between
        todo = [(i, e) for i, e in enumerate(self.entries) if e.ctl and ctl_sample(e)]
        started = time.monotonic()
        with tempfile.TemporaryDirectory() as tmp, \
                concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(lambda ie: run_ctl(ie[1], tmp, ie[0]), todo))
        for (_, entry), (rc, lines) in zip(todo, results):
            if rc != entry.ctl_exit:
                failures.append('%s: omacpctl exit %d, wanted %d: %s' % (
                    entry.name, rc, entry.ctl_exit, lines))
                continue
            if entry.kind == 'valid' or rc == 0:
                continue
            if len(lines) != 1:
                failures.append('%s: %d stderr lines: %s' % (entry.name, len(lines), lines))
                continue
            if entry.kind == 'receiving':
                if 'incomplete' not in lines[0]:
                    failures.append('%s: %s' % (entry.name, lines[0]))
                continue
            if not re.search(r'(^|\W)(%s)\b' % entry.layer, lines[0]):
                failures.append('%s: omacpctl does not name the layer: %s' % (entry.name,
                                                                              lines[0]))
            if entry.where and entry.where not in lines[0]:
                failures.append('%s: omacpctl names no %s: %s' % (entry.name, entry.where,
                                                                 lines[0]))
        print('# omacpctl decode: %d inputs in %.0f s' % (len(todo), time.monotonic() - started),
              flush=True)
        self.assertEqual(failures, [], '\n'.join(failures[:60]) +
                         ('\n... %d in all' % len(failures) if len(failures) > 60 else ''))

    def test_3_still_serves(self):
        """After the catalogue: a real 4-segment USERPIN message, out of
        order, then its PIN: applied, with its profiles."""
        d = self.d
        segs = hex_lines(vector('05-vn-mobifone-gprs-userpin1111.ud.hex'))
        paths = {d.deliver(s, 'ud', modem='/modem/after') for s in reversed(segs)}
        self.assertEqual(len(paths), 1)
        path = paths.pop()
        self.assertEqual(d.state_of(path), 'pending-pin')
        d.call(path, 'Accept', '1111')
        d.wait_state(path, 'applied')
        self.assertTrue(d.props(path)['Profiles'])
        stats = d.obj().Get('org.omacp.Provisioning1.Manager', 'Statistics',
                            dbus_interface='org.freedesktop.DBus.Properties')
        print('# statistics: %s' % {str(k): int(v) for k, v in stats.items()}, flush=True)
        self.assertIsNone(d.proc.poll())

    def test_4_msprov_removal_of_unknown(self):
        """nocharacteristic of an access point omacp never made removes
        nothing, and says so."""
        d = self.d
        keep = d.deliver(catalogue.xml_doc(catalogue.xml_napdef('KEEP')), 'xml')
        d.call(keep, 'Accept', '')
        d.wait_state(keep, 'applied')
        before = {p: d.props(p) for p in d.profiles()}
        self.assertTrue(before)
        removal = catalogue.xml_doc(
            b'<characteristic type="NAPDEF"><nocharacteristic type="NEVER-MADE"/>'
            b'</characteristic><characteristic type="NAPDEF">'
            b'<nocharacteristic type="NAP-KEEP-NOT"/></characteristic>')
        path = d.deliver(removal, 'xml')
        state = d.state_of(path)
        if state != 'applied':
            d.call(path, 'Accept', '')
        state = d.wait_state(path, ('applied', 'failed', 'rejected'))
        props = d.props(path)
        after = {p: d.props(p) for p in d.profiles()}
        self.assertEqual(after, before)
        self.assertEqual(props['Profiles'], [])
        text = ' '.join(props['Warnings']) + ' ' + props['Error']
        print('# MSPROV removal of unknown: %s; %s' % (state, text.strip()), flush=True)
        self.assertIn('NEVER-MADE', text)


if __name__ == '__main__':
    main()
