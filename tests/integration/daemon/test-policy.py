#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Policy and limits from omacpd.conf and omacpd.conf.d/*.conf: overrides in
order, trusted senders for NETWPIN, risky profiles never applied silently,
PinAttempts, per-level actions, size/rate/store limits, bad configuration."""

import os
import subprocess
import sys
import tempfile
import unittest

import dbus

from omacptest.daemon import (ERR, OMACPD, Daemon, Lines, dbus_error_name, hex_lines, mac, main,
                        push, stop_child, vector)

IMSI = '001017770001234'  # test network: no MBPI entry, so no APN risk
PLAIN = b"""<?xml version="1.0"?>
<wap-provisioningdoc version="1.1">
  <characteristic type="NAPDEF">
    <parm name="NAME" value="Policy %s"/>
    <parm name="NAPID" value="NAP-%s"/>
    <parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAP-ADDRESS" value="policy.%s.example"/>
    <parm name="NAP-ADDRTYPE" value="APN"/>
    <parm name="INTERNET"/>
  </characteristic>
</wap-provisioningdoc>
"""
# the same with an HTTP proxy on the internet APN: a risk
PROXIED = b"""<?xml version="1.0"?>
<wap-provisioningdoc version="1.1">
  <characteristic type="PXLOGICAL">
    <parm name="PROXY-ID" value="PX1"/>
    <parm name="NAME" value="Operator proxy"/>
    <characteristic type="PXPHYSICAL">
      <parm name="PHYSICAL-PROXY-ID" value="PXP1"/>
      <parm name="PXADDR" value="10.1.2.3"/>
      <parm name="PXADDRTYPE" value="IPV4"/>
      <parm name="TO-NAPID" value="NAP-%s"/>
      <characteristic type="PORT">
        <parm name="PORTNBR" value="8080"/>
      </characteristic>
    </characteristic>
  </characteristic>
  <characteristic type="NAPDEF">
    <parm name="NAME" value="Proxied %s"/>
    <parm name="NAPID" value="NAP-%s"/>
    <parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAP-ADDRESS" value="proxied.%s.example"/>
    <parm name="NAP-ADDRTYPE" value="APN"/>
    <parm name="INTERNET"/>
  </characteristic>
</wap-provisioningdoc>
"""


def plain(tag):
    return PLAIN.replace(b'%s', tag.encode())


def proxied(tag):
    return PROXIED.replace(b'%s', tag.encode())


def netwpin(body, imsi=IMSI):
    return push(body, 'netwpin', mac('netwpin', body, imsi=imsi), xml=True)


class Policy(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(
            config='[Policy]\nnone=apply\ninvalid=quarantine\n',
            dropins={
                # read in name order: 50 overrides the main file, 90 overrides 50
                '50-site.conf': '[Policy]\nnone=confirm\nTrustedSenders=+4912345;+4967890\n'
                                'NetwpinTrustedAction=apply\nPinAttempts=1\n',
                '90-local.conf': '[Policy]\nnone=reject\nusernetwpin=reject\n',
                'ignored.txt': '[Policy]\nnone=apply\n',
            })

    @classmethod
    def tearDownClass(cls):
        cls.d.close()

    def test_later_files_override_earlier(self):
        p = self.d.props(self.d.deliver(push(plain('u'), xml=True), 'wsp'))
        self.assertEqual(p['State'], 'rejected')
        self.assertTrue(p['Error'])
        self.assertIn('omacpd.conf.d/90-local.conf', self.d.read_log())
        self.assertNotIn('ignored.txt', self.d.read_log())

    def test_trusted_sender_netwpin_applies(self):
        path = self.d.deliver(netwpin(plain('t')), 'wsp', imsi=IMSI, sender='+4967890')
        p = self.d.props(path)
        self.assertEqual(p['State'], 'applied')
        self.assertEqual(len(p['Profiles']), 1)
        prof = self.d.props(p['Profiles'][0])
        self.assertEqual(prof['Settings']['apn'], 'policy.t.example')
        self.assertEqual(prof['Targets'], [])

    def test_untrusted_sender_netwpin_confirms(self):
        path = self.d.deliver(netwpin(plain('o')), 'wsp', imsi=IMSI, sender='+4900000')
        self.assertEqual(self.d.state_of(path), 'pending-confirmation')

    def test_risky_profiles_never_applied_silently(self):
        path = self.d.deliver(netwpin(proxied('r')), 'wsp', imsi=IMSI, sender='+4912345')
        p = self.d.props(path)
        self.assertEqual(p['State'], 'pending-confirmation')
        changes = self.d.changes(path)
        self.assertTrue(any(c['risk'] for c in changes), changes)
        self.assertEqual(p['Profiles'], [])

    def test_pin_attempts_from_config(self):
        m = [self.d.deliver(s, 'ud', imsi=IMSI) for s in
             hex_lines(vector('05-vn-mobifone-gprs-userpin1111.ud.hex'))][0]
        p = self.d.props(m)
        self.assertEqual(p['PinAttemptsLeft'], 1)
        with self.assertRaises(dbus.exceptions.DBusException):
            self.d.call(m, 'Accept', '1234')
        self.assertEqual(self.d.state_of(m), 'rejected')

    def test_level_actions(self):
        body = plain('unp')
        m = self.d.deliver(push(body, 'usernetwpin',
                                mac('usernetwpin', body, imsi=IMSI, pin='1234'), xml=True),
                           'wsp', imsi=IMSI)
        self.assertEqual(self.d.state_of(m), 'rejected')
        # invalid=quarantine
        good = mac('netwpin', plain('bad'), imsi=IMSI)
        forged = ('A' if good[0] != 'A' else 'B') + good[1:]
        m = self.d.deliver(push(plain('bad'), 'netwpin', forged, xml=True), 'wsp', imsi=IMSI)
        self.assertEqual(self.d.state_of(m), 'quarantined')


WLAN = b"""<?xml version="1.0"?>
<wap-provisioningdoc version="1.1">
  <characteristic type="NAPDEF">
    <parm name="NAPID" value="WLAN-%s"/>
    <parm name="NAME" value="Free %s"/>
    <parm name="BEARER" value="WLAN"/>
    <characteristic type="WLAN">
      <parm name="PRI-SSID" value="free-%s"/>
      <parm name="SECMODE" value="WPA2-PRESHARED-KEY"/>
      <parm name="WPA-PRES-KEY-ASC" value="attacker-knows-%s"/>
    </characteristic>
  </characteristic>
</wap-provisioningdoc>
"""
MMS = b"""<?xml version="1.0"?>
<wap-provisioningdoc version="1.1">
  <characteristic type="NAPDEF">
    <parm name="NAPID" value="MMS-%s"/>
    <parm name="NAME" value="MMS %s"/>
    <parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAP-ADDRESS" value="mms.%s.example"/>
    <parm name="NAP-ADDRTYPE" value="APN"/>
  </characteristic>
  <characteristic type="APPLICATION">
    <parm name="APPID" value="w4"/>
    <parm name="TO-NAPID" value="MMS-%s"/>
    <parm name="ADDR" value="http://mmsc.%s.example/"/>
  </characteristic>
</wap-provisioningdoc>
"""

# the same with an MMS proxy (a PXLOGICAL the MMS application points at)
MMS_PROXY = b"""<?xml version="1.0"?>
<wap-provisioningdoc version="1.1">
  <characteristic type="PXLOGICAL">
    <parm name="PROXY-ID" value="MMSPX-%s"/>
    <parm name="NAME" value="MMS proxy %s"/>
    <characteristic type="PXPHYSICAL">
      <parm name="PHYSICAL-PROXY-ID" value="MMSPXP-%s"/>
      <parm name="PXADDR" value="10.9.8.7"/>
      <parm name="PXADDRTYPE" value="IPV4"/>
      <parm name="TO-NAPID" value="MMS-%s"/>
      <characteristic type="PORT">
        <parm name="PORTNBR" value="8080"/>
      </characteristic>
    </characteristic>
  </characteristic>
  <characteristic type="NAPDEF">
    <parm name="NAPID" value="MMS-%s"/>
    <parm name="NAME" value="MMS %s"/>
    <parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAP-ADDRESS" value="mms.%s.example"/>
    <parm name="NAP-ADDRTYPE" value="APN"/>
  </characteristic>
  <characteristic type="APPLICATION">
    <parm name="APPID" value="w4"/>
    <parm name="TO-PROXY" value="MMSPX-%s"/>
    <parm name="ADDR" value="http://mmsc.%s.example/"/>
  </characteristic>
</wap-provisioningdoc>
"""


def removal(tag):
    return (b'<?xml version="1.0"?>\n<wap-provisioningdoc version="1.1">'
            b'<characteristic type="NAPDEF"><nocharacteristic type="NAP-%s"/>'
            b'</characteristic></wap-provisioningdoc>\n' % tag.encode())


class TrustedSenders(unittest.TestCase):
    """The originating address of an SMS is not
    authentication, and a PIN the sender chose is not consent. Whatever
    TrustedSenders says, removals, updates of another sender's profile, new
    Wi-Fi networks and MMSC/MMS proxy changes wait for a user; after a right
    USERPIN a risky message waits for a confirmation."""

    TRUSTED = '+4912345'
    OTHER = '+4967890'

    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(dropins={
            '50-site.conf': '[Policy]\nTrustedSenders=+4912345;+4967890;Operator\n'
                            'NetwpinTrustedAction=apply\n'})

    @classmethod
    def tearDownClass(cls):
        cls.d.close()

    def deliver(self, body, sender):
        return self.d.deliver(netwpin(body), 'wsp', imsi=IMSI, sender=sender)

    def test_plain_new_apn_still_applies(self):
        path = self.deliver(plain('ts-new'), self.TRUSTED)
        self.assertEqual(self.d.wait_state(path, ('applied', 'pending-confirmation')),
                         'applied')

    def coded(self, path, code):
        """The risk-args of each Changes entry of @path with risk-code @code."""
        return [list(c['risk-args']) for c in self.d.changes(path) if c['risk-code'] == code]

    def test_removal_waits_for_a_user(self):
        made = self.deliver(plain('ts-rm'), self.TRUSTED)
        self.assertEqual(self.d.wait_state(made, ('applied', 'pending-confirmation')),
                         'applied')
        path = self.deliver(removal('ts-rm'), self.TRUSTED)
        self.assertEqual(self.d.state_of(path), 'pending-confirmation')
        self.assertEqual(self.coded(path, 'removal'), [['internet:NAP-ts-rm']],
                         self.d.changes(path))

    def test_update_of_another_senders_profile_waits(self):
        made = self.deliver(plain('ts-up'), self.TRUSTED)
        self.assertEqual(self.d.wait_state(made, ('applied', 'pending-confirmation')),
                         'applied')
        changed = plain('ts-up').replace(b'policy.ts-up.example', b'evil.example')
        path = self.deliver(changed, self.OTHER)
        self.assertEqual(self.d.state_of(path), 'pending-confirmation')
        self.assertEqual(self.coded(path, 'update-from-other-sender'),
                         [[self.TRUSTED, 'netwpin', self.OTHER]], self.d.changes(path))

    def test_update_of_a_stronger_secs_profile_waits(self):
        body = plain('ts-sec')
        made = self.d.deliver(push(body, 'usernetwpin',
                                   mac('usernetwpin', body, imsi=IMSI, pin='9753'), xml=True),
                              'wsp', imsi=IMSI, sender=self.TRUSTED)
        self.d.call(made, 'Accept', '9753')
        self.assertEqual(self.d.wait_state(made, ('applied', 'pending-confirmation')),
                         'applied')
        path = self.deliver(body.replace(b'policy.ts-sec.example', b'evil.example'),
                            self.TRUSTED)
        self.assertEqual(self.d.state_of(path), 'pending-confirmation')
        self.assertEqual(self.coded(path, 'update-weaker-security'),
                         [['usernetwpin', 'netwpin']], self.d.changes(path))

    def test_new_wifi_network_waits(self):
        path = self.deliver(WLAN.replace(b'%s', b'ts'), 'Operator')
        self.assertEqual(self.d.state_of(path), 'pending-confirmation')
        self.assertEqual(self.coded(path, 'wifi-network'), [['free-ts']], self.d.changes(path))

    def test_mmsc_waits(self):
        path = self.deliver(MMS.replace(b'%s', b'ts'), self.TRUSTED)
        self.assertEqual(self.d.state_of(path), 'pending-confirmation')
        self.assertEqual(self.coded(path, 'mms-route'), [['http://mmsc.ts.example/', '']],
                         self.d.changes(path))

    def test_mms_proxy_waits(self):
        path = self.deliver(MMS_PROXY.replace(b'%s', b'tp'), self.TRUSTED)
        self.assertEqual(self.d.state_of(path), 'pending-confirmation')
        self.assertEqual(self.coded(path, 'mms-route'),
                         [['http://mmsc.tp.example/', '10.9.8.7:8080']], self.d.changes(path))

    def test_pin_is_not_consent(self):
        body = proxied('pin')
        m = self.d.deliver(push(body, 'userpin', mac('userpin', body, pin='4321'), xml=True),
                           'wsp', imsi=IMSI, sender=self.TRUSTED)
        self.assertEqual(self.d.state_of(m), 'pending-pin')
        self.d.call(m, 'Accept', '4321')
        self.assertEqual(self.d.state_of(m), 'pending-confirmation')
        self.assertEqual(self.d.props(m)['Profiles'], [])


class UpdateOfAnotherMaker(unittest.TestCase):
    """A message that changes a profile last set by
    another sender, or by a stronger SEC method, carries a risk naming who
    and how last set it (risk-code update-from-other-sender or
    update-weaker-security), so it waits for a confirmation on every path:
    the trusted-sender policy and a right USERPIN alike."""

    TRUSTED = '+4912345'
    OTHER = '+4967890'
    STRANGER = '+4400001'
    PIN = '2468'
    CODES = ('update-from-other-sender', 'update-weaker-security')

    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(dropins={
            '50-site.conf': '[Policy]\nTrustedSenders=+4912345;+4967890\n'
                            'NetwpinTrustedAction=apply\n'})

    @classmethod
    def tearDownClass(cls):
        cls.d.close()

    def made_by_operator(self, tag):
        """The operator's NETWPIN message (a trusted sender) makes a profile:
        its path."""
        path = self.d.deliver(netwpin(plain(tag)), 'wsp', imsi=IMSI, sender=self.TRUSTED)
        self.assertEqual(self.d.wait_state(path, ('applied', 'pending-confirmation')),
                         'applied')
        self.assertEqual(len(self.d.props(path)['Profiles']), 1)
        return self.d.props(path)['Profiles'][0]

    def update(self, tag, apn):
        return plain(tag).replace(('policy.%s.example' % tag).encode(), apn.encode())

    def userpin(self, body, sender):
        m = self.d.deliver(push(body, 'userpin', mac('userpin', body, pin=self.PIN), xml=True),
                           'wsp', imsi=IMSI, sender=sender)
        self.assertEqual(self.d.state_of(m), 'pending-pin')
        self.d.call(m, 'Accept', self.PIN)
        return m

    def update_risks(self, path):
        return [c for c in self.d.changes(path) if c['risk-code'] in self.CODES]

    def test_userpin_from_another_sender_waits_after_the_pin(self):
        profile = self.made_by_operator('l7-a')
        m = self.userpin(self.update('l7-a', 'evil-a.example'), self.STRANGER)
        self.assertEqual(self.d.state_of(m), 'pending-confirmation')
        risks = self.update_risks(m)
        self.assertEqual(len(risks), 1, self.d.changes(m))
        self.assertEqual(risks[0]['risk-code'], 'update-from-other-sender')
        self.assertEqual(list(risks[0]['risk-args']), [self.TRUSTED, 'netwpin', self.STRANGER])
        self.assertIn(self.TRUSTED, risks[0]['risk'])
        self.assertIn('netwpin', risks[0]['risk'])
        self.assertEqual(self.d.props(profile)['Settings']['apn'], 'policy.l7-a.example')
        # confirmed, it is applied and the profile keeps the risk
        self.d.call(m, 'Accept', '')
        self.assertEqual(self.d.wait_state(m, ('applied', 'failed')), 'applied')
        p = self.d.props(profile)
        self.assertEqual(p['Settings']['apn'], 'evil-a.example')
        self.assertTrue(any(self.TRUSTED in r for r in p['Risks']), p['Risks'])

    def test_weaker_sec_from_the_same_sender_waits_after_the_pin(self):
        profile = self.made_by_operator('l7-b')
        m = self.userpin(self.update('l7-b', 'evil-b.example'), self.TRUSTED)
        self.assertEqual(self.d.state_of(m), 'pending-confirmation')
        risks = self.update_risks(m)
        self.assertEqual(len(risks), 1, self.d.changes(m))
        self.assertEqual(risks[0]['risk-code'], 'update-weaker-security')
        self.assertEqual(list(risks[0]['risk-args']), ['netwpin', 'userpin'])
        self.assertEqual(self.d.props(profile)['Settings']['apn'], 'policy.l7-b.example')

    def test_trusted_update_from_another_sender_waits(self):
        profile = self.made_by_operator('l7-c')
        path = self.d.deliver(netwpin(self.update('l7-c', 'evil-c.example')), 'wsp',
                              imsi=IMSI, sender=self.OTHER)
        self.assertEqual(self.d.state_of(path), 'pending-confirmation')
        risks = self.update_risks(path)
        self.assertEqual(len(risks), 1, self.d.changes(path))
        self.assertEqual(risks[0]['risk-code'], 'update-from-other-sender')
        self.assertEqual(list(risks[0]['risk-args']), [self.TRUSTED, 'netwpin', self.OTHER])
        self.assertEqual(self.d.props(profile)['Settings']['apn'], 'policy.l7-c.example')

    def test_risk_survives_a_restart_before_the_pin(self):
        # the risk is no part of the document: after a restart the message
        # is decoded again from the store and flagged again
        profile = self.made_by_operator('l7-f')
        body = self.update('l7-f', 'evil-f.example')
        m = self.d.deliver(push(body, 'userpin', mac('userpin', body, pin=self.PIN), xml=True),
                           'wsp', imsi=IMSI, sender=self.STRANGER)
        self.assertEqual(self.d.state_of(m), 'pending-pin')
        self.d.restart()
        self.d.call(m, 'Accept', self.PIN)
        self.assertEqual(self.d.state_of(m), 'pending-confirmation')
        self.assertEqual([c['risk-code'] for c in self.update_risks(m)],
                         ['update-from-other-sender'])
        self.assertEqual(self.d.props(profile)['Settings']['apn'], 'policy.l7-f.example')

    def test_same_sender_same_or_stronger_sec_is_no_risk(self):
        profile = self.made_by_operator('l7-d')
        path = self.d.deliver(netwpin(self.update('l7-d', 'next-d.example')), 'wsp',
                              imsi=IMSI, sender=self.TRUSTED)
        self.assertEqual(self.d.wait_state(path, ('applied', 'pending-confirmation')),
                         'applied')
        self.assertEqual(self.update_risks(path), [])
        self.assertEqual(self.d.props(profile)['Settings']['apn'], 'next-d.example')
        # a USERPIN profile updated by the same sender's USERPIN message, then
        # by its NETWPIN one: the PIN alone applies, and so does the policy
        m = self.userpin(plain('l7-e'), self.STRANGER)
        self.assertEqual(self.d.wait_state(m, ('applied', 'pending-confirmation')), 'applied')
        m = self.userpin(self.update('l7-e', 'next-e.example'), self.STRANGER)
        self.assertEqual(self.d.wait_state(m, ('applied', 'pending-confirmation')), 'applied')
        self.assertEqual(self.update_risks(m), [])
        path = self.d.deliver(netwpin(self.update('l7-e', 'last-e.example')), 'wsp',
                              imsi=IMSI, sender=self.STRANGER)
        self.assertEqual(self.d.wait_state(path, ('applied', 'pending-confirmation')),
                         'pending-confirmation')  # not a trusted sender
        self.assertEqual(self.update_risks(path), [])


class MakerKept(unittest.TestCase):
    """Who and how last set a profile is kept in the
    profile's own record, so the update risks outlive the message that set
    it (Delete) and a restart. And an update by a weaker SEC method than
    the one that made the profile (a stronger SEC made it) is a risk
    whatever the policy says, checked with every method below the maker's:
    NETWPIN after USERNETWPIN, USERPIN and none after NETWPIN."""

    TRUSTED = '+4912345'
    OTHER = '+4967890'
    PIN = '1357'

    @classmethod
    def setUpClass(cls):
        # the policy would apply all of them: only the risk makes them wait
        cls.d = Daemon(dropins={
            '50-site.conf': '[Policy]\nTrustedSenders=+4912345;+4967890\n'
                            'NetwpinTrustedAction=apply\nnone=apply\n'})

    @classmethod
    def tearDownClass(cls):
        cls.d.close()

    def netwpin_from(self, body, sender):
        return self.d.deliver(netwpin(body), 'wsp', imsi=IMSI, sender=sender)

    def made(self, path):
        self.assertEqual(self.d.wait_state(path, ('applied', 'pending-confirmation')),
                         'applied')
        [profile] = self.d.props(path)['Profiles']
        return profile

    def update(self, tag, apn):
        return plain(tag).replace(('policy.%s.example' % tag).encode(), apn.encode())

    def update_risks(self, path):
        return [(c['risk-code'], list(c['risk-args'])) for c in self.d.changes(path)
                if c['risk-code'].startswith('update-')]

    def assert_waits(self, path, code, args):
        self.assertEqual(self.d.state_of(path), 'pending-confirmation')
        self.assertEqual(self.update_risks(path), [(code, args)], self.d.changes(path))

    def test_deleted_maker_message_is_still_a_risk(self):
        made = self.netwpin_from(plain('mk-a'), self.TRUSTED)
        profile = self.made(made)
        self.d.call(made, 'Delete')
        self.assertEqual(self.d.props(profile)['Message'], '/')
        waiting = self.netwpin_from(self.update('mk-a', 'evil-a.example'), self.OTHER)
        self.assert_waits(waiting, 'update-from-other-sender',
                          [self.TRUSTED, 'netwpin', self.OTHER])
        # the profile's record keeps its maker over a restart: the waiting
        # message is flagged again, a new one too
        self.d.restart()
        self.assert_waits(waiting, 'update-from-other-sender',
                          [self.TRUSTED, 'netwpin', self.OTHER])
        again = self.netwpin_from(self.update('mk-a', 'evil-a2.example'), self.OTHER)
        self.assert_waits(again, 'update-from-other-sender',
                          [self.TRUSTED, 'netwpin', self.OTHER])
        self.assertEqual(self.d.props(profile)['Settings']['apn'], 'policy.mk-a.example')
        # a known maker: the maker's own update is no risk and the policy
        # applies it (an unknown maker would have turned it into a question)
        own = self.netwpin_from(self.update('mk-a', 'next-a.example'), self.TRUSTED)
        self.assertEqual(self.d.wait_state(own, ('applied', 'pending-confirmation')),
                         'applied')
        self.assertEqual(self.update_risks(own), [])
        self.assertEqual(self.d.props(profile)['Settings']['apn'], 'next-a.example')

    def test_update_of_a_profile_made_by_a_stronger_sec_waits(self):
        body = plain('mk-b')
        made = self.d.deliver(push(body, 'usernetwpin',
                                   mac('usernetwpin', body, imsi=IMSI, pin=self.PIN), xml=True),
                              'wsp', imsi=IMSI, sender=self.TRUSTED)
        self.assertEqual(self.d.state_of(made), 'pending-pin')
        self.d.call(made, 'Accept', self.PIN)
        profile = self.made(made)
        self.d.call(made, 'Delete')
        self.d.restart()
        # NETWPIN from the same trusted sender: the policy says apply, but
        # a stronger method (USERNETWPIN) made the profile
        path = self.netwpin_from(self.update('mk-b', 'evil-b.example'), self.TRUSTED)
        self.assert_waits(path, 'update-weaker-security', ['usernetwpin', 'netwpin'])
        self.assertEqual(self.d.props(profile)['Settings']['apn'], 'policy.mk-b.example')

    def test_userpin_update_of_a_netwpin_profile_waits_after_the_pin(self):
        profile = self.made(self.netwpin_from(plain('mk-c'), self.TRUSTED))
        body = self.update('mk-c', 'evil-c.example')
        m = self.d.deliver(push(body, 'userpin', mac('userpin', body, pin=self.PIN), xml=True),
                           'wsp', imsi=IMSI, sender=self.TRUSTED)
        self.assertEqual(self.d.state_of(m), 'pending-pin')
        self.d.call(m, 'Accept', self.PIN)
        self.assert_waits(m, 'update-weaker-security', ['netwpin', 'userpin'])
        self.assertEqual(self.d.props(profile)['Settings']['apn'], 'policy.mk-c.example')

    def test_unsigned_update_of_a_netwpin_profile_waits(self):
        # none=apply: an unsigned new profile is applied ...
        fresh = self.d.deliver(push(plain('mk-d0'), xml=True), 'wsp', imsi=IMSI,
                               sender=self.TRUSTED)
        self.assertEqual(self.d.wait_state(fresh, ('applied', 'pending-confirmation')),
                         'applied')
        # ... but not an unsigned update of a NETWPIN one
        profile = self.made(self.netwpin_from(plain('mk-d'), self.TRUSTED))
        path = self.d.deliver(push(self.update('mk-d', 'evil-d.example'), xml=True), 'wsp',
                              imsi=IMSI, sender=self.TRUSTED)
        self.assert_waits(path, 'update-weaker-security', ['netwpin', 'none'])
        self.assertEqual(self.d.props(profile)['Settings']['apn'], 'policy.mk-d.example')


class TrustedDefault(unittest.TestCase):
    """NetwpinTrustedAction defaults to confirm."""

    def test_default_confirms(self):
        d = Daemon(dropins={'50-site.conf': '[Policy]\nTrustedSenders=+4912345\n'})
        try:
            path = d.deliver(netwpin(plain('td')), 'wsp', imsi=IMSI, sender='+4912345')
            self.assertEqual(d.state_of(path), 'pending-confirmation')
        finally:
            d.close()


class ControlCharacters(unittest.TestCase):
    """CR, LF, ESC and C1 CSI from an SMS (an alphanumeric
    sender, document values) are escaped in omacpd's strings, so that
    omacpctl show/list print no raw control character and no forged line."""

    SENDER = 'Operator\x1b[2J\r\nState: applied\x9b31m'

    def test_show_and_list_have_no_raw_controls(self):
        d = Daemon()
        try:
            body = plain('cc').replace(b'Policy cc', b'Evil&#13;&#10;State: applied\xc2\x9b1m')
            path = d.deliver(push(body, xml=True), 'wsp', imsi=IMSI, sender=self.SENDER)
            props = d.full(path)
            for name in ('Sender', 'Document', 'Error'):
                self.assertNotRegex(str(props[name]), '[\x00-\x08\x0b-\x1f\x7f-\x9f]',
                                    name)
            for change in props['Changes']:
                for v in change.values():
                    self.assertNotRegex(str(v), '[\x00-\x1f\x7f-\x9f]', change)
            for args in (('list',), ('show', path)):
                r = d.ctl(*args)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertNotRegex(r.stdout, '[\x00-\x08\x0b-\x1f\x7f-\x9f]', args)
                forged = [line for line in r.stdout.splitlines()
                          if line.lstrip().startswith('State: applied')]
                self.assertEqual(forged, [], args)
        finally:
            d.close()


class Limits(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(dropins={'10-limits.conf': '[Limits]\nMaxMessageBytes=400\n'
                                'MaxMessagesPerSenderPerHour=2\nMaxMessagesPerModemPerHour=3\n'
                                'MaxStoredMessages=6\n'})

    @classmethod
    def tearDownClass(cls):
        cls.d.close()

    def expect(self, name, *args, **kw):
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            self.d.deliver(*args, **kw)
        self.assertEqual(dbus_error_name(cm.exception), ERR + name, str(cm.exception))
        return str(cm.exception)

    def test_limits(self):
        d = self.d
        big = push(plain('x' * 400), xml=True)
        self.assertGreater(len(big), 400)
        text = self.expect('TooLarge', big, 'wsp')
        self.assertIn('MaxMessageBytes', text)

        # two messages per sender and hour, the third is refused
        d.deliver(push(plain('s1'), xml=True), 'wsp', sender='+4911110')
        d.deliver(push(plain('s2'), xml=True), 'wsp', sender='+4911110')
        text = self.expect('RateLimited', push(plain('s3'), xml=True), 'wsp', sender='+4911110')
        self.assertNotIn('+4911110', text, 'numbers are masked')
        d.deliver(push(plain('s4'), xml=True), 'wsp', sender='+4922220')

        # three per modem
        for i in range(3):
            d.deliver(push(plain('m%d' % i), xml=True), 'wsp', modem='/modem/7')
        self.expect('RateLimited', push(plain('m9'), xml=True), 'wsp', modem='/modem/7')

        # at most 6 stored: the oldest decided ones make room
        before = d.messages()
        self.assertEqual(len(before), 6)
        newest = d.deliver(push(plain('k'), xml=True), 'wsp')
        after = d.messages()
        self.assertEqual(len(after), 6)
        self.assertIn(newest, after)
        self.assertNotIn(before[0], after)


def run_with_config(tmp, text):
    """omacpd (no bus to reach) with @text as omacpd.conf in @tmp: the
    file's path and the finished process."""
    conf = os.path.join(tmp, 'omacpd.conf')
    with open(conf, 'w') as f:
        f.write(text)
    r = subprocess.run([OMACPD, '--session', '--state-dir', os.path.join(tmp, 'state'),
                        '--config', conf],
                       capture_output=True, text=True, timeout=20,
                       env=dict(os.environ, DBUS_SESSION_BUS_ADDRESS='unix:path=/nonexistent'))
    return conf, r


class BadConfig(unittest.TestCase):
    def test_bad_values_stop_omacpd(self):
        cases = [
            ('[Policy]\nnetwpin=aply\n', 'netwpin'),
            ('[Policy]\nuserpin=apply\n', 'userpin'),
            ('[Policy]\nPinAttempts=0\n', 'PinAttempts'),
            ('[Limits]\nMaxMessageBytes=many\n', 'MaxMessageBytes'),
            ('[Backends]\noFono=perhaps\n', 'oFono'),
        ]
        for text, key in cases:
            with self.subTest(key=key), tempfile.TemporaryDirectory() as tmp:
                conf, r = run_with_config(tmp, text)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn(key, r.stderr)
                self.assertIn(conf, r.stderr)

    def test_bad_activate_value(self):
        """[Policy] Activate takes ask, always or never, matched exactly: any
        other value (case, blanks, empty) stops omacpd with an error that
        names the file, the key, the value and the allowed values."""
        for value in ('sometimes', 'Always', 'yes', ''):
            with self.subTest(value=value), tempfile.TemporaryDirectory() as tmp:
                conf, r = run_with_config(tmp, '[Policy]\nActivate=%s\n' % value)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn("config: %s: [Policy] Activate is '%s' (ask, always or never)"
                              % (conf, value), r.stderr)
        # a drop-in's bad value is reported with the drop-in's path
        with tempfile.TemporaryDirectory() as tmp:
            dropins = os.path.join(tmp, 'omacpd.conf.d')  # beside --config
            os.mkdir(dropins)
            bad = os.path.join(dropins, '50-activate.conf')
            with open(bad, 'w') as f:
                f.write('[Policy]\nActivate=now\n')
            conf, r = run_with_config(tmp, '[Policy]\nActivate=always\n')
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn("config: %s: [Policy] Activate is 'now'" % bad, r.stderr)

    def test_adapters_read_under_both_names(self):
        """[Adapters] and its old name [Sources] are both read: a bad value
        in either stops omacpd and names the group it was in."""
        cases = [
            ('[Adapters]\nModemManager=perhaps\n', '[Adapters] ModemManager'),
            ('[Sources]\noFono=perhaps\n', '[Sources] oFono'),
        ]
        for text, where in cases:
            with self.subTest(where=where), tempfile.TemporaryDirectory() as tmp:
                conf, r = run_with_config(tmp, text)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn(where + ' is not true or false', r.stderr)


def fake_polkit(address, denied):
    """org.freedesktop.PolicyKit1 on the private bus: says yes to every action
    but those in @denied (comma-separated), and prints each question."""
    import dbus.mainloop.glib
    import dbus.service
    from gi.repository import GLib

    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(address)
    deny = set(denied.split(',')) if denied else set()

    class Authority(dbus.service.Object):
        @dbus.service.method('org.freedesktop.PolicyKit1.Authority',
                             in_signature='(sa{sv})sa{ss}us', out_signature='(bba{ss})')
        def CheckAuthorization(self, subject, action, details, flags, cancel_id):
            kind, subject_details = subject
            print('check', action, kind, str(subject_details.get('name', '')), int(flags),
                  flush=True)
            return (action not in deny, False, dbus.Dictionary({}, signature='ss'))

    authority = Authority(bus, '/org/freedesktop/PolicyKit1/Authority')
    name = dbus.service.BusName('org.freedesktop.PolicyKit1', bus)  # kept: owns the name
    loop = GLib.MainLoop()
    print('ready', flush=True)
    GLib.timeout_add_seconds(120, loop.quit)
    loop.run()
    del authority, name


class Polkit(unittest.TestCase):
    """omacpd as on the system bus: every mutating call asks polkit."""

    def setUp(self):
        self.d = Daemon(system=True)
        self.pk = subprocess.Popen([sys.executable, __file__, '--fake-polkit', self.d.address,
                                    'org.omacp.provisioning.remove'],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env=self.d.env)
        self.lines = Lines(self.pk)
        self.lines.wait_for('ready')

    def tearDown(self):
        stop_child(self.pk)
        self.d.close()

    def test_mutating_calls_ask_polkit(self):
        d = self.d
        path = d.deliver(push(plain('pk'), xml=True), 'wsp', imsi=IMSI)
        line = self.lines.wait_for('check org.omacp.provisioning.deliver')
        self.assertIn('system-bus-name', line)
        self.assertIn(d.bus.get_unique_name(), line)
        # dbus-python does not set ALLOW_INTERACTIVE_AUTHORIZATION: polkit
        # must not ask either
        self.assertTrue(line.endswith(' 0'), line)
        d.call(path, 'Accept', '')
        self.lines.wait_for('check org.omacp.provisioning.accept')
        self.assertEqual(d.state_of(path), 'applied')
        prof = d.props(path)['Profiles'][0]
        # polkit says no to remove: PermissionDenied, nothing changes
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            d.call(prof, 'Remove')
        self.assertEqual(dbus_error_name(cm.exception), ERR + 'PermissionDenied')
        self.lines.wait_for('check org.omacp.provisioning.remove')
        self.assertIn(prof, d.profiles())
        self.lines.seen.clear()
        r = d.ctl('undo', path, '--ask-password')
        self.assertEqual(r.returncode, 5)  # omacpctl(1): permission denied
        self.assertIn(ERR + 'PermissionDenied', r.stderr)
        # omacpctl allowed interaction, and so does omacpd's question
        line = self.lines.wait_for('check org.omacp.provisioning.remove')
        self.assertTrue(line.endswith(' 1'), line)
        self.assertEqual(d.state_of(path), 'applied')
        # reading needs no authorization
        n = len([x for x in self.lines.seen if x.startswith('check')])
        d.props(path)
        d.managed()
        self.assertEqual(len([x for x in self.lines.seen if x.startswith('check')]), n)

    def test_size_checked_before_polkit(self):
        """An oversized Deliver is refused before polkit is
        asked, so denied calls cannot pile up their data in omacpd."""
        stop_child(self.pk)
        big = b'\0' * (64 * 1024 + 1)
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            self.d.deliver(big, 'wsp')
        self.assertEqual(dbus_error_name(cm.exception), ERR + 'TooLarge')
        self.assertEqual(self.d.messages(), [])

    def test_without_polkit_nothing_is_allowed(self):
        stop_child(self.pk)
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            self.d.deliver(push(plain('nopk'), xml=True), 'wsp')
        self.assertEqual(dbus_error_name(cm.exception), ERR + 'PermissionDenied')
        self.assertEqual(self.d.messages(), [])


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == '--fake-polkit':
        fake_polkit(sys.argv[2], sys.argv[3])
    else:
        main()
