# SPDX-License-Identifier: GPL-2.0-or-later
"""omacpd as installed on a private system bus with the real polkitd, for the
tests beyond tests/integration/acl that run in its world (users, polkit
files, the default-deny bus, polkitd; test-acl.py builds it) inside a
private mount namespace: the agent's polkit and owner tests.

A test script calls enter_namespace() first (before importing anything that
needs the world), then world_module() for test-acl.py's World and Omacpd,
and uses module_fixtures() as its setUpModule/tearDownModule."""

import importlib.util
import os
import shutil
import sys

from omacptest import provdoc

HERE = os.path.dirname(os.path.abspath(__file__))
POLKITD = '/usr/lib/polkit-1/polkitd'
TOOLS = ('unshare', 'setpriv', 'mount', 'dbus-daemon')
# the rules file of the acl world that a test may rewrite
RULES_PATH = '/etc/polkit-1/rules.d/60-omacp-acl-test.rules'


def tap_skip(reason):
    print('1..0 # SKIP ' + reason, flush=True)
    sys.exit(0)


def enter_namespace(script, mark, missing=()):
    """Runs @script (the caller's __file__) again in a private mount
    namespace, once: @mark (an environment variable) tells the second run.
    Without root, util-linux, dbus-daemon, polkitd or what @missing names
    the whole script is skipped (under CI=true it fails)."""
    if os.environ.get(mark) == '1':
        return
    if os.geteuid() != 0:
        tap_skip('needs root (a mount namespace, other users)')
    absent = [t for t in TOOLS if shutil.which(t) is None]
    if not os.access(POLKITD, os.X_OK):
        absent.append('polkitd')
    absent += list(missing)
    if absent:
        if os.environ.get('CI') == 'true':
            print('1..1\nnot ok 1 - missing %s (tools/install-deps)' % ', '.join(absent),
                  flush=True)
            sys.exit(1)
        tap_skip('missing ' + ', '.join(absent))
    os.execvpe('unshare', ['unshare', '--mount', '--propagation', 'private', sys.executable,
                           os.path.abspath(script)] + sys.argv[1:],
               dict(os.environ, **{mark: '1'}))


_ACL = None


def world_module():
    """tests/integration/acl/test-acl.py as a module (loaded once): its
    World, Omacpd, RULES, ADMIN, wait_until and the WORLD of this run."""
    global _ACL
    if _ACL is None:
        spec = importlib.util.spec_from_file_location(
            'acltest', os.path.join(HERE, '..', 'acl', 'test-acl.py'))
        _ACL = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_ACL)
    return _ACL


def module_fixtures(prepare=None):
    """setUpModule and tearDownModule that build the world for the whole
    script and take it down; @prepare(world) runs once it is up."""
    acl = world_module()

    def set_up():
        acl.WORLD = acl.World()
        if prepare is not None:
            prepare(acl.WORLD)

    def tear_down():
        if acl.WORLD is not None:
            acl.WORLD.close()
    return set_up, tear_down


def install_readable(world, path):
    """Copies @path into the world's bin directory, readable by its users."""
    target = world.path('bin', os.path.basename(path))
    shutil.copy(path, target)
    os.chmod(target, 0o644)


def polkit_reloads(rules):
    """Writes @rules to RULES_PATH and waits until polkitd has loaded them."""
    acl = world_module()
    log = acl.WORLD.path('polkitd.log')

    def loads():
        with open(log, errors='replace') as f:
            return f.read().count('Finished loading, compiling and executing')
    before = loads()
    with open(RULES_PATH, 'w') as f:
        f.write(rules)
    acl.wait_until(lambda: loads() > before, 'polkitd reloading its rules', timeout=15)


def internet_doc(name, tag):
    """A provisioning document (XML) with one internet access point, named
    "@name @tag", its NAPID and APN derived from @tag."""
    return provdoc.tagged(name, tag)


def pin_through_review(session, omacpd, path, sender, pin, review_title):
    """The user's way with a message waiting for its PIN: omacpd asks the
    agent (@session), its notification names @sender, the review page
    (@review_title) takes @pin; the message ends applied and the agent says
    so."""
    acl = world_module()
    session.wait_log(path + ': omacpd asks for the PIN')
    session.wait_notification(lambda n: sender in n['summary'], 'for the message')
    session.action('review', path)
    win = session.window(review_title)
    session.type(win, pin)
    session.key(win, 'Return')
    acl.wait_until(lambda: omacpd.props(path)['State'] == 'applied', 'the message applied')
    session.wait_log(path + ': shown: Installed')
