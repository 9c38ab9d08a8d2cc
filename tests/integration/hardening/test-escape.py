#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""What an SMS puts in a profile's name and settings reaches neither the bus
nor a terminal raw, and a right USERPIN PIN is called "PIN
verified", never "authenticated" (the sender chose the PIN)."""

import os
import re
import subprocess
import tempfile
import unittest

from omacptest.daemon import OMACPCTL, Daemon, mac, main, push

IMSI = '001017770001234'  # test network: no MBPI entry, so no APN risk
PIN = '2468'
RAW = re.compile('[\x00-\x08\x0b-\x1f\x7f-\x9f]')
FORGED = 'State: applied'
# CR LF, DEL, a C1 CSI: each could forge a line or drive a terminal (XML
# allows no ESC; the daemon's own L2 tests send it in WBXML)
EVIL = b'Evil&#13;&#10;' + FORGED.encode() + b'\x7f\xc2\x9b31m'
DOC = b"""<?xml version="1.0"?>
<wap-provisioningdoc version="1.1">
  <characteristic type="NAPDEF">
    <parm name="NAME" value="%(evil)s"/>
    <parm name="NAPID" value="NAP-escape"/>
    <parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAP-ADDRESS" value="apn.%(evil)s.example"/>
    <parm name="NAP-ADDRTYPE" value="APN"/>
    <parm name="INTERNET"/>
    <characteristic type="NAPAUTHINFO">
      <parm name="AUTHTYPE" value="PAP"/>
      <parm name="AUTHNAME" value="%(evil)s"/>
    </characteristic>
  </characteristic>
</wap-provisioningdoc>
"""


def body():
    return DOC.replace(b'%(evil)s', EVIL)


class Escaping(unittest.TestCase):

    def setUp(self):
        self.d = Daemon()
        self.addCleanup(self.d.close)

    def assertClean(self, text, what):
        self.assertNotRegex(text, RAW, what)
        forged = [line for line in text.splitlines() if line.lstrip().startswith(FORGED)]
        self.assertEqual(forged, [], what)

    def test_profile_name_and_settings(self):
        d = self.d
        b = body()
        path = d.deliver(push(b, 'userpin', mac('userpin', b, pin=PIN), xml=True), imsi=IMSI)
        d.call(path, 'Accept', PIN)
        d.wait_state(path, ('applied', 'pending-confirmation'))
        if d.state_of(path) == 'pending-confirmation':
            d.call(path, 'Accept', '')
            d.wait_state(path, 'applied')
        [profile] = d.props(path)['Profiles']
        p = d.props(profile)
        self.assertIn('Evil', p['Name'])
        self.assertNotRegex(p['Name'], RAW, 'Profile.Name')
        for key, value in p['Settings'].items():
            self.assertNotRegex(str(value), RAW, 'Settings.' + key)
        self.assertIn('\\x0D\\x0A', p['Name'])
        for args in (('show', 'profile/' + profile.rsplit('/', 1)[1]), ('list',),
                     ('show', 'message/' + path.rsplit('/', 1)[1]), ('list', '--terse')):
            r = d.ctl(*args)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertClean(r.stdout, args)

    def test_omacpctl_decode_escapes(self):
        # no daemon on this path: omacpctl itself escapes what it prints
        with tempfile.TemporaryDirectory() as tmp:
            f = os.path.join(tmp, 'evil.xml')
            with open(f, 'wb') as out:
                out.write(body())
            for extra in ((), ('-t',)):
                r = subprocess.run([OMACPCTL] + list(extra) + ['decode', '--format', 'xml', f],
                                   capture_output=True, text=True, timeout=30,
                                   env=dict(os.environ, LC_ALL='C.UTF-8'))
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn('Evil', r.stdout)
                self.assertClean(r.stdout, extra)


class Wording(unittest.TestCase):

    def test_a_right_userpin_is_pin_verified_not_authenticated(self):
        d = Daemon()
        self.addCleanup(d.close)
        b = DOC.replace(b'%(evil)s', b'plain')
        path = d.deliver(push(b, 'userpin', mac('userpin', b, pin=PIN), xml=True), imsi=IMSI)
        d.call(path, 'Accept', PIN)
        d.wait_state(path, 'applied')
        r = d.ctl('show', 'message/' + path.rsplit('/', 1)[1])
        self.assertEqual(r.returncode, 0, r.stderr)
        [line] = [l for l in r.stdout.splitlines() if l.startswith('Security:')]
        self.assertIn('userpin (PIN verified)', line)
        self.assertNotIn('authenticated', line)
        # a NETWPIN MAC that verifies is authentication
        b = DOC.replace(b'%(evil)s', b'netwpin')
        path = d.deliver(push(b, 'netwpin', mac('netwpin', b, imsi=IMSI), xml=True), imsi=IMSI)
        r = d.ctl('show', 'message/' + path.rsplit('/', 1)[1])
        [line] = [l for l in r.stdout.splitlines() if l.startswith('Security:')]
        self.assertIn('netwpin (authenticated)', line)


if __name__ == '__main__':
    main()
