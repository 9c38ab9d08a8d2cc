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

import importlib.util
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MARK = 'OMACP_AGENT_POLKIT_IN_NAMESPACE'


def tap_skip(reason):
    print('1..0 # SKIP ' + reason, flush=True)
    sys.exit(0)


def enter_namespace():
    if os.environ.get(MARK) == '1':
        return
    if os.geteuid() != 0:
        tap_skip('needs root (a mount namespace, other users)')
    missing = [t for t in ('unshare', 'setpriv', 'mount', 'dbus-daemon')
               if shutil.which(t) is None]
    if not os.access('/usr/lib/polkit-1/polkitd', os.X_OK):
        missing.append('polkitd')
    from agentsession import missing_tools
    missing += missing_tools()
    if missing:
        if os.environ.get('CI') == 'true':
            print('1..1\nnot ok 1 - missing %s (tools/install-deps)' % ', '.join(missing))
            sys.exit(1)
        tap_skip('missing ' + ', '.join(missing))
    os.execvpe('unshare', ['unshare', '--mount', '--propagation', 'private', sys.executable,
                           os.path.abspath(__file__)] + sys.argv[1:],
               dict(os.environ, **{MARK: '1'}))


if __name__ == '__main__':
    enter_namespace()

import unittest  # noqa: E402

from omacptest.daemon import mac, main, push  # noqa: E402

from agentsession import REVIEW_TITLE, Session  # noqa: E402

spec = importlib.util.spec_from_file_location(
    'acltest', os.path.join(HERE, '..', 'acl', 'test-acl.py'))
acl = importlib.util.module_from_spec(spec)
spec.loader.exec_module(acl)

IMSI = '001017770001234'
PIN = '13572468'
DOC = b"""<?xml version="1.0"?>
<wap-provisioningdoc version="1.1">
  <characteristic type="NAPDEF">
    <parm name="NAME" value="Polkit %s"/>
    <parm name="NAPID" value="NAP-%s"/>
    <parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAP-ADDRESS" value="internet.%s.example"/>
    <parm name="NAP-ADDRTYPE" value="APN"/>
    <parm name="INTERNET"/>
  </characteristic>
</wap-provisioningdoc>
"""


def doc(tag):
    return DOC.replace(b'%s', tag.encode())


def setUpModule():
    acl.WORLD = acl.World()


def tearDownModule():
    if acl.WORLD is not None:
        acl.WORLD.close()


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
        s.wait_log(path + ': omacpd asks for the PIN')
        s.wait_notification(lambda n: '+4930999' in n['summary'], 'for the message')
        s.action('review', path)
        win = s.window(REVIEW_TITLE)
        s.type(win, PIN)
        s.key(win, 'Return')
        acl.wait_until(lambda: d.props(path)['State'] == 'applied', 'the message applied')
        s.wait_log(path + ': shown: Installed')

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
