#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A push consumer on the test bus, standing in for mmsd (an oFono push agent,
ReceiveNotification(ay, a{sv})) and mmsd-tng (PushNotify(ay)). Prints one JSON
line per call on stdout."""

import json
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib


def emit(**kw):
    print(json.dumps(kw))
    sys.stdout.flush()


class Agent(dbus.service.Object):
    @dbus.service.method("org.ofono.PushNotificationAgent", in_signature="aya{sv}",
                         out_signature="")
    def ReceiveNotification(self, notification, info):
        emit(event="consumer", method="ReceiveNotification",
             hex=bytes(notification).hex().upper(),
             info={str(k): str(v) for k, v in info.items()})

    @dbus.service.method("org.ofono.PushNotificationAgent", in_signature="", out_signature="")
    def Release(self):
        pass


class MmsdTng(dbus.service.Object):
    @dbus.service.method("org.ofono.mms.ModemManager", in_signature="ay", out_signature="")
    def PushNotify(self, smswap):
        emit(event="consumer", method="PushNotify", hex=bytes(smswap).hex().upper())


def main():
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    name = dbus.service.BusName(sys.argv[1] if len(sys.argv) > 1 else "org.omacp.TestConsumer",
                                bus)
    Agent(bus, "/org/omacp/test/mms_agent")
    MmsdTng(bus, "/org/ofono/mms")
    emit(event="started", name=name.get_name())
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
