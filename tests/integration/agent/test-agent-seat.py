#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Requests go to the agent of the active session on the modem's seat
(issue 13, M2): the real omacpd on a private bus, scripted agents
(fakeagent.py), a stand-in for logind (fakelogind.py: seat0 and seat1; logind
needs systemd as PID 1) and for ModemManager's Modem.Device
(fakemmdevice.py), and a sysfs tree and udev database of the test's own
($OMACP_UDEV_DATA_DIR), in which modem 7 is a USB device udev put on seat1
and modem 8 one without a seat.

  modem-on-seat1    two sessions are active, c0 on seat0 and c1 on seat1:
                    a message from modem 7 goes to c1's agent, one from
                    modem 8 or from no modem to c0's, whichever registered
                    last
  seat-of-a-parent  a device without a udev record of its own (a USB
                    interface) is on its parent's seat
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from omacptest.daemon import Daemon, Lines, mac, main, push, stop_child

HERE = os.path.dirname(os.path.abspath(__file__))
IMSI = '001017770001234'
PIN = '86420975'
MM = '/org/freedesktop/ModemManager1/Modem/'
DOC = b"""<?xml version="1.0"?>
<wap-provisioningdoc version="1.1">
  <characteristic type="NAPDEF">
    <parm name="NAME" value="Seat %s"/>
    <parm name="NAPID" value="NAP-%s"/>
    <parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAP-ADDRESS" value="internet.%s.example"/>
    <parm name="NAP-ADDRTYPE" value="APN"/>
    <parm name="INTERNET"/>
  </characteristic>
</wap-provisioningdoc>
"""


def userpin(tag):
    body = DOC.replace(b'%s', tag.encode())
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


class Seats(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='omacp-seat-')
        self.addCleanup(shutil.rmtree, self.tmp, True)
        udev = os.path.join(self.tmp, 'udev-data')
        os.mkdir(udev)
        # modem 7: a USB device on a hub udev gave to seat1 (73-seat-late.rules
        # copies ID_SEAT to its children); modem 8: seat0, no ID_SEAT;
        # modem 9: a USB interface, no record of its own, under modem 7's device
        usb7 = device(self.tmp, 'pci0000:00/0000:00:14.0/usb2/2-1',
                      'MAJOR=189\nMINOR=129\nDEVNAME=bus/usb/002/002\nDEVTYPE=usb_device\n',
                      'usb')
        usb8 = device(self.tmp, 'pci0000:00/0000:00:14.0/usb1/1-3',
                      'MAJOR=189\nMINOR=2\nDEVTYPE=usb_device\n', 'usb')
        iface9 = device(self.tmp, 'pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.4',
                        'DEVTYPE=usb_interface\n', 'usb')
        with open(os.path.join(udev, 'c189:129'), 'w') as f:
            f.write('I:1234\nE:ID_VENDOR=Quectel\nE:ID_SEAT=seat1\nG:seat1\nG:uaccess\n')
        with open(os.path.join(udev, 'c189:2'), 'w') as f:
            f.write('I:1235\nE:ID_VENDOR=Quectel\nG:uaccess\n')
        os.environ['OMACP_UDEV_DATA_DIR'] = udev
        self.addCleanup(os.environ.pop, 'OMACP_UDEV_DATA_DIR', None)
        self.d = Daemon(dropins={'50-agent.conf': '[Agent]\nTimeout=5\n'})
        self.addCleanup(self.d.close)
        self.mm = self.child([sys.executable, os.path.join(HERE, 'fakemmdevice.py'),
                              self.d.address, '7=' + usb7, '8=' + usb8, '9=' + iface9])
        self.mm_lines = Lines(self.mm)
        self.mm_lines.wait_for('ready')
        self.logind = self.child([sys.executable, os.path.join(HERE, 'fakelogind.py'),
                                  self.d.address])
        self.logind_lines = Lines(self.logind)
        self.logind_lines.wait_for('ready')
        self.tell('activate c0 seat0', 'active c0 seat0')
        self.tell('activate c1 seat1', 'active c1 seat1')

    def child(self, argv):
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=self.d.env)
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


if __name__ == '__main__':
    main()
