#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""An agent's answer accepts a message as Accept would: its
owner needs what Accept asks of a caller, checked with the real polkitd on a
private system bus (the world of tests/integration/acl, in a private mount
namespace). The agent is fakeagent.py run as omacp-test-active, whom the
acl rule gives what an active local session gets (accept, agent) and
nothing more.

  quarantined-never-asked   a quarantined unsigned message never reaches an
                            agent's RequestConfirmation, and Ask refuses it:
                            it is accepted only with Accept, which needs
                            org.omacp.provisioning.accept-quarantined
  confirmation-needs-nm     an agent's yes to an unsigned message whose
                            internet profile becomes a system-wide
                            connection is refused without NetworkManager's
                            settings.modify.system for the owner; accepted
                            once a rule grants it (for that agent method and
                            an unauthenticated message, from the details)
  pin-needs-nm              the same for a PIN from an agent: the agent is not
                            asked, no attempt used up
The checks are made before the agent is asked (the owner's bus name may
be gone once it answered: omacpctl agent --once).

Needs root, util-linux and polkitd; skipped without them (a failure under
CI=true)."""

import os
import subprocess
import time

from omacptest import polkitworld, provdoc

HERE = os.path.dirname(os.path.abspath(__file__))

if __name__ == '__main__':
    polkitworld.enter_namespace(__file__, 'OMACP_AGENT_ACCEPT_POLKIT_IN_NAMESPACE')

import unittest  # noqa: E402

from omacptest.daemon import Lines, mac, main, push, stop_child  # noqa: E402

acl = polkitworld.world_module()

IMSI = '001017770001234'  # test network: no "APN unknown" risk
PIN = '24681357'
# unsigned messages wait for a confirmation instead of the quarantine, and
# internet profiles become NetworkManager connections for all users
# (NetworkManager is not running: an accepted message waits for it)
CONFIRM_UNSIGNED = '[Policy]\nnone=confirm\n' + acl.CONFIG.replace('NetworkManager=false',
                                                                  'NetworkManager=true')
# the rule of the acl test, and omacp-test-active may make connections for
# all users when an agent confirms an unauthenticated message
GRANT = acl.RULES + """
polkit.addRule(function(action, subject) {
    if (action.id == "%(action)s" && subject.user == "%(active)s" &&
        action.lookup("what") == "RequestConfirmation" &&
        action.lookup("authenticated") == "no" && action.lookup("security") == "none" &&
        action.lookup("sender") == "+4930555")
        return polkit.Result.YES;
    return polkit.Result.NOT_HANDLED;
});
""" % {'action': acl.SYSTEM_ACTION, 'active': acl.ACTIVE}


def doc(tag):
    return provdoc.tagged('Checks', tag)


def userpin(tag):
    body = doc(tag)
    return push(body, 'userpin', mac('userpin', body, pin=PIN), xml=True)


setUpModule, tearDownModule = polkitworld.module_fixtures(
    lambda world: polkitworld.install_readable(world, os.path.join(HERE, 'fakeagent.py')))


class AgentAnswers(unittest.TestCase):
    def start(self, config=acl.CONFIG):
        self.d = acl.Omacpd(config=config)
        self.addCleanup(self.d.close)

    def agent(self, *args):
        uid, gid = acl.WORLD.users[acl.ACTIVE]
        proc = subprocess.Popen(['setpriv', '--reuid=%d' % uid, '--regid=%d' % gid,
                                 '--init-groups', '--', '/usr/bin/python3',
                                 acl.WORLD.path('bin', 'fakeagent.py'),
                                 acl.WORLD.address] + list(args),
                                env=acl.WORLD.env, cwd='/', stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(stop_child, proc)
        self.addCleanup(lambda: proc.stdin.close())
        lines = Lines(proc)
        lines.wait_for('registered /test/agent')
        return proc, lines

    def ask(self, proc, lines, path):
        proc.stdin.write('ask %s\n' % path)
        proc.stdin.flush()
        return lines.wait_for('ask-')

    def refused_in_log(self, path):
        needle = 'message/%s: not asked: polkit: the agent\'s owner is not authorized for' % \
            acl.number(path)
        acl.wait_until(lambda: needle in self.d.log(), 'the refusal logged')
        return [l for l in self.d.log().splitlines() if needle in l][-1]

    def test_quarantined_never_asked(self):
        self.start()
        proc, lines = self.agent('--confirm', 'yes')
        path = self.d.deliver(push(doc('quarantined'), xml=True), imsi=IMSI, sender='+4930555')
        self.assertEqual(self.d.props(path)['State'], 'quarantined')
        time.sleep(1.0)
        self.assertIn('InvalidState', self.ask(proc, lines, path))
        self.assertFalse([l for l in lines.seen if 'RequestConfirmation' in l], lines.seen)
        self.assertEqual(self.d.props(path)['State'], 'quarantined')
        self.assertEqual(self.d.paths(acl.PROFILE), [])

    def test_confirmation_needs_nm(self):
        self.start(CONFIRM_UNSIGNED)
        proc, lines = self.agent('--confirm', 'yes')
        path = self.d.deliver(push(doc('unsigned'), xml=True), imsi=IMSI, sender='+4930555')
        line = self.refused_in_log(path)
        self.assertIn(acl.SYSTEM_ACTION, line)
        # checked before the agent is asked, while its owner is surely on the bus
        self.assertFalse([l for l in lines.seen if 'RequestConfirmation' in l], lines.seen)
        self.assertEqual(self.d.props(path)['State'], 'pending-confirmation')
        self.assertEqual(self.d.paths(acl.PROFILE), [])
        # a rule grants it, from the details of the check
        polkitworld.polkit_reloads(GRANT)
        self.addCleanup(polkitworld.polkit_reloads, acl.RULES)
        self.assertIn('ask-ok', self.ask(proc, lines, path))
        lines.wait_for('RequestConfirmation ' + path)
        acl.wait_until(lambda: self.d.props(path)['State'] in ('accepted', 'failed'),
                       'the message accepted', timeout=15)
        self.assertIn('message/%s: confirmed by the agent' % acl.number(path), self.d.log())

    def test_pin_needs_nm(self):
        self.start(CONFIRM_UNSIGNED)
        proc, lines = self.agent('--pin', PIN)
        path = self.d.deliver(userpin('pin'), imsi=IMSI, sender='+4930556')
        self.assertIn(acl.SYSTEM_ACTION, self.refused_in_log(path))
        self.assertFalse([l for l in lines.seen if 'RequestPin' in l], lines.seen)
        p = self.d.props(path)
        self.assertEqual(p['State'], 'pending-pin')
        self.assertEqual(p['PinAttemptsLeft'], 3)


if __name__ == '__main__':
    main()
