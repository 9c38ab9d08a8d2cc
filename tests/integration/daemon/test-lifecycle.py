#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""omacpd message life cycle on a private bus: Deliver of every vector, the
states the default policy gives, PIN attempts, NETWPIN confirmation,
quarantine, invalid MACs, Changes, Reject/Delete/Undo, Profile.Remove,
malformed input, error names, MessageReceived and secrets."""

import os
import re
import stat
import time
import unittest

import dbus

from omacptest.daemon import (ERR, PUBLIC, Daemon, Lines, dbus_error_name, hex_lines, mac, main,
                        shown_imsi,
                        push, stop_child, vector)

IMSI = '123456789012345'

# Expectations from tests/data/vectors/public/README.md.
SEGMENTED = [
    # file, format, segments, PIN
    ('05-vn-mobifone-gprs-userpin1111.ud.hex', 'ud', 4, '1111'),
    ('06-vn-vinaphone-gprs-userpin1111.ud.hex', 'ud', 4, '1111'),
    ('07-vn-viettel-gprs-userpin1111.ud.hex', 'ud', 3, '1111'),
    ('08-sierra-dm-bootstrap-userpin1234.tpdu.hex', 'sms', 4, '1234'),
]
DOCUMENTS = [
    '01-provcont11-appendixC.wbxml.hex',
    '02-cht-codepage-userpin0000.wbxml.hex',
    '03-gecko-netwpin-minimal.wbxml.hex',
    '04-nowsms-forum-netwpin.wbxml.hex',
]

INTERNET_XML = b"""<?xml version="1.0"?>
<wap-provisioningdoc version="1.1">
  <characteristic type="NAPDEF">
    <parm name="NAME" value="Example Internet"/>
    <parm name="NAPID" value="NAP1"/>
    <parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAP-ADDRESS" value="%s"/>
    <parm name="NAP-ADDRTYPE" value="APN"/>
    <parm name="INTERNET"/>
    <characteristic type="NAPAUTHINFO">
      <parm name="AUTHTYPE" value="PAP"/>
      <parm name="AUTHNAME" value="alice"/>
      <parm name="AUTHSECRET" value="Sup3rSecretPw"/>
    </characteristic>
  </characteristic>
</wap-provisioningdoc>
"""


def internet_doc(apn):
    return INTERNET_XML.replace(b'%s', apn.encode())


def doc04():
    return hex_lines(vector('04-nowsms-forum-netwpin.wbxml.hex'))[0]


class Lifecycle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon()

    @classmethod
    def tearDownClass(cls):
        cls.d.close()

    def deliver_segments(self, name, fmt, **opts):
        paths = [self.d.deliver(seg, fmt, **opts) for seg in hex_lines(vector(name))]
        return paths

    def assertDBusError(self, name, func, *args):
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            func(*args)
        self.assertEqual(dbus_error_name(cm.exception), ERR + name, str(cm.exception))
        return cm.exception

    # -- vectors --

    def test_signing_helper_matches_the_vectors(self):
        # the MACs the README gives, recomputed by this test's own HMAC code
        self.assertEqual(mac('netwpin', doc04(), imsi=IMSI),
                         'C483EC25F7E3E0CF100380DA5F6714CF204A5EC5')
        cht = hex_lines(vector('02-cht-codepage-userpin0000.wbxml.hex'))[0]
        self.assertEqual(mac('userpin', cht, pin='0000'),
                         'AA2DC41FC48AEEF3FED7351B1EE704461A8894D4')

    def test_segmented_vectors_give_one_object_pending_pin(self):
        for i, (name, fmt, n, _) in enumerate(SEGMENTED):
            with self.subTest(vector=name):
                before = len(self.d.messages())
                paths = self.deliver_segments(name, fmt, sender='+4911111%s' % name[:2],
                                              imsi='2620100000000%02d' % i)
                self.assertEqual(len(paths), n)
                self.assertEqual(len(set(paths)), 1, 'one path for every segment')
                self.assertEqual(len(self.d.messages()), before + 1)
                p = self.d.props(paths[0])
                self.assertEqual(p['State'], 'pending-pin')
                self.assertEqual(p['Security'], 'userpin')
                self.assertFalse(p['Authenticated'])
                self.assertEqual(p['PinAttemptsLeft'], 3)
                self.assertEqual((p['SegmentsReceived'], p['SegmentsTotal']), (n, n))
                self.assertEqual(p['ContentType'], 'application/vnd.wap.connectivity-wbxml')
                self.assertIn('<wap-provisioningdoc', self.d.document(paths[0]))
                self.assertGreater(p['ReceivedAt'], 1.6e15)

    def test_receiving_state_between_segments(self):
        segs = hex_lines(vector('07-vn-viettel-gprs-userpin1111.ud.hex'))
        # in reverse order: the object exists from the first segment
        opts = dict(sender='+4922222', modem='/modem/recv', imsi='262010000000101')
        path = self.d.deliver(segs[2], 'ud', **opts)
        p = self.d.props(path)
        self.assertEqual(p['State'], 'receiving')
        self.assertEqual((p['SegmentsReceived'], p['SegmentsTotal']), (1, 3))
        self.assertEqual(p['Modem'], '/modem/recv')
        # a duplicate segment changes nothing
        self.assertEqual(self.d.deliver(segs[2], 'ud', **opts), path)
        self.assertEqual(self.d.props(path)['SegmentsReceived'], 1)
        self.assertEqual(self.d.deliver(segs[0], 'ud', **opts), path)
        self.assertEqual(self.d.props(path)['State'], 'receiving')
        self.assertEqual(self.d.deliver(segs[1], 'ud', **opts), path)
        self.assertEqual(self.d.props(path)['State'], 'pending-pin')

    def test_documents_are_quarantined(self):
        for name in DOCUMENTS:
            with self.subTest(vector=name):
                path = self.d.deliver(hex_lines(vector(name))[0], 'wbxml',
                                      imsi='262011234567' + name[:3].replace('-', '0'))
                p = self.d.props(path)
                self.assertEqual(p['State'], 'quarantined')
                self.assertEqual(p['Security'], 'none')
                self.assertFalse(p['Authenticated'])
        raw = os.path.join(PUBLIC, '..', 'provisioning-service', 'prov_sonera.wbxml')
        with open(raw, 'rb') as f:
            path = self.d.deliver(f.read(), 'wbxml', imsi='244911234567890')
        self.assertEqual(self.d.props(path)['State'], 'quarantined')

    # -- PINs --

    def test_userpin_wrong_twice_then_right_with_omacpctl(self):
        out = self.d.ctl('deliver', '--sender', '+4933333', '--format', 'ud', '--imsi',
                         '262010000000201',
                         vector('05-vn-mobifone-gprs-userpin1111.ud.hex'))
        self.assertEqual(out.returncode, 0, out.stderr)
        paths = out.stdout.split()
        self.assertEqual(len(paths), 1)
        path = paths[0]
        number = path.rsplit('/', 1)[1]
        for left in (2, 1):
            r = self.d.ctl('accept', number, '--pin', '9999')
            self.assertEqual(r.returncode, 4, r.stderr)  # omacpctl(1): wrong PIN
            self.assertIn(ERR + 'BadPin', r.stderr)
            self.assertEqual(self.d.props(path)['PinAttemptsLeft'], left)
            self.assertEqual(self.d.props(path)['State'], 'pending-pin')
        r = self.d.ctl('accept', number, '--pin', '1111')
        self.assertEqual(r.returncode, 0, r.stderr)
        # the APN is unknown for this SIM's operator: a risk, and a right
        # PIN is no consent to it
        self.assertIn('pending-confirmation', r.stdout)
        r = self.d.ctl('accept', number)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('applied', r.stdout)
        p = self.d.props(path)
        self.assertEqual(p['State'], 'applied')
        self.assertTrue(p['Authenticated'])
        self.assertEqual(p['Error'], '')
        self.assertTrue(p['Profiles'])
        kinds = {}
        for prof in p['Profiles']:
            pp = self.d.props(prof)
            kinds[pp['Kind']] = pp
            self.assertEqual(pp['Message'], path)
            self.assertEqual(pp['Targets'], [], 'no backend enabled')
            self.assertNotIn('password', pp['Settings'])
        # the vector's NAPDEF: NAP-ADDRESS m-wap, AUTHNAME mms, AUTHSECRET set
        internet = kinds['internet']
        self.assertEqual(internet['Settings']['apn'], 'm-wap')
        self.assertEqual(internet['Settings']['username'], 'mms')
        self.assertIs(internet['Settings']['password-set'], True)
        # accepting again is a state error
        r = self.d.ctl('accept', number)
        self.assertEqual(r.returncode, 1)
        self.assertIn(ERR + 'InvalidState', r.stderr)

    def test_three_wrong_pins_reject(self):
        path = self.deliver_segments('06-vn-vinaphone-gprs-userpin1111.ud.hex', 'ud',
                                     sender='+4944444', imsi='262010000000301')[0]
        for i in range(3):
            e = self.assertDBusError('BadPin', self.d.call, path, 'Accept', '0000')
            self.assertIn('attempt' if i < 2 else 'rejected', str(e))
        p = self.d.props(path)
        self.assertEqual(p['State'], 'rejected')
        self.assertEqual(p['PinAttemptsLeft'], 0)
        self.assertIn('PIN', p['Error'])
        self.assertDBusError('InvalidState', self.d.call, path, 'Accept', '1111')

    def test_empty_pin_costs_nothing(self):
        path = self.deliver_segments('07-vn-viettel-gprs-userpin1111.ud.hex', 'ud',
                                     sender='+4955555', imsi='262010000000401')[0]
        self.assertDBusError('BadPin', self.d.call, path, 'Accept', '')
        self.assertEqual(self.d.props(path)['PinAttemptsLeft'], 3)

    def test_userpin_push_built_here(self):
        body = hex_lines(vector('02-cht-codepage-userpin0000.wbxml.hex'))[0]
        path = self.d.deliver(push(body, 'userpin', mac('userpin', body, pin='0000')), 'wsp',
                              sender='+4966666')
        self.assertEqual(self.d.state_of(path), 'pending-pin')
        self.assertDBusError('BadPin', self.d.call, path, 'Accept', '1234')
        self.d.call(path, 'Accept', '0000')
        # no SIM known: a risk, confirmed after the PIN
        self.assertEqual(self.d.state_of(path), 'pending-confirmation')
        self.d.call(path, 'Accept', '')
        self.assertEqual(self.d.state_of(path), 'applied')

    # -- NETWPIN, unsigned, invalid --

    def test_netwpin_valid_waits_for_confirmation(self):
        body = internet_doc('confirm.example')
        path = self.d.deliver(push(body, 'netwpin', mac('netwpin', body, imsi=IMSI), xml=True),
                              'wsp', imsi=IMSI, sender='+4977777')
        p = self.d.props(path)
        self.assertEqual(p['State'], 'pending-confirmation')
        self.assertEqual(p['Security'], 'netwpin')
        self.assertTrue(p['Authenticated'])
        self.assertEqual(p['Imsi'], shown_imsi(IMSI))
        self.assertEqual(p['PinAttemptsLeft'], 0)
        self.d.call(path, 'Accept', '')
        p = self.d.props(path)
        self.assertEqual(p['State'], 'applied')
        prof = self.d.props(p['Profiles'][0])
        self.assertEqual(prof['Kind'], 'internet')
        self.assertEqual(prof['Imsi'], shown_imsi(IMSI))
        self.assertEqual(prof['Settings']['apn'], 'confirm.example')
        self.assertGreaterEqual(prof['UpdatedAt'], prof['CreatedAt'])

    def test_netwpin_vector_04(self):
        body = doc04()
        path = self.d.deliver(push(body, 'netwpin', 'C483EC25F7E3E0CF100380DA5F6714CF204A5EC5'),
                              'wsp', imsi=IMSI)
        self.assertEqual(self.d.props(path)['State'], 'pending-confirmation')
        # the same push for another SIM does not verify
        path2 = self.d.deliver(push(body, 'netwpin', 'C483EC25F7E3E0CF100380DA5F6714CF204A5EC5'),
                               'wsp', imsi='123456789012340')
        self.assertNotEqual(path, path2)
        p = self.d.props(path2)
        self.assertEqual(p['State'], 'rejected')
        self.assertFalse(p['Authenticated'])
        self.assertTrue(p['Error'])

    def test_wrong_mac_is_rejected_and_kept(self):
        body = internet_doc('forged.example')
        good = mac('netwpin', body, imsi=IMSI)
        bad = ('0' if good[0] != '0' else '1') + good[1:]
        path = self.d.deliver(push(body, 'netwpin', bad, xml=True), 'wsp', imsi=IMSI)
        p = self.d.props(path)
        self.assertEqual(p['State'], 'rejected')
        self.assertIn('MAC', p['Error'])
        self.assertIn('forged.example', self.d.document(path), 'kept for inspection')
        self.assertDBusError('InvalidState', self.d.call, path, 'Accept', '')

    def test_unsigned_quarantined_then_accepted(self):
        path = self.d.deliver(push(internet_doc('unsigned.example'), xml=True), 'wsp')
        self.assertEqual(self.d.state_of(path), 'quarantined')
        self.d.call(path, 'Accept', '')
        self.assertEqual(self.d.state_of(path), 'applied')

    def test_netwpin_without_imsi_is_quarantined(self):
        body = internet_doc('noimsi.example')
        path = self.d.deliver(push(body, 'netwpin', mac('netwpin', body, imsi=IMSI), xml=True),
                              'wsp')
        p = self.d.props(path)
        self.assertEqual(p['State'], 'quarantined')
        self.assertIn('IMSI', p['Error'])

    # -- Changes --

    def test_changes_show_old_and_new(self):
        imsi = '001019876543210'
        first = internet_doc('old.apn.example')
        path = self.d.deliver(push(first, 'netwpin', mac('netwpin', first, imsi=imsi), xml=True),
                              'wsp', imsi=imsi)
        changes = self.d.changes(path)
        apn = [c for c in changes if c['field'] == 'apn']
        self.assertEqual(len(apn), 1)
        self.assertEqual((apn[0]['old'], apn[0]['new']), ('', 'old.apn.example'))
        self.assertEqual(apn[0]['profile'], 'internet:NAP1')
        for c in changes:
            self.assertEqual(set(c), {'profile', 'kind', 'field', 'old', 'new', 'risk',
                                      'risk-code', 'risk-args'})
            self.assertNotIn('Sup3rSecretPw', repr(c))
        self.d.call(path, 'Accept', '')
        prof_path = self.d.props(path)['Profiles'][0]

        second = internet_doc('new.apn.example')
        path2 = self.d.deliver(push(second, 'netwpin', mac('netwpin', second, imsi=imsi),
                                    xml=True), 'wsp', imsi=imsi)
        changes = self.d.changes(path2)
        apn = [c for c in changes if c['field'] == 'apn']
        self.assertEqual((apn[0]['old'], apn[0]['new']), ('old.apn.example', 'new.apn.example'))
        fields = {c['field'] for c in changes}
        self.assertNotIn('username', fields, 'unchanged settings are not listed')
        self.d.call(path2, 'Accept', '')
        # the same identity for the same SIM updates the same profile
        self.assertEqual(self.d.props(path2)['Profiles'], [prof_path])
        prof = self.d.props(prof_path)
        self.assertEqual(prof['Settings']['apn'], 'new.apn.example')
        self.assertEqual(prof['Message'], path2)

        # Undo puts the old settings back
        self.d.call(path2, 'Undo')
        self.assertEqual(self.d.state_of(path2), 'undone')
        self.assertEqual(self.d.props(prof_path)['Settings']['apn'], 'old.apn.example')
        self.assertEqual(self.d.props(prof_path)['Message'], path)
        # undoing the first removes the profile it created
        r = self.d.ctl('undo', path.rsplit('/', 1)[1])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(prof_path, self.d.profiles())
        self.assertDBusError('InvalidState', self.d.call, path, 'Undo')

    def test_risky_profiles_are_flagged(self):
        # appendix C: a dial-up NAP and a proxy with credentials
        path = self.d.deliver(hex_lines(vector('01-provcont11-appendixC.wbxml.hex'))[0], 'wbxml')
        changes = self.d.changes(path)
        self.assertTrue(any(c['risk'] for c in changes), changes)
        self.assertNotIn('proxypasswd', self.d.document(path))

    # -- secrets --

    def test_secrets_stay_inside(self):
        body = internet_doc('secret.example')
        path = self.d.deliver(push(body, 'userpin', mac('userpin', body, pin='86420975'), xml=True),
                              'wsp', imsi='310150123456789', sender='+4988888')
        document = self.d.document(path)
        self.assertNotIn('Sup3rSecretPw', document)
        self.assertIn('********', document)
        self.d.call(path, 'Accept', '86420975')
        for prof in self.d.props(path)['Profiles']:
            settings = self.d.props(prof)['Settings']
            self.assertNotIn('Sup3rSecretPw', repr(settings))
            self.assertIs(settings.get('password-set'), True)
        # every store file is 0600 in 0700 directories; no PIN anywhere
        for root, dirs, files in os.walk(self.d.state):
            self.assertEqual(stat.S_IMODE(os.stat(root).st_mode), 0o700, root)
            for name in files:
                full = os.path.join(root, name)
                self.assertEqual(stat.S_IMODE(os.stat(full).st_mode), 0o600, full)
                if name.endswith('.ini'):
                    with open(full, 'rb') as f:
                        text = f.read()
                    self.assertNotIn(b'86420975', text, full)
                    self.assertNotIn(b'Sup3rSecretPw', text, full)
        # the IMSI is the NETWPIN key: no object shows it whole
        self.assertNotIn('310150123456789', repr(self.d.managed()))
        self.assertEqual(self.d.props(path)['Imsi'], '31015********89')
        log = self.d.read_log()
        self.assertNotIn('310150123456789', log, 'IMSIs are masked in the log')
        self.assertNotIn('86420975', log)
        self.assertIn('31015********89', log, 'the log shows the IMSI masked as the bus does')

    # -- replay --

    def test_replay_is_recognised(self):
        body = internet_doc('replay.example')
        data = push(body, 'userpin', mac('userpin', body, pin='2468'), xml=True)
        path = self.d.deliver(data, 'wsp', imsi='262019999999999')
        self.d.call(path, 'Accept', '2468')
        if self.d.state_of(path) == 'pending-confirmation':  # a risky APN: M5
            self.d.call(path, 'Accept', '')
        self.assertEqual(self.d.wait_state(path, ('applied', 'failed')), 'applied')
        n_messages = len(self.d.messages())
        n_profiles = len(self.d.profiles())
        # the same document for the same SIM: the stored message, nothing new
        self.assertEqual(self.d.deliver(data, 'wsp', imsi='262019999999999'), path)
        self.assertEqual(len(self.d.messages()), n_messages)
        self.assertEqual(self.d.state_of(path), 'applied')
        # another SIM: a new message
        other = self.d.deliver(data, 'wsp', imsi='262018888888888')
        self.assertNotEqual(other, path)
        # the applied message deleted: a replay is still recognised, never applied
        self.d.call(path, 'Delete')
        again = self.d.deliver(data, 'wsp', imsi='262019999999999')
        self.assertNotIn(again, (path, other))
        p = self.d.props(again)
        self.assertEqual(p['State'], 'rejected')
        self.assertIn('replay', p['Error'])
        self.assertEqual(len(self.d.profiles()), n_profiles)

    # -- Reject, Delete, Remove --

    def test_reject_and_delete(self):
        path = self.d.deliver(push(internet_doc('reject.example'), xml=True), 'wsp')
        r = self.d.ctl('reject', path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.d.state_of(path), 'rejected')
        self.assertDBusError('InvalidState', self.d.call, path, 'Reject')
        number = path.rsplit('/', 1)[1]
        self.assertTrue(os.path.isfile(os.path.join(self.d.state, 'messages', number + '.rec')))
        r = self.d.ctl('delete', number)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(path, self.d.messages())
        self.assertFalse(os.path.exists(os.path.join(self.d.state, 'messages', number + '.rec')))
        r = self.d.ctl('show', path)
        self.assertNotEqual(r.returncode, 0)

    def test_profile_remove(self):
        path = self.d.deliver(push(internet_doc('remove.example'), xml=True), 'wsp',
                              imsi='262017777777777')
        self.d.call(path, 'Accept', '')
        prof = self.d.props(path)['Profiles'][0]
        r = self.d.ctl('remove', prof)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn(prof, self.d.profiles())
        self.assertNotIn(prof, self.d.props(path)['Profiles'])
        with self.assertRaises(dbus.exceptions.DBusException):
            self.d.call(prof, 'Remove')

    # -- malformed input --

    def test_malformed_input_leaves_nothing(self):
        before = self.d.messages()
        seg = hex_lines(vector('05-vn-mobifone-gprs-userpin1111.ud.hex'))[0]
        cases = [
            (seg[:3], 'ud', ('Truncated', 'Malformed')),
            (b'\x07\x91\x44', 'sms', ('Truncated', 'Malformed')),
            (b'\x00\x01', 'sms', ('Unsupported',)),  # an SMS-SUBMIT
            (b'\x01\x06\x7f', 'wsp', ('Truncated', 'Malformed')),
            (b'\x03\x0b\x6a\x00\xc5\x01', 'wbxml', ('InvalidDocument', 'Malformed',
                                                    'Truncated')),
            (b'<not-provisioning/>', 'xml', ('InvalidDocument', 'Malformed')),
            (b'abc', 'pdf', ('InvalidArgs',)),
            (b'', 'wbxml', ('InvalidArgs',)),
            # an MMS notification is a push, but not provisioning
            (bytes([1, 6, 1, 0xBE]) + b'\x8c\x82', 'wsp', ('NotPush',)),
        ]
        for data, fmt, names in cases:
            with self.subTest(fmt=fmt, data=data):
                with self.assertRaises(dbus.exceptions.DBusException) as cm:
                    self.d.deliver(data, fmt)
                name = dbus_error_name(cm.exception)
                self.assertIn(name, [ERR + n for n in names], str(cm.exception))
                self.assertTrue(str(cm.exception).strip())
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            self.d.deliver(b'\x01\x06\x01\xb6', 'wsp', imsi='12ab')
        self.assertEqual(dbus_error_name(cm.exception), ERR + 'InvalidArgs')
        self.assertEqual(self.d.messages(), before)
        r = self.d.ctl('deliver', '--format', 'ud', '/dev/null')
        self.assertNotEqual(r.returncode, 0)

    def test_unknown_objects(self):
        r = self.d.ctl('accept', '999999')
        self.assertEqual(r.returncode, 6)  # omacpctl(1): no such message
        self.assertIn('omacpctl: no such message: message/999999', r.stderr)

    # -- signals and the CLI --

    def test_message_received_signal_and_monitor(self):
        mon = self.d.ctl_popen('monitor')
        try:
            lines = Lines(mon)
            lines.wait_for('Monitoring')
            time.sleep(0.2)
            path = self.d.deliver(push(internet_doc('signal.example'), xml=True), 'wsp')
            short = path.split('/Provisioning1/')[1]
            lines.wait_for('MessageReceived ' + short)
            lines.wait_for('Added ' + short)
            self.d.call(path, 'Reject')
            line = lines.wait_for('Changed ' + short)
            self.assertTrue(re.search(r'State=rejected', '\n'.join(lines.seen)) or
                            lines.wait_for('State=rejected'))
            self.d.call(path, 'Delete')
            lines.wait_for('Removed ' + short)
            del line
        finally:
            stop_child(mon)
        self.assertEqual(mon.returncode, 0)

    def test_list_and_show_json(self):
        import json
        path = self.d.deliver(push(internet_doc('json.example'), xml=True), 'wsp')
        r = self.d.ctl('list', '--json')
        self.assertEqual(r.returncode, 0, r.stderr)
        data = json.loads(r.stdout)
        self.assertEqual(data['version'], 1)
        entry = [m for m in data['messages'] if m['path'] == path]
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry[0]['state'], 'quarantined')
        self.assertEqual(entry[0]['security'], 'none')
        r = self.d.ctl('show', '--json', path)
        self.assertEqual(json.loads(r.stdout)['messages'][0]['state'], 'quarantined')
        r = self.d.ctl('show', path)
        self.assertIn('quarantined', r.stdout)
        self.assertIn('json.example', r.stdout)
        r = self.d.ctl('list')
        self.assertIn(path.split('/Provisioning1/')[1], r.stdout)


if __name__ == '__main__':
    main()
