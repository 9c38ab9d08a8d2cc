# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers the shell tests source: TAP-ish "ok"/"not ok" lines, a command
# check with its exit status, JSON lookups and a summary. The caller sets
# $tmp (a scratch directory) before using check.
# shellcheck shell=bash

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

# json EXPR: the Python expression EXPR over d, the JSON document in $out
json() { python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$1" <<<"$out"; }

expect() { # NAME ACTUAL WANTED
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', wanted '$3'"; fi
}

# tap_finish: the summary line; the exit status says whether all passed
tap_finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
}
