#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Real ModemManager (--test-enable --test-no-udev, Test.SetProfile on a unix socket)
with two fake AT modems (two SIMs) on a private bus: the omacp ModemManager adapter
(watch-pushes --stack mm) must pick up provisioning pushes from SMS stored before it
started (List) and arriving later (+CMTI, single and multi-segment out of order),
byte-exact with the right modem, IMSI, ICCID and sender, delete each from the modem
once the callback took it or refused it (a refused push must not fill the SIM), and
leave text SMS and other binary SMS alone (unless a push.d consumer takes a non-provisioning push).

usage: test-mm-sms.py WATCH_PUSHES_PROGRAM
"""

import os
import sys
import time

from fakemodem import FakeModem

from omacptest import harness, pdu

HERE = os.path.dirname(os.path.abspath(__file__))

MM = "/usr/sbin/ModemManager"
MM_SERVICE = "org.freedesktop.ModemManager1"
MM_PATH = "/org/freedesktop/ModemManager1"
IMSIS = ["001010000000011", "001010000000012"]
ICCIDS = ["8900101000000000011", "8900101000000000012"]
SENDER = "+447700900123"


def main():
    harness.need_programs(MM, "dbus-daemon")
    watch = sys.argv[1]
    h = harness.Harness("mm")
    h.start_bus()
    import dbus

    def call(path, iface, method, sig="", args=(), timeout=20):
        return h.bus.call_blocking(MM_SERVICE, path, iface, method, sig, list(args),
                                   timeout=timeout)

    def prop(path, iface, name):
        return call(path, "org.freedesktop.DBus.Properties", "Get", "ss", [iface, name])

    def sms_list(modem):
        out = []
        for p in call(modem, MM_SERVICE + ".Modem.Messaging", "List"):
            try:
                props = call(p, "org.freedesktop.DBus.Properties", "GetAll", "s",
                             [MM_SERVICE + ".Sms"])
            except dbus.DBusException:
                continue  # deleted meanwhile
            out.append((str(p), props))
        return out

    def data_of(props):
        return bytes(props.get("Data", b""))

    h.spawn("polkit", [harness.PYTHON, os.path.join(HERE, "fake-polkit.py")])
    consumer = h.start_watcher(harness.PYTHON, [os.path.join(HERE, "..", "ofono", "consumer.py"),
                                                "org.omacp.TestMmsdTng"], name="consumer")
    h.wait_name("org.freedesktop.PolicyKit1")

    modems = [FakeModem(imsi=IMSIS[i], iccid=ICCIDS[i], unix_path=h.path("modem%d.sock" % i),
                        log_path=h.path("fakemodem%d.log" % i), cmt=False, reannounce=True)
              for i in range(2)]
    h.cleanups.append(lambda: [m.stop() for m in modems])

    wbxml = pdu.load_hex_lines(os.path.join(pdu.vectors_dir(),
                                            "03-gecko-netwpin-minimal.wbxml.hex"))[0]
    mac = "1AF545FE2823DC9347064450F90FF1BBF957E146"
    stored_push = pdu.cp_push(wbxml, sec=0x80, mac=mac, tid=0x11)

    # Stored on modem0's SIM before anyone listens: a CP push, a text SMS, an MMS push.
    (ud,) = pdu.segment_push(stored_push, ref=1)
    modems[0].store(*pdu.deliver(ud, sender=SENDER))
    modems[0].store(*pdu.text_deliver("hello there"))
    (ud,) = pdu.segment_push(pdu.MMS_PUSH, ref=2)
    modems[0].store(*pdu.deliver(ud, sender=SENDER))

    h.spawn("ModemManager", [MM, "--test-enable", "--test-no-udev", "--no-auto-scan",
                             "--test-no-qrtr", "--test-no-suspend-resume", "--debug",
                             "--log-level=DEBUG", "--log-timestamps"])
    paths = {}

    def bring_up():
        h.wait_name(MM_SERVICE, timeout=15)
        for i, m in enumerate(modems):
            call(MM_PATH, MM_SERVICE + ".Test", "SetProfile", "ssas",
                 ["fake%d" % i, "generic", [m.address]])
        found = harness.poll(lambda: len(call(MM_PATH, "org.freedesktop.DBus.ObjectManager",
                                              "GetManagedObjects")) == 2, 20, "two modems",
                             interval=0.05)
        for p in call(MM_PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects"):
            harness.poll(lambda p=p: prop(p, MM_SERVICE + ".Modem", "State") >= 3, 20,
                         "modem initialised", interval=0.02)
            sim = prop(p, MM_SERVICE + ".Modem", "Sim")
            imsi = str(prop(sim, MM_SERVICE + ".Sim", "Imsi"))
            paths[IMSIS.index(imsi)] = str(p)
        for i in range(2):
            call(paths[i], MM_SERVICE + ".Modem", "Enable", "b", [True], timeout=30)
        return found
    t0 = time.monotonic()
    h.check("ModemManager up, two fake modems enabled through Test.SetProfile", bring_up)
    h.diag("ModemManager start to both modems enabled: %.2f s" % (time.monotonic() - t0))

    def stored_listed():
        harness.poll(lambda: len(sms_list(paths[0])) == 3, 10, "3 stored SMS on modem0")
    h.check("the three SMS stored before start are SMS objects on modem0", stored_listed)

    def start_watcher(name, args=()):
        w = h.start_watcher(watch, ["--stack", "mm"] + list(args), name=name)
        for i in range(2):
            ev = w.reader.wait(lambda e, i=i: e.get("event") == "modem" and
                               e["modem"] == paths[i] and e["listening"], 10,
                               "messaging of modem%d followed" % i)
        return w

    def expect_push(reader, expected, i, what, timeout=15):
        ev = reader.wait(lambda e: e.get("event") == "push" and
                         e["hex"] == expected.hex().upper(), timeout, what)
        assert ev["source"] == "modemmanager", ev
        assert ev["modem"] == paths[i], ev
        assert ev["imsi"] == IMSIS[i], ev
        assert ev["iccid"] == ICCIDS[i], ev
        assert ev["sender"] == SENDER, ev
        return ev

    def gone_from(i, expected, what):
        harness.poll(lambda: all(data_of(p) != expected for _, p in sms_list(paths[i])), 10,
                     what, interval=0.02)

    # -- a watcher whose daemon refuses every provisioning push: deleted, not
    # left to fill the SIM; the text SMS and the MMS push stay
    w = h.check("watcher (refusing) follows both modems", lambda: start_watcher("watcher-reject",
                                                                                ["--reject"]))

    def refused():
        expect_push(w.reader, stored_push, 0, "stored push, refused")
        gone_from(0, stored_push, "refused push deleted")
        time.sleep(0.3)  # give a wrong Delete the time to happen
        left = sms_list(paths[0])
        assert len(left) == 2, left
    h.check("a provisioning push the daemon refuses is deleted from modem storage", refused)
    h.stop(w)

    def stored_again():
        (ud,) = pdu.segment_push(stored_push, ref=1)
        modems[0].deliver_cmti(*pdu.deliver(ud, sender=SENDER))
        harness.poll(lambda: any(data_of(p) == stored_push for _, p in sms_list(paths[0])),
                     10, "the push stored again", interval=0.05)
    h.check("the push arrives again while nobody listens", stored_again)

    # -- the real watcher: List() at start, delete after the callback
    w = h.check("watcher follows both modems, SIM IMSIs known", lambda: start_watcher("watcher"))
    events = w.reader

    def from_list():
        expect_push(events, stored_push, 0, "stored push via List()")
        gone_from(0, stored_push, "stored push deleted")
        left = sms_list(paths[0])
        texts = [p for _, p in left if str(p.get("Text", "")) == "hello there"]
        mms = [p for _, p in left if data_of(p) == pdu.MMS_PUSH]
        assert len(texts) == 1 and len(mms) == 1, left
    h.check("push stored before start handled via List() and deleted; text SMS and MMS push "
            "left alone", from_list)

    for i in range(2):
        single = pdu.cp_push(wbxml, sec=0x80, mac=mac, tid=0x20 + i)  # one of a kind

        def single_cmti(i=i, single=single):
            (ud,) = pdu.segment_push(single, ref=3 + i)
            modems[i].deliver_cmti(*pdu.deliver(ud, sender=SENDER))
            expect_push(events, single, i, "single push on modem%d" % i)
            gone_from(i, single, "single push deleted from modem%d" % i)
        h.check("single-segment CP push via +CMTI on modem%d: byte-exact, IMSI/ICCID/sender, "
                "deleted" % i, single_cmti)

    vectors = ["05-vn-mobifone-gprs-userpin1111.ud.hex", "06-vn-vinaphone-gprs-userpin1111.ud.hex",
               "07-vn-viettel-gprs-userpin1111.ud.hex"]
    orders = {3: [2, 0, 1], 4: [3, 1, 0, 2]}
    for n, name in enumerate(vectors):
        uds = pdu.load_hex_lines(os.path.join(pdu.vectors_dir(), name))
        expected = pdu.reassemble(uds)
        i = n % 2

        def multi(uds=uds, expected=expected, i=i, name=name):
            for k in orders[len(uds)]:
                modems[i].deliver_cmti(*pdu.deliver(uds[k], sender=SENDER))
            expect_push(events, expected, i, name)
            gone_from(i, expected, name + " deleted")
        h.check("%s: %d segments out of order via +CMTI on modem%d: byte-exact, deleted" %
                (name.split(".")[0], len(uds), i), multi)

    def no_mms():
        assert not events.find(lambda e: e.get("event") == "push" and
                               e["hex"] == pdu.MMS_PUSH.hex().upper())
    h.check("the MMS push never reached the provisioning callback", no_mms)

    def no_duplicates():
        seen = [e["hex"] for e in events.find(lambda e: e.get("event") == "push")]
        assert len(seen) == len(set(seen)) == 6, seen
    h.check("each push reached the callback exactly once", no_duplicates)

    h.stop(w)

    # -- with a push.d consumer (mmsd-tng with AutoProcessSMSWAP=false): MMS forwarded, deleted
    push_dir = h.path("push.d")
    os.mkdir(push_dir)
    with open(os.path.join(push_dir, "mmsd-tng.conf"), "w") as f:
        f.write("[Consumer]\nContentType=application/vnd.wap.mms-message\n"
                "BusName=org.omacp.TestMmsdTng\nObjectPath=/org/ofono/mms\n"
                "Interface=org.ofono.mms.ModemManager\nMethod=PushNotify\n"
                "Arguments=notification\nBus=system\n")

    def forwarded():
        start_watcher("watcher-pushd", ["--push-dir", push_dir])
        consumer.reader.wait(lambda e: e.get("method") == "PushNotify" and
                             e["hex"] == pdu.MMS_PUSH.hex().upper(), 10, "MMS push at consumer")
        gone_from(0, pdu.MMS_PUSH, "forwarded MMS push deleted")
        left = sms_list(paths[0])
        assert [str(p.get("Text")) for _, p in left] == ["hello there"], left
    h.check("with push.d, the MMS push goes to the mmsd-tng consumer and is deleted; the text "
            "SMS stays", forwarded)

    h.finish()


if __name__ == "__main__":
    main()
