#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""omacp and mmsd-tng on a ModemManager phone, all real:
ModemManager 1.20 (test mode) with the fake AT modem on omacpd's private bus
(standing in for the system bus), omacpd with its ModemManager adapter, the
real omacp-agent under Xvfb in a user's session, and the real mmsd-tng 2.1.0
at its defaults (AutoProcessSMSWAP=true, which deletes every binary SMS
within milliseconds) on the session bus, following the same ModemManager.

The agent registers with the "mms-push" capability; omacpd grants it (it
runs the ModemManager adapter), so the agent switches mmsd-tng's own WAP
processing off. Then, every time: a single-part provisioning push reaches
omacpd (a message object) and is deleted from the modem, and an MMS
notification push reaches mmsd-tng (Agent.PushMms → PushNotify; mmsd-tng
logs its content type) and is deleted once mmsd-tng took it, never becoming
an omacpd message. When omacpd leaves the bus, the agent gives mmsd-tng its
WAP processing back."""

import configparser
import os
import shutil
import subprocess
import sys
import unittest

import dbus
from fakemodem import FakeModem

from omacptest import pdu
from omacptest.daemon import Daemon, mac, main, push

from agentsession import Session, missing_tools, stop, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
MM = '/usr/sbin/ModemManager'
MM_SERVICE = 'org.freedesktop.ModemManager1'
MM_PATH = '/org/freedesktop/ModemManager1'
IMSI = '001010000000077'
ICCID = '8900101000000000077'
SENDER = '+447700900123'
ROUNDS = 3


def provisioning_push(n):
    """A single-segment NETWPIN push of an empty provisioning document
    (WBXML 1.3, public id 0x0B); an unused string table makes each round's
    document, and so its fingerprint, different."""
    table = b'r%d\x00' % n
    body = bytes([0x03, 0x0B, 0x6A, len(table)]) + table + bytes([0x45, 0x01])
    return push(body, 'netwpin', mac('netwpin', body, imsi=IMSI), tid=0x40 + n)


def mms_push(n):
    """The m-notification-ind of the field notes with its own transaction id."""
    old = b'T0001'
    assert old in pdu.MMS_PUSH
    return pdu.MMS_PUSH.replace(old, b'T%04d' % (100 + n))


class MmsdOnModemManager(unittest.TestCase):
    def setUp(self):
        self.d = Daemon(dropins={'50-mm.conf': '[Backends]\nmmsd=true\n'
                                               '[Adapters]\nModemManager=true\n'})
        self.addCleanup(self.d.close)
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.d.address)
        self.procs = []
        self.addCleanup(lambda: [stop(p, 5) for p in reversed(self.procs)])
        self.polkit = self.spawn('polkit', [sys.executable,
                                            os.path.join(HERE, '..', 'mm', 'fake-polkit.py')], env)
        wait_until(lambda: self.d.bus.name_has_owner('org.freedesktop.PolicyKit1'),
                   'the polkit stand-in')
        self.modem = FakeModem(imsi=IMSI, iccid=ICCID,
                               unix_path=os.path.join(self.d.tmp, 'modem.sock'),
                               log_path=os.path.join(self.d.tmp, 'fakemodem.log'),
                               cmt=False, reannounce=True)
        self.addCleanup(self.modem.stop)
        self.spawn('ModemManager', [MM, '--test-enable', '--test-no-udev', '--no-auto-scan',
                                    '--test-no-qrtr', '--test-no-suspend-resume', '--debug'],
                   env)
        wait_until(lambda: self.d.bus.name_has_owner(MM_SERVICE), 'ModemManager', 20)
        self.mm(MM_PATH, MM_SERVICE + '.Test', 'SetProfile', 'ssas',
                ['fake0', 'generic', [self.modem.address]])
        wait_until(lambda: len(self.objects()) == 1, 'the fake modem in ModemManager', 20)
        self.path = str(list(self.objects())[0])
        wait_until(lambda: self.mm(self.path, 'org.freedesktop.DBus.Properties', 'Get', 'ss',
                                   [MM_SERVICE + '.Modem', 'State']) >= 3,
                   'the modem initialised', 20)
        self.mm(self.path, MM_SERVICE + '.Modem', 'Enable', 'b', [True], timeout=30)
        wait_until(lambda: 'listening on modem ' + self.path in self.d.read_log(),
                   'omacpd following the modem; its log:\n' + self.d.read_log()[-2000:])

        self.s = Session(self.d)
        self.addCleanup(self.s.close)
        self.s.wait_log('registered as agent')
        # mmsd-tng at its defaults, started after the agent (as in a session
        # where both start together): the agent switches WAP processing off
        # when it appears
        mmsd = self.start_mmsd('mmsd-first.log')
        self.s.wait_log('AutoProcessSMSWAP=false')
        self.assertEqual(self.mmsd_file().get('AutoProcessSMSWAP'), 'false')
        # mmsd-tng 2.1.0 saves it but keeps following ModemManager's SMS
        # until its next start: the agent restarts its systemd user unit;
        # there is no systemd here, so the test restarts it instead
        self.s.wait_log('restarting mmsd-tng.service')
        mark = self.s.log_mark()
        stop(mmsd)
        wait_until(lambda: not self.s.session_has('org.ofono.mms'), 'mmsd-tng gone')
        self.start_mmsd('mmsd.log')
        self.s.wait_log('AutoProcessSMSWAP is false already', after=mark)
        self.assertFalse(self.mmsd_view()['AutoProcessSMSWAP'])

    def start_mmsd(self, log):
        self.mmsd_log = self.s.path(log)
        mmsd = self.s._spawn(['mmsdtng', '-d'], log)
        wait_until(lambda: self.s.session_has('org.ofono.mms'), 'mmsd-tng on the session bus')
        return mmsd

    def mmsd_view(self):
        bus = dbus.bus.BusConnection(self.s.address)
        try:
            return bus.call_blocking('org.ofono.mms', '/org/ofono/mms',
                                     'org.ofono.mms.ModemManager', 'ViewSettings', '', [])
        finally:
            bus.close()

    def spawn(self, name, argv, env):
        f = open(os.path.join(self.d.tmp, name + '.log'), 'a')
        p = subprocess.Popen(argv, env=env, stdout=f, stderr=subprocess.STDOUT)
        f.close()
        self.procs.append(p)
        return p

    def mm(self, path, iface, method, sig='', args=(), timeout=20):
        return self.d.bus.call_blocking(MM_SERVICE, path, iface, method, sig, list(args),
                                        timeout=timeout)

    def objects(self):
        return self.mm(MM_PATH, 'org.freedesktop.DBus.ObjectManager', 'GetManagedObjects')

    def on_modem(self):
        """The data of every SMS ModemManager holds."""
        out = []
        for p in self.mm(self.path, MM_SERVICE + '.Modem.Messaging', 'List'):
            try:
                props = self.mm(p, 'org.freedesktop.DBus.Properties', 'GetAll', 's',
                                [MM_SERVICE + '.Sms'])
            except dbus.DBusException:
                continue  # deleted meanwhile
            out.append(bytes(props.get('Data', b'')))
        return out

    def mmsd_file(self):
        conf = configparser.ConfigParser(interpolation=None)
        conf.optionxform = str
        conf.read(self.s.path('home', '.mms', 'modemmanager', 'mms'))
        return dict(conf['Modem Manager']) if conf.has_section('Modem Manager') else {}

    def logs(self):
        with open(self.mmsd_log, errors='replace') as f:
            mmsd = f.read()
        return 'omacpd:\n%s\nagent:\n%s\nmmsd-tng:\n%s' % (
            self.d.read_log()[-3000:], self.s.agent_log()[-2000:], mmsd[-3000:])

    def mmsd_took(self):
        with open(self.mmsd_log, errors='replace') as f:
            return f.read().count('Content Type: application/vnd.wap.mms-message')

    def deliver(self, data):
        (ud,) = pdu.segment_push(data, ref=len(data) % 200 + 1)
        self.modem.deliver_cmti(*pdu.deliver(ud, sender=SENDER))

    def test_each_push_arrives_where_it_belongs(self):
        for n in range(ROUNDS):
            with self.subTest(round=n):
                before = set(self.d.messages())
                push = provisioning_push(n)
                self.deliver(push)
                new = wait_until(lambda: set(self.d.messages()) - before,
                                 'the provisioning push of round %d at omacpd' % n, 20)
                self.assertEqual(len(new), 1)
                wait_until(lambda: push not in self.on_modem(),
                           'the provisioning push deleted from the modem')

                took = self.mmsd_took()
                before = set(self.d.messages())
                notification = mms_push(n)
                self.deliver(notification)
                wait_until(lambda: self.mmsd_took() == took + 1,
                           'the MMS notification of round %d at mmsd-tng; logs:\n%s' % (
                               n, self.logs()), 20)
                wait_until(lambda: notification not in self.on_modem(),
                           'the MMS notification deleted once mmsd-tng took it')
                self.assertEqual(set(self.d.messages()), before)
        self.assertIn('MMS notification handed to mmsd-tng', self.d.read_log())
        # mmsd-tng never deleted a push itself: its WAP processing stayed off
        with open(self.mmsd_log, errors='replace') as f:
            self.assertNotIn('Deleting SMS Now', f.read())

        # omacpd goes away: mmsd-tng reads WAP pushes itself again
        mark = self.s.log_mark()
        self.d.stop()
        self.s.wait_log('AutoProcessSMSWAP=true', after=mark)
        self.assertEqual(self.mmsd_file().get('AutoProcessSMSWAP'), 'true')


if __name__ == '__main__':
    missing = missing_tools() + [t for t in ('mmsdtng', MM) if shutil.which(t) is None]
    if missing:
        if os.environ.get('CI') == 'true':
            print('1..1\nnot ok 1 - missing %s (tools/install-deps)' % ', '.join(missing))
            sys.exit(1)
        print('1..0 # SKIP missing ' + ', '.join(missing), flush=True)
        sys.exit(0)
    main()
