#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Access control of omacpd as installed: a private system bus that enforces
the default-deny system policy plus our dbus/org.omacp.Provisioning1.conf and
polkit's own bus policy, the real polkitd (Debian package polkitd) with our
merged polkit actions, and omacpd in system-bus mode (no --session) as root.

Dedicated unprivileged users act on it:
  omacp-test-user   nothing special: may read, every mutating call is refused
                    by polkit (no session, so the actions' allow_any = no);
  omacp-test-admin  member of omacp-test-admins, which a polkit rule of this
                    test makes an administrator of the org.omacp.* actions;
  omacp-test-asker  whom the rule sends to authentication (AUTH_ADMIN): the
                    answer depends on whether the call allows interaction;
  omacp-test-active whom the rule gives what an active local session gets
                    by the actions' defaults (allow_active), nothing more.
root needs no rule: polkitd authorizes uid 0 for every action.

Nothing on the host changes: the test re-runs itself in a private mount
namespace (unshare --mount) where /etc/passwd and /etc/group gain the two
users and polkitd's action and rule directories are replaced by temporary
ones. It needs root, util-linux (unshare, setpriv, mount) and polkitd; without
them it is skipped (under CI=true a missing polkitd is a failure).
OMACP_ACL_KEEP=1 keeps the temporary directory (logs of the bus, polkitd and
each omacpd)."""

import json
import os
import pwd
import re
import shutil
import select
import signal
import stat
import subprocess
import sys
import tempfile
import time
import unittest
from xml.etree import ElementTree

NAMESPACE_MARK = 'OMACP_ACL_IN_NAMESPACE'
POLKITD = '/usr/lib/polkit-1/polkitd'
POLKIT_BUS_POLICY = '/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf'
HERE = os.path.dirname(os.path.abspath(__file__))


def tap_skip(reason):
    print('1..0 # SKIP ' + reason, flush=True)
    sys.exit(0)


def enter_namespace():
    """Re-runs this script in a private mount namespace (once)."""
    if os.environ.get(NAMESPACE_MARK) == '1':
        return
    missing = [t for t in ('unshare', 'setpriv', 'mount', 'dbus-daemon')
               if shutil.which(t) is None]
    if os.geteuid() != 0:
        tap_skip('needs root (a mount namespace, other users)')
    if missing:
        tap_skip('missing ' + ', '.join(missing))
    if not os.access(POLKITD, os.X_OK) or not os.path.exists(POLKIT_BUS_POLICY):
        if os.environ.get('CI') == 'true':
            print('1..1\nnot ok 1 - polkitd is not installed (Debian package polkitd)',
                  flush=True)
            sys.exit(1)
        tap_skip('polkitd is not installed (Debian package polkitd)')
    env = dict(os.environ, **{NAMESPACE_MARK: '1'})
    argv = ['unshare', '--mount', '--propagation', 'private', sys.executable,
            os.path.abspath(__file__)] + sys.argv[1:]
    os.execvpe('unshare', argv, env)


if __name__ == '__main__':
    enter_namespace()

import dbus  # noqa: E402

from omacptest import bus as private_bus  # noqa: E402
from omacptest.client import Client  # noqa: E402
from omacptest.conf import omacpd_conf  # noqa: E402
from omacptest.daemon import (BUS_NAME, ERR, MANAGER, MESSAGE, PROFILE, ROOT,  # noqa: E402
                              mac, main, push, unwrap)


def program(name):
    """$NAME or the program on $PATH, absolute (children run in /)."""
    found = shutil.which(os.environ.get(name.upper(), name))
    return os.path.abspath(found) if found else name


OMACPD = program('omacpd')
OMACPCTL = program('omacpctl')
SOURCE_ROOT = os.path.abspath(os.environ.get('OMACP_SOURCE_ROOT',
                                             os.path.join(HERE, '..', '..', '..')))
BUS_POLICY = os.path.join(SOURCE_ROOT, 'dbus', 'org.omacp.Provisioning1.conf')
POLKIT_POLICY_IN = os.path.join(SOURCE_ROOT, 'data', 'org.omacp.provisioning.policy.in')
# the file meson installs (translations merged), else the source
POLKIT_POLICY = os.path.abspath(os.environ.get('OMACP_POLKIT_POLICY') or POLKIT_POLICY_IN)

USER = 'omacp-test-user'
ADMIN = 'omacp-test-admin'
ADMINS = 'omacp-test-admins'
ASKER = 'omacp-test-asker'
ACTIVE = 'omacp-test-active'
INTERACTIVE = 'org.freedesktop.DBus.Error.InteractiveAuthorizationRequired'

AUTHORITY = 'org.freedesktop.PolicyKit1.Authority'
ACCESS_DENIED = 'org.freedesktop.DBus.Error.AccessDenied'
DENIED = ERR + 'PermissionDenied'
ACTIONS = ('org.omacp.provisioning.deliver', 'org.omacp.provisioning.accept',
           'org.omacp.provisioning.remove', 'org.omacp.provisioning.agent',
           'org.omacp.provisioning.accept-quarantined',
           'org.omacp.provisioning.system-connection')
# NetworkManager's action for connections of all users, which omacpd asks
# for the caller; its policy file is installed next to ours
# when the host has it, else omacpd's stand-in action is asked
NM_POLICY = '/usr/share/polkit-1/actions/org.freedesktop.NetworkManager.policy'
NM_MODIFY_SYSTEM = 'org.freedesktop.NetworkManager.settings.modify.system'
SYSTEM_ACTION = (NM_MODIFY_SYSTEM if os.path.exists(NM_POLICY)
                 else 'org.omacp.provisioning.system-connection')

IMSI = '001017770001234'  # test network: no operator APN risk
PIN = '86420975'
SECRET = 'Sup3rSecretPw'
DOC = """<?xml version="1.0"?>
<wap-provisioningdoc version="1.1">
  <characteristic type="NAPDEF">
    <parm name="NAME" value="ACL %(tag)s"/>
    <parm name="NAPID" value="NAP-%(tag)s"/>
    <parm name="BEARER" value="GSM-GPRS"/>
    <parm name="NAP-ADDRESS" value="acl-%(tag)s.example"/>
    <parm name="NAP-ADDRTYPE" value="APN"/>
    <parm name="INTERNET"/>
    <characteristic type="NAPAUTHINFO">
      <parm name="AUTHTYPE" value="PAP"/>
      <parm name="AUTHNAME" value="alice"/>
      <parm name="AUTHSECRET" value="%(secret)s"/>
    </characteristic>
  </characteristic>
</wap-provisioningdoc>
"""

# omacpd.conf: no backends, no modem stacks, no rate limits.
CONFIG = omacpd_conf(max_stored=None)

# Administrators of the omacp actions (and of NetworkManager's connections
# for all users): the group ADMINS (root is always authorized by polkitd
# itself). ACTIVE gets the actions whose allow_active is yes, as a user of
# an active local session would; and accept-quarantined for messages from
# +4930000 alone, which the details omacpd passes make possible. Everybody
# else gets what the actions' <defaults> say.
RULES = """// omacp access-control test
polkit.addRule(function(action, subject) {
    if (action.id == "%(nm)s" && subject.isInGroup("%(admins)s"))
        return polkit.Result.YES;
    if (action.id.indexOf("org.omacp.provisioning.") !== 0)
        return polkit.Result.NOT_HANDLED;
    if (subject.isInGroup("%(admins)s"))
        return polkit.Result.YES;
    if (subject.user == "%(asker)s")
        return polkit.Result.AUTH_ADMIN;
    if (subject.user == "%(active)s") {
        if (["org.omacp.provisioning.accept",
             "org.omacp.provisioning.agent"].indexOf(action.id) >= 0)
            return polkit.Result.YES;
        // a removal is granted on what it removes: a profile named with its
        // identity and maker, or the changes of a message
        if (action.id == "org.omacp.provisioning.remove" &&
            ((action.lookup("what") == "Remove" &&
              /^profile\/[0-9]+$/.test(action.lookup("profile")) &&
              action.lookup("identity") && action.lookup("kind") &&
              /^message\/[0-9]+$/.test(action.lookup("message")) &&
              action.lookup("sender") == "+4930000" && action.lookup("security") == "userpin") ||
             (action.lookup("what") == "Undo" &&
              /^message\/[0-9]+$/.test(action.lookup("message")))))
            return polkit.Result.YES;
        if (action.id == "org.omacp.provisioning.accept-quarantined" &&
            action.lookup("sender") == "+4930000" && action.lookup("what") == "Accept" &&
            action.lookup("authenticated") == "no" && action.lookup("security") == "none" &&
            /^message\/[0-9]+$/.test(action.lookup("message")))
            return polkit.Result.YES;
    }
    return polkit.Result.NOT_HANDLED;
});
""" % {'nm': NM_MODIFY_SYSTEM, 'admins': ADMINS, 'asker': ASKER, 'active': ACTIVE}


def doc(tag, secret=SECRET):
    return (DOC % {'tag': tag, 'secret': secret}).encode()


def userpin_push(tag):
    body = doc(tag)
    return push(body, 'userpin', mac('userpin', body, pin=PIN), xml=True)


def wait_until(pred, what, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.05)
    raise RuntimeError('timed out waiting for ' + what)


def stop_process(proc, timeout=10):
    """SIGTERM, then SIGKILL; the exit status."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return 'hung'
    return proc.returncode


class World:
    """Users, polkit files, the system bus and polkitd, in the namespace."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix='omacp-acl-')
        os.chmod(self.tmp, 0o755)  # the users reach the bus socket and bin/
        self.procs = []
        self.bus = None
        self.users = {}
        try:
            self._tools()
            self._users()
            self._polkit_files()
            self._start_bus()
            self._start_polkitd()
        except BaseException:
            self.close()
            raise

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def _tools(self):
        """omacpctl and the client, where the test users can run them (the
        build tree may be below a directory only root can enter)."""
        os.mkdir(self.path('bin'), 0o755)
        self.omacpctl = self.path('bin', 'omacpctl')
        shutil.copy(OMACPCTL, self.omacpctl)
        os.chmod(self.omacpctl, 0o755)
        self.client_py = self.path('bin', 'acl-client.py')
        shutil.copy(os.path.join(HERE, 'acl-client.py'), self.client_py)
        os.chmod(self.client_py, 0o644)

    def _users(self):
        """USER and ADMIN (in ADMINS) added to copies of /etc/passwd and
        /etc/group that are mounted over the originals."""
        with open('/etc/passwd') as f:
            passwd = [l for l in f.read().splitlines() if l.strip()]
        with open('/etc/group') as f:
            group = [l for l in f.read().splitlines() if l.strip()]
        ours = (USER, ADMIN, ADMINS, ASKER, ACTIVE)
        passwd = [l for l in passwd if l.split(':')[0] not in ours]
        group = [l for l in group if l.split(':')[0] not in ours]
        uids = {int(l.split(':')[2]) for l in passwd if l.count(':') >= 6}
        gids = {int(l.split(':')[2]) for l in group if l.count(':') >= 3}

        def free(used):
            n = 64000
            while n in used:
                n += 1
            used.add(n)
            return n

        admins_gid = free(gids)
        group.append('%s:x:%d:%s' % (ADMINS, admins_gid, ADMIN))
        for name in (USER, ADMIN, ASKER, ACTIVE):
            uid, gid = free(uids), free(gids)
            passwd.append('%s:x:%d:%d:omacp access-control test:/nonexistent:'
                          '/usr/sbin/nologin' % (name, uid, gid))
            group.append('%s:x:%d:' % (name, gid))
            self.users[name] = (uid, gid)
        os.mkdir(self.path('etc'), 0o755)
        for name, lines in (('passwd', passwd), ('group', group)):
            with open(self.path('etc', name), 'w') as f:
                f.write('\n'.join(lines) + '\n')
            os.chmod(self.path('etc', name), 0o644)
            mount_bind(self.path('etc', name), '/etc/' + name)
        self.users['root'] = (0, 0)
        self.admins_gid = admins_gid

    def _polkit_files(self):
        """polkitd sees our actions alone and our rule alone."""
        base = self.path('polkit')
        for d in ('actions', 'rules', 'no-rules'):
            os.makedirs(os.path.join(base, d), 0o755)
            os.chmod(os.path.join(base, d), 0o755)
        dest = os.path.join(base, 'actions', 'org.omacp.provisioning.policy')
        shutil.copy(POLKIT_POLICY, dest)
        os.chmod(dest, 0o644)
        if os.path.exists(NM_POLICY):
            shutil.copy(NM_POLICY, os.path.join(base, 'actions'))
        with open(os.path.join(base, 'rules', '60-omacp-acl-test.rules'), 'w') as f:
            f.write(RULES)
        os.chmod(os.path.join(base, 'rules', '60-omacp-acl-test.rules'), 0o644)
        mount_bind(os.path.join(base, 'actions'), '/usr/share/polkit-1/actions')
        mount_bind(os.path.join(base, 'no-rules'), '/usr/share/polkit-1/rules.d')
        mount_bind(os.path.join(base, 'rules'), '/etc/polkit-1/rules.d')

    def _start_bus(self):
        os.mkdir(self.path('bus'), 0o755)
        conf = self.path('bus', 'system.conf')
        # the default policy of a system bus, then the policy files of the
        # services on this bus
        private_bus.write_config(conf, 'system',
                                 'unix:path=' + self.path('bus', 'system_bus_socket'),
                                 private_bus.SYSTEM_DEFAULT,
                                 includes=(os.path.abspath(BUS_POLICY), POLKIT_BUS_POLICY))
        with open(self.path('bus.log'), 'w') as log:
            proc, self.address = private_bus.start(conf, stderr=log)
        self.procs.append(proc)
        if not self.address:
            raise RuntimeError('dbus-daemon did not start: ' + self.read('bus.log'))
        self.env = {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin', 'LC_ALL': 'C', 'LANGUAGE': '',
                    'HOME': '/nonexistent', 'DBUS_SYSTEM_BUS_ADDRESS': self.address}
        for k in ('ASAN_OPTIONS', 'UBSAN_OPTIONS', 'LSAN_OPTIONS', 'G_SLICE'):
            if k in os.environ:
                self.env[k] = os.environ[k]
        self.bus = dbus.bus.BusConnection(self.address)

    def _start_polkitd(self):
        log = open(self.path('polkitd.log'), 'w')
        self.polkitd = subprocess.Popen([POLKITD], env=self.env, stdout=log,
                                        stderr=subprocess.STDOUT, cwd='/')
        self.procs.append(self.polkitd)
        log.close()

        def up():
            if self.polkitd.poll() is not None:
                raise RuntimeError('polkitd exited with %d:\n%s' %
                                   (self.polkitd.returncode, self.read('polkitd.log')))
            return self.bus.name_has_owner('org.freedesktop.PolicyKit1')
        wait_until(up, 'polkitd on the bus')

    def read(self, name):
        try:
            with open(self.path(name)) as f:
                return f.read()
        except OSError:
            return ''

    def close(self):
        if self.bus is not None:
            self.bus.close()
        for proc in reversed(self.procs):
            stop_process(proc)
            if proc.stdout:
                proc.stdout.close()
        if os.environ.get('OMACP_ACL_KEEP') == '1':
            print('# kept ' + self.tmp, flush=True)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # -- acting as a user --

    def as_user(self, user, argv, **kw):
        uid, gid = self.users[user]
        prefix = [] if uid == 0 else ['setpriv', '--reuid=%d' % uid, '--regid=%d' % gid,
                                      '--init-groups', '--']
        return subprocess.run(prefix + argv, env=self.env, cwd='/', capture_output=True,
                              text=True, timeout=60, **kw)

    def popen_as(self, user, argv):
        uid, gid = self.users[user]
        return subprocess.Popen(['setpriv', '--reuid=%d' % uid, '--regid=%d' % gid,
                                 '--init-groups', '--'] + argv, env=self.env, cwd='/',
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def client(self, user, *ops):
        r = self.as_user(user, ['/usr/bin/python3', self.client_py, json.dumps(list(ops))])
        if r.returncode != 0:
            raise RuntimeError('acl-client.py as %s: %s' % (user, r.stderr))
        return json.loads(r.stdout)

    def ctl(self, user, *args):
        return self.as_user(user, [self.omacpctl] + list(args))


def mount_bind(source, target):
    subprocess.run(['mount', '--bind', source, target], check=True)


WORLD = None


def setUpModule():
    global WORLD
    WORLD = World()


def tearDownModule():
    if WORLD is not None:
        WORLD.close()


class Omacpd(Client):
    """omacpd as root on the system bus, with a state dir of its own."""

    counter = 0

    def __init__(self, precreate=None, config=CONFIG):
        Omacpd.counter += 1
        self.dir = WORLD.path('omacpd-%d' % Omacpd.counter)
        os.mkdir(self.dir, 0o755)
        self.state = os.path.join(self.dir, 'state')
        if precreate is not None:
            precreate(self.state)
        self.config = os.path.join(self.dir, 'omacpd.conf')
        with open(self.config, 'w') as f:
            f.write(config)
        self.log_path = os.path.join(self.dir, 'omacpd.log')
        log = open(self.log_path, 'w')
        self.proc = subprocess.Popen([OMACPD, '--state-dir', self.state, '--config',
                                      self.config, '--verbose'],
                                     env=dict(WORLD.env, G_DEBUG='fatal-criticals'),
                                     stdout=log, stderr=subprocess.STDOUT, cwd='/')
        log.close()
        WORLD.procs.append(self.proc)  # stopped with the world at the latest
        self.bus = WORLD.bus

        def up():
            if self.proc.poll() is not None:
                raise RuntimeError('omacpd exited with %d:\n%s' %
                                   (self.proc.returncode, self.log()))
            return self.bus.name_has_owner(BUS_NAME)
        try:
            wait_until(up, 'omacpd on the bus')
        except BaseException:
            stop_process(self.proc)
            raise

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def close(self):
        status = stop_process(self.proc, 20)
        wait_until(lambda: not self.bus.name_has_owner(BUS_NAME), 'omacpd leaving the bus')
        if status != 0:
            raise RuntimeError('omacpd exited with %s:\n%s' % (status, self.log()[-4000:]))

    # -- as root, over D-Bus (obj, deliver, props, call, managed: Client) --

    def paths(self, iface):
        return sorted(p for p, i in self.managed().items() if iface in i)

    def pending(self, tag):
        """A USERPIN message waiting for its PIN."""
        path = self.deliver(userpin_push(tag), imsi=IMSI, sender='+4930000')
        assert self.props(path)['State'] == 'pending-pin', self.props(path)
        return path

    def applied(self, tag):
        """An applied message and its profile."""
        path = self.pending(tag)
        self.call(path, 'Accept', PIN)
        p = self.props(path)
        assert p['State'] == 'applied' and p['Profiles'], p
        return path, p['Profiles'][0]


def number(path):
    return path.rsplit('/', 1)[1]


class Setup(unittest.TestCase):
    """What the other tests stand on is real."""

    def test_polkitd_is_the_real_daemon_as_its_own_user(self):
        bus = WORLD.bus
        pid = int(bus.call_blocking('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                    'org.freedesktop.DBus', 'GetConnectionUnixProcessID',
                                    's', ['org.freedesktop.PolicyKit1']))
        self.assertEqual(os.path.realpath('/proc/%d/exe' % pid), os.path.realpath(POLKITD))
        uid = int(bus.call_blocking('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                    'org.freedesktop.DBus', 'GetConnectionUnixUser',
                                    's', ['org.freedesktop.PolicyKit1']))
        self.assertEqual(uid, pwd.getpwnam('polkitd').pw_uid)

    def test_users(self):
        for user, groups in ((USER, []), (ADMIN, [WORLD.admins_gid])):
            [who] = WORLD.client(user, ['whoami'])
            uid, gid = WORLD.users[user]
            self.assertEqual(who['ok'], [uid, gid, sorted([gid] + groups)])

    def test_polkit_knows_our_actions_and_their_defaults(self):
        authority = WORLD.bus.get_object('org.freedesktop.PolicyKit1',
                                         '/org/freedesktop/PolicyKit1/Authority')
        actions = {str(a[0]): unwrap(a)
                   for a in authority.EnumerateActions('', dbus_interface=AUTHORITY)}
        ours = sorted(a for a in actions if a.startswith('org.omacp.'))
        self.assertEqual(ours, sorted(ACTIONS), 'our actions are installed')
        self.assertEqual(sorted(set(actions) - set(ours)),
                         [a for a in sorted(actions) if a.startswith('org.freedesktop.NetworkManager.')],
                         'and NetworkManager\'s at most')
        # polkit's ImplicitAuthorization values of the <defaults> words
        implicit = {'no': 0, 'auth_self': 1, 'auth_admin': 2, 'auth_self_keep': 3,
                    'auth_admin_keep': 4, 'yes': 5}
        source = ElementTree.parse(POLKIT_POLICY_IN).getroot()
        for action in source.iter('action'):
            name = action.get('id')
            # (id, description, message, vendor, url, icon, any, inactive, active, annotations)
            got = actions[name]
            with self.subTest(action=name):
                self.assertEqual(got[1], action.findtext('description'))
                self.assertEqual(got[3], 'omacp')
                self.assertEqual(list(got[6:9]), [implicit[action.findtext('defaults/' + k)]
                                            for k in ('allow_any', 'allow_inactive',
                                                      'allow_active')])
                # a caller outside a local session never gets an action
                # without an administrator's rule
                self.assertEqual(got[6], implicit['no'])


class Reading(unittest.TestCase):
    """Reading is open to everybody and shows no secret."""

    @classmethod
    def setUpClass(cls):
        cls.d = Omacpd()
        cls.addClassCleanup(cls.d.close)
        cls.applied, cls.profile = cls.d.applied('read-applied')
        cls.waiting = cls.d.pending('read-waiting')


    def assertNoSecret(self, text):
        self.assertNotIn(SECRET, text)
        self.assertNotIn(PIN, text)

    def test_omacpctl_list_and_show(self):
        r = WORLD.ctl(USER, 'list', '--json')
        self.assertEqual(r.returncode, 0, r.stderr)
        listing = json.loads(r.stdout)
        self.assertNoSecret(r.stdout)
        text = json.dumps(listing)
        for path in (self.applied, self.waiting, self.profile):
            self.assertIn(path, text)
        for arg, state in (('message/' + number(self.applied), 'applied'),
                           ('message/' + number(self.waiting), 'pending-pin')):
            r = WORLD.ctl(USER, 'show', arg)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(state, r.stdout)
            self.assertNoSecret(r.stdout)
        r = WORLD.ctl(USER, 'show', 'profile/' + number(self.profile))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('acl-read-applied.example', r.stdout)
        self.assertNoSecret(r.stdout)

    def test_properties_over_dbus(self):
        [managed, applied, profile, state, document, changes, waiting] = WORLD.client(
            USER,
            ['call', BUS_NAME, ROOT, 'org.freedesktop.DBus.ObjectManager',
             'GetManagedObjects', '', []],
            ['call', BUS_NAME, self.applied, 'org.freedesktop.DBus.Properties', 'GetAll',
             's', [MESSAGE]],
            ['call', BUS_NAME, self.profile, 'org.freedesktop.DBus.Properties', 'GetAll',
             's', [PROFILE]],
            ['call', BUS_NAME, self.waiting, 'org.freedesktop.DBus.Properties', 'Get',
             'ss', [MESSAGE, 'State']],
            # a message's document and changes: fetched, as open as properties
            ['call', BUS_NAME, self.applied, MESSAGE, 'GetDocument', '', []],
            ['call', BUS_NAME, self.applied, MESSAGE, 'GetChanges', '', []],
            ['call', BUS_NAME, self.waiting, MESSAGE, 'GetDocument', '', []])
        for reply in (managed, applied, profile, state, document, changes, waiting):
            self.assertIn('ok', reply)
            self.assertNoSecret(json.dumps(reply))
        self.assertEqual(state['ok'], 'pending-pin')
        self.assertEqual(applied['ok']['State'], 'applied')
        self.assertIn('AUTHSECRET', document['ok'])
        self.assertIn('********', document['ok'])
        self.assertTrue(changes['ok'])
        self.assertIs(profile['ok']['Settings']['password-set'], True)
        self.assertEqual(profile['ok']['Settings']['apn'], 'acl-read-applied.example')
        objects = managed['ok']
        self.assertIn(self.waiting, objects)
        self.assertIn('********', waiting['ok'])

    def test_gdbus(self):
        r = WORLD.as_user(USER, ['gdbus', 'introspect', '--system', '--dest', BUS_NAME,
                                 '--object-path', self.applied])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('Accept(', r.stdout)
        self.assertNoSecret(r.stdout)  # introspection lists the properties' values
        r = WORLD.as_user(USER, ['gdbus', 'call', '--system', '--dest', BUS_NAME,
                                 '--object-path', self.applied, '--method',
                                 'org.freedesktop.DBus.Properties.Get', MESSAGE, 'State'])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "(<'applied'>,)")


class Refusals(unittest.TestCase):
    """The unprivileged user: every mutating call is refused by polkit, with
    PermissionDenied from omacpd, and changes nothing."""

    @classmethod
    def setUpClass(cls):
        cls.d = Omacpd()
        cls.addClassCleanup(cls.d.close)
        cls.applied, cls.profile = cls.d.applied('refused-applied')
        cls.waiting = cls.d.pending('refused-waiting')


    def assertUnchanged(self):
        d = self.d
        w = d.props(self.waiting)
        self.assertEqual(w['State'], 'pending-pin')
        self.assertEqual(w['PinAttemptsLeft'], 3)
        self.assertEqual(d.props(self.applied)['State'], 'applied')
        self.assertEqual(d.paths(MESSAGE), sorted([self.applied, self.waiting]))
        self.assertEqual(d.paths(PROFILE), [self.profile])

    def test_dbus_calls_are_refused(self):
        data = userpin_push('refused-new').hex()
        calls = [
            ('deliver', ROOT, MANAGER, 'Deliver', 'aysa{sv}',
             [{'hex': data}, 'wsp', {'imsi': IMSI}]),
            ('accept', self.waiting, MESSAGE, 'Accept', 's', [PIN]),
            # a wrong PIN: refused before the PIN is looked at (no attempt used)
            ('accept', self.waiting, MESSAGE, 'Accept', 's', ['0000']),
            ('accept', self.waiting, MESSAGE, 'Reject', '', []),
            ('accept', self.waiting, MESSAGE, 'Delete', '', []),
            ('accept', self.applied, MESSAGE, 'Delete', '', []),
            ('remove', self.applied, MESSAGE, 'Undo', '', []),
            ('remove', self.profile, PROFILE, 'Remove', '', []),
            ('agent', ROOT, MANAGER, 'RegisterAgent', 'o', ['/test/agent']),
        ]
        replies = WORLD.client(USER, *[['call', BUS_NAME, path, iface, method, sig, args]
                                       for _, path, iface, method, sig, args in calls])
        for (action, path, _, method, _, _), reply in zip(calls, replies):
            with self.subTest(method=method, path=path):
                self.assertEqual(reply.get('error'), DENIED, reply)
                # a plain no (allow_any = no), not a failed question to polkit
                # and not a challenge that an agent could answer
                self.assertEqual(reply['message'],
                                 'polkit: not authorized for org.omacp.provisioning.' + action)
        self.assertUnchanged()

    def test_omacpctl_is_refused(self):
        push_file = WORLD.path('refused.wsp.hex')
        with open(push_file, 'w') as f:
            f.write(userpin_push('refused-ctl').hex() + '\n')
        os.chmod(push_file, 0o644)
        w, a, p = number(self.waiting), number(self.applied), number(self.profile)
        for args in (('deliver', '--format', 'wsp', '--imsi', IMSI, push_file),
                     ('accept', w, '--pin', PIN), ('reject', w), ('delete', w),
                     ('undo', a), ('remove', p), ('agent', '--pin', PIN, '--once')):
            with self.subTest(args=args):
                r = WORLD.ctl(USER, *args)
                self.assertEqual(r.returncode, 5, r.stdout + r.stderr)  # permission denied
                self.assertIn('(%s)' % DENIED, r.stderr)
                self.assertIn('omacpctl: permission denied: ', r.stderr)
                self.assertIn('polkit allows this to administrators only', r.stderr)
        self.assertUnchanged()

    def test_properties_cannot_be_set(self):
        [reply] = WORLD.client(USER, ['call', BUS_NAME, self.waiting,
                                      'org.freedesktop.DBus.Properties', 'Set', 'ssv',
                                      [MESSAGE, 'State', 'applied']])
        self.assertEqual(reply.get('error'), 'org.freedesktop.DBus.Error.InvalidArgs', reply)
        self.assertIn('not writable', reply['message'])
        self.assertUnchanged()

    def test_authentication_needs_the_interactive_flag(self):
        # polkit would ask ASKER for an administrator's password. A call
        # without ALLOW_INTERACTIVE_AUTHORIZATION (dbus-python never sets it)
        # gets the standard InteractiveAuthorizationRequired at once.
        w = number(self.waiting)
        [reply] = WORLD.client(ASKER, ['call', BUS_NAME, self.waiting, MESSAGE, 'Accept', 's',
                                       [PIN]])
        self.assertEqual(reply.get('error'), INTERACTIVE, reply)
        self.assertIn('org.omacp.provisioning.accept needs authentication', reply['message'])
        r = WORLD.ctl(ASKER, 'accept', w, '--pin', PIN, '--no-ask-password')
        self.assertEqual(r.returncode, 5, r.stdout + r.stderr)
        self.assertIn('(%s)' % INTERACTIVE, r.stderr)
        self.assertIn('run it on a terminal or with --ask-password', r.stderr)
        # with the flag polkit may ask, finds no authentication agent for
        # ASKER, and says no
        r = WORLD.ctl(ASKER, 'accept', w, '--pin', PIN, '--ask-password')
        self.assertEqual(r.returncode, 5, r.stdout + r.stderr)
        self.assertIn('(%s)' % DENIED, r.stderr)
        self.assertIn('polkit: not authorized for org.omacp.provisioning.accept', r.stderr)
        self.assertUnchanged()

    def test_bus_policy(self):
        # only root may own omacpd's name; the test users may not call omacpd
        # on an interface the policy does not open
        for user in (USER, ADMIN):
            with self.subTest(user=user):
                [own, agent_iface] = WORLD.client(
                    user, ['own', BUS_NAME],
                    ['call', BUS_NAME, ROOT, 'org.omacp.Provisioning1.Agent', 'Release', '',
                     []])
                self.assertEqual(own.get('error'), ACCESS_DENIED, own)
                self.assertEqual(agent_iface.get('error'), ACCESS_DENIED, agent_iface)
        self.assertUnchanged()


class Administrators(unittest.TestCase):
    """The administrator (a non-root member of ADMINS) and root may do it all."""

    def setUp(self):
        self.d = Omacpd()
        self.addCleanup(self.d.close)

    def ctl_ok(self, *args):
        r = WORLD.ctl(ADMIN, *args)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return r.stdout

    def test_admin_with_omacpctl(self):
        d = self.d
        files = []
        for tag in ('admin-1', 'admin-2', 'admin-3'):
            files.append(WORLD.path(tag + '.wsp.hex'))
            with open(files[-1], 'w') as f:
                f.write(userpin_push(tag).hex() + '\n')
            os.chmod(files[-1], 0o644)
        out = self.ctl_ok('deliver', '--format', 'wsp', '--imsi', IMSI, *files)
        first, second, third = out.split()
        for path in (first, second, third):
            self.assertEqual(d.props(path)['State'], 'pending-pin')
        self.ctl_ok('accept', number(first), '--pin', PIN)
        p = d.props(first)
        self.assertEqual(p['State'], 'applied')
        [profile] = p['Profiles']
        self.assertEqual(d.props(profile)['Settings']['apn'], 'acl-admin-1.example')
        self.ctl_ok('undo', number(first))
        self.assertEqual(d.props(first)['State'], 'undone')
        self.assertEqual(d.paths(PROFILE), [])
        self.ctl_ok('reject', number(second))
        self.assertEqual(d.props(second)['State'], 'rejected')
        self.ctl_ok('delete', number(second))
        self.assertNotIn(second, d.paths(MESSAGE))
        self.ctl_ok('accept', number(third), '--pin', PIN)
        [profile] = d.props(third)['Profiles']
        self.ctl_ok('remove', number(profile))
        self.assertEqual(d.paths(PROFILE), [])

    def test_admin_over_dbus(self):
        d = self.d
        [delivered] = WORLD.client(ADMIN, ['call', BUS_NAME, ROOT, MANAGER, 'Deliver',
                                           'aysa{sv}', [{'hex': userpin_push('admin-bus').hex()},
                                                        'wsp', {'imsi': IMSI}]])
        path = delivered['ok']
        self.assertEqual(d.props(path)['State'], 'pending-pin')
        [accepted] = WORLD.client(ADMIN, ['call', BUS_NAME, path, MESSAGE, 'Accept', 's', [PIN]])
        self.assertIn('ok', accepted)
        self.assertEqual(d.props(path)['State'], 'applied')
        [profile] = d.props(path)['Profiles']
        [removed, deleted] = WORLD.client(
            ADMIN, ['call', BUS_NAME, profile, PROFILE, 'Remove', '', []],
            ['call', BUS_NAME, path, MESSAGE, 'Delete', '', []])
        self.assertIn('ok', removed)
        self.assertIn('ok', deleted)
        self.assertEqual(d.managed().keys() - {ROOT}, set())

    def test_root(self):
        # polkitd's own rule (no rule of ours names root), as for sudo omacpctl
        d = self.d
        path, profile = d.applied('root')
        d.call(profile, 'Remove')
        d.call(path, 'Delete')
        self.assertEqual(d.paths(MESSAGE), [])

    def test_admin_agent(self):
        d = self.d
        agent = WORLD.popen_as(ADMIN, [WORLD.omacpctl, 'agent', '--pin', PIN, '--once'])
        try:
            out = read_until(agent, 'Agent registered')
            # the agent's connection, as the bus knows it
            names = [n for n in WORLD.bus.list_names() if n.startswith(':') and int(
                WORLD.bus.call_blocking('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                        'org.freedesktop.DBus', 'GetConnectionUnixUser', 's',
                                        [n])) == WORLD.users[ADMIN][0]]
            self.assertEqual(len(names), 1, names)
            # nobody but root (omacpd) may ask the agent for a PIN
            [spoof] = WORLD.client(USER, ['call', names[0], '/', 'org.omacp.Provisioning1.Agent',
                                          'RequestPin', 'o', [ROOT + '/message/1']])
            self.assertEqual(spoof.get('error'), ACCESS_DENIED, spoof)
            # nor unregister it: agents are known by their connection
            agent_path = re.search(r'agent (:[0-9.]+)(/\S*) registered', d.log())
            self.assertEqual(agent_path.group(1), names[0])
            [unregister] = WORLD.client(USER, ['call', BUS_NAME, ROOT, MANAGER,
                                               'UnregisterAgent', 'o', [agent_path.group(2)]])
            self.assertEqual(unregister.get('error'), ERR + 'NotFound', unregister)
            # The agent is up: it may answer before the state can be read as
            # pending-pin, so only the outcome is checked.
            path = d.deliver(userpin_push('agent'), imsi=IMSI, sender='+4930000')
            wait_until(lambda: d.props(path)['State'] == 'applied', 'the agent answering')
            self.assertEqual(agent.wait(20), 0)
            out += agent.stdout.read()
            self.assertIn('asks for the PIN of message/' + number(path), out)
        finally:
            stop_process(agent)
            agent.stdout.close()
            agent.stderr.close()


def read_until(proc, needle, timeout=10):
    """stdout of @proc up to the line with @needle."""
    seen = ''
    deadline = time.time() + timeout
    fd = proc.stdout.fileno()
    while needle not in seen and time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if not ready:
            continue
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        seen += chunk.decode()
    if needle not in seen:
        stop_process(proc)
        raise AssertionError('no %r from the agent; stdout:\n%s\nstderr:\n%s' %
                             (needle, seen, proc.stderr.read()))
    return seen


def unsigned_push(tag):
    return push(doc(tag), xml=True)


class ConfusedDeputy(unittest.TestCase):
    """omacpd is root, so NetworkManager never asks polkit
    about what omacpd makes of a message. Accepting a quarantined message,
    and settings that become system-wide connections, need what
    NetworkManager itself would ask of the caller; the checks carry the
    message's details (what, message, sender, security, authenticated)."""

    def accept(self, user, path, pin=''):
        [reply] = WORLD.client(user, ['call', BUS_NAME, path, MESSAGE, 'Accept', 's', [pin]])
        return reply

    def test_quarantined_needs_more_than_a_session(self):
        d = Omacpd()
        self.addCleanup(d.close)
        path = d.deliver(unsigned_push('quarantined'), imsi=IMSI, sender='+4931111')
        self.assertEqual(d.props(path)['State'], 'quarantined')
        reply = self.accept(ACTIVE, path)
        self.assertEqual(reply.get('error'), DENIED, reply)
        self.assertEqual(reply['message'],
                         'polkit: not authorized for org.omacp.provisioning.accept-quarantined')
        self.assertEqual(d.props(path)['State'], 'quarantined')
        self.assertEqual(d.paths(PROFILE), [])
        # what a session may do it still does: a PIN message it accepts
        waiting = d.pending('active-pin')
        self.assertIn('ok', self.accept(ACTIVE, waiting, PIN))
        self.assertEqual(d.props(waiting)['State'], 'applied')
        # an administrator accepts the quarantined one
        self.assertIn('ok', self.accept(ADMIN, path))
        self.assertEqual(d.props(path)['State'], 'applied')

    def test_details_reach_polkit(self):
        d = Omacpd()
        self.addCleanup(d.close)
        known = d.deliver(unsigned_push('from-known'), imsi=IMSI, sender='+4930000')
        other = d.deliver(unsigned_push('from-other'), imsi=IMSI, sender='+4931111')
        self.assertIn('ok', self.accept(ACTIVE, known))
        self.assertEqual(d.props(known)['State'], 'applied')
        reply = self.accept(ACTIVE, other)
        self.assertEqual(reply.get('error'), DENIED, reply)
        self.assertEqual(d.props(other)['State'], 'quarantined')

    def test_system_wide_connection_needs_what_networkmanager_asks(self):
        # the NetworkManager backend on (NetworkManager is not running: an
        # accepted message waits for it)
        config = CONFIG.replace('NetworkManager=false', 'NetworkManager=true')
        self.assertNotEqual(config, CONFIG)
        d = Omacpd(config=config)
        self.addCleanup(d.close)
        path = d.pending('system-wide')
        reply = self.accept(ACTIVE, path, PIN)
        if SYSTEM_ACTION == NM_MODIFY_SYSTEM:
            # NetworkManager's defaults: auth_admin_keep, a challenge
            self.assertEqual(reply.get('error'), INTERACTIVE, reply)
            self.assertIn(NM_MODIFY_SYSTEM + ' needs authentication', reply['message'])
        else:
            self.assertEqual(reply.get('error'), DENIED, reply)
            self.assertIn(SYSTEM_ACTION, reply['message'])
        p = d.props(path)
        self.assertEqual(p['State'], 'pending-pin')
        self.assertEqual(p['PinAttemptsLeft'], 3)
        # an administrator of NetworkManager's connections may
        self.assertIn('ok', self.accept(ADMIN, path, PIN))
        self.assertIn(d.props(path)['State'], ('accepted', 'failed'))


    def test_remove_details_reach_polkit(self):
        # the rules grant a removal on the profile's details alone
        d = Omacpd()
        self.addCleanup(d.close)
        _, profile = d.applied('remove-details')
        [reply] = WORLD.client(ACTIVE, ['call', BUS_NAME, profile, PROFILE, 'Remove', '', []])
        self.assertIn('ok', reply)
        self.assertNotIn(profile, d.paths(PROFILE))

    def test_removing_a_system_wide_connection_needs_what_networkmanager_asks(self):
        # a profile made while NetworkManager's backend was off, which is
        # on now (NetworkManager is not running)
        made = Omacpd()
        _, profile = made.applied('remove-system-wide')
        made.close()
        config = CONFIG.replace('NetworkManager=false', 'NetworkManager=true')
        self.assertNotEqual(config, CONFIG)
        d = Omacpd(precreate=lambda state: shutil.copytree(made.state, state), config=config)
        self.addCleanup(d.close)
        self.assertIn(profile, d.paths(PROFILE))
        [reply] = WORLD.client(ACTIVE, ['call', BUS_NAME, profile, PROFILE, 'Remove', '', []])
        if SYSTEM_ACTION == NM_MODIFY_SYSTEM:
            self.assertEqual(reply.get('error'), INTERACTIVE, reply)
            self.assertIn(NM_MODIFY_SYSTEM + ' needs authentication', reply['message'])
        else:
            self.assertEqual(reply.get('error'), DENIED, reply)
            self.assertIn(SYSTEM_ACTION, reply['message'])
        self.assertIn(profile, d.paths(PROFILE))
        # so does undoing the message that made it
        [message] = [p for p in d.paths(MESSAGE) if d.props(p)['Profiles'] == [profile]]
        [reply] = WORLD.client(ACTIVE, ['call', BUS_NAME, message, MESSAGE, 'Undo', '', []])
        self.assertIn(reply.get('error'), (INTERACTIVE, DENIED), reply)
        self.assertEqual(d.props(message)['State'], 'applied')
        self.assertIn(profile, d.paths(PROFILE))


class StateDir(unittest.TestCase):
    """What omacpd stores is for its own user alone."""

    def check_private(self, d):
        path, _ = d.applied('state-%d' % Omacpd.counter)
        d.pending('state-waiting-%d' % Omacpd.counter)
        owner = os.stat('/proc/%d' % d.proc.pid).st_uid
        dirs, files = [], []
        for root, _, names in os.walk(d.state):
            dirs.append(root)
            files.extend(os.path.join(root, n) for n in names)
        self.assertGreaterEqual(len(files), 4, files)  # messages, profiles, counters
        for p in dirs + files:
            st = os.lstat(p)
            with self.subTest(path=p):
                self.assertEqual(st.st_uid, owner)
                self.assertEqual(stat.S_IMODE(st.st_mode),
                                 0o700 if stat.S_ISDIR(st.st_mode) else 0o600)
        for user in (USER, ADMIN):
            replies = WORLD.client(user, *([['list', p] for p in dirs] +
                                           [['read', p] for p in files]))
            for p, reply in zip(dirs + files, replies):
                with self.subTest(user=user, path=p):
                    self.assertEqual(reply, {'errno': 'EACCES'})

    def test_files_are_private(self):
        d = Omacpd()
        self.addCleanup(d.close)
        self.check_private(d)

    def test_loose_modes_are_tightened(self):
        # a state dir left world-readable (by hand, a package, a restore)
        def loose(state):
            old = os.umask(0)
            try:
                os.makedirs(os.path.join(state, 'messages'), 0o777)
                os.makedirs(os.path.join(state, 'profiles'), 0o755)
            finally:
                os.umask(old)
        d = Omacpd(precreate=loose)
        self.addCleanup(d.close)
        self.check_private(d)


if __name__ == '__main__':
    main()
