#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TCP throughput red -> blue across v-net-0 (iperf3, one stream, 3 s), for the
# lab built bare (tests/seed-lab.sh, nothing attached), by `nsmon up` (tc
# counters on every veth end and the bridge) and by `nsmon up --xdp`, in
# interleaved rounds (order rotated each round). Medians and ratios against
# bare from this one run. Runs in throwaway namespaces.
# Usage: tools/bench/throughput.sh [ROUNDS]   (prints JSON lines)
set -eu
. "$(dirname "$0")/lib.sh"
rounds=${1:-5}

build() {
	case $1 in
	bare) bash "$top/tests/seed-lab.sh" ;;
	tc) "$nsmon" up >/dev/null ;;
	xdp) "$nsmon" up --xdp >/dev/null ;;
	esac
}

teardown() {
	if [ "$1" = bare ]; then
		ip netns del red; ip netns del blue; ip link del v-net-0
	else
		"$nsmon" down >/dev/null
	fi
}

# Gbit/s of one 3-second iperf3 run from red to blue.
run_iperf() {
	ip netns exec blue iperf3 -s -1 -D -I "$tmp/iperf3.pid" >/dev/null
	sleep 0.3
	ip netns exec red iperf3 -c 192.168.15.2 -t 3 -J |
		jq '.end.sum_received.bits_per_second / 1e9'
}


configs=(bare tc xdp)
for r in $(seq "$rounds"); do
	for i in 0 1 2; do
		c=${configs[$(( (i + r) % 3 ))]}
		build "$c"
		ip netns exec red ping -c 1 -W 2 -q 192.168.15.2 >/dev/null
		run_iperf >>"$tmp/$c"
		teardown "$c"
	done
done
bare=$(median <"$tmp/bare")
for c in "${configs[@]}"; do
	m=$(median <"$tmp/$c")
	echo "{\"bench\": \"tcp-$c\", \"rounds\": $rounds, \"gbit_s\": $m, \"ratio\": $(ratio "$m" "$bare"), \"runs\": [$(paste -sd, "$tmp/$c")]}"
done
