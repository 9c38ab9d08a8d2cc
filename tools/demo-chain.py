#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tools/demo, part 1: the main job of omacp, as it happens.

In private namespaces and on a private system bus (the integration tests'
world, tests/integration/omacptest/e2e.py): a fake AT modem, the real
ofonod talking to it, the real NetworkManager and omacpd. The operator's
provisioning message, signed with the SIM's IMSI (NETWPIN), reaches the fake
modem as SMS; ofonod reassembles them and hands the push to omacpd; omacpd
authenticates it with the SIM, shows the changes and their risks, and applies
them when the user (here `omacpctl agent --confirm yes`) agrees.
NetworkManager's own view of the new connection ends it.

Run as root through tests/integration/nm/run-in-netns.sh (tools/demo does);
OMACPD and OMACPCTL name the programs. Exit status 0 when the chain worked.
"""

import json
import os
import subprocess
import sys
import threading
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the integration tests' harness package and the fake modem
sys.path[:0] = [os.path.join(TOP, "tests", "integration"),
                os.path.join(TOP, "tests", "integration", "fakemodem")]

from omacptest import e2e, provdoc  # noqa: E402
from omacptest.e2e import harness, FakeModem, tpdu_len  # noqa: E402

IMSI = "001010000012345"  # test network 001/01
SENDER = "+447700900123"  # the operator's provisioning server
APN = "internet.demo-operator.example"

# the operator's proxy and the internet access point behind it
DOCUMENT = provdoc.document(
    provdoc.characteristic("PXLOGICAL", [("PROXY-ID", "DEMO-PROXY"),
                                         ("NAME", "Demo Operator proxy")], [
        provdoc.characteristic("PXPHYSICAL", [
            ("PHYSICAL-PROXY-ID", "PX1"), ("PXADDR", "10.11.12.13"), ("PXADDRTYPE", "IPV4"),
            ("TO-NAPID", "DEMO-INTERNET")], [
            provdoc.characteristic("PORT", [("PORTNBR", "8080")], level=3)], level=2)]),
    provdoc.napdef("DEMO-INTERNET", "Demo Operator Internet", APN,
                   auth=("CHAP", "demo", "demo-secret")),
    encoding="UTF-8")

lock = threading.Lock()
started = time.monotonic()


def say(who, text):
    with lock:
        print("[%5.2f s] %-9s %s" % (time.monotonic() - started, who, text), flush=True)


def block(title, text):
    with lock:
        print("\n    --- %s ---" % title)
        for line in text.rstrip("\n").splitlines():
            print("    " + line)
        print(flush=True)


def follow(proc, handler):
    """Calls handler(line) for every line of proc's stdout, in a thread."""
    def run():
        for raw in iter(proc.stdout.readline, b""):
            handler(raw.decode(errors="replace").rstrip("\n"))
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


class Narrator:
    """Turns `omacpctl monitor --json` lines into the story of the message."""

    def __init__(self):
        self.applied = threading.Event()
        self.failed = None
        self.states = {}

    def __call__(self, line):
        try:
            ev = json.loads(line)
        except ValueError:
            return
        event, obj = ev.get("event"), ev.get("id", "")
        props = ev.get("properties", {})
        if event == "message-received":
            say("omacpd", "%s: a provisioning message arrived (MessageReceived)" % obj)
        elif event == "added" and obj.startswith("message/"):
            say("omacpd", "%s: from %s, on the SIM %s (IMSI masked), content %s" % (
                obj, props.get("sender"), props.get("imsi"), props.get("content-type")))
            if props.get("authenticated"):
                say("omacpd", "%s: authenticated with the SIM: SEC %s, the MAC matches the "
                    "key derived from the SIM's IMSI" % (obj, props.get("security")))
            self.state(obj, props.get("state"), props.get("error"))
        elif event == "added" and obj.startswith("profile/"):
            say("omacpd", "%s: %s profile \"%s\" created" % (obj, props.get("kind"),
                                                            props.get("name")))
        elif event == "changed" and "state" in props:
            self.state(obj, props["state"], props.get("error"))
        elif event == "changed" and "targets" in props and props["targets"]:
            say("omacpd", "%s: applied to %s" % (obj, ", ".join(
                "%s (%s)" % (b, i) for b, i in sorted(props["targets"].items()))))

    def state(self, obj, state, error):
        if state is None or self.states.get(obj) == state:
            return
        self.states[obj] = state
        explain = {
            "pending-confirmation": "waiting for the user's confirmation (agent asked)",
            "accepted": "accepted, being applied",
            "applied": "APPLIED",
        }.get(state, state)
        say("omacpd", "%s: state %s%s" % (obj, explain, " (%s)" % error if error else ""))
        if state == "applied":
            self.applied.set()
        elif state in ("failed", "rejected"):
            self.failed = "%s %s: %s" % (obj, state, error)
            self.applied.set()


def main():
    for p in (e2e.OFONOD, "NetworkManager", "nmcli", "dbus-daemon"):
        if not os.path.exists(p) and subprocess.call(["sh", "-c", "command -v " + p],
                                                     stdout=subprocess.DEVNULL) != 0:
            print("demo: %s is not installed (tools/install-deps installs it)" % p)
            return 2
    if os.environ.get("OMACP_IN_TEST_NETNS") != "1":
        print("demo: run me through tests/integration/nm/run-in-netns.sh (tools/demo does)")
        return 2
    w = e2e.World("demo")
    ctl_env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=w.bus_address, LC_ALL="C",
                   LANGUAGE="", NO_COLOR="1")

    say("world", "private mount and network namespaces, a private system bus at %s" %
        w.bus_address.split(",")[0])
    w.start_polkit()
    modem = FakeModem(imsi=IMSI, tcp_port=0, log_path=w.path("fakemodem.log"))
    w.cleanups.append(modem.stop)
    say("modem", "fake AT modem listening on 127.0.0.1:%d (SIM IMSI %s, ICCID %s)" % (
        modem.address, IMSI, modem.iccid))
    w.start_ofono(modem)
    w.ofono_modem_up()
    say("ofonod", "the real ofonod drives the fake modem: /fakemodem powered and online")
    w.start_nm()
    say("nm", "the real NetworkManager is running (keyfile plugin, private state)")
    w.start_omacpd(e2e.config(["NetworkManager", "oFono"], ["oFono"]))
    w.wait_log("ofono: listening on modem /fakemodem")
    say("omacpd", "omacpd owns org.omacp.Provisioning1 and holds /fakemodem's push agent slot")

    narrator = Narrator()
    monitor = w.spawn("monitor", [e2e.OMACPCTL, "monitor", "--json"], env=ctl_env,
                      stdout=subprocess.PIPE)
    follow(monitor, narrator)
    agent_lines = []

    def agent_said(line):
        agent_lines.append(line)
        if "Agent registered" not in line and line.strip():
            with lock:
                print("          agent  | " + line, flush=True)
    agent = w.spawn("agent", [e2e.OMACPCTL, "agent", "--confirm", "yes"], env=ctl_env,
                    stdout=subprocess.PIPE)
    follow(agent, agent_said)
    harness.poll(lambda: any("Agent registered" in x for x in agent_lines), 10, "the agent")
    say("agent", "omacpctl agent registered: it will be asked before anything is applied")

    # the operator side: the document, signed with the SIM's IMSI, as SMS
    doc = w.path("operator.xml")
    with open(doc, "w") as f:
        f.write(DOCUMENT)
    pdus = w.encode(DOCUMENT, sec="netwpin", imsi=IMSI, sender=SENDER)
    say("operator", "omacpctl encode --sec netwpin --imsi %s: the document (APN %s, an HTTP "
        "proxy, CHAP credentials) as %d SMS" % (IMSI, APN, len(pdus)))
    for i, p in enumerate(pdus, 1):
        say("modem", "+CMT: SMS %d/%d (%d octets, 8-bit, port 2948, concatenated) -> ofonod" % (
            i, len(pdus), len(p) // 2))
        modem.deliver_cmt(p, tpdu_len(p))
        say("ofonod", "SMS %d/%d received and acknowledged (AT+CNMA)" % (i, len(pdus)))
    say("ofonod", "%d segments reassembled: the WAP push goes to omacpd's push agent" % len(pdus))

    if not narrator.applied.wait(30):
        raise SystemExit("demo: the message was not applied in 30 s:\n" +
                         "\n".join(agent_lines) + "\n" + w.omacpd_log()[-3000:])
    if narrator.failed:
        raise SystemExit("demo: " + narrator.failed)
    r = subprocess.run([e2e.OMACPCTL, "show", "profile/1"], env=ctl_env, capture_output=True,
                       text=True, timeout=30)
    block("omacpctl show profile/1", r.stdout + r.stderr)
    r = subprocess.run([e2e.OMACPCTL, "show", "--details", "-f", "changes", "message/1"],
                       env=ctl_env, capture_output=True, text=True, timeout=30)
    block("what each backend was given: omacpctl show --details -f changes message/1",
          r.stdout + r.stderr)

    # NetworkManager's own view
    uuid = None
    for u, s in w.nm_omacp_connections().items():
        if s["connection"]["id"] == "Demo Operator Internet":
            uuid = u
    if uuid is None:
        raise SystemExit("demo: NetworkManager has no connection from omacp")
    r = subprocess.run(["nmcli", "-f", "connection.id,connection.type,gsm.apn,gsm.username,"
                        "gsm.password-flags,gsm.sim-id,gsm.sim-operator-id,proxy.method,"
                        "proxy.pac-url", "connection", "show", uuid],
                       env=ctl_env, capture_output=True, text=True, timeout=30)
    block("NetworkManager's view: nmcli connection show %s" % uuid, r.stdout + r.stderr)
    if r.returncode != 0 or APN not in r.stdout:
        raise SystemExit("demo: nmcli does not show the APN")
    say("demo", "done: from an SMS on the modem to a NetworkManager connection bound to the SIM")
    w.keep = False
    w.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
