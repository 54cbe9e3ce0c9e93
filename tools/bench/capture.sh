#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What capturing every hop costs, against what a user would run instead:
# 64-byte UDP red -> blue (udpgen in red pinned to CPU 0, the busy-polling
# udpsink in blue pinned to CPU 1, 4 s), on one lab with nsmon's counters
# attached (`nsmon attach`), in these configurations:
#   bare      nothing capturing
#   after     the same, measured right after an `nsmon capture` ran and
#             stopped: its programs are gone, the counters' cost is what it was
#   nsmon     `nsmon capture -w /dev/null`: every hop, 4 copies per packet
#             (red/veth-red, host/veth-red-br, host/veth-blue-br, blue/veth-blue)
#   tcpdump1  `tcpdump -i veth-red-br -w /dev/null`: one hop, 1 copy per packet
#   tcpdump4  four tcpdumps -w /dev/null, one per hop (veth-red in red,
#             veth-red-br, veth-blue-br, veth-blue in blue): 4 copies per packet
# For each: packets/s received by the sink, the CPU time charged to the
# generator per packet (the whole path runs in its context on CPU 0), copies
# written and lost per second (nsmon's "lost" line, tcpdump's "dropped by
# kernel"), and the capturing processes' CPU (utime + stime over the load's
# wall time, % of one core; they share the two CPUs with the load, as a
# user's would).
# Interleaved rounds, order rotated each round; medians, and ratios against
# bare as the median over rounds of this round's figure / bare's.
# Runs in throwaway namespaces. About 35 s a round.
# Usage: tools/bench/capture.sh [ROUNDS]   (JSON lines on stdout, a table on stderr)
# BENCH_CONFIGS narrows the configurations (must include bare).
set -eu
bench_make=bench-tools	# udpgen and udpsink
. "$(dirname "$0")/lib.sh"
rounds=${1:-3}
gen=$top/.output/bench/udpgen
sink=$top/.output/bench/udpsink
dst=192.168.15.2
seconds=4
hz=$(getconf CLK_TCK)

# The capturing processes of the configuration running, if any.
mons=()
trap '[ ${#mons[@]} = 0 ] || kill "${mons[@]}" 2>/dev/null; rm -rf "$tmp"' EXIT

# wait_for FILE REGEX: until FILE has a matching line (10 s at most).
wait_for() {
	local i
	for i in $(seq 100); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "capture.sh: no '$2' in $1: $(cat "$1")" >&2
	return 1
}

# tcpdump_on NS IFNAME: one tcpdump -w /dev/null ("" NS: ours).
tcpdump_on() {
	local err=$tmp/mon${#mons[@]}.err
	${1:+ip netns exec "$1"} tcpdump -i "$2" -w /dev/null 2>"$err" &
	mons+=($!)
	wait_for "$err" 'listening on'
}

start() {
	case $1 in
	after)
		"$nsmon" capture --timeout 1 -w /dev/null 2>/dev/null
		;;
	nsmon)
		"$nsmon" capture -w /dev/null 2>"$tmp/mon0.err" &
		mons+=($!)
		wait_for "$tmp/mon0.err" '^capturing on'
		;;
	tcpdump1)
		tcpdump_on "" veth-red-br
		;;
	tcpdump4)
		tcpdump_on red veth-red
		tcpdump_on "" veth-red-br
		tcpdump_on "" veth-blue-br
		tcpdump_on blue veth-blue
		;;
	esac
}

# The capturing processes' CPU ticks so far.
ticks() {
	local p n=0
	for p in "${mons[@]}"; do
		n=$((n + $(awk '{print $14 + $15}' "/proc/$p/stat")))
	done
	echo $n
}

# stop: SIGINT, so that each prints its totals; "WRITTEN LOST" summed over
# them into $tmp/stopped (not a subshell: it must wait for its own children).
stop() {
	local i written=0 lost=0 w l
	[ ${#mons[@]} = 0 ] || kill -INT "${mons[@]}"
	for i in "${!mons[@]}"; do
		wait "${mons[$i]}" || true
		w=$(sed -n -e 's/^capture: \([0-9]*\) cop[a-z]* written.*/\1/p' \
			   -e 's/^\([0-9]*\) packets captured$/\1/p' "$tmp/mon$i.err")
		l=$(sed -n -e 's/^capture: .* lost \([0-9]*\) (ring full)$/\1/p' \
			   -e 's/^\([0-9]*\) packets dropped by kernel$/\1/p' "$tmp/mon$i.err")
		written=$((written + ${w:-0}))
		lost=$((lost + ${l:-0}))
	done
	mons=()
	echo "$written $lost" >"$tmp/stopped"
}

# One run: "PPS NS WRITTEN_PER_S LOST_PER_S CPU_PCT".
run() {
	local c=$1 s ns t0 t1 c0 c1 out
	start "$c"
	ip netns exec red ping -c 1 -W 2 -q "$dst" >/dev/null	# ARP and FDB settled
	rm -f "$tmp/sink.json"
	ip netns exec blue "$sink" -c 1 -t $((seconds - 1)) 9000 >"$tmp/sink.json" &
	s=$!
	sleep 0.2
	c0=$(ticks)
	t0=$(date +%s%N)
	ns=$(ip netns exec red "$gen" -c 0 -t $seconds "$dst" 9000 |
		jq -r '.cpu_s / .packets * 1e9 | . * 10 | round / 10')
	t1=$(date +%s%N)
	c1=$(ticks)
	wait "$s"
	stop
	out=$(cat "$tmp/stopped")
	awk -v pps="$(jq .pps "$tmp/sink.json")" -v ns="$ns" -v w="${out% *}" -v l="${out#* }" \
	    -v secs="$(( (t1 - t0) / 1000000 ))" -v cpu=$((c1 - c0)) -v hz="$hz" \
	    'BEGIN {printf "%s %s %.0f %.0f %.1f\n", pps, ns, w / (secs / 1000), l / (secs / 1000),
		    cpu / hz / (secs / 1000) * 100}'
}

bash "$top/tests/seed-lab.sh"
"$nsmon" attach >/dev/null
read -ra configs <<<"${BENCH_CONFIGS:-bare after nsmon tcpdump1 tcpdump4}"
for r in $(seq "$rounds"); do
	for c in $(round_order "$r" "${configs[@]}"); do
		run "$c" >>"$tmp/udp-$c"
	done
done
"$nsmon" detach >/dev/null

# ---- results (col, med, pratio ...: lib.sh) ------------------------------------
table=()
for c in "${configs[@]}"; do
	f=$tmp/udp-$c
	echo "{\"bench\": \"capture-udp64-$c\", \"rounds\": $rounds, \"pps\": $(med 1 "$f")," \
		"\"ratio\": $(pratio 1 "$f" "$tmp/udp-bare"), \"ns_per_packet\": $(med 2 "$f")," \
		"\"cpu_ratio\": $(pratio 2 "$tmp/udp-bare" "$f"), \"written_per_s\": $(med 3 "$f")," \
		"\"lost_per_s\": $(med 4 "$f"), \"consumer_cpu_pct\": $(med 5 "$f")," \
		"\"runs\": [$(list 1 "$f")], \"runs_ns\": [$(list 2 "$f")], \"runs_written_per_s\": [$(list 3 "$f")]," \
		"\"runs_lost_per_s\": [$(list 4 "$f")], \"runs_cpu_pct\": [$(list 5 "$f")]}"
	table+=("$(printf '%-9s %7s %6s %6s %6s %10s %10s %6s' "$c" "$(kilo "$(med 1 "$f")")" \
		"$(pratio 1 "$f" "$tmp/udp-bare")" "$(med 2 "$f")" "$(pratio 2 "$tmp/udp-bare" "$f")" \
		"$(kilo "$(med 3 "$f")")" "$(kilo "$(med 4 "$f")")" "$(med 5 "$f")")")
done
{
	echo
	echo "capture: 64-byte UDP red -> blue, medians of $rounds rounds; ratio: median of each round's this / bare"
	printf '%-9s %7s %6s %6s %6s %10s %10s %6s\n' config kpps ratio ns/pkt cpu "written k/s" "lost k/s" "cons%"
	printf '%s\n' "${table[@]}"
} >&2
