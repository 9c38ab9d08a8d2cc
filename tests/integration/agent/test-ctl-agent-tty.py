#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""omacpctl agent on a terminal, driven through a pty
against the real omacpd on a private bus: the terminal is read inside the
main loop, so a request that timed out or was answered elsewhere ends its
prompt at once, and a PIN typed after that is not lost: omacpctl calls
Manager.Ask and answers the request that follows. The PIN is never echoed.

  pin-typed              the PIN typed at the prompt applies the message
  late-pin               typed after the request timed out: asked again, applied
  answered-elsewhere     Accept from elsewhere ends the prompt; a late line
                         gets omacpd's reason
  confirmation-typed     "y" at a confirmation prompt"""

import os
import pty
import select
import signal
import time
import unittest

import dbus

from omacptest import provdoc
from omacptest.daemon import OMACPCTL, Daemon, mac, main, push

IMSI = '001017770001234'  # test network: no "APN unknown" risk
PIN = '86420975'


def doc(tag):
    return provdoc.tagged('Tty', tag)


def userpin(tag):
    body = doc(tag)
    return push(body, 'userpin', mac('userpin', body, pin=PIN), xml=True)


class Terminal:
    """omacpctl agent --session on the slave side of a pty."""

    def __init__(self, d):
        self.out = ''
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(OMACPCTL, [OMACPCTL, 'agent', '--session'], d.env)
        self.wait_for('Agent registered')

    def read(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if ready:
            try:
                self.out += os.read(self.fd, 4096).decode(errors='replace')
            except OSError:
                return False
        return bool(ready)

    def wait_for(self, needle, timeout=15, after=0):
        deadline = time.time() + timeout
        while needle not in self.out[after:] and time.time() < deadline:
            self.read(0.1)
        if needle not in self.out[after:]:
            raise AssertionError('no %r on the terminal; got:\n%s' % (needle, self.out))
        return self.out.index(needle, after) + len(needle)

    def type(self, text):
        os.write(self.fd, text.encode())

    def close(self):
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.time() + 5
        status = None
        while time.time() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid != 0:
                break
            self.read(0.05)
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)
        return status


class TtyAgent(unittest.TestCase):
    config = '[Agent]\nTimeout=5\nRetryAfter=600\n'

    def setUp(self):
        self.d = Daemon(dropins={'50-agent.conf': self.config})
        self.addCleanup(self.d.close)
        self.t = Terminal(self.d)
        self.addCleanup(self.t.close)

    def test_pin_typed(self):
        m = self.d.deliver(userpin('typed'), imsi=IMSI)
        self.t.wait_for('PIN (empty to decide later): ')
        self.t.type(PIN + '\n')
        self.d.wait_state(m, 'applied')
        self.t.read(0.3)
        self.assertNotIn(PIN, self.t.out, 'the PIN is not echoed')

    def test_answered_elsewhere(self):
        m = self.d.deliver(userpin('elsewhere'), imsi=IMSI)
        self.t.wait_for('PIN (empty to decide later): ')
        self.d.call(m, 'Accept', PIN)
        self.d.wait_state(m, 'applied')
        end = self.t.wait_for('is over')
        self.t.type('1234\n')
        self.t.wait_for('omacpd does not ask again', after=end)
        self.assertIn('applied', self.t.out[end:])

    def test_confirmation_typed(self):
        body = doc('confirm')
        m = self.d.deliver(push(body, 'netwpin', mac('netwpin', body, imsi=IMSI), xml=True),
                           imsi=IMSI)
        self.t.wait_for('Apply these settings? [y/N] ')
        self.t.type('y\n')
        self.d.wait_state(m, 'applied')


class LateTyping(TtyAgent):
    config = '[Agent]\nTimeout=2\nRetryAfter=600\n'

    def test_late_pin(self):
        m = self.d.deliver(userpin('late'), imsi=IMSI)
        self.t.wait_for('PIN (empty to decide later): ')
        # nothing typed for the daemon's timeout: the prompt ends at once
        end = self.t.wait_for('is over. Type the PIN anyway', timeout=10)
        self.assertEqual(self.d.state_of(m), 'pending-pin')
        self.t.type(PIN + '\n')
        self.t.wait_for('Asking omacpd to ask again', after=end)
        self.t.wait_for('Answering with the PIN typed earlier', after=end)
        self.d.wait_state(m, 'applied')
        self.t.read(0.3)
        self.assertNotIn(PIN, self.t.out, 'the PIN is not echoed')
        self.assertIn('asks to be asked', self.d.read_log())

    test_pin_typed = test_answered_elsewhere = test_confirmation_typed = None


if __name__ == '__main__':
    main()
