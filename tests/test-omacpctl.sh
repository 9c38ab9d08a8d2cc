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

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
