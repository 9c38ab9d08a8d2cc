# SPDX-License-Identifier: GPL-2.0-or-later
"""The whole chain in one private world: run-in-netns.sh gives the test private
mount and network namespaces (tmpfs on /run, /var/lib/NetworkManager and
/var/lib/ofono, read-only sysfs), tests/integration/omacptest/harness.py the private
system bus and the process bookkeeping, fakemodem.py the modem, and this module
starts the rest: a polkit stand-in (tests/integration/mm/fake-polkit.py), the real
NetworkManager (the recipe of tests/integration/nm/harness.c), ofonod or
ModemManager, omacpd on the private *system* bus (polkit asked, as in production)
and a signal recorder (bus-events.py). omacpctl talks to omacpd like a user would.
"""

import os
import shutil
import statistics
import subprocess
import time

import dbus
from fakemodem import FakeModem  # noqa: F401  (re-exported for the tests)

from omacptest import client, harness, pdu, provdoc  # noqa: F401  (re-exported for the tests)
from omacptest.conf import omacpd_conf

INTEGRATION = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

OMACPD = os.environ.get("OMACPD", "omacpd")
OMACPCTL = os.environ.get("OMACPCTL", "omacpctl")
OFONOD = "/usr/sbin/ofonod"
MODEMMANAGER = "/usr/sbin/ModemManager"

OMACP = client.BUS_NAME
OMACP_ROOT = client.ROOT
MESSAGE = client.MESSAGE
PROFILE = client.PROFILE
NM = "org.freedesktop.NetworkManager"
NM_SETTINGS = "/org/freedesktop/NetworkManager/Settings"
MM = "org.freedesktop.ModemManager1"
MM_PATH = "/org/freedesktop/ModemManager1"

NM_CONF = """[main]
plugins=keyfile
auth-polkit=false
dhcp=internal
dns=none
rc-manager=unmanaged
systemd-resolved=false
hostname-mode=none
no-auto-default=*
[keyfile]
path={dir}/system-connections
unmanaged-devices=*
[device-unmanage-all]
match-device=*
managed=0
[connectivity]
enabled=false
[logging]
level=INFO
"""


def unwrap(v):
    """dbus-python values -> plain Python values (an ay as bytes)."""
    return client.unwrap(v, bytes_for_ay=True)


def skip_unless_ready(programs):
    if os.geteuid() != 0:
        harness.skip_all("needs root for namespaces and the real daemons")
    if os.environ.get("OMACP_IN_TEST_NETNS") != "1":
        harness.skip_all("must run through tests/integration/nm/run-in-netns.sh")
    for p in programs:
        if shutil.which(p) is None and not os.path.exists(p):
            harness.skip_all("%s is not installed" % p)


def drain(reader):
    """Marks every event a JsonReader holds as seen."""
    with reader.cond:
        for ev in reader.events:
            ev["_used"] = True


def median_ms(values):
    return statistics.median(values) * 1000.0


class World(harness.Harness):
    """One private bus with everything the chain needs, started piece by piece."""

    def __init__(self, name):
        super().__init__(name)
        self.start_bus()
        self.nm = None
        self.omacpd = None
        self.ofonod = None
        self.events = None

    # ---- small D-Bus helpers ----

    def call(self, dest, path, iface, method, sig="", args=(), timeout=20):
        return self.bus.call_blocking(dest, path, iface, method, sig, list(args),
                                      timeout=timeout)

    def get_all(self, dest, path, iface):
        return unwrap(self.call(dest, path, "org.freedesktop.DBus.Properties", "GetAll", "s",
                                [iface]))

    # ---- polkit, signal recorder ----

    def start_polkit(self):
        self.spawn("polkit", [harness.PYTHON, os.path.join(INTEGRATION, "mm", "fake-polkit.py")])
        self.wait_name("org.freedesktop.PolicyKit1")

    def start_events(self):
        self.events = self.start_watcher(harness.PYTHON, [os.path.join(INTEGRATION, "e2e", "bus-events.py")],
                                         name="bus-events").reader
        return self.events

    # ---- NetworkManager (tests/integration/nm/harness.c's recipe) ----

    def start_nm(self, conf_text=NM_CONF):
        """The real NetworkManager; @conf_text its NetworkManager.conf ({dir}:
        its scratch directory), by default with every device unmanaged."""
        d = self.path("nm")
        for sub in ("system-connections", "conf.d", "sysconf.d", "state"):
            os.makedirs(os.path.join(d, sub), mode=0o700, exist_ok=True)
        conf = os.path.join(d, "NetworkManager.conf")
        with open(conf, "w") as f:
            f.write(conf_text.format(dir=d))
        self.nm = self.spawn("NetworkManager", [
            "NetworkManager", "--debug", "--config=" + conf,
            "--config-dir=%s/conf.d" % d, "--system-config-dir=%s/sysconf.d" % d,
            "--intern-config=%s/state/NetworkManager-intern.conf" % d,
            "--state-file=%s/state/NetworkManager.state" % d,
            "--pid-file=%s/state/NetworkManager.pid" % d])

        def started():
            return not self.call(NM, "/org/freedesktop/NetworkManager",
                                 "org.freedesktop.DBus.Properties", "Get", "ss",
                                 [NM, "Startup"], timeout=1)
        harness.poll(started, 20, "NetworkManager startup", interval=0.01)

    def nm_connections(self):
        """{uuid: settings} of every connection NetworkManager holds."""
        out = {}
        for path in self.call(NM, NM_SETTINGS, NM + ".Settings", "ListConnections"):
            try:
                s = unwrap(self.call(NM, path, NM + ".Settings.Connection", "GetSettings"))
            except dbus.DBusException:
                continue  # removed meanwhile
            s["_path"] = str(path)
            out[s["connection"]["uuid"]] = s
        return out

    def nm_omacp_connections(self, identity=None):
        return {u: s for u, s in self.nm_connections().items()
                if "user" in s and "org.omacp.profile" in s["user"].get("data", {}) and
                (identity is None or s["user"]["data"]["org.omacp.profile"] == identity)}

    def nm_secrets(self, path, setting):
        return unwrap(self.call(NM, path, NM + ".Settings.Connection", "GetSecrets", "s",
                                [setting]))

    # ---- ofonod with the fake modem (phonesim plugin) ----

    def start_ofono(self, modem, plugin=None, env=None):
        """ofonod talking to @modem. With @plugin (a .so) the plugin directory, which
        is compiled into ofonod, holds just it: /usr/lib gets an overlay in a mount
        namespace of ofonod's own (as tests/integration/ofono/test-ofono-plugin.py)."""
        if not os.path.ismount("/var/lib/ofono"):
            raise RuntimeError("/var/lib/ofono is not a private tmpfs (run-in-netns.sh)")
        conf = self.path("phonesim.conf")
        with open(conf, "w") as f:
            f.write("[fakemodem]\nAddress=127.0.0.1\nPort=%d\n" % modem.address)
        cmd = [OFONOD, "-n", "-d", "-P",
               "udevng,rildev,hfp_bluez5,hfp_ag_bluez5,dun_gw_bluez5,upower,connman,bluez5"]
        if plugin is not None:
            ovl = self.path("ovl")
            os.makedirs(ovl, exist_ok=True)
            script = ("mount -t tmpfs ovl {o} && mkdir {o}/u {o}/w && "
                      "mount -t overlay overlay -o lowerdir=/usr/lib,upperdir={o}/u,"
                      "workdir={o}/w /usr/lib && mkdir -p /usr/lib/ofono/plugins && "
                      "cp {so} /usr/lib/ofono/plugins/ && exec \"$@\"").format(o=ovl, so=plugin)
            cmd = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script,
                   "x"] + cmd
        full_env = {"OFONO_PHONESIM_CONFIG": conf, "OFONO_AT_DEBUG": "1"}
        full_env.update(env or {})
        self.ofonod = self.spawn("ofonod", cmd, env=full_env)
        self.wait_name("org.ofono")
        harness.poll(lambda: "/fakemodem" in [str(p) for p, _ in self.call(
            "org.ofono", "/", "org.ofono.Manager", "GetModems")], 10, "/fakemodem listed")

    def ofono_modem_up(self, path="/fakemodem"):
        """Powered and online, as a phone's UI would leave it."""
        for prop, iface in (("Powered", "org.ofono.SimManager"),
                            ("Online", "org.ofono.ConnectionManager")):
            self.call("org.ofono", path, "org.ofono.Modem", "SetProperty", "sv",
                      [prop, dbus.Boolean(True, variant_level=1)])
            harness.poll(lambda: iface in self.ofono_interfaces(path), 10, iface)

    def ofono_interfaces(self, path):
        props = self.call("org.ofono", path, "org.ofono.Modem", "GetProperties")
        return [str(i) for i in props.get("Interfaces", [])]

    def ofono_contexts(self, path="/fakemodem"):
        return {str(p): unwrap(props) for p, props in self.call(
            "org.ofono", path, "org.ofono.ConnectionManager", "GetContexts")}

    # ---- omacpd ----

    def start_omacpd(self, config, env=None):
        """omacpd on the private bus as the system bus: polkit asked, backends and
        modem adapters as @config says."""
        conf = self.path("omacpd.conf")
        with open(conf, "w") as f:
            f.write(config)
        full_env = {"G_DEBUG": "fatal-criticals", "LC_ALL": "C"}
        full_env.update(env or {})
        self.omacpd = self.spawn("omacpd", [OMACPD, "--state-dir", self.path("omacpd-state"),
                                            "--config", conf, "--verbose"], env=full_env)
        self.wait_name(OMACP)
        return self.omacpd

    def omacpd_log(self):
        with open(self.path("omacpd.log"), errors="replace") as f:
            return f.read()

    def wait_log(self, needle, timeout=10):
        harness.poll(lambda: needle in self.omacpd_log(), timeout,
                     "%r in the omacpd log" % needle, interval=0.02)

    def stop_omacpd(self):
        """SIGTERM; a crash or hang fails the test (checked by the caller)."""
        p = self.omacpd
        self.stop(p, timeout=20)
        self.omacpd = None
        return p.returncode

    def ctl(self, *args, timeout=30):
        return subprocess.run([OMACPCTL] + list(args), capture_output=True, text=True,
                              timeout=timeout,
                              env=dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus_address,
                                       LC_ALL="C", LANGUAGE=""))

    def ctl_ok(self, *args):
        r = self.ctl(*args)
        if r.returncode != 0:
            raise AssertionError("omacpctl %s: exit %d\n%s%s" % (" ".join(args), r.returncode,
                                                                r.stdout, r.stderr))
        return r.stdout

    def start_agent(self, *args):
        return self.spawn("agent", [OMACPCTL, "agent"] + list(args),
                          env={"LC_ALL": "C", "LANGUAGE": ""})

    def props(self, path):
        iface = PROFILE if "/profile/" in path else MESSAGE
        return self.get_all(OMACP, path, iface)

    def changes(self, path):
        """A message's Changes (Message.GetChanges)."""
        return client.message_changes(self.bus, path)

    def document(self, path):
        """A message's Document (Message.GetDocument)."""
        return client.message_document(self.bus, path)

    def messages(self):
        objs = unwrap(self.call(OMACP, OMACP_ROOT, "org.freedesktop.DBus.ObjectManager",
                                "GetManagedObjects"))
        return {p: i[MESSAGE] for p, i in objs.items() if MESSAGE in i}

    def profiles(self):
        objs = unwrap(self.call(OMACP, OMACP_ROOT, "org.freedesktop.DBus.ObjectManager",
                                "GetManagedObjects"))
        return {p: i[PROFILE] for p, i in objs.items() if PROFILE in i}

    def profile_by_identity(self, identity):
        found = [p for p, props in self.profiles().items() if props["Identity"] == identity]
        assert len(found) == 1, (identity, self.profiles())
        return found[0]

    def wait_state(self, path, states, timeout=15):
        if isinstance(states, str):
            states = (states,)
        last = {}

        def reached():
            last.update(self.props(path))
            return last["State"] in states
        try:
            harness.poll(reached, timeout, "%s in %s" % (path, states), interval=0.01)
        except TimeoutError:
            raise AssertionError("%s stayed %s (Error %r), wanted %s" % (
                path, last.get("State"), last.get("Error"), states))
        return last

    # ---- messages ----

    def encode(self, xml, sec="netwpin", imsi=None, pin=None, sender="+10000000000", ref=None,
               output="sms"):
        """omacpctl encode: PDU-mode SMS (SMSC + SMS-DELIVER) hex strings, one per segment."""
        doc = self.path("doc-%d.xml" % time.monotonic_ns())
        with open(doc, "w") as f:
            f.write(xml)
        args = ["encode", "--sec", sec, "--output", output, "--sender", sender]
        if imsi:
            args += ["--imsi", imsi]
        if pin:
            args += ["--pin", pin]
        if ref is not None:
            args += ["--ref", str(ref)]
        out = self.ctl_ok(*(args + [doc]))
        return [line.strip() for line in out.splitlines() if line.strip()]


def tpdu_len(pdu_hex):
    """TPDU length of a PDU-mode SMS (the SMSC field excluded), as +CMT/+CMGR state it."""
    return len(pdu_hex) // 2 - (int(pdu_hex[:2], 16) + 1)


def internet_xml(napid, name, apn, username=None, password=None, auth="CHAP"):
    """A document with one internet access point (omacptest.provdoc), with
    NAPAUTHINFO when @username is given."""
    auth_triple = (auth, username, password) if username is not None else None
    return provdoc.internet(napid, name, apn, auth=auth_triple, encoding="UTF-8")


def config(backends, adapters, push_dir=None, trusted=None):
    """omacpd.conf for the chain: the named backends and modem adapters on."""
    return omacpd_conf(backends, adapters, push_dir=push_dir, trusted=trusted)
