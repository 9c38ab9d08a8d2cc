# SPDX-License-Identifier: GPL-2.0-or-later
"""omacpd's message record files (messages/<N>.rec, see src/daemon/store.h)
read from the tests: "OMACPm1" and a byte-order mark, then records (32-bit
little-endian length, 32-bit FNV-1a checksum, a GVariant a{sv} in normal
form padded to 8 octets), folded into one dict, later keys first."""

import struct

from gi.repository import GLib

MAGIC = b'OMACPm1'


def fnv1a(data):
    h = 2166136261
    for b in data:
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def records(path):
    """The records of @path as GLib.Variant a{sv}; raises ValueError when a
    record other than a torn last one is bad."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 8 or data[:7] != MAGIC or data[7:8] not in (b'l', b'B'):
        raise ValueError('%s is not a record file' % path)
    swap = (data[7:8] == b'l') != (struct.pack('=I', 1) == struct.pack('<I', 1))
    out = []
    off = 8
    while off + 8 <= len(data):
        size, check = struct.unpack_from('<II', data, off)
        padded = (size + 7) & ~7
        if off + 8 + padded > len(data):
            break  # torn
        payload = data[off + 8:off + 8 + size]
        last = off + 8 + padded == len(data)
        if fnv1a(payload) != check:
            if last:
                break
            raise ValueError('%s: record %d is corrupt' % (path, len(out) + 1))
        v = GLib.Variant.new_from_bytes(GLib.VariantType.new('a{sv}'), GLib.Bytes.new(payload),
                                        False)
        if not v.is_normal_form():
            raise ValueError('%s: record %d is not in normal form' % (path, len(out) + 1))
        out.append(v.byteswap() if swap else v)
        off += 8 + padded
    return out


def message(path):
    """The folded record of a message file as a Python dict (unpacked); the
    'meta' key holds what the daemon decided."""
    folded = {}
    for r in records(path):
        folded.update(r.unpack())
    return folded
