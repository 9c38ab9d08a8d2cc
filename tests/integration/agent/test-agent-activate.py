#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""omacp-agent's "Install and use now": with Activate=ask the
review page of a message that sets up mobile internet offers it beside
Install; it accepts with Message.AcceptAndActivate, so omacpd makes the new
connection its SIM's default *and* asks NetworkManager to switch to it.

omacpd in system-bus mode on a private bus (a polkit stand-in that allows
everything), the real NetworkManager on that bus (the recipe of
tests/integration/nm), the real agent under Xvfb with dunst; keys typed with
xdotool. Asserted: what the agent logged, the message's state, the profile's
Settings omacpd hands the backends (make-default, activate) and the
NetworkManager connection (autoconnect, gsm.sim-id). The activation itself
on a modem device is tests/integration/nm/test-modem-activate.py.

Run through tests/integration/nm/run-in-netns.sh (root, private namespaces)."""

import os
import subprocess
import sys
import time
import unittest

import dbus

from omacptest import harness as mharness
from omacptest.daemon import Daemon, mac, main, push
from omacptest.e2e import NM_CONF

from agentsession import REVIEW_TITLE, Session, missing_tools, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
IMSI = '001017770001234'  # test network: no "APN unknown for the operator" risk
ICCID = '8949017770001234567'
NM = 'org.freedesktop.NetworkManager'
DOC = """<?xml version="1.0"?>
<wap-provisioningdoc version="1.1">
  <characteristic type="NAPDEF">
    <parm name="NAME" value="Now %(tag)s"/>
    <parm name="NAPID" value="NAP-%(tag)s"/>
    <parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAP-ADDRESS" value="internet.%(tag)s.example"/>
    <parm name="NAP-ADDRTYPE" value="APN"/>
    <parm name="INTERNET"/>
  </characteristic>
</wap-provisioningdoc>
"""
MMS_DOC = """<?xml version="1.0"?>
<wap-provisioningdoc version="1.1">
  <characteristic type="NAPDEF">
    <parm name="NAME" value="MMS only"/>
    <parm name="NAPID" value="NAP-MMS"/>
    <parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAP-ADDRESS" value="mms.only.example"/>
    <parm name="NAP-ADDRTYPE" value="APN"/>
  </characteristic>
  <characteristic type="APPLICATION">
    <parm name="APPID" value="w4"/>
    <parm name="TO-NAPID" value="NAP-MMS"/>
    <parm name="ADDR" value="http://mmsc.only.example/mms"/>
  </characteristic>
</wap-provisioningdoc>
"""


def doc(tag):
    return (DOC % {'tag': tag}).encode()


def skip_reason():
    if os.geteuid() != 0:
        return 'needs root for the real NetworkManager'
    if os.environ.get('OMACP_IN_TEST_NETNS') != '1':
        return 'must run through tests/integration/nm/run-in-netns.sh'
    missing = missing_tools() + [t for t in ('NetworkManager',) if
                                 subprocess.run(['sh', '-c', 'command -v ' + t],
                                                capture_output=True).returncode]
    return 'missing ' + ', '.join(missing) if missing else None


class UseNow(unittest.TestCase):
    activate = 'ask'

    def setUp(self):
        self.d = Daemon(system=True, dropins={
            '50-agent.conf': '[Agent]\nTimeout=120\n[Policy]\nActivate=%s\n' % self.activate,
            '60-nm.conf': '[Backends]\nNetworkManager=true\n'})
        self.addCleanup(self.d.close)
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.d.address)
        logs = open(os.path.join(self.d.tmp, 'helpers.log'), 'a')
        self.addCleanup(logs.close)
        polkit = subprocess.Popen(['/usr/bin/python3', os.path.join(HERE, '..', 'mm',
                                                                    'fake-polkit.py')],
                                  env=env, stdout=logs, stderr=logs)
        self.addCleanup(self.stop, polkit)
        wait_until(lambda: self.d.bus.name_has_owner('org.freedesktop.PolicyKit1'),
                   'the polkit stand-in')
        self.start_nm(env)
        self.s = Session(self.d)
        self.addCleanup(self.s.close)
        self.s.wait_log("omacpd's Activate policy: %s" % self.activate)

    @staticmethod
    def stop(proc):
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def start_nm(self, env):
        d = os.path.join(self.d.tmp, 'nm')
        for sub in ('system-connections', 'conf.d', 'sysconf.d', 'state'):
            os.makedirs(os.path.join(d, sub), mode=0o700)
        conf = os.path.join(d, 'NetworkManager.conf')
        with open(conf, 'w') as f:
            f.write(NM_CONF.format(dir=d))
        log = open(os.path.join(self.d.tmp, 'NetworkManager.log'), 'a')
        self.addCleanup(log.close)
        nm = subprocess.Popen([
            'NetworkManager', '--debug', '--config=' + conf, '--config-dir=%s/conf.d' % d,
            '--system-config-dir=%s/sysconf.d' % d,
            '--intern-config=%s/state/NetworkManager-intern.conf' % d,
            '--state-file=%s/state/NetworkManager.state' % d,
            '--pid-file=%s/state/NetworkManager.pid' % d], env=env, stdout=log, stderr=log)
        self.addCleanup(self.stop, nm)
        def started():
            nm_obj = self.d.bus.get_object(NM, '/org/freedesktop/NetworkManager',
                                           introspect=False)
            return not nm_obj.Get(NM, 'Startup', dbus_interface='org.freedesktop.DBus.Properties')
        mharness.poll(started, 20, 'NetworkManager startup', interval=0.02)
        # omacpd sees NetworkManager come
        wait_until(lambda: 'networkmanager' in self.d.read_log().lower() and
                   self.nm_settings() is not None, 'omacpd following NetworkManager')

    def nm_settings(self):
        obj = self.d.bus.get_object(NM, '/org/freedesktop/NetworkManager/Settings',
                                    introspect=False)
        return obj.ListConnections(dbus_interface=NM + '.Settings')

    def nm_connection(self, u):
        for path in self.nm_settings():
            c = self.d.bus.get_object(NM, path, introspect=False).GetSettings(
                dbus_interface=NM + '.Settings.Connection')
            if str(c['connection']['uuid']) == u:
                return c
        raise AssertionError('no NetworkManager connection %s' % u)

    def profile_of(self, path):
        [prof] = self.d.props(path)['Profiles']
        return self.d.props(prof)

    def review(self, path):
        self.s.action('review', path)
        win = self.s.window(REVIEW_TITLE)
        self.s.wait_log(path + ': review shown (')
        return win

    def install(self, win, path, mnemonic):
        """Presses the button of @mnemonic; an unsigned message asks for a
        second yes first."""
        s = self.s
        s.key(win, mnemonic)
        if self.d.props(path)['State'] == 'quarantined':
            dialog = s.window('Confirm installation')
            s.key(dialog, 'alt+i')
        self.d.wait_state(path, 'applied', 30)
        s.wait_log(path + ': shown: Installed')


class Ask(UseNow):
    def test_install_and_use_now(self):
        s, d = self.s, self.d
        path = d.deliver(doc('now'), 'xml', imsi=IMSI, iccid=ICCID, sender='Promo')
        self.assertEqual(d.props(path)['State'], 'quarantined')
        win = self.review(path)
        s.wait_log(path + ': offers Install and use now')
        s.resize(win, 360, 720)
        s.screenshot(win, 'review-install-and-use-now-360x720')
        self.install(win, path, 'alt+u')
        s.wait_log(path + ': the user chose Install and use now')
        settings = self.profile_of(path)['Settings']
        # what omacpd hands NetworkManager: the SIM's default, switched to now
        self.assertIs(settings['make-default'], True)
        self.assertIs(settings['activate'], True)
        [(backend, u)] = self.profile_of(path)['Targets']
        self.assertEqual(backend, 'networkmanager')
        conn = self.nm_connection(u)
        self.assertEqual(str(conn['gsm']['sim-id']), ICCID)
        self.assertEqual(str(conn['gsm']['apn']), 'internet.now.example')
        self.assertTrue(bool(conn['connection'].get('autoconnect', True)))

    def test_plain_install_is_not_switched_to(self):
        s, d = self.s, self.d
        path = d.deliver(doc('later'), 'xml', imsi=IMSI, iccid=ICCID, sender='Promo')
        win = self.review(path)
        s.wait_log(path + ': offers Install and use now')
        self.install(win, path, 'alt+i')
        self.assertNotIn(path + ': the user chose Install and use now', s.agent_log())
        settings = self.profile_of(path)['Settings']
        self.assertIs(settings['make-default'], True)
        self.assertIs(settings['activate'], False)
        [(_, u)] = self.profile_of(path)['Targets']
        self.assertTrue(bool(self.nm_connection(u)['connection'].get('autoconnect', True)))

    def test_use_now_answers_a_pending_confirmation(self):
        # NETWPIN from an unknown sender: omacpd asks the agent
        # (RequestConfirmation), which cannot carry "use now": the agent
        # accepts with AcceptAndActivate and omacpd cancels its request
        s, d = self.s, self.d
        body = doc('confirm')
        path = d.deliver(push(body, 'netwpin', mac('netwpin', body, imsi=IMSI), xml=True), 'wsp',
                         imsi=IMSI, iccid=ICCID, sender='+4930123456')
        self.assertEqual(d.props(path)['State'], 'pending-confirmation')
        s.wait_log(path + ': omacpd asks for a confirmation')
        win = self.review(path)
        s.wait_log(path + ': offers Install and use now')
        mark = s.log_mark()
        self.install(win, path, 'alt+u')
        s.wait_log(path + ': request cancelled by omacpd', after=mark)
        settings = self.profile_of(path)['Settings']
        self.assertIs(settings['activate'], True)
        self.assertNotIn('CRITICAL', d.read_log())

    def test_no_offer_for_mms_only(self):
        s, d = self.s, self.d
        path = d.deliver(MMS_DOC.encode(), 'xml', imsi=IMSI, iccid=ICCID, sender='Promo')
        self.assertNotIn('internet', [c['kind'] for c in d.changes(path)])
        self.review(path)
        time.sleep(0.5)
        self.assertNotIn(path + ': offers Install and use now', s.agent_log())


class Always(UseNow):
    activate = 'always'

    def test_no_offer_when_omacpd_always_switches(self):
        s, d = self.s, self.d
        path = d.deliver(doc('always'), 'xml', imsi=IMSI, iccid=ICCID, sender='Promo')
        win = self.review(path)
        time.sleep(0.5)
        self.assertNotIn(path + ': offers Install and use now', s.agent_log())
        self.install(win, path, 'alt+i')
        self.assertIs(self.profile_of(path)['Settings']['activate'], True)


if __name__ == '__main__':
    reason = skip_reason()
    if reason:
        print('1..0 # SKIP ' + reason, flush=True)
        sys.exit(0)
    main()
