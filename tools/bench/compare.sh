#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Two builds of nsmon side by side on one lab: what each costs the 64-byte
# UDP load of datapath.sh (udpgen in red on CPU 0, the busy-polling udpsink
# in blue on CPU 1, 3 s). Each round measures bare, OTHER attached and this
# build attached, the order rotated; the ratios are per round, then the
# median, so that the machine's drift between rounds cancels. For telling
# whether a change to the datapath moved its cost, which separate runs of
# datapath.sh (+-0.03 between runs of one build) cannot.
# Usage: tools/bench/compare.sh OTHER_NSMON [ROUNDS]
#   (OTHER_NSMON: the ./nsmon of another checkout, built; JSON lines on
#   stdout, a summary on stderr)
set -eu
other=$(realpath "${1:?usage: compare.sh OTHER_NSMON [ROUNDS]}")
bench_make="nsmon bench-tools"
. "$(dirname "$0")/lib.sh"
rounds=${2:-6}
dst=192.168.15.2

bash "$top/tests/seed-lab.sh" >/dev/null
ip netns exec red ping -c 1 -W 2 -q "$dst" >/dev/null

# "PPS NS": packets/s the sink received, CPU ns the generator was charged per packet.
load_udp() {
	ip netns exec blue "$top/.output/bench/udpsink" -c 1 -t 3 9000 >"$tmp/sink.json" &
	local s=$! ns
	sleep 0.2
	ns=$(ip netns exec red "$top/.output/bench/udpgen" -c 0 -t 4 "$dst" 9000 |
		jq -r '.cpu_s / .packets * 1e9 | round')
	wait "$s"
	echo "$(jq .pps "$tmp/sink.json") $ns"
}

declare -A bin=([other]=$other [this]=$nsmon)
for r in $(seq "$rounds"); do
	case $((r % 3)) in
	0) order="bare other this" ;;
	1) order="other this bare" ;;
	2) order="this bare other" ;;
	esac
	declare -A pps=() ns=()
	for c in $order; do
		[ "$c" = bare ] || "${bin[$c]}" attach >/dev/null
		read -r "pps[$c]" "ns[$c]" < <(load_udp)
		[ "$c" = bare ] || "${bin[$c]}" detach >/dev/null
	done
	echo "{\"bench\": \"compare\", \"round\": $r, \"pps\": {\"bare\": ${pps[bare]}, \"other\": ${pps[other]}, \"this\": ${pps[this]}}," \
		"\"ns_per_packet\": {\"bare\": ${ns[bare]}, \"other\": ${ns[other]}, \"this\": ${ns[this]}}}" |
		tee -a "$tmp/rounds.json"
done
jq -s -r '
	def median: sort | if length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	def r3: . * 1000 | round / 1000;
	"compare: medians of \(length) rounds of per-round ratios (64-byte pps):",
	"  other / bare \(map(.pps.other / .pps.bare) | median | r3)",
	"  this  / bare \(map(.pps.this / .pps.bare) | median | r3)",
	"  this  / other \(map(.pps.this / .pps.other) | median | r3)" +
	" (CPU per packet, other / this: \(map(.ns_per_packet.other / .ns_per_packet.this) | median | r3))"' \
	"$tmp/rounds.json" >&2
