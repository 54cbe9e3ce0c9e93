#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Memory: the peak RSS (VmHWM) of `nsmon events`, `nsmon watch` and `nsmon
# export` scraped every second (and of one `nsmon stats --json`) while a
# ping runs through the lab, and the kernel memory of every BPF map they and
# the datapath hold (bpftool's memlock), for 2 and for 250 namespaces.
# Runs in throwaway namespaces.
# Usage: tools/bench/memory.sh   (JSON lines)
set -eu
. "$(dirname "$0")/lib.sh"

# peak_kb CMD...: run CMD for 4 s in the background and read its VmHWM just before stopping it.
peak_kb() {
	local pid kb
	"$@" >/dev/null 2>&1 &
	pid=$!
	sleep 4
	kb=$(awk '/^VmHWM:/ {print $2}' /proc/$pid/status)
	kill -INT $pid
	wait $pid 2>/dev/null || true
	echo "$kb"
}

# export_peak_kb: `nsmon export` scraped 4 times, a second apart; its VmHWM after.
export_peak_kb() {
	local pid kb
	"$nsmon" export --listen 127.0.0.1:9465 >/dev/null 2>&1 &
	pid=$!
	sleep 0.5
	for _ in 1 2 3 4; do
		curl -sf -o /dev/null http://127.0.0.1:9465/metrics
		sleep 1
	done
	kb=$(awk '/^VmHWM:/ {print $2}' /proc/$pid/status)
	kill -INT $pid
	wait $pid 2>/dev/null || true
	echo "$kb"
}

# map_kb NAME...: the memlock of the loaded maps with these names, in KiB.
map_kb() {
	bpftool -j map show | jq --argjson names "$(printf '%s\n' "$@" | jq -R . | jq -s .)" \
		'[.[] | select(.name as $n | $names | index($n)) | .bytes_memlock] | add / 1024 | floor'
}

for count in 2 250; do
	if [ "$count" = 2 ]; then names="red blue"; subnet=192.168.15.0/24; dst=192.168.15.2; else
		names=$(seq -f 'n%g' 1 "$count" | tr '\n' ' '); subnet=10.77.0.0/24; dst=10.77.0.2; fi
	"$nsmon" up --subnet "$subnet" $names >/dev/null
	first=${names%% *}
	ip netns exec "$first" ping -i 0.1 -q "$dst" >/dev/null &
	pinger=$!
	events_kb=$(peak_kb "$nsmon" events --json)
	watch_kb=$(peak_kb "$nsmon" watch --interval 1)
	export_kb=$(export_peak_kb)
	stats_kb=$(/usr/bin/time -f %M "$nsmon" stats --json 2>&1 >/dev/null | tail -1)
	datapath_kb=$(map_kb counters counter_slots counters_fast slot_owners bridge_flows bridge_state bridge_matrix bridge_places)
	"$nsmon" events --json >/dev/null 2>&1 &
	ev=$!
	sleep 2
	events_maps_kb=$(map_kb events totals drops pending neigh_state fdb_port drop_rate)
	kill -INT $ev; wait $ev 2>/dev/null || true
	kill $pinger; wait $pinger 2>/dev/null || true
	"$nsmon" down >/dev/null
	echo "{\"bench\": \"memory-$count\", \"events_peak_rss_kb\": $events_kb, \"watch_peak_rss_kb\": $watch_kb, \"export_peak_rss_kb\": $export_kb, \"stats_peak_rss_kb\": $stats_kb, \"datapath_maps_kb\": $datapath_kb, \"event_maps_kb\": $events_maps_kb}"
done
