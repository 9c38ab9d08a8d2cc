#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A client of org.omacp.Provisioning1 with Python GI (python3-gi):

    omacp-client.py list                 the messages and profiles
    omacp-client.py watch                print each new message as it arrives
    omacp-client.py accept N PIN         accept message N with the PIN

--session talks to an omacpd on the session bus (omacpd --session, tests).
"""

import sys

from gi.repository import Gio, GLib

NAME = "org.omacp.Provisioning1"
ROOT = "/org/omacp/Provisioning1"
MESSAGE = NAME + ".Message"
PROFILE = NAME + ".Profile"


def main(argv):
    bus_type = Gio.BusType.SYSTEM
    if "--session" in argv:
        argv.remove("--session")
        bus_type = Gio.BusType.SESSION
    bus = Gio.bus_get_sync(bus_type, None)
    verb = argv[1] if len(argv) > 1 else "list"

    if verb == "list":
        # every object with all its properties, in one call
        manager = Gio.DBusObjectManagerClient.new_sync(
            bus, Gio.DBusObjectManagerClientFlags.DO_NOT_AUTO_START, NAME, ROOT,
            None, None, None)
        for obj in sorted(manager.get_objects(), key=lambda o: o.get_object_path()):
            path = obj.get_object_path()
            msg = obj.get_interface(MESSAGE)
            prof = obj.get_interface(PROFILE)
            if msg is not None:
                print("%s %s %s" % (path, msg.get_cached_property("State").unpack(),
                                    msg.get_cached_property("Security").unpack()))
            if prof is not None:
                settings = prof.get_cached_property("Settings").unpack()
                print("%s %s %s apn=%s" % (path, prof.get_cached_property("Kind").unpack(),
                                           prof.get_cached_property("Name").unpack(),
                                           settings.get("apn", "-")))
    elif verb == "watch":
        loop = GLib.MainLoop()

        def received(conn, sender, path, iface, signal, params, data):
            message = params.unpack()[0]
            state = conn.call_sync(NAME, message, "org.freedesktop.DBus.Properties", "Get",
                                   GLib.Variant("(ss)", (MESSAGE, "State")), None,
                                   Gio.DBusCallFlags.NONE, -1, None).unpack()[0]
            print("new message %s (%s)" % (message, state), flush=True)
        bus.signal_subscribe(NAME, NAME + ".Manager", "MessageReceived", ROOT, None,
                             Gio.DBusSignalFlags.NONE, received, None)
        print("watching", flush=True)
        loop.run()
    elif verb == "accept":
        path = "%s/message/%s" % (ROOT, argv[2])
        pin = argv[3] if len(argv) > 3 else ""
        try:
            # polkit may ask for an administrator's password: allow it to
            bus.call_sync(NAME, path, MESSAGE, "Accept", GLib.Variant("(s)", (pin,)), None,
                          Gio.DBusCallFlags.ALLOW_INTERACTIVE_AUTHORIZATION, -1, None)
        except GLib.Error as e:
            # e.g. org.omacp.Provisioning1.Error.BadPin: wrong PIN, 2 attempts left
            name = Gio.DBusError.get_remote_error(e)
            Gio.DBusError.strip_remote_error(e)
            print("%s: %s" % (name, e.message), file=sys.stderr)
            return 1
        print("accepted")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
