#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""omacp-agent as a user meets it: omacpd on a private bus standing in for
the system bus, the real omacp-agent under Xvfb (GTK's X11 backend), the
real dunst as notification server on a private session bus. A message is
delivered to omacpd; the test checks the notification the agent sent, opens
the review page the way a notification click does (the app action over
D-Bus, or dunst's own default action), types the PIN with xdotool and
checks the message's state on the bus and what the page said."""

import os
import subprocess
import sys
import time
import unittest

import dbus

from omacptest.daemon import Daemon, mac, main, push

from agentsession import (LIST_TITLE, REVIEW_TITLE, Session, missing_tools, wait_until)

IMSI = '001017770001234'  # test network: no "APN unknown for the operator" risk
PIN = '86420975'
SENDER = '+4930123456'
DOC = """<?xml version="1.0"?>
<wap-provisioningdoc version="1.1">
  <characteristic type="NAPDEF">
    <parm name="NAME" value="Agent %(tag)s"/>
    <parm name="NAPID" value="NAP-%(tag)s"/>
    <parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAP-ADDRESS" value="internet.%(tag)s.example"/>
    <parm name="NAP-ADDRTYPE" value="APN"/>
    <parm name="INTERNET"/>
    <characteristic type="NAPAUTHINFO">
      <parm name="AUTHTYPE" value="PAP"/>
      <parm name="AUTHNAME" value="alice"/>
      <parm name="AUTHSECRET" value="s3cret"/>
    </characteristic>
  </characteristic>
</wap-provisioningdoc>
"""

PROXY = """  <characteristic type="PXLOGICAL">
    <parm name="PROXY-ID" value="PX-%(tag)s"/>
    <parm name="NAME" value="Proxy %(tag)s"/>
    <characteristic type="PXPHYSICAL">
      <parm name="PHYSICAL-PROXY-ID" value="PXP-%(tag)s"/>
      <parm name="PXADDR" value="10.66.0.1"/>
      <parm name="PXADDRTYPE" value="IPV4"/>
      <parm name="TO-NAPID" value="NAP-%(tag)s"/>
      <characteristic type="PORT">
        <parm name="PORTNBR" value="8080"/>
      </characteristic>
    </characteristic>
  </characteristic>
</wap-provisioningdoc>
"""


def doc(tag, proxy=False):
    text = DOC % {'tag': tag}
    if proxy:
        text = text.replace('</wap-provisioningdoc>\n', PROXY % {'tag': tag})
    return text.encode()


def userpin_push(tag, proxy=False):
    body = doc(tag, proxy)
    return push(body, 'userpin', mac('userpin', body, pin=PIN), xml=True)


class AgentUI(unittest.TestCase):
    timeout = 2  # [Agent] Timeout, raised by tests that need more

    def setUp(self):
        self.d = Daemon(dropins={'50-agent.conf': '[Agent]\nTimeout=%d\n' % self.timeout})
        self.addCleanup(self.d.close)
        self.s = Session(self.d)
        self.addCleanup(self.s.close)

    def state(self, path):
        return self.d.props(path)['State']

    def wait_state(self, path, state, timeout=15):
        return self.d.wait_state(path, state, timeout)


class UserPin(AgentUI):
    timeout = 120

    def test_userpin_notification_wrong_then_right_pin(self):
        s, d = self.s, self.d
        path = d.deliver(userpin_push('pin'), 'wsp', imsi=IMSI, sender=SENDER)
        self.assertEqual(self.state(path), 'pending-pin')
        # one notification, shown by the real server, with Review and Dismiss
        n = s.wait_notification(lambda n: SENDER in n['summary'], 'for the message')
        self.assertIn('Sets up mobile internet (APN internet.pin.example) for SIM ••34',
                      n['body'])
        self.assertIn('Protected by a PIN you were given', n['body'])
        self.assertIn('Review', n['actions'])
        self.assertIn('Dismiss', n['actions'])
        self.assertIn('default', n['actions'])
        wait_until(lambda: s.dunst_displayed() >= 1, 'dunst showing the notification')
        s.wait_log('omacpd asks for the PIN')

        # a click on the notification's body: dunst invokes the default action,
        # GLib turns it into app.review
        subprocess.run(['dunstctl', 'action', '0'], env=s.env, timeout=10)
        try:
            win = s.window(REVIEW_TITLE, timeout=5)
            print('# opened by dunst invoking the default action', flush=True)
        except AssertionError:
            # the app action is what the click sends
            print('# dunstctl action did not reach the agent; app.review over D-Bus',
                  flush=True)
            s.action('review', path)
            win = s.window(REVIEW_TITLE)
        s.wait_log(path + ': review asked for (app.review)')
        s.wait_log(path + ': review shown (pending-pin; Protected by a PIN you were given)')
        # the page is open: the notification is withdrawn
        s.wait_log('notification withdrawn')
        s.resize(win, 360, 720)
        s.screenshot(win, 'review-userpin-360x720')
        s.resize(win, 1280, 800)
        s.screenshot(win, 'review-userpin-1280x800')

        mark = s.log_mark()
        s.type(win, '1111')
        s.key(win, 'Return')
        s.wait_log(path + ': shown: Wrong PIN — 2 attempts left', after=mark)
        self.assertEqual(d.props(path)['PinAttemptsLeft'], 2)
        self.assertEqual(self.state(path), 'pending-pin')
        s.resize(win, 360, 720)
        s.screenshot(win, 'review-wrong-pin-360x720')

        mark = s.log_mark()
        s.type(win, PIN)
        s.key(win, 'Return')
        self.wait_state(path, 'applied')
        s.wait_log(path + ': shown: Installed', after=mark)
        self.assertTrue(d.props(path)['Authenticated'])
        # the PIN never reaches the agent's log
        self.assertNotIn(PIN, s.agent_log())
        self.assertNotIn('Pango-WARNING', s.agent_log())
        self.assertNotIn('CRITICAL', s.agent_log())


class Risks(AgentUI):
    timeout = 120

    def test_right_pin_with_risks_asks_for_confirmation(self):
        s, d = self.s, self.d
        path = d.deliver(userpin_push('risky', proxy=True), 'wsp', imsi=IMSI, sender=SENDER)
        changes = d.changes(path)
        risks = [c['risk'] for c in changes if c['risk']]
        self.assertTrue(risks, changes)
        s.action('review', path)
        win = s.window(REVIEW_TITLE)
        s.resize(win, 360, 720)
        s.screenshot(win, 'review-risks-360x720')
        s.type(win, PIN)
        s.key(win, 'Return')
        # the risks need a second yes before the PIN is sent
        dialog = s.window('Confirm installation')
        time.sleep(0.5)
        self.assertEqual(self.state(path), 'pending-pin')
        self.assertEqual(d.props(path)['PinAttemptsLeft'], 3)
        s.key(dialog, 'alt+i')
        # the right PIN is no consent to risks: omacpd asks
        # for a confirmation, which the user gave already
        s.wait_log(path + ': omacpd asks for a confirmation')
        s.wait_log(path + ': the user confirmed the warnings already')
        self.wait_state(path, 'applied')
        s.wait_log(path + ': the user confirmed the warning')
        s.wait_log(path + ': shown: Installed')


class SettingsView(AgentUI):
    timeout = 120

    def test_undo_from_the_settings_view(self):
        s, d = self.s, self.d
        path = d.deliver(userpin_push('undo'), 'wsp', imsi=IMSI, sender=SENDER)
        r = d.ctl('accept', path.rsplit('/', 1)[1], '--pin', PIN)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.state(path), 'applied')
        [profile] = d.profiles()
        s.action('list')
        win = s.window(LIST_TITLE)
        s.screenshot(win, 'settings-view')
        s.action('review', path)
        win = s.window(REVIEW_TITLE)
        s.wait_log(path + ': review shown (applied;')
        s.key(win, 'alt+u')
        self.wait_state(path, 'undone')
        self.assertEqual(d.profiles(), [])
        self.assertNotIn(profile, d.profiles())


class German(AgentUI):
    timeout = 120

    def setUp(self):
        self.d = Daemon()
        self.addCleanup(self.d.close)
        self.s = Session(self.d, lang='de')
        self.addCleanup(self.s.close)

    def test_review_page_in_german(self):
        s, d = self.s, self.d
        path = d.deliver(doc('de'), 'xml', imsi=IMSI, sender='Promo')
        n = s.wait_notification(lambda n: 'Promo' in n['summary'], 'for the message')
        self.assertEqual(n['summary'], 'Einstellungen von Promo')
        self.assertIn('Richtet mobiles Internet (APN internet.de.example) für SIM ••34 ein',
                      n['body'])
        self.assertIn('Nicht signiert — jeder kann das senden', n['body'])
        self.assertIn('Prüfen', n['actions'])
        self.assertIn('Verwerfen', n['actions'])
        s.action('review', path)
        win = s.window('Konfigurationsnachricht prüfen')
        s.resize(win, 360, 720)
        s.screenshot(win, 'review-unsigned-de-360x720')


class Quarantine(AgentUI):
    timeout = 120

    def test_unsigned_installs_only_after_confirmation(self):
        s, d = self.s, self.d
        path = d.deliver(doc('open'), 'xml', imsi=IMSI, sender='Promo')
        self.assertEqual(self.state(path), 'quarantined')
        n = s.wait_notification(lambda n: 'Promo' in n['summary'], 'for the unsigned message')
        self.assertIn('Not signed — anyone can send this', n['body'])
        s.action('review', path)
        win = s.window(REVIEW_TITLE)
        s.wait_log(path + ': review shown (quarantined; Not signed — anyone can send this)')
        s.screenshot(win, 'review-unsigned')

        # Install asks first; cancelling it installs nothing
        s.key(win, 'alt+i')
        dialog = s.window('Confirm installation')
        s.screenshot(dialog, 'review-unsigned-confirm')
        s.key(dialog, 'Escape')
        s.no_window('Confirm installation')
        time.sleep(0.5)
        self.assertEqual(self.state(path), 'quarantined')
        self.assertNotIn('the user confirmed the warning', s.agent_log())

        # asked again, and confirmed explicitly
        s.key(win, 'alt+i')
        dialog = s.window('Confirm installation')
        s.key(dialog, 'alt+i')
        self.wait_state(path, 'applied')
        s.wait_log(path + ': the user confirmed the warning')
        s.wait_log(path + ': shown: Installed')


class Closing(AgentUI):
    timeout = 3

    def test_cancel_from_the_daemon_closes_the_page(self):
        s, d = self.s, self.d
        path = d.deliver(userpin_push('cancel'), 'wsp', imsi=IMSI, sender=SENDER)
        s.wait_log(path + ': omacpd asks for the PIN')
        s.action('review', path)
        s.window(REVIEW_TITLE)
        # nothing typed: the daemon's timeout (3 s) ends the request and the page
        mark = s.log_mark()
        s.wait_log(path + ': request cancelled by omacpd', after=mark, timeout=10)
        s.wait_log(path + ': review closed (cancelled)', after=mark)
        s.window(LIST_TITLE)
        s.no_window(REVIEW_TITLE)
        # the message still waits
        self.assertEqual(self.state(path), 'pending-pin')

    def test_typed_pin_survives_a_timeout(self):
        s, d = self.s, self.d
        path = d.deliver(userpin_push('kept'), 'wsp', imsi=IMSI, sender=SENDER)
        s.wait_log(path + ': omacpd asks for the PIN')
        s.action('review', path)
        win = s.window(REVIEW_TITLE)
        s.type(win, PIN)
        mark = s.log_mark()
        s.wait_log(path + ': request cancelled by omacpd', after=mark, timeout=10)
        s.wait_log('Your PIN is kept', after=mark)
        s.window(REVIEW_TITLE)
        s.wait_log('omacpd has Manager.Ask()')
        # Install (Return) still works: the agent calls Accept() itself
        s.key(win, 'Return')
        self.wait_state(path, 'applied')

    def test_answered_elsewhere_closes_the_page(self):
        s, d = self.s, self.d
        path = d.deliver(userpin_push('elsewhere'), 'wsp', imsi=IMSI, sender=SENDER)
        s.action('review', path)
        s.window(REVIEW_TITLE)
        mark = s.log_mark()
        r = d.ctl('reject', path.rsplit('/', 1)[1])
        self.assertEqual(r.returncode, 0, r.stderr)
        s.wait_log(path + ': review closed (answered elsewhere)', after=mark)
        s.wait_log('toast: This message was answered elsewhere (Rejected).', after=mark)
        s.no_window(REVIEW_TITLE)


class Several(AgentUI):
    timeout = 120

    def test_several_messages_one_notification(self):
        s, d = self.s, self.d
        paths = [d.deliver(userpin_push('many%d' % i), 'wsp', imsi=IMSI, sender=SENDER)
                 for i in range(3)]
        n = s.wait_notification(lambda n: n['summary'] == '3 configuration messages wait for you',
                                'for three messages')
        self.assertIn('Review', n['actions'])
        # the list, never a window per message
        s.action('list')
        win = s.window(LIST_TITLE)
        s.screenshot(win, 'list-three-waiting')
        r = s.xdotool('search', '--onlyvisible', '--class', 'omacp-agent')
        self.assertEqual(len(r.stdout.split()), 1, r.stdout)
        s.action('dismiss', '')
        s.wait_log('notification withdrawn')
        for p in paths:
            self.assertEqual(self.state(p), 'pending-pin')


class Restart(AgentUI):
    timeout = 120

    def test_registers_again_after_a_daemon_restart(self):
        s, d = self.s, self.d
        mark = s.log_mark()
        d.restart()
        s.wait_log('released by omacpd', after=mark)
        s.wait_log('registered as agent', after=mark)
        path = d.deliver(userpin_push('again'), 'wsp', imsi=IMSI, sender=SENDER)
        s.wait_log(path + ': omacpd asks for the PIN', after=mark)


class Spoof(AgentUI):
    timeout = 120

    def test_only_omacpd_may_ask(self):
        s, d = self.s, self.d
        path = d.deliver(userpin_push('spoof'), 'wsp', imsi=IMSI, sender=SENDER)

        def pid_of(name):
            return int(d.bus.call_blocking('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                           'org.freedesktop.DBus',
                                           'GetConnectionUnixProcessID', 's', [name]))
        [agent] = [n for n in d.bus.list_names()
                   if n.startswith(':') and pid_of(n) == s.agent.pid]
        with self.assertRaises(dbus.exceptions.DBusException) as cm:
            d.bus.call_blocking(agent, '/org/omacp/Agent', 'org.omacp.Provisioning1.Agent',
                                'RequestPin', 'o', [path], timeout=10)
        self.assertEqual(cm.exception.get_dbus_name(), 'org.freedesktop.DBus.Error.AccessDenied')
        s.wait_log('agent call RequestPin from')
        self.assertEqual(self.state(path), 'pending-pin')


class OpenFile(AgentUI):
    timeout = 120

    def test_opened_file_is_delivered_and_reviewed(self):
        s, d = self.s, self.d
        f = s.path('settings.xml')
        with open(f, 'wb') as out:
            out.write(doc('file'))
        # as a file manager does it (Exec=omacp-agent %U): the second instance
        # hands the file to the running agent over the session bus
        subprocess.run([os.environ.get('OMACP_AGENT', 'omacp-agent'), f], env=s.env,
                       timeout=20, check=True)
        s.wait_log('settings.xml: delivering')
        s.wait_log('settings.xml: delivered as ')
        [path] = [p for p in d.messages()]
        self.assertEqual(self.state(path), 'quarantined')
        s.window(REVIEW_TITLE)
        s.wait_log(path + ': review shown (quarantined; Not signed')


if __name__ == '__main__':
    missing = missing_tools()
    if missing:
        if os.environ.get('CI') == 'true':
            print('1..1\nnot ok 1 - missing %s (tools/install-deps)' % ', '.join(missing))
            sys.exit(1)
        print('1..0 # SKIP missing ' + ', '.join(missing), flush=True)
        sys.exit(0)
    main()
