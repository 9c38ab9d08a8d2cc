# SPDX-License-Identifier: GPL-2.0-or-later
"""A scripted org.omacp.Provisioning1.Agent for the daemon's agent rules.

Run as a program: python3 fakeagent.py ADDRESS [--path P] [--pin PIN|--silent-pin]
[--confirm yes|no|silent] [--paths N]. It registers N agents (P, P1, P2, ...),
prints one line per event with a monotonic time stamp:
  registered PATH | register-error PATH ERRORNAME
  RequestPin MSG T | RequestConfirmation MSG T | Cancel MSG T | Release T
  ask-ok MSG | ask-error MSG ERRORNAME
and reads commands on stdin: "ask MSG" (Manager.Ask), "quit".
--pin '' answers RequestPin with an empty string (declines)."""

import argparse
import os
import sys
import time

BUS_NAME = 'org.omacp.Provisioning1'
ROOT = '/org/omacp/Provisioning1'
MANAGER = BUS_NAME + '.Manager'
AGENT = BUS_NAME + '.Agent'


def run(argv):
    import dbus
    import dbus.mainloop.glib
    import dbus.service
    from gi.repository import GLib

    ap = argparse.ArgumentParser()
    ap.add_argument('address')
    ap.add_argument('--path', default='/test/agent')
    ap.add_argument('--pin')
    ap.add_argument('--confirm', default='silent')
    ap.add_argument('--paths', type=int, default=1)
    args = ap.parse_args(argv)

    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(args.address)
    loop = GLib.MainLoop()
    held = []

    def out(*words):
        print(*words, flush=True)

    class Agent(dbus.service.Object):
        @dbus.service.method(AGENT, in_signature='o', out_signature='s',
                             async_callbacks=('ok', 'err'))
        def RequestPin(self, message, ok, err):
            out('RequestPin', message, '%.3f' % time.monotonic())
            if args.pin is None:
                held.append((ok, err))
            else:
                ok(args.pin)

        @dbus.service.method(AGENT, in_signature='o', out_signature='b',
                             async_callbacks=('ok', 'err'))
        def RequestConfirmation(self, message, ok, err):
            out('RequestConfirmation', message, '%.3f' % time.monotonic())
            if args.confirm == 'silent':
                held.append((ok, err))
            else:
                ok(args.confirm == 'yes')

        @dbus.service.method(AGENT, in_signature='o')
        def Cancel(self, message):
            out('Cancel', message, '%.3f' % time.monotonic())

        @dbus.service.method(AGENT)
        def Release(self):
            out('Release', '%.3f' % time.monotonic())

    manager = dbus.Interface(bus.get_object(BUS_NAME, ROOT), MANAGER)
    for i in range(args.paths):
        path = args.path if i == 0 else '%s%d' % (args.path, i)
        Agent(bus, path)
        try:
            manager.RegisterAgent(dbus.ObjectPath(path))
            out('registered', path)
        except dbus.exceptions.DBusException as e:
            out('register-error', path, e.get_dbus_name())

    def on_stdin(source, condition):
        line = sys.stdin.readline()
        if not line or line.strip() == 'quit':
            loop.quit()
            return False
        words = line.split()
        if words and words[0] == 'ask':
            def ok():
                out('ask-ok', words[1])

            def err(e):
                out('ask-error', words[1], e.get_dbus_name())
            manager.Ask(dbus.ObjectPath(words[1]), reply_handler=ok, error_handler=err)
        return True

    GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_IN | GLib.IO_HUP, on_stdin)
    GLib.timeout_add_seconds(120, loop.quit)
    loop.run()


if __name__ == '__main__':
    run(sys.argv[1:])
