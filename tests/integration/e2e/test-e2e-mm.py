#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The whole chain on ModemManager: the fake modem (a unix socket attached with
ModemManager's Test.SetProfile) announces SMS with +CMTI -> real ModemManager ->
omacpd's ModemManager adapter -> message object -> real NetworkManager, started only
after the message was accepted; the SMS are deleted from the modem; a later message
confirmed by an agent updates the same connection.

Run through tests/integration/nm/run-in-netns.sh (root, private namespaces).
"""

import time

from omacptest import e2e
from omacptest.e2e import harness, FakeModem, internet_xml, tpdu_len, MM, MM_PATH

IMSI = "001010000067890"
ICCID = "8944500102198304826"  # the fake modem's card
SENDER = "+447700900123"
TRUSTED = "+19990000000"
RUNS = 10


def main():
    e2e.skip_unless_ready([e2e.MODEMMANAGER, "NetworkManager", "dbus-daemon"])
    w = e2e.World("e2e-mm")
    w.start_polkit()
    events = w.start_events()
    modem = FakeModem(imsi=IMSI, iccid=ICCID, unix_path=w.path("modem.sock"),
                      log_path=w.path("fakemodem.log"), cmt=False, reannounce=True)
    w.cleanups.append(modem.stop)
    state = {}

    def prop(path, iface, name):
        return w.call(MM, path, "org.freedesktop.DBus.Properties", "Get", "ss", [iface, name])

    def sms_on_modem():
        return [str(p) for p in w.call(MM, state["modem"], MM + ".Modem.Messaging", "List")]

    def bring_up():
        w.spawn("ModemManager", [e2e.MODEMMANAGER, "--test-enable", "--test-no-udev",
                                 "--no-auto-scan", "--test-no-qrtr", "--test-no-suspend-resume",
                                 "--debug"])
        w.wait_name(MM, timeout=15)
        w.call(MM, MM_PATH, MM + ".Test", "SetProfile", "ssas",
               ["fake0", "generic", [modem.address]])
        objs = harness.poll(lambda: w.call(MM, MM_PATH, "org.freedesktop.DBus.ObjectManager",
                                           "GetManagedObjects"), 20, "the modem", interval=0.05)
        state["modem"] = path = str(list(objs)[0])
        harness.poll(lambda: prop(path, MM + ".Modem", "State") >= 3, 20, "modem initialised",
                     interval=0.02)
        w.call(MM, path, MM + ".Modem", "Enable", "b", [True], timeout=30)
        w.start_omacpd(e2e.config(["NetworkManager", "oFono"], ["ModemManager"],
                                  trusted=TRUSTED))
        w.wait_log("modemmanager: listening on modem %s, SIM 00101" % path)
    w.check("ModemManager (test mode) with the fake modem enabled, omacpd follows its "
            "messaging; neither NetworkManager nor oFono runs", bring_up)

    def cmti(pdus):
        for p in pdus:
            modem.deliver_cmti(p, tpdu_len(p))

    def next_message(what):
        return events.wait(lambda e: e["event"] == "message-received", 20, what)["path"]

    def waits():
        pdus = w.encode(internet_xml("MM1", "MM Internet", "mm.apn", "bob", "pa55"),
                        imsi=IMSI, sender=TRUSTED)
        assert len(pdus) == 2, pdus
        cmti(pdus)
        state["msg1"] = msg = next_message("the NETWPIN message")
        props = w.wait_state(msg, "accepted")
        assert props["Security"] == "netwpin" and props["Authenticated"], props
        assert props["Imsi"] == IMSI[:5] + "********" + IMSI[-2:] and props["Sender"] == TRUSTED, props
        assert props["Modem"] == state["modem"], props
        assert "waiting for networkmanager or ofono" in props["Error"], props["Error"]
        time.sleep(0.3)  # nothing may change while no backend runs
        assert w.props(msg)["State"] == "accepted"
    w.check("NETWPIN message in 2 segments via +CMTI, from a trusted sender: the message "
            "waits in 'accepted' while no backend runs", waits)

    def deleted():
        harness.poll(lambda: not sms_on_modem(), 15, "the SMS deleted from ModemManager",
                     interval=0.05)
        harness.poll(lambda: not modem.storage, 5, "the SMS deleted from the modem storage")
        assert any(c.upper().startswith("AT+CMGD=") for c in modem.commands), "no AT+CMGD"
    w.check("the SMS are deleted from the modem once omacpd stored the message", deleted)

    def nm_late():
        w.start_nm()
        w.wait_state(state["msg1"], "applied")
        conns = w.nm_omacp_connections("internet:MM1")
        assert len(conns) == 1, conns
        (uuid, conn), = conns.items()
        assert conn["connection"]["type"] == "gsm", conn["connection"]
        assert conn["gsm"]["apn"] == "mm.apn" and conn["gsm"]["username"] == "bob", conn["gsm"]
        assert conn["gsm"].get("sim-operator-id") == "00101", conn["gsm"]
        # the card's ICCID, read by the ModemManager adapter, binds it
        assert conn["gsm"].get("sim-id") == ICCID, conn["gsm"]
        # applied by policy, nobody accepted it: not made the SIM's default
        assert conn["connection"].get("autoconnect") is False, conn["connection"]
        assert "network-id" not in conn["gsm"], "network-id pinned: breaks roaming"
        assert w.nm_secrets(conn["_path"], "gsm")["gsm"]["password"] == "pa55"
        assert conn["user"]["data"]["org.omacp.message"] == state["msg1"], conn["user"]
        prof = w.profile_by_identity("internet:MM1")
        assert w.props(prof)["Targets"] == [("networkmanager", uuid)], w.props(prof)["Targets"]
        state["uuid"] = uuid
    w.check("NetworkManager started after the message was accepted: it is applied, a gsm "
            "connection with APN, username, password (GetSecrets), SIM operator and "
            "org.omacp keys", nm_late)

    def update():
        w.start_agent("--confirm", "yes")
        cmti(w.encode(internet_xml("MM1", "MM Internet", "mm-two.apn", "bob", "pa55"),
                      imsi=IMSI, sender=SENDER))
        msg = next_message("the update")
        w.wait_state(msg, "applied")
        conns = w.nm_omacp_connections("internet:MM1")
        assert list(conns) == [state["uuid"]], conns
        assert conns[state["uuid"]]["gsm"]["apn"] == "mm-two.apn"
        # a user (through the agent) accepted it: now the SIM's default
        assert conns[state["uuid"]]["connection"].get("autoconnect", True) is True, \
            conns[state["uuid"]]["connection"]
        harness.poll(lambda: not sms_on_modem(), 15, "the SMS deleted", interval=0.05)
    w.check("a second message (untrusted sender, agent confirms) updates the same connection",
            update)

    def timing():
        to_object, to_connection = [], []
        e2e.drain(events)
        for i in range(RUNS):
            pdus = w.encode(internet_xml("M%02d" % i, "M%02d" % i, "m%02d.apn" % i), imsi=IMSI,
                            sender=TRUSTED)
            assert len(pdus) == 1, pdus
            cmti(pdus)
            t_sms = modem.cmt_written_at[-1]
            ev = events.wait(lambda e: e["event"] == "message-received", 15, "message")
            to_object.append(ev["t"] - t_sms)
            ev = events.wait(lambda e: e["event"] == "nm-new", 15, "NM connection")
            to_connection.append(ev["t"] - t_sms)
            w.wait_state(w.props(w.profile_by_identity("internet:M%02d" % i))["Message"],
                         "applied")
        w.diag("e2e timing (ModemManager): cmti-to-object median %.1f ms over %d; "
               "sms-to-nm-connection median %.1f ms over %d" % (
                   e2e.median_ms(to_object), RUNS, e2e.median_ms(to_connection), RUNS))
    w.check("%d single-segment messages via +CMTI: message object and connection (timed)" %
            RUNS, timing)

    def clean_exit():
        rc = w.stop_omacpd()
        assert rc == 0, "omacpd exited with %s" % rc
        log = w.omacpd_log()
        for bad in ("CRITICAL", "WARNING"):
            assert bad not in log, [line for line in log.splitlines() if bad in line]
    w.check("omacpd stops cleanly (no warnings or criticals in its log)", clean_exit)

    w.finish()


if __name__ == "__main__":
    main()
