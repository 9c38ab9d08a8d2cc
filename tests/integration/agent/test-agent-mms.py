#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The MMS hand-off with real parts: omacpd on a private
bus standing in for the system bus (no session bus of its own reaches the
user's mmsd-tng), the real omacp-agent under Xvfb in a user's session with
its own session bus, and the real mmsd-tng 2.1.0 (mmsdtng) on that session
bus with HOME in the test's directory. An MMS profile waits in "accepted"
while no agent says it applies MMS settings, is applied through the agent
once one registers (Agent.ApplyMms, Manager.ReportMms), and Undo and
Profile.Remove put mmsd-tng's previous settings back through the agent.
The assertions read mmsd-tng's own ViewSettings and its settings file."""

import configparser
import os
import shutil
import sys
import unittest

import dbus

from omacptest.daemon import Daemon, dbus_error_name, mac, main, push

from agentsession import Session, missing_tools, stop, wait_until

IMSI = '001017770001234'
SENDER = '+4930123456'
MMSD = 'org.ofono.mms'
MMSD_IFACE = 'org.ofono.mms.ModemManager'
MANAGER = 'org.omacp.Provisioning1.Manager'
UNSET = {'CarrierMMSC': 'http://mms.invalid', 'MMS_APN': 'apn.invalid',
         'CarrierMMSProxy': 'NULL'}

MMS = """<?xml version="1.0"?>
<wap-provisioningdoc version="1.1">
  <characteristic type="NAPDEF">
    <parm name="NAPID" value="MMS-%(tag)s"/>
    <parm name="NAME" value="MMS %(tag)s"/>
    <parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAP-ADDRESS" value="mms.%(tag)s.example"/>
    <parm name="NAP-ADDRTYPE" value="APN"/>
  </characteristic>
  <characteristic type="PXLOGICAL">
    <parm name="PROXY-ID" value="PX-%(tag)s"/>
    <parm name="NAME" value="MMS proxy %(tag)s"/>
    <characteristic type="PXPHYSICAL">
      <parm name="PHYSICAL-PROXY-ID" value="PXP-%(tag)s"/>
      <parm name="PXADDR" value="10.77.0.1"/>
      <parm name="PXADDRTYPE" value="IPV4"/>
      <parm name="TO-NAPID" value="MMS-%(tag)s"/>
      <characteristic type="PORT">
        <parm name="PORTNBR" value="8080"/>
      </characteristic>
    </characteristic>
  </characteristic>
  <characteristic type="APPLICATION">
    <parm name="APPID" value="w4"/>
    <parm name="TO-PROXY" value="PX-%(tag)s"/>
    <parm name="ADDR" value="http://mmsc.%(tag)s.example/"/>
  </characteristic>
</wap-provisioningdoc>
"""


def mms_push(tag, apn=None):
    body = (MMS % {'tag': tag}).encode()
    if apn is not None:
        body = body.replace(b'mms.%s.example' % tag.encode(), apn.encode())
    return push(body, 'netwpin', mac('netwpin', body, imsi=IMSI), xml=True)


class MmsHandoff(unittest.TestCase):
    def setUp(self):
        self.d = Daemon(dropins={'50-mms.conf': '[Backends]\nmmsd=true\n'})
        self.addCleanup(self.d.close)
        self.s = Session(self.d)
        self.addCleanup(self.s.close)
        # the user's mmsd-tng on the session bus; "system" bus: omacpd's
        # private one (no ModemManager there, which mmsd-tng only logs)
        self.mmsd = self.s._spawn(['mmsdtng', '-d'], 'mmsd.log')
        self.addCleanup(stop, self.mmsd)
        wait_until(lambda: self.s.session_has(MMSD), 'mmsd-tng on the session bus')
        self.session = dbus.bus.BusConnection(self.s.address)
        self.addCleanup(self.session.close)

    # -- mmsd-tng as its user sees it --

    def mmsd_settings(self):
        obj = self.session.get_object(MMSD, '/org/ofono/mms', introspect=False)
        return {str(k): (str(v) if isinstance(v, dbus.String) else bool(v))
                for k, v in obj.ViewSettings(dbus_interface=MMSD_IFACE).items()}

    def assert_mmsd(self, expected):
        got = self.mmsd_settings()
        for key, value in expected.items():
            self.assertEqual(got.get(key), value, key)
        # and what mmsd-tng saved in the user's own file
        conf = configparser.ConfigParser(interpolation=None)
        conf.optionxform = str
        conf.read(self.s.path('home', '.mms', 'modemmanager', 'mms'))
        for key, value in expected.items():
            self.assertEqual(conf.get('Modem Manager', key, fallback=None), value, key)

    def wait_mmsd(self, key, value):
        wait_until(lambda: self.mmsd_settings().get(key) == value,
                   'mmsd-tng %s = %s; it has %s' % (key, value, self.mmsd_settings()))

    def accept(self, tag):
        """Delivers the MMS settings of @tag and accepts them (MMS settings
        from a sender not trusted wait for a user)."""
        path = self.d.deliver(mms_push(tag), 'wsp', imsi=IMSI, sender=SENDER)
        self.assertEqual(self.d.state_of(path), 'pending-confirmation')
        self.d.call(path, 'Accept', '')
        return path

    def mms_profile(self, path):
        for p in self.d.props(path)['Profiles']:
            if self.d.props(p)['Kind'] == 'mms':
                return p
        self.fail('no mms profile in %s' % path)

    # -- the tests --

    def test_waits_without_agent_then_applies_through_it(self):
        self.s.stop_agent()
        path = self.accept('ho')
        self.assertEqual(self.d.wait_state(path, ('accepted', 'applied', 'failed')), 'accepted')
        self.assertIn('waiting for mmsd', self.d.props(path)['Error'])
        self.assert_mmsd(UNSET)

        mark = self.s.log_mark()
        self.s.start_agent()
        self.assertEqual(self.d.wait_state(path, ('applied', 'failed'), 20), 'applied',
                         self.d.props(path)['Error'])
        self.assert_mmsd({'CarrierMMSC': 'http://mmsc.ho.example/',
                          'MMS_APN': 'mms.ho.example',
                          'CarrierMMSProxy': '10.77.0.1:8080'})
        self.assertEqual(self.d.props(path)['Error'], '')
        targets = self.d.props(self.mms_profile(path))['Targets']
        self.assertEqual([t[0] for t in targets], ['mmsd'])
        self.assertTrue(targets[0][1].startswith('mmsd-tng:'))
        self.s.wait_log('written to mmsd-tng', after=mark)

        # Undo: mmsd-tng's values before, through the agent again
        self.d.call(path, 'Undo')
        self.assertEqual(self.d.wait_state(path, ('undone', 'failed'), 20), 'undone',
                         self.d.props(path)['Error'])
        self.assert_mmsd(UNSET)

    def test_remove_restores_through_the_agent(self):
        path = self.accept('rm')
        self.assertEqual(self.d.wait_state(path, ('applied', 'failed'), 20), 'applied',
                         self.d.props(path)['Error'])
        self.wait_mmsd('CarrierMMSC', 'http://mmsc.rm.example/')
        profile = self.mms_profile(path)
        self.d.call(profile, 'Remove')
        self.assert_mmsd(UNSET)
        self.assertNotIn(profile, self.d.profiles())

    def test_update_after_a_hand_edit_asks_first(self):
        path = self.accept('ed')
        self.assertEqual(self.d.wait_state(path, ('applied', 'failed'), 20), 'applied')
        # the user changes the MMSC in mmsd-tng (e.g. in Chatty's settings)
        obj = self.session.get_object(MMSD, '/org/ofono/mms', introspect=False)
        obj.ChangeSettings('CarrierMMSC', dbus.String('http://mine.example/', variant_level=1),
                           dbus_interface=MMSD_IFACE)
        again = self.d.deliver(mms_push('ed', apn='mms2.ed.example'), 'wsp', imsi=IMSI,
                               sender=SENDER)
        self.assertEqual(self.d.state_of(again), 'pending-confirmation')
        # the hand edit is found through the agent: a confirmation first
        with self.assertRaises(dbus.DBusException) as cm:
            self.d.call(again, 'Accept', '')
        self.assertEqual(dbus_error_name(cm.exception),
                         'org.omacp.Provisioning1.Error.InvalidState')
        self.assertIn('edited by hand', str(cm.exception))
        self.assertEqual(self.d.state_of(again), 'pending-confirmation')
        self.assertIn('edited-by-hand',
                      [c.get('field') for c in self.d.changes(again)])
        self.assertEqual(self.mmsd_settings()['CarrierMMSC'], 'http://mine.example/')
        self.d.call(again, 'Accept', '')
        self.assertEqual(self.d.wait_state(again, ('applied', 'failed'), 20), 'applied')
        self.assert_mmsd({'CarrierMMSC': 'http://mmsc.ed.example/',
                          'MMS_APN': 'mms2.ed.example'})

    def test_report_only_from_the_agent_asked(self):
        manager = self.d.obj()
        with self.assertRaises(dbus.DBusException) as cm:
            manager.ReportMms('mms-1', True, '', dbus.Dictionary({}, signature='sv'),
                              dbus_interface=MANAGER)
        self.assertEqual(dbus_error_name(cm.exception),
                         'org.omacp.Provisioning1.Error.NotFound')


if __name__ == '__main__':
    missing = missing_tools() + [t for t in ('mmsdtng',) if shutil.which(t) is None]
    if missing:
        if os.environ.get('CI') == 'true':
            print('1..1\nnot ok 1 - missing %s (tools/install-deps)' % ', '.join(missing))
            sys.exit(1)
        print('1..0 # SKIP missing ' + ', '.join(missing), flush=True)
        sys.exit(0)
    main()
