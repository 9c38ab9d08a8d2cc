#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""omacp-agent against omacpd as installed: a private system bus enforcing
the default-deny policy plus dbus/org.omacp.Provisioning1.conf, the real
polkitd with omacp's actions, omacpd in system-bus mode; the agent (as root,
whom polkitd authorizes) under Xvfb with dunst on a private session bus.
The bus policy must let omacpd call the agent, and the agent's own Accept()
(for a quarantined message) goes through polkit.

It reuses the world of tests/integration/acl (users, polkit files, bus,
polkitd) in a private mount namespace; needs root, util-linux and polkitd,
and is skipped without them (a failure under CI=true)."""

from omacptest import polkitworld

if __name__ == '__main__':
    from agentsession import missing_tools
    polkitworld.enter_namespace(__file__, 'OMACP_AGENT_POLKIT_IN_NAMESPACE', missing_tools())

import unittest  # noqa: E402

from omacptest.daemon import mac, main, push  # noqa: E402

from agentsession import REVIEW_TITLE, Session  # noqa: E402

acl = polkitworld.world_module()
setUpModule, tearDownModule = polkitworld.module_fixtures()

IMSI = '001017770001234'
PIN = '13572468'


def doc(tag):
    return polkitworld.internet_doc('Polkit', tag)


class SystemBus(unittest.TestCase):
    def setUp(self):
        self.d = acl.Omacpd()
        self.addCleanup(self.d.close)
        self.d.address = acl.WORLD.address
        self.s = Session(self.d)
        self.addCleanup(self.s.close)

    def test_userpin_through_the_system_bus_policy(self):
        s, d = self.s, self.d
        self.assertIn('agent :', d.log())  # registered: polkit said yes
        body = doc('sys')
        path = d.deliver(push(body, 'userpin', mac('userpin', body, pin=PIN), xml=True),
                         imsi=IMSI, sender='+4930999')
        # omacpd (root) may call the agent: the bus policy lets it through
        polkitworld.pin_through_review(s, d, path, '+4930999', PIN, REVIEW_TITLE)

    def test_quarantined_accept_goes_through_polkit(self):
        s, d = self.s, self.d
        path = d.deliver(doc('open'), 'xml', imsi=IMSI, sender='Promo')
        self.assertEqual(d.props(path)['State'], 'quarantined')
        s.action('review', path)
        win = s.window(REVIEW_TITLE)
        s.key(win, 'alt+i')
        dialog = s.window('Confirm installation')
        s.key(dialog, 'alt+i')
        acl.wait_until(lambda: d.props(path)['State'] == 'applied', 'the message applied')
        s.wait_log(path + ': the user confirmed the warning')
        s.wait_log(path + ': shown: Installed')


if __name__ == '__main__':
    main()
