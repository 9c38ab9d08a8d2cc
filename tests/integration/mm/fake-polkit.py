#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A polkit authority on the test bus that allows everything. Debian's ModemManager
checks polkit for Modem.Enable and Messaging.Delete; python3-dbusmock's polkitd
template is not installed here, so this is the whole of what MM needs:
CheckAuthorization -> (is_authorized=true, is_challenge=false, {})."""

import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

AUTHORITY = "org.freedesktop.PolicyKit1.Authority"


class Authority(dbus.service.Object):
    @dbus.service.method(AUTHORITY, in_signature="(sa{sv})sa{ss}us", out_signature="(bba{ss})")
    def CheckAuthorization(self, subject, action_id, details, flags, cancellation_id):
        print("authorized %s" % action_id)
        sys.stdout.flush()
        return (True, False, dbus.Dictionary({}, signature="ss"))

    @dbus.service.method(AUTHORITY, in_signature="s", out_signature="")
    def CancelCheckAuthorization(self, cancellation_id):
        pass

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="ss", out_signature="v")
    def Get(self, interface, prop):
        return self.GetAll(interface)[prop]

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        return {"BackendName": "omacp-test", "BackendVersion": "0",
                "BackendFeatures": dbus.UInt32(0)}


def main():
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    Authority(bus, "/org/freedesktop/PolicyKit1/Authority")
    name = dbus.service.BusName("org.freedesktop.PolicyKit1", bus)  # noqa: F841
    print("ready")
    sys.stdout.flush()
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
