#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""What test-acl.py runs as another user: a list of operations given as JSON
in argv[1], done on the system bus ($DBUS_SYSTEM_BUS_ADDRESS) or on files,
each answered by one JSON object on stdout (a list, in order).

Operations:
  ["call", dest, path, interface, method, signature, [args...]]
      -> {"ok": result} or {"error": D-Bus error name, "message": text};
      an argument {"hex": "..."} stands for those octets
  ["own", name]            -> RequestName: {"ok": reply} or {"error": ...}
  ["read", path]           -> {"ok": number of octets} or {"errno": name}
  ["list", path]           -> {"ok": [names]} or {"errno": name}
  ["whoami"]               -> {"ok": [uid, gid, [groups]]}
"""

import errno
import json
import os
import sys

import dbus


def plain(v):
    """dbus-python values → JSON values."""
    if isinstance(v, dbus.Boolean):
        return bool(v)
    if isinstance(v, (dbus.String, dbus.ObjectPath, dbus.Signature)):
        return str(v)
    if isinstance(v, (dbus.Byte, dbus.Int16, dbus.Int32, dbus.Int64, dbus.UInt16,
                      dbus.UInt32, dbus.UInt64)):
        return int(v)
    if isinstance(v, dbus.Double):
        return float(v)
    if isinstance(v, dbus.Dictionary):
        return {str(plain(k)): plain(x) for k, x in v.items()}
    if isinstance(v, (dbus.Array, dbus.Struct, list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, (bytes, bytearray)):
        return v.hex()
    return v


def argument(a):
    if isinstance(a, dict) and set(a) == {'hex'}:
        return dbus.ByteArray(bytes.fromhex(a['hex']))
    if isinstance(a, dict):
        return dbus.Dictionary({k: argument(v) for k, v in a.items()}, signature='sv')
    return a


def dbus_failure(e):
    return {'error': e.get_dbus_name(), 'message': e.get_dbus_message() or ''}


def os_failure(e):
    return {'errno': errno.errorcode.get(e.errno, str(e.errno))}


def run(bus, op):
    kind = op[0]
    if kind == 'call':
        dest, path, iface, method, sig, args = op[1:]
        try:
            reply = bus.call_blocking(dest, path, iface, method, sig,
                                      [argument(a) for a in args], timeout=30)
            return {'ok': plain(reply)}
        except dbus.exceptions.DBusException as e:
            return dbus_failure(e)
    if kind == 'own':
        try:
            return {'ok': int(bus.request_name(op[1], dbus.bus.NAME_FLAG_DO_NOT_QUEUE))}
        except dbus.exceptions.DBusException as e:
            return dbus_failure(e)
    if kind == 'read':
        try:
            with open(op[1], 'rb') as f:
                return {'ok': len(f.read())}
        except OSError as e:
            return os_failure(e)
    if kind == 'list':
        try:
            return {'ok': sorted(os.listdir(op[1]))}
        except OSError as e:
            return os_failure(e)
    if kind == 'whoami':
        return {'ok': [os.getuid(), os.getgid(), sorted(os.getgroups())]}
    raise ValueError('unknown operation %r' % kind)


def main():
    ops = json.loads(sys.argv[1])
    bus = None
    if any(op[0] in ('call', 'own') for op in ops):
        bus = dbus.bus.BusConnection(os.environ['DBUS_SYSTEM_BUS_ADDRESS'])
    print(json.dumps([run(bus, op) for op in ops]))


if __name__ == '__main__':
    main()
