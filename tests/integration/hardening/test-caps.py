#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""One message makes at most OMACP_PROFILES_MAX_PER_MESSAGE
(64) profiles, and the risks of a message come first in omacpctl show and
decode, not thousands of lines down. L4: an MMSC that is not an http or
https URL with a host, and an MMS proxy that is not a host with a port,
never reach a backend: they are left out with a warning and a risk."""

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
        self.assertEqual(len(d.changes(path)) > 0, True)
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


MMS = """<?xml version="1.0"?>
<wap-provisioningdoc version="1.1">
  <characteristic type="APPLICATION">
    <parm name="APPID" value="w4"/>
    <parm name="NAME" value="Operator MMS"/>
    <parm name="TO-PROXY" value="MPROXY"/>
    <parm name="ADDR" value="%(mmsc)s"/>
  </characteristic>
  <characteristic type="PXLOGICAL">
    <parm name="PROXY-ID" value="MPROXY"/>
    <parm name="NAME" value="MMS proxy"/>
    <characteristic type="PXPHYSICAL">
      <parm name="PHYSICAL-PROXY-ID" value="PROXY2"/>
      <parm name="PXADDR" value="%(proxy)s"/>
      <parm name="PXADDRTYPE" value="%(proxytype)s"/>
      <parm name="TO-NAPID" value="MMS"/>
      <characteristic type="PORT">
        <parm name="PORTNBR" value="8080"/>
      </characteristic>
    </characteristic>
  </characteristic>
  <characteristic type="NAPDEF">
    <parm name="NAPID" value="MMS"/>
    <parm name="NAME" value="MMS"/>
    <parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAP-ADDRESS" value="mms.example"/>
    <parm name="NAP-ADDRTYPE" value="APN"/>
  </characteristic>
</wap-provisioningdoc>
"""


def mms_doc(mmsc, proxy, proxytype='IPV4'):
    return (MMS % {'mmsc': mmsc, 'proxy': proxy, 'proxytype': proxytype}).encode()


class MmsRoutes(unittest.TestCase):

    def mms_changes(self, d, body):
        path = d.deliver(push(body, xml=True), imsi=IMSI)
        changes = [c for c in d.changes(path) if c['kind'] == 'mms']
        return path, {c['field']: c['new'] for c in changes if c['field']}, \
            [c['risk'] for c in changes if c['risk']]

    def test_valid_routes_pass(self):
        d = Daemon()
        self.addCleanup(d.close)
        for mmsc, proxy, kind in (('http://mms.operator.example:8002/mms', '10.1.1.1', 'IPV4'),
                                  ('HTTPS://mms.operator.example', 'mmsproxy.example', 'ALPHA'),
                                  ('http://[2001:db8::1]:80/', '10.1.1.1', 'IPV4')):
            with self.subTest(mmsc=mmsc):
                _, fields, risks = self.mms_changes(d, mms_doc(mmsc, proxy, kind))
                self.assertEqual(fields.get('mmsc'), mmsc)
                self.assertEqual(fields.get('mms-proxy'), proxy + ':8080')
                self.assertFalse([r for r in risks if 'left out' in r], risks)

    def test_invalid_routes_are_left_out(self):
        d = Daemon()
        self.addCleanup(d.close)
        for mmsc, proxy in (('ftp://mms.example/', '10.1.1.1'),
                            ('mms.example/no-scheme', '10.1.1.1'),
                            ('http://', '10.1.1.1'),
                            ('http://operator.example@evil.example/', '10.1.1.1'),
                            ('http://mms example/', '10.1.1.1'),
                            ('http://mms.example:99999/', '10.1.1.1'),
                            ('file:///etc/passwd', '10.1.1.1')):
            with self.subTest(mmsc=mmsc):
                _, fields, risks = self.mms_changes(d, mms_doc(mmsc, proxy))
                self.assertNotIn('mmsc', fields)
                self.assertTrue([r for r in risks if 'is not an http or https URL with a host'
                                 in r], risks)
        _, fields, risks = self.mms_changes(d, mms_doc('http://mms.example/', 'evil host/x',
                                                       'ALPHA'))
        self.assertEqual(fields.get('mmsc'), 'http://mms.example/')
        self.assertNotIn('mms-proxy', fields)
        self.assertTrue([r for r in risks if 'MMS proxy' in r and 'left out' in r], risks)


if __name__ == '__main__':
    main()
