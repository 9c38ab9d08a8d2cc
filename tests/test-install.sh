#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What a distribution package gets from `meson install --destdir`: the man
# pages, the bash completion where bash-completion looks, the OpenRC script
# (-Dopenrc=enabled, as on postmarketOS), the READMEs, NEWS, COPYING and the
# D-Bus reference under the documentation directory; and installed programs
# that do not link libwbxml (a dependency of the tests and the bench only).
# A fresh build directory configured like a package build, without
# compiling the programs (install tags man, doc, bash-completion, init).
set -u
src=${MESON_SOURCE_ROOT:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && sed 's/^/# /' <<<"$2"; }
has() { # NAME PATH
	if [ -s "$dest$2" ]; then ok "$1: $2"; else not_ok "$1: $2 installed" "$(cd "$dest" && find . -type f | sort)"; fi
}

if ! meson setup "$tmp/build" "$src" --prefix=/usr --sysconfdir=/etc -Dopenrc=enabled \
	-Dintegration=false >"$tmp/setup.log" 2>&1; then
	not_ok "meson setup" "$(tail -20 "$tmp/setup.log")"
	echo "1..$n"
	exit 1
fi
meson compile -C "$tmp/build" omacp-dbus-docbook >"$tmp/compile.log" 2>&1 ||
	not_ok "the D-Bus reference builds" "$(tail -20 "$tmp/compile.log")"
dest=$tmp/dest
if meson install -C "$tmp/build" --no-rebuild --destdir "$dest" \
	--tags man,doc,bash-completion,init >"$tmp/install.log" 2>&1; then
	ok "meson install --destdir"
else
	not_ok "meson install --destdir" "$(tail -20 "$tmp/install.log")"
fi

has "man page" /usr/share/man/man1/omacpctl.1
has "man page" /usr/share/man/man5/omacpd.conf.5
has "man page" /usr/share/man/man8/omacpd.8
for page in omacpctl.1 omacpd.conf.5 omacpd.8; do
	sec=${page##*.}
	f=$dest/usr/share/man/man$sec/$page
	if [ -f "$f" ] && ! grep -q '@[A-Za-z]*@' "$f" && LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$f" 2>"$tmp/man.err" >"$tmp/man.out" &&
		[ ! -s "$tmp/man.err" ]; then
		ok "$page renders without warnings, no @VARIABLE@ left"
	else
		not_ok "$page renders without warnings, no @VARIABLE@ left" "$(cat "$tmp/man.err" 2>/dev/null)"
	fi
done
for verb in decode encode list show accept reject delete remove undo deliver monitor agent; do
	grep -q "^\.SS \"$verb\b\|^\.SS $verb\b\|^\.SS \"$verb " "$dest/usr/share/man/man1/omacpctl.1" || not_ok "omacpctl(1) documents $verb"
done
ok "omacpctl(1) has a section per verb"
for code in 0 1 2 3 4 5 6 7 8; do
	grep -q "^\.B $code\$" "$dest/usr/share/man/man1/omacpctl.1" || not_ok "omacpctl(1) documents exit status $code"
done
ok "omacpctl(1) documents exit statuses 0-8"

compdir=$(pkg-config --variable=completionsdir bash-completion 2>/dev/null || echo /usr/share/bash-completion/completions)
has "bash completion" "$compdir/omacpctl"
if bash -c "source /usr/share/bash-completion/bash_completion 2>/dev/null; source '$dest$compdir/omacpctl'; COMP_WORDS=(omacpctl ac); COMP_CWORD=1; COMP_LINE='omacpctl ac'; COMP_POINT=11; _omacpctl; echo \"\${COMPREPLY[*]}\"" >"$tmp/comp" 2>&1 &&
	[ "$(cat "$tmp/comp")" = accept ]; then
	ok "completion: 'omacpctl ac' -> accept"
else
	not_ok "completion: 'omacpctl ac' -> accept" "$(cat "$tmp/comp")"
fi

has "OpenRC script" /etc/init.d/omacpd
if [ -x "$dest/etc/init.d/omacpd" ] && head -1 "$dest/etc/init.d/omacpd" | grep -q '^#!/sbin/openrc-run' &&
	grep -q '^command="/usr/libexec/omacpd"' "$dest/etc/init.d/omacpd" && sh -n "$dest/etc/init.d/omacpd"; then
	ok "OpenRC script: executable, openrc-run, runs /usr/libexec/omacpd"
else
	not_ok "OpenRC script: executable, openrc-run, runs /usr/libexec/omacpd" "$(cat "$dest/etc/init.d/omacpd" 2>/dev/null)"
fi

for f in README.md NEWS COPYING dbus/README.md plugin/ofono/README.md plugin/mm/README.md; do
	has "documentation" "/usr/share/doc/omacp/$f"
done
for i in Manager Message Profile Agent; do
	has "D-Bus reference" "/usr/share/doc/omacp/dbus/omacp-dbus-doc-org.omacp.Provisioning1.$i.xml"
done
cmp -s "$dest/usr/share/doc/omacp/COPYING" "$src/COPYING" && grep -q "GNU GENERAL PUBLIC LICENSE" "$src/COPYING" &&
	grep -q "Version 2, June 1991" "$src/COPYING" && ok "COPYING is the GPL-2.0 text" || not_ok "COPYING is the GPL-2.0 text"

# the installed programs of this build link no libwbxml
for prog in "${OMACPCTL:?}" "${OMACPD:?}"; do
	if ldd "$prog" | grep -q wbxml; then not_ok "$(basename "$prog") does not link libwbxml" "$(ldd "$prog")"; else ok "$(basename "$prog") does not link libwbxml"; fi
done

echo "1..$n"
[ "$failed" = 0 ]
