#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The whole chain on oFono: the fake modem writes SMS (+CMT, +CMTI) -> real ofonod
(phonesim plugin) -> omacpd's push agent -> message object -> agent / policy ->
real NetworkManager connection and oFono context; update in place, undo, remove,
a hand edit confirmed, an MMS notification forwarded to a push.d consumer,
NetworkManager started late, and two latencies: from the SMS to the message
object, and from the SMS to the NetworkManager connection.

Run through tests/integration/nm/run-in-netns.sh (root, private namespaces).
"""

import os
import shutil
import sys

import dbus

from omacptest import e2e
from omacptest.e2e import harness, pdu, FakeModem, internet_xml, tpdu_len

HERE = os.path.dirname(os.path.abspath(__file__))

IMSI = "001010000012345"  # MCC 001, MNC 01 (EFad says 2 digits)
SENDER = "+447700900123"  # not trusted: NETWPIN asks the user
TRUSTED = "+19990000000"  # TrustedSenders: NETWPIN from it is applied at once
PIN = "1234"
RUNS = 20
PLUGIN = sys.argv[1] if len(sys.argv) > 1 else None  # omacp-provision.so
# tools/run-sanitizers: the distribution's ofonod cannot load a plugin built
# with ASan; the plugin's file is still checked
if os.environ.get("OMACP_TEST_SANITIZED"):
    PLUGIN = None


def main():
    e2e.skip_unless_ready([e2e.OFONOD, "NetworkManager", "nmcli", "dbus-daemon"])
    w = e2e.World("e2e-ofono")
    prov_file = w.path("ofono-provision.conf")

    push_dir = w.path("push.d")
    os.mkdir(push_dir)
    with open(os.path.join(push_dir, "mmsd.conf"), "w") as f:
        f.write("[Consumer]\nContentType=application/vnd.wap.mms-message\n"
                "BusName=org.omacp.TestConsumer\nObjectPath=/org/omacp/test/mms_agent\n"
                "Interface=org.ofono.PushNotificationAgent\nMethod=ReceiveNotification\n")
    consumer = w.start_watcher(harness.PYTHON, [os.path.join(HERE, "..", "ofono",
                                                             "consumer.py")], name="consumer")
    w.start_polkit()
    events = w.start_events()

    modem = FakeModem(imsi=IMSI, tcp_port=0, log_path=w.path("fakemodem.log"))
    w.cleanups.append(modem.stop)

    def bring_up():
        w.start_ofono(modem)
        w.ofono_modem_up()
        w.start_omacpd(e2e.config(["NetworkManager", "oFono"], ["oFono"], push_dir, TRUSTED),
                       env={"OMACP_OFONO_PROVISION_FILE": prov_file})
        w.wait_log("ofono: listening on modem /fakemodem, SIM 00101")
    w.check("ofonod with the fake modem online, omacpd (system bus, polkit stand-in) holds "
            "its push agent slot; NetworkManager not started yet", bring_up)

    def cmt(pdus):
        for p in pdus:
            modem.deliver_cmt(p, tpdu_len(p))

    def next_message(what):
        return events.wait(lambda e: e["event"] == "message-received", 15, what)["path"]

    def targets(profile):
        return dict(w.props(profile)["Targets"])

    state = {}

    # -- NetworkManager absent: what can go to oFono goes there, the rest waits --------
    def nm_absent():
        wlan_xml = w.ctl_ok("encode", "--template", "wlan", "--name", "E2E WLAN", "--ssid",
                            "E2E-WLAN", "--psk", "wlan-passphrase")
        cmt(w.encode(wlan_xml, imsi=IMSI, sender=TRUSTED))
        state["wlan_msg"] = msg = next_message("the WLAN message")
        # a Wi-Fi network waits for a user whatever the sender
        w.wait_state(msg, "pending-confirmation")
        w.ctl_ok("accept", msg)
        props = w.wait_state(msg, "accepted")
        assert "waiting for networkmanager" in props["Error"], props["Error"]

        cmt(w.encode(internet_xml("EARLY", "Early Internet", "early.apn"), imsi=IMSI,
                     sender=TRUSTED))
        msg = next_message("the early internet message")
        w.wait_state(msg, "applied")
        state["early"] = prof = w.profile_by_identity("internet:EARLY")
        t = targets(prof)
        assert list(t) == ["ofono"], t
        ctx = w.ofono_contexts()[t["ofono"]]
        assert ctx["AccessPointName"] == "early.apn" and ctx["Type"] == "internet", ctx
        # the omacp-provision plugin's file, for the SIM's network
        text = open(prov_file).read()
        assert "[00101]" in text and "internet.AccessPointName=early.apn" in text, text
        assert "Spn=FakeNet" in text, text
    w.check("NetworkManager absent: a WLAN profile waits in 'accepted'; an internet profile "
            "is applied on oFono alone (Targets), the oFono plugin's file has it", nm_absent)

    def nm_later():
        w.start_nm()
        w.wait_state(state["wlan_msg"], "applied")
        wlan_prof = w.profile_by_identity("wlan:E2E-WLAN")
        (uuid, conn), = w.nm_omacp_connections("wlan:E2E-WLAN").items()
        assert conn["connection"]["type"] == "802-11-wireless", conn["connection"]
        assert bytes(conn["802-11-wireless"]["ssid"]) == b"E2E-WLAN", conn
        assert targets(wlan_prof) == {"networkmanager": uuid}, targets(wlan_prof)
        harness.poll(lambda: "networkmanager" in targets(state["early"]), 10,
                     "the early internet profile on NetworkManager")
        (uuid, conn), = w.nm_omacp_connections("internet:EARLY").items()
        assert conn["gsm"]["apn"] == "early.apn", conn["gsm"]
        assert targets(state["early"]) == {"ofono": targets(state["early"])["ofono"],
                                           "networkmanager": uuid}
    w.check("NetworkManager started after: the waiting WLAN message is applied (802-11-"
            "wireless connection), the internet profile applied before reaches it too", nm_later)

    # -- the main path: NETWPIN, two segments via +CMT, an agent confirms ---------------
    def netwpin():
        pdus = w.encode(internet_xml("INTERNET1", "E2E Internet", "e2e.apn", "alice", "s3cret"),
                        imsi=IMSI, sender=SENDER)
        assert len(pdus) == 2, pdus
        cmt(pdus)
        state["msg1"] = msg = next_message("the NETWPIN message")
        props = w.props(msg)
        assert props["State"] == "pending-confirmation", props["State"]
        assert props["Security"] == "netwpin" and props["Authenticated"], props
        assert props["Sender"] == SENDER and props["Imsi"] == IMSI[:5] + "********" + IMSI[-2:], props
        # ofonod reassembled the segments: omacpd got the whole push
        w.start_agent("--confirm", "yes", "--pin", PIN)
        w.wait_state(msg, "applied")
    w.check("NETWPIN message in 2 segments via +CMT -> message object pending-confirmation "
            "(netwpin, authenticated, sender, IMSI) -> agent confirms -> applied", netwpin)

    def nm_and_ofono_have_it(apn, password, msg):
        prof = w.profile_by_identity("internet:INTERNET1")
        conns = w.nm_omacp_connections("internet:INTERNET1")
        assert len(conns) == 1, conns
        (uuid, conn), = conns.items()
        assert conn["connection"]["type"] == "gsm" and conn["connection"]["id"] == "E2E Internet"
        assert conn["gsm"]["apn"] == apn and conn["gsm"]["username"] == "alice", conn["gsm"]
        assert "password" not in conn["gsm"], "GetSettings must not return secrets"
        secrets = w.nm_secrets(conn["_path"], "gsm")
        assert secrets["gsm"]["password"] == password, "GetSecrets gave another password"
        assert conn["user"]["data"]["org.omacp.message"] == msg, conn["user"]
        t = targets(prof)
        assert t["networkmanager"] == uuid, t
        ctx = w.ofono_contexts()[t["ofono"]]
        assert (ctx["AccessPointName"], ctx["Username"], ctx["Password"],
                ctx["AuthenticationMethod"], ctx["Type"]) == (apn, "alice", password, "chap",
                                                              "internet"), ctx
        return uuid, t["ofono"]

    def created():
        state["uuid"], state["ctx"] = nm_and_ofono_have_it("e2e.apn", "s3cret", state["msg1"])
    w.check("NetworkManager: one gsm connection with APN, username, password (GetSecrets) and "
            "org.omacp user keys; oFono: a context with the same APN and credentials", created)

    def update():
        cmt(w.encode(internet_xml("INTERNET1", "E2E Internet", "e2e-two.apn", "alice", "n3w"),
                     imsi=IMSI, sender=SENDER))
        state["msg2"] = msg = next_message("the update")
        w.wait_state(msg, "applied")
        uuid, ctx = nm_and_ofono_have_it("e2e-two.apn", "n3w", msg)
        assert (uuid, ctx) == (state["uuid"], state["ctx"]), (uuid, ctx, state)
        apns = [c["AccessPointName"] for c in w.ofono_contexts().values()]
        assert "e2e.apn" not in apns and apns.count("e2e-two.apn") == 1, apns
    w.check("a second message for the same profile (other APN) updates the same connection "
            "(same UUID, one connection) and the same oFono context", update)

    def undo():
        w.ctl_ok("undo", state["msg2"])
        assert w.props(state["msg2"])["State"] == "undone"
        uuid, ctx = nm_and_ofono_have_it("e2e.apn", "s3cret", state["msg1"])
        assert (uuid, ctx) == (state["uuid"], state["ctx"])
    w.check("omacpctl undo MESSAGE restores the previous APN and password in NetworkManager "
            "and oFono", undo)

    def hand_edit():
        w.stop(w.procs[[p.omacp_name for p in w.procs].index("agent")])
        out = subprocess_ok(["nmcli", "connection", "modify", state["uuid"], "gsm.apn",
                             "by-hand.apn"], w)
        assert out is not None
        cmt(w.encode(internet_xml("INTERNET1", "E2E Internet", "e2e-three.apn", "alice",
                                  "s3cret"), imsi=IMSI, sender=TRUSTED))
        msg = next_message("the message over a hand edit")
        w.wait_state(msg, "pending-confirmation")
        changes = w.changes(msg)
        edited = [c for c in changes if c["field"].endswith("edited-by-hand")]
        assert edited and "edited by hand" in edited[0]["risk"], changes
        # the oFono backend's preview: the context's changed fields, the password masked
        ofono = {c["field"]: c for c in changes if c["field"].startswith("ofono:")}
        apn = ofono.get("ofono:AccessPointName", {})
        assert (apn.get("old"), apn.get("new")) == ("e2e.apn", "e2e-three.apn"), changes
        assert ofono["ofono:Password"]["new"] == "(secret)", changes
        assert "ofono:Username" not in ofono, changes  # unchanged
        assert not any("s3cret" in (c["old"], c["new"]) for c in changes), \
            changes
        (uuid, conn), = w.nm_omacp_connections("internet:INTERNET1").items()
        assert conn["gsm"]["apn"] == "by-hand.apn", "overwritten without confirmation"
        w.ctl_ok("accept", msg)
        w.wait_state(msg, "applied")
        uuid, ctx = nm_and_ofono_have_it("e2e-three.apn", "s3cret", msg)
        assert uuid == state["uuid"]
    w.check("a connection edited by hand (nmcli) is not overwritten: even a trusted message "
            "goes to pending-confirmation with 'edited-by-hand' in its Changes (and the oFono "
            "context's changed APN, password masked); Accept overwrites it", hand_edit)

    def active_context():
        ctx = state["ctx"]
        w.call("org.ofono", ctx, "org.ofono.ConnectionContext", "SetProperty", "sv",
               ["Active", dbus.Boolean(True, variant_level=1)])
        harness.poll(lambda: w.ofono_contexts()[ctx]["Active"], 10, "the context to be active")
        cmt(w.encode(internet_xml("INTERNET1", "E2E Internet", "e2e-four.apn", "alice",
                                  "s3cret"), imsi=IMSI, sender=TRUSTED))
        msg = next_message("the message over an active context")
        w.wait_state(msg, "pending-confirmation")
        changes = w.changes(msg)
        active = [c for c in changes if c["field"] == "ofono:Active"]
        assert active and "active" in active[0]["risk"], changes
        now = w.ofono_contexts()[ctx]
        assert now["Active"] and now["AccessPointName"] == "e2e-three.apn", now
        w.ctl_ok("accept", msg)
        w.wait_state(msg, "applied")
        uuid, ctx_after = nm_and_ofono_have_it("e2e-four.apn", "s3cret", msg)
        assert (uuid, ctx_after) == (state["uuid"], ctx)
        harness.poll(lambda: w.ofono_contexts()[ctx]["Active"], 10,
                     "the context to be active again")
    w.check("a trusted message that would change an active oFono context waits in "
            "pending-confirmation ('ofono:Active' and its risk in Changes); Accept "
            "deactivates it, changes it and activates it again", active_context)

    def remove():
        prof = w.profile_by_identity("internet:INTERNET1")
        w.ctl_ok("remove", prof)
        assert prof not in w.profiles()
        assert state["uuid"] not in w.nm_connections()
        assert state["ctx"] not in w.ofono_contexts()
        # the plugin's file falls back to the SIM's other internet profile
        text = open(prov_file).read()
        assert "internet.AccessPointName=early.apn" in text, text
    w.check("omacpctl remove PROFILE deletes the NetworkManager connection and the oFono "
            "context (the oFono plugin's file keeps the SIM's other profile)", remove)

    def userpin():
        w.start_agent("--confirm", "yes", "--pin", PIN)
        pdus = w.encode(internet_xml("PIN1", "PIN Internet", "pin.apn"), sec="userpin",
                        pin=PIN, sender=SENDER)
        for p in pdus:
            modem.deliver_cmti(p, tpdu_len(p), wait="deleted")
        msg = next_message("the USERPIN message")
        props = w.wait_state(msg, "applied")
        assert props["Security"] == "userpin" and props["Authenticated"], props
        (uuid, conn), = w.nm_omacp_connections("internet:PIN1").items()
        assert conn["gsm"]["apn"] == "pin.apn", conn["gsm"]
        assert any(c["AccessPointName"] == "pin.apn" for c in w.ofono_contexts().values())
    w.check("USERPIN message via +CMTI (read and deleted by ofonod), PIN given by the agent "
            "-> applied, connection and context", userpin)

    def mms():
        before = set(w.messages())
        (ud,) = pdu.segment_push(pdu.MMS_PUSH, ref=77)
        modem.deliver_cmt(*pdu.deliver(ud, sender=SENDER))
        ev = consumer.reader.wait(lambda e: e.get("method") == "ReceiveNotification", 10,
                                  "the MMS notification at the consumer")
        assert ev["hex"] == pdu.MMS_PUSH.hex().upper(), ev
        assert ev["info"]["Sender"] == SENDER, ev
        assert set(w.messages()) == before, "an MMS notification became a message"
        # the slot is omacpd's: a second agent is refused
        try:
            w.call("org.ofono", "/fakemodem", "org.ofono.PushNotification", "RegisterAgent",
                   "o", ["/org/omacp/test/intruder"])
            raise AssertionError("oFono took a second push agent")
        except dbus.DBusException as e:
            assert e.get_dbus_name() == "org.ofono.Error.InProgress", e
    w.check("an MMS notification reaches the push.d consumer byte-exact while omacpd holds "
            "oFono's agent slot (a second RegisterAgent: InProgress)", mms)

    # -- the latencies ----------------------------------------------------------------
    def timing():
        to_object, to_connection = [], []
        e2e.drain(events)  # signals of the scenarios above
        for i in range(RUNS):
            identity = "internet:T%02d" % i
            pdus = w.encode(internet_xml("T%02d" % i, "T%02d" % i, "t%02d.apn" % i),
                            imsi=IMSI, sender=TRUSTED)
            assert len(pdus) == 1, pdus
            cmt(pdus)
            t_cmt = modem.cmt_written_at[-1]
            ev = events.wait(lambda e: e["event"] == "message-received", 15, "message")
            to_object.append(ev["t"] - t_cmt)
            ev = events.wait(lambda e: e["event"] == "nm-new", 15, "NM connection")
            s = e2e.unwrap(w.call(e2e.NM, ev["path"], e2e.NM + ".Settings.Connection",
                                  "GetSettings"))
            assert s["user"]["data"]["org.omacp.profile"] == identity, s["user"]
            to_connection.append(ev["t"] - t_cmt)
            w.wait_state(ev_path_message(w, identity), "applied")
        w.diag("e2e timing: cmt-to-object median %.1f ms over %d; sms-to-nm-connection median "
               "%.1f ms over %d" % (e2e.median_ms(to_object), RUNS,
                                    e2e.median_ms(to_connection), RUNS))
        w.diag("  cmt-to-object min/max %.1f/%.1f ms; sms-to-nm-connection min/max %.1f/%.1f ms"
               % (min(to_object) * 1000, max(to_object) * 1000, min(to_connection) * 1000,
                  max(to_connection) * 1000))
    w.check("%d single-segment NETWPIN messages from a trusted sender: +CMT -> message "
            "object -> NetworkManager connection (timed)" % RUNS, timing)

    def undo_caught_up():
        prof = state["early"]
        t = targets(prof)
        msg = w.props(prof)["Message"]
        w.ctl_ok("undo", msg)
        assert w.props(msg)["State"] == "undone"
        assert prof not in w.profiles()
        assert t["networkmanager"] not in w.nm_connections()
        assert t["ofono"] not in w.ofono_contexts()
    w.check("undo of the message applied before NetworkManager ran takes back both the oFono "
            "context and the connection made when NetworkManager appeared", undo_caught_up)

    def plugin_round_trip():
        if PLUGIN is None:
            w.diag("the omacp-provision plugin was not built or cannot be loaded (sanitizer "
                   "build): only the file was checked")
            return
        text = open(prov_file).read()
        assert "internet.AccessPointName=t%02d.apn" % (RUNS - 1) in text, text
        # a SIM oFono has no contexts for (its state wiped): oFono provisions it, and
        # the plugin answers from what omacpd wrote
        w.stop(w.ofonod)
        w.wait_log("ofono: stopped on modem /fakemodem")
        for entry in os.listdir("/var/lib/ofono"):  # the private tmpfs
            shutil.rmtree(os.path.join("/var/lib/ofono", entry), ignore_errors=True)
        w.start_ofono(modem, plugin=PLUGIN, env={"OMACP_OFONO_PROVISION_FILE": prov_file})
        w.ofono_modem_up()
        ctxs = harness.poll(lambda: w.ofono_contexts(), 10, "provisioned contexts")
        (ctx,) = ctxs.values()
        assert (ctx["Type"], ctx["AccessPointName"], ctx["Name"]) == (
            "internet", "t%02d.apn" % (RUNS - 1), "T%02d" % (RUNS - 1)), ctx
        with open(w.path("ofonod.log"), errors="replace") as f:
            assert "omacp-provision: 1 context(s) for 00101" in f.read()
        # and omacpd took the agent slot of the restarted ofonod again
        harness.poll(lambda: w.omacpd_log().count("ofono: listening on modem /fakemodem") == 2,
                     10, "the push agent registered again")
    w.check("ofonod restarted with the omacp-provision plugin and the SIM's state wiped: "
            "the internet context comes from the file omacpd wrote; omacpd registers its "
            "agent again", plugin_round_trip)

    def clean_exit():
        rc = w.stop_omacpd()
        assert rc == 0, "omacpd exited with %s" % rc
        log = w.omacpd_log()
        for bad in ("CRITICAL", "WARNING"):
            assert bad not in log, [line for line in log.splitlines() if bad in line]
    w.check("omacpd stops cleanly (no warnings or criticals in its log)", clean_exit)

    w.finish()


def ev_path_message(w, identity):
    return w.props(w.profile_by_identity(identity))["Message"]


def subprocess_ok(argv, w):
    import subprocess
    r = subprocess.run(argv, capture_output=True, text=True, timeout=30,
                       env=dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=w.bus_address))
    if r.returncode != 0:
        raise AssertionError("%s: %s%s" % (" ".join(argv), r.stdout, r.stderr))
    return r.stdout


if __name__ == "__main__":
    main()
