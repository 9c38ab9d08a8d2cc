#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# No secrets in what omacp prints or logs. Every message of the test vectors
# (tests/data/vectors) and of the examples (data/examples) goes through
#   * omacpctl decode, decode --json and decode --document, with the keys the
#     sender used (--imsi/--pin) and G_MESSAGES_DEBUG=all, and
#   * omacpd --session --verbose (G_MESSAGES_DEBUG=all) on a private bus:
#     omacpctl deliver, a wrong PIN, the right PIN / accept, list, show,
# and none of the secrets may appear in stdout, stderr or the daemon's log:
# the PINs, the HMAC keys derived from IMSIs (NETWPIN), the passwords and
# shared keys of the documents; nor may the full IMSI appear in any log. The
# D-Bus objects (Document, Settings, Changes, ...) carry no secret, and the
# files of the state directory that hold one are 0600 in 0700 directories.
# A control run with --show-secrets proves the secrets are in the messages.
# Output: TAP. Needs OMACPCTL, OMACPD and G_TEST_SRCDIR (tests/);
# OMACP_TEST_KEEP=1 keeps the logs and the state directory.
set -u
ctl=${OMACPCTL:?OMACPCTL must point at the omacpctl binary}
omacpd=${OMACPD:?OMACPD must point at the omacpd binary}
tests=${G_TEST_SRCDIR:?G_TEST_SRCDIR must point at tests/}
vectors=$tests/data/vectors
examples=$tests/../data/examples

for tool in dbus-daemon gdbus xxd; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool is not installed"
		exit 0
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/omacp-no-secrets.XXXXXX")
logs=$tmp/logs # everything printed or logged goes here, one file per command
mkdir "$logs"
bus_pid=
daemon_pid=
cleanup() {
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null
	[ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
	wait 2>/dev/null
	if [ -n "${OMACP_TEST_KEEP:-}" ]; then
		echo "# kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT

n=0
failed=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	if [ -n "${2:-}" ]; then
		# to stdout for TAP, and to stderr, which meson shows when a test fails
		printf '%s\n' "$2" | head -40 | sed 's/^/# /' | tee /dev/stderr
	fi
}

# ---- what must never show ---------------------------------------------------
# Secrets matched anywhere (long and distinctive enough not to occur by chance):
#   passwords and keys of the documents (their AUTHSECRET, PXAUTH-PW,
#   PROXY-PW, WPA-PRES-KEY-ASC parms), the NETWPIN keys (HMAC keys) of the
#   IMSIs used below in hex, as the spec digest derives them (type/parity
#   nibble, then the digits, nibble-swapped), and a wrong PIN tried below.
secrets=(
	"web-secret"            # data/examples/internet.xml AUTHSECRET
	"correct horse battery" # data/examples/wlan.xml WPA-PRES-KEY-ASC
	"wwwmmmsecret"          # 01-provcont11-appendixC AUTHSECRET
	"proxypasswd"           # 01-provcont11-appendixC PROXY-PW
	"pxuserpasswd"          # 01-provcont11-appendixC PXAUTH-PW
	"gprspassword"          # 04-nowsms-forum-netwpin AUTHSECRET
	"4966291330412525"      # NETWPIN key of IMSI 466923103145252 (vector 03)
	"1932547698103254"      # NETWPIN key of IMSI 123456789012345 (vector 04)
	"0910101032547698"      # NETWPIN key of IMSI 001010123456789 (example)
	"97531864"              # the wrong PIN tried against the daemon
)
# Short secrets, matched only as a token of their own (1234 may well be part
# of a longer number): the USERPINs of the vectors and examples, and the
# secrets of the Sierra DM bootstrap (AUTHSECRET pwd, AAUTHSECRET 9999,
# AAUTHDATA nonce 90200).
tokens=(0000 1111 1234 2468 pwd 9999 90200)
# IMSIs: the NETWPIN key. Shown whole only to whoever holds the message
# already (decode --json); masked in every log, in omacpd's D-Bus properties
# (any local user may read them) and so in omacpctl show/list.
# (262019876543NNN: the SIM of delivery NNN, so that no delivery is a replay)
imsis=(466923103145252 123456789012345 001010123456789)

# leaks FILE... : prints "file: needle" for every needle found
leaks() {
	local s
	for s in "${secrets[@]}"; do
		grep -a -i -l -F -- "$s" "$@" 2>/dev/null | sed "s|\$|: '$s'|"
	done
	local f text
	for f in "$@"; do
		# A PID or thread ID of 1234 is no PIN: GLib's log lines start with
		# "(program:PID)", where omacpctl's program name holds its verb
		# ("omacpctl accept"), and the sanitizers write "==PID==" and
		# "thread TID". PIDs wrap at 32768 on a small machine, so any of the
		# tokens turns up as one sooner or later.
		text=$(sed -E -e 's/\([A-Za-z0-9_. -]+:[0-9]+\)//g' -e 's/==[0-9]+==//g' \
			-e 's/[Tt]hread [0-9]+//g' "$f" 2>/dev/null | tr -d '\0')
		for s in "${tokens[@]}"; do
			if grep -a -q -P -- "(?<![[:alnum:]])$s(?![[:alnum:]])" <<<"$text"; then
				echo "$f: '$s' in: $(grep -a -m 1 -P -- "(?<![[:alnum:]])$s(?![[:alnum:]])" <<<"$text" | head -c 200)"
			fi
		done
	done
}
# leak_lines FILE: the lines of FILE with a secret, for the diagnostics
leak_lines() {
	{
		grep -a -n -i -F -f <(printf '%s\n' "${secrets[@]}") "$1"
		grep -a -n -P "(?<![[:alnum:]])($(IFS='|'; echo "${tokens[*]}"))(?![[:alnum:]])" "$1"
	} 2>/dev/null | sort -n -u | head -10
}
imsi_leaks() {
	local s
	for s in "${imsis[@]}"; do
		grep -a -l -F -- "$s" "$@" 2>/dev/null | sed "s|\$|: '$s'|"
	done
}

# ---- the messages -----------------------------------------------------------
# name|format|decode options|files (relative to tests/data/vectors or data/examples)
pub=$vectors/public
ps=$vectors/provisioning-service
messages=(
	"v01|wbxml||$pub/01-provcont11-appendixC.wbxml.hex"
	"v02|wbxml|--pin 0000|$pub/02-cht-codepage-userpin0000.wbxml.hex"
	"v03|wbxml|--imsi 466923103145252|$pub/03-gecko-netwpin-minimal.wbxml.hex"
	"v04|wbxml|--imsi 123456789012345|$pub/04-nowsms-forum-netwpin.wbxml.hex"
	"v05|ud|--pin 1111|$pub/05-vn-mobifone-gprs-userpin1111.ud.hex"
	"v06|ud|--pin 1111|$pub/06-vn-vinaphone-gprs-userpin1111.ud.hex"
	"v07|ud|--pin 1111|$pub/07-vn-viettel-gprs-userpin1111.ud.hex"
	"v08|sms|--pin 1234|$pub/08-sierra-dm-bootstrap-userpin1234.tpdu.hex"
	"e-sierra|sms|--pin 1234|$examples/sierra-dm-bootstrap.sms.hex"
	"e-mobifone|ud|--pin 1111|$examples/mobifone-gprs.ud.hex"
	"e-sonera|wbxml||$examples/sonera.wbxml"
	"e-internet|sms|--imsi 001010123456789|$examples/internet-netwpin.sms.hex"
	"e-mms|sms|--pin 2468|$examples/mms-userpin.sms.hex"
)
for f in "$ps"/*.wbxml; do
	messages+=("ps-$(basename "$f" .wbxml)|wbxml||$f")
done
for f in "$pub"/*.xml "$ps"/*.xml "$examples"/*.xml; do
	messages+=("xml-$(basename "$f" .xml)|xml||$f")
done

# ---- omacpctl decode ----------------------------------------------------------
export G_MESSAGES_DEBUG=all
export LC_ALL=C LANGUAGE=
decode_failures=
for m in "${messages[@]}"; do
	IFS='|' read -r name fmt opts file <<<"$m"
	# shellcheck disable=SC2086
	for mode in human json document; do
		case $mode in
		human) extra=() ;;
		json) extra=(--json) ;;
		document) extra=(--document) ;;
		esac
		"$ctl" decode --format "$fmt" $opts "${extra[@]}" "$file" \
			>"$logs/decode-$name-$mode.out" 2>"$logs/decode-$name-$mode.err"
		status=$?
		if [ "$status" != 0 ]; then
			decode_failures+="$name ($mode): exit $status: $(head -c 300 "$logs/decode-$name-$mode.err")"$'\n'
		fi
	done
	# the control: with --show-secrets the secrets are there (not a log)
	# shellcheck disable=SC2086
	"$ctl" decode --format "$fmt" $opts --json --show-secrets "$file" \
		>"$tmp/shown-$name.json" 2>/dev/null
done
if [ -z "$decode_failures" ]; then
	ok "omacpctl decodes all ${#messages[@]} messages (human, --json, --document)"
else
	not_ok "omacpctl decodes all ${#messages[@]} messages" "$decode_failures"
fi

missing=
for s in web-secret "correct horse battery" wwwmmmsecret proxypasswd pxuserpasswd gprspassword; do
	grep -q -F -- "$s" "$tmp"/shown-*.json || missing+="$s "
done
for s in pwd 9999 90200; do
	grep -q -P -- "\"$s\"" "$tmp"/shown-*.json || missing+="$s "
done
if [ -z "$missing" ]; then
	ok "control: decode --show-secrets shows the documents' secrets"
else
	not_ok "control: decode --show-secrets shows the documents' secrets" "missing: $missing"
fi

found=$(leaks "$logs"/decode-*)
if [ -z "$found" ]; then
	ok "no PIN, key or password in omacpctl decode output or debug log"
else
	not_ok "no PIN, key or password in omacpctl decode output or debug log" "$found"
fi
found=$(imsi_leaks "$logs"/decode-*.err)
if [ -z "$found" ]; then
	ok "no full IMSI in omacpctl's debug log"
else
	not_ok "no full IMSI in omacpctl's debug log" "$found"
fi

# ---- omacpd on a private bus ----------------------------------------------------
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
# no backends, no modem stacks, no rate limits: only omacpd itself
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
MaxStoredMessages=1000
EOF
mkfifo "$tmp/bus-address"
dbus-daemon --config-file "$tmp/bus.conf" --nofork --print-address=1 >"$tmp/bus-address" 2>/dev/null &
bus_pid=$!
read -r address <"$tmp/bus-address"
if [ -z "$address" ]; then
	not_ok "dbus-daemon starts"
	echo "1..$n"
	exit 1
fi
export DBUS_SESSION_BUS_ADDRESS=$address
unset DBUS_SYSTEM_BUS_ADDRESS

state=$tmp/state
"$omacpd" --session --state-dir "$state" --config "$tmp/omacpd.conf" --verbose \
	>"$logs/omacpd.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 200); do
	G_MESSAGES_DEBUG='' gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
		--method org.freedesktop.DBus.NameHasOwner org.omacp.Provisioning1 2>/dev/null |
		grep -q true && break
	kill -0 "$daemon_pid" 2>/dev/null || break
	sleep 0.05
done
if ! kill -0 "$daemon_pid" 2>/dev/null; then
	not_ok "omacpd starts" "$(cat "$logs/omacpd.log")"
	echo "1..$n"
	exit 1
fi
ok "omacpd starts on a private bus with debug logging"

# run LOGNAME CMD... : stdout and stderr to logs/LOGNAME.{out,err}; exit status
run() {
	local log=$1
	shift
	"$@" >"$logs/$log.out" 2>"$logs/$log.err"
}

# The .wbxml.hex vectors are bare documents; 02-04 also go in as the signed
# pushes they were (WAP-230 push, Content-Type connectivity-wbxml with SEC and
# the MAC the vector README gives), so that USERPIN 0000 and NETWPIN pass
# through the daemon's authentication.
signed_push() { # SEC-OCTET MAC HEXFILE OUT
	{
		printf '01062F1F2DB691%s92' "$1"
		printf '%s' "$2" | xxd -p | tr -d '\n'
		printf '00'
		grep -v '^#' "$3" | tr -d ' \n'
	} | xxd -r -p >"$4"
}
signed_push 81 AA2DC41FC48AEEF3FED7351B1EE704461A8894D4 \
	"$pub/02-cht-codepage-userpin0000.wbxml.hex" "$tmp/push-02.wsp"
signed_push 80 1AF545FE2823DC9347064450F90FF1BBF957E146 \
	"$pub/03-gecko-netwpin-minimal.wbxml.hex" "$tmp/push-03.wsp"
signed_push 80 C483EC25F7E3E0CF100380DA5F6714CF204A5EC5 \
	"$pub/04-nowsms-forum-netwpin.wbxml.hex" "$tmp/push-04.wsp"

# name|format|imsi|pin|files
deliveries=(
	"push-02|wsp||0000|$tmp/push-02.wsp"
	"push-03|wsp|466923103145252||$tmp/push-03.wsp"
	"push-04|wsp|123456789012345||$tmp/push-04.wsp"
)
for m in "${messages[@]}"; do
	IFS='|' read -r name fmt opts file <<<"$m"
	imsi=
	pin=
	case $opts in
	--imsi\ *) imsi=${opts#--imsi } ;;
	--pin\ *) pin=${opts#--pin } ;;
	esac
	deliveries+=("$name|$fmt|$imsi|$pin|$file")
done

paths=()
deliver_failures=
i=0
for d in "${deliveries[@]}"; do
	IFS='|' read -r name fmt imsi pin file <<<"$d"
	i=$((i + 1))
	if [ -z "$imsi" ]; then
		imsi=$(printf '262019876543%03d' "$i")
		imsis+=("$imsi")
	fi
	if ! run "deliver-$name" "$ctl" deliver --session --format "$fmt" --imsi "$imsi" \
		--sender "+49170555$((1000 + i))" --modem "/modem$((i % 2))" "$file"; then
		deliver_failures+="$name: $(cat "$logs/deliver-$name.err")"$'\n'
		continue
	fi
	path=$(grep -o '/org/omacp/Provisioning1/message/[0-9]*' "$logs/deliver-$name.out" | head -1)
	[ -z "$path" ] && path=$(tail -1 "$logs/deliver-$name.out")
	paths+=("$path|$pin|$name")
done
if [ -z "$deliver_failures" ]; then
	ok "omacpctl deliver hands all ${#deliveries[@]} messages to omacpd"
else
	not_ok "omacpctl deliver hands all ${#deliveries[@]} messages to omacpd" "$deliver_failures"
fi

prop() { # PATH PROPERTY: the property's value as gdbus prints it
	G_MESSAGES_DEBUG='' gdbus call --session --dest org.omacp.Provisioning1 --object-path "$1" \
		--method org.freedesktop.DBus.Properties.Get org.omacp.Provisioning1.Message "$2" 2>/dev/null
}

# A wrong PIN first where one is asked for, then the right one; the others
# are accepted as they are.
pins_asked=0
accepted=0
for p in "${paths[@]}"; do
	IFS='|' read -r path pin name <<<"$p"
	number=${path##*/}
	for _ in $(seq 100); do
		prop "$path" State | grep -q "receiving" || break
		sleep 0.05
	done
	if prop "$path" State | grep -q "pending-pin"; then
		pins_asked=$((pins_asked + 1))
		run "accept-wrong-$name" "$ctl" accept --session "$number" --pin 97531864
		run "accept-$name" "$ctl" accept --session "$number" --pin "$pin" &&
			accepted=$((accepted + 1))
	else
		run "accept-$name" "$ctl" accept --session --force "$number" && accepted=$((accepted + 1))
	fi
done
if [ "$pins_asked" = 8 ]; then
	ok "omacpd asked for a PIN $pins_asked times (USERPIN 0000, 1111, 1234, 2468)"
else
	not_ok "omacpd asked for a PIN for every USERPIN message: only $pins_asked times" \
		"$(for p in "${paths[@]}"; do
			IFS='|' read -r path pin name <<<"$p"
			echo "$name $path: $(prop "$path" State)"
		done)"
fi
if [ "$accepted" -gt 0 ]; then
	ok "omacpd accepted $accepted messages"
else
	not_ok "omacpd accepted none of the messages"
fi

run list "$ctl" list --session
for p in "${paths[@]}"; do
	IFS='|' read -r path pin name <<<"$p"
	run "show-$name" "$ctl" show --session "${path##*/}"
	run "show-json-$name" "$ctl" show --session --json "${path##*/}"
done
G_MESSAGES_DEBUG='' gdbus call --session --dest org.omacp.Provisioning1 \
	--object-path /org/omacp/Provisioning1 \
	--method org.freedesktop.DBus.ObjectManager.GetManagedObjects >"$tmp/objects.txt" 2>&1
# a message's document and changes are fetched per message
: >"$tmp/fetched.txt"
for p in "${paths[@]}"; do
	IFS='|' read -r path pin name <<<"$p"
	for method in GetDocument GetChanges; do
		G_MESSAGES_DEBUG='' gdbus call --session --dest org.omacp.Provisioning1 \
			--object-path "$path" --method "org.omacp.Provisioning1.Message.$method" \
			>>"$tmp/fetched.txt" 2>&1
	done
done
if grep -q "State" "$tmp/objects.txt" && grep -q "Settings" "$tmp/objects.txt" &&
	grep -q "wap-provisioningdoc" "$tmp/fetched.txt" && grep -q "'field'" "$tmp/fetched.txt"; then
	ok "GetManagedObjects lists messages and profiles (Settings); GetDocument, GetChanges answer"
else
	not_ok "GetManagedObjects lists messages and profiles (Settings); GetDocument, GetChanges answer" \
		"$(head -c 2000 "$tmp/objects.txt"; head -c 2000 "$tmp/fetched.txt")"
fi
found=$(leaks "$tmp/objects.txt" "$tmp/fetched.txt")
if [ -z "$found" ]; then
	ok "no PIN, key or password in any D-Bus property or answer (Settings, GetDocument, GetChanges, ...)"
else
	not_ok "no PIN, key or password in any D-Bus property" "$found"
fi

found=$(imsi_leaks "$tmp/objects.txt" "$tmp/fetched.txt" "$logs"/show-* "$logs"/list.*)
if [ -z "$found" ] && grep -q "Imsi" "$tmp/objects.txt"; then
	ok "no full IMSI in any D-Bus property, answer or omacpctl show/list output (masked)"
else
	not_ok "no full IMSI in any D-Bus property, answer or omacpctl show/list output (masked)" "$found"
fi

found=$(leaks "$logs"/deliver-* "$logs"/accept-* "$logs"/show-* "$logs"/list.*)
if [ -z "$found" ]; then
	ok "no PIN, key or password in omacpctl deliver/accept/show/list output"
else
	not_ok "no PIN, key or password in omacpctl deliver/accept/show/list output" "$found"
fi

# the state directory: whatever holds a secret is the owner's alone
holding=$(grep -r -a -l -F -e web-secret -e wwwmmmsecret -e gprspassword "$state" 2>/dev/null)
if [ -z "$holding" ]; then
	not_ok "the state directory holds the stored messages" "$(find "$state" | head -20)"
else
	bad=
	for f in $holding; do
		mode=$(stat -c %a "$f")
		[ "$mode" = 600 ] || bad+="$f: mode $mode"$'\n'
		dir=$(dirname "$f")
		while [ "$dir" != "$tmp" ]; do
			mode=$(stat -c %a "$dir")
			[ "$mode" = 700 ] || bad+="$dir: mode $mode"$'\n'
			dir=$(dirname "$dir")
		done
	done
	if [ -z "$bad" ]; then
		ok "the $(wc -w <<<"$holding") state files holding secrets are 0600 in 0700 directories"
	else
		not_ok "state files holding secrets are 0600 in 0700 directories" "$(sort -u <<<"$bad")"
	fi
fi

# the PIN is never stored, nor are the keys derived from the IMSIs
stored=$(grep -r -a -l -i -F -e 97531864 -e 4966291330412525 -e 1932547698103254 \
	-e 0910101032547698 "$state" 2>/dev/null)
if [ -z "$stored" ]; then
	ok "no PIN tried and no NETWPIN key in the state directory"
else
	not_ok "no PIN tried and no NETWPIN key in the state directory" "$stored"
fi

kill -TERM "$daemon_pid"
wait "$daemon_pid"
status=$?
daemon_pid=
if [ "$status" = 0 ]; then
	ok "omacpd exits cleanly on SIGTERM"
else
	not_ok "omacpd exits cleanly on SIGTERM: status $status" "$(tail -20 "$logs/omacpd.log")"
fi

if grep -q -i "debug" "$logs/omacpd.log"; then
	ok "omacpd logged at debug level ($(wc -l <"$logs/omacpd.log") lines)"
else
	not_ok "omacpd logged at debug level" "$(head -20 "$logs/omacpd.log")"
fi
found=$(leaks "$logs/omacpd.log")
if [ -z "$found" ]; then
	ok "no PIN, key or password in omacpd's debug log"
else
	not_ok "no PIN, key or password in omacpd's debug log" \
		"$found"$'\n'"$(leak_lines "$logs/omacpd.log")"
fi
found=$(imsi_leaks "$logs/omacpd.log" "$logs"/deliver-*.err "$logs"/accept-*.err)
if [ -z "$found" ]; then
	ok "no full IMSI in omacpd's log (masked)"
else
	not_ok "no full IMSI in omacpd's log (masked)" \
		"$found"$'\n'"$(grep -a -n -F -f <(printf '%s\n' "${imsis[@]}") "$logs/omacpd.log" | head -10)"
fi

echo "1..$n"
[ "$failed" = 0 ]
