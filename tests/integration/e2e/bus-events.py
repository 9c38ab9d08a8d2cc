#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Prints one JSON line per D-Bus signal the end-to-end tests time or wait for, with
the CLOCK_MONOTONIC time it arrived (comparable with the fake modem's +CMT times,
which the test process takes from the same clock):

  omacpd:          MessageReceived(o), ObjectManager InterfacesAdded of a message
  NetworkManager:  Settings.NewConnection(o), Settings.ConnectionRemoved(o)
"""

import json
import sys
import time

import dbus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib


def emit(**kw):
    kw["t"] = time.monotonic()
    sys.stdout.write(json.dumps(kw) + "\n")
    sys.stdout.flush()


def main():
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    bus.add_signal_receiver(lambda path: emit(event="message-received", path=str(path)),
                            signal_name="MessageReceived",
                            dbus_interface="org.omacp.Provisioning1.Manager")
    bus.add_signal_receiver(
        lambda path, ifaces: emit(event="object-added", path=str(path),
                                  interfaces=[str(i) for i in ifaces]),
        signal_name="InterfacesAdded", dbus_interface="org.freedesktop.DBus.ObjectManager",
        path="/org/omacp/Provisioning1")
    bus.add_signal_receiver(lambda path: emit(event="nm-new", path=str(path)),
                            signal_name="NewConnection",
                            dbus_interface="org.freedesktop.NetworkManager.Settings")
    bus.add_signal_receiver(lambda path: emit(event="nm-removed", path=str(path)),
                            signal_name="ConnectionRemoved",
                            dbus_interface="org.freedesktop.NetworkManager.Settings")
    emit(event="started")
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
