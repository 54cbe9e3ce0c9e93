#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Control-plane benchmark: `nsmon up` (2 namespaces, programs attached; as
# --tc-mode auto picks, and with tcx forced) and its `down`, against
# ../shared/lab/seed-lab.sh (16 `ip` commands, nothing attached) building the
# same lab, in interleaved rounds (the order rotating each round), plus `up` with
# 50, 250 and 500 namespaces (1001 interfaces: the ports, their peers and the
# bridge) and `stats --json` over them: once right after `up`, once after a
# ping from every namespace to the first has filled the forwarding matrix;
# then `stats` (the table) and one scrape of `nsmon export` (the median of
# 5, curl's own clock).
# Runs in throwaway namespaces.
# Usage: tools/bench/control-plane.sh [ROUNDS]   (prints JSON lines and a summary)
set -eu
. "$(dirname "$0")/lib.sh"
rounds=${1:-7}
seed=$top/tests/seed-lab.sh

. "$top/tests/wait_links.sh"

# The kernel deletes a namespace's links after `ip netns del` returns: wait
# for the peers to go, or the next `up` finds veth-red-br still there.
seed_down() {
	ip netns del red
	ip netns del blue
	ip link del v-net-0
	wait_links_gone veth-red-br veth-blue-br && return 0
	echo "control-plane: the seed lab's veths outlived their namespaces by 5 s" >&2
	return 1
}


# `up` as --tc-mode auto picks (clsact on the devices it makes) and with tcx
# links forced, each followed by its `down`, and the seed script, in an order
# that rotates each round.
for r in $(seq "$rounds"); do
	case $((r % 3)) in
	1) order="nsmon tcx seed" ;;
	2) order="seed nsmon tcx" ;;
	*) order="tcx seed nsmon" ;;
	esac
	for who in $order; do
		case $who in
		nsmon)
			time_us "$nsmon" up >>$tmp/nsmon
			time_us "$nsmon" down >>$tmp/nsmon-down
			;;
		tcx)
			time_us "$nsmon" up --tc-mode tcx >>$tmp/tcx
			time_us "$nsmon" down >>$tmp/tcx-down
			;;
		seed)
			time_us bash "$seed" >>$tmp/seed
			seed_down
			;;
		esac
	done
done
n=$(median <$tmp/nsmon)
nd=$(median <$tmp/nsmon-down)
x=$(median <$tmp/tcx)
xd=$(median <$tmp/tcx-down)
s=$(median <$tmp/seed)
echo "{\"bench\": \"up-2\", \"rounds\": $rounds, \"nsmon_up_us\": $n, \"seed_script_us\": $s, \"ratio\": $(ratio "$n" "$s")," \
	"\"nsmon_down_us\": $nd, \"tcx_up_us\": $x, \"tcx_ratio\": $(ratio "$x" "$s"), \"tcx_down_us\": $xd}"

for count in 50 250 500; do
	names=$(seq -f 'n%g' 1 "$count" | tr '\n' ' ')
	up=$(time_us "$nsmon" up --subnet 10.77.0.0/16 $names)
	stats=$(time_us "$nsmon" stats --json)
	ifaces=$("$nsmon" stats --json | jq '[.namespaces[].interfaces[], .bridges[].ports[], .bridges[]] | length')
	for i in $(seq 2 "$count"); do
		ip netns exec "n$i" ping -c 1 -W 1 -q 10.77.0.1 >/dev/null &
	done
	wait
	stats_traffic=$(time_us "$nsmon" stats --json)
	stats_table=$(time_us "$nsmon" stats)
	"$nsmon" export --listen 127.0.0.1:9465 2>/dev/null &
	exporter=$!
	sleep 0.5
	scrape=$(for _ in 1 2 3 4 5; do
		curl -sf -o /dev/null -w '%{time_total}\n' http://127.0.0.1:9465/metrics
	done | median | awk '{printf "%d", $1 * 1e6}')
	kill -INT $exporter
	wait $exporter || true
	pairs=$("$nsmon" stats --json --matrix | jq '[.bridges[].matrix // [] | length] | add')
	down=$(time_us "$nsmon" down)
	echo "{\"bench\": \"up-$count\", \"up_us\": $up, \"interfaces\": $ifaces, \"stats_us\": $stats," \
		"\"stats_after_traffic_us\": $stats_traffic, \"stats_table_us\": $stats_table, \"export_scrape_us\": $scrape, \"matrix_pairs\": $pairs, \"down_us\": $down}"
done
