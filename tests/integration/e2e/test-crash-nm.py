#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""kill -9 of omacpd at random points while it applies messages on the real
NetworkManager, with NetworkManager itself restarting underneath it in some runs.

One omacpd state directory and one NetworkManager (keyfile plugin) for all runs
(OMACP_CRASH_RUNS, default 20; OMACP_CRASH_SEED replays a failure). In each run
a client process of its own delivers a batch: NETWPIN pushes (wsp) from a
trusted sender, which the policy applies at once, and unsigned documents (xml),
quarantined until the client Accepts them; new NAPDEF identities, updates of
identities of earlier runs with a new APN, and two messages for one new identity
delivered at the same time (both calls sent before either returns), so that
their applies overlap. omacpd gets SIGKILL at a random moment while Deliver,
Accept and the applies are in flight; in a quarter of the runs (at least 3)
NetworkManager is stopped (SIGTERM or SIGKILL) and started again meanwhile, and
in every other one of those omacpd survives and must catch up alone.

After each restart, once omacpd's objects are restored and the catch-up of
accepted messages settled:
  * every message is in a state its kind allows (trusted NETWPIN: applied;
    unsigned: quarantined, or applied once accepted), none is stuck, failed
    or asks for a confirmation;
  * every Deliver that returned a path and every Accept that returned is still
    there (the path holds the document delivered; an accepted one is applied);
  * one profile per identity; for each profile of an applied message exactly
    one NetworkManager connection carries omacp's tag (user data
    org.omacp.profile = identity), it is the profile's networkmanager target,
    and its APN is the profile's APN, which is the APN of the profile's newest
    applied message;
  * there are never two connections for one identity and no tagged connection
    without a profile.

Run through tests/integration/nm/run-in-netns.sh (root, private namespaces).
"""

import json
import os
import random
import re
import signal
import subprocess
import sys
import time

import dbus

from omacptest import e2e
from omacptest.e2e import harness, internet_xml, MESSAGE, OMACP, OMACP_ROOT


RUNS = int(os.environ.get("OMACP_CRASH_RUNS", "20"))
SEED = int(os.environ.get("OMACP_CRASH_SEED", str(int(time.time()))))
IMSI = "001010000054321"
TRUSTED = "+19990000000"  # TrustedSenders: its NETWPIN messages are applied at once
UNTRUSTED = "+15550000000"
MANAGER = OMACP + ".Manager"
TAG = "org.omacp.profile"  # backend-nm.c's NMSettingUser key (OMACP_NM_USER_PROFILE)
SETTLE_TIMEOUT = 40
NAP_ADDRESS = re.compile(r'name="NAP-ADDRESS" value="([^"]*)"')
NAPID = re.compile(r'name="NAPID" value="([^"]*)"')


# ---- the client, in a process of its own so that it can die mid-call --------

def writer(address, plan_path, acks_path):
    """Delivers the batch of @plan_path, then accepts its unsigned messages;
    every call that returned is written to @acks_path (fsynced) at once.
    Items of one "group" are delivered at the same time (both calls sent
    before either answer is read)."""
    from dbus.mainloop.glib import DBusGMainLoop
    from gi.repository import GLib

    bus = dbus.bus.BusConnection(address, mainloop=DBusGMainLoop())
    mgr = bus.get_object(OMACP, OMACP_ROOT, introspect=False)
    with open(plan_path) as f:
        plan = json.load(f)
    out = open(acks_path, "a", buffering=1)

    def ack(**kw):
        out.write(json.dumps(kw) + "\n")
        out.flush()
        os.fsync(out.fileno())

    def deliver_args(item):
        opts = dbus.Dictionary({"imsi": dbus.String(IMSI),
                                "sender": dbus.String(item["sender"])}, signature="sv")
        return (dbus.ByteArray(bytes.fromhex(item["data"])), item["fmt"], opts)

    def deliver_together(items):
        loop = GLib.MainLoop()
        pending = {"n": len(items), "error": None}

        def done(item, path=None, error=None):
            if error is None:
                paths[item["key"]] = str(path)
                ack(what="delivered", key=item["key"], path=str(path))
            elif pending["error"] is None:
                pending["error"] = error
            pending["n"] -= 1
            if pending["n"] == 0:
                loop.quit()
        for item in items:
            mgr.Deliver(*deliver_args(item), dbus_interface=MANAGER, timeout=60,
                        reply_handler=lambda path, item=item: done(item, path),
                        error_handler=lambda e, item=item: done(item, error=e))
        loop.run()
        if pending["error"] is not None:
            raise pending["error"]

    print("START", flush=True)
    paths = {}
    try:
        groups = []
        for item in plan:
            if groups and groups[-1][0]["group"] == item["group"]:
                groups[-1].append(item)
            else:
                groups.append([item])
        for items in groups:
            if len(items) > 1:
                deliver_together(items)
                continue
            item = items[0]
            path = str(mgr.Deliver(*deliver_args(item), dbus_interface=MANAGER, timeout=60))
            paths[item["key"]] = path
            ack(what="delivered", key=item["key"], path=path)
        for item in plan:
            if not item["accept"]:
                continue
            path = paths[item["key"]]
            try:
                bus.get_object(OMACP, path, introspect=False).Accept(
                    "", dbus_interface=MESSAGE, timeout=60)
            except dbus.exceptions.DBusException as e:
                if e.get_dbus_name().startswith("org.omacp."):
                    # omacpd answered: the apply failed (the checks say why)
                    ack(what="accept-failed", key=item["key"], path=path,
                        error="%s: %s" % (e.get_dbus_name(), e.get_dbus_message()))
                    continue
                raise
            ack(what="accepted", key=item["key"], path=path)
    except dbus.exceptions.DBusException as e:
        print("writer stopped: %s" % e.get_dbus_name(), flush=True)
    print("DONE", flush=True)


# ---- the test ------------------------------------------------------------------

def read_acks(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.endswith("\n")]


class CrashNm:
    def __init__(self):
        self.w = e2e.World("crash-nm")
        self.rng = random.Random(SEED)
        self.items = {}  # key -> plan item (identity, apn, fmt, ...), every run
        self.identities = []  # in creation order
        # an update of a profile another sender made waits for a user:
        # the trusted NETWPIN updates go to identities only
        # the trusted sender made, the unsigned ones to the others
        self.trusted_ids = []
        self.untrusted_ids = []
        self.acks_path = self.w.path("acks.jsonl")
        self.log_offset = 0
        self.totals = {"kills": 0, "nm-restarts": 0, "messages": 0, "connections": 0,
                       "checks": 0, "mid-batch": 0}

    # ---- processes ----

    def start_omacpd(self):
        log = self.w.path("omacpd.log")
        self.log_offset = os.path.getsize(log) if os.path.exists(log) else 0
        self.w.start_omacpd(e2e.config(["NetworkManager"], [], trusted=TRUSTED))
        if self.w.nm is not None:
            self.wait_log("backend networkmanager is available")

    def log_since_start(self):
        with open(self.w.path("omacpd.log"), "rb") as f:
            f.seek(self.log_offset)
            return f.read().decode(errors="replace")

    def wait_log(self, needle, timeout=20):
        harness.poll(lambda: needle in self.log_since_start(), timeout,
                     "%r in the omacpd log" % needle, interval=0.01)

    def kill_omacpd(self, at_rest=False):
        p = self.w.omacpd
        if p.poll() is not None:
            raise AssertionError("omacpd died on its own (exit %s) before the kill:\n%s" %
                                 (p.returncode, self.log_since_start()[-3000:]))
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        self.w.procs.remove(p)
        self.w.omacpd = None
        harness.poll(lambda: not self.w.has_owner(OMACP), 10, "omacpd's name released")
        if not at_rest:
            self.totals["kills"] += 1

    def stop_nm(self, sig):
        p = self.w.nm
        if p.poll() is not None:
            raise AssertionError("NetworkManager died on its own (exit %s)" % p.returncode)
        os.kill(p.pid, sig)
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            os.kill(p.pid, signal.SIGKILL)
            p.wait()
        self.w.procs.remove(p)
        self.w.nm = None
        harness.poll(lambda: not self.w.has_owner(e2e.NM), 10, "NetworkManager's name released")

    def start_nm(self):
        self.w.start_nm()
        self.totals["nm-restarts"] += 1

    # ---- what a run delivers ----

    def new_item(self, run, k, identity, fmt, group):
        key = "R%02dM%d" % (run, k)
        napid = identity.split(":", 1)[1]
        apn = "r%02d-m%d.%s.apn" % (run, k, napid.lower())
        xml = internet_xml(napid, napid, apn)
        if fmt == "wsp":
            data = "".join(self.w.encode(xml, sec="netwpin", imsi=IMSI, sender=TRUSTED,
                                         output="wsp"))
            sender, accept = TRUSTED, False
        else:
            data, sender, accept = xml.encode().hex(), UNTRUSTED, True
        item = {"key": key, "identity": identity, "apn": apn, "fmt": fmt, "data": data,
                "sender": sender, "accept": accept, "run": run, "group": group}
        self.items[key] = item
        return item

    def plan(self, run):
        fresh = ["internet:CRASH%02dA" % run, "internet:CRASH%02dB" % run]
        upd = [self.rng.choice(self.trusted_ids) if self.trusted_ids else fresh[0],
               self.rng.choice(self.untrusted_ids) if self.untrusted_ids else fresh[1]]
        self.identities += fresh
        self.trusted_ids.append(fresh[0])
        self.untrusted_ids.append(fresh[1])
        items = [
            # new, applied at once; and at the same time a second message for
            # that identity (the operator sent twice): both applies overlap
            self.new_item(run, 0, fresh[0], "wsp", 0),
            self.new_item(run, 1, fresh[0], "wsp", 0),
            self.new_item(run, 2, fresh[1], "xml", 1),  # new, accepted by the client
            self.new_item(run, 3, upd[0], "wsp", 2),    # update of an earlier identity
            self.new_item(run, 4, upd[1], "xml", 3),    # update, accepted by the client
        ]
        path = self.w.path("plan-%02d.json" % run)
        with open(path, "w") as f:
            json.dump(items, f)
        return path

    # ---- the checks ----

    def snapshot(self):
        objs = e2e.unwrap(self.w.call(OMACP, OMACP_ROOT, "org.freedesktop.DBus.ObjectManager",
                                      "GetManagedObjects"))
        messages = {p: i[MESSAGE] for p, i in objs.items() if MESSAGE in i}
        profiles = {p: i[e2e.PROFILE] for p, i in objs.items() if e2e.PROFILE in i}
        return messages, profiles

    def check(self, nm_running=True):
        """Raises AssertionError describing the first inconsistency; returns figures."""
        messages, profiles = self.snapshot()
        acks = read_acks(self.acks_path)
        by_key = {}
        for a in acks:
            if a["what"] == "delivered":
                assert a["path"] in messages, "acknowledged Deliver lost: %s" % a
                by_key[a["key"]] = a["path"]
        accepted = {a["path"] for a in acks if a["what"] == "accepted"}
        failed_accepts = [a for a in acks if a["what"] == "accept-failed"]
        assert not failed_accepts, "Accept failed: %s" % failed_accepts

        # every message: a state its kind allows; known ones hold their document
        by_path = {}
        for path, m in messages.items():
            document = self.w.document(path)
            napid = NAPID.search(document)
            apn = NAP_ADDRESS.search(document)
            assert napid and apn, "%s: no NAPDEF in its document: %r" % (path, m)
            key = [k for k, it in self.items.items()
                   if it["apn"] == apn.group(1) and it["identity"] == "internet:" + napid.group(1)]
            assert len(key) == 1, "%s holds a document nobody sent: %s" % (path, apn.group(1))
            item = self.items[key[0]]
            assert key[0] not in by_path.values(), "%s and %s hold the same document %s" % (
                path, [p for p, k in by_path.items() if k == key[0]], key[0])
            by_path[path] = key[0]
            if key[0] in by_key:
                assert by_key[key[0]] == path, "Deliver of %s returned %s, the document is " \
                    "in %s" % (key[0], by_key[key[0]], path)
            state = m["State"]
            if item["fmt"] == "wsp":
                want = ("applied",) if nm_running else ("applied", "accepted")
            elif path in accepted:
                want = ("applied",) if nm_running else ("applied", "accepted")
            else:
                want = ("quarantined", "applied") if nm_running else (
                    "quarantined", "applied", "accepted")
            assert state in want, "%s (%s, %s) is %s (Error %r), wanted %s" % (
                path, key[0], item["fmt"], state, m["Error"], " or ".join(want))

        # profiles: one per identity, each of an applied message on exactly one
        # NetworkManager connection with its APN
        conns = self.w.nm_omacp_connections() if nm_running else {}
        tagged = {}
        for uuid, c in conns.items():
            tagged.setdefault(c["user"]["data"][TAG], []).append(uuid)
        dup = {i: u for i, u in tagged.items() if len(u) > 1}
        assert not dup, "two NetworkManager connections for one identity: %s" % dup
        seen = {}
        n_checked = 0
        for path, pr in profiles.items():
            ident = pr["Identity"]
            assert ident not in seen, "two profiles for %s: %s, %s" % (ident, seen[ident], path)
            seen[ident] = path
            owner = pr["Message"]
            assert owner in messages, "%s (%s): its message %s is gone" % (path, ident, owner)
            m = messages[owner]
            assert self.items[by_path[owner]]["identity"] == ident, (path, ident, owner)
            if m["State"] != "applied":
                continue
            apn = pr["Settings"].get("apn")
            want_apn = self.items[by_path[owner]]["apn"]
            assert apn == want_apn, "%s (%s): APN %r, its message %s has %r" % (
                path, ident, apn, owner, want_apn)
            if not nm_running:
                continue
            targets = [t for t in pr["Targets"] if t[0] == "networkmanager"]
            assert len(tagged.get(ident, [])) == 1, \
                "%s (%s, message %s applied): %d NetworkManager connections tagged %s; " \
                "Targets %s" % (path, ident, owner, len(tagged.get(ident, [])), ident,
                                pr["Targets"])
            uuid = tagged[ident][0]
            assert targets == [("networkmanager", uuid)], \
                "%s (%s): Targets %s, the tagged connection is %s" % (path, ident,
                                                                      pr["Targets"], uuid)
            nm_apn = conns[uuid]["gsm"]["apn"]
            assert nm_apn == apn, "%s (%s): NetworkManager connection %s has APN %r, the " \
                "profile %r" % (path, ident, uuid, nm_apn, apn)
            n_checked += 1
        orphans = [i for i in tagged if i not in seen]
        assert not orphans, "NetworkManager connections tagged for no profile: %s" % {
            i: tagged[i] for i in orphans}
        # every identity with an applied message has its profile
        for path, key in by_path.items():
            if messages[path]["State"] == "applied":
                assert self.items[key]["identity"] in seen, "%s applied, no profile %s" % (
                    path, self.items[key]["identity"])
        return len(messages), len(profiles), n_checked, len(conns)

    def settle(self, what):
        """Polls until the whole state is consistent (catch-up done)."""
        last = {}

        def ok():
            try:
                last["figures"] = self.check()
                return True
            except AssertionError as e:
                last["error"] = str(e)
                return False
        try:
            harness.poll(ok, SETTLE_TIMEOUT, what, interval=0.05)
        except TimeoutError:
            raise AssertionError("%s: not consistent after %d s: %s\n--- omacpd log since "
                                 "its start ---\n%s" % (what, SETTLE_TIMEOUT, last.get("error"),
                                                        self.log_since_start()[-6000:]))
        # and stays so: nothing moves once settled
        figures = self.check()
        self.totals["checks"] += 1
        return figures

    # ---- a run ----

    def batch(self, run, events):
        """Runs the writer for run @run; @events: (seconds after START, action)."""
        plan = self.plan(run)
        child = subprocess.Popen([harness.PYTHON, os.path.abspath(__file__), "--writer",
                                  self.w.bus_address, plan, self.acks_path],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        done = []
        try:
            first = child.stdout.readline().strip()
            assert first == "START", "writer: %r %s" % (first, child.stdout.read())
            started = time.monotonic()
            for at, action in sorted(events, key=lambda e: e[0]):
                left = started + at - time.monotonic()
                if left > 0:
                    time.sleep(left)
                action()
                done.append((round(time.monotonic() - started, 3), action.__name__))
            rest = child.communicate(timeout=120)[0]
            took = time.monotonic() - started
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        assert "DONE" in rest, "writer: %s" % rest
        return took, done, rest

    def run(self, run, kind, took):
        """kind: 'baseline' (no kill), 'kill' (omacpd), 'nm+kill' (NetworkManager
        restarted, omacpd killed), 'nm' (NetworkManager restarted, omacpd lives)."""
        rng = self.rng
        events = []
        nm_sig = signal.SIGTERM if rng.random() < 0.6 else signal.SIGKILL
        window = max(0.3, took)
        acks_before = len(read_acks(self.acks_path))

        def kill_omacpd():
            self.kill_omacpd()

        def stop_nm():
            self.stop_nm(nm_sig)

        def start_nm():
            self.start_nm()

        kill_at = rng.uniform(0, took)
        if kind in ("kill", "nm+kill"):
            events.append((kill_at, kill_omacpd))
        if kind in ("nm", "nm+kill"):
            nm_down = rng.uniform(0, window * 0.8)
            events.append((nm_down, stop_nm))
            events.append((nm_down + rng.uniform(0.02, 0.3), start_nm))
        if self.w.omacpd is None:
            self.start_omacpd()
        took_now, done, rest = self.batch(run, events)
        if self.w.omacpd is None:
            self.start_omacpd()
        else:
            assert self.w.omacpd.poll() is None, "omacpd died: %s" % self.log_since_start()
        n_acks = len(read_acks(self.acks_path)) - acks_before
        if n_acks < 7:
            self.totals["mid-batch"] += 1
        n_msgs, n_profiles, n_checked, n_conns = self.settle("run %d restored" % run)
        self.totals["messages"] = n_msgs
        self.totals["connections"] += n_checked
        events_done = ", ".join("%s at %.3f s" % (n, t) for t, n in done) or "no kill"
        lines = rest.strip().splitlines()
        stopped = lines[-2] if len(lines) > 1 else "the writer finished"
        self.w.diag("run %d (%s): %s; %d of 7 calls returned (%s); %d messages, %d profiles, "
                    "%d NM connections (%d checked against their profile)" % (
                        run, kind, events_done, n_acks, stopped, n_msgs, n_profiles, n_conns,
                        n_checked))
        return took_now


def main():
    e2e.skip_unless_ready(["NetworkManager", "dbus-daemon", e2e.OMACPD, e2e.OMACPCTL])
    t0 = time.monotonic()
    t = CrashNm()
    w = t.w
    w.diag("seed %d (OMACP_CRASH_SEED=%d to replay), %d runs" % (SEED, SEED, RUNS))

    def bring_up():
        w.start_polkit()
        w.start_nm()
    w.check("a private system bus, the polkit stand-in and the real NetworkManager", bring_up)

    state = {"took": 0.3}

    def baseline():
        state["took"] = t.run(0, "baseline", 0.3)
        w.diag("a batch without a kill takes %.3f s" % state["took"])
    w.check("run 0 without a kill: 5 messages delivered and accepted, all applied once", baseline)

    # a quarter of the runs (at least 3) restart NetworkManager; every other one
    # of those lets omacpd live through it
    n_nm = max(3, RUNS // 4) if RUNS >= 3 else RUNS
    nm_runs = sorted(t.rng.sample(range(1, RUNS + 1), n_nm))
    for run in range(1, RUNS + 1):
        if w.failed:
            w.diag("runs %d to %d skipped: they would start from the broken state" % (run, RUNS))
            break
        if run in nm_runs:
            kind = "nm" if nm_runs.index(run) % 2 == 0 else "nm+kill"
        else:
            kind = "kill"
        w.check("run %d: %s, then every message consistent, nothing lost, one NM connection "
                "per applied profile" % (run, {
                    "kill": "kill -9 of omacpd while it applies",
                    "nm": "NetworkManager restarted under omacpd, which catches up",
                    "nm+kill": "NetworkManager restarted and omacpd killed"}[kind]),
                lambda: t.run(run, kind, state["took"]))

    def final():
        t.kill_omacpd(at_rest=True)
        t.start_omacpd()
        t.settle("final restart")
        rc = w.stop_omacpd()
        assert rc == 0, "omacpd exited with %s" % rc
        log = t.log_since_start()
        assert "CRITICAL" not in log, log
    w.check("a last restart: still consistent; omacpd stops cleanly", final)

    w.diag("%d runs, %d kill -9 of omacpd, %d NetworkManager restarts, %d runs cut "
           "mid-batch, %d messages, %d connection checks over %d settled states, %.1f s" % (
               RUNS, t.totals["kills"], t.totals["nm-restarts"], t.totals["mid-batch"],
               t.totals["messages"],
               t.totals["connections"], t.totals["checks"], time.monotonic() - t0))
    w.finish()


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--writer":
        writer(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        main()
