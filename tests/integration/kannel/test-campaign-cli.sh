#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# omacpctl campaign without Kannel: JSON lines, refused rows,
# PIN files, the state file against an unreachable sendsms and one that
# hangs up. The real Kannel is in test-kannel-campaign.py.
# Prints TAP-ish lines and a final "N passed, N failed" line.
set -u
ctl=${OMACPCTL:?OMACPCTL must point at the omacpctl binary}
xml="${G_TEST_SRCDIR:?}/../data/examples/internet.xml"
tmp=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$tmp"' EXIT
# shellcheck source=tests/tap.sh
. "${G_TEST_SRCDIR:?}/tap.sh"

printf 'msisdn,imsi\n+358401000001,244070000000001\n+358401000002,244070000000002\n+35840x,244070000000003\n+358401000004,24407\n' >"$tmp/subs.csv"
check "campaign refuses rows and exits 2" 2 "$ctl" campaign --sec netwpin --document "$xml" "$tmp/subs.csv"
expect "two JSON lines" "$(wc -l <<<"$out")" "2"
case "$err" in *"subs.csv:4:1: row refused"*"subs.csv:5:2: row refused"*) ok "refused rows named by line and column" ;; *) not_ok "refused rows named by line and column" "$err" ;; esac
head -n1 <<<"$out" >"$tmp/line1.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("\n".join(d["submit"]))' "$tmp/line1.json" >"$tmp/c1.hex"
check "the campaign's SMS-SUBMITs verify with the first IMSI" 0 "$ctl" decode --imsi 244070000000001 --json "$tmp/c1.hex"
expect "campaign submit auth" "$(json 'd["auth"]')" "valid"
check "... and not with the second" 3 "$ctl" decode --imsi 244070000000002 "$tmp/c1.hex"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("\n".join(d["ud"]))' "$tmp/line1.json" >"$tmp/c1ud.hex"
check "its ud segments verify too" 0 "$ctl" decode --format ud --imsi 244070000000001 "$tmp/c1ud.hex"
check "campaign without --sec" 1 "$ctl" campaign --document "$xml" "$tmp/subs.csv"
check "campaign without a document" 1 "$ctl" campaign --sec netwpin "$tmp/subs.csv"
printf 'msisdn,imsi\n+358401000001,244070000000001\n' >"$tmp/one.csv"
check "campaign with a template" 0 "$ctl" campaign --sec netwpin --template internet --apn internet.example "$tmp/one.csv"
expect "template campaign: one line" "$(json 'd["msisdn"]')" "+358401000001"

printf 'msisdn,imsi\n+358402000001,\n+358402000002,\n' >"$tmp/upin.csv"
check "userpinmac campaign generates PINs" 0 "$ctl" campaign --sec userpinmac --document "$xml" "$tmp/upin.csv"
first_run=$out
expect "PIN file mode" "$(stat -c %a "$tmp/upin.csv.pins")" "600"
pin1=$(sed -n 's/^+358402000001,//p' "$tmp/upin.csv.pins")
expect "userpinmac PIN has 10 digits" "${#pin1}" "10"
case "$err$out" in *"$pin1"*) not_ok "the PIN stays out of the output" ;; *) ok "the PIN stays out of the output" ;; esac
head -n1 <<<"$out" >"$tmp/line1.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("\n".join(d["submit"]))' "$tmp/line1.json" >"$tmp/p1.hex"
check "the message verifies with the PIN from the file" 0 "$ctl" decode --pin "$pin1" --json "$tmp/p1.hex"
expect "userpinmac campaign auth" "$(json 'd["auth"]')" "valid"
check "a rerun reuses the PINs" 0 "$ctl" campaign --sec userpinmac --document "$xml" "$tmp/upin.csv"
expect "same PIN file" "$(sed -n 's/^+358402000001,//p' "$tmp/upin.csv.pins")" "$pin1"
chmod 644 "$tmp/upin.csv.pins"
check "a PIN file readable by others is refused" 1 "$ctl" campaign --sec userpinmac --document "$xml" "$tmp/upin.csv"

# a Kannel that cannot be reached: not sent (exit 4), recorded, retried next time
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
check "unreachable Kannel: exit 4" 4 env OMACP_KANNEL_PASSWORD=x "$ctl" campaign --no-progress --sec netwpin --document "$xml" --kannel "http://127.0.0.1:$port/cgi-bin/sendsms" --user u --retries 1 --retry-delay 0.01 "$tmp/one.csv"
expect "two failed attempts in the state file" "$(grep -c '^failed +358401000001 1 connect' "$tmp/one.csv.state")" "2"
expect "no intent recorded without a connection" "$(grep -c '^sending' "$tmp/one.csv.state")" "0"
check "another document with the same state file is refused" 1 env OMACP_KANNEL_PASSWORD=x "$ctl" campaign --no-progress --sec userpin --document "$xml" --kannel "http://127.0.0.1:$port/" --user u "$tmp/one.csv"
# a server that reads the request and hangs up: in doubt (exit 5), never resent
python3 - "$tmp/port" <<'PY' &
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
s.settimeout(20)
try:
    while True:
        c, _ = s.accept(); c.recv(65536); c.close()
except OSError:
    pass
PY
server=$!
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(cat "$tmp/port")
printf 'msisdn,imsi\n+358403000001,244070000000001\n' >"$tmp/doubt.csv"
check "no answer: in doubt, exit 5" 5 env OMACP_KANNEL_PASSWORD=x "$ctl" campaign --no-progress --sec netwpin --document "$xml" --kannel "http://127.0.0.1:$port/cgi-bin/sendsms" --user u "$tmp/doubt.csv"
kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; server=
intents=$(grep -c '^sending' "$tmp/doubt.csv.state")
expect "each segment's intent has its doubt" "$(grep -c '^doubt' "$tmp/doubt.csv.state")" "$intents"
check "the rerun does not resend it" 5 env OMACP_KANNEL_PASSWORD=x "$ctl" campaign --no-progress --sec netwpin --document "$xml" --kannel "http://127.0.0.1:$port/cgi-bin/sendsms" --user u "$tmp/doubt.csv"
case "$err" in *"+358403000001 in doubt"*) ok "the report names the subscriber in doubt" ;; *) not_ok "the report names the subscriber in doubt" "$err" ;; esac
expect "no second attempt" "$(grep -c '^sending' "$tmp/doubt.csv.state")" "$intents"
check "--resend-in-doubt tries again" 4 env OMACP_KANNEL_PASSWORD=x "$ctl" campaign --no-progress --sec netwpin --document "$xml" --kannel "http://127.0.0.1:$port/cgi-bin/sendsms" --user u --retries 0 --resend-in-doubt "$tmp/doubt.csv"

tap_finish
