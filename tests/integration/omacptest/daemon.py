# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared pieces of the omacpd integration tests: a private dbus-daemon, an
omacpd on it (--session --state-dir --config in a temporary directory), the
omacpctl client, signed WAP pushes built here from the spec (not with the
code under test) and a TAP runner for meson."""

import atexit
import binascii
import hashlib
import hmac
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import dbus

from omacptest import bus as private_bus
from omacptest.client import (BUS_NAME, ERR, MANAGER, MESSAGE, PROFILE, ROOT,  # noqa: F401
                              Client, unwrap)
from omacptest.conf import omacpd_conf

OMACPD = os.environ.get('OMACPD', 'omacpd')
OMACPCTL = os.environ.get('OMACPCTL', 'omacpctl')
VECTORS = os.environ.get('OMACP_VECTORS', os.path.join(
    os.path.dirname(__file__), '..', '..', 'data', 'vectors'))
PUBLIC = os.path.join(VECTORS, 'public')

# omacpd.conf for tests: no backends, no modem stacks, generous limits.
BASE_CONFIG = omacpd_conf()

# ---- input files -------------------------------------------------------------

def hex_lines(path):
    """The non-comment lines of a .hex vector, as bytes."""
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                out.append(binascii.unhexlify(''.join(line.split())))
    return out


def vector(name):
    return os.path.join(PUBLIC, name)


# ---- signing (OMA ProvBoot, as in the spec digest) ---------------------------

SEC_CODES = {'netwpin': 0, 'userpin': 1, 'usernetwpin': 2, 'userpinmac': 3}


def netwpin_key(imsi):
    """IMSI → semi-octet key: type/parity nibble 9 (odd number of digits) or
    1 (even), then the digits, nibble-swapped per octet, padded with F."""
    digits = ('9' if len(imsi) % 2 == 1 else '1') + imsi
    if len(digits) % 2:
        digits += 'F'
    swapped = ''.join(digits[i + 1] + digits[i] for i in range(0, len(digits), 2))
    return binascii.unhexlify(swapped)


def shown_imsi(imsi):
    """What Message.Imsi/Profile.Imsi show: MCC+MNC and the last 2 digits."""
    return imsi[:5] + '*' * (len(imsi) - 7) + imsi[-2:]


def mac(sec, body, imsi=None, pin=None):
    if sec == 'netwpin':
        key = netwpin_key(imsi)
    elif sec == 'userpin':
        key = pin.encode()
    elif sec == 'usernetwpin':
        key = netwpin_key(imsi) + pin.encode()
    else:
        raise ValueError(sec)
    return hmac.new(key, body, hashlib.sha1).hexdigest().upper()


def uintvar(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.insert(0, 0x80 | (n & 0x7F))
        n >>= 7
    return bytes(out)


def push(body, sec=None, mac_hex=None, xml=False, tid=1):
    """A connectionless WSP push (WAP-230): TID, 0x06, HeadersLen, then a
    general-form Content-Type (well-known 0x36 connectivity-wbxml or 0x35
    connectivity-xml) with the SEC (0x11) and MAC (0x12) parameters."""
    ct = bytes([0xB5 if xml else 0xB6])
    if sec is not None:
        ct += bytes([0x91, 0x80 | SEC_CODES[sec]])
        if mac_hex is not None:
            ct += bytes([0x92]) + mac_hex.encode() + b'\x00'
        if len(ct) <= 30:
            headers = bytes([len(ct)]) + ct
        else:
            headers = b'\x1F' + uintvar(len(ct)) + ct
    else:
        headers = ct
    return bytes([tid, 0x06]) + uintvar(len(headers)) + headers + body


# ---- the daemon --------------------------------------------------------------

_live = []


@atexit.register
def _close_all():
    """No dbus-daemon or omacpd outlives the test, whatever happened."""
    for d in list(_live):
        d.close()


class Daemon(Client):
    """A private bus and an omacpd on it. Everything lives in one temporary
    directory that close() removes."""

    def __init__(self, config='', dropins=None, extra_args=(), system=False):
        self.tmp = tempfile.mkdtemp(prefix='omacpd-test-')
        self.state = os.path.join(self.tmp, 'state')
        self.config = os.path.join(self.tmp, 'omacpd.conf')
        self.log_path = os.path.join(self.tmp, 'omacpd.log')
        with open(self.config, 'w') as f:
            f.write(BASE_CONFIG + config)
        if dropins:
            os.mkdir(self.config + '.d')
            for name, text in dropins.items():
                with open(os.path.join(self.config + '.d', name), 'w') as f:
                    f.write(text)
        self.extra_args = list(extra_args)
        # system=True: omacpd as on the system bus (polkit asked), the private
        # bus standing in for the system bus
        self.system = system
        self.bus_proc = None
        self.proc = None
        self.log = None
        _live.append(self)
        try:
            self._start_bus()
            self.start()
        except BaseException:
            self.close()
            raise

    def _start_bus(self):
        conf = os.path.join(self.tmp, 'bus.conf')
        private_bus.write_config(conf, 'session', 'unix:dir=' + self.tmp,
                                 private_bus.OPEN_EAVESDROP)
        self.bus_proc, self.address = private_bus.start(conf)
        if not self.address:
            raise RuntimeError('dbus-daemon did not start')
        self.env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=self.address,
                        LC_ALL='C', LANGUAGE='')
        self.env.pop('DBUS_SYSTEM_BUS_ADDRESS', None)
        if self.system:
            self.env['DBUS_SYSTEM_BUS_ADDRESS'] = self.address
        self.bus = dbus.bus.BusConnection(self.address)

    def start(self):
        self.log = open(self.log_path, 'a')
        self.proc = subprocess.Popen(
            [OMACPD] + ([] if self.system else ['--session']) +
            ['--state-dir', self.state, '--config', self.config, '--verbose'] +
            self.extra_args,
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('omacpd exited with %d:\n%s' % (self.proc.returncode,
                                                                   self.read_log()))
            if self.bus.name_has_owner(BUS_NAME):
                return
            time.sleep(0.05)
        raise RuntimeError('omacpd did not take its name:\n' + self.read_log())

    def stop(self):
        """Stops omacpd with SIGTERM; raises when it did not exit cleanly
        (a crash, a sanitizer report, a hang)."""
        status = 0
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(20)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
                    status = 'hung'
            if status == 0:
                status = self.proc.returncode
        self.proc = None
        if getattr(self, 'log', None):
            self.log.close()
            self.log = None
        deadline = time.time() + 5
        while (getattr(self, 'bus', None) is not None and self.bus_proc.poll() is None and
               self.bus.name_has_owner(BUS_NAME) and time.time() < deadline):
            time.sleep(0.05)
        if status != 0:
            raise RuntimeError('omacpd exited with %s:\n%s' % (status, self.read_log()[-4000:]))

    def restart(self):
        self.stop()
        self.start()

    def close(self):
        if self in _live:
            _live.remove(self)
        try:
            self.stop()
        finally:
            self._close_bus()

    def _close_bus(self):
        try:
            if getattr(self, 'bus', None) is not None:
                self.bus.close()
        except Exception:
            pass
        if self.bus_proc is not None:
            self.bus_proc.terminate()
            self.bus_proc.wait()
            self.bus_proc.stdout.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def read_log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ''

    # -- D-Bus helpers (obj, deliver, props, call, managed: Client) --

    def messages(self):
        return sorted((p for p, i in self.managed().items() if MESSAGE in i), key=path_key)

    def profiles(self):
        return sorted((p for p, i in self.managed().items() if PROFILE in i), key=path_key)

    def call(self, path, method, *args):
        iface = PROFILE if '/profile/' in path else MESSAGE
        return getattr(self.obj(path), method)(*args, dbus_interface=iface)

    def state_of(self, path):
        return self.props(path)['State']

    def wait_state(self, path, states, timeout=10):
        if isinstance(states, str):
            states = (states,)
        deadline = time.time() + timeout
        state = None
        while time.time() < deadline:
            state = self.state_of(path)
            if state in states:
                return state
            time.sleep(0.05)
        raise AssertionError('%s stayed %s, wanted %s' % (path, state, states))

    def ctl(self, *args, timeout=30):
        """omacpctl VERB --session ARGS...: CompletedProcess with text output."""
        argv = [OMACPCTL, args[0], '--session'] + list(args[1:])
        return subprocess.run(argv, env=self.env, capture_output=True, text=True,
                              timeout=timeout)

    def ctl_popen(self, *args):
        argv = [OMACPCTL, args[0], '--session'] + list(args[1:])
        return subprocess.Popen(argv, env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)


def path_key(path):
    head, _, n = path.rpartition('/')
    return (head, int(n) if n.isdigit() else 0)


def dbus_error_name(exc):
    return exc.get_dbus_name() if isinstance(exc, dbus.exceptions.DBusException) else None


class Lines:
    """Reads lines of a child's stdout with a timeout."""

    def __init__(self, proc):
        self.proc = proc
        self.seen = []
        os.set_blocking(proc.stdout.fileno(), False)
        self.buf = ''

    def wait_for(self, needle, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for line in self.seen:
                if needle in line:
                    return line
            try:
                chunk = self.proc.stdout.read()
            except (TypeError, BlockingIOError):
                chunk = None
            if chunk:
                self.buf += chunk
                *lines, self.buf = self.buf.split('\n')
                self.seen.extend(lines)
                continue
            if self.proc.poll() is not None and not chunk:
                break
            time.sleep(0.05)
        for line in self.seen:
            if needle in line:
                return line
        raise AssertionError('no line with %r; got:\n%s' % (needle, '\n'.join(self.seen)))


def stop_child(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for f in (proc.stdout, proc.stderr):
        if f:
            f.close()


# ---- TAP ---------------------------------------------------------------------

class TapResult(unittest.TestResult):
    """One TAP line per test method; failures of subtests fail their test."""

    def __init__(self):
        super().__init__()
        self.n = 0
        self.failed = False
        self.skip = None

    def startTest(self, test):
        super().startTest(test)
        self.failed = False
        self.skip = None

    def _diag(self, test, err):
        self.failed = True
        print('# ' + self._exc_info_to_string(err, test).replace('\n', '\n# '), flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._diag(test, err)

    def addError(self, test, err):
        super().addError(test, err)
        self._diag(test, err)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            print('# in %s' % subtest.id(), flush=True)
            self._diag(test, err)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.skip = reason

    def stopTest(self, test):
        super().stopTest(test)
        self.n += 1
        note = ' # SKIP ' + self.skip if self.skip else ''
        print('%s %d - %s%s' % ('not ok' if self.failed else 'ok', self.n, test.id(), note),
              flush=True)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules['__main__'])
    print('1..%d' % suite.countTestCases(), flush=True)
    result = TapResult()
    suite.run(result)
    sys.exit(0 if result.wasSuccessful() else 1)
