#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Checks the translations: every catalog compiles cleanly (msgfmt -c), is
# complete (no untranslated or fuzzy message for any string the sources use
# now) and holds no string the sources no longer use; the polkit file built
# with the translations merged in carries every language.
# Usage: check-catalog.sh SRCDIR [MERGED_POLICY]
set -eu
srcdir=$1
policy=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$srcdir"

xgettext --from-code=UTF-8 --add-comments=TRANSLATORS --keyword=_ --keyword=N_ \
	--keyword=C_:1c,2 --keyword=NC_:1c,2 -o "$tmp/fresh.pot" -D . -f po/POTFILES.in

status=0
for lang in $(grep -v '^#' po/LINGUAS); do
	po=po/$lang.po
	echo "# $po"
	if ! msgfmt --check --statistics -o "$tmp/$lang.mo" "$po" 2>"$tmp/stats"; then
		echo "not ok: $po does not compile"; cat "$tmp/stats"; status=1; continue
	fi
	cat "$tmp/stats"
	if grep -qE 'untranslated|fuzzy' "$tmp/stats"; then
		echo "not ok: $po is incomplete"; status=1
	fi
	# every string of the sources is in the catalog ...
	if ! msgcmp "$po" "$tmp/fresh.pot"; then
		echo "not ok: $po misses strings of the sources (regenerate the .pot and translate)"
		status=1
	fi
	# ... and every string of the catalog is still used
	if ! msgcmp --use-untranslated "$tmp/fresh.pot" "$po"; then
		echo "not ok: $po holds strings the sources no longer use"; status=1
	fi
	# a translated string really comes out of the compiled catalog
	got=$(msgunfmt "$tmp/$lang.mo" | grep -c '^msgid' || true)
	if [ "$got" -lt 10 ]; then
		echo "not ok: $lang.mo holds only $got messages"; status=1
	fi
	if [ -n "$policy" ] && ! grep -q "xml:lang=\"$lang\"" "$policy"; then
		echo "not ok: $policy has no $lang translation"; status=1
	fi
done
[ $status -eq 0 ] && echo "ok: catalogs complete and in use"
exit $status
