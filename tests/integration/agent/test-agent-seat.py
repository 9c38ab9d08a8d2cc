#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Requests go to the agent of the active session on the modem's seat, so
that an agent in a background session cannot answer for the user at the
phone: the real omacpd on a private bus, scripted agents
(fakeagent.py), a stand-in for logind (fakelogind.py: seat0 and seat1; logind
needs systemd as PID 1), and a sysfs tree and udev database of the test's
own ($OMACP_UDEV_DATA_DIR). The modem's device is ModemManager's
Modem.Device, from a stand-in (fakemmdevice.py): modem 7 is a USB device
udev put on seat1, modem 8 one without a seat; or oFono's SystemPath, from
the real ofonod with the fake AT modem (phonesim plugin): /quectel_1 and
/quectel_2 are the same on other USB ports, /fakemodem has none.

ofonod sets SystemPath only in its udevng plugin, for devices libudev
enumerates in the real /sys and udev database, whose real tty or QMI nodes
it then opens; phonesim modems have none. A test plugin in ofonod
(ofono-system-path.c) gives /quectel_1 and /quectel_2 theirs the way
udevng does (the modem's SystemPath string); everything else is ofonod's
own: the SMS, the push to omacpd's oFono adapter, Modem.GetProperties.

  modem-on-seat1    two sessions are active, c0 on seat0 and c1 on seat1:
                    a message from modem 7 goes to c1's agent, one from
                    modem 8 or from no modem to c0's, whichever registered
                    last
  seat-of-a-parent  a device without a udev record of its own (a USB
                    interface) is on its parent's seat
  mm-restart        ModemManager restarts and modem 7 is now a device
                    without a seat: its messages go to c0's agent
  ofono-modem-on-seat1
                    the same for oFono: an SMS through /quectel_1, whose
                    SystemPath is a USB device udev put on seat1, is a
                    message of that modem that goes to c1's agent, though
                    c0's registered later; ofonod is asked once per modem
  ofono-no-seat-tag SMS through /quectel_2 (its device has no ID_SEAT) and
                    /fakemodem (no SystemPath) go to c0's agent, though
                    c1's registered later; /quectel_1's still to c1's
  ofono-restart     ofonod restarts and /quectel_1 is now a modem on a
                    device without a seat: its SMS go to c0's agent (the
                    seats of a modem stack's paths are forgotten when its
                    bus name changes owner)
The oFono cases need root (a private /var/lib/ofono and plugin directory)
and the test plugin; skipped without them (a failure under CI=true).
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import dbus
from fakemodem import FakeModem

from omacptest import provdoc
from omacptest.daemon import OMACPCTL, Daemon, Lines, mac, main, push, stop_child

HERE = os.path.dirname(os.path.abspath(__file__))
IMSI = '001017770001234'
PIN = '86420975'
MM = '/org/freedesktop/ModemManager1/Modem/'
OFONOD = '/usr/sbin/ofonod'


def userpin(tag):
    body = provdoc.tagged('Seat', tag)
    return push(body, 'userpin', mac('userpin', body, pin=PIN), xml=True)


def device(root, rel, uevent, subsystem=None):
    """A device directory in the fake sysfs: its uevent, its subsystem link."""
    path = os.path.join(root, 'sys', 'devices', rel)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, 'uevent'), 'w') as f:
        f.write(uevent)
    if subsystem:
        os.makedirs(os.path.join(root, 'sys', 'bus', subsystem), exist_ok=True)
        os.symlink(os.path.join(root, 'sys', 'bus', subsystem), os.path.join(path, 'subsystem'))
    return path


class World(unittest.TestCase):
    """omacpd, the logind stand-in with c0 active on seat0 and c1 on seat1,
    the fake sysfs tree and udev database; the modem stacks are the
    subclasses' (modem_stacks)."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='omacp-seat-')
        self.addCleanup(shutil.rmtree, self.tmp, True)
        udev = os.path.join(self.tmp, 'udev-data')
        os.mkdir(udev)
        # modem 7: a USB device on a hub udev gave to seat1 (73-seat-late.rules
        # copies ID_SEAT to its children); modem 8: seat0, no ID_SEAT;
        # modem 9: a USB interface, no record of its own, under modem 7's device
        self.usb7 = device(self.tmp, 'pci0000:00/0000:00:14.0/usb2/2-1',
                           'MAJOR=189\nMINOR=129\nDEVNAME=bus/usb/002/002\nDEVTYPE=usb_device\n',
                           'usb')
        self.usb8 = device(self.tmp, 'pci0000:00/0000:00:14.0/usb1/1-3',
                           'MAJOR=189\nMINOR=2\nDEVTYPE=usb_device\n', 'usb')
        self.iface9 = device(self.tmp, 'pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.4',
                             'DEVTYPE=usb_interface\n', 'usb')
        # the oFono modems' devices (udevng's SystemPath is the USB device):
        # /quectel_1 on another port of the seat1 hub, /quectel_2 on a port
        # without a seat
        self.usb_o1 = device(self.tmp, 'pci0000:00/0000:00:14.0/usb2/2-2',
                             'MAJOR=189\nMINOR=130\nDEVTYPE=usb_device\n', 'usb')
        self.usb_o2 = device(self.tmp, 'pci0000:00/0000:00:14.0/usb1/1-4',
                             'MAJOR=189\nMINOR=3\nDEVTYPE=usb_device\n', 'usb')
        records = {
            'c189:129': 'I:1234\nE:ID_VENDOR=Quectel\nE:ID_SEAT=seat1\nG:seat1\nG:uaccess\n',
            'c189:2': 'I:1235\nE:ID_VENDOR=Quectel\nG:uaccess\n',
            'c189:130': 'I:1236\nE:ID_VENDOR=Quectel\nE:ID_SEAT=seat1\nG:seat1\nG:uaccess\n',
            'c189:3': 'I:1237\nE:ID_VENDOR=Quectel\nG:uaccess\n',
        }
        for name, text in records.items():
            with open(os.path.join(udev, name), 'w') as f:
                f.write(text)
        os.environ['OMACP_UDEV_DATA_DIR'] = udev
        self.addCleanup(os.environ.pop, 'OMACP_UDEV_DATA_DIR', None)
        self.d = Daemon(dropins=dict({'50-agent.conf': '[Agent]\nTimeout=5\n'},
                                     **self.dropins))
        self.addCleanup(self.d.close)
        self.modem_stacks()
        self.logind = self.child([sys.executable, os.path.join(HERE, 'fakelogind.py'),
                                  self.d.address])
        self.logind_lines = Lines(self.logind)
        self.logind_lines.wait_for('ready')
        self.tell('activate c0 seat0', 'active c0 seat0')
        self.tell('activate c1 seat1', 'active c1 seat1')

    dropins = {}

    def modem_stacks(self):
        pass

    def child(self, argv, env=None):
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env or self.d.env)
        self.addCleanup(stop_child, proc)
        self.addCleanup(lambda: proc.stdin.close())
        return proc

    def tell(self, command, answer):
        self.logind.stdin.write(command + '\n')
        self.logind.stdin.flush()
        self.logind_lines.wait_for(answer)

    def agent(self, path, session):
        proc = self.child([sys.executable, os.path.join(HERE, 'fakeagent.py'),
                           self.d.address, '--path', path, '--pin', PIN])
        self.tell('map %d %s' % (proc.pid, session), 'mapped %d' % proc.pid)
        lines = Lines(proc)
        lines.wait_for('registered ' + path)
        return lines

    def asked(self, lines, message):
        return [line for line in lines.seen if 'RequestPin ' + message in line]


class Seats(World):
    def modem_stacks(self):
        self.start_mm('7=' + self.usb7, '8=' + self.usb8, '9=' + self.iface9)

    def start_mm(self, *modems):
        self.mm = self.child([sys.executable, os.path.join(HERE, 'fakemmdevice.py'),
                              self.d.address] + list(modems))
        self.mm_lines = Lines(self.mm)
        self.mm_lines.wait_for('ready')

    def test_modem_on_seat1(self):
        # seat1's agent first: "the most recent" alone would pick seat0's
        seat1 = self.agent('/test/seat1', 'c1')
        seat0 = self.agent('/test/seat0', 'c0')
        m1 = self.d.deliver(userpin('seat1'), imsi=IMSI, modem=MM + '7')
        seat1.wait_for('RequestPin ' + m1)
        self.d.wait_state(m1, 'applied')
        self.assertIn('modem %s7: on seat1' % MM, self.d.read_log())
        for modem, tag in ((MM + '8', 'seat0'), (None, 'none')):
            options = {'modem': modem} if modem else {}
            m = self.d.deliver(userpin(tag), imsi=IMSI, **options)
            seat0.wait_for('RequestPin ' + m)
            self.d.wait_state(m, 'applied')
            self.assertFalse(self.asked(seat1, m), seat1.seen)
        self.assertFalse(self.asked(seat0, m1), seat0.seen)
        self.assertIn('modem %s8: on seat0' % MM, self.d.read_log())
        # the modem stack is asked once per modem
        time.sleep(0.2)
        self.mm_lines.wait_for('Get ' + MM + '8')
        self.assertEqual(len([l for l in self.mm_lines.seen if l == 'Get ' + MM + '7']), 1)

    def test_seat_of_a_parent(self):
        seat1 = self.agent('/test/seat1', 'c1')
        self.agent('/test/seat0', 'c0')
        m = self.d.deliver(userpin('parent'), imsi=IMSI, modem=MM + '9')
        seat1.wait_for('RequestPin ' + m)
        self.d.wait_state(m, 'applied')
        self.assertIn('modem %s9: on seat1' % MM, self.d.read_log())

    def test_mm_restart(self):
        seat0 = self.agent('/test/seat0', 'c0')
        seat1 = self.agent('/test/seat1', 'c1')
        m = self.d.deliver(userpin('before-restart'), imsi=IMSI, modem=MM + '7')
        seat1.wait_for('RequestPin ' + m)
        self.d.wait_state(m, 'applied')
        # ModemManager restarts and numbers its modems afresh: modem 7 is
        # now the one without a seat
        stop_child(self.mm)
        deadline = time.time() + 10
        while self.d.bus.name_has_owner('org.freedesktop.ModemManager1'):
            self.assertLess(time.time(), deadline, 'ModemManager stand-in still on the bus')
            time.sleep(0.02)
        self.start_mm('7=' + self.usb8)
        m = self.d.deliver(userpin('after-restart'), imsi=IMSI, modem=MM + '7')
        seat0.wait_for('RequestPin ' + m)
        self.d.wait_state(m, 'applied')
        self.assertFalse(self.asked(seat1, m), seat1.seen)
        self.assertIn('modem %s7: on seat0 (%s)' % (MM, self.usb8), self.d.read_log())


def ofono_missing():
    """Why the real ofonod cannot run here, or None."""
    if os.geteuid() != 0:
        return 'needs root for a private /var/lib/ofono and plugin directory'
    for prog in (OFONOD, shutil.which('unshare')):
        if prog is None or not os.path.exists(prog):
            return 'ofonod or unshare is not installed'
    if not os.environ.get('OMACP_TEST_OFONO_PLUGIN'):
        return 'the test plugin for ofonod is not built (no oFono headers)'
    return None


class Ofono(World):
    """The real ofonod on the private bus with three phonesim modems, each a
    fake AT modem: /quectel_1 with the SystemPath of a USB device udev put
    on seat1, /quectel_2 with that of one without a seat, /fakemodem with
    none (as phonesim modems are). The SystemPaths are set by a test plugin
    (ofono-system-path.c) in ofonod's plugin directory, an overlay in its
    own mount namespace; its state is a tmpfs there too. omacpd's oFono
    adapter takes the push agent slot of each, and messages come as SMS."""

    dropins = {'60-ofono.conf': '[Adapters]\noFono=true\n'}
    MODEMS = ('quectel_1', 'quectel_2', 'fakemodem')

    def modem_stacks(self):
        missing = ofono_missing()
        if missing:
            if os.environ.get('CI') == 'true':
                self.fail(missing)
            self.skipTest(missing)
        self.modems = {}
        self.phonesim_conf = os.path.join(self.tmp, 'phonesim.conf')
        with open(self.phonesim_conf, 'w') as f:
            for n, name in enumerate(self.MODEMS):
                modem = FakeModem(imsi=IMSI[:-1] + str(n), tcp_port=0,
                                  log_path=os.path.join(self.tmp, name + '.log'))
                self.addCleanup(modem.stop)
                self.modems['/' + name] = modem
                f.write('[%s]\nAddress=127.0.0.1\nPort=%d\n' % (name, modem.address))
        self.runs = 0
        self.start_ofonod({'/quectel_1': self.usb_o1, '/quectel_2': self.usb_o2})

    def start_ofonod(self, system_paths):
        """ofonod with @system_paths (modem path → SystemPath), its modems
        powered and in omacpd's hands."""
        self.runs += 1
        env = dict(self.d.env, DBUS_SYSTEM_BUS_ADDRESS=self.d.address,
                   OFONO_PHONESIM_CONFIG=self.phonesim_conf,
                   OMACP_TEST_SYSTEM_PATHS=';'.join('%s=%s' % kv for kv in system_paths.items()))
        ovl = os.path.join(self.tmp, 'ovl-%d' % self.runs)
        os.mkdir(ovl)
        script = ('mount -t tmpfs ofono-state /var/lib/ofono && '
                  'mount -t tmpfs ovl {o} && mkdir {o}/u {o}/w && '
                  'mount -t overlay overlay -o lowerdir=/usr/lib,upperdir={o}/u,workdir={o}/w '
                  '/usr/lib && mkdir -p /usr/lib/ofono/plugins && '
                  'cp {so} /usr/lib/ofono/plugins/ && exec "$@"').format(
                      o=ovl, so=os.environ['OMACP_TEST_OFONO_PLUGIN'])
        self.ofonod_log = os.path.join(self.tmp, 'ofonod-%d.log' % self.runs)
        with open(self.ofonod_log, 'w') as log:
            self.ofonod = subprocess.Popen(
                ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'x',
                 OFONOD, '-n', '-p', 'phonesim,atmodem,push_notification,omacp_test_system_path'],
                env=env, stdout=log, stderr=subprocess.STDOUT)
        self.addCleanup(stop_child, self.ofonod)
        self.wait(lambda: self.d.bus.name_has_owner('org.ofono'), 'ofonod on the bus')
        for path in self.modems:
            self.ofono_call(path, 'SetProperty', 'sv',
                            ['Powered', dbus.Boolean(True, variant_level=1)])
            self.wait(lambda: self.d.read_log().count('ofono: listening on modem %s,' % path) ==
                      self.runs, "omacpd's push agent on " + path)

    def stop_ofonod(self):
        stop_child(self.ofonod)
        self.wait(lambda: not self.d.bus.name_has_owner('org.ofono'), 'ofonod gone',
                  ofonod_running=False)

    def wait(self, cond, what, timeout=10, ofonod_running=True):
        deadline = time.time() + timeout
        while not cond():
            if ofonod_running and self.ofonod.poll() is not None:
                with open(self.ofonod_log) as f:
                    self.fail('ofonod exited:\n' + f.read()[-2000:])
            self.assertLess(time.time(), deadline, 'no ' + what)
            time.sleep(0.02)

    def ofono_call(self, path, method, sig='', args=()):
        return self.d.bus.call_blocking('org.ofono', path, 'org.ofono.Modem', method,
                                        sig, list(args), timeout=10)

    def sms(self, modem, tag, agent, other):
        """A USERPIN message as SMS through @modem and ofonod: a message of
        that modem, asked of @agent, applied, never asked of @other."""
        doc = os.path.join(self.tmp, 'doc-%s.xml' % tag)
        with open(doc, 'wb') as f:
            f.write(provdoc.tagged('Seat', tag))
        encoded = subprocess.run([OMACPCTL, 'encode', '--sec', 'userpin', '--pin', PIN, doc],
                                 capture_output=True, text=True, timeout=30)
        self.assertEqual(encoded.returncode, 0, encoded.stderr)
        before = set(self.d.messages())
        for pdu in encoded.stdout.split():
            self.modems[modem].deliver_cmt(pdu, len(pdu) // 2 - (int(pdu[:2], 16) + 1))
        self.wait(lambda: set(self.d.messages()) - before, 'message from the SMS')
        m = str((set(self.d.messages()) - before).pop())
        self.assertEqual(self.d.props(m)['Modem'], modem)
        agent.wait_for('RequestPin ' + m)
        self.d.wait_state(m, 'applied')
        self.assertFalse(self.asked(other, m), other.seen)
        return m

    def test_ofono_modem_on_seat1(self):
        self.assertEqual(str(self.ofono_call('/quectel_1', 'GetProperties')['SystemPath']),
                         self.usb_o1)
        # seat1's agent first: "the most recent" alone would pick seat0's
        seat1 = self.agent('/test/seat1', 'c1')
        seat0 = self.agent('/test/seat0', 'c0')
        self.sms('/quectel_1', 'ofono-seat1', seat1, seat0)
        self.assertIn('modem /quectel_1: on seat1 (%s)' % self.usb_o1, self.d.read_log())
        # a second message from the modem: its seat is remembered
        self.sms('/quectel_1', 'ofono-seat1-again', seat1, seat0)
        self.assertEqual(self.d.read_log().count('modem /quectel_1: on '), 1)

    def test_ofono_no_seat_tag(self):
        props = self.ofono_call('/fakemodem', 'GetProperties')
        self.assertEqual(str(props['Type']), 'hardware')
        self.assertNotIn('SystemPath', props)
        # seat0's agent first: "the most recent" alone would pick seat1's
        seat0 = self.agent('/test/seat0', 'c0')
        seat1 = self.agent('/test/seat1', 'c1')
        self.sms('/quectel_2', 'ofono-untagged', seat0, seat1)
        self.assertIn('modem /quectel_2: on seat0 (%s)' % self.usb_o2, self.d.read_log())
        self.sms('/fakemodem', 'ofono-no-path', seat0, seat1)
        self.assertIn('modem /fakemodem: on seat0 (no device path)', self.d.read_log())
        # and the modem on seat1 still goes to seat1's agent
        self.sms('/quectel_1', 'ofono-seat1', seat1, seat0)

    def test_ofono_restart(self):
        seat0 = self.agent('/test/seat0', 'c0')
        seat1 = self.agent('/test/seat1', 'c1')
        self.sms('/quectel_1', 'before-restart', seat1, seat0)
        # ofonod restarts and its modem names start again: /quectel_1 is
        # now the modem on the port without a seat (the seat1 one was
        # unplugged), and a modem path names another device than before
        self.stop_ofonod()
        self.start_ofonod({'/quectel_1': self.usb_o2})
        self.assertEqual(str(self.ofono_call('/quectel_1', 'GetProperties')['SystemPath']),
                         self.usb_o2)
        self.sms('/quectel_1', 'after-restart', seat0, seat1)
        self.assertIn('modem /quectel_1: on seat0 (%s)' % self.usb_o2, self.d.read_log())


if __name__ == '__main__':
    main()
