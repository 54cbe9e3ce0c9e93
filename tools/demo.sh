#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make run`: bring the seed lab up (unless it is), ping red -> blue, and
# show it live with `nsmon watch` until q or Ctrl-C (or for SECONDS_TO_RUN
# refreshes; without a terminal, a few plain snapshots). The lab stays up
# afterwards for you to explore: `./nsmon down` removes it.
set -u
cd "$(dirname "$0")/.."
NSMON=./nsmon
seconds=${SECONDS_TO_RUN:-0}
[ -t 1 ] || seconds=${SECONDS_TO_RUN:-5}

if [ "$(id -u)" != 0 ]; then
	echo "make run: must run as root (nsmon builds namespaces and loads BPF programs)" >&2
	exit 3
fi

if [ -e /run/nsmon/v-net-0.lab ]; then
	echo "lab v-net-0 is already up"
else
	$NSMON up || exit
fi

ip netns exec red ping -q -i 0.5 192.168.15.2 >/dev/null 2>&1 &
pinger=$!
goodbye() {
	kill $pinger 2>/dev/null
	echo
	echo "red's NO_SOCKET drops, one per echo reply: root's ping reads the replies from a raw socket and the kernel frees its own copy (README, nsmon events)"
	echo "the lab is still up: ip netns exec red ping 192.168.15.2, ./nsmon stats, ./nsmon down"
}
trap goodbye EXIT
trap 'exit 0' INT TERM

# The live view: full screen on a terminal (q quits), plain snapshots otherwise.
if [ -t 1 ] && [ "$seconds" = 0 ]; then
	$NSMON watch
else
	$NSMON watch --interval 1 --count "$seconds"
fi
