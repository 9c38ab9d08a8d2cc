#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Agents and their owners on the system bus, with the real polkitd (one
user cannot lock the others out; an owner who lost the right loses the
agent): omacpd as installed on a private system bus with the
default-deny policy, our bus policy and polkitd with omacp's actions and the
rule of tests/integration/acl (members of omacp-test-admins may do the
org.omacp.* actions), in a private mount namespace.

  unprivileged-omacp-agent  the real omacp-agent running as omacp-test-admin
                            (not root) under Xvfb: registered with that uid,
                            notifies, the typed PIN applies the message
  revoked-owner             once polkit no longer authorizes the agent's
                            owner, the agent gets Release and no request
  per-user-cap              a 4th agent of one user is refused, another
                            user's agent still registers

Needs root, util-linux, polkitd and (for the first) the agent's tools; skipped
without them (a failure under CI=true)."""

import os
import subprocess
import time

from omacptest import polkitworld

HERE = os.path.dirname(os.path.abspath(__file__))

if __name__ == '__main__':
    polkitworld.enter_namespace(__file__, 'OMACP_AGENT_OWNER_IN_NAMESPACE')

import unittest  # noqa: E402

from omacptest.daemon import Lines, mac, main, push, stop_child  # noqa: E402

acl = polkitworld.world_module()

IMSI = '001017770001234'
PIN = '13572468'


def userpin(tag):
    body = polkitworld.internet_doc('Owner', tag)
    return push(body, 'userpin', mac('userpin', body, pin=PIN), xml=True)


setUpModule, tearDownModule = polkitworld.module_fixtures(
    lambda world: polkitworld.install_readable(world, os.path.join(HERE, 'fakeagent.py')))


class Owners(unittest.TestCase):
    def setUp(self):
        self.d = acl.Omacpd()
        self.addCleanup(self.d.close)

    def agent(self, user, *args):
        uid, gid = acl.WORLD.users[user]
        prefix = [] if uid == 0 else ['setpriv', '--reuid=%d' % uid, '--regid=%d' % gid,
                                      '--init-groups', '--']
        proc = subprocess.Popen(prefix + ['/usr/bin/python3',
                                          acl.WORLD.path('bin', 'fakeagent.py'),
                                          acl.WORLD.address] + list(args),
                                env=acl.WORLD.env, cwd='/', stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(stop_child, proc)
        self.addCleanup(lambda: proc.stdin.close())
        lines = Lines(proc)
        lines.wait_for('register')
        return proc, lines

    def test_revoked_owner(self):
        proc, lines = self.agent(acl.ADMIN, '--pin', PIN)
        lines.wait_for('registered /test/agent')
        first = self.d.deliver(userpin('before'), imsi=IMSI, sender='+4930001')
        lines.wait_for('RequestPin ' + first)
        acl.wait_until(lambda: self.d.props(first)['State'] == 'applied', 'applied')
        # the administrators' group loses the omacp actions
        polkitworld.polkit_reloads(acl.RULES.replace('subject.isInGroup', '!!subject.no && '
                                         'subject.isInGroup'))
        self.addCleanup(polkitworld.polkit_reloads, acl.RULES)
        second = self.d.deliver(userpin('after'), imsi=IMSI, sender='+4930001')
        lines.wait_for('Release')
        acl.wait_until(lambda: 'no longer authorized' in self.d.log(), 'the drop logged')
        time.sleep(0.5)
        lines.wait_for('Release')
        self.assertFalse([l for l in lines.seen if 'RequestPin ' + second in l], lines.seen)
        self.assertEqual(self.d.props(second)['State'], 'pending-pin')
        self.assertEqual(self.d.props(second)['PinAttemptsLeft'], 3)

    def test_per_user_cap(self):
        proc, lines = self.agent(acl.ADMIN, '--paths', '4')
        line = lines.wait_for('register-error /test/agent3')
        self.assertIn('org.omacp.Provisioning1.Error.TooLarge', line)
        self.assertEqual(len([l for l in lines.seen if l.startswith('registered')]), 3)
        uid = acl.WORLD.users[acl.ADMIN][0]
        self.assertIn('(uid %d, session unknown)' % uid, self.d.log())
        # root is another user: not locked out
        other, other_lines = self.agent('root')
        other_lines.wait_for('registered /test/agent')


class UnprivilegedAgent(unittest.TestCase):
    def setUp(self):
        from agentsession import missing_tools
        missing = missing_tools()
        if missing:
            if os.environ.get('CI') == 'true':
                self.fail('missing ' + ', '.join(missing))
            self.skipTest('missing ' + ', '.join(missing))
        from agentsession import Session
        self.d = acl.Omacpd()
        self.addCleanup(self.d.close)
        self.d.address = acl.WORLD.address
        self.s = Session(self.d, user=acl.WORLD.users[acl.ADMIN])
        self.addCleanup(self.s.close)

    def test_unprivileged_omacp_agent(self):
        from agentsession import REVIEW_TITLE
        s, d = self.s, self.d
        uid = acl.WORLD.users[acl.ADMIN][0]
        acl.wait_until(lambda: 'registered (uid %d' % uid in d.log(), 'registered as the user')
        pid = s.agent.pid
        acl.wait_until(lambda: os.stat('/proc/%d' % pid).st_uid == uid or
                       any(os.stat('/proc/%s' % c).st_uid == uid
                           for c in os.listdir('/proc') if c.isdigit() and
                           open('/proc/%s/stat' % c).read().split()[3] == str(pid)),
                       'the agent running as the user')
        path = d.deliver(userpin('unpriv'), imsi=IMSI, sender='+4930777')
        polkitworld.pin_through_review(s, d, path, '+4930777', PIN, REVIEW_TITLE)


if __name__ == '__main__':
    main()
