#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Prints one JSON line per NetworkManager signal the modem activation test
asserts on, as it arrives:

  ActiveConnection.StateChanged(state, reason) -> {"event": "ac-state", "path", "state", "reason"}
  Device.StateChanged(new, old, reason)        -> {"event": "device-state", "path", "new", "old", "reason"}
"""

import json
import sys

import dbus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

NM = "org.freedesktop.NetworkManager"


def emit(**kw):
    sys.stdout.write(json.dumps(kw) + "\n")
    sys.stdout.flush()


def main():
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    bus.add_signal_receiver(
        lambda state, reason, path=None: emit(event="ac-state", path=str(path), state=int(state),
                                              reason=int(reason)),
        signal_name="StateChanged", dbus_interface=NM + ".Connection.Active", path_keyword="path")
    bus.add_signal_receiver(
        lambda new, old, reason, path=None: emit(event="device-state", path=str(path),
                                                 new=int(new), old=int(old), reason=int(reason)),
        signal_name="StateChanged", dbus_interface=NM + ".Device", path_keyword="path")
    emit(event="started")
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
