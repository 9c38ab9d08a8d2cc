#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs a backend test in private mount and network namespaces, so that the
# real NetworkManager, ofonod and mmsd-tng it starts see only loopback and
# scratch state: tmpfs on /run, /var/lib/NetworkManager and /var/lib/ofono,
# and a read-only sysfs (NetworkManager then skips udev and is ready in
# ~80 ms instead of waiting ~13 s for link-init). Needs root (CI runs as
# root); otherwise the test is skipped.
set -eu

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root for namespaces and the real daemons"
	exit 0
fi
for tool in unshare mount ip dbus-daemon; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool is not installed"
		exit 0
	fi
done

exec unshare --mount --net --uts --fork --kill-child -- sh -c '
	set -e
	mount --make-rprivate /
	mount -t tmpfs -o mode=0755 omacp-run /run
	mkdir -p /run/NetworkManager
	for d in /var/lib/NetworkManager /var/lib/ofono; do
		if [ -d "$d" ]; then mount -t tmpfs -o mode=0700 omacp-state "$d"; fi
	done
	mount -t sysfs -o ro sysfs /sys
	ip link set lo up
	export OMACP_IN_TEST_NETNS=1
	exec "$@"
' omacp-netns "$@"
