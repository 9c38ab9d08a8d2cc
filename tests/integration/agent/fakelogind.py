# SPDX-License-Identifier: GPL-2.0-or-later
"""A stand-in for systemd-logind's D-Bus interface (org.freedesktop.login1)
on a private bus: logind itself needs systemd as PID 1, which the test
machines do not run. It serves only what omacpd reads: Manager
GetSessionByPID and the ActiveSession property of seat0 and seat1 with
PropertiesChanged.

python3 fakelogind.py ADDRESS; stdin commands: "map PID SESSION",
"activate SESSION [SEAT]" (or "activate - [SEAT]" for none; SEAT defaults
to seat0), "quit". Prints "ready" and "active SESSION [SEAT]"."""

import sys

NAME = 'org.freedesktop.login1'
ROOT = '/org/freedesktop/login1'
SEATS = ('seat0', 'seat1')
PROPS = 'org.freedesktop.DBus.Properties'


def run(address):
    import dbus
    import dbus.mainloop.glib
    import dbus.service
    from gi.repository import GLib

    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(address)
    loop = GLib.MainLoop()
    sessions = {}
    state = {}  # seat -> active session id

    def session_path(sid):
        return dbus.ObjectPath(ROOT + '/session/' + sid)

    def active_value(seat):
        sid = state.get(seat)
        return dbus.Struct((sid or '', session_path(sid) if sid else dbus.ObjectPath('/')),
                           signature='so')

    class Manager(dbus.service.Object):
        @dbus.service.method(NAME + '.Manager', in_signature='u', out_signature='o')
        def GetSessionByPID(self, pid):
            if int(pid) not in sessions:
                raise dbus.exceptions.DBusException(
                    'PID %d does not belong to any known session' % pid,
                    name=NAME + '.NoSessionForPID')
            return session_path(sessions[int(pid)])

    class Seat(dbus.service.Object):
        def __init__(self, name):
            super().__init__(bus, ROOT + '/seat/' + name)
            self.name = name

        @dbus.service.method(PROPS, in_signature='ss', out_signature='v')
        def Get(self, iface, prop):
            if prop != 'ActiveSession':
                raise dbus.exceptions.DBusException('no ' + prop,
                                                    name='org.freedesktop.DBus.Error.UnknownProperty')
            return active_value(self.name)

        @dbus.service.method(PROPS, in_signature='s', out_signature='a{sv}')
        def GetAll(self, iface):
            return {'ActiveSession': active_value(self.name)}

        @dbus.service.signal(PROPS, signature='sa{sv}as')
        def PropertiesChanged(self, iface, changed, invalidated):
            pass

    Manager(bus, ROOT)
    seats = {name: Seat(name) for name in SEATS}
    bus.request_name(NAME)
    print('ready', flush=True)

    def on_stdin(source, condition):
        line = sys.stdin.readline()
        words = line.split()
        if not words or words[0] == 'quit':
            loop.quit()
            return False
        if words[0] == 'map':
            sessions[int(words[1])] = words[2]
            print('mapped', words[1], flush=True)
        elif words[0] == 'activate':
            seat = words[2] if len(words) > 2 else 'seat0'
            state[seat] = None if words[1] == '-' else words[1]
            seats[seat].PropertiesChanged('org.freedesktop.login1.Seat',
                                          {'ActiveSession': active_value(seat)}, [])
            print('active', *words[1:], flush=True)
        return True

    GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_IN | GLib.IO_HUP, on_stdin)
    loop.run()


if __name__ == '__main__':
    run(sys.argv[1])
