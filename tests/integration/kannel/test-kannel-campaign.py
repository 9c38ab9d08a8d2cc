#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""omacpctl campaign through the real Kannel (bearerbox + smsbox).

Runs inside private network and mount namespaces (run-in-netns.sh), so the
ports below are ours. Kannel's `fake` SMSC type listens on a port and
writes every SMS it would send to whoever connects, one line each
("FROM TO udh UDH data DATA", URL-encoded); the Recorder below is that
client. Every recorded message is reassembled and checked by omacp's decoder
(verify-messages, and `omacpctl decode` for a sample) with its own
subscriber's IMSI or PIN.

Cases: a 1,000-subscriber NETWPIN campaign with delivery reports; a
1,000-subscriber USERPIN campaign with generated PINs; kill -9 in the
middle of a campaign and a rerun; an HTTP front that refuses connections
and then answers 503 for a while; the rate limit; bad CSV rows. Prints TAP."""

import collections
import http.server
import json
import os
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

CTL = os.environ["OMACPCTL"]
VERIFY = sys.argv[1]
BEARERBOX = "/usr/sbin/bearerbox"
SMSBOX = "/usr/sbin/smsbox"
ADMIN_PORT, BOX_PORT, FAKE_PORT, SENDSMS_PORT = 13000, 13001, 13010, 13013
FRONT_PORT, DLR_PORT = 13020, 13030
KANNEL_URL = "http://127.0.0.1:%d/cgi-bin/sendsms" % SENDSMS_PORT
PASSWORD = "campaign-secret"

n_test = 0
failed = 0


def ok(cond, name, detail=""):
    global n_test, failed
    n_test += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n_test, name), flush=True)
    if not cond:
        failed += 1
        for line in str(detail).splitlines()[:30]:
            print("#   " + line, flush=True)
    return cond


def skip_all(why):
    print("1..0 # SKIP " + why)
    sys.exit(0)


class Recorder(threading.Thread):
    """The fakesmsc end of Kannel's fake SMSC: records every MT SMS."""

    def __init__(self):
        super().__init__(daemon=True)
        self.lock = threading.Lock()
        self.messages = []  # (to, ud bytes)
        self.sock = None

    def run(self):
        deadline = time.time() + 30
        while self.sock is None:
            try:
                self.sock = socket.create_connection(("127.0.0.1", FAKE_PORT))
            except OSError:
                if time.time() > deadline:
                    return
                time.sleep(0.1)
        buf = b""
        while True:
            data = self.sock.recv(65536)
            if not data:
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                self.record(line.decode("latin-1"))

    def record(self, line):
        # "FROM TO udh UDH data DATA": UDH and DATA URL-encoded (space as '+')
        parts = line.split(" ")
        if len(parts) != 6 or parts[2] != "udh" or parts[4] != "data":
            with self.lock:
                self.messages.append((parts[1] if len(parts) > 1 else "?", b"!" + line.encode()))
            return
        udh = urllib.parse.unquote_to_bytes(parts[3].replace("+", " "))
        data = urllib.parse.unquote_to_bytes(parts[5].replace("+", " "))
        with self.lock:
            self.messages.append((parts[1], udh + data))

    def take(self):
        with self.lock:
            out, self.messages = self.messages, []
        return out

    def wait_for(self, count, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    break
            time.sleep(0.1)
        time.sleep(0.5)  # anything beyond the count (a double send) comes too
        return self.take()


def write_conf(tmp):
    conf = os.path.join(tmp, "kannel.conf")
    os.mkdir(os.path.join(tmp, "store"))
    with open(conf, "w") as f:
        f.write(f"""group = core
admin-port = {ADMIN_PORT}
admin-password = admin-secret
smsbox-port = {BOX_PORT}
box-allow-ip = "127.0.0.1"
log-file = "{tmp}/bearerbox.log"
log-level = 1
access-log = "{tmp}/access.log"
store-type = file
store-location = "{tmp}/store/kannel.store"
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = fake
port = {FAKE_PORT}
connect-allow-ip = "127.0.0.1"

group = smsbox
bearerbox-host = 127.0.0.1
sendsms-port = {SENDSMS_PORT}
log-file = "{tmp}/smsbox.log"
log-level = 1

group = sendsms-user
username = omacp
password = {PASSWORD}
max-messages = 1
concatenation = false
""")
    return conf


def wait_http(url, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return True
        except urllib.error.HTTPError:
            return True  # it answers
        except OSError:
            time.sleep(0.1)
    return False


def write_csv(path, rows, header="msisdn,imsi"):
    with open(path, "w") as f:
        f.write(header + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")


def subscribers(prefix, n):
    """Distinct msisdns and IMSIs."""
    return [("+358%d%07d" % (prefix, i), "24407%d%09d" % (prefix % 10, i * 7 + prefix))
            for i in range(n)]


def campaign(args, env_extra=None, **kw):
    env = dict(os.environ, OMACP_KANNEL_PASSWORD=PASSWORD)
    env.update(env_extra or {})
    return subprocess.run([CTL, "campaign", "--no-progress"] + args, env=env,
                          capture_output=True, text=True, **kw)


def group_by_recipient(messages):
    by = collections.defaultdict(list)
    for to, ud in messages:
        by[to].append(ud)
    return by


def segment_key(ud):
    """(ref, seq) of a UD with the 8-bit concatenation IE, else (None, 1)."""
    udhl = ud[0]
    i = 1
    while i < 1 + udhl:
        iei, ln = ud[i], ud[i + 1]
        if iei == 0x00 and ln == 3:
            return (ud[i + 2], ud[i + 4])
        i += 2 + ln
    return (None, 1)


def decode_all(tmp, by, keys, flag, sample=10):
    """Every recipient's segments through omacp's decoder with its own key
    (verify-messages: omacp_message_decode in one process), and a sample of
    them through `omacpctl decode` as an operator would. Returns the list
    of problems."""
    problems = []
    lines = []
    for to, key in keys.items():
        uds = by.get(to, [])
        if not uds:
            problems.append("%s: nothing recorded" % to)
            continue
        lines.append("%s %s %s %s" % (to, flag.lstrip("-"), key, " ".join(u.hex() for u in uds)))
    r = subprocess.run([VERIFY], input="\n".join(lines) + "\n", capture_output=True, text=True)
    verdicts = r.stdout.splitlines()
    problems += [v for v in verdicts if not v.startswith("ok ")]
    if len(verdicts) != len(lines):
        problems.append("verify-messages answered %d of %d: %s" % (len(verdicts), len(lines),
                                                                   r.stderr))
    path = os.path.join(tmp, "msg.hex")
    for to, key in list(keys.items())[:sample]:
        with open(path, "w") as f:
            f.write("\n".join(u.hex() for u in by.get(to, [])) + "\n")
        r = subprocess.run([CTL, "decode", "--format", "ud", flag, key, "--json", path],
                           capture_output=True, text=True)
        if r.returncode != 0:
            problems.append("%s: decode exit %d: %s" % (to, r.returncode, r.stderr.strip()))
            continue
        d = json.loads(r.stdout)
        if d.get("auth") != "valid" or not d.get("profiles"):
            problems.append("%s: omacpctl decode says auth %s" % (to, d.get("auth")))
    return problems


def state_lines(path, word):
    with open(path) as f:
        return [l.split() for l in f if l.startswith(word + " ")]


class Front:
    """An HTTP front for smsbox: connections refused until start(), then
    503 for the first `refuse` requests, then every request proxied."""

    def __init__(self, refuse):
        self.refuse = refuse
        self.seen_503 = 0
        self.proxied = 0
        self.lock = threading.Lock()
        self.server = None

    def start(self):
        front = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                with front.lock:
                    busy = front.seen_503 < front.refuse
                    if busy:
                        front.seen_503 += 1
                    else:
                        front.proxied += 1
                if busy:
                    body = b"Temporal failure, try again later."
                    self.send_response(503)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                try:
                    r = urllib.request.urlopen("http://127.0.0.1:%d%s" % (SENDSMS_PORT, self.path))
                    code, body = r.status, r.read()
                except urllib.error.HTTPError as e:
                    code, body = e.code, e.read()
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", FRONT_PORT), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()


def main():
    if os.environ.get("OMACP_IN_TEST_NETNS") != "1":
        skip_all("run through run-in-netns.sh (private network namespace)")
    for prog in (BEARERBOX, SMSBOX):
        if not os.access(prog, os.X_OK):
            skip_all("%s is not installed (Debian package kannel)" % prog)

    tmp = tempfile.mkdtemp(prefix="omacp-kannel-")
    conf = write_conf(tmp)
    procs = []
    recorder = Recorder()
    try:
        procs.append(subprocess.Popen([BEARERBOX, conf], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        recorder.start()
        time.sleep(0.5)
        procs.append(subprocess.Popen([SMSBOX, conf], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        if not ok(wait_http("http://127.0.0.1:%d/" % SENDSMS_PORT), "smsbox answers on sendsms"):
            return
        deadline = time.time() + 30
        while recorder.sock is None and time.time() < deadline:
            time.sleep(0.1)
        if not ok(recorder.sock is not None, "the recorder is connected to the fake SMSC"):
            return
        time.sleep(1)  # bearerbox marks the SMSC online

        doc = ["--template", "internet", "--apn", "internet.example", "--username", "web",
               "--password", "web-secret"]
        kannel = ["--kannel", KANNEL_URL, "--user", "omacp", "--from", "Operator"]

        # --- 1,000 subscribers, NETWPIN, with delivery reports
        subs = subscribers(40, 1000)
        csv = os.path.join(tmp, "netwpin.csv")
        write_csv(csv, subs)
        expect = campaign(["--sec", "netwpin"] + doc + [csv])
        ok(expect.returncode == 0, "JSON lines of the NETWPIN campaign", expect.stderr)
        lines = [json.loads(l) for l in expect.stdout.splitlines()]
        want = {l["msisdn"]: sorted(bytes.fromhex(u) for u in l["ud"]) for l in lines}
        n_segments = sum(l["segments"] for l in lines)
        ok(len(want) == 1000 and n_segments >= 1000, "1000 messages, %d segments" % n_segments)

        t0 = time.time()
        r = campaign(["--sec", "netwpin"] + doc + kannel +
                     ["--dlr", "127.0.0.1:%d" % DLR_PORT, "--dlr-wait", "30", "--concurrency", "8",
                      csv])
        took = time.time() - t0
        ok(r.returncode == 0, "NETWPIN campaign through Kannel exits 0 (%.1f s)" % took, r.stderr)
        ok("1000 subscribers: 1000 sent now" in r.stderr, "the summary counts 1000 sent", r.stderr)
        got = recorder.wait_for(n_segments)
        by = group_by_recipient(got)
        ok(len(got) == n_segments, "Kannel's SMSC got %d SMS, wanted %d" % (len(got), n_segments))
        ok(all(sorted(by.get(m, [])) == u for m, u in want.items()),
           "every recorded SMS is the segment the JSON output announced")
        problems = decode_all(tmp, by, {m: i for m, i in subs}, "--imsi")
        ok(not problems, "all 1000 NETWPIN messages reassemble and verify with their own IMSI",
           "\n".join(problems[:20]))
        # ... and not with another subscriber's key
        path = os.path.join(tmp, "other.hex")
        with open(path, "w") as f:
            f.write("\n".join(u.hex() for u in by[subs[0][0]]) + "\n")
        other = subprocess.run([CTL, "decode", "--format", "ud", "--imsi", subs[1][1], path],
                               capture_output=True, text=True)
        ok(other.returncode == 3, "a message does not verify with another subscriber's IMSI",
           other.stdout + other.stderr)
        dlrs = state_lines(csv + ".state", "dlr")
        ok(len(dlrs) >= n_segments and all(d[3] == "1" for d in dlrs if len(d) > 3),
           "the delivery reports of all %d SMS are recorded as delivered (%d)" %
           (n_segments, len(dlrs)))
        ok("delivery reports: %d delivered" % n_segments in r.stderr,
           "the summary counts the delivery reports", r.stderr)

        # a rerun sends nobody again
        r = campaign(["--sec", "netwpin"] + doc + kannel + [csv])
        ok(r.returncode == 0 and "1000 sent by an earlier run" in r.stderr,
           "a rerun of a finished campaign sends nothing", r.stderr)
        ok(len(recorder.wait_for(1, timeout=2)) == 0, "... and Kannel got nothing new")

        # --- 1,000 subscribers, USERPIN, PINs generated
        subs = subscribers(41, 1000)
        csv = os.path.join(tmp, "userpin.csv")
        write_csv(csv, subs)
        r = campaign(["--sec", "userpin", "--pin-length", "6"] + doc + kannel + [csv])
        ok(r.returncode == 0, "USERPIN campaign through Kannel exits 0", r.stderr)
        pins_path = csv + ".pins"
        mode = os.stat(pins_path).st_mode & 0o777
        ok(mode == 0o600, "the PIN file is mode 0600 (%o)" % mode)
        with open(pins_path) as f:
            rows = [l.strip().split(",") for l in f][1:]
        pins = {m: p for m, p in rows}
        ok(len(pins) == 1000 and all(len(p) == 6 and p.isdigit() for p in pins.values()),
           "1000 six-digit PINs, one per msisdn")
        ok(len(set(pins.values())) > 900, "the PINs are not all alike")
        ok(not any(p in r.stderr for p in list(pins.values())[:50]),
           "no PIN appears in the report")
        lines = 0
        with open(csv + ".state") as f:
            lines = sum(1 for _ in f)
        got = recorder.wait_for(1000)
        by = group_by_recipient(got)
        problems = decode_all(tmp, by, pins, "--pin")
        ok(not problems and len(by) == 1000,
           "all 1000 USERPIN messages reassemble and verify with their own PIN",
           "\n".join(problems[:20]))

        # --- kill -9 in the middle, then a rerun
        subs = subscribers(42, 1000)
        csv = os.path.join(tmp, "killed.csv")
        write_csv(csv, subs)
        expect = campaign(["--sec", "netwpin"] + doc + [csv])
        n_segments = sum(json.loads(l)["segments"] for l in expect.stdout.splitlines())
        env = dict(os.environ, OMACP_KANNEL_PASSWORD=PASSWORD)
        p = subprocess.Popen([CTL, "campaign", "--no-progress", "--sec", "netwpin"] + doc + kannel +
                             ["--rate", "400", "--concurrency", "4", csv], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        state = csv + ".state"
        deadline = time.time() + 60
        while time.time() < deadline:
            if os.path.exists(state) and len(state_lines(state, "sent")) >= n_segments // 3:
                break
            time.sleep(0.02)
        p.send_signal(signal.SIGKILL)
        p.wait()
        sent_before = len(state_lines(state, "sent"))
        ok(0 < sent_before < n_segments, "killed with SIGKILL after %d of %d SMS" %
           (sent_before, n_segments))
        time.sleep(1)
        r = campaign(["--sec", "netwpin"] + doc + kannel + ["--concurrency", "4", csv])
        ok(r.returncode in (0, 5), "the rerun finishes (exit %d)" % r.returncode, r.stderr)
        got = recorder.wait_for(n_segments)
        counts = collections.Counter((to, segment_key(ud)) for to, ud in got)
        doubt = {l.split(": line ")[1].split()[1] for l in r.stderr.splitlines()
                 if "in doubt" in l and ": line " in l}
        twice = [k for k, v in counts.items() if v > 1]
        ok(not twice, "nobody got a segment twice", repr(twice[:10]))
        per = collections.Counter(to for to, _ in counts.elements())
        missing = [m for m, _ in subs if m not in doubt and per[m] == 0]
        ok(not missing, "every subscriber not in doubt got the message", repr(missing[:10]))
        ok(len(doubt) <= 4, "at most --concurrency subscribers in doubt (%d: %s)" %
           (len(doubt), " ".join(sorted(doubt))))
        by = group_by_recipient(got)
        problems = decode_all(tmp, by, {m: i for m, i in subs if m not in doubt}, "--imsi")
        ok(not problems, "after the kill and rerun every message verifies",
           "\n".join(problems[:20]))
        print("# in doubt after kill -9: %d subscriber(s), of which %d reached the SMSC" %
              (len(doubt), sum(1 for m in doubt if per[m] > 0)), flush=True)

        # --- refused connections, then 503 for a while
        subs = subscribers(43, 50)
        csv = os.path.join(tmp, "busy.csv")
        write_csv(csv, subs)
        front = Front(refuse=6)
        threading.Timer(0.5, front.start).start()
        r = campaign(["--sec", "netwpin"] + doc +
                     ["--kannel", "http://127.0.0.1:%d/cgi-bin/sendsms" % FRONT_PORT, "--user",
                      "omacp", "--from", "Operator", "--retry-delay", "0.05", "--retries", "10",
                      "--concurrency", "2", csv])
        front.stop()
        ok(r.returncode == 0, "a campaign through refused connections and 503s exits 0",
           r.stderr)
        ok(front.seen_503 == 6, "the front answered 503 %d times" % front.seen_503)
        fails = state_lines(csv + ".state", "failed")
        ok(any("connect" in " ".join(f) for f in fails) and
           any("HTTP 503" in " ".join(f) for f in fails),
           "the state file records the refused connections and the 503s")
        got = recorder.wait_for(front.proxied)
        counts = collections.Counter((to, segment_key(ud)) for to, ud in got)
        ok(len(got) == front.proxied and all(v == 1 for v in counts.values()) and
           len({to for to, _ in got}) == 50,
           "each of the 50 subscribers got each segment once (%d SMS)" % len(got))

        # --- the rate limit: 20 subscribers x 2 SMS at 20 SMS/s take about 2 s
        subs = subscribers(44, 20)
        csv = os.path.join(tmp, "rate.csv")
        write_csv(csv, subs)
        t0 = time.time()
        r = campaign(["--sec", "netwpin"] + doc + kannel + ["--rate", "20", "--concurrency", "4",
                                                            csv])
        took = time.time() - t0
        got = recorder.wait_for(40)
        ok(r.returncode == 0 and len(got) == 40, "rate-limited campaign sends its 40 SMS",
           r.stderr)
        ok(took >= 1.9, "--rate 20 spreads 40 SMS over %.2f s (at least 1.9)" % took)

        # --- bad rows
        csv = os.path.join(tmp, "bad.csv")
        with open(csv, "w") as f:
            f.write("msisdn,imsi\n+358440000001,244070000000001\n+35844x,244070000000002\n"
                    "+358440000003,2440700\n+358440000004\n+358440000001,244070000000005\n"
                    "\"+358440000006\",\"244070000000006\"\n")
        r = campaign(["--sec", "netwpin"] + doc + kannel + [csv])
        ok(r.returncode == 2, "bad rows: exit 2 (exit %d)" % r.returncode, r.stderr)
        for where in ("bad.csv:3:1", "bad.csv:4:2", "bad.csv:5:2", "bad.csv:6:1"):
            ok(where in r.stderr, "the refused row %s is named with its column" % where,
               r.stderr)
        got = recorder.wait_for(2)
        ok(sorted({to for to, _ in got}) == ["+358440000001", "+358440000006"],
           "the good rows are sent", repr(sorted({to for to, _ in got})))
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGTERM)
        for p in reversed(procs):
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        if failed:
            for log in ("bearerbox.log", "smsbox.log"):
                try:
                    with open(os.path.join(tmp, log)) as f:
                        tail = f.readlines()[-15:]
                    for l in tail:
                        print("# %s: %s" % (log, l.rstrip()))
                except OSError:
                    pass
        subprocess.run(["rm", "-rf", tmp])
    print("1..%d" % n_test)


if __name__ == "__main__":
    main()
    sys.exit(1 if failed else 0)
