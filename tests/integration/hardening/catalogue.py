# SPDX-License-Identifier: GPL-2.0-or-later
"""The bad-input catalogue: malformed (and a few tricky but valid) inputs,
each named by what it exercises, with what must come of it. Built here from
the spec digest (shared/spec/OMA-CP-DIGEST.md §1-§6) and the vectors, never
with omacp's own encoder.

Entry.kind:
  'error'      Deliver fails with Error.<code>, the message names <layer>
               (and an octet offset when where='octet', a line when 'line');
               nothing is created. omacpctl decode exits 2 with one line.
  'receiving'  a valid segment of a message still missing segments: one
               object in state receiving. omacpctl decode exits 2 (incomplete).
  'valid'      decodes: one object in one of <states>; omacpctl decode exits
               <ctl_exit> (0, or 3 when the MAC does not verify).
"""

import binascii
import os

from omacptest.daemon import PUBLIC, VECTORS, hex_lines, mac, push, uintvar

SERVICE = os.path.join(VECTORS, 'provisioning-service')


class Entry:
    def __init__(self, name, fmt, data, kind='error', code=None, layer=None, where='octet',
                 states=None, ctl=True, ctl_exit=None, options=None, check=None,
                 segments=None):
        self.name = name
        self.fmt = fmt
        self.data = data            # bytes, or None with segments
        self.segments = segments    # list of bytes delivered in order (one message)
        self.kind = kind
        self.code = code
        self.layer = layer
        self.where = where
        self.states = states
        self.ctl = ctl
        self.ctl_exit = ctl_exit if ctl_exit is not None else (0 if kind == 'valid' else 2)
        self.options = options or {}
        self.check = check          # callable(testcase, daemon, path, entry) or None

    def inputs(self):
        return self.segments if self.segments is not None else [self.data]


# ---- building blocks (digest §1, §2, §4) -------------------------------------

PORTS = bytes([0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0])  # 16-bit ports 2948 <- 9200


def concat8(ref, total, seq):
    return bytes([0x00, 0x03, ref & 0xFF, total & 0xFF, seq & 0xFF])


def concat16(ref, total, seq):
    return bytes([0x08, 0x04, (ref >> 8) & 0xFF, ref & 0xFF, total & 0xFF, seq & 0xFF])


def ud(ies, payload):
    """TP-User-Data: UDHL, the IEs, the payload."""
    udh = b''.join(ies)
    return bytes([len(udh)]) + udh + payload


def tpdu(user_data, first=0x44, dcs=0x04, pid=0x00, oa=b'\x0B\x91\x44\x77\x58\x10\x06\xF5',
         smsc=b'\x07\x91\x44\x77\x58\x10\x06\x50', udl=None):
    """PDU-mode SMS-DELIVER: SMSC, first octet (MTI 00, UDHI 0x40), OA,
    PID, DCS, SCTS, UDL, UD."""
    scts = b'\x90\x50\x91\x31\x21\x62\x40'
    n = len(user_data) if udl is None else udl
    return smsc + bytes([first]) + oa + bytes([pid, dcs]) + scts + bytes([n]) + user_data


def str_i(text):
    if isinstance(text, str):
        text = text.encode()
    return b'\x03' + text + b'\x00'


def parm(name_tok, value):
    """<parm name=TOKEN value="..."/> on attribute page 0."""
    return bytes([0x87, name_tok, 0x06]) + str_i(value) + b'\x01'


def napdef(tag, extra=b''):
    """<characteristic type="NAPDEF"> NAPID, NAME, BEARER, NAP-ADDRESS, APN."""
    return (b'\xC6\x55\x01' + parm(0x11, 'NAP-' + tag) + parm(0x07, 'Cat ' + tag) +
            bytes([0x87, 0x10, 0x06, 0xAB, 0x01]) + parm(0x08, tag.lower() + '.example') +
            bytes([0x87, 0x09, 0x06, 0x89, 0x01]) + extra + b'\x01')


def wbxml(body, charset=0x6A, strtbl=b'', version=0x03, publicid=b'\x0B'):
    """Header (§4.1) + <wap-provisioningdoc> with @body as content."""
    return (bytes([version]) + publicid + bytes([charset]) + uintvar(len(strtbl)) + strtbl +
            b'\x45' + body + b'\x01')


def valid_doc(tag):
    return wbxml(napdef(tag))


def split(data, n):
    """@data cut into @n non-empty consecutive pieces."""
    size, rest = divmod(len(data), n)
    out, at = [], 0
    for i in range(n):
        k = size + (1 if i < rest else 0)
        out.append(data[at:at + k])
        at += k
    return out


def segmented(datagram, total, ref, sixteen=False):
    pieces = split(datagram, total)
    return [ud([PORTS, (concat16 if sixteen else concat8)(ref, total, i + 1)], p)
            for i, p in enumerate(pieces)]


XML_HEAD = b'<?xml version="1.0"?>\n'


def xml_doc(inner, head=XML_HEAD):
    return head + b'<wap-provisioningdoc version="1.1">' + inner + b'</wap-provisioningdoc>'


def xml_napdef(tag):
    t = tag.encode()
    return (b'<characteristic type="NAPDEF"><parm name="NAPID" value="NAP-' + t +
            b'"/><parm name="NAME" value="Cat ' + t + b'"/><parm name="BEARER" '
            b'value="GSM-GPRS"/><parm name="NAP-ADDRESS" value="' + t.lower() +
            b'.example"/><parm name="NAP-ADDRTYPE" value="APN"/></characteristic>')


# ---- the samples ---------------------------------------------------------------

def samples():
    """(label, format, [inputs]) for every sample: each line of the .hex
    vectors, each provisioning-service .wbxml."""
    out = []
    for name in sorted(os.listdir(PUBLIC)):
        path = os.path.join(PUBLIC, name)
        if name.endswith('.ud.hex'):
            fmt = 'ud'
        elif name.endswith('.tpdu.hex'):
            fmt = 'sms'
        elif name.endswith('.wbxml.hex'):
            fmt = 'wbxml'
        else:
            continue
        lines = hex_lines(path)
        label = name.split('.')[0]
        if fmt == 'wbxml':
            out.append((label, fmt, [b''.join(lines)]))
        else:
            out.append((label, fmt, lines))
    for name in sorted(os.listdir(SERVICE)):
        if name.endswith('.wbxml'):
            with open(os.path.join(SERVICE, name), 'rb') as f:
                out.append((name[:-len('.wbxml')], 'wbxml', [f.read()]))
    return out


def udhl_end(line):
    return 1 + line[0]


def truncations():
    """Every strict, non-empty prefix of every sample input."""
    out = []
    for label, fmt, inputs in samples():
        for k, data in enumerate(inputs):
            seg = '/seg%d' % (k + 1) if len(inputs) > 1 else ''
            for n in range(1, len(data)):
                name = 'truncated/%s%s/%d-of-%d' % (label, seg, n, len(data))
                cut = data[:n]
                if fmt == 'wbxml':
                    out.append(Entry(name, fmt, cut, code='Truncated', layer='wbxml'))
                elif fmt == 'sms':
                    # the TPDU ends before what its UDL (or any earlier
                    # field) announces
                    out.append(Entry(name, fmt, cut, code='Truncated', layer='sms'))
                elif n < udhl_end(data):
                    out.append(Entry(name, fmt, cut, code='Truncated', layer='sms'))
                elif n == udhl_end(data):
                    # UDH complete, no payload: a zero-length segment
                    out.append(Entry(name, fmt, cut, code='Malformed', layer='reassembly',
                                     where=None))
                else:
                    # a shorter but well-formed segment of a 3- or
                    # 4-segment message: held until the others come
                    out.append(Entry(name, fmt, cut, kind='receiving'))
    return out


# ---- hand-made cases -----------------------------------------------------------

def crafted():
    E = []
    doc = valid_doc('Base')
    good_push = push(doc)

    # ---- WSP (digest §2) ----
    def wsp_headerslen(encoded):
        return bytes([0x01, 0x06]) + encoded + b'\xB6' + doc

    E.append(Entry('wsp/headerslen-uintvar-6-octets', 'wsp',
                   wsp_headerslen(b'\x80\x80\x80\x80\x80\x01'), code='Malformed', layer='wsp'))
    E.append(Entry('wsp/headerslen-uintvar-over-32-bits', 'wsp',
                   wsp_headerslen(b'\x9F\xFF\xFF\xFF\x7F'), code='Malformed', layer='wsp'))
    E.append(Entry('wsp/headerslen-uintvar-unterminated', 'wsp',
                   bytes([0x01, 0x06, 0x80, 0x80]), code='Truncated', layer='wsp'))
    E.append(Entry('wsp/headerslen-past-the-end', 'wsp',
                   bytes([0x01, 0x06, 0x2F, 0xB6]) + doc[:10], code='Truncated', layer='wsp'))
    E.append(Entry('wsp/headerslen-huge-uintvar', 'wsp',
                   bytes([0x01, 0x06, 0x8F, 0xFF, 0xFF, 0xFF, 0x7F, 0xB6]) + doc,
                   code='Truncated', layer='wsp'))
    E.append(Entry('wsp/headerslen-zero', 'wsp', bytes([0x01, 0x06, 0x00]) + doc,
                   code='Malformed', layer='wsp'))
    E.append(Entry('wsp/pdu-type-get-not-push', 'wsp', bytes([0x01, 0x40]) + good_push[2:],
                   code='NotPush', layer='wsp'))
    E.append(Entry('wsp/pdu-type-reply-not-push', 'wsp', bytes([0x01, 0x04]) + good_push[2:],
                   code='NotPush', layer='wsp'))
    E.append(Entry('wsp/only-tid', 'wsp', b'\x01', code='Truncated', layer='wsp'))
    # a push, but not provisioning: omacpctl shows what it is (exit 0)
    E.append(Entry('wsp/content-type-si-not-provisioning', 'wsp',
                   bytes([0x01, 0x06, 0x01, 0xAE]) + doc, code='NotPush', layer='deliver',
                   where=None, ctl_exit=0))
    E.append(Entry('wsp/content-type-text-plain', 'wsp',
                   bytes([0x01, 0x06, 0x01, 0x83]) + b'hello', code='NotPush', layer='deliver',
                   where=None, ctl_exit=0))
    long_ct = b'application/' + b'x' * 400 + b'\x00'
    E.append(Entry('wsp/content-type-text-beyond-cap', 'wsp',
                   bytes([0x01, 0x06]) + uintvar(len(long_ct)) + long_ct + doc,
                   code='TooLarge', layer='wsp'))
    E.append(Entry('wsp/value-length-past-headers', 'wsp',
                   bytes([0x01, 0x06, 0x03, 0x1F, 0x20, 0xB6]) + doc,
                   code='Truncated', layer='wsp'))
    E.append(Entry('wsp/integer-value-too-many-octets', 'wsp',
                   bytes([0x01, 0x06, 0x0C, 0x0B, 0x1E, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0xB6]) + doc,
                   code='Malformed', layer='wsp'))
    E.append(Entry('wsp/empty-body', 'wsp', bytes([0x01, 0x06, 0x01, 0xB6]),
                   code='Truncated', layer='wbxml', where=None))
    E.append(Entry('wsp/mac-unterminated', 'wsp',
                   bytes([0x01, 0x06, 0x0A, 0x09, 0xB6, 0x91, 0x80, 0x92]) + b'ABCDEF',
                   code='Truncated', layer='wsp'))

    # ---- SMS / UDH (digest §1) ----
    seg_ok = ud([PORTS, concat8(0x42, 2, 1)], b'\x01\x06\x01\xB6')
    E.append(Entry('sms/mti-submit', 'sms', tpdu(seg_ok, first=0x41), code='Unsupported',
                   layer='sms'))
    E.append(Entry('sms/mti-status-report', 'sms', tpdu(seg_ok, first=0x42),
                   code='Unsupported', layer='sms'))
    E.append(Entry('sms/mti-reserved', 'sms', tpdu(seg_ok, first=0x43),
                   code='Malformed', layer='sms'))
    E.append(Entry('sms/dcs-7bit-gsm', 'sms', tpdu(seg_ok, dcs=0x00), code='Unsupported',
                   layer='sms'))
    E.append(Entry('sms/dcs-ucs2', 'sms', tpdu(seg_ok, dcs=0x08), code='Unsupported',
                   layer='sms'))
    E.append(Entry('sms/dcs-compressed', 'sms', tpdu(seg_ok, dcs=0x24),
                   code='Unsupported', layer='sms'))
    E.append(Entry('sms/udl-above-140', 'sms', tpdu(seg_ok + b'\x00' * 130, udl=141 + 5),
                   code='Malformed', layer='sms'))
    E.append(Entry('sms/udl-past-the-end', 'sms', tpdu(seg_ok, udl=len(seg_ok) + 5),
                   code='Truncated', layer='sms'))
    E.append(Entry('sms/smsc-length-above-max', 'sms', b'\x20\x91\x44',
                   code='Malformed', layer='sms'))
    E.append(Entry('sms/smsc-past-the-end', 'sms', b'\x07\x91\x44', code='Truncated',
                   layer='sms'))
    E.append(Entry('sms/oa-length-above-max', 'tpdu', b'\x44\x30\x91\x44\x77',
                   code='Malformed', layer='sms'))
    E.append(Entry('sms/oa-past-the-end', 'tpdu', b'\x44\x0B\x91\x44\x77',
                   code='Truncated', layer='sms'))
    E.append(Entry('udh/udhl-past-the-end', 'ud', b'\x20' + PORTS, code='Truncated', layer='sms'))
    E.append(Entry('udh/ie-length-past-udh', 'ud', ud([PORTS, b'\x00\x09\x42\x02\x01'], b'ab'),
                   code='Malformed', layer='sms'))
    E.append(Entry('udh/concat8-iedl-2', 'ud', ud([PORTS, b'\x00\x02\x42\x02'], b'abc'),
                   code='Malformed', layer='sms'))
    E.append(Entry('udh/concat8-iedl-4', 'ud', ud([PORTS, b'\x00\x04\x42\x02\x01\x00'], b'abc'),
                   code='Malformed', layer='sms'))
    E.append(Entry('udh/concat16-iedl-3', 'ud', ud([PORTS, b'\x08\x03\x00\x42\x02'], b'abc'),
                   code='Malformed', layer='sms'))
    E.append(Entry('udh/ports16-iedl-2', 'ud', ud([b'\x05\x02\x0B\x84', concat8(1, 2, 1)], b'abc'),
                   code='Malformed', layer='sms'))
    E.append(Entry('udh/ports8-iedl-4', 'ud', ud([b'\x04\x04\x0B\x84\x23\xF0'], b'abc'),
                   code='Malformed', layer='sms'))
    E.append(Entry('udh/segment-number-0', 'ud', ud([PORTS, concat8(0x42, 3, 0)], b'abc'),
                   code='Malformed', layer='reassembly', where=None))
    E.append(Entry('udh/segment-number-above-total', 'ud', ud([PORTS, concat8(0x42, 3, 4)], b'abc'),
                   code='Malformed', layer='reassembly', where=None))
    E.append(Entry('udh/segment-number-255-of-2', 'ud',
                   ud([PORTS, concat16(0x4242, 2, 255)], b'abc'), code='Malformed',
                   layer='reassembly', where=None))
    E.append(Entry('udh/total-0', 'ud', ud([PORTS, concat8(0x42, 0, 1)], b'abc'),
                   code='Malformed', layer='reassembly', where=None))
    E.append(Entry('udh/total-0-seq-0', 'ud', ud([PORTS, concat8(0x42, 0, 0)], b'abc'),
                   code='Malformed', layer='reassembly', where=None))
    E.append(Entry('udh/zero-length-segment-concat', 'ud', ud([PORTS, concat8(0x42, 2, 1)], b''),
                   code='Malformed', layer='reassembly', where=None))
    E.append(Entry('udh/zero-length-segment-single', 'ud', ud([PORTS], b''),
                   code='Malformed', layer='reassembly', where=None))
    E.append(Entry('udh/zero-length-ud', 'ud', b'\x00', code='Malformed',
                   layer='reassembly', where=None))
    E.append(Entry('udh/port-2949-secure-push', 'ud', ud([b'\x05\x04\x0B\x85\x23\xF0'], good_push),
                   code='NotPush', layer='sms', where=None))
    E.append(Entry('udh/port-49999-legacy-nokia-ota', 'ud',
                   ud([b'\x05\x04\xC3\x4F\xC0\x02'], good_push), code='NotPush', layer='sms',
                   where=None))
    E.append(Entry('udh/port-49999-legacy-nokia-ota-first-segment', 'ud',
                   ud([b'\x05\x04\xC3\x4F\xC0\x02', concat8(9, 2, 1)], good_push[:20]),
                   code='NotPush', layer='sms', where=None))
    E.append(Entry('udh/port8-not-wap', 'ud', ud([b'\x04\x02\x10\x20'], good_push),
                   code='NotPush', layer='sms', where=None))
    E.append(Entry('udh/ud-above-140', 'ud', ud([PORTS], b'\x00' * 140),
                   code='Malformed', layer='sms'))

    # ---- WBXML (digest §4) ----
    E.append(Entry('wbxml/publicid-uintvar-6-octets', 'wbxml',
                   b'\x03\x80\x80\x80\x80\x80\x0B\x6A\x00\x45\x01', code='InvalidDocument',
                   layer='wbxml'))
    E.append(Entry('wbxml/charset-uintvar-over-32-bits', 'wbxml',
                   b'\x03\x0B\x9F\xFF\xFF\xFF\x7F\x00\x45\x01', code='InvalidDocument',
                   layer='wbxml'))
    E.append(Entry('wbxml/strtbl-length-over-32-bits', 'wbxml',
                   b'\x03\x0B\x6A\x9F\xFF\xFF\xFF\x7F\x45\x01', code='InvalidDocument',
                   layer='wbxml'))
    E.append(Entry('wbxml/strtbl-past-the-end', 'wbxml', b'\x03\x0B\x6A\x40abc',
                   code='Truncated', layer='wbxml'))
    big_tbl = (b'N' * 999 + b'\x00') * 60
    E.append(Entry('wbxml/string-table-70000-beyond-size-cap', 'wbxml',
                   wbxml(b'\xC6\x55\x01\x87\x07\x06\x83\x00\x01\x01',
                         strtbl=big_tbl + b'M' * 9999 + b'\x00'),
                   code='TooLarge', layer='wbxml'))
    E.append(Entry('wbxml/str-t-beyond-table', 'wbxml',
                   wbxml(b'\xC6\x55\x01\x87\x07\x06\x83\x20\x01\x01', strtbl=b'abc\x00'),
                   code='InvalidDocument', layer='wbxml'))
    E.append(Entry('wbxml/str-t-offset-uintvar-overflow', 'wbxml',
                   wbxml(b'\xC6\x55\x01\x87\x07\x06\x83\x8F\xFF\xFF\xFF\x7F\x01\x01',
                         strtbl=b'abc\x00'),
                   code='InvalidDocument', layer='wbxml'))
    E.append(Entry('wbxml/str-t-no-terminator-in-table', 'wbxml',
                   wbxml(b'\xC6\x55\x01\x87\x07\x06\x83\x00\x01\x01', strtbl=b'abc'),
                   code='InvalidDocument', layer='wbxml'))
    E.append(Entry('wbxml/str-i-unterminated', 'wbxml',
                   b'\x03\x0B\x6A\x00\x45\xC6\x55\x01\x87\x07\x06\x03abcdef',
                   code='Truncated', layer='wbxml'))
    E.append(Entry('wbxml/opaque-length-past-the-end', 'wbxml',
                   wbxml(b'\xC6\x55\x01\x87\x07\x06\xC3\x40ab\x01\x01'),
                   code='Truncated', layer='wbxml'))
    E.append(Entry('wbxml/opaque-length-over-32-bits', 'wbxml',
                   wbxml(b'\xC6\x55\x01\x87\x07\x06\xC3\x9F\xFF\xFF\xFF\x7F\x01\x01'),
                   code='InvalidDocument', layer='wbxml'))
    E.append(Entry('wbxml/entity-above-unicode', 'wbxml',
                   wbxml(b'\xC6\x55\x01\x87\x07\x06\x02\x84\xC4\x80\x00\x01\x01'),
                   code='InvalidDocument', layer='wbxml'))
    E.append(Entry('wbxml/entity-surrogate', 'wbxml',
                   wbxml(b'\xC6\x55\x01\x87\x07\x06\x02\x83\xB0\x00\x01\x01'),
                   code='InvalidDocument', layer='wbxml'))
    E.append(Entry('wbxml/end-without-element', 'wbxml', b'\x03\x0B\x6A\x00\x01',
                   code='InvalidDocument', layer='wbxml'))
    E.append(Entry('wbxml/root-not-provisioningdoc', 'wbxml', b'\x03\x0B\x6A\x00\x46\x01',
                   code='InvalidDocument', layer='wbxml', where=None))
    E.append(Entry('wbxml/no-root', 'wbxml', b'\x03\x0B\x6A\x00', code='Truncated',
                   layer='wbxml'))
    E.append(Entry('wbxml/version-unknown', 'wbxml', b'\x7F\x0B\x6A\x00\x45\x01',
                   code='Unsupported', layer='wbxml'))
    E.append(Entry('wbxml/charset-unknown-mibenum', 'wbxml', wbxml(napdef('cs'), charset=0x7E),
                   code='Unsupported', layer='wbxml'))
    E.append(Entry('wbxml/switch-page-unterminated', 'wbxml', b'\x03\x0B\x6A\x00\x45\x00',
                   code='Truncated', layer='wbxml'))
    E.append(Entry('wbxml/attribute-list-unterminated', 'wbxml', b'\x03\x0B\x6A\x00\xC5',
                   code='Truncated', layer='wbxml'))
    E.append(Entry('wbxml/literal-without-string-table', 'wbxml',
                   wbxml(b'\x44\x00\x01'), code='InvalidDocument', layer='wbxml'))
    deep = b'\xC6\x55\x01' * 17 + b'\x01' * 17
    E.append(Entry('wbxml/nesting-17-beyond-max-depth-16', 'wbxml', wbxml(deep),
                   code='TooLarge', layer='wbxml'))
    deeper = b'\x46' * 5000 + b'\x01' * 5000
    E.append(Entry('wbxml/nesting-5000', 'wbxml', wbxml(deeper), code='TooLarge', layer='wbxml'))
    E.append(Entry('wbxml/elements-60000-beyond-cap-8192', 'wbxml', wbxml(b'\x06' * 60000),
                   code='TooLarge', layer='wbxml'))
    E.append(Entry('wbxml/characteristics-100000', 'wbxml', wbxml(b'\x06' * 100000),
                   code='TooLarge', layer='wbxml', where=None))
    E.append(Entry('wbxml/string-beyond-cap-4096', 'wbxml',
                   wbxml(b'\xC6\x55\x01' + parm(0x07, 'n' * 5000) + b'\x01'),
                   code='TooLarge', layer='wbxml'))
    E.append(Entry('wbxml/invalid-utf8-str-i', 'wbxml',
                   wbxml(b'\xC6\x55\x01' + parm(0x07, b'bad \xC3\x28 \xFF utf8') + b'\x01'),
                   code='InvalidDocument', layer='wbxml'))
    E.append(Entry('wbxml/invalid-utf8-overlong', 'wbxml',
                   wbxml(b'\xC6\x55\x01' + parm(0x07, b'\xC0\xAF') + b'\x01'),
                   code='InvalidDocument', layer='wbxml'))
    E.append(Entry('wbxml/invalid-utf8-string-table', 'wbxml',
                   wbxml(b'\xC6\x55\x01\x87\x07\x06\x83\x00\x01\x01', strtbl=b'\xED\xA0\x80\x00'),
                   code='InvalidDocument', layer='wbxml'))
    E.append(Entry('wbxml/nul-in-entity', 'wbxml',
                   wbxml(b'\xC6\x55\x01\x87\x07\x06\x02\x00\x01\x01'),
                   code='InvalidDocument', layer='wbxml'))

    # ---- XML (the textual content type) ----
    laughs = (b'<?xml version="1.0"?>\n<!DOCTYPE wap-provisioningdoc [\n'
              b'<!ENTITY a "aaaaaaaaaa">\n' +
              b''.join(b'<!ENTITY %c "&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;">\n' %
                       ((ord('b') + i,) + (ord('a') + i,) * 10) for i in range(9)) +
              b']>\n<wap-provisioningdoc><characteristic type="NAPDEF"><parm name="NAME" '
              b'value="&j;"/></characteristic></wap-provisioningdoc>')
    E.append(Entry('xml/billion-laughs', 'xml', laughs, code='InvalidDocument', layer='xml',
                   where=None))
    E.append(Entry('xml/external-entity-file', 'xml',
                   b'<?xml version="1.0"?>\n<!DOCTYPE wap-provisioningdoc [\n'
                   b'<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<wap-provisioningdoc>'
                   b'<characteristic type="NAPDEF"><parm name="NAME" value="&x;"/>'
                   b'</characteristic></wap-provisioningdoc>', code='InvalidDocument',
                   layer='xml', where=None))
    E.append(Entry('xml/parameter-entity', 'xml',
                   b'<?xml version="1.0"?>\n<!DOCTYPE wap-provisioningdoc [\n'
                   b'<!ENTITY % p SYSTEM "http://192.0.2.1/x.dtd"> %p;]>\n'
                   b'<wap-provisioningdoc/>', code='InvalidDocument', layer='xml', where=None))
    E.append(Entry('xml/attlist-declaration', 'xml',
                   b'<!DOCTYPE wap-provisioningdoc [<!ATTLIST parm value CDATA "evil">]>'
                   b'<wap-provisioningdoc/>', code='InvalidDocument', layer='xml', where=None))
    E.append(Entry('xml/not-well-formed', 'xml', xml_doc(b'<characteristic type="NAPDEF">'),
                   code='InvalidDocument', layer='xml', where='line'))
    E.append(Entry('xml/wrong-root', 'xml', XML_HEAD + b'<html><body/></html>',
                   code='InvalidDocument', layer='xml', where='line'))
    E.append(Entry('xml/invalid-utf8', 'xml',
                   xml_doc(b'<characteristic type="NAPDEF"><parm name="NAME" value="\xC3\x28"/>'
                           b'</characteristic>'), code='InvalidDocument', layer='xml',
                   where=None))
    E.append(Entry('xml/nul-octet', 'xml', xml_doc(b'<characteristic type="NA\x00PDEF"/>'),
                   code='InvalidDocument', layer='xml', where=None))
    E.append(Entry('xml/too-big-300000', 'xml',
                   xml_doc(b'<characteristic type="NAPDEF"/>' * 10000),
                   code='TooLarge', layer='xml', where=None))
    E.append(Entry('xml/characteristics-100000', 'xml',
                   xml_doc(b'<characteristic/>' * 100000), code='TooLarge',
                   layer='deliver|input', where=None))
    E.append(Entry('xml/nesting-40', 'xml',
                   xml_doc(b'<characteristic type="A">' * 40 + b'</characteristic>' * 40),
                   code='TooLarge', layer='xml', where=None))
    E.append(Entry('xml/empty', 'xml', b' ', code='InvalidDocument', layer='xml', where=None))

    # ---- the daemon's own limits ----
    E.append(Entry('deliver/empty-input', 'wbxml', b'', code='InvalidArgs', layer='deliver',
                   where=None, ctl=False))
    E.append(Entry('deliver/above-max-message-bytes', 'wbxml', b'\x03' * (1024 * 1024 + 1),
                   code='TooLarge', layer='deliver', where=None, ctl=False))
    E.append(Entry('deliver/unknown-format', 'mms', b'\x01\x02', code='InvalidArgs',
                   layer='deliver', where=None, ctl=False))
    E.append(Entry('deliver/wsp-is-not-segmented-imsi-letters', 'wsp', good_push,
                   code='InvalidArgs', layer='deliver|imsi', where=None, ctl=False,
                   options={'imsi': 'ABCDEFGHIJ'}))
    E.append(Entry('deliver/option-too-long', 'wsp', good_push, code='InvalidArgs',
                   layer='deliver|sender', where=None, ctl=False,
                   options={'sender': '+' + '1' * 400}))

    return E


def valid_and_partial():
    """Inputs that must decode (or be held): tricky but legitimate."""
    E = []

    def document_has(text):
        def check(tc, d, path, entry):
            tc.assertIn(text, d.document(path), entry.name)
        return check

    def has_warnings(tc, d, path, entry):
        tc.assertTrue(d.props(path)['Warnings'], '%s: no warning' % entry.name)

    # ISO-8859-1 (MIBenum 4) with octets above 0x7F: é = E9, ü = FC
    E.append(Entry('valid/iso-8859-1-high-octets', 'wbxml',
                   wbxml(b'\xC6\x55\x01' + parm(0x11, 'NAP-latin1') +
                         parm(0x07, b'Caf\xE9 M\xFCnchen') + b'\x01', charset=0x04),
                   kind='valid', states=('quarantined',),
                   check=document_has('Café München')))
    E.append(Entry('valid/us-ascii-charset', 'wbxml',
                   wbxml(napdef('ascii'), charset=0x03), kind='valid',
                   states=('quarantined',)))
    E.append(Entry('valid/utf8-multibyte', 'wbxml',
                   wbxml(b'\xC6\x55\x01' + parm(0x11, 'NAP-utf8') +
                         parm(0x07, 'Ω Straße 東京') + b'\x01'),
                   kind='valid', states=('quarantined',), check=document_has('Ω Straße 東京')))
    # unknown tokens: decode with warnings (digest §4.7: never silently)
    E.append(Entry('valid/unknown-attribute-start-0x4D', 'wbxml',
                   wbxml(napdef('unk1', extra=b'\x87\x4D\x06' + str_i('x') + b'\x01')),
                   kind='valid', states=('quarantined',), check=has_warnings))
    E.append(Entry('valid/unknown-attribute-value-0xBD', 'wbxml',
                   wbxml(napdef('unk2', extra=b'\x87\x10\x06\xBD\x01')),
                   kind='valid', states=('quarantined',), check=has_warnings))
    E.append(Entry('valid/unknown-tag-0x3F', 'wbxml',
                   wbxml(napdef('unk3') + b'\x3F'), kind='valid', states=('quarantined',),
                   check=has_warnings))
    E.append(Entry('valid/msprov-code-page-200', 'wbxml',
                   wbxml(napdef('unk4') + b'\x00\xC8\x22\x00\x00'), kind='valid',
                   states=('quarantined',), check=has_warnings))
    # wrong MACs: kept for inspection, never applied
    doc = valid_doc('mac')
    E.append(Entry('valid/wrong-mac-netwpin', 'wsp',
                   push(doc, sec='netwpin', mac_hex='0' * 40), kind='valid',
                   states=('rejected',), ctl_exit=3, options={'imsi': '001017770001234'}))
    E.append(Entry('valid/mac-of-another-imsi-netwpin', 'wsp',
                   push(valid_doc('mac2'), sec='netwpin',
                        mac_hex=mac('netwpin', valid_doc('mac2'), imsi='001017770009999')),
                   kind='valid', states=('rejected',), ctl_exit=3,
                   options={'imsi': '001017770001234'}))
    E.append(Entry('valid/wrong-mac-userpin-waits-for-pin', 'wsp',
                   push(valid_doc('mac3'), sec='userpin', mac_hex='F' * 40), kind='valid',
                   states=('pending-pin',), ctl_exit=0))
    # the 255-segment limits
    big = push(wbxml(napdef('s255', extra=parm(0x07, 'p' * 600))))
    E.append(Entry('segments/255-complete-8bit-ref', 'ud', None,
                   segments=segmented(big, 255, 0x55), kind='valid', states=('quarantined',)))
    big2 = push(wbxml(napdef('s255b', extra=parm(0x07, 'q' * 600))))
    E.append(Entry('segments/255-complete-16bit-ref-reversed', 'ud', None,
                   segments=list(reversed(segmented(big2, 255, 0x5555, sixteen=True))),
                   kind='valid', states=('quarantined',)))
    big3 = push(wbxml(napdef('s255c', extra=parm(0x07, 'r' * 600))))
    E.append(Entry('segments/255-incomplete-254-of-255', 'ud', None,
                   segments=segmented(big3, 255, 0x56)[:254], kind='receiving'))
    E.append(Entry('segments/255-only-the-last', 'ud', None,
                   segments=segmented(big3, 255, 0x57)[254:], kind='receiving'))
    small = push(valid_doc('dup'))
    E.append(Entry('segments/1-of-3-thrice', 'ud', None,
                   segments=[segmented(small, 3, 0x58)[0]] * 3, kind='receiving'))
    E.append(Entry('segments/2-of-3-second-twice', 'ud', None,
                   segments=[segmented(small, 3, 0x59)[i] for i in (1, 2, 1)], kind='receiving'))

    def total_is(n):
        def check(tc, d, path, entry):
            tc.assertEqual(d.props(path)['SegmentsTotal'], n, entry.name)
        return check

    # TS 23.040 9.2.3.24: of IEs that exclude each other, the last one counts
    E.append(Entry('udh/two-concat-ies-last-wins', 'ud',
                   ud([PORTS, concat8(1, 2, 1), concat16(2, 3, 1)], b'abc'), kind='receiving',
                   check=total_is(3)))
    # octets after the root's END, a processing instruction: ignored, said
    E.append(Entry('valid/wbxml-extra-end', 'wbxml', valid_doc('X1') + b'\x01', kind='valid',
                   states=('quarantined',), check=has_warnings))
    E.append(Entry('valid/wbxml-trailing-junk', 'wbxml', valid_doc('X2') + b'\x45\x01',
                   kind='valid', states=('quarantined',), check=has_warnings))
    E.append(Entry('valid/wbxml-pi-token', 'wbxml', wbxml(b'\x43\x05\x01' + napdef('pi')),
                   kind='valid', states=('quarantined',), check=has_warnings))
    # wrong MAC forms: no key can ever verify them (kept, never applied)
    E.append(Entry('valid/mac-not-hex', 'wsp', push(valid_doc('mh'), sec='netwpin',
                                                    mac_hex='Z' * 40),
                   kind='valid', states=('rejected',), ctl_exit=3))
    E.append(Entry('valid/mac-short', 'wsp', push(valid_doc('ms'), sec='userpin', mac_hex='ABCD'),
                   kind='valid', states=('rejected',), ctl_exit=3))
    E.append(Entry('valid/udhi-not-set-wsp-decides', 'sms',
                   tpdu(push(valid_doc('noudh')), first=0x04), kind='valid',
                   states=('quarantined',)))
    E.append(Entry('valid/string-table-60000', 'wbxml',
                   wbxml(b'\xC6\x55\x01\x87\x11\x06\x83\x00\x01\x01',
                         strtbl=(b'N' * 999 + b'\x00') * 60), kind='valid',
                   states=('quarantined',)))
    return E


def everything():
    entries = truncations() + crafted() + valid_and_partial()
    names = [e.name for e in entries]
    assert len(names) == len(set(names)), 'duplicate catalogue names'
    return entries
