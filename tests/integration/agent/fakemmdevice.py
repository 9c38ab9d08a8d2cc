# SPDX-License-Identifier: GPL-2.0-or-later
"""A stand-in for ModemManager's org.freedesktop.ModemManager1.Modem.Device
property on a private bus, which is all omacpd reads of a modem to find its
seat. python3 fakemmdevice.py ADDRESS NUMBER=SYSFSPATH...: modem NUMBER at
/org/freedesktop/ModemManager1/Modem/NUMBER has Device SYSFSPATH. Prints
"ready" and "Get PATH" for every read; ends when stdin closes."""

import sys

NAME = 'org.freedesktop.ModemManager1'
ROOT = '/org/freedesktop/ModemManager1'
PROPS = 'org.freedesktop.DBus.Properties'


def run(address, modems):
    import dbus
    import dbus.mainloop.glib
    import dbus.service
    from gi.repository import GLib

    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(address)
    loop = GLib.MainLoop()

    class Modem(dbus.service.Object):
        def __init__(self, number, device):
            self.path = '%s/Modem/%s' % (ROOT, number)
            super().__init__(bus, self.path)
            self.device = device

        @dbus.service.method(PROPS, in_signature='ss', out_signature='v')
        def Get(self, iface, prop):
            print('Get', self.path, flush=True)
            if iface != NAME + '.Modem' or prop != 'Device':
                raise dbus.exceptions.DBusException(
                    'no ' + prop, name='org.freedesktop.DBus.Error.UnknownProperty')
            return dbus.String(self.device)

    held = [Modem(*m.split('=', 1)) for m in modems]
    bus.request_name(NAME)
    print('ready', flush=True)
    GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_HUP, lambda *a: loop.quit())
    loop.run()
    del held


if __name__ == '__main__':
    run(sys.argv[1], sys.argv[2:])
