#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A fake AT modem (GSM 07.07/07.05, PDU mode) for the integration tests.

It listens on TCP (oFono's phonesim plugin connects to it) or on a unix stream
socket (ModemManager's Test.SetProfile "virtual" port connects to it), one
client at a time, answers the AT dialogue of ofonod 1.31 and ModemManager 1.20,
and delivers SMS-DELIVER PDUs through +CMT (acked by AT+CNMA) or +CMTI (read
with AT+CMGR, deleted with AT+CMGD).

Used as a module by the tests, or standalone:
    fakemodem.py --tcp 12345 --imsi 001010000000001 --control /tmp/x/ctl.sock
with a line protocol on the control socket: "cmt <pdu-hex>", "cmti <pdu-hex>",
"store <pdu-hex>", "quit"; each answered "ok" or "error <text>".
"""

import argparse
import os
import re
import socket
import threading
import time

CTRL_Z = b"\x1a"
ESC = b"\x1b"


def _bcd_swap(digits):
    if len(digits) % 2:
        digits += "F"
    return "".join(digits[i + 1] + digits[i] for i in range(0, len(digits), 2))


def _get_response(fid, size):
    # 2G GET RESPONSE of a transparent EF
    return "0000%04X%04X040000FF5501020000" % (size, fid)


class FakeModem:
    def __init__(self, imsi="001010123456789", iccid="8944500102198304826", mnc_len=2,
                 spn="FakeNet", operator="00101", tcp_port=None, unix_path=None,
                 log_path=None, cmt=True, reannounce=False):
        self.imsi = imsi
        self.iccid = iccid
        self.mnc_len = mnc_len
        self.spn = spn
        self.operator = operator
        self.cmt_mode = cmt  # +CSMS service 1: ofono acks +CMT with +CNMA
        self.reannounce = reannounce  # repeat +CMTI until read (ModemManager's storage lock)
        self.log_file = open(log_path, "a", buffering=1) if log_path else None
        self.storage = {}  # "SM" storage: index -> (pdu_hex, tpdu_len)
        # The storage +CPMS selected: AT+CMGL lists messages only for "SM" ("ME" looks
        # empty), while +CMGR/+CMGD act on the one store whatever is selected:
        # ModemManager 1.20 files +CMTI "SM" parts under "me" and deletes them there.
        self.mem1 = "SM"
        self.read_indices = set()
        self.lock = threading.RLock()
        self.conn = None
        self.connected = threading.Event()
        self.ack = threading.Event()
        self.read_event = threading.Condition(self.lock)
        self.dial_event = threading.Condition(self.lock)
        self.commands = []  # every command line seen
        self.contexts = {}  # PDP contexts by cid: (type, APN), as AT+CGDCONT set them
        self.dials = []  # the ATD commands of packet data calls, without "AT"
        self.dialled = []  # (cid, APN of that context then), one per dial
        self.dial_answer = "NO CARRIER"  # None: the dial rings until release_dial()
        self.held_dial = None
        self.stopping = False
        self.cmt_written_at = []  # monotonic time of each +CMT/+CMTI write (latency)
        if tcp_port is not None:
            self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.server.bind(("127.0.0.1", tcp_port))
            self.address = self.server.getsockname()[1]
        else:
            if os.path.exists(unix_path):
                os.unlink(unix_path)
            self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.server.bind(unix_path)
            self.address = unix_path
        self.server.listen(4)
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.thread.start()
        if reannounce:
            threading.Thread(target=self._reannounce_loop, daemon=True).start()

    # ---- plumbing ----

    def log(self, text):
        if self.log_file:
            self.log_file.write("%.6f %s\n" % (time.monotonic(), text))

    def _accept_loop(self):
        while not self.stopping:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            if conn.family == socket.AF_INET:
                # without it every exchange stalls ~40 ms (Nagle + delayed ACK)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self.lock:
                if self.conn is not None:
                    try:
                        self.conn.close()
                    except OSError:
                        pass
                self.conn = conn
            self.log("connected")
            self.connected.set()
            self._serve(conn)
            with self.lock:
                if self.conn is conn:
                    self.conn = None
                    self.connected.clear()
            self.log("disconnected")

    def _send(self, data, conn=None):
        with self.lock:
            conn = conn or self.conn
            if conn is None:
                raise RuntimeError("no client connected")
            self.log("> %r" % data)
            conn.sendall(data)

    def _line(self, text, conn=None):
        self._send(b"\r\n" + text.encode() + b"\r\n", conn)

    def _serve(self, conn):
        buf = b""
        pending = None  # a two-part command waiting for its PDU
        while True:
            try:
                data = conn.recv(4096)
            except OSError:
                return
            if not data:
                return
            buf += data
            while True:
                if pending is not None:
                    end = min([i for i in (buf.find(CTRL_Z), buf.find(ESC)) if i >= 0],
                              default=-1)
                    if end < 0:
                        break
                    body, buf = buf[:end], buf[end + 1:]
                    self._finish_two_part(conn, pending, body.decode(errors="replace"))
                    pending = None
                    continue
                idx = buf.find(b"\r")
                if idx < 0:
                    break
                line, buf = buf[:idx], buf[idx + 1:]
                line = line.strip(b"\n").strip().decode(errors="replace")
                if not line:
                    continue
                self.log("< %s" % line)
                self.commands.append(line)
                if re.match(r"(?i)^AT\+(CNMA=\d+,\d+|CMGS=\d+|CMGW=\d+)", line):
                    pending = line
                    self._send(b"\r\n> ", conn)
                    continue
                self._answer(conn, line)

    def _finish_two_part(self, conn, command, body):
        self.log("< pdu %s" % body)
        if command.upper().startswith("AT+CNMA"):
            self._line("OK", conn)
            self.ack.set()
        elif command.upper().startswith("AT+CMGS"):
            self._line("+CMGS: 1", conn)
            self._line("OK", conn)
        else:
            self._line("+CMGW: 1", conn)
            self._line("OK", conn)

    def _answer(self, conn, line):
        if not line.upper().startswith("AT"):
            return
        # "AT+A;+B" chains: answer each, one final result
        body = line[2:]
        parts = [p for p in re.split(r";(?=[+&A-Za-z^$])", body)] if body else [""]
        final = "OK"
        out = []
        for part in parts:
            lines, result = self.respond(part.strip())
            out += lines
            if result != "OK":
                final = result
                break
        # V.250: information lines back to back in one frame (a PDU follows its
        # +CMGL/+CMGR line directly: ModemManager's +CMGL parser insists)
        if out:
            self._send(("\r\n" + "\r\n".join(out) + "\r\n").encode(), conn)
        if final is None:
            # a dial left ringing: answered by release_dial(), or by the
            # next command line (the caller gave up and aborted it)
            with self.lock:
                self.held_dial = conn
            return
        with self.lock:
            held, self.held_dial = self.held_dial, None
        if held is not None:
            self._line("NO CARRIER", held)
        self._line(final, conn)

    # ---- the AT dialogue ----

    def respond(self, cmd):
        """One command without its "AT" -> (information lines, final result)."""
        u = cmd.upper()
        ok = ([], "OK")
        err = ([], "ERROR")
        if u == "" or re.match(r"^([EVQXZ]\d?|&[CDFKSW]\d?|S\d+=\d+|\s)+$", u):
            return ok
        if u in ("+CGMI", "+GMI"):
            return (["FakeVendor"], "OK")
        if u in ("+CGMM", "+GMM"):
            return (["FakeModem 1"], "OK")
        if u in ("+CGMR", "+GMR"):
            return (["1.0"], "OK")
        if u in ("+CGSN", "+GSN"):
            return (["356938035643809"], "OK")
        if u in ("I", "I0"):
            return (["FakeVendor FakeModem 1"], "OK")
        if u == "+GCAP":
            return (["+GCAP: +CGSM,+DS,+ES"], "OK")
        if u == "+CBC":
            return (["+CBC: 0,80"], "OK")
        if u == "+SIMSTATE?":
            return (["+SIMSTATE: 1"], "OK")
        if u == "+CPIN?":
            return (["+CPIN: READY"], "OK")
        if u == "+CIMI":
            return ([self.imsi], "OK")
        if u in ("+CCID", "^ICCID?", "+ICCID"):
            return (["+CCID: %s" % self.iccid], "OK")
        if u == "+CNUM":
            return ([], "OK")
        if u.startswith("+CRSM="):
            return self._crsm(u)
        if u == "+CLCK=?":
            return (['+CLCK: ("SC","AO","OI","OX","AI","IR","AB","AG","AC","FD","PN","PU","PP")'], "OK")
        if u.startswith("+CLCK="):
            return (["+CLCK: 0"], "OK") if u.endswith(",2") else ok
        if u == "+CSCS=?":
            return (['+CSCS: ("GSM","IRA","UCS2")'], "OK")
        if u == "+CSCS?":
            return (['+CSCS: "GSM"'], "OK")
        if u.startswith("+CSCS="):
            return ok
        # SMS
        if u == "+CSMS=?":
            return (["+CSMS: (0,1)"], "OK")
        if u.startswith("+CSMS="):
            return (["+CSMS: 1,1,1"], "OK")
        if u == "+CSMS?":
            return (["+CSMS: %d,1,1,1" % (1 if self.cmt_mode else 0)], "OK")
        if u == "+CMGF=?":
            return (["+CMGF: (0)"], "OK")
        if u == "+CMGF?":
            return (["+CMGF: 0"], "OK")
        if u == "+CMGF=0":
            return ok
        if u.startswith("+CMGF="):
            return err
        if u == "+CPMS=?":
            return (['+CPMS: ("SM","ME"),("SM","ME"),("SM","ME")'], "OK")
        if u == "+CPMS?":
            n = len(self.storage)
            return (['+CPMS: "%s",%d,30,"SM",%d,30,"SM",%d,30' % (self.mem1, len(self._mem()), n, n)],
                    "OK")
        if u.startswith("+CPMS="):
            mems = [p.strip().strip('"') for p in u[6:].split(",")]
            if mems and mems[0]:
                self.mem1 = mems[0]
            n = len(self._mem())
            return (["+CPMS: " + ",".join(["%d,30" % n] * max(1, len(mems)))], "OK")
        if u == "+CNMI=?":
            return (["+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)"], "OK")
        if u.startswith("+CNMI"):
            return ok
        if u.startswith("+CMGL"):
            return self._cmgl()
        if u.startswith("+CMGR="):
            return self._cmgr(u)
        if u.startswith("+CMGD="):
            return self._cmgd(u)
        if u == "+CSCA?":
            return (['+CSCA: "+447785016005",145'], "OK")
        if u.startswith("+CSCA"):
            return ok
        if u.startswith("+CGSMS") or u.startswith("+CSMP"):
            return ok
        # network
        if u == "+CFUN?":
            return (["+CFUN: 1"], "OK")
        if u.startswith("+CFUN"):
            return ok
        if u == "+CREG=?":
            return (["+CREG: (0-2)"], "OK")
        if u == "+CREG?":
            return (['+CREG: 2,1,"1234","5678",0'], "OK")
        if u.startswith("+CREG="):
            return ok
        if u == "+CGREG=?":
            return (["+CGREG: (0-2)"], "OK")
        if u == "+CGREG?":
            return (['+CGREG: 2,1,"1234","5678",0'], "OK")
        if u.startswith("+CGREG="):
            return ok
        if u == "+CEREG=?" or u == "+CEREG?" or u.startswith("+CEREG="):
            return err
        if u == "+COPS=?":
            return (['+COPS: (2,"FakeNet","FakeNet","%s",0),,(0-4),(0-2)' % self.operator], "OK")
        if u == "+COPS?":
            return (['+COPS: 0,2,"%s",0' % self.operator], "OK")
        if u.startswith("+COPS="):
            return ok
        if u == "+CSQ":
            return (["+CSQ: 20,99"], "OK")
        if u == "+CGDCONT=?":
            return (['+CGDCONT: (1-4),"IP",,,(0-2),(0-4)', '+CGDCONT: (1-4),"IPV6",,,(0-2),(0-4)',
                     '+CGDCONT: (1-4),"IPV4V6",,,(0-2),(0-4)'], "OK")
        if u == "+CGDCONT?":
            return (['+CGDCONT: %d,"%s","%s","0.0.0.0",0,0' % (cid, pdp, apn)
                     for cid, (pdp, apn) in sorted(self.contexts.items())], "OK")
        if u.startswith("+CGDCONT="):
            return self._cgdcont(cmd[len("+CGDCONT="):])
        if u.startswith("+CGACT") or u.startswith("+CGATT"):
            if u == "+CGATT?":
                return (["+CGATT: 1"], "OK")
            if u == "+CGACT?":
                return (["+CGACT: %d,0" % cid for cid in sorted(self.contexts)], "OK")
            return ok
        if u.startswith("D*99"):
            # a packet data call (ModemManager's PPP bearer): the number it
            # dialled is recorded; the answer is dial_answer: NO CARRIER,
            # CONNECT (no PPP peer follows) or None (no answer yet)
            m = re.match(r"^D\*99(?:\*\*\*(\d+))?#?$", u)
            cid = int(m.group(1)) if m and m.group(1) else 1
            with self.lock:
                self.dials.append(cmd)
                self.dialled.append((cid, self.contexts.get(cid, ("IP", ""))[1]))
                self.dial_event.notify_all()
            return ([], self.dial_answer)
        if u.startswith("+CGAUTO") or u.startswith("+CGEREP"):
            return ok
        if u == "+CIND=?":
            return (['+CIND: ("battchg",(0-5)),("signal",(0-5)),("service",(0,1)),("roam",(0,1))'], "OK")
        if u == "+CIND?":
            return (["+CIND: 5,4,1,0"], "OK")
        if u.startswith("+CMER") or u.startswith("+CMEE") or u.startswith("+CRC") \
                or u.startswith("+CLIP") or u.startswith("+CCWA") or u.startswith("+CSSN") \
                or u.startswith("+COLP") or u.startswith("+CNAP") or u.startswith("+CDIP") \
                or u.startswith("+CUSD") or u.startswith("+CAOC") or u.startswith("+CCWE"):
            return ok
        if u == "+WS46=?":
            return (["+WS46: (12)"], "OK")
        if u == "+WS46?":
            return (["+WS46: 12"], "OK")
        return err

    def _cgdcont(self, args):
        """AT+CGDCONT=<cid>[,"<type>","<apn>",...]: defines (or with a bare cid
        clears) a PDP context, listed again by AT+CGDCONT? (ModemManager 1.20
        reads the profile back before it dials)."""
        fields = [f.strip().strip('"') for f in args.split(",")]
        try:
            cid = int(fields[0])
        except ValueError:
            return ([], "ERROR")
        with self.lock:
            if len(fields) == 1:
                self.contexts.pop(cid, None)
            else:
                self.contexts[cid] = (fields[1] or "IP", fields[2] if len(fields) > 2 else "")
        return ([], "OK")

    def _crsm(self, u):
        args = u[6:].split(",")
        try:
            command, fid = int(args[0]), int(args[1])
        except (ValueError, IndexError):
            return ([], "ERROR")
        files = {
            0x2FE2: bytes.fromhex(_bcd_swap(self.iccid)),
            0x6FAD: bytes([0, 0, 0, self.mnc_len]),
            0x6F46: bytes([0]) + self.spn.encode()[:16].ljust(16, b"\xff"),
            0x6F07: bytes([0x08]) + bytes.fromhex(_bcd_swap("9" + self.imsi)),
        }
        if fid not in files:
            return (["+CRSM: 148,4"], "OK")
        data = files[fid]
        if command == 192:
            return (['+CRSM: 144,0,"%s"' % _get_response(fid, len(data))], "OK")
        if command == 176:
            return (['+CRSM: 144,0,"%s"' % data.hex().upper()], "OK")
        return (["+CRSM: 148,4"], "OK")

    def _mem(self):
        return self.storage if self.mem1 == "SM" else {}

    def _cmgl(self):
        lines = []
        with self.lock:
            for idx in sorted(self._mem()):
                pdu, tlen = self.storage[idx]
                lines.append("+CMGL: %d,%d,,%d" % (idx, 1 if idx in self.read_indices else 0, tlen))
                lines.append(pdu)
                self.read_indices.add(idx)
        return (lines, "OK")

    def _index(self, u):
        try:
            return int(u.split("=", 1)[1].split(",")[0])
        except ValueError:
            return None

    def _cmgr(self, u):
        idx = self._index(u)
        with self.lock:
            if idx not in self.storage:
                return ([], "+CMS ERROR: 321")
            pdu, tlen = self.storage[idx]
            stat = 1 if idx in self.read_indices else 0
            self.read_indices.add(idx)
            self.read_event.notify_all()
        return (["+CMGR: %d,,%d" % (stat, tlen), pdu], "OK")

    def _cmgd(self, u):
        idx = self._index(u)
        with self.lock:
            if u.count(",") and u.split(",")[1].strip() not in ("0", ""):
                self.storage.clear()
            else:
                self.storage.pop(idx, None)
            self.read_indices.discard(idx)
            self.read_event.notify_all()
        return ([], "OK")

    def _reannounce_loop(self):
        while not self.stopping:
            time.sleep(1.0)
            with self.lock:
                unread = [i for i in self.storage if i not in self.read_indices]
                if self.conn is None:
                    continue
                for idx in unread:
                    try:
                        self.log("re-announcing %d" % idx)
                        self._line('+CMTI: "SM",%d' % idx)
                    except OSError:
                        pass

    # ---- API for the tests ----

    def wait_dials(self, n, timeout=30):
        """Waits until @n packet data calls were dialled; their ATD commands."""
        with self.lock:
            if not self.dial_event.wait_for(lambda: len(self.dials) >= n, timeout):
                raise TimeoutError("%d dial(s) seen, wanted %d" % (len(self.dials), n))
            return list(self.dials)

    def release_dial(self, answer="NO CARRIER"):
        """Answers a dial left ringing (dial_answer None); False when none rings."""
        with self.lock:
            held, self.held_dial = self.held_dial, None
        if held is None:
            return False
        self._line(answer, held)
        return True

    def wait_connected(self, timeout=10):
        if not self.connected.wait(timeout):
            raise TimeoutError("nobody connected to the fake modem")

    def store(self, pdu_hex, tpdu_len):
        with self.lock:
            idx = 1
            while idx in self.storage:
                idx += 1
            self.storage[idx] = (pdu_hex, tpdu_len)
            return idx

    def deliver_cmt(self, pdu_hex, tpdu_len, timeout=5):
        """+CMT and wait for the AT+CNMA ack (as a real modem would)."""
        self.ack.clear()
        with self.lock:
            self.cmt_written_at.append(time.monotonic())
            self._send(("\r\n+CMT: ,%d\r\n%s\r\n" % (tpdu_len, pdu_hex)).encode())
        if not self.ack.wait(timeout):
            raise TimeoutError("no AT+CNMA for +CMT")

    def deliver_cmti(self, pdu_hex, tpdu_len, timeout=10, wait="read"):
        """Stores the PDU, announces it with +CMTI and waits until it is read (or deleted)."""
        with self.lock:
            idx = self.store(pdu_hex, tpdu_len)
            self.cmt_written_at.append(time.monotonic())
            self._line('+CMTI: "SM",%d' % idx)
            deadline = time.monotonic() + timeout
            while True:
                gone = idx not in self.storage  # read and deleted already
                done = gone or (wait == "read" and idx in self.read_indices)
                if done:
                    return idx
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("+CMTI %d was not %s" % (idx, wait))
                self.read_event.wait(left)

    def close_client(self):
        with self.lock:
            if self.conn is not None:
                try:
                    self.conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        self.stopping = True
        try:
            self.server.shutdown(socket.SHUT_RDWR)  # wakes accept() on Linux
        except OSError:
            pass
        self.server.close()
        self.close_client()
        if isinstance(self.address, str) and os.path.exists(self.address):
            os.unlink(self.address)


def _control(modem, path):
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(path):
        os.unlink(path)
    srv.bind(path)
    srv.listen(1)
    while True:
        conn, _ = srv.accept()
        f = conn.makefile("rw", buffering=1)
        for line in f:
            words = line.split()
            if not words:
                continue
            try:
                if words[0] == "quit":
                    f.write("ok\n")
                    modem.stop()
                    return
                pdu = words[1].upper()
                tlen = len(pdu) // 2 - (int(pdu[:2], 16) + 1)
                if words[0] == "cmt":
                    modem.deliver_cmt(pdu, tlen)
                elif words[0] == "cmti":
                    modem.deliver_cmti(pdu, tlen)
                elif words[0] == "store":
                    modem.store(pdu, tlen)
                else:
                    raise ValueError("unknown command " + words[0])
                f.write("ok\n")
            except Exception as e:  # report, keep serving
                f.write("error %s\n" % e)
        conn.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--tcp", type=int, help="TCP port on 127.0.0.1 (oFono phonesim)")
    g.add_argument("--unix", help="unix socket path (ModemManager virtual port)")
    ap.add_argument("--imsi", default="001010123456789")
    ap.add_argument("--iccid", default="8944500102198304826")
    ap.add_argument("--cmti", action="store_true", help="+CMTI mode (+CSMS service 0)")
    ap.add_argument("--control", required=True, help="unix socket for commands")
    ap.add_argument("--log")
    a = ap.parse_args()
    modem = FakeModem(imsi=a.imsi, iccid=a.iccid, tcp_port=a.tcp, unix_path=a.unix,
                      log_path=a.log, cmt=not a.cmti, reannounce=a.unix is not None)
    print("listening %s" % modem.address, flush=True)
    _control(modem, a.control)


if __name__ == "__main__":
    main()
