#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The message store and the signals of omacpd: a Deliver that
returned is on the disk, also when omacpd is killed with SIGKILL right
after; a store written by an older version (meta.ini with text GVariants)
is restored and converted once; a message emits one PropertiesChanged per
state change; Manager.Statistics is announced at most once a second, reads
live, and nothing is emitted while omacpd is idle."""

import configparser
import os
import signal
import time
import unittest

from gi.repository import Gio, GLib

from omacptest import store
from omacptest.daemon import (BUS_NAME, MANAGER, MESSAGE, ROOT, Daemon, main, push)

DOC = b"""<?xml version="1.0"?>
<wap-provisioningdoc version="1.1">
  <characteristic type="NAPDEF">
    <parm name="NAME" value="Store %s"/>
    <parm name="NAPID" value="NAP-%s"/>
    <parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAP-ADDRESS" value="apn.%s.example"/>
    <parm name="NAP-ADDRTYPE" value="APN"/>
    <parm name="INTERNET"/>
  </characteristic>
</wap-provisioningdoc>
"""
PROPS = 'org.freedesktop.DBus.Properties'


def doc(tag):
    return DOC.replace(b'%s', tag.encode())


class Signals:
    """PropertiesChanged signals of omacpd, seen by a GDBus connection of
    the test's own: (path, interface, changed keys, changed values)."""

    def __init__(self, address):
        self.conn = Gio.DBusConnection.new_for_address_sync(
            address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
            Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
        self.seen = []
        self.sub = self.conn.signal_subscribe(
            BUS_NAME, PROPS, 'PropertiesChanged', None, None, Gio.DBusSignalFlags.NONE,
            self._on_signal)
        # the match rule is in place once a round trip is done
        self.conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                            'org.freedesktop.DBus', 'GetId', None, None,
                            Gio.DBusCallFlags.NONE, -1, None)

    def _on_signal(self, conn, sender, path, iface, member, params):
        changed = params.unpack()[1]
        self.seen.append((path, params.unpack()[0], sorted(changed), changed))

    def pump(self, seconds):
        ctx = GLib.MainContext.default()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            while ctx.pending():
                ctx.iteration(False)
            time.sleep(0.01)
        while ctx.pending():
            ctx.iteration(False)

    def take(self):
        out, self.seen = self.seen, []
        return out

    def close(self):
        self.conn.signal_unsubscribe(self.sub)
        self.conn.close_sync(None)


class Store(unittest.TestCase):
    def setUp(self):
        self.d = Daemon()

    def tearDown(self):
        self.d.close()

    def kill9(self):
        d = self.d
        d.proc.send_signal(signal.SIGKILL)
        d.proc.wait()
        d.proc = None
        d.log.close()
        d.log = None
        deadline = time.time() + 5
        while d.bus.name_has_owner(BUS_NAME) and time.time() < deadline:
            time.sleep(0.02)

    def test_acknowledged_deliver_survives_kill9(self):
        d = self.d
        paths = []
        for i in range(5):
            paths.append(d.deliver(push(doc('k%d' % i), xml=True), 'wsp'))
        before = {p: d.full(p) for p in paths}
        # the last one: killed right after its reply, no time for anything
        last = d.deliver(push(doc('last'), xml=True), 'wsp')
        self.kill9()
        # the files are whole and hold what the daemon decided
        for p in paths + [last]:
            rec = store.message(os.path.join(d.state, 'messages',
                                             p.rsplit('/', 1)[1] + '.rec'))
            self.assertIn('meta', rec)
            self.assertEqual(rec['meta']['State'], 'quarantined')
            self.assertIn('complete', rec)
        d.start()
        self.assertEqual(set(d.messages()), set(paths + [last]))
        for p in paths:
            after = d.full(p)
            for key in ('State', 'Changes', 'Document', 'Sender', 'ReceivedAt'):
                self.assertEqual(after[key], before[p][key], '%s %s' % (p, key))
        self.assertEqual(d.props(last)['State'], 'quarantined')
        self.assertTrue(d.changes(last))
        self.assertNotIn('not restored', d.read_log())

    def test_legacy_store_converted(self):
        d = self.d
        d.stop()
        mdir = os.path.join(d.state, 'messages', '7')
        os.makedirs(mdir, 0o700)
        body = doc('legacy')
        with open(os.path.join(mdir, 'message'), 'wb') as f:
            f.write(body)
        kf = configparser.RawConfigParser()
        kf.optionxform = str
        kf['Message'] = {
            'Id': '7', 'State': 'quarantined', 'Format': 'xml', 'Security': 'none',
            'Authenticated': 'false', 'Sender': '+4912345', 'Imsi': '', 'Iccid': '',
            # received now: an unauthenticated message waiting longer than
            # [Limits] UnauthenticatedExpiry is rejected at start
            'Modem': '', 'ReceivedAt': str(int(time.time() * 1e6)), 'ContentType': '',
            'Error': 'old error', 'PinAttemptsLeft': '0', 'SegmentsReceived': '0',
            'SegmentsTotal': '0',
            'Changes': "[{'profile': <'internet:NAP-legacy'>, 'field': <'apn'>, "
                       "'old': <''>, 'new': <'apn.legacy.example'>}]",
            'Warnings': '', 'Inputs': '0', 'Fingerprint': 'f' * 64,
        }
        with open(os.path.join(mdir, 'meta.ini'), 'w') as f:
            kf.write(f, space_around_delimiters=False)
        d.start()
        path = ROOT + '/message/7'
        self.assertIn(path, d.messages())
        p = d.full(path)
        self.assertEqual(p['State'], 'quarantined')
        self.assertEqual(p['Sender'], '+4912345')
        self.assertEqual(p['Error'], 'old error')
        self.assertEqual(p['Changes'], [{'profile': 'internet:NAP-legacy', 'field': 'apn',
                                         'old': '', 'new': 'apn.legacy.example'}])
        self.assertIn('apn.legacy.example', p['Document'])
        # converted: the record file, and the directory gone
        deadline = time.time() + 5
        while os.path.exists(mdir) and time.time() < deadline:
            time.sleep(0.05)
        self.assertFalse(os.path.exists(mdir))
        rec = store.message(os.path.join(d.state, 'messages', '7.rec'))
        self.assertEqual(rec['meta']['State'], 'quarantined')
        self.assertEqual(rec['complete'], list(body))
        # and it stays so
        d.restart()
        self.assertEqual(d.changes(path), p['Changes'])
        # a new message is numbered after it
        self.assertEqual(d.deliver(push(doc('after'), xml=True), 'wsp'), ROOT + '/message/8')

    def test_one_properties_changed_per_state_change(self):
        d = self.d
        sig = Signals(d.address)
        try:
            path = d.deliver(push(doc('sig'), xml=True), 'wsp')
            sig.pump(0.3)
            # exported settled: InterfacesAdded says it all
            self.assertEqual([s for s in sig.take() if s[0] == path], [])
            d.call(path, 'Accept', '')
            self.assertEqual(d.wait_state(path, 'applied'), 'applied')
            sig.pump(0.3)
            changes = [s for s in sig.take() if s[0] == path]
            # quarantined → accepted → applied: two state changes, two signals
            self.assertEqual([c[3].get('State') for c in changes], ['accepted', 'applied'],
                             changes)
            other = d.deliver(push(doc('rej'), xml=True), 'wsp')
            sig.pump(0.3)
            sig.take()
            d.call(other, 'Reject')
            sig.pump(0.3)
            changes = [s for s in sig.take() if s[0] == other]
            self.assertEqual(len(changes), 1, changes)
            self.assertEqual(changes[0][3]['State'], 'rejected')
            self.assertIn('Error', changes[0][2])
        finally:
            sig.close()

    def test_statistics_coalesced_and_live(self):
        d = self.d
        sig = Signals(d.address)
        try:
            sig.pump(1.2)
            sig.take()
            start = time.monotonic()
            for i in range(30):
                d.deliver(push(doc('st%d' % i), xml=True), 'wsp')
            # read live, not as last announced
            stats = d.obj().Get(MANAGER, 'Statistics', dbus_interface=PROPS)
            self.assertEqual(int(stats['delivered']), 30)
            took = time.monotonic() - start
            sig.pump(1.5)
            stat_signals = [s for s in sig.take() if s[0] == ROOT and 'Statistics' in s[2]]
            # at most one a second (and the first at once)
            self.assertLessEqual(len(stat_signals), int(took) + 2,
                                 '%d signals in %.1f s' % (len(stat_signals), took))
            self.assertGreaterEqual(len(stat_signals), 1)
            # the last one says where the counters ended
            self.assertEqual(stat_signals[-1][3]['Statistics']['delivered'], 30)
            # idle: nothing at all
            sig.pump(2.5)
            self.assertEqual(sig.take(), [])
        finally:
            sig.close()


if __name__ == '__main__':
    main()
