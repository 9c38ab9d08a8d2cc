#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The README's first command keeps telling the truth: tools/demo's chain
# (tools/demo-chain.py: fake modem -> real ofonod -> omacpd -> real
# NetworkManager, in private namespaces) runs, and its output shows every
# step in order and ends with NetworkManager's view of the new connection.
set -u
src=${MESON_SOURCE_ROOT:?}
out=$("$src/tests/integration/nm/run-in-netns.sh" /usr/bin/python3 "$src/tools/demo-chain.py" 2>&1)
status=$?
case "$out" in "1..0 # SKIP"*)
	echo "$out"
	exit 0
	;;
esac
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

[ "$status" = 0 ] && ok "the demo chain exits 0" || not_ok "the demo chain exits 0 (got $status)"

# each step, in the order it happens: the line number of the first match
last=0
step() { # DESCRIPTION EXTENDED-REGEX
	local line
	line=$(grep -n -m1 -E -- "$2" <<<"$out" | cut -d: -f1)
	if [ -z "$line" ]; then
		not_ok "$1: no line matches /$2/"
	elif [ "$line" -lt "$last" ]; then
		not_ok "$1: line $line comes before the previous step (line $last)"
	else
		ok "$1 (line $line)"
		last=$line
	fi
}
step "the real ofonod drives the fake modem" "ofonod +the real ofonod drives the fake modem: /fakemodem powered and online"
step "omacpd holds the push agent slot" "omacpd +omacpd owns org.omacp.Provisioning1 and holds /fakemodem's push agent slot"
step "the signed message is encoded as SMS" "operator +omacpctl encode --sec netwpin .* as [2-9] SMS"
step "the fake modem sends SMS 1" "modem +\+CMT: SMS 1/[2-9] "
step "ofonod acknowledges it" "ofonod +SMS 1/[2-9] received and acknowledged \(AT\+CNMA\)"
# omacpd's events (omacpctl monitor) and the agent's lines come from two
# processes: between them the order is not fixed
present() { # DESCRIPTION EXTENDED-REGEX
	if grep -q -E -- "$2" <<<"$out"; then ok "$1"; else not_ok "$1: no line matches /$2/"; fi
}
step "the segments are reassembled" "ofonod +[2-9] segments reassembled"
present "omacpd has the message with sender and masked SIM" "message/1: from \+447700900123, on the SIM 00101\*{8}45"
present "authenticated with the SIM" "message/1: authenticated with the SIM: SEC netwpin"
step "the agent is asked" "agent +\| omacpd asks whether to apply message/1"
step "the change list with human labels" "agent +\|   Access point \(APN\): +\(none\) → internet\.demo-operator\.example"
step "the risk" "agent +\|   RISK: +HTTP proxy 10\.11\.12\.13:8080"
step "the agent confirms" "agent +\| Answering yes"
step "applied to NetworkManager and oFono" "profile/1: applied to networkmanager \([0-9a-f-]{36}\), ofono \(/fakemodem/context[0-9]+\)"
step "applied" "message/1: state APPLIED"
step "the profile with labels" "omacpctl show profile/1"
step "the backends' details on request" "omacpctl show --details -f changes message/1"
step "... NetworkManager's APN" "networkmanager:gsm\.apn: +\(none\) → internet\.demo-operator\.example"
step "... oFono's context" "ofono:AccessPointName: +\(none\) → internet\.demo-operator\.example"
step "NetworkManager's view" "NetworkManager's view: nmcli connection show"
step "nmcli: a gsm connection" "connection\.type: +gsm"
step "nmcli: the APN" "gsm\.apn: +\"internet\.demo-operator\.example\""
step "nmcli: the SIM binding (the card's ICCID)" "gsm\.sim-id: +[0-9]{18,20}"
step "nmcli: the SIM binding (operator of the SIM)" "gsm\.sim-operator-id: +00101"
step "the end" "demo +done: from an SMS on the modem to a NetworkManager connection"
if grep "agent +|" <<<"$out" | grep -q "networkmanager:\|ofono:"; then not_ok "the agent shows no backend details"; else ok "the agent shows no backend details"; fi
if grep -qE "\{'|<'|@a\{sv\}" <<<"$out"; then not_ok "no raw GVariant text"; else ok "no raw GVariant text"; fi
if grep -q "demo-secret" <<<"$out"; then not_ok "the password is never shown"; else ok "the password is never shown"; fi

echo "1..$n"
if [ "$failed" != 0 ]; then
	sed 's/^/# /' <<<"$out"
	exit 1
fi
