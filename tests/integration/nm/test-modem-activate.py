#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""An accepted internet profile activated on a real NetworkManager
modem device.

The real ModemManager drives the fake AT modem (a unix socket attached with
Test.SetProfile); the real NetworkManager, on the same private bus with its
WWAN plugin and modems managed (every other device unmanaged), makes it a
Broadband device and enables it. omacpd applies through libnm as in
production.

The modem is "connected through another connection of that SIM" while a
hand-made connection's dial rings (the fake modem holds its ATD): NM has an
ActiveConnection for it on the modem device, state activating. A full
activation cannot complete here: after CONNECT, NetworkManager starts pppd
on the data port, and it fails with 'ppp-start-failed' (no /sbin/modprobe
for ppp_generic, no pppd, and the port is a unix socket, not a tty; see
README.md). So the tests assert on NetworkManager's activation of *our*
connection: the ActiveConnection made for it on the modem device, the
previous one's deactivation, the dial with our APN, and the failure reason
NetworkManager reports.

Run through tests/integration/nm/run-in-netns.sh (root, private namespaces).
"""

import os
import time
import uuid

import dbus

from omacptest import e2e, provdoc
from omacptest.conf import omacpd_conf
from omacptest.daemon import push
from omacptest.e2e import MM, MM_PATH, NM, FakeModem, harness

HERE = os.path.dirname(os.path.abspath(__file__))
IMSI = "001010000067890"
ICCID = "8944500102198304826"  # the fake modem's card
NM_PATH = "/org/freedesktop/NetworkManager"
MANAGER = "org.omacp.Provisioning1.Manager"

# NetworkManager.conf of the harness with modems managed: NM's WWAN plugin
# follows ModemManager and manages the Broadband device; lo and anything
# else stay unmanaged
UNMANAGE_ALL = "unmanaged-devices=*\n[device-unmanage-all]\nmatch-device=*\nmanaged=0\n"
assert UNMANAGE_ALL in e2e.NM_CONF
NM_MODEM_CONF = e2e.NM_CONF.replace(UNMANAGE_ALL, "unmanaged-devices=except:type:gsm\n")

# NetworkManager's numbers (nm-dbus-interface.h)
DEVICE_DISCONNECTED = 30
DEVICE_FAILED = 120
REASON_PPP_START_FAILED = 12
REASON_NEW_ACTIVATION = 60
AC_ACTIVATING = 1
AC_DEACTIVATING = 3
AC_DEACTIVATED = 4



def omacpd_config(activate):
    return omacpd_conf(["NetworkManager"], []) + "[Policy]\nActivate=%s\n" % activate


def main():
    e2e.skip_unless_ready([e2e.MODEMMANAGER, "NetworkManager", "dbus-daemon"])
    w = e2e.World("nm-modem-activate")
    w.start_polkit()
    modem = FakeModem(imsi=IMSI, iccid=ICCID, unix_path=w.path("modem.sock"),
                      log_path=w.path("fakemodem.log"), cmt=False)
    w.cleanups.append(modem.stop)
    nm_events = w.start_watcher(harness.PYTHON, [os.path.join(HERE, "nm-events.py")],
                                name="nm-events").reader
    s = {}

    def nm_props(path, iface):
        return w.get_all(NM, path, NM + "." + iface)

    def modem_device():
        for d in w.call(NM, NM_PATH, NM, "GetAllDevices"):
            p = nm_props(d, "Device")
            if p["Udi"] == s["modem"]:
                return str(d), p
        return None

    def conn_path(u):
        return str(w.call(NM, e2e.NM_SETTINGS, NM + ".Settings", "GetConnectionByUuid", "s", [u]))

    def actives_of(u):
        """The ActiveConnections NetworkManager holds for connection @u."""
        out = []
        for ac in e2e.unwrap(w.call(NM, NM_PATH, "org.freedesktop.DBus.Properties", "Get",
                                    "ss", [NM, "ActiveConnections"])):
            try:
                p = nm_props(ac, "Connection.Active")
            except dbus.DBusException:
                continue  # gone meanwhile
            if p["Uuid"] == u:
                p["_path"] = ac
                out.append(p)
        return out

    def autoconnect(u):
        c = w.nm_connections()[u]["connection"]
        return c.get("autoconnect", True)

    def add_hand_made(name, apn):
        """A connection of the SIM made by hand (or a wizard): its default."""
        u = str(uuid.uuid4())
        settings = dbus.Dictionary({
            "connection": dbus.Dictionary({"id": name, "uuid": u, "type": "gsm",
                                           "autoconnect": dbus.Boolean(True)}, signature="sv"),
            "gsm": dbus.Dictionary({"apn": apn, "sim-id": ICCID, "sim-operator-id": "00101"},
                                   signature="sv"),
            "ipv4": dbus.Dictionary({"method": "auto"}, signature="sv"),
            "ipv6": dbus.Dictionary({"method": "ignore"}, signature="sv"),
        }, signature="sa{sv}")
        w.call(NM, e2e.NM_SETTINGS, NM + ".Settings", "AddConnection", "a{sa{sv}}", [settings])
        return u

    def deliver(napid, name, apn):
        data = push(provdoc.internet(napid, name, apn).encode(), xml=True)
        opts = dbus.Dictionary({"imsi": IMSI, "iccid": ICCID}, signature="sv")
        msg = str(w.call(e2e.OMACP, e2e.OMACP_ROOT, MANAGER, "Deliver", "aysa{sv}",
                         [dbus.ByteArray(data), "wsp", opts]))
        w.wait_state(msg, "quarantined")
        return msg

    def accept(msg, method):
        w.call(e2e.OMACP, msg, e2e.MESSAGE, method, "s", [""], timeout=60)
        props = w.wait_state(msg, "applied")
        prof = props["Profiles"][0]
        (backend, u), = w.props(prof)["Targets"]
        assert backend == "networkmanager", w.props(prof)["Targets"]
        return prof, u

    def dialled_apns(since=0):
        """The APNs of the PDP contexts dialled, from the @since-th dial on."""
        with modem.lock:
            return [apn for _, apn in modem.dialled[since:]]

    def wait_dial(apn, since):
        """Waits for a dial of a context with @apn after the first @since dials
        (NetworkManager may try IPv4v6, then IPv4: one dial each)."""
        harness.poll(lambda: apn in dialled_apns(since), 30,
                     "a dial with APN %s (dialled: %s)" % (apn, dialled_apns()), interval=0.02)

    def hand_activating():
        """The hand-made connection's ActiveConnection, once alone and
        activating (NetworkManager may replace a first one)."""
        acs = harness.poll(lambda: (lambda a: a if len(a) == 1 and
                                    a[0]["State"] == AC_ACTIVATING else None)(
                                        actives_of(s["hand"])), 20, "hand-made activating",
                           interval=0.05)
        s["ac_hand"] = acs[0]["_path"]
        return acs[0]

    def gone_or_deactivated(path, what, timeout=30):
        def done():
            try:
                return nm_props(path, "Connection.Active")["State"] == AC_DEACTIVATED
            except dbus.DBusException:
                return True
        harness.poll(done, timeout, what, interval=0.02)

    def ac_state(path, states, what, timeout=30):
        return nm_events.wait(lambda e: e["event"] == "ac-state" and e["path"] == path and
                              e["state"] in states, timeout, what)

    # ---- the world ----

    def bring_up():
        w.spawn("ModemManager", [e2e.MODEMMANAGER, "--test-enable", "--test-no-udev",
                                 "--no-auto-scan", "--test-no-qrtr", "--test-no-suspend-resume",
                                 "--debug"])
        w.wait_name(MM, timeout=15)
        w.call(MM, MM_PATH, MM + ".Test", "SetProfile", "ssas",
               ["fake0", "generic", [modem.address]])
        objs = harness.poll(lambda: w.call(MM, MM_PATH, "org.freedesktop.DBus.ObjectManager",
                                           "GetManagedObjects"), 20, "the modem", interval=0.05)
        s["modem"] = str(list(objs)[0])
        w.start_nm(NM_MODEM_CONF)
        s["dev"], dev = harness.poll(
            lambda: (lambda d: d if d and d[1]["State"] >= DEVICE_DISCONNECTED else None)(
                modem_device()), 30, "NetworkManager's modem device ready", interval=0.05)
        assert dev["DeviceType"] == 8 and dev["Managed"], dev  # NM_DEVICE_TYPE_MODEM
        assert dev["Interface"] == modem.address and dev["Driver"] == "virtual", dev
        # NetworkManager enabled the modem through ModemManager (polkit asked)
        harness.poll(lambda: w.call(MM, s["modem"], "org.freedesktop.DBus.Properties", "Get",
                                    "ss", [MM + ".Modem", "State"]) >= 8, 30,
                     "the modem enabled and registered (MM_MODEM_STATE_REGISTERED)",
                     interval=0.05)
        w.start_omacpd(omacpd_config("ask"))
    w.check("NetworkManager manages the fake modem as a Broadband device (the real "
            "ModemManager in the same bus and namespace) and enables it", bring_up)

    def hand_made_connecting():
        modem.dial_answer = None  # the dial rings: NM keeps activating
        # autoconnect: NetworkManager activates it on the modem by itself
        s["hand"] = add_hand_made("Hand-made", "hand.apn")
        wait_dial("hand.apn", 0)
        p = hand_activating()
        assert p["Devices"] == [s["dev"]], p
    w.check("a hand-made connection of the SIM (its default, autoconnect) is activating on "
            "the modem device; ModemManager dialled its APN", hand_made_connecting)

    def accept_and_activate():
        msg = deliver("NAP-A", "Net A", "a.apn")
        modem.dial_answer = "CONNECT"
        s["msg_a"] = msg
        since = len(modem.dialled)
        e2e.drain(nm_events)
        prof, u = accept(msg, "AcceptAndActivate")
        s["uuid_a"] = u
        conn = w.nm_connections()[u]
        assert conn["gsm"]["sim-id"] == ICCID and conn["gsm"]["apn"] == "a.apn", conn["gsm"]
        assert autoconnect(u) is True and autoconnect(s["hand"]) is False
        # what omacpd asked NetworkManager: activate our connection on the modem
        acs = actives_of(u)
        assert len(acs) == 1, acs
        assert acs[0]["Devices"] == [s["dev"]] and acs[0]["Type"] == "gsm", acs[0]
        assert acs[0]["State"] == AC_ACTIVATING, acs[0]
        s["ac_a"] = acs[0]["_path"]
        # NetworkManager takes the device from the hand-made connection
        ac_state(s["ac_hand"], (AC_DEACTIVATING, AC_DEACTIVATED), "hand-made deactivating")
        nm_events.wait(lambda e: e["event"] == "device-state" and e["path"] == s["dev"] and
                       e["reason"] == REASON_NEW_ACTIVATION, 10, "device: new-activation")
        modem.release_dial("NO CARRIER")  # the ringing dial gives up
        gone_or_deactivated(s["ac_hand"], "hand-made deactivated")
        # ... and dials our APN for our connection
        wait_dial("a.apn", since)
        ac_state(s["ac_a"], (AC_ACTIVATING,), "ours activating")
        failed = nm_events.wait(lambda e: e["event"] == "device-state" and
                                e["path"] == s["dev"] and e["new"] == DEVICE_FAILED, 30,
                                "the modem device failing")
        # the end of the road here: no pppd (see README.md)
        assert failed["reason"] == REASON_PPP_START_FAILED, failed
        ac_state(s["ac_a"], (AC_DEACTIVATED,), "ours deactivated")
        assert "Activation: starting connection 'Net A' (%s)" % u in open(
            w.path("NetworkManager.log"), errors="replace").read()
    w.check("Activate=ask + AcceptAndActivate: omacpd makes it the SIM's default and "
            "NetworkManager activates it on the modem device (ActiveConnection for it, "
            "the hand-made one deactivated, our APN dialled, then ppp-start-failed)",
            accept_and_activate)

    def undo():
        modem.dial_answer = None
        since = len(modem.dialled)
        w.call(e2e.OMACP, s["msg_a"], e2e.MESSAGE, "Undo", timeout=60)
        w.wait_state(s["msg_a"], "undone")
        conns = w.nm_connections()
        assert s["uuid_a"] not in conns and autoconnect(s["hand"]) is True
        # the modem runs on the hand-made connection again
        wait_dial("hand.apn", since)
        p = hand_activating()
        assert p["Devices"] == [s["dev"]], p
    w.check("Undo deletes it, gives the hand-made connection autoconnect back and "
            "activates it again on the modem", undo)

    def accept_only():
        msg = deliver("NAP-B", "Net B", "b.apn")
        prof, u = accept(msg, "Accept")
        assert autoconnect(u) is True and autoconnect(s["hand"]) is False
        time.sleep(1.5)  # time for an activation nobody asked for
        assert actives_of(u) == [], actives_of(u)
        hand_activating()
        assert "b.apn" not in dialled_apns(), dialled_apns()
        s["uuid_b"] = u
    w.check("Activate=ask + plain Accept: the SIM's default, not switched to (the "
            "hand-made connection keeps the modem)", accept_only)

    def always():
        w.stop_omacpd()
        w.start_omacpd(omacpd_config("always"))
        msg = deliver("NAP-C", "Net C", "c.apn")
        since = len(modem.dialled)
        prof, u = accept(msg, "Accept")
        acs = actives_of(u)
        assert len(acs) == 1 and acs[0]["Devices"] == [s["dev"]], acs
        assert autoconnect(u) is True
        assert autoconnect(s["hand"]) is False and autoconnect(s["uuid_b"]) is False
        modem.release_dial("NO CARRIER")  # the hand-made one's
        # Net C's own dial rings in turn: the modem is Net C's now
        wait_dial("c.apn", since)
        s["uuid_c"] = u
    w.check("Activate=always + plain Accept: activated on the modem device, previous "
            "defaults off", always)

    def never():
        w.stop_omacpd()
        w.start_omacpd(omacpd_config("never"))
        msg = deliver("NAP-D", "Net D", "d.apn")
        prof, u = accept(msg, "AcceptAndActivate")
        assert autoconnect(u) is True and autoconnect(s["uuid_c"]) is False
        time.sleep(1.5)
        assert actives_of(u) == [] and "d.apn" not in dialled_apns(), dialled_apns()
        acs = actives_of(s["uuid_c"])
        assert len(acs) == 1 and acs[0]["State"] == AC_ACTIVATING, acs
        assert w.props(prof)["Settings"]["activate"] is False
    w.check("Activate=never + AcceptAndActivate: the SIM's default, never switched to "
            "(the modem stays on the connection it runs on)", never)

    def catch_up_after_restart():
        # the choice made on accepting outlives an apply that waits for
        # NetworkManager and a restart of omacpd
        w.stop_omacpd()
        w.start_omacpd(omacpd_config("ask"))
        w.stop(w.nm, timeout=20)
        msg = deliver("NAP-E", "Net E", "e.apn")
        w.call(e2e.OMACP, msg, e2e.MESSAGE, "AcceptAndActivate", "s", [""], timeout=60)
        props = w.wait_state(msg, "accepted")
        assert "waiting for networkmanager" in props["Error"], props["Error"]
        assert w.stop_omacpd() == 0
        w.start_omacpd(omacpd_config("ask"))
        assert w.props(msg)["State"] == "accepted"
        w.start_nm(NM_MODEM_CONF)
        w.wait_state(msg, "applied", timeout=30)
        prof = w.props(msg)["Profiles"][0]
        settings = w.props(prof)["Settings"]
        assert settings["make-default"] is True and settings["activate"] is True, settings
        (_, u), = w.props(prof)["Targets"]
        assert autoconnect(u) is True
        others = [x for x, c in w.nm_connections().items()
                  if x != u and c["connection"]["type"] == "gsm"]
        assert others and all(autoconnect(x) is False for x in others), others
    w.check("AcceptAndActivate while NetworkManager is away, omacpd restarted: the apply "
            "caught up later still makes it the default with activate", catch_up_after_restart)

    def clean_exit():
        assert w.stop_omacpd() == 0
        log = w.omacpd_log()
        for bad in ("CRITICAL", "WARNING"):
            assert bad not in log, [line for line in log.splitlines() if bad in line]
    w.check("omacpd stops cleanly (no warnings or criticals in its log)", clean_exit)

    w.finish()


if __name__ == "__main__":
    main()
