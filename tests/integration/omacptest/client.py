# SPDX-License-Identifier: GPL-2.0-or-later
"""Talking to omacpd over dbus-python, written once: the object helpers every
test world shares, and dbus-python values made plain."""

import dbus

BUS_NAME = 'org.omacp.Provisioning1'
ROOT = '/org/omacp/Provisioning1'
MANAGER = 'org.omacp.Provisioning1.Manager'
MESSAGE = 'org.omacp.Provisioning1.Message'
PROFILE = 'org.omacp.Provisioning1.Profile'
ERR = 'org.omacp.Provisioning1.Error.'


def unwrap(v, bytes_for_ay=False):
    """dbus-python values -> plain Python values; an ay becomes bytes with
    @bytes_for_ay, a list of numbers otherwise."""
    if isinstance(v, dbus.Boolean):
        return bool(v)
    if isinstance(v, (dbus.String, dbus.ObjectPath)):
        return str(v)
    if isinstance(v, (dbus.Byte, dbus.Int16, dbus.Int32, dbus.Int64, dbus.UInt16,
                      dbus.UInt32, dbus.UInt64)):
        return int(v)
    if isinstance(v, dbus.Dictionary):
        return {unwrap(k, bytes_for_ay): unwrap(x, bytes_for_ay) for k, x in v.items()}
    if bytes_for_ay and isinstance(v, dbus.Array) and v.signature == 'y':
        return bytes(v)
    if isinstance(v, (dbus.Array, list)):
        return [unwrap(x, bytes_for_ay) for x in v]
    if isinstance(v, dbus.Struct):
        return tuple(unwrap(x, bytes_for_ay) for x in v)
    return v


def message_changes(bus, path):
    """Message.GetChanges on @bus: what the message changes (or would), one
    dict a setting. (A message object keeps its summary only: its changes
    and its document are fetched per message.)"""
    return unwrap(bus.call_blocking(BUS_NAME, path, MESSAGE, 'GetChanges', '', []))


def message_document(bus, path):
    """Message.GetDocument on @bus: the decoded document, secrets masked."""
    return str(bus.call_blocking(BUS_NAME, path, MESSAGE, 'GetDocument', '', []))


class Client:
    """omacpd's objects on self.bus (a dbus-python connection the world that
    inherits this sets up)."""

    def obj(self, path=ROOT):
        return self.bus.get_object(BUS_NAME, path, introspect=False)

    def deliver(self, data, fmt='wsp', **options):
        """Manager.Deliver: the new message's path."""
        opts = dbus.Dictionary({k: dbus.String(v) for k, v in options.items()},
                               signature='sv')
        return str(self.obj().Deliver(dbus.ByteArray(data), fmt, opts,
                                      dbus_interface=MANAGER, byte_arrays=True))

    def props(self, path):
        iface = PROFILE if '/profile/' in path else MESSAGE
        return unwrap(self.obj(path).GetAll(iface,
                                            dbus_interface='org.freedesktop.DBus.Properties'))

    def changes(self, path):
        """A message's Changes (GetChanges)."""
        return message_changes(self.bus, path)

    def document(self, path):
        """A message's Document (GetDocument)."""
        return message_document(self.bus, path)

    def full(self, path):
        """A message's properties with its Changes and Document beside them,
        as they were when both were properties."""
        p = self.props(path)
        p['Changes'] = self.changes(path)
        p['Document'] = self.document(path)
        return p

    def call(self, path, method, *args):
        iface = PROFILE if '/profile/' in path else MESSAGE
        return getattr(self.obj(path), method)(*args, dbus_interface=iface)

    def managed(self):
        return unwrap(self.obj().GetManagedObjects(
            dbus_interface='org.freedesktop.DBus.ObjectManager'))
