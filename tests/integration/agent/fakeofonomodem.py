# SPDX-License-Identifier: GPL-2.0-or-later
"""A stand-in for oFono's org.ofono.Modem properties on a private bus, for
the one property the real ofonod cannot be made to report in a test:
SystemPath. ofonod sets it only in its udevng plugin, for devices that
libudev enumerates in the real /sys with an OFONO_DRIVER match, and opens
their real tty or QMI nodes; the fake AT modem of the other oFono tests
comes through the phonesim plugin, whose modems have no SystemPath at all
(test-agent-seat.py checks that against the real ofonod).

python3 fakeofonomodem.py ADDRESS PATH[=SYSFSPATH]...: a modem at PATH,
with SystemPath SYSFSPATH when given. Answers Manager.GetModems and
Modem.GetProperties with the properties ofonod 1.31 gives a modem that is
off (Online, Powered, Lockdown, Emergency, Interfaces, Features, Type, and
SystemPath when the modem has one). Prints "ready" and "GetProperties
PATH" for every read; ends when stdin closes."""

import sys

NAME = 'org.ofono'


def run(address, modems):
    import dbus
    import dbus.mainloop.glib
    import dbus.service
    from gi.repository import GLib

    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(address)
    loop = GLib.MainLoop()

    def properties(syspath):
        props = {
            'Online': dbus.Boolean(False),
            'Powered': dbus.Boolean(False),
            'Lockdown': dbus.Boolean(False),
            'Emergency': dbus.Boolean(False),
            'Interfaces': dbus.Array([], signature='s'),
            'Features': dbus.Array([], signature='s'),
            'Type': dbus.String('hardware'),
        }
        if syspath is not None:
            props['SystemPath'] = dbus.String(syspath)
        return dbus.Dictionary(props, signature='sv')

    class Modem(dbus.service.Object):
        def __init__(self, path, syspath):
            super().__init__(bus, path)
            self.path = path
            self.syspath = syspath

        @dbus.service.method(NAME + '.Modem', in_signature='', out_signature='a{sv}')
        def GetProperties(self):
            print('GetProperties', self.path, flush=True)
            return properties(self.syspath)

    held = []
    for m in modems:
        path, _, syspath = m.partition('=')
        held.append(Modem(path, syspath or None))

    class Manager(dbus.service.Object):
        @dbus.service.method(NAME + '.Manager', in_signature='', out_signature='a(oa{sv})')
        def GetModems(self):
            return [(dbus.ObjectPath(m.path), properties(m.syspath)) for m in held]

    manager = Manager(bus, '/')
    bus.request_name(NAME)
    print('ready', flush=True)
    GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_HUP, lambda *a: loop.quit())
    loop.run()
    del held, manager


if __name__ == '__main__':
    run(sys.argv[1], sys.argv[2:])
