#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The omacp-provision oFono plugin loaded by a real ofonod: in a private mount
namespace /usr/lib gets an overlay whose ofono/plugins holds only our .so (the
plugin directory is compiled into ofonod), /var/lib/ofono a tmpfs. The provision
file is written by omacp_ofono_provision_write_full() (write-provision). A SIM of
the listed network gets our internet and MMS contexts; a SIM of another network
falls through to oFono's own providers.

usage: test-ofono-plugin.py OMACP_PROVISION_SO WRITE_PROVISION_PROGRAM
"""

import os
import stat
import subprocess
import sys

from fakemodem import FakeModem

from omacptest import harness


OFONOD = "/usr/sbin/ofonod"


def main():
    harness.root_required()
    harness.need_programs(OFONOD, "dbus-daemon", "unshare")
    plugin_so, writer = sys.argv[1], sys.argv[2]
    h = harness.Harness("ofono-plugin")
    h.start_bus()

    pfile = h.path("state/ofono-provision.conf")

    def write():
        subprocess.run([writer, pfile, "00101", "internet.apn=internet.omacp.test",
                        "internet.username=alice", "internet.password=s3cret",
                        "internet.auth=pap", "internet.ip-type=ipv4",
                        "internet.name=Omacp Internet", "mms.apn=mms.omacp.test",
                        "mms.mmsc=http://mms.omacp.test/mms", "mms.mms-proxy=10.0.0.1:8080",
                        "mms.auth=chap", "mms.name=Omacp MMS"], check=True)
        # a second network, then removed again: the writer keeps the others
        subprocess.run([writer, pfile, "99999", "internet.apn=gone.test"], check=True)
        subprocess.run([writer, pfile, "99999"], check=True)
        st = os.stat(pfile)
        assert stat.S_IMODE(st.st_mode) == 0o600, oct(st.st_mode)
        text = open(pfile).read()
        assert "[00101]" in text and "internet.Password=s3cret" in text, text
        assert "mms.MessageCenter=http://mms.omacp.test/mms" in text, text
        assert "[99999]" not in text, text
    h.check("omacp_ofono_provision_write: file 0600 with both contexts, other networks kept",
            write)

    # tools/run-sanitizers builds the plugin with ASan, and the distribution's
    # ofonod cannot load it (nor run with the runtime preloaded): the file
    # writer above is all that runs there.
    if os.environ.get("OMACP_TEST_SANITIZED"):
        h.diag("sanitizer build: ofonod cannot load the instrumented plugin, not started")
        h.finish()

    modems = [FakeModem(imsi="001010000000001", tcp_port=0, log_path=h.path("fm0.log")),
              FakeModem(imsi="001020000000009", operator="00102", tcp_port=0,
                        log_path=h.path("fm1.log"))]
    h.cleanups.append(lambda: [m.stop() for m in modems])
    conf = h.path("phonesim.conf")
    with open(conf, "w") as f:
        for i, m in enumerate(modems):
            f.write("[modem%d]\nAddress=127.0.0.1\nPort=%d\n\n" % (i, m.address))

    ovl = h.path("ovl")
    os.mkdir(ovl)
    script = (
        "mount -t tmpfs ofono-state /var/lib/ofono && "
        "mount -t tmpfs ovl {o} && mkdir {o}/u {o}/w && "
        "mount -t overlay overlay -o lowerdir=/usr/lib,upperdir={o}/u,workdir={o}/w /usr/lib && "
        "mkdir -p /usr/lib/ofono/plugins && cp {so} /usr/lib/ofono/plugins/ && "
        "exec \"$@\"").format(o=ovl, so=plugin_so)
    cmd = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "x", OFONOD,
           "-n", "-d", "-P", "udevng,rildev,hfp_bluez5,hfp_ag_bluez5,dun_gw_bluez5,upower,connman"]
    h.spawn("ofonod", cmd, env={"OFONO_PHONESIM_CONFIG": conf, "OMACP_OFONO_PROVISION_FILE": pfile})
    h.check("ofonod with the plugin dir overlay starts", lambda: h.wait_name("org.ofono"))

    import dbus

    def call(path, iface, method, sig="", args=()):
        return h.bus.call_blocking("org.ofono", path, iface, method, sig, list(args), timeout=10)

    def interfaces(path):
        return [str(i) for i in call(path, "org.ofono.Modem", "GetProperties")["Interfaces"]]

    def contexts_of(path):
        for p in ("Powered", "Online"):
            call(path, "org.ofono.Modem", "SetProperty", "sv",
                 [p, dbus.Boolean(True, variant_level=1)])
            if p == "Powered":
                harness.poll(lambda: "org.ofono.SimManager" in interfaces(path), 10, "SIM")
        harness.poll(lambda: "org.ofono.ConnectionManager" in interfaces(path), 10,
                     "ConnectionManager on " + path)
        ctxs = harness.poll(lambda: call(path, "org.ofono.ConnectionManager", "GetContexts"),
                            10, "contexts on " + path)
        return [{str(k): (str(v) if not isinstance(v, dbus.Dictionary) else v)
                 for k, v in props.items()} for _, props in ctxs]

    def listed():
        harness.poll(lambda: len(call("/", "org.ofono.Manager", "GetModems")) == 2, 5, "modems")
        ctxs = contexts_of("/modem0")
        h.diag("modem0 contexts: %r" % ctxs)
        by_type = {c["Type"]: c for c in ctxs}
        assert len(ctxs) == 2, ctxs
        inet, mms = by_type["internet"], by_type["mms"]
        assert inet["AccessPointName"] == "internet.omacp.test", inet
        assert inet["Username"] == "alice", inet
        assert inet["Password"] == "s3cret", inet
        assert inet["AuthenticationMethod"] == "pap", inet
        assert inet["Protocol"] == "ip", inet
        assert inet["Name"] == "Omacp Internet", inet
        assert mms["AccessPointName"] == "mms.omacp.test", mms
        assert mms["MessageCenter"] == "http://mms.omacp.test/mms", mms
        assert mms["MessageProxy"] == "10.0.0.1:8080", mms
        assert mms["AuthenticationMethod"] == "chap", mms
        assert mms["Name"] == "Omacp MMS", mms
    h.check("SIM of network 00101 gets omacp's internet and MMS contexts (GetContexts)", listed)

    def unlisted():
        ctxs = contexts_of("/modem1")
        h.diag("modem1 contexts: %r" % ctxs)
        assert all("omacp" not in c.get("AccessPointName", "") for c in ctxs), ctxs
    h.check("SIM of network 00102 (not in the file) falls through to oFono's providers",
            unlisted)

    def logged():
        log = open(h.path("ofonod.log"), errors="replace").read()
        assert "omacp-provision: 2 context(s) for 00101" in log, "no plugin line in the log"
    h.check("ofonod log shows the plugin answering for 00101", logged)

    h.finish()


if __name__ == "__main__":
    main()
