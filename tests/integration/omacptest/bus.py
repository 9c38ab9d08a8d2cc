# SPDX-License-Identifier: GPL-2.0-or-later
"""A private dbus-daemon for a test, written in one place: its configuration
(session or system type; an open policy, or the default-deny policy of a
system bus with the services' policy files included) and its start."""

import subprocess

CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>{type}</type>
  <listen>{listen}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
{policy}
  </policy>
{includes}</busconfig>
"""

# Anyone may own any name and eavesdrop (omacpd alone on a session-type bus).
OPEN_EAVESDROP = """    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>"""

# What both system-type policies below allow: signals, replies, receiving.
_SIGNALS_REPLIES_RECEIVING = """    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>"""

# Anyone may own any name and send anything (the modem stacks, omacpd and
# their test doubles on a system-type bus).
OPEN = """    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
""" + _SIGNALS_REPLIES_RECEIVING

# The default policy of a system bus (as dbus's system.conf): everybody may
# connect, nobody may own a name or send a method call unless a policy file
# punches a hole.
SYSTEM_DEFAULT = """    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
""" + _SIGNALS_REPLIES_RECEIVING + """
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Properties"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"
          send_member="UpdateActivationEnvironment"/>
    <deny send_destination="org.freedesktop.DBus"
          send_interface="org.freedesktop.DBus.Debug.Stats"/>"""


def write_config(path, bus_type, listen, policy, includes=()):
    """Writes a dbus-daemon configuration file: @bus_type "session" or
    "system", @listen a D-Bus listen address, @policy one of the policies
    above, @includes policy files to include."""
    text = CONFIG.format(type=bus_type, listen=listen, policy=policy,
                         includes="".join("  <include>%s</include>\n" % i for i in includes))
    with open(path, "w") as f:
        f.write(text)


def start(config_path, spawn=None, stderr=subprocess.DEVNULL):
    """Starts dbus-daemon with @config_path; returns (process, address).
    @spawn(argv) starts it instead of subprocess.Popen (its stdout must be a
    pipe); @stderr is where its messages go otherwise."""
    argv = ["dbus-daemon", "--config-file=" + config_path, "--nofork", "--print-address=1"]
    if spawn is not None:
        proc = spawn(argv)
    else:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr, text=True)
    address = proc.stdout.readline()
    if isinstance(address, bytes):
        address = address.decode()
    return proc, address.strip()
