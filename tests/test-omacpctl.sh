#!/bin/bash
# omacpctl as a user drives it: exit statuses, stdout, stderr.
# Prints TAP-ish lines and a final "N passed, N failed" line.
set -u
ctl=${OMACPCTL:?OMACPCTL must point at the omacpctl binary}
data=${G_TEST_SRCDIR:?}/data/vectors/public
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/tap.sh
. "${G_TEST_SRCDIR:?}/tap.sh"

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
case "$out" in *"Authentication:"*"valid"*"wap.voicestream.com"*) ok "human output shows auth and apn" ;; *) not_ok "human output" "$out" ;; esac

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

# --- encode --output ud / --to, decode of SMS-SUBMIT
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

# ---- output conventions (no daemon) ----------------------------------
sierra="$data/08-sierra-dm-bootstrap-userpin1234.tpdu.hex"
check "decode human output" 0 "$ctl" decode --color never "$sierra"
case "$out" in *"{'"*|*"<'"*|*"@a{sv}"*) not_ok "no raw GVariant text in decode" "$out" ;; *) ok "no raw GVariant text in decode" ;; esac
case "$out" in *"Level: APPSRV, User name: PLT"*) ok "the DM auth list is readable lines" ;; *) not_ok "the DM auth list is readable lines" "$out" ;; esac
case "$out" in *"Access point (APN):"*"wap.voicestream.com"*) ok "settings have human labels" ;; *) not_ok "settings have human labels" "$out" ;; esac
check "decode -t -f" 0 "$ctl" decode --pin 1234 -t -f authentication,profile1.apn "$sierra"
expect "terse fields" "$out" "authentication:valid
profile1.apn:wap.voicestream.com"
check "global -t -f before the verb" 0 "$ctl" -t -f authentication decode --pin 1234 "$sierra"
expect "global terse" "$out" "authentication:valid"
check "decode --json carries version" 0 "$ctl" decode --json "$sierra"
expect "decode json version" "$(json 'd["version"]')" "1"
expect "decode json keys are kebab-case" "$(json 'd["content-type"]')" "application/vnd.wap.connectivity-wbxml"
check "--json and --terse exclude each other" 1 "$ctl" decode --json -t "$sierra"

# hex input: a wrong digit is named by line and column, not read as raw bytes
{ sed -n 1p "$tmp/sierra.all"; sed -n 2p "$tmp/sierra.all" | sed 's/^\(....\)./\1G/'; } >"$tmp/typo.hex"
check "one wrong hex digit exits 2" 2 "$ctl" decode --format sms "$tmp/typo.hex"
case "$err" in *"typo.hex"*"'G'"*"line 2, column 5"*) ok "the error names line and column" ;; *) not_ok "the error names line and column" "$err" ;; esac
printf '0011\n001\n' >"$tmp/odd.hex"
check "odd number of digits exits 2" 2 "$ctl" decode "$tmp/odd.hex"
case "$err" in *"line 2"*) ok "odd digits: the line is named" ;; *) not_ok "odd digits: the line is named" "$err" ;; esac

# usage lines name the verb once; test-only options are hidden
for verb in decode list show accept monitor agent deliver; do
	"$ctl" "$verb" --help >"$tmp/help" 2>&1
	usage=$(sed -n 2p "$tmp/help")
	if [ "$(grep -ow "$verb" <<<"$usage" | wc -l)" = 1 ]; then ok "usage of $verb names it once"; else not_ok "usage of $verb names it once" "$usage"; fi
	if grep -q -- '--session\|--once' "$tmp/help"; then not_ok "$verb --help hides the test options" "$(cat "$tmp/help")"; else ok "$verb --help hides the test options"; fi
done
"$ctl" list --help >"$tmp/help" 2>&1
grep -q 'Exit status' "$tmp/help" && ok "client help documents the exit statuses" || not_ok "client help documents the exit statuses"

# colours: on a terminal, not in a pipe, never with NO_COLOR
esc=$(printf '\033[')
if command -v script >/dev/null; then
	script -qec "\"$ctl\" decode --pin 1234 \"$sierra\"" /dev/null >"$tmp/tty.out" 2>&1
	grep -qF "$esc" "$tmp/tty.out" && ok "colours on a terminal" || not_ok "colours on a terminal" "$(head -5 "$tmp/tty.out")"
	NO_COLOR=1 script -qec "\"$ctl\" decode --pin 1234 \"$sierra\"" /dev/null >"$tmp/tty.out" 2>&1
	grep -qF "$esc" "$tmp/tty.out" && not_ok "NO_COLOR turns colours off" || ok "NO_COLOR turns colours off"
else
	not_ok "script(1) (bsdutils) is installed for the terminal tests"
fi
check "no colours in a pipe" 0 "$ctl" decode --pin 1234 "$sierra"
case "$out" in *"$esc"*) not_ok "no colours in a pipe" ;; *) ok "no colours in a pipe" ;; esac
check "--color always" 0 "$ctl" decode --color always --pin 1234 "$sierra"
case "$out" in *"$esc"*) ok "--color always colours a pipe" ;; *) not_ok "--color always colours a pipe" ;; esac

# ---- the client verbs against omacpd on a private bus ------------------
omacpd=${OMACPD:?OMACPD must point at the omacpd binary}
check "omacpd not running: exit 8" 8 env DBUS_SESSION_BUS_ADDRESS="unix:path=$tmp/nobus" "$ctl" list --session
case "$err" in *"omacpd is not running"*) ok "says omacpd is not running" ;; *) not_ok "says omacpd is not running" "$err" ;; esac

cat >"$tmp/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=$tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF
cat >"$tmp/omacpd.conf" <<EOF
[Backends]
NetworkManager=false
oFono=false
mmsd=false
[Sources]
oFono=false
ModemManager=false
[Limits]
MaxMessagesPerSenderPerHour=0
MaxMessagesPerModemPerHour=0
EOF
mkfifo "$tmp/bus-address"
dbus-daemon --config-file "$tmp/bus.conf" --nofork --print-address=1 >"$tmp/bus-address" 2>/dev/null &
bus_pid=$!
read -r address <"$tmp/bus-address"
export DBUS_SESSION_BUS_ADDRESS=$address
daemon_pid=
trap 'kill $daemon_pid $bus_pid 2>/dev/null; rm -rf "$tmp"' EXIT

check "bus without omacpd: exit 8" 8 "$ctl" show --session 1
case "$err" in *"omacpd is not running"*) ok "no raw 'not provided by any .service files'" ;; *) not_ok "no raw 'not provided by any .service files'" "$err" ;; esac

"$omacpd" --session --state-dir "$tmp/state" --config "$tmp/omacpd.conf" >"$tmp/omacpd.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 200); do
	"$ctl" list --session >/dev/null 2>&1 && break
	sleep 0.05
done

"$ctl" monitor --session --json >"$tmp/monitor.json" 2>&1 &
monitor_pid=$!
"$ctl" monitor --session >"$tmp/monitor.txt" 2>&1 &
monitor2_pid=$!
sleep 0.5

# an unsigned message (quarantined) and a USERPIN one
"$ctl" encode --template internet --apn cli.example --username u --password p --name "CLI Internet" >"$tmp/cli.xml"
"$ctl" encode "$tmp/cli.xml" >"$tmp/cli-none.hex"
check "deliver --json" 0 "$ctl" deliver --session --json --imsi 262019876543210 "$tmp/cli-none.hex"
expect "deliver json version" "$(json 'd["version"]')" "1"
quarantined=$(json 'd["messages"][0]["id"]')
expect "deliver json id" "${quarantined%%/*}" "message"
check "deliver a file with a typo exits 2" 2 "$ctl" deliver --session "$tmp/typo.hex"
case "$err" in *"line 2, column 5"*) ok "deliver names line and column" ;; *) not_ok "deliver names line and column" "$err" ;; esac

check "list" 0 "$ctl" list --session
case "$out" in "MESSAGE"*"STATE"*"$quarantined"*"quarantined"*"PROFILE"*) ok "list shows headers and the message" ;; *) not_ok "list shows headers and the message" "$out" ;; esac
check "list -t -f" 0 "$ctl" list --session -t -f MESSAGE,STATE,SECURITY
expect "list terse" "$out" "$quarantined:quarantined:none"
check "list -f with an unknown field" 1 "$ctl" list --session -f NOPE
case "$err" in *"NOPE"*"MESSAGE,STATE"*) ok "unknown field named with the known ones" ;; *) not_ok "unknown field named with the known ones" "$err" ;; esac
check "list --json" 0 "$ctl" list --session --json
expect "list json version" "$(json 'd["version"]')" "1"
expect "list json kebab keys" "$(json 'sorted(k for k in d["messages"][0] if k in ("state","received-at","content-type","id"))')" "['content-type', 'id', 'received-at', 'state']"
expect "list json has no CamelCase key" "$(json '[k for k in d["messages"][0] if k[0].isupper()]')" "[]"

check "show a message" 0 "$ctl" show --session "$quarantined"
case "$out" in *"State:"*"quarantined (not signed"*"Access point (APN)"*"cli.example"*) ok "show uses human labels" ;; *) not_ok "show uses human labels" "$out" ;; esac
case "$out" in *"{'"*|*"<'"*) not_ok "no raw GVariant text in show" "$out" ;; *) ok "no raw GVariant text in show" ;; esac
case "$out" in *"<wap-provisioningdoc"*) not_ok "the document only with --details" ;; *) ok "the document only with --details" ;; esac
check "show --details" 0 "$ctl" show --session --details "$quarantined"
case "$out" in *"<wap-provisioningdoc"*) ok "show --details adds the document" ;; *) not_ok "show --details adds the document" "$out" ;; esac
check "show -t -f state" 0 "$ctl" show --session -t -f state "$quarantined"
expect "show terse state" "$out" "state:quarantined (not signed: kept, applied only if you accept it)"
check "show --json" 0 "$ctl" show --session --json "$quarantined"
expect "show json" "$(json 'd["version"], d["messages"][0]["state"], d["messages"][0]["security"]')" "(1, 'quarantined', 'none')"
check "show of no such message exits 6" 6 "$ctl" show --session 999
expect "no such message" "$err" "omacpctl: no such message: message/999"
check "remove of no such profile exits 6" 6 "$ctl" remove --session 998
expect "no such profile" "$err" "omacpctl: no such profile: profile/998"
check "not a message" 1 "$ctl" show --session foo
case "$err" in *"'foo' is not a message or profile"*) ok "not a message: said so" ;; *) not_ok "not a message: said so" "$err" ;; esac

# accept of a quarantined message: asked on a terminal, --force otherwise
check "accept quarantined without a terminal exits 7" 7 "$ctl" accept --session "$quarantined" </dev/null
case "$err" in *"--force"*) ok "names --force" ;; *) not_ok "names --force" "$err" ;; esac
if command -v script >/dev/null; then
	printf 'n\n' | script -qec "\"$ctl\" accept --session $quarantined" /dev/null >"$tmp/tty.out" 2>&1
	if grep -q "Apply it anyway" "$tmp/tty.out" && grep -q "not accepted" "$tmp/tty.out"; then ok "on a terminal it asks; 'n' keeps it"; else not_ok "on a terminal it asks; 'n' keeps it" "$(cat "$tmp/tty.out")"; fi
fi
check "state unchanged" 0 "$ctl" show --session -t -f state "$quarantined"
case "$out" in state:quarantined*) ok "still quarantined" ;; *) not_ok "still quarantined" "$out" ;; esac
check "accept --force --json" 0 "$ctl" accept --session --force --json "$quarantined"
expect "accept json" "$(json 'd["version"], d["results"][0]["id"]')" "(1, '$quarantined')"

# the wrong PIN: exit 4; the right one: accepted
check "deliver a USERPIN message" 0 "$ctl" deliver --session --format ud --imsi 262010000000201 "$data/05-vn-mobifone-gprs-userpin1111.ud.hex"
pinmsg=${out##*/Provisioning1/}
check "wrong PIN exits 4" 4 "$ctl" accept --session "$pinmsg" --pin 9999
case "$err" in *"BadPin"*) ok "wrong PIN: omacpd's error named" ;; *) not_ok "wrong PIN: omacpd's error named" "$err" ;; esac
check "right PIN" 0 "$ctl" accept --session "$pinmsg" --pin 1111 -t
case "$out" in "$pinmsg:"*) ok "accept -t prints id:state" ;; *) not_ok "accept -t prints id:state" "$out" ;; esac
# a PIN is not consent: its APN is unknown for the SIM's operator (a risk), so
# the message waits for a yes after the right PIN
case "$out" in "$pinmsg:pending-confirmation"*) ok "a risky message waits for a yes after its PIN" ;; *) not_ok "a risky message waits for a yes after its PIN" "$out" ;; esac
check "confirm it" 0 "$ctl" accept --session "$pinmsg"
check "reject of an applied message fails (1)" 1 "$ctl" reject --session "$pinmsg"
case "$err" in *"InvalidState"*) ok "invalid state named" ;; *) not_ok "invalid state named" "$err" ;; esac

# a profile: human labels, nested values readable
check "list -t -f PROFILE" 0 "$ctl" list --session -t -f PROFILE
profile=$(head -1 <<<"$out")
check "show a profile" 0 "$ctl" show --session "$profile"
case "$out" in *"Settings"*"Access point (APN):"*"Applied to"*) ok "profile with labels" ;; *) not_ok "profile with labels" "$out" ;; esac
case "$out" in *"{'"*|*"<'"*) not_ok "no raw GVariant text in a profile" "$out" ;; *) ok "no raw GVariant text in a profile" ;; esac

# the agent, JSON
"$ctl" encode --sec netwpin --imsi 262011111111111 "$tmp/cli.xml" >"$tmp/cli-netwpin.hex"
"$ctl" agent --session --json --confirm no --once >"$tmp/agent.json" 2>&1 &
agent_pid=$!
for _ in $(seq 100); do grep -q registered "$tmp/agent.json" && break; sleep 0.05; done
check "deliver a NETWPIN message" 0 "$ctl" deliver --session --imsi 262011111111111 "$tmp/cli-netwpin.hex"
wait "$agent_pid"
out=$(grep request-confirmation "$tmp/agent.json")
expect "agent --json request" "$(json 'd["version"], d["event"], d["properties"]["security"]')" "(1, 'request-confirmation', 'netwpin')"
out=$(grep '"answered"' "$tmp/agent.json")
expect "agent --json answer" "$(json 'd["answer"]')" "no"

# ---- dbus/README.md's client examples, against the same omacpd ------------------
client="$G_TEST_SRCDIR/../dbus/examples/omacp-client.py"
check "gdbus: GetManagedObjects" 0 gdbus call --session --dest org.omacp.Provisioning1 --object-path /org/omacp/Provisioning1 \
	--method org.freedesktop.DBus.ObjectManager.GetManagedObjects
case "$out" in *"/org/omacp/Provisioning1/$quarantined"*) ok "gdbus lists the message" ;; *) not_ok "gdbus lists the message" "$out" ;; esac
check "gdbus: one property" 0 gdbus call --session --dest org.omacp.Provisioning1 --object-path "/org/omacp/Provisioning1/$pinmsg" \
	--method org.freedesktop.DBus.Properties.Get org.omacp.Provisioning1.Message State
expect "gdbus State" "$out" "(<'applied'>,)"
if command -v busctl >/dev/null; then
	check "busctl: get-property" 0 busctl --address="$DBUS_SESSION_BUS_ADDRESS" get-property org.omacp.Provisioning1 \
		"/org/omacp/Provisioning1/$pinmsg" org.omacp.Provisioning1.Message State
	expect "busctl State" "$out" 's "applied"'
	check "busctl: GetManagedObjects --json" 0 busctl --address="$DBUS_SESSION_BUS_ADDRESS" --json=short call \
		org.omacp.Provisioning1 /org/omacp/Provisioning1 org.freedesktop.DBus.ObjectManager GetManagedObjects
	expect "busctl json has the message" "$(json '"/org/omacp/Provisioning1/'"$pinmsg"'" in d["data"][0]')" "True"
fi
"$client" --session watch >"$tmp/watch.out" 2>&1 &
watch_pid=$!
for _ in $(seq 100); do grep -q watching "$tmp/watch.out" && break; sleep 0.05; done
check "deliver another USERPIN message" 0 "$ctl" deliver --session --format ud --imsi 262010000000202 "$data/05-vn-mobifone-gprs-userpin1111.ud.hex"
pin2=${out##*/Provisioning1/}
for _ in $(seq 100); do grep -q "new message" "$tmp/watch.out" && break; sleep 0.05; done
kill "$watch_pid" 2>/dev/null
wait "$watch_pid" 2>/dev/null
case "$(cat "$tmp/watch.out")" in *"new message /org/omacp/Provisioning1/$pin2 (pending-pin)"*) ok "Python GI: watch sees MessageReceived" ;; *) not_ok "Python GI: watch sees MessageReceived" "$(cat "$tmp/watch.out")" ;; esac
check "Python GI: list" 0 "$client" --session list
case "$out" in *"/org/omacp/Provisioning1/$pin2 pending-pin userpin"*"internet"*) ok "Python GI lists messages and profiles" ;; *) not_ok "Python GI lists messages and profiles" "$out" ;; esac
check "Python GI: accept with a wrong PIN" 1 "$client" --session accept "${pin2#message/}" 9999
case "$err" in "org.omacp.Provisioning1.Error.BadPin: "*) ok "Python GI: the error name" ;; *) not_ok "Python GI: the error name" "$err" ;; esac
check "gdbus: accept with the PIN" 0 gdbus call --session --dest org.omacp.Provisioning1 --object-path "/org/omacp/Provisioning1/$pin2" \
	--method org.omacp.Provisioning1.Message.Accept 1111
check "accepted" 0 "$ctl" show --session -t -f state "$pin2"
case "$out" in state:pending-confirmation*) ok "gdbus Accept: PIN verified, the risky message waits for a yes" ;; *) not_ok "gdbus Accept: PIN verified, the risky message waits for a yes" "$out" ;; esac
check "gdbus: accept again to confirm" 0 gdbus call --session --dest org.omacp.Provisioning1 --object-path "/org/omacp/Provisioning1/$pin2" \
	--method org.omacp.Provisioning1.Message.Accept ""
check "confirmed" 0 "$ctl" show --session -t -f state "$pin2"
case "$out" in state:applied*) ok "gdbus Accept applied it" ;; *) not_ok "gdbus Accept applied it" "$out" ;; esac

sleep 0.3
kill "$monitor_pid" "$monitor2_pid" 2>/dev/null
wait "$monitor_pid" "$monitor2_pid" 2>/dev/null
out=$(head -1 "$tmp/monitor.json")
expect "monitor --json starts" "$(json 'd["version"], d["event"]')" "(1, 'monitoring')"
out=$(grep -m1 '"message-received"' "$tmp/monitor.json")
expect "monitor --json message-received" "$(json 'd["id"]')" "$quarantined"
out=$(grep -m1 '"added"' "$tmp/monitor.json")
expect "monitor --json added carries kebab-case properties" "$(json '"state" in d["properties"]')" "True"
if grep -q "{'\|<'" "$tmp/monitor.txt"; then not_ok "no raw GVariant text in monitor" "$(cat "$tmp/monitor.txt")"; else ok "no raw GVariant text in monitor"; fi
grep -q "Settings=.*Access point (APN): cli.example" "$tmp/monitor.txt" && ok "monitor renders Settings readably" || not_ok "monitor renders Settings readably" "$(cat "$tmp/monitor.txt")"

tap_finish
