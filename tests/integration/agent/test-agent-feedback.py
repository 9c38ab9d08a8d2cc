#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""omacp-agent and feedbackd: the real feedbackd on the
agent's session bus, omacpd on a private bus, the real agent under Xvfb
with dunst. A new waiting message gives feedbackd's "message-new-sms" event
(as a new SMS would), once per new message, not when the notification is
only replaced for a message it named already.

Needs an agent built with libfeedback (-Dfeedback) and feedbackd
(/usr/libexec/feedbackd); skipped without them (a failure under CI=true)."""

import os
import subprocess
import sys
import time
import unittest

from omacptest import provdoc
from omacptest.daemon import Daemon, mac, main, push

from agentsession import Session, missing_tools, wait_until

FEEDBACKD = '/usr/libexec/feedbackd'
IMSI = '001017770001234'
PIN = '86420975'


def userpin(tag):
    body = provdoc.tagged('Feedback', tag)
    return push(body, 'userpin', mac('userpin', body, pin=PIN), xml=True)


class Feedback(unittest.TestCase):
    def setUp(self):
        missing = missing_tools()
        if not os.access(FEEDBACKD, os.X_OK):
            missing.append('feedbackd')
        if os.environ.get('OMACP_AGENT_FEEDBACK') != '1':
            missing.append('an agent built with libfeedback')
        if missing:
            if os.environ.get('CI') == 'true':
                self.fail('missing ' + ', '.join(missing))
            self.skipTest('missing ' + ', '.join(missing))
        self.d = Daemon(dropins={'50-agent.conf': '[Agent]\nTimeout=60\n'})
        self.addCleanup(self.d.close)
        self.s = Session(self.d)
        self.addCleanup(self.s.close)
        # every TriggerFeedback call, as feedbackd received it
        self.s._spawn(['dbus-monitor', '--address', self.s.address,
                       "type='method_call',interface='org.sigxcpu.Feedback',"
                       "member='TriggerFeedback'"], 'feedback-calls.log')
        self.s._spawn([FEEDBACKD], 'feedbackd.log', env=dict(self.s.env, G_MESSAGES_DEBUG=''))
        wait_until(lambda: self.s.session_has('org.sigxcpu.Feedback'), 'feedbackd on the bus')
        time.sleep(0.3)
        # the agent connected to feedbackd when it started: restart it now
        self.s.stop_agent()
        self.s.start_agent()

    def calls(self):
        with open(self.s.path('feedback-calls.log'), errors='replace') as f:
            text = f.read()
        return [block for block in text.split('method call')[1:]
                if 'TriggerFeedback' in block]

    def test_new_message_gives_feedback(self):
        s, d = self.s, self.d
        first = d.deliver(userpin('one'), imsi=IMSI, sender='+4930555')
        s.wait_notification(lambda n: '+4930555' in n['summary'], 'for the first message')
        s.wait_log('feedbackd: message-new-sms triggered')
        wait_until(lambda: len(self.calls()) == 1, 'one TriggerFeedback call')
        call = self.calls()[0]
        self.assertIn('string "org.omacp.Agent"', call)
        self.assertIn('string "message-new-sms"', call)
        # a second message: the notification is replaced, with feedback
        mark = s.log_mark()
        d.deliver(userpin('two'), imsi=IMSI, sender='+4930555')
        s.wait_notification(lambda n: n['summary'] == '2 configuration messages wait for you',
                            'for two messages')
        s.wait_log('feedbackd: message-new-sms triggered', after=mark)
        wait_until(lambda: len(self.calls()) == 2, 'a second TriggerFeedback call')
        # the first one answered: the notification changes, no new message
        mark = s.log_mark()
        d.call(first, 'Accept', PIN)
        d.wait_state(first, 'applied')
        s.wait_log('notification sent for 1 message(s)', after=mark)
        time.sleep(0.5)
        self.assertEqual(len(self.calls()), 2)


if __name__ == '__main__':
    main()
