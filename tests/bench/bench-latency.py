#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""End-to-end latency of omacpd as a client sees it: N signed NETWPIN pushes
(vector 03, each for its own IMSI, so none is a replay), one at a time,
through Manager.Deliver on a private bus, from a trusted sender with
NetwpinTrustedAction=apply and no backends. For each it times the Deliver
reply and the first State other than "receiving" (read back, or seen in a
PropertiesChanged when it comes after the reply), and prints the median and
90th percentile of both.

    OMACPD=build/src/daemon/omacpd tests/bench/bench-latency.py [N]

OMACPD may be any build, an older one included, to compare two."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'integration'))

import dbus  # noqa: E402
import dbus.mainloop.glib  # noqa: E402
from gi.repository import GLib  # noqa: E402

from omacptest.daemon import (BUS_NAME, MANAGER, MESSAGE, ROOT, Daemon, hex_lines,  # noqa: E402
                              mac, push, vector)

PROPERTIES = 'org.freedesktop.DBus.Properties'
SENDER = '+4930001'


def quantile(values, q):
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    body = b''.join(hex_lines(vector('03-gecko-netwpin-minimal.wbxml.hex')))
    daemon = Daemon(config='[Policy]\nTrustedSenders=%s\nNetwpinTrustedAction=apply\n' % SENDER)
    loop = GLib.MainLoop()
    bus = dbus.bus.BusConnection(daemon.address, mainloop=dbus.mainloop.glib.DBusGMainLoop())
    settled = {}

    def changed(iface, props, invalidated, path=None):
        state = props.get('State')
        if state is not None and str(state) != 'receiving' and path not in settled:
            settled[path] = time.perf_counter()
            loop.quit()

    bus.add_signal_receiver(changed, 'PropertiesChanged', PROPERTIES, path_keyword='path')
    manager = bus.get_object(BUS_NAME, ROOT, introspect=False)
    replies, totals, states = [], [], {}
    try:
        for i in range(n):
            imsi = '26201555%07d' % i
            data = push(body, 'netwpin', mac('netwpin', body, imsi=imsi))
            options = dbus.Dictionary({'imsi': imsi, 'sender': SENDER}, signature='sv')
            start = time.perf_counter()
            path = str(manager.Deliver(dbus.ByteArray(data), 'wsp', options,
                                       dbus_interface=MANAGER, byte_arrays=True))
            replied = time.perf_counter()
            if path not in settled:
                state = str(bus.get_object(BUS_NAME, path, introspect=False).Get(
                    MESSAGE, 'State', dbus_interface=PROPERTIES))
                if state == 'receiving':
                    GLib.timeout_add(5000, loop.quit)
                    loop.run()
                else:
                    settled[path] = replied
            if path not in settled:
                sys.exit('%s did not settle within 5 s' % path)
            state = str(bus.get_object(BUS_NAME, path, introspect=False).Get(
                MESSAGE, 'State', dbus_interface=PROPERTIES))
            states[state] = states.get(state, 0) + 1
            replies.append((replied - start) * 1000)
            totals.append((settled[path] - start) * 1000)
    finally:
        daemon.close()
    print('%s: %d messages, states %s' % (os.environ.get('OMACPD', 'omacpd'), n,
                                          ', '.join('%s %d' % kv for kv in sorted(states.items()))))
    print('  Deliver reply       median %6.2f ms   p90 %6.2f ms' % (quantile(replies, .5),
                                                                  quantile(replies, .9)))
    print('  to a settled State  median %6.2f ms   p90 %6.2f ms' % (quantile(totals, .5),
                                                                  quantile(totals, .9)))


if __name__ == '__main__':
    main()
