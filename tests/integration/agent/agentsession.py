# SPDX-License-Identifier: GPL-2.0-or-later
"""A user's graphical session for omacp-agent tests: an X server (Xvfb), a
private session bus with a real notification server (dunst) on it and a
recorder of every Notify call (dbus-monitor), and the real omacp-agent with
GTK's X11 backend, talking to an omacpd whose bus stands in for the system
bus. Input is typed with xdotool; screenshots are taken with xwd."""

import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import time
import zlib

from omacptest import bus as private_bus

AGENT = os.environ.get('OMACP_AGENT', 'omacp-agent')
APP_ID = 'org.omacp.Agent'
REVIEW_TITLE = 'Review configuration message'
LIST_TITLE = 'Configuration messages'
SCREENSHOT_DIR = os.environ.get('OMACP_SCREENSHOT_DIR', '')

DUNSTRC = """[global]
    font = Sans 10
    width = 360
    origin = top-right
    offset = 10x10
    idle_threshold = 0
    show_indicators = no
[urgency_low]
    timeout = 0
[urgency_normal]
    timeout = 0
[urgency_critical]
    timeout = 0
"""


def missing_tools():
    return [t for t in ('Xvfb', 'xdotool', 'dunst', 'dunstctl', 'dbus-monitor', 'xwd',
                        'gapplication') if shutil.which(t) is None]


def wait_until(pred, what, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError('timed out waiting for ' + what)


def stop(proc, timeout=10):
    if proc is None or proc.poll() is not None:
        return proc.returncode if proc else 0
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return 'hung'


class Session:
    """Xvfb, the session bus, dunst, the Notify recorder and the agent. The
    omacpd of @daemon (an omacptest.daemon.Daemon) plays the system service."""

    def __init__(self, daemon, width=1280, height=800, lang=None, user=None):
        """@user: (uid, gid) to run the agent as, in a session of that user
        (its runtime and home directories); the rest runs as the caller."""
        self.daemon = daemon
        self.user = user
        self.tmp = tempfile.mkdtemp(prefix='omacp-agent-test-')
        self.procs = []
        self.agent = None
        self.agent_log_path = os.path.join(self.tmp, 'agent.log')
        try:
            self._start_x(width, height)
            self._start_bus()
            self._start_notifications()
            self.start_agent(lang)
        except BaseException:
            self.close()
            raise

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def _spawn(self, argv, log, env=None):
        f = open(self.path(log), 'a')
        proc = subprocess.Popen(argv, env=env or self.env, stdout=f, stderr=subprocess.STDOUT)
        f.close()
        self.procs.append(proc)
        return proc

    def _start_x(self, width, height):
        r, w = os.pipe()
        self.xvfb = subprocess.Popen(
            ['Xvfb', '-displayfd', str(w), '-screen', '0', '%dx%dx24' % (width, height),
             '-nolisten', 'tcp'], pass_fds=(w,), stdout=subprocess.DEVNULL,
            stderr=open(self.path('xvfb.log'), 'w'))
        os.close(w)
        self.procs.append(self.xvfb)
        with os.fdopen(r) as f:
            number = f.readline().strip()
        if not number:
            raise RuntimeError('Xvfb did not start')
        self.display = ':' + number

    def _start_bus(self):
        os.makedirs(self.path('run'), 0o700)
        os.makedirs(self.path('home'), 0o700)
        policy = private_bus.OPEN_EAVESDROP
        if self.user is not None:
            # the agent's user reaches the bus; the directories are its own
            os.chmod(self.tmp, 0o755)
            for d in ('run', 'home'):
                os.chown(self.path(d), *self.user)
            policy = '    <allow user="*"/>\n' + policy
        conf = self.path('session.conf')
        private_bus.write_config(conf, 'session', 'unix:dir=' + self.tmp, policy)
        bus, self.address = private_bus.start(conf)
        self.procs.append(bus)
        if not self.address:
            raise RuntimeError('the session bus did not start')
        self.env = dict(os.environ,
                        DISPLAY=self.display,
                        DBUS_SESSION_BUS_ADDRESS=self.address,
                        DBUS_SYSTEM_BUS_ADDRESS=self.daemon.address,
                        XDG_RUNTIME_DIR=self.path('run'),
                        HOME=self.path('home'),
                        XDG_CONFIG_HOME=self.path('home', '.config'),
                        XDG_DATA_HOME=self.path('home', '.local', 'share'),
                        XDG_CACHE_HOME=self.path('home', '.cache'),
                        GDK_BACKEND='x11', GSK_RENDERER='cairo',
                        GSETTINGS_BACKEND='memory', NO_AT_BRIDGE='1', GTK_A11Y='none',
                        LC_ALL='C.UTF-8', LANGUAGE='')
        for k in ('WAYLAND_DISPLAY', 'DBUS_STARTER_ADDRESS', 'DBUS_STARTER_BUS_TYPE'):
            self.env.pop(k, None)

    def _start_notifications(self):
        # every Notify call, as the notification server received it
        self.monitor = self._spawn(
            ['dbus-monitor', '--address', self.address,
             "type='method_call',interface='org.freedesktop.Notifications',member='Notify'"],
            'notify.log')
        with open(self.path('dunstrc'), 'w') as f:
            f.write(DUNSTRC)
        self.dunst = self._spawn(['dunst', '-config', self.path('dunstrc')], 'dunst.log')
        wait_until(lambda: self.session_has('org.freedesktop.Notifications'),
                   'dunst on the session bus')
        # the monitor is connected once it got its own name's reply
        time.sleep(0.3)

    def session_has(self, name):
        r = subprocess.run(['dbus-send', '--bus=' + self.address, '--print-reply',
                            '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus',
                            'org.freedesktop.DBus.NameHasOwner', 'string:' + name],
                           capture_output=True, text=True, env=self.env)
        return 'boolean true' in r.stdout

    def start_agent(self, lang=None):
        env = dict(self.env)
        if lang:
            env['LANGUAGE'] = lang
            env['OMACP_LOCALEDIR'] = os.environ.get('OMACP_AGENT_LOCALEDIR', '')
        argv = [AGENT, '--gapplication-service']
        if self.user is not None:
            argv = ['setpriv', '--reuid=%d' % self.user[0], '--regid=%d' % self.user[1],
                    '--init-groups', '--'] + argv
        self.agent = self._spawn(argv, 'agent.log', env=env)
        wait_until(lambda: 'registered as agent' in self.agent_log(), 'the agent registering')

    def stop_agent(self):
        status = stop(self.agent)
        self.agent = None
        return status

    def close(self):
        for proc in reversed(self.procs):
            stop(proc, 5)
        if os.environ.get('OMACP_AGENT_KEEP') == '1':
            print('# kept ' + self.tmp, flush=True)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # -- what the agent did --

    def agent_log(self):
        try:
            with open(self.agent_log_path, errors='replace') as f:
                return f.read()
        except OSError:
            return ''

    def wait_log(self, needle, timeout=15, after=0):
        return wait_until(lambda: needle in self.agent_log()[after:],
                          '%r in the agent log; it has:\n%s' % (needle, self.agent_log()[-3000:]),
                          timeout)

    def log_mark(self):
        return len(self.agent_log())

    def notifications(self):
        """The Notify calls seen on the bus: dicts with summary, body, actions."""
        try:
            with open(self.path('notify.log'), errors='replace') as f:
                text = f.read()
        except OSError:
            return []
        out = []
        for call in text.split('method call')[1:]:
            strings = re.findall(r'^\s*string "(.*?)"$', call, re.M | re.S)
            # app_name, icon, summary, body, then the actions (key, label, ...)
            if len(strings) < 4:
                continue
            out.append({'summary': strings[2], 'body': strings[3], 'actions': strings[4:]})
        return out

    def wait_notification(self, pred, what, timeout=15):
        return wait_until(lambda: next((n for n in self.notifications() if pred(n)), None),
                          'a notification %s; seen: %r' % (what, self.notifications()), timeout)

    def dunst_displayed(self):
        r = subprocess.run(['dunstctl', 'count', 'displayed'], capture_output=True, text=True,
                           env=self.env)
        return int(r.stdout.strip() or 0)

    # -- acting as the user --

    def action(self, name, target=None):
        """An application action over D-Bus, as a notification click sends it."""
        argv = ['gapplication', 'action', APP_ID, name]
        if target is not None:
            argv.append("'%s'" % target)
        subprocess.run(argv, env=self.env, check=True, timeout=20)

    def xdotool(self, *args):
        return subprocess.run(['xdotool'] + list(args), env=self.env, capture_output=True,
                              text=True, timeout=30)

    def window(self, title, timeout=15):
        def find():
            r = self.xdotool('search', '--onlyvisible', '--name', '^%s$' % re.escape(title))
            ids = r.stdout.split()
            return ids[-1] if ids else None
        return wait_until(find, 'a window %r' % title, timeout)

    def no_window(self, title, timeout=15):
        def gone():
            r = self.xdotool('search', '--onlyvisible', '--name', '^%s$' % re.escape(title))
            return not r.stdout.split()
        return wait_until(gone, 'no window %r' % title, timeout)

    def focus(self, win):
        self.xdotool('windowfocus', '--sync', win)
        time.sleep(0.3)

    def type(self, win, text):
        self.focus(win)
        self.xdotool('type', '--delay', '60', text)

    def key(self, win, *keys):
        self.focus(win)
        self.xdotool('key', '--delay', '80', *keys)

    def resize(self, win, width, height):
        self.xdotool('windowsize', '--sync', win, str(width), str(height))
        self.xdotool('windowmove', '--sync', win, '0', '0')
        time.sleep(1.0)

    def screenshot(self, win, name):
        """The window (or 'root') as SCREENSHOT_DIR/NAME.png, via xwd."""
        if not SCREENSHOT_DIR:
            return None
        os.makedirs(SCREENSHOT_DIR, exist_ok=True)
        argv = ['xwd', '-silent'] + (['-root'] if win == 'root' else ['-id', win])
        dump = subprocess.run(argv, env=self.env, check=True, timeout=30,
                              capture_output=True).stdout
        png = os.path.join(SCREENSHOT_DIR, name + '.png')
        with open(png, 'wb') as f:
            f.write(xwd_to_png(dump))
        return png


def xwd_to_png(dump):
    """A 24/32-bit TrueColor ZPixmap xwd dump (what Xvfb's default visual
    gives) as PNG octets."""
    fields = struct.unpack('>25I', dump[:100])
    header_size, version, fmt = fields[0], fields[1], fields[2]
    width, height, byte_order = fields[4], fields[5], fields[7]
    bpp, bytes_per_line = fields[11], fields[12]
    masks = fields[14:17]
    ncolors = fields[19]
    if version != 7 or fmt != 2 or bpp != 32:
        raise ValueError('xwd: only 32-bit ZPixmap dumps are handled (%d/%d/%d)' %
                         (version, fmt, bpp))
    data = dump[header_size + 12 * ncolors:]
    order = '<' if byte_order == 0 else '>'
    shifts = [(m & -m).bit_length() - 1 for m in masks]
    rows = bytearray()
    for y in range(height):
        line = data[y * bytes_per_line:y * bytes_per_line + 4 * width]
        pixels = struct.unpack(order + '%dI' % width, line)
        rows.append(0)
        for px in pixels:
            rows.extend(((px & masks[0]) >> shifts[0], (px & masks[1]) >> shifts[1],
                         (px & masks[2]) >> shifts[2]))

    def chunk(kind, body):
        return (struct.pack('>I', len(body)) + kind + body +
                struct.pack('>I', zlib.crc32(kind + body) & 0xFFFFFFFF))
    return (b'\x89PNG\r\n\x1a\n' +
            chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(bytes(rows), 6)) + chunk(b'IEND', b''))
