#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Real ofonod (phonesim plugin) on a private bus with two fake AT modems (two SIMs):
the omacp oFono adapter (watch-pushes) must receive provisioning pushes byte-exact
via +CMT and +CMTI, single and multi-segment out of order, with the right IMSI and
sender; forward an MMS notification to the push.d consumers; and take the agent
slot again after a power cycle and after ofonod restarts.

usage: test-ofono-push.py WATCH_PUSHES_PROGRAM
"""

import os
import statistics
import sys
import time

from fakemodem import FakeModem

from omacptest import harness, pdu

HERE = os.path.dirname(os.path.abspath(__file__))

OFONOD = "/usr/sbin/ofonod"
IMSIS = ["001010000000001", "001010000000002"]
ICCIDS = ["8900101000000000001", "8900101000000000002"]
SENDER = "+447700900123"


def ofonod_cmd(extra_mounts=""):
    # A private mount namespace with a tmpfs on /var/lib/ofono: every run starts
    # clean (stored contexts, SMS fragments) and the host's state is untouched.
    script = "mount -t tmpfs ofono-state /var/lib/ofono && %s exec \"$@\"" % extra_mounts
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "x",
            OFONOD, "-n", "-d", "-P", "udevng,rildev,hfp_bluez5,hfp_ag_bluez5,dun_gw_bluez5,"
            "upower,connman,bluez5,provision"]


class Ofono:
    def __init__(self, h, env):
        self.h = h
        self.env = env
        self.proc = None
        self.runs = 0

    def start(self):
        self.runs += 1
        self.proc = self.h.spawn("ofonod-%d" % self.runs, ofonod_cmd(), env=self.env)
        self.h.wait_name("org.ofono")

    def kill(self):
        self.h.stop(self.proc)
        harness.poll(lambda: not self.h.has_owner("org.ofono"), 5, "org.ofono to vanish")

    def call(self, path, iface, method, sig="", args=()):
        return self.h.bus.call_blocking("org.ofono", path, iface, method, sig, list(args),
                                        timeout=10)

    def modems(self):
        return {str(p): props for p, props in self.call("/", "org.ofono.Manager", "GetModems")}

    def set_powered(self, path, on):
        import dbus
        self.call(path, "org.ofono.Modem", "SetProperty", "sv",
                  ["Powered", dbus.Boolean(on, variant_level=1)])

    def interfaces(self, path):
        props = self.call(path, "org.ofono.Modem", "GetProperties")
        return [str(i) for i in props.get("Interfaces", [])]


def main():
    harness.root_required()
    harness.need_programs(OFONOD, "dbus-daemon", "unshare")
    watch = sys.argv[1]
    h = harness.Harness("ofono")
    h.start_bus()

    modems = [FakeModem(imsi=IMSIS[i], iccid=ICCIDS[i], tcp_port=0,
                        log_path=h.path("fakemodem%d.log" % i)) for i in range(2)]
    h.cleanups.append(lambda: [m.stop() for m in modems])
    paths = ["/modem0", "/modem1"]
    conf = h.path("phonesim.conf")
    with open(conf, "w") as f:
        for i, m in enumerate(modems):
            f.write("[modem%d]\nAddress=127.0.0.1\nPort=%d\n\n" % (i, m.address))

    # push.d: an mmsd-style agent and an mmsd-tng-style PushNotify consumer
    push_dir = h.path("push.d")
    os.mkdir(push_dir)
    with open(os.path.join(push_dir, "mmsd.conf"), "w") as f:
        f.write("[Consumer]\nContentType=application/vnd.wap.mms-message\n"
                "BusName=org.omacp.TestConsumer\nObjectPath=/org/omacp/test/mms_agent\n"
                "Interface=org.ofono.PushNotificationAgent\nMethod=ReceiveNotification\n"
                "Bus=system\n")
    with open(os.path.join(push_dir, "mmsd-tng.conf"), "w") as f:
        f.write("[Consumer]\nApplicationId=x-wap-application:mms.ua\n"
                "BusName=org.omacp.TestConsumer\nObjectPath=/org/ofono/mms\n"
                "Interface=org.ofono.mms.ModemManager\nMethod=PushNotify\n"
                "Arguments=notification\nAddress=%s\n" % h.bus_address)  # explicit address
    with open(os.path.join(push_dir, "broken.conf"), "w") as f:
        f.write("[Consumer]\nContentType=text/plain\n")  # no BusName: skipped

    consumer = h.start_watcher(harness.PYTHON, [os.path.join(HERE, "consumer.py")],
                               name="consumer")
    watcher = h.start_watcher(watch, ["--stack", "ofono", "--push-dir", push_dir])
    events = watcher.reader

    ofono = Ofono(h, {"OFONO_PHONESIM_CONFIG": conf, "OFONO_AT_DEBUG": "1"})

    def bring_up(label):
        ofono.start()
        harness.poll(lambda: set(paths) <= set(ofono.modems()), 5, "both modems listed")
        for p in paths:
            ofono.set_powered(p, True)
        for i, p in enumerate(paths):
            ev = events.wait(lambda e, p=p: e.get("event") == "modem" and e["modem"] == p
                             and e["listening"], 10, "agent on %s (%s)" % (p, label))
            h.ok(ev["imsi"] == IMSIS[i], "%s: agent on %s, SIM %s" % (label, p, ev["imsi"]))

    h.check("ofonod starts, both modems powered, agents registered", lambda: bring_up("start"))
    h.check("get_imsis lists both SIMs", lambda: harness.poll(
        lambda: events.find(lambda e: e.get("event") == "modem" and
                            sorted(e.get("imsis", [])) == IMSIS), 5, "imsis"))

    def expect_push(expected, modem_index, what, timeout=10):
        ev = events.wait(lambda e: e.get("event") == "push" and e["hex"] == expected.hex().upper(),
                         timeout, what)
        assert ev["source"] == "ofono", ev
        assert ev["modem"] == paths[modem_index], ev
        assert ev["imsi"] == IMSIS[modem_index], ev
        assert ev["iccid"] == ICCIDS[modem_index], ev
        assert ev["sender"] == SENDER, ev
        assert ev["length"] == len(expected), ev
        return ev

    # -- single-segment CP push (NETWPIN, document of vector 03) via +CMT on each modem
    wbxml = pdu.load_hex_lines(os.path.join(pdu.vectors_dir(), "03-gecko-netwpin-minimal.wbxml.hex"))[0]
    single = pdu.cp_push(wbxml, sec=0x80, mac="1AF545FE2823DC9347064450F90FF1BBF957E146")
    for i in range(2):
        def single_cmt(i=i):
            (ud,) = pdu.segment_push(single, ref=1)
            hexpdu, tlen = pdu.deliver(ud, sender=SENDER)
            modems[i].deliver_cmt(hexpdu, tlen)
            expect_push(single, i, "single push on modem%d" % i)
        h.check("single-segment CP push via +CMT on modem%d: byte-exact, IMSI/ICCID/sender" % i,
                single_cmt)

    # -- the multi-segment public vectors, out of order, via +CMT and +CMTI
    vectors = ["05-vn-mobifone-gprs-userpin1111.ud.hex", "06-vn-vinaphone-gprs-userpin1111.ud.hex",
               "07-vn-viettel-gprs-userpin1111.ud.hex"]
    orders = {3: [2, 0, 1], 4: [3, 1, 0, 2]}
    for n, name in enumerate(vectors):
        uds = pdu.load_hex_lines(os.path.join(pdu.vectors_dir(), name))
        expected = pdu.reassemble(uds)
        for mode in ("cmt", "cmti"):
            i = (n + (mode == "cmti")) % 2

            def multi(uds=uds, expected=expected, mode=mode, i=i, name=name):
                for k in orders[len(uds)]:
                    hexpdu, tlen = pdu.deliver(uds[k], sender=SENDER)
                    if mode == "cmt":
                        modems[i].deliver_cmt(hexpdu, tlen)
                    else:
                        modems[i].deliver_cmti(hexpdu, tlen, wait="deleted")
                expect_push(expected, i, name)
            h.check("%s: %d segments out of order via +%s on modem%d arrive byte-exact" %
                    (name.split(".")[0], len(uds), mode.upper(), i), multi)

    # -- an MMS notification goes to both consumers, not to omacp
    def mms():
        (ud,) = pdu.segment_push(pdu.MMS_PUSH, ref=9)
        hexpdu, tlen = pdu.deliver(ud, sender=SENDER)
        modems[1].deliver_cmt(hexpdu, tlen)
        want = pdu.MMS_PUSH.hex().upper()
        a = consumer.reader.wait(lambda e: e.get("method") == "ReceiveNotification"
                                 and e["hex"] == want, 10, "mmsd-style consumer")
        assert a["info"].get("Sender") == SENDER, a
        assert "LocalSentTime" in a["info"] and "SentTime" in a["info"], a
        consumer.reader.wait(lambda e: e.get("method") == "PushNotify" and e["hex"] == want, 10,
                             "mmsd-tng-style consumer")
    h.check("MMS notification push forwarded unchanged to both push.d consumers", mms)

    def mms_not_ours():
        # a CP push sent after the MMS one arrives; the MMS push never reached the callback
        (ud,) = pdu.segment_push(single, ref=2)
        hexpdu, tlen = pdu.deliver(ud, sender=SENDER)
        modems[1].deliver_cmt(hexpdu, tlen)
        expect_push(single, 1, "CP push after MMS")
        assert not events.find(lambda e: e.get("event") == "push" and
                               e["hex"] == pdu.MMS_PUSH.hex().upper())
    h.check("the MMS push did not reach the provisioning callback", mms_not_ours)

    # -- only ofono may call the agent
    def forged():
        import dbus
        names = h.unique_names_of_pid(watcher.pid)
        assert names, "watcher not found on the bus"
        other = dbus.bus.BusConnection(h.bus_address)
        denied = 0
        for uniq in names:  # the agent's connection, and the one of Address=
            try:
                other.call_blocking(uniq, "/org/omacp/Provisioning1/ofono_agent/0",
                                    "org.ofono.PushNotificationAgent", "ReceiveNotification",
                                    "aya{sv}", [dbus.ByteArray(single), {}], timeout=5)
            except dbus.DBusException as e:
                if e.get_dbus_name() == "org.freedesktop.DBus.Error.AccessDenied":
                    denied += 1
                    continue
                # a push.d consumer's connection of the watcher (Address=) may
                # close between the listing and the call: gone is not accepted
                assert e.get_dbus_name() in ("org.freedesktop.DBus.Error.UnknownMethod",
                                             "org.freedesktop.DBus.Error.ServiceUnknown",
                                             "org.freedesktop.DBus.Error.NameHasNoOwner"), e
                continue
            raise AssertionError("a forged push was accepted")
        assert denied == 1, names
    h.check("a push from anyone but oFono is refused (AccessDenied)", forged)

    # -- power cycle: Release, then the interface comes back
    def power_cycle():
        ofono.set_powered(paths[0], False)
        events.wait(lambda e: e.get("event") == "modem" and e["modem"] == paths[0]
                    and not e["listening"], 10, "agent released on power-off")
        ofono.set_powered(paths[0], True)
        events.wait(lambda e: e.get("event") == "modem" and e["modem"] == paths[0]
                    and e["listening"], 10, "agent back after power-on")
        (ud,) = pdu.segment_push(single, ref=3)
        hexpdu, tlen = pdu.deliver(ud, sender=SENDER)
        modems[0].deliver_cmt(hexpdu, tlen)
        expect_push(single, 0, "push after power cycle")
    h.check("after a power cycle the agent is registered again and pushes arrive", power_cycle)

    # -- ofonod restart
    def restart():
        ofono.kill()
        for p in paths:
            events.wait(lambda e, p=p: e.get("event") == "modem" and e["modem"] == p
                        and not e["listening"], 10, "agent gone with ofonod")
        bring_up("restart")
        for i in range(2):
            (ud,) = pdu.segment_push(single, ref=4 + i)
            hexpdu, tlen = pdu.deliver(ud, sender=SENDER)
            modems[i].deliver_cmt(hexpdu, tlen)
            expect_push(single, i, "push after restart on modem%d" % i)
    h.check("after ofonod is killed and restarted the agents come back and pushes arrive",
            restart)

    # -- latency: +CMT written -> adapter callback (median of 20)
    def latency():
        samples = []
        for k in range(20):
            push = pdu.cp_push(wbxml + bytes([k]), sec=0x80, mac="1AF545FE2823DC9347064450F90FF1BBF957E146")
            (ud,) = pdu.segment_push(push, ref=20 + k)
            hexpdu, tlen = pdu.deliver(ud, sender=SENDER)
            t0 = time.time()
            modems[0].deliver_cmt(hexpdu, tlen)
            ev = expect_push(push, 0, "latency push %d" % k)
            samples.append(ev["received_us"] / 1e6 - t0)
        h.diag("+CMT written -> OmacpPushFunc: median %.2f ms, min %.2f ms, max %.2f ms (n=20)" %
               (statistics.median(samples) * 1e3, min(samples) * 1e3, max(samples) * 1e3))
        assert statistics.median(samples) < 0.5
    h.check("latency +CMT -> callback measured (median of 20)", latency)

    h.finish()


if __name__ == "__main__":
    main()
