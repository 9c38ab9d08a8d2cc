# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared plumbing of the modem-stack integration tests: a private system-type bus,
processes started in their own session and killed by pid on exit, a JSON-lines
reader for the watcher program, polling helpers and TAP output."""

import atexit
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from omacptest import bus as private_bus

PYTHON = "/usr/bin/python3"  # python3-dbus / python3-gi live there, not in venvs


def skip_all(reason):
    print("1..0 # SKIP %s" % reason)
    sys.stdout.flush()
    sys.exit(0)


def poll(fn, timeout, what, interval=0.005):
    """Calls fn() until it returns something true; returns that or raises TimeoutError."""
    deadline = time.monotonic() + timeout
    last_exc = None
    while True:
        try:
            value = fn()
            if value:
                return value
        except Exception as e:  # the daemon may not be there yet
            last_exc = e
        if time.monotonic() >= deadline:
            raise TimeoutError("timed out after %.1f s waiting for %s%s" %
                               (timeout, what, " (last error: %s)" % last_exc if last_exc else ""))
        time.sleep(interval)


class JsonReader:
    """Reads JSON lines of a child's stdout in a thread; tests wait for matching events."""

    def __init__(self, stream, log_path):
        self.events = []
        self.cond = threading.Condition()
        self.log = open(log_path, "a", buffering=1)
        self.thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self.thread.start()

    def _run(self, stream):
        for raw in iter(stream.readline, b""):
            line = raw.decode(errors="replace").strip()
            self.log.write(line + "\n")
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            ev["_t"] = time.time()
            with self.cond:
                self.events.append(ev)
                self.cond.notify_all()

    def wait(self, pred, timeout, what, consume=True):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for ev in self.events:
                    if not ev.get("_used") and pred(ev):
                        if consume:
                            ev["_used"] = True
                        return ev
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("timed out after %.1f s waiting for %s" % (timeout, what))
                self.cond.wait(left)

    def find(self, pred):
        with self.cond:
            return [ev for ev in self.events if pred(ev)]


class Harness:
    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix="omacp-%s-" % name, dir="/tmp")
        self.keep = os.environ.get("OMACP_TEST_KEEP") == "1"
        self.procs = []
        self.n = 0
        self.failed = 0
        self.cleanups = []
        atexit.register(self.cleanup)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        self.bus_address = None

    def _on_signal(self, signum, frame):
        self.cleanup()
        os._exit(128 + signum)

    def path(self, name):
        return os.path.join(self.dir, name)

    # ---- TAP ----

    def ok(self, cond, desc, detail=None):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, desc))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, desc))
            if detail:
                for line in str(detail).splitlines():
                    print("# " + line)
        sys.stdout.flush()
        return cond

    def check(self, desc, fn):
        """Runs fn(); an exception is a failed check with its message."""
        try:
            result = fn()
        except Exception as e:
            import traceback
            self.ok(False, desc, "%s: %s\n%s" % (type(e).__name__, e, traceback.format_exc()))
            return None
        self.ok(True, desc)
        return result

    def diag(self, text):
        for line in str(text).splitlines():
            print("# " + line)
        sys.stdout.flush()

    def finish(self):
        print("1..%d" % self.n)
        sys.stdout.flush()
        if self.failed:
            self.diag("logs kept in %s" % self.dir)
            self.keep = True
        self.cleanup()
        sys.exit(1 if self.failed else 0)

    # ---- processes ----

    def spawn(self, name, cmd, env=None, stdout=None):
        log = open(self.path(name + ".log"), "ab")
        full_env = dict(os.environ)
        if self.bus_address:
            full_env["DBUS_SYSTEM_BUS_ADDRESS"] = self.bus_address
        full_env.update(env or {})
        p = subprocess.Popen(cmd, env=full_env, stdout=stdout if stdout else log, stderr=log,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        p.omacp_name = name
        self.procs.append(p)
        return p

    def stop(self, p, sig=signal.SIGTERM, timeout=5):
        if p.poll() is None:
            try:
                os.killpg(p.pid, sig)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait()
        if p in self.procs:
            self.procs.remove(p)

    def cleanup(self):
        for fn in reversed(self.cleanups):
            try:
                fn()
            except Exception:
                pass
        self.cleanups = []
        for p in reversed(list(self.procs)):
            self.stop(p, timeout=3)
        if not self.keep and os.path.isdir(self.dir):
            shutil.rmtree(self.dir, ignore_errors=True)

    # ---- the bus ----

    def start_bus(self):
        conf = self.path("bus.conf")
        private_bus.write_config(conf, "system", "unix:path=" + self.path("bus.sock"),
                                 private_bus.OPEN)
        _, line = private_bus.start(
            conf, spawn=lambda argv: self.spawn("dbus-daemon", argv, stdout=subprocess.PIPE))
        if not line:
            raise RuntimeError("dbus-daemon did not start")
        self.bus_address = line
        os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = line
        import dbus
        self.bus = dbus.bus.BusConnection(line)
        return line

    def has_owner(self, name):
        return bool(self.bus.name_has_owner(name))

    def wait_name(self, name, timeout=10):
        poll(lambda: self.has_owner(name), timeout, "%s on the bus" % name)

    def pid_of_name(self, unique):
        return int(self.bus.call_blocking("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                          "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                          "s", [unique]))

    def unique_names_of_pid(self, pid):
        out = []
        for n in self.bus.list_names():
            if not n.startswith(":"):
                continue
            try:
                if self.pid_of_name(n) == pid:
                    out.append(str(n))
            except Exception:
                pass
        return out

    # ---- watcher program ----

    def start_watcher(self, program, args, name="watcher"):
        p = self.spawn(name, [program] + args, env={"G_MESSAGES_DEBUG": "all"},
                       stdout=subprocess.PIPE)
        p.reader = JsonReader(p.stdout, self.path(name + ".out"))
        p.reader.wait(lambda e: e.get("event") == "started", 10, "watcher start")
        return p


def root_required():
    if os.geteuid() != 0:
        skip_all("needs root for the private mount namespace (unshare --mount)")


def need_programs(*names):
    for n in names:
        if shutil.which(n) is None and not os.path.exists(n):
            skip_all("%s is not installed" % n)
