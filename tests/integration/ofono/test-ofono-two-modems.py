#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A message for one SIM changes only its modem, with two modems and two
SIMs: the real ofonod drives two fake
AT modems (two phonesim groups, two cards with their own IMSI and ICCID);
omacpd's oFono adapter listens on both and its oFono backend applies. A
message for SIM B, arriving through modem B or delivered with B's IMSI and
ICCID, changes only modem B's ConnectionContexts; one for SIM A only A's;
Undo of B's message takes back only B's change; a message for a card that no
modem holds changes nothing.

Run through tests/integration/nm/run-in-netns.sh (root, private namespaces).
"""

import dbus

from omacptest import e2e
from omacptest.daemon import push
from omacptest.e2e import FakeModem, harness, internet_xml, tpdu_len

TRUSTED = "+19990000000"  # NETWPIN from it is applied at once
MANAGER = "org.omacp.Provisioning1.Manager"
SIMS = {
    # same operator (001/01), two subscribers, two cards
    "A": {"imsi": "001010000000011", "iccid": "8944500102198300011", "path": "/modemA"},
    "B": {"imsi": "001010000000022", "iccid": "8944500102198300022", "path": "/modemB"},
}
OFONO_NOISE = "udevng,rildev,hfp_bluez5,hfp_ag_bluez5,dun_gw_bluez5,upower,connman,bluez5"


def main():
    e2e.skip_unless_ready([e2e.OFONOD, "dbus-daemon"])
    w = e2e.World("ofono-two-modems")
    w.start_polkit()
    events = w.start_events()
    modems = {}
    for name, sim in SIMS.items():
        modems[name] = FakeModem(imsi=sim["imsi"], iccid=sim["iccid"], tcp_port=0,
                                 log_path=w.path("fakemodem-%s.log" % name))
        w.cleanups.append(modems[name].stop)

    def contexts(name):
        return w.ofono_contexts(SIMS[name]["path"])

    def apns(name):
        return sorted(c["AccessPointName"] for c in contexts(name).values())

    def bring_up():
        conf = w.path("phonesim.conf")
        with open(conf, "w") as f:
            for name, sim in SIMS.items():
                f.write("[%s]\nAddress=127.0.0.1\nPort=%d\n" % (sim["path"][1:],
                                                               modems[name].address))
        w.ofonod = w.spawn("ofonod", [e2e.OFONOD, "-n", "-d", "-P", OFONO_NOISE],
                           env={"OFONO_PHONESIM_CONFIG": conf, "OFONO_AT_DEBUG": "1"})
        w.wait_name("org.ofono")
        harness.poll(lambda: sorted(str(p) for p, _ in w.call(
            "org.ofono", "/", "org.ofono.Manager", "GetModems")) == ["/modemA", "/modemB"],
            10, "/modemA and /modemB listed")
        for name, sim in SIMS.items():
            w.ofono_modem_up(sim["path"])
            props = w.call("org.ofono", sim["path"], "org.ofono.SimManager", "GetProperties")
            assert str(props["SubscriberIdentity"]) == sim["imsi"], props
            assert str(props["CardIdentifier"]) == sim["iccid"], props
        w.start_omacpd(e2e.config(["oFono"], ["oFono"], trusted=TRUSTED))
        for sim in SIMS.values():
            w.wait_log("ofono: listening on modem %s, SIM 00101" % sim["path"])
        state["before"] = {n: contexts(n) for n in SIMS}
    state = {}
    w.check("ofonod drives two fake modems, each with its own SIM card (IMSI, ICCID); "
            "omacpd listens on both", bring_up)

    def cmt(name, xml):
        for p in w.encode(xml, imsi=SIMS[name]["imsi"], sender=TRUSTED):
            modems[name].deliver_cmt(p, tpdu_len(p))
        return events.wait(lambda e: e["event"] == "message-received", 15,
                           "the message via modem %s" % name)["path"]

    def targets(msg):
        prof = w.props(msg)["Profiles"][0]
        return dict(w.props(prof)["Targets"])

    def for_b_through_b():
        msg = cmt("B", internet_xml("NAP1", "Two Internet", "bee.apn"))
        w.wait_state(msg, "applied")
        ctx = targets(msg)["ofono"]
        assert ctx.startswith(SIMS["B"]["path"] + "/"), ctx
        assert contexts("B")[ctx]["AccessPointName"] == "bee.apn"
        assert "bee.apn" in apns("B")
        assert contexts("A") == state["before"]["A"], contexts("A")
        state["msg_b"] = msg
        state["ctx_b"] = ctx
    w.check("a message for SIM B through modem B (NAPID NAP1): a context on modem B only, "
            "modem A's contexts untouched", for_b_through_b)

    def same_napid_for_a():
        a_before = contexts("A")
        b_before = contexts("B")
        msg = cmt("A", internet_xml("NAP1", "Two Internet", "ay.apn"))
        w.wait_state(msg, "applied")
        ctx = targets(msg)["ofono"]
        assert ctx.startswith(SIMS["A"]["path"] + "/"), ctx
        assert contexts("A")[ctx]["AccessPointName"] == "ay.apn"
        assert contexts("B") == b_before, contexts("B")
        assert set(contexts("A")) >= set(a_before)
        # two profiles, one per SIM, for the same NAPID
        assert w.props(msg)["Profiles"] != w.props(state["msg_b"])["Profiles"]
        state["ctx_a"] = ctx
    w.check("the same NAPID for SIM A through modem A: modem A's own context, modem B's "
            "unchanged (bee.apn kept)", same_napid_for_a)

    def delivered_for_b():
        a_before = contexts("A")
        data = push(internet_xml("NAP2", "Second", "b2.apn").encode(), xml=True)
        opts = dbus.Dictionary({"imsi": SIMS["B"]["imsi"], "iccid": SIMS["B"]["iccid"]},
                               signature="sv")
        msg = str(w.call(e2e.OMACP, e2e.OMACP_ROOT, MANAGER, "Deliver", "aysa{sv}",
                         [dbus.ByteArray(data), "wsp", opts]))
        w.wait_state(msg, "quarantined")
        w.call(e2e.OMACP, msg, e2e.MESSAGE, "Accept", "s", [""], timeout=30)
        w.wait_state(msg, "applied")
        ctx = targets(msg)["ofono"]
        assert ctx.startswith(SIMS["B"]["path"] + "/"), ctx
        assert contexts("B")[ctx]["AccessPointName"] == "b2.apn"
        assert contexts("A") == a_before, contexts("A")
        state["msg_b2"] = msg
    w.check("Deliver with SIM B's IMSI and ICCID (no modem named): modem B only",
            delivered_for_b)

    def other_card():
        before = {n: contexts(n) for n in SIMS}
        data = push(internet_xml("NAP3", "Nowhere", "nowhere.apn").encode(), xml=True)
        opts = dbus.Dictionary({"imsi": SIMS["B"]["imsi"], "iccid": "8944500102198399999"},
                               signature="sv")
        msg = str(w.call(e2e.OMACP, e2e.OMACP_ROOT, MANAGER, "Deliver", "aysa{sv}",
                         [dbus.ByteArray(data), "wsp", opts]))
        w.wait_state(msg, "quarantined")
        w.call(e2e.OMACP, msg, e2e.MESSAGE, "Accept", "s", [""], timeout=30)
        # the only backend has no modem for it: the message waits for one
        props = w.wait_state(msg, "accepted")
        assert "waiting for a backend to apply internet:NAP3" in props["Error"], props
        w.wait_log("ofono: no online modem has the SIM with IMSI 00101********22 and the "
                   "ICCID given")
        assert "ofono" not in targets(msg), targets(msg)
        assert {n: contexts(n) for n in SIMS} == before
    w.check("B's IMSI on a card no modem holds: neither modem changed, the message waits "
            "for a modem with that card", other_card)

    def undo_b():
        a_before = contexts("A")
        w.call(e2e.OMACP, state["msg_b2"], e2e.MESSAGE, "Undo", timeout=30)
        w.wait_state(state["msg_b2"], "undone")
        assert "b2.apn" not in apns("B") and "bee.apn" in apns("B"), apns("B")
        assert contexts("A") == a_before, contexts("A")
    w.check("Undo of the second message for B: its context leaves modem B, A untouched",
            undo_b)

    def clean_exit():
        assert w.stop_omacpd() == 0
        log = w.omacpd_log()
        assert "CRITICAL" not in log, [line for line in log.splitlines() if "CRITICAL" in line]
    w.check("omacpd stops cleanly", clean_exit)

    w.finish()


if __name__ == "__main__":
    main()
