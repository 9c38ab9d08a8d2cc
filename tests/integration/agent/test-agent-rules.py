#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The daemon's rules for agents (the agent of the active session, no
consent to risks from a right PIN, one prompt for a flood, Ask and asking
again), against the real omacpd on a private bus with scripted
agents (fakeagent.py) and, for the session rule, a stand-in for logind's
D-Bus interface (fakelogind.py: logind needs systemd as PID 1).

  right-pin-with-risks     a right PIN from an agent on a message with risks
                           leads to a confirmation request (M5)
  wrong-pin-delay          wrong PINs from an agent are asked again after
                           2 s, then 4 s (M2)
  timeout-asks-again       a request that timed out is made again after
                           [Agent] RetryAfter
  agent-coming-back        ... and at once to an agent that registers
  ask                      Manager.Ask after a decline, its errors
  ask-moves-the-request    Ask from another agent takes the request over
  per-user-cap             the 4th agent of one user is refused (M2)
  active-session-first     the agent of the active session is asked first,
                           and after a switch the other one (M2)
  senders-take-turns       one refusal quiets a sender; others still asked (L1)
  prompt-pace              at most 5 prompts in a row, then one per 2 s (L1)
"""

import os
import subprocess
import sys
import time
import unittest

import dbus

from omacptest import provdoc
from omacptest.daemon import Daemon, Lines, mac, main, push, stop_child

HERE = os.path.dirname(os.path.abspath(__file__))
IMSI = '001017770001234'  # test network: no "APN unknown" risk
PIN = '86420975'
DNS = ('DNS-ADDR', '10.66.0.53')


def doc(tag, risky=False):
    return provdoc.tagged('Rules', tag, parms=[DNS] if risky else [])


def userpin(tag, risky=False):
    body = doc(tag, risky)
    return push(body, 'userpin', mac('userpin', body, pin=PIN), xml=True)


def netwpin(tag):
    body = doc(tag)
    return push(body, 'netwpin', mac('netwpin', body, imsi=IMSI), xml=True)


def stamp(line):
    return float(line.split()[-1])


class Rules(unittest.TestCase):
    config = '[Agent]\nTimeout=5\n'

    def setUp(self):
        self.d = Daemon(dropins={'50-agent.conf': self.config})
        self.addCleanup(self.d.close)

    def agent(self, *args, env=None):
        proc = subprocess.Popen([sys.executable, os.path.join(HERE, 'fakeagent.py'),
                                 self.d.address] + list(args),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=self.d.env)
        self.addCleanup(stop_child, proc)
        self.addCleanup(lambda: proc.stdin.close())
        lines = Lines(proc)
        lines.wait_for('register')
        return proc, lines

    def count(self, lines, needle, wait=0.0):
        time.sleep(wait)
        try:
            lines.wait_for('\0never\0', timeout=0.2)
        except AssertionError:
            pass
        return sum(1 for line in lines.seen if needle in line)

    def test_right_pin_with_risks(self):
        proc, lines = self.agent('--pin', PIN, '--confirm', 'yes')
        m = self.d.deliver(userpin('risky', risky=True), imsi=IMSI)
        lines.wait_for('RequestPin ' + m)
        # the PIN alone is no consent to the DNS servers: a second question
        lines.wait_for('RequestConfirmation ' + m)
        self.d.wait_state(m, 'applied')
        self.assertTrue(self.d.props(m)['Authenticated'])
        self.assertIn('PIN verified; its risks wait for a confirmation', self.d.read_log())

    def test_wrong_pin_delay(self):
        proc, lines = self.agent('--pin', '0000')
        m = self.d.deliver(userpin('wrong'), imsi=IMSI)
        first = stamp(lines.wait_for('RequestPin ' + m))
        self.d.wait_state(m, 'rejected', timeout=20)
        self.count(lines, '')                                   # read what came
        asked = [stamp(line) for line in lines.seen if line.startswith('RequestPin ' + m)]
        self.assertEqual(len(asked), 3, lines.seen)
        self.assertEqual(asked[0], first)
        self.assertGreaterEqual(asked[1] - asked[0], 2.0)
        self.assertGreaterEqual(asked[2] - asked[1], 4.0)

    def test_per_user_cap(self):
        proc, lines = self.agent('--paths', '4')
        lines.wait_for('register-error /test/agent3')
        self.assertEqual(self.count(lines, 'registered '), 3)
        self.assertIn('org.omacp.Provisioning1.Error.TooLarge',
                      lines.wait_for('register-error /test/agent3'))

    def test_ask(self):
        proc, lines = self.agent('--pin', '')   # declines every PIN request
        m = self.d.deliver(userpin('ask'), imsi=IMSI)
        lines.wait_for('RequestPin ' + m)
        self.assertEqual(self.count(lines, 'RequestPin ' + m, wait=1.0), 1,
                         'a declined message is not asked again by itself')
        proc.stdin.write('ask %s\n' % m)
        proc.stdin.flush()
        lines.wait_for('ask-ok ' + m)
        self.assertEqual(self.count(lines, 'RequestPin ' + m, wait=0.5), 2)
        # errors: an unknown message, one that does not wait, no agent
        proc.stdin.write('ask /org/omacp/Provisioning1/message/999\n')
        proc.stdin.flush()
        self.assertIn('Error.NotFound', lines.wait_for('ask-error /org/omacp/Provisioning1/'
                                                       'message/999'))
        q = self.d.deliver(doc('open'), 'xml', imsi=IMSI)
        self.assertEqual(self.d.state_of(q), 'quarantined')
        proc.stdin.write('ask %s\n' % q)
        proc.stdin.flush()
        self.assertIn('Error.InvalidState', lines.wait_for('ask-error ' + q))
        with self.assertRaises(Exception) as e:
            self.d.obj().Ask(dbus.ObjectPath(m),
                             dbus_interface='org.omacp.Provisioning1.Manager')
        self.assertEqual(e.exception.get_dbus_name(),
                         'org.omacp.Provisioning1.Error.PermissionDenied')

    def test_ask_moves_the_request(self):
        a, a_lines = self.agent('--path', '/test/a', '--pin', PIN)
        b, b_lines = self.agent('--path', '/test/b')           # never answers
        m = self.d.deliver(userpin('moved'), imsi=IMSI)
        b_lines.wait_for('RequestPin ' + m)                     # the newest first
        a.stdin.write('ask %s\n' % m)
        a.stdin.flush()
        a_lines.wait_for('RequestPin ' + m)
        b_lines.wait_for('Cancel ' + m)                         # b's prompt closes
        self.d.wait_state(m, 'applied')


class Retry(Rules):
    config = '[Agent]\nTimeout=1\nRetryAfter=2\n'

    def test_timeout_asks_again(self):
        proc, lines = self.agent()                              # never answers
        m = self.d.deliver(userpin('late'), imsi=IMSI)
        first = stamp(lines.wait_for('RequestPin ' + m))
        lines.wait_for('Cancel ' + m)
        deadline = time.time() + 10
        while time.time() < deadline and self.count(lines, 'RequestPin ' + m) < 2:
            time.sleep(0.2)
        asked = [stamp(line) for line in lines.seen if line.startswith('RequestPin ' + m)]
        self.assertGreaterEqual(len(asked), 2, lines.seen)
        # Timeout (1 s) plus RetryAfter (2 s)
        self.assertGreaterEqual(asked[1] - first, 2.9)
        self.assertEqual(self.d.state_of(m), 'pending-pin')

    # the other tests of Rules need the longer timeout
    test_right_pin_with_risks = test_wrong_pin_delay = test_per_user_cap = None
    test_ask = test_ask_moves_the_request = None


class Comeback(Rules):
    config = '[Agent]\nTimeout=1\nRetryAfter=600\n'

    def test_agent_coming_back_is_asked(self):
        first, lines = self.agent()                             # never answers
        m = self.d.deliver(userpin('back'), imsi=IMSI)
        lines.wait_for('RequestPin ' + m)
        lines.wait_for('Cancel ' + m)
        stop_child(first)
        # long before RetryAfter: an agent that registers is asked at once
        again, again_lines = self.agent('--pin', PIN)
        again_lines.wait_for('RequestPin ' + m, timeout=5)
        self.d.wait_state(m, 'applied')

    test_right_pin_with_risks = test_wrong_pin_delay = test_per_user_cap = None
    test_ask = test_ask_moves_the_request = None


class Sessions(unittest.TestCase):
    def setUp(self):
        self.d = Daemon(dropins={'50-agent.conf': '[Agent]\nTimeout=5\n'})
        self.addCleanup(self.d.close)
        self.logind = subprocess.Popen([sys.executable, os.path.join(HERE, 'fakelogind.py'),
                                        self.d.address], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True, env=self.d.env)
        self.addCleanup(stop_child, self.logind)
        self.addCleanup(lambda: self.logind.stdin.close())
        self.logind_lines = Lines(self.logind)
        self.logind_lines.wait_for('ready')

    def tell(self, command, answer):
        self.logind.stdin.write(command + '\n')
        self.logind.stdin.flush()
        self.logind_lines.wait_for(answer)

    def agent(self, path, session):
        proc = subprocess.Popen([sys.executable, os.path.join(HERE, 'fakeagent.py'),
                                 self.d.address, '--path', path, '--pin', PIN],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=self.d.env)
        self.addCleanup(stop_child, proc)
        self.addCleanup(lambda: proc.stdin.close())
        self.tell('map %d %s' % (proc.pid, session), 'mapped %d' % proc.pid)
        lines = Lines(proc)
        lines.wait_for('registered')
        return proc, lines

    def test_active_session_first(self):
        self.tell('activate c1', 'active c1')
        front, front_lines = self.agent('/test/front', 'c1')
        back, back_lines = self.agent('/test/back', 'c2')      # registered later
        self.assertIn('session /org/freedesktop/login1/session/c2', self.d.read_log())
        m1 = self.d.deliver(userpin('front'), imsi=IMSI)
        front_lines.wait_for('RequestPin ' + m1)
        self.d.wait_state(m1, 'applied')
        self.assertFalse([line for line in back_lines.seen if 'RequestPin' in line])
        # the other user's session comes to the front
        self.tell('activate c2', 'active c2')
        deadline = time.time() + 5
        while 'active session of' not in self.d.read_log().split('session/c2')[0] and \
                time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        m2 = self.d.deliver(userpin('back'), imsi=IMSI)
        back_lines.wait_for('RequestPin ' + m2)
        self.d.wait_state(m2, 'applied')
        self.assertFalse([line for line in front_lines.seen if m2 in line])


class Pacing(unittest.TestCase):
    def setUp(self):
        self.d = Daemon(dropins={'50-agent.conf': '[Agent]\nTimeout=5\n'})
        self.addCleanup(self.d.close)

    def agent(self, *args):
        return Rules.agent(self, *args)

    def test_senders_take_turns(self):
        xs = [self.d.deliver(netwpin('x%d' % i), imsi=IMSI, sender='+4911100') for i in range(3)]
        y = self.d.deliver(netwpin('y'), imsi=IMSI, sender='+4922200')
        for m in xs + [y]:
            self.assertEqual(self.d.state_of(m), 'pending-confirmation')
        proc, lines = self.agent('--confirm', 'no')
        lines.wait_for('RequestConfirmation ' + xs[0])
        lines.wait_for('RequestConfirmation ' + y)
        self.d.wait_state(y, 'rejected')
        time.sleep(1.0)
        # one "no" answered the flood of +4911100: the others wait, unasked
        for m in xs[1:]:
            self.assertFalse([line for line in lines.seen if m + ' ' in line], lines.seen)
            self.assertEqual(self.d.state_of(m), 'pending-confirmation')
        # and are still asked when the user wants
        proc.stdin.write('ask %s\n' % xs[1])
        proc.stdin.flush()
        lines.wait_for('RequestConfirmation ' + xs[1])

    def test_prompt_pace(self):
        ms = [self.d.deliver(netwpin('p%d' % i), imsi=IMSI, sender='+49333%02d' % i)
              for i in range(7)]
        proc, lines = self.agent('--confirm', 'no')
        for m in ms:
            self.d.wait_state(m, 'rejected', timeout=20)
        Rules.count(self, lines, '')                            # read what came
        asked = sorted(stamp(line) for line in lines.seen
                       if line.startswith('RequestConfirmation'))
        self.assertEqual(len(asked), 7)
        # five in a row: none of them waits for the interval
        for i in range(1, 5):
            self.assertLess(asked[i] - asked[i - 1], 1.5, 'five in a row: %r' % asked)
        # then one per 2 s after the first: the 6th no earlier than 2 s, the
        # 7th no earlier than 4 s (however slow the answers were)
        self.assertGreaterEqual(asked[5] - asked[0], 1.9, 'then one per 2 s: %r' % asked)
        self.assertGreaterEqual(asked[6] - asked[0], 3.9, 'then one per 2 s: %r' % asked)


if __name__ == '__main__':
    main()
