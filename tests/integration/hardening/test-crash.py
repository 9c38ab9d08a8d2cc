#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""kill -9 of omacpd at random points while it takes messages (complete and
segmented, some left incomplete) and applies the ones a client accepts; 20
runs on one state directory. After each restart: every message and profile
is consistent (every file whole, no stray directories or temporaries, one
object per stored message, no duplicates), nothing that a call had
acknowledged is lost (a Deliver that returned a path, an Accept that
returned), incomplete messages are restored with their segments, and no
message was applied twice (with no backend enabled, applying is the store's
accepted → applied transition, counted in the daemon's log over all runs).

NetworkManager and oFono restarting underneath omacpd are exercised by
tests/integration/nm (backend availability both ways) and
tests/integration/e2e (the whole chain with the real daemons)."""

import configparser
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import unittest

import dbus

import catalogue
from omacptest import store
from omacptest.daemon import (BUS_NAME, MANAGER, MESSAGE, ROOT, Daemon, hex_lines, main, push, vector)

RUNS = int(os.environ.get('OMACP_CRASH_RUNS', '20'))
SEED = int(os.environ.get('OMACP_CRASH_SEED', str(int(time.time()))))
STATES = {'receiving', 'pending-pin', 'pending-confirmation', 'quarantined', 'accepted',
          'applied', 'rejected', 'failed', 'undone'}
TEMP_FILE = re.compile(r'\.[A-Za-z0-9]{6}$')


# ---- the client, in a process of its own so that it can die mid-call --------

def writer(address, run, out_path):
    """Delivers one batch and accepts what it can, writing each
    acknowledged call to @out_path as a JSON line the moment it returns."""
    bus = dbus.bus.BusConnection(address)
    mgr = bus.get_object(BUS_NAME, ROOT, introspect=False)
    rng = random.Random(run)
    out = open(out_path, 'a', buffering=1)

    def ack(**kw):
        out.write(json.dumps(kw) + '\n')
        out.flush()
        os.fsync(out.fileno())

    def deliver(data, fmt, **opts):
        o = dbus.Dictionary({k: dbus.String(v) for k, v in opts.items()}, signature='sv')
        return str(mgr.Deliver(dbus.ByteArray(data), fmt, o, dbus_interface=MANAGER,
                               timeout=30))

    def accept(path):
        bus.get_object(BUS_NAME, path, introspect=False).Accept(
            '', dbus_interface=MESSAGE, timeout=30)
        ack(what='accepted', path=path)

    print('START', flush=True)
    try:
        for k in range(4):
            tag = 'R%dC%d' % (run, k)
            path = deliver(catalogue.xml_doc(catalogue.xml_napdef(tag)), 'xml')
            ack(what='complete', path=path, tag=tag)
            tag = 'R%dS%d' % (run, k)
            segs = catalogue.segmented(push(catalogue.valid_doc(tag)), 3,
                                       (run * 16 + k) & 0xFF)
            order = list(range(3))
            rng.shuffle(order)
            keep = 3 if k < 3 else 2  # the last one stays incomplete
            for n, i in enumerate(order[:keep]):
                path = deliver(segs[i], 'ud', modem='/modem/crash', sender='+4930%04d' % run)
                ack(what='segment', path=path, tag=tag, received=n + 1, complete=n + 1 == 3)
            if keep == 3 and k % 2 == 0:
                accept(path)
        for k in range(3):
            tag = 'R%dA%d' % (run, k)
            path = deliver(push(catalogue.valid_doc(tag)), 'wsp')
            ack(what='complete', path=path, tag=tag)
            accept(path)
    except dbus.exceptions.DBusException as e:
        print('writer stopped: %s' % e.get_dbus_name(), flush=True)
    print('DONE', flush=True)


# ---- checks --------------------------------------------------------------------

def read_acks(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.endswith('\n')]


def keyfile(path):
    """A GKeyFile as the store writes it; raises when it is not whole."""
    cp = configparser.RawConfigParser(strict=False, interpolation=None)
    cp.optionxform = str
    with open(path, encoding='utf-8') as f:
        cp.read_file(f)
    return cp


def applied_transitions(log):
    counts = {}
    for m in re.finditer(r'message/(\d+) from [^:]*: \S+ → applied', log):
        counts[int(m.group(1))] = counts.get(int(m.group(1)), 0) + 1
    return counts


def log_of(d, path):
    """The daemon's log lines about message @path (for failures)."""
    n = path.rsplit('/', 1)[1]
    return '\n'.join(l for l in d.read_log().split('\n')
                     if re.search(r'message/%s\b|^omacpd|restored|store' % n, l))


class Crash(unittest.TestCase):

    def kill9(self, d):
        d.proc.send_signal(signal.SIGKILL)
        d.proc.wait()
        d.proc = None
        d.log.close()
        d.log = None
        deadline = time.time() + 5
        while d.bus.name_has_owner(BUS_NAME) and time.time() < deadline:
            time.sleep(0.02)

    def batch(self, d, run, acks_path, kill_after):
        """Runs the writer; kills omacpd @kill_after seconds after the
        writer started calling (None: lets the batch finish)."""
        child = subprocess.Popen(
            [sys.executable, __file__, '--writer', d.address, str(run), acks_path],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            self.assertEqual(child.stdout.readline().strip(), 'START')
            started = time.monotonic()
            if kill_after is not None:
                time.sleep(kill_after)
                self.kill9(d)
            rest = child.communicate(timeout=60)[0]
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        return time.monotonic() - started, rest

    def check(self, d, acks, run):
        managed = d.managed()
        messages = {p: i[MESSAGE] for p, i in managed.items() if MESSAGE in i}
        profiles = {p: i['org.omacp.Provisioning1.Profile'] for p, i in managed.items()
                    if 'org.omacp.Provisioning1.Profile' in i}
        where = 'run %d' % run

        # the store: whole files, nothing stray, one object per message
        mdir = os.path.join(d.state, 'messages')
        names = sorted(os.listdir(mdir)) if os.path.isdir(mdir) else []
        for name in names:
            self.assertTrue(name.endswith('.rec'), '%s: %s in the message store' %
                            (where, name))
            rec = store.message(os.path.join(mdir, name))
            self.assertIn('meta', rec, '%s: message %s has no meta record' % (where, name))
            self.assertIn(rec['meta']['State'], STATES, where)
        self.assertEqual(sorted(int(n.split('.')[0]) for n in names),
                         sorted(int(p.rsplit('/', 1)[1]) for p in messages),
                         '%s: message files and objects differ' % where)
        pdir = os.path.join(d.state, 'profiles')
        pfiles = sorted(os.listdir(pdir)) if os.path.isdir(pdir) else []
        for name in pfiles:
            keyfile(os.path.join(pdir, name))
        self.assertEqual(sorted(int(n.split('.')[0]) for n in pfiles),
                         sorted(int(p.rsplit('/', 1)[1]) for p in profiles),
                         '%s: profile files and objects differ' % where)
        stray = [os.path.join(r, f) for r, _, fs in os.walk(d.state) for f in fs
                 if TEMP_FILE.search(f)]
        self.assertEqual(stray, [], '%s: temporary files left' % where)
        keyfile(os.path.join(d.state, 'state.ini'))

        # no duplicates
        seen = {}
        for p, m in messages.items():
            self.assertIn(m['State'], STATES, where)
            if m['State'] in ('receiving', 'rejected', 'failed'):
                continue
            document = d.document(p)
            if not document:
                continue
            key = (document, m['Imsi'])
            self.assertNotIn(key, seen, '%s: %s and %s hold the same document' %
                             (where, seen.get(key), p))
            seen[key] = p
        idents = {}
        for p, pr in profiles.items():
            key = (pr['Identity'], pr['Imsi'])
            self.assertNotIn(key, idents, '%s: two profiles %s' % (where, key))
            idents[key] = p

        # nothing acknowledged is lost
        accepted = {a['path'] for a in acks if a['what'] == 'accepted'}
        segs = {}
        for a in acks:
            if a['what'] == 'segment':
                segs[a['path']] = max(segs.get(a['path'], 0), a['received'])
        log = d.read_log()
        for a in acks:
            path = a.get('path')
            if (path not in messages and a['what'] == 'segment' and not a['complete'] and
                    re.search(r'message/%s: incomplete .* dropped to make room' %
                              path.rsplit('/', 1)[1], log)):
                continue  # more than 32 incomplete: evicted, cleanly (files checked above)
            self.assertIn(path, messages, '%s: acknowledged %s lost' % (where, a))
            state = messages[path]['State']
            if a['what'] == 'complete' or a.get('complete'):
                self.assertNotEqual(state, 'receiving', '%s: %s\n%s' % (where, a,
                                                                          log_of(d, path)))
            if a['what'] == 'segment' and state == 'receiving':
                self.assertGreaterEqual(messages[path]['SegmentsReceived'], segs[path],
                                        '%s: %s lost segments\n%s' % (where, path,
                                                                       log_of(d, path)))
        for path in accepted:
            state = d.wait_state(path, ('applied', 'failed'))
            self.assertEqual(state, 'applied', '%s: accepted %s is %s' % (where, path, state))
            self.assertTrue(d.props(path)['Profiles'], where)

        # never applied twice
        twice = {n: c for n, c in applied_transitions(d.read_log()).items() if c > 1}
        self.assertEqual(twice, {}, '%s: applied more than once' % where)
        return len(messages), len(profiles)

    def test_kill9(self):
        rng = random.Random(SEED)
        print('# seed %d (OMACP_CRASH_SEED to repeat)' % SEED, flush=True)
        d = Daemon()
        try:
            acks_path = os.path.join(d.tmp, 'acks.jsonl')
            # one batch without a kill: how long a batch takes
            took, _ = self.batch(d, 0, acks_path, None)
            self.check(d, read_acks(acks_path), 0)
            survived = 0
            for run in range(1, RUNS + 1):
                delay = rng.uniform(0, took * 1.1)
                _, out = self.batch(d, run, acks_path, delay)
                d.start()
                n_msgs, n_profiles = self.check(d, read_acks(acks_path), run)
                survived += 1
                print('# run %d: killed after %.3f s of %.3f; %d messages, %d profiles, '
                      '%d acknowledged calls' % (run, delay, took, n_msgs, n_profiles,
                                                 len(read_acks(acks_path))), flush=True)
            print('# %d of %d kill -9 runs survived' % (survived, RUNS), flush=True)
            # still serving: a real 4-segment message and its PIN
            segs = hex_lines(vector('05-vn-mobifone-gprs-userpin1111.ud.hex'))
            path = {d.deliver(s, 'ud', modem='/modem/final') for s in segs}.pop()
            d.call(path, 'Accept', '1111')
            self.assertEqual(d.wait_state(path, 'applied'), 'applied')
            self.assertNotIn('not restored', d.read_log())
        finally:
            d.close()

    def test_senders_never_mix(self):
        """Two senders' messages with the same reference on one modem, in
        the ud format (the sender given as an option): two messages, before
        and after a restart in the middle."""
        d = Daemon()
        try:
            a = catalogue.segmented(push(catalogue.valid_doc('senderA')), 2, 0x33)
            b = catalogue.segmented(push(catalogue.valid_doc('senderB')), 2, 0x33)
            pa = d.deliver(a[0], 'ud', sender='+4911100', modem='/modem/0')
            pb = d.deliver(b[0], 'ud', sender='+4922200', modem='/modem/0')
            self.assertNotEqual(pa, pb)
            d.restart()
            self.assertEqual(d.deliver(b[1], 'ud', sender='+4922200', modem='/modem/0'), pb)
            self.assertEqual(d.deliver(a[1], 'ud', sender='+4911100', modem='/modem/0'), pa)
            for path, tag in ((pa, 'senderA'), (pb, 'senderB')):
                self.assertEqual(d.state_of(path), 'quarantined')
                self.assertIn('Cat ' + tag, d.document(path))
        finally:
            d.close()


if __name__ == '__main__':
    if len(sys.argv) == 5 and sys.argv[1] == '--writer':
        writer(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        main()
