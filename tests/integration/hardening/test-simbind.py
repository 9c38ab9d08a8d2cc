#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A message for SIM B never overwrites the NetworkManager
connection a message for SIM A made, even when both carry the same profile
(same NAPID, same NAME) and both cards are of the same operator. omacpd on a private bus as the system bus, the real
NetworkManager; run through tests/integration/nm/run-in-netns.sh."""

from omacptest import e2e
from omacptest.e2e import internet_xml, OMACP, OMACP_ROOT

import dbus

# two cards of one operator (same MCC/MNC): told apart by their ICCIDs,
# which the modem adapters report with every push
SIM_A = "001010000011111"
SIM_B = "001010000022222"
ICCID = {SIM_A: "8900101000000011111", SIM_B: "8900101000000022222"}
MANAGER = OMACP + ".Manager"


def main():
    e2e.skip_unless_ready(["NetworkManager", "dbus-daemon"])
    w = e2e.World("simbind")
    w.start_polkit()
    state = {}

    def up():
        w.start_nm()
        w.start_omacpd(e2e.config(["NetworkManager"], []))
    w.check("NetworkManager and omacpd (NetworkManager backend) up", up)

    def apply(imsi, apn):
        doc = internet_xml("NAP-OPERATOR", "Operator Internet", apn).encode()
        path = str(w.call(OMACP, OMACP_ROOT, MANAGER, "Deliver", "aysa{sv}",
                          [dbus.ByteArray(doc), "xml",
                           dbus.Dictionary({"imsi": dbus.String(imsi, variant_level=1),
                                            "iccid": dbus.String(ICCID[imsi], variant_level=1)},
                                           signature="sv")]))
        w.call(OMACP, path, e2e.MESSAGE, "Accept", "s", [""])
        w.wait_state(path, "applied", timeout=30)
        return path

    def sim_a():
        apply(SIM_A, "apn-a.example")
        [(uuid, s)] = w.nm_omacp_connections().items()
        assert s["gsm"]["apn"] == "apn-a.example", s["gsm"]
        assert s["gsm"].get("sim-id") == ICCID[SIM_A], s["gsm"]
        state["a"] = uuid
    w.check("SIM A's message makes its connection", sim_a)

    def sim_b():
        apply(SIM_B, "apn-b.example")
        conns = w.nm_omacp_connections()
        assert len(conns) == 2, {u: s["gsm"] for u, s in conns.items()}
        assert state["a"] in conns, "SIM A's connection is gone"
        assert conns[state["a"]]["gsm"]["apn"] == "apn-a.example", conns[state["a"]]["gsm"]
        [other] = [s for u, s in conns.items() if u != state["a"]]
        assert other["gsm"]["apn"] == "apn-b.example", other["gsm"]
        assert other["gsm"].get("sim-id") == ICCID[SIM_B], other["gsm"]
        profiles = [w.props(p) for p in w.profiles()]
        assert len(profiles) == 2, profiles
        assert sorted(p["Imsi"][:5] + p["Imsi"][-2:] for p in profiles) == \
            sorted(i[:5] + i[-2:] for i in (SIM_A, SIM_B)), profiles
    w.check("SIM B's message with the same profile makes a second connection; SIM A's "
            "keeps its APN", sim_b)

    def update_a():
        apply(SIM_A, "apn-a2.example")
        conns = w.nm_omacp_connections()
        assert len(conns) == 2, conns
        assert conns[state["a"]]["gsm"]["apn"] == "apn-a2.example", conns[state["a"]]["gsm"]
        [other] = [s for u, s in conns.items() if u != state["a"]]
        assert other["gsm"]["apn"] == "apn-b.example", other["gsm"]
    w.check("an update for SIM A changes SIM A's connection alone", update_a)

    w.finish()


if __name__ == "__main__":
    main()
