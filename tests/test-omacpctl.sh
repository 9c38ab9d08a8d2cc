#!/bin/bash
# omacpctl as a user drives it: exit statuses, stdout, stderr.
# Prints TAP-ish lines and a final "N passed, N failed" line.
set -u
ctl=${OMACPCTL:?OMACPCTL must point at the omacpctl binary}
data=${G_TEST_SRCDIR:?}/data/vectors/public
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1"; [ -n "${2:-}" ] && sed 's/^/#   /' <<<"$2"; }

# check NAME EXPECTED_STATUS COMMAND... ; output in $out, stderr in $err
check() {
	local name=$1 want=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	local got=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
	if [ "$got" = "$want" ]; then ok "$name (exit $got)"; else not_ok "$name: exit $got, wanted $want" "$err"; fi
}

# json_get KEY.PATH: prints a value of the JSON in $out
json() { python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$1" <<<"$out"; }
expect() { # NAME ACTUAL WANTED
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', wanted '$3'"; fi
}

# --- the Sierra vector: 4 SMS-DELIVER PDUs with SMSC, one file per segment, shuffled
grep -v '^#' "$data/08-sierra-dm-bootstrap-userpin1234.tpdu.hex" | grep -v '^$' >"$tmp/sierra.all"
for i in 1 2 3 4; do sed -n "${i}p" "$tmp/sierra.all" >"$tmp/seg$i.hex"; done
check "decode sierra 4 segments out of order" 0 \
	"$ctl" decode --format sms --pin 1234 --json "$tmp/seg3.hex" "$tmp/seg1.hex" "$tmp/seg4.hex" "$tmp/seg2.hex"
expect "sierra content type" "$(json 'd["content-type"]')" "application/vnd.wap.connectivity-wbxml"
expect "sierra sec" "$(json 'd["sec"]')" "userpin"
expect "sierra mac" "$(json 'd["mac"]')" "D55FAFF91DFD93F5808833BD6CAA1EB4E0432444"
expect "sierra auth" "$(json 'd["auth"]')" "valid"
expect "sierra segments" "$(json 'd["transport"]["segments"]')" "4"
expect "sierra sender" "$(json 'd["transport"]["sender"]')" "20170097"
expect "sierra dm profile" "$(json '[p["kind"] for p in d["profiles"]].count("dm") >= 1')" "True"
expect "sierra apn" "$(json '[p["settings"].get("apn") for p in d["profiles"] if p["kind"]=="internet"][0]')" "wap.voicestream.com"
expect "sierra password masked" "$(json '"pwd" in json.dumps(d)')" "False"

check "decode sierra guesses the format" 0 "$ctl" decode --pin 1234 --json "$data/08-sierra-dm-bootstrap-userpin1234.tpdu.hex"
expect "guessed format is sms" "$(json 'd["format"]')" "sms"

check "human output" 0 "$ctl" decode --pin 1234 "$data/08-sierra-dm-bootstrap-userpin1234.tpdu.hex"
case "$out" in *"Authentication: valid"*"wap.voicestream.com"*) ok "human output shows auth and apn" ;; *) not_ok "human output" "$out" ;; esac

check "--show-secrets reveals the password" 0 "$ctl" decode --pin 1234 --json --show-secrets "$data/08-sierra-dm-bootstrap-userpin1234.tpdu.hex"
expect "password shown" "$(json '[p["settings"].get("password") for p in d["profiles"] if p["kind"]=="internet"][0]')" "pwd"

check "stdin, one hex PDU per line" 0 sh -c "\"$ctl\" decode --format sms --pin 1234 --json - < \"$tmp/sierra.all\""
expect "stdin auth" "$(json 'd["auth"]')" "valid"

# --- failures
check "wrong PIN exits 3" 3 "$ctl" decode --format sms --pin 9999 "$data/08-sierra-dm-bootstrap-userpin1234.tpdu.hex"
check "no PIN is unchecked, exits 0" 0 "$ctl" decode --format sms --json "$data/08-sierra-dm-bootstrap-userpin1234.tpdu.hex"
expect "unchecked" "$(json 'd["auth"]')" "unchecked"

# A corrupted segment: the UDL of segment 2 claims 255 octets.
sed 's/^\(.\{48\}\)8C/\1FF/' "$tmp/seg2.hex" >"$tmp/bad2.hex"
check "corrupted segment exits 2" 2 "$ctl" decode --format sms "$tmp/seg1.hex" "$tmp/bad2.hex" "$tmp/seg3.hex" "$tmp/seg4.hex"
case "$err" in *"bad2.hex"*"octet"*) ok "error names the file and the octet" ;; *) not_ok "error names the file and the octet" "$err" ;; esac
[ "$(wc -l <<<"$err")" = 1 ] && ok "error is one line" || not_ok "error is one line" "$err"

check "missing segment exits 2" 2 "$ctl" decode --format sms "$tmp/seg1.hex" "$tmp/seg2.hex" "$tmp/seg4.hex"
case "$err" in *"missing 3"*) ok "names the missing segment" ;; *) not_ok "names the missing segment" "$err" ;; esac

printf 'zz11\n' >"$tmp/nothex"
check "garbage input exits 2" 2 "$ctl" decode --format sms "$tmp/nothex"

# --- user data vectors
check "mobifone (ud) valid" 0 "$ctl" decode --format ud --pin 1111 --json "$data/05-vn-mobifone-gprs-userpin1111.ud.hex"
expect "mobifone mac" "$(json 'd["mac"]')" "4A59B783B6E4AFBE0612358C512ABD0781933B21"
expect "mobifone auth" "$(json 'd["auth"]')" "valid"

# --- the operator side: encode | decode for every SEC method
xml="$G_TEST_SRCDIR/../data/examples/internet.xml"
imsi=123456789012345
for sec in none netwpin userpin usernetwpin userpinmac; do
	pin=1234
	[ "$sec" = userpinmac ] && pin=13579
	check "encode --sec $sec" 0 "$ctl" encode --sec "$sec" --imsi "$imsi" --pin "$pin" "$xml"
	printf '%s\n' "$out" >"$tmp/enc-$sec.hex"
	if [ "$sec" = userpinmac ]; then
		pin=$(sed -n 's/^PIN to give the user: //p' <<<"$err")
		expect "userpinmac prints a 10-digit PIN" "${#pin}" "10"
	fi
	check "decode what encode --sec $sec wrote" 0 sh -c "\"$ctl\" decode --format sms --imsi $imsi --pin $pin --json - < \"$tmp/enc-$sec.hex\""
	want=valid
	[ "$sec" = none ] && want=unsigned
	expect "round trip $sec auth" "$(json 'd["auth"]')" "$want"
	expect "round trip $sec apn" "$(json '[p["settings"].get("apn") for p in d["profiles"] if p["kind"]=="internet"][0]')" "internet.example"
done

check "encode for another IMSI does not verify" 3 sh -c "\"$ctl\" decode --format sms --imsi 001010123456789 - < \"$tmp/enc-netwpin.hex\""

check "template mms" 0 "$ctl" encode --template mms --apn mms.example --mmsc http://mmsc.example/ --mms-proxy 10.1.2.3:8080
printf '%s\n' "$out" >"$tmp/mms.xml"
check "encode the template" 0 "$ctl" encode --sec netwpin --imsi "$imsi" "$tmp/mms.xml"
printf '%s\n' "$out" >"$tmp/mms.hex"
check "decode the template message" 0 "$ctl" decode --imsi "$imsi" --json "$tmp/mms.hex"
expect "mms proxy" "$(json '[p["settings"].get("mms-proxy") for p in d["profiles"] if p["kind"]=="mms"][0]')" "10.1.2.3:8080"

check "template without its option" 1 "$ctl" encode --template internet
check "netwpin without IMSI" 1 "$ctl" encode --sec netwpin "$xml"
printf '<wap-provisioningdoc><characteristic type="NAPDEF"><parm name="NAME" value="x"/></characteristic></wap-provisioningdoc>' >"$tmp/bad.xml"
check "a rule-breaking document is refused" 2 "$ctl" encode "$tmp/bad.xml"
check "... unless --force" 0 "$ctl" encode --force "$tmp/bad.xml"
check "submit output" 0 "$ctl" encode --output submit "$xml"
case "$out" in 00[45]1*) ok "SMS-SUBMIT first octet" ;; *) not_ok "SMS-SUBMIT first octet" "$out" ;; esac

# --- encode --output ud / --to, decode of SMS-SUBMIT (issue 17)
check "submit to a recipient" 0 "$ctl" encode --output submit --to +358401234567 --sec netwpin --imsi "$imsi" "$xml"
printf '%s\n' "$out" >"$tmp/submit.hex"
case "$out" in 0041000C91534810325476*) ok "TP-DA is the --to number" ;; *) not_ok "TP-DA is the --to number" "$out" ;; esac
check "decode guesses SMS-SUBMIT" 0 "$ctl" decode --imsi "$imsi" --json "$tmp/submit.hex"
expect "submit decodes and verifies" "$(json 'd["auth"]')" "valid"
check "decode --format submit" 0 "$ctl" decode --format submit --imsi "$imsi" --json "$tmp/submit.hex"
expect "--format submit verifies" "$(json 'd["auth"]')" "valid"
check "--format submit refuses a DELIVER" 2 "$ctl" decode --format submit "$tmp/enc-netwpin.hex"
case "$err" in *SMS-SUBMIT*) ok "the refusal names SMS-SUBMIT" ;; *) not_ok "the refusal names SMS-SUBMIT" "$err" ;; esac
check "ud output" 0 "$ctl" encode --output ud --sec netwpin --imsi "$imsi" --ref 9 "$xml"
printf '%s\n' "$out" >"$tmp/ud.hex"
case "$(head -n1 "$tmp/ud.hex")" in 0B05040B8423F000030902*) ok "ud starts with the port UDH" ;; *) not_ok "ud starts with the port UDH" "$out" ;; esac
check "decode the ud output" 0 "$ctl" decode --format ud --imsi "$imsi" --json "$tmp/ud.hex"
expect "ud output verifies" "$(json 'd["auth"]')" "valid"

# --- campaign (issue 17): JSON lines, PINs, refused rows, resumable state
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
kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
intents=$(grep -c '^sending' "$tmp/doubt.csv.state")
expect "each segment's intent has its doubt" "$(grep -c '^doubt' "$tmp/doubt.csv.state")" "$intents"
check "the rerun does not resend it" 5 env OMACP_KANNEL_PASSWORD=x "$ctl" campaign --no-progress --sec netwpin --document "$xml" --kannel "http://127.0.0.1:$port/cgi-bin/sendsms" --user u "$tmp/doubt.csv"
case "$err" in *"+358403000001 in doubt"*) ok "the report names the subscriber in doubt" ;; *) not_ok "the report names the subscriber in doubt" "$err" ;; esac
expect "no second attempt" "$(grep -c '^sending' "$tmp/doubt.csv.state")" "$intents"
check "--resend-in-doubt tries again" 4 env OMACP_KANNEL_PASSWORD=x "$ctl" campaign --no-progress --sec netwpin --document "$xml" --kannel "http://127.0.0.1:$port/cgi-bin/sendsms" --user u --retries 0 --resend-in-doubt "$tmp/doubt.csv"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
