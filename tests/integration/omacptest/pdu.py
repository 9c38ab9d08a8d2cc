# SPDX-License-Identifier: GPL-2.0-or-later
"""SMS-DELIVER PDUs (3GPP TS 23.040) for the fake modem, built from TP-User-Data.

Modem PDU-mode form: SMSC address field followed by the TPDU, as +CMT/+CMGR print it.
"""

import os

PORTS_UDH = bytes.fromhex("0605040B8423F0")  # UDHL 6, IE 05: dst 2948, src 9200


def _semi_octets(digits):
    if len(digits) % 2:
        digits += "F"
    return bytes(int(digits[i + 1] + digits[i], 16) for i in range(0, len(digits), 2))


def _address(number):
    """TP-OA: digit count, type of address, semi-octets."""
    toa = 0x91 if number.startswith("+") else 0x81
    digits = number.lstrip("+")
    return bytes([len(digits), toa]) + _semi_octets(digits)


def _smsc(number):
    digits = number.lstrip("+")
    body = bytes([0x91]) + _semi_octets(digits)
    return bytes([len(body)]) + body


def deliver(ud, sender="+447700900123", dcs=0x04, udhi=True, scts="42102030405000",
            smsc="+447785016005"):
    """Returns (pdu_hex, tpdu_len) for an SMS-DELIVER carrying @ud (bytes, 8-bit)."""
    first = 0x04 | (0x40 if udhi else 0)  # MTI deliver, TP-MMS (no more messages)
    # @scts as transmitted (semi-octets already swapped): 2024-01-02 03:04:05 +00
    tpdu = bytes([first]) + _address(sender) + bytes([0x00, dcs]) + bytes.fromhex(scts)
    tpdu += bytes([len(ud)]) + ud
    if len(ud) > 140:
        raise ValueError("user data of %d octets does not fit one SMS" % len(ud))
    pdu = _smsc(smsc) + tpdu
    return pdu.hex().upper(), len(tpdu)


def text_deliver(text, sender="+447700900123"):
    """A GSM 7-bit text SMS (ASCII letters/digits/space only)."""
    septets = [ord(c) for c in text]
    out = bytearray()
    acc = 0
    bits = 0
    for s in septets:
        acc |= s << bits
        bits += 7
        while bits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            bits -= 8
    if bits:
        out.append(acc & 0xFF)
    first = 0x04
    tpdu = bytes([first]) + _address(sender) + bytes([0x00, 0x00]) + bytes.fromhex("42102030405000")
    tpdu += bytes([len(septets)]) + bytes(out)
    pdu = _smsc("+447785016005") + tpdu
    return pdu.hex().upper(), len(tpdu)


def load_hex_lines(path):
    with open(path) as f:
        return [bytes.fromhex(l.strip()) for l in f if l.strip() and not l.startswith("#")]


def strip_udh(ud):
    """TP-UD with UDHI set -> (information elements {iei: data}, payload)."""
    udhl = ud[0]
    udh = ud[1:1 + udhl]
    ies = {}
    i = 0
    while i + 1 < len(udh):
        iei, ln = udh[i], udh[i + 1]
        ies[iei] = udh[i + 2:i + 2 + ln]
        i += 2 + ln
    return ies, ud[1 + udhl:]


def reassemble(uds):
    """The WSP push carried by the segments (any order): payloads by sequence number."""
    parts = []
    for ud in uds:
        ies, payload = strip_udh(ud)
        seq = ies[0x00][2] if 0x00 in ies else 1
        parts.append((seq, payload))
    return b"".join(p for _, p in sorted(parts))


def segment_push(push, ref, max_payload=None, ports=True):
    """Splits a WSP push into TP-UD segments with the port IE and 8-bit concatenation."""
    udh_len = (6 if ports else 0) + 5
    room = max_payload or (140 - 1 - udh_len)
    chunks = [push[i:i + room] for i in range(0, len(push), room)] or [b""]
    out = []
    for n, chunk in enumerate(chunks, 1):
        ies = (bytes.fromhex("05040B8423F0") if ports else b"")
        if len(chunks) > 1:
            ies += bytes([0x00, 0x03, ref & 0xFF, len(chunks), n])
        out.append(bytes([len(ies)]) + ies + chunk)
    return out


def wsp_push(content_type_octets, body, tid=0x01, headers=b""):
    """A connectionless WSP push: TID, 0x06, HeadersLen, content type + headers, body."""
    hdr = content_type_octets + headers
    assert len(hdr) < 0x80
    return bytes([tid, 0x06, len(hdr)]) + hdr + body


def cp_push(wbxml, sec=0x80, mac=None, tid=0x01):
    """A connectivity-wbxml push with SEC/MAC in the general form (1F len B6 91 sec 92 mac 00)."""
    value = bytes([0xB6])
    if sec is not None:
        value += bytes([0x91, sec])
    if mac is not None:
        value += bytes([0x92]) + mac.encode() + b"\x00"
    ct = (bytes([0x1F, len(value)]) if len(value) > 30 else bytes([len(value)])) + value
    return wsp_push(ct, wbxml, tid=tid)


# The m-notification-ind push of the field notes: application/vnd.wap.mms-message, AppId mms.ua
MMS_PUSH = bytes.fromhex(
    "0106226170706C69636174696F6E2F766E642E7761702E6D6D732D6D65737361676500AF84"
    "8C82985430303031008D928919802B3434373730303930303132332F545950453D504C4D4E00"
    "8A808E020BB88805810301518083687474703A2F2F6D6D732E6578616D706C652E636F6D2F6D2F3100")


def vectors_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "..", "data", "vectors", "public")
