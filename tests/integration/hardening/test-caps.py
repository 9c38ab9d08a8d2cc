#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 13, L3: one message makes at most OMACP_PROFILES_MAX_PER_MESSAGE
(64) profiles, and the risks of a message come first in omacpctl show and
decode, not thousands of lines down."""

import os
import subprocess
import tempfile
import unittest

import dbus

from omacptest.daemon import ERR, OMACPCTL, Daemon, dbus_error_name, main, push

IMSI = '001017770001234'  # test network: no MBPI entry, so no APN risk
MAX_PROFILES = 64  # OMACP_PROFILES_MAX_PER_MESSAGE
NAPDEF = """  <characteristic type="NAPDEF">
    <parm name="NAME" value="Net %(i)d"/>
    <parm name="NAPID" value="NAP-%(i)d"/>
    <parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAP-ADDRESS" value="apn%(i)d.example"/>
    <parm name="NAP-ADDRTYPE" value="APN"/>
    <parm name="INTERNET"/>
  </characteristic>
"""
# an HTTP proxy on the last NAPDEF: a risk
PROXY = """  <characteristic type="PXLOGICAL">
    <parm name="PROXY-ID" value="PX1"/>
    <parm name="NAME" value="Proxy"/>
    <characteristic type="PXPHYSICAL">
      <parm name="PHYSICAL-PROXY-ID" value="PXP1"/>
      <parm name="PXADDR" value="10.1.2.3"/>
      <parm name="PXADDRTYPE" value="IPV4"/>
      <parm name="TO-NAPID" value="NAP-%(i)d"/>
      <characteristic type="PORT">
        <parm name="PORTNBR" value="8080"/>
      </characteristic>
    </characteristic>
  </characteristic>
"""


def doc(n, proxied=False):
    parts = ['<?xml version="1.0"?>\n<wap-provisioningdoc version="1.1">\n']
    if proxied:
        parts.append(PROXY % {'i': n - 1})
    parts += [NAPDEF % {'i': i} for i in range(n)]
    parts.append('</wap-provisioningdoc>\n')
    return ''.join(parts).encode()


class ProfileCap(unittest.TestCase):

    def setUp(self):
        self.d = Daemon()
        self.addCleanup(self.d.close)

    def test_cap_and_one_beyond(self):
        d = self.d
        path = d.deliver(push(doc(MAX_PROFILES), xml=True), imsi=IMSI)
        self.assertEqual(len(d.props(path)['Changes']) > 0, True)
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            d.deliver(push(doc(MAX_PROFILES + 1), xml=True), imsi=IMSI)
        self.assertEqual(dbus_error_name(cm.exception), ERR + 'TooLarge')
        self.assertIn('%d profiles' % (MAX_PROFILES + 1), str(cm.exception))
        self.assertIn('(%d)' % MAX_PROFILES, str(cm.exception))
        self.assertEqual(d.messages(), [path])

    def test_risks_first(self):
        d = self.d
        path = d.deliver(push(doc(MAX_PROFILES, proxied=True), xml=True), imsi=IMSI)
        r = d.ctl('show', 'message/' + path.rsplit('/', 1)[1])
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertGreater(len(lines), 300)
        first = [i for i, l in enumerate(lines) if 'proxy' in l.lower() and '10.1.2.3' in l]
        self.assertTrue(first, r.stdout[:2000])
        self.assertLess(first[0], 10, '\n'.join(lines[:12]))
        self.assertTrue(lines[first[0]].startswith('Risks:'), lines[first[0]])
        # a message without risks says so in the same place
        plain = d.deliver(push(doc(2), xml=True), imsi=IMSI)
        r = d.ctl('show', 'message/' + plain.rsplit('/', 1)[1])
        [line] = [l for l in r.stdout.splitlines() if l.startswith('Risks:')]
        self.assertIn('(none)', line)

    def test_decode_risks_first(self):
        with tempfile.TemporaryDirectory() as tmp:
            f = os.path.join(tmp, 'many.xml')
            with open(f, 'wb') as out:
                out.write(doc(MAX_PROFILES, proxied=True))
            r = subprocess.run([OMACPCTL, 'decode', '--format', 'xml', f], capture_output=True,
                               text=True, timeout=60, env=dict(os.environ, LC_ALL='C.UTF-8'))
            self.assertEqual(r.returncode, 0, r.stderr)
            lines = r.stdout.splitlines()
            [risks] = [i for i, l in enumerate(lines) if l.startswith('Risks:')]
            self.assertLess(risks, 10)
            self.assertIn('10.1.2.3', lines[risks])
            with open(f, 'wb') as out:
                out.write(doc(MAX_PROFILES + 1))
            r = subprocess.run([OMACPCTL, 'decode', '--format', 'xml', f], capture_output=True,
                               text=True, timeout=60, env=dict(os.environ, LC_ALL='C.UTF-8'))
            self.assertNotEqual(r.returncode, 0)
            self.assertIn('%d profiles' % (MAX_PROFILES + 1), r.stderr)


if __name__ == '__main__':
    main()
