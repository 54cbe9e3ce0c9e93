#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What monitoring costs the traffic it watches, red -> blue across v-net-0,
# for eight configurations (nine with path-floor) of one lab (tests/seed-lab.sh, built once, so that
# every configuration runs on the same interfaces):
#   bare     nothing attached
#   nop      a program that does nothing, at tcx where nsmon attaches its own
#            (tcxnop): what the hooks alone cost, the floor under any tc monitor
#   tc       `nsmon attach` (tc counters on the bridge and its ports, which
#            count both ends of each veth pair)
#   events   `nsmon attach` + `nsmon events --json` consuming (default drop rate)
#   path     `nsmon attach` + `nsmon path --proto any` tracing every packet
#   path-sample  the same with `--sample $BENCH_PATH_SAMPLE` (default 10):
#            one packet in N traced, chosen in the kernel
#   path-floor   (not run unless BENCH_CONFIGS names it) the same with
#            --sample 1000000000: the tracer's programs on all its hooks,
#            parsing every packet, tracing none: the floor under any tracer
#            that stamps each hop
#   xdp      `nsmon attach --xdp`
#   tcpdump  `tcpdump -i veth-red-br -w /dev/null` (what a user would run
#            instead)
# and three loads on each: 64-byte UDP packets/s (udpgen in red pinned to
# CPU 0, the busy-polling udpsink in blue pinned to CPU 1, 3 s), TCP
# throughput (iperf3, one stream, 3 s) and ping latency (300 echoes 2 ms
# apart, p50/p99; for the path configurations a fresh tracer for the ping
# load alone, whose per-segment p50s it reports beside the ping RTT of the
# same round). For the UDP load it also reports the CPU time the
# generator was charged per packet (the whole path up to blue's socket runs
# in its context on CPU 0): a second view of the same cost that other work on
# this shared machine disturbs less than packets/s.
# Then the event stream: a 5-second flood to a port in blue with no listener,
# so every packet is one NO_SOCKET drop event, with `nsmon events --type drop
# --drop-rate unlimited` consuming all of them, against the same flood with no
# consumer (nsmon up), on the bare lab, and with the default --drop-rate.
# Interleaved rounds, order rotated each round; medians, and ratios against
# bare: the median over rounds of this round's figure / bare's figure of
# the same round (drift on this shared machine cancels within a round).
# Runs in throwaway namespaces. About 90 s a round.
# Usage: tools/bench/datapath.sh [ROUNDS]   (JSON lines on stdout, a table on stderr)
# BENCH_CONFIGS / BENCH_FLOOD narrow the two series (space-separated names;
# both must include bare, and the flood tc, for the ratios). The path
# tracer's targets alone: BENCH_CONFIGS="bare tc path path-sample path-floor"
# BENCH_FLOOD="bare tc" tools/bench/datapath.sh 5.
set -eu
bench_make=bench-tools	# udpgen and udpsink
. "$(dirname "$0")/lib.sh"
rounds=${1:-3}
gen=$top/.output/bench/udpgen
sink=$top/.output/bench/udpsink
dst=192.168.15.2
hz=$(getconf CLK_TCK)

# The monitor process running beside the lab (events, path, tcpdump), if any.
mon=
trap '[ -z "$mon" ] || kill "$mon" 2>/dev/null; rm -rf "$tmp"' EXIT

now_ns() { date +%s%N; }

# build CONFIG / teardown CONFIG: nsmon's part of a configuration, on the lab.
build() {
	case $1 in
	nop) mkdir /sys/fs/bpf/tcxnop &&
		"$top/.output/bench/tcxnop" /sys/fs/bpf/tcxnop v-net-0 veth-red-br veth-blue-br ;;
	tc | events | path*) "$nsmon" attach >/dev/null ;;
	xdp) "$nsmon" attach --xdp >/dev/null ;;
	esac
}

teardown() {
	case $1 in
	bare | tcpdump) ;;
	nop) rm -r /sys/fs/bpf/tcxnop ;;
	*) "$nsmon" detach >/dev/null ;;
	esac
}

# start_monitor CONFIG [EVENTS OPTIONS...]: starts what watches the lab
# besides nsmon's counters, and waits until it is watching.
start_monitor() {
	local c=$1 i
	shift
	case $c in
	events)
		"$nsmon" events --json "$@" >/dev/null 2>"$tmp/mon.err" &
		mon=$!
		# Loading the event programs takes ~0.7 s here; nothing says
		# when it is done, so wait generously (in the flood, `submitted`
		# against the packets sent shows whether that was enough).
		sleep 1.5
		;;
	path*)
		# Every packet red <-> blue traced (or one in N), for as long as
		# the load runs; -v says on stderr when it is tracing.
		local sample=1
		case $c in
		path-sample) sample=${BENCH_PATH_SAMPLE:-10} ;;
		path-floor) sample=1000000000 ;;
		esac
		"$nsmon" -v path --proto any --sample "$sample" --count 1000000000 --timeout 3600 \
			--json >"$tmp/mon.json" 2>"$tmp/mon.err" &
		mon=$!
		for i in $(seq 100); do
			grep -q '^tracing ' "$tmp/mon.err" && break
			sleep 0.1
		done
		;;
	tcpdump)
		tcpdump -i veth-red-br -w /dev/null 2>"$tmp/mon.err" &
		mon=$!
		for i in $(seq 50); do
			grep -q '^listening on' "$tmp/mon.err" && break
			sleep 0.1
		done
		;;
	esac
}

# stop_monitor: SIGINT, so that events and tcpdump print their totals.
stop_monitor() {
	[ -n "$mon" ] || return 0
	kill -INT "$mon"
	wait "$mon" || true
	mon=
}

# The generator's JSON line as "PPS NS": packets sent per second, and the CPU
# time charged to it per packet in ns. All of the path red -> bridge -> blue
# up to blue's socket runs in the generator's context on CPU 0, so NS is what
# a packet costs there. Unlike PPS it does not change when another process
# takes turns on CPU 0; what the host does to this VM still shows in both.
gen_fields() {
	jq -r '"\(.pps) \(.cpu_s / .packets * 1e9 | . * 10 | round / 10)"'
}

# "PPS NS" of 64-byte UDP red -> blue: PPS received, counted by the sink over
# 3 s from the first datagram (the generator sends for 4 s, so that it
# outlasts that window); NS from the generator.
load_udp() {
	rm -f "$tmp/sink.json"	# jq must fail, not read the previous run's
	ip netns exec blue "$sink" -c 1 -t 3 9000 >"$tmp/sink.json" &
	local s=$! ns
	sleep 0.2
	ns=$(ip netns exec red "$gen" -c 0 -t 4 "$dst" 9000 | gen_fields | cut -d' ' -f2)
	wait "$s"
	echo "$(jq .pps "$tmp/sink.json") $ns"
}

# Gbit/s received of one 3-second iperf3 stream red -> blue.
load_tcp() {
	ip netns exec blue iperf3 -s -1 -D -I "$tmp/iperf3.pid" >/dev/null
	sleep 0.3
	ip netns exec red iperf3 -c "$dst" -t 3 -J |
		jq '.end.sum_received.bits_per_second / 1e9'
}

# "P50 P99" in microseconds of 300 echoes red -> blue, 2 ms apart.
load_ping() {
	ip netns exec red ping -c 300 -i 0.002 "$dst" |
		sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' |
		awk '{printf "%.0f\n", $1 * 1000}' | sort -n >"$tmp/rtt"
	echo "$(median <"$tmp/rtt") $(awk '{a[NR] = $1} END {i = int(NR * 0.99 + 0.999); print a[i]}' "$tmp/rtt")"
}

# What path reported of the pings, in us: the request leg's four segments'
# p50s, its one-way p50, the reply leg's one-way p50, and the request leg's
# samples ("- ..." if it reported nothing).
path_p50s() {
	jq -r '[(.legs[0].segments[].p50_ns / 1000), (.legs[1].segments[4].p50_ns / 1000),
		.legs[0].samples] | map(tostring) | join(" ")' 2>/dev/null || echo "- - - - - - 0"
}

bash "$top/tests/seed-lab.sh"
read -ra configs <<<"${BENCH_CONFIGS:-bare nop tc events path path-sample xdp tcpdump}"
for r in $(seq "$rounds"); do
	for c in $(round_order "$r" "${configs[@]}"); do
		build "$c"
		start_monitor "$c"
		ip netns exec red ping -c 1 -W 2 -q "$dst" >/dev/null	# ARP and FDB settled
		load_udp >>"$tmp/udp-$c"
		load_tcp >>"$tmp/tcp-$c"
		case $c in
		path | path-sample)
			# A fresh tracer for the pings alone: its histograms are theirs.
			stop_monitor
			start_monitor "$c"
			;;
		esac
		load_ping >>"$tmp/ping-$c"
		stop_monitor
		case $c in
		path | path-sample) path_p50s <"$tmp/mon.json" >>"$tmp/segs-$c" ;;
		esac
		# What the monitor itself missed, over the three loads.
		case $c in
		events) sed -n 's/^events: .*lost \([0-9]*\),.*/\1/p' "$tmp/mon.err" >>"$tmp/missed-$c" ;;
		tcpdump) sed -n 's/^\([0-9]*\) packets dropped by kernel/\1/p' "$tmp/mon.err" >>"$tmp/missed-$c" ;;
		esac
		teardown "$c"
	done
done

# The event stream: a 5-second flood red -> a port in blue with no listener,
# so that every packet ends in one NO_SOCKET drop, one drop event. Variants:
# bare lab; `nsmon up`; `nsmon up` + `events --type drop --drop-rate unlimited`
# (every drop streamed, 1 event per packet); the same at the default
# --drop-rate (100 streamed per second per CPU, every drop still counted).
# One run prints "PPS NS", plus "SUBMITTED DELIVERED LOST SUPPRESSED CPU%"
# with a consumer (CPU% its utime + stime over the flood's wall time).
flood() {
	local c=$1 t0 t1 cpu0 cpu1 out
	case $c in
	bare) build bare ;;
	*) build tc ;;
	esac
	case $c in
	events) start_monitor events --type drop --drop-rate unlimited ;;
	events-default) start_monitor events --type drop ;;
	esac
	ip netns exec red ping -c 1 -W 2 -q "$dst" >/dev/null
	if [ -n "$mon" ]; then
		cpu0=$(awk '{print $14 + $15}' "/proc/$mon/stat")	# in clock ticks
	fi
	t0=$(now_ns)
	out=$(ip netns exec red "$gen" -c 0 -t 5 "$dst" 9999 | gen_fields)
	t1=$(now_ns)
	if [ -n "$mon" ]; then
		cpu1=$(awk '{print $14 + $15}' "/proc/$mon/stat")
		stop_monitor
		# "events: submitted N, delivered N, lost N, suppressed N"
		out="$out $(sed -n 's/^events: submitted \([0-9]*\), delivered \([0-9]*\), lost \([0-9]*\), suppressed \([0-9]*\)$/\1 \2 \3 \4/p' "$tmp/mon.err")"
		out="$out $(awk "BEGIN {printf \"%.1f\", ($cpu1 - $cpu0) / $hz / (($t1 - $t0) / 1e9) * 100}")"
	fi
	echo "$out"
	if [ "$c" = bare ]; then teardown bare; else teardown tc; fi
}

read -ra fconfigs <<<"${BENCH_FLOOD:-bare tc events events-default}"
for r in $(seq "$rounds"); do
	for c in $(round_order "$r" "${fconfigs[@]}"); do
		flood "$c" >>"$tmp/flood-$c"
	done
done

# ---- results ----------------------------------------------------------------
# Every "runs" list is in round order, so runs[i] of two configurations were
# measured in the same round. col, med, pratio ...: lib.sh.

p50_bare=$(med 1 "$tmp/ping-bare")
table=()
ptable=()
for c in "${configs[@]}"; do
	f=$tmp/udp-$c
	udp=$(med 1 "$f")
	ns=$(med 2 "$f")
	tcp=$(med 1 "$tmp/tcp-$c")
	p50=$(med 1 "$tmp/ping-$c")
	p99=$(med 2 "$tmp/ping-$c")
	echo "{\"bench\": \"udp64-$c\", \"rounds\": $rounds, \"pps\": $udp, \"ratio\": $(pratio 1 "$f" "$tmp/udp-bare")," \
		"\"ns_per_packet\": $ns, \"cpu_ratio\": $(pratio 2 "$tmp/udp-bare" "$f")," \
		"\"runs\": [$(list 1 "$f")], \"runs_ns\": [$(list 2 "$f")]}"
	echo "{\"bench\": \"tcp-$c\", \"rounds\": $rounds, \"gbit_s\": $tcp, \"ratio\": $(pratio 1 "$tmp/tcp-$c" "$tmp/tcp-bare"), \"runs\": [$(list 1 "$tmp/tcp-$c")]}"
	# The same difference round by round (the rounds interleave): median of this - bare.
	paired=$(paste -d' ' <(col 1 "$tmp/ping-$c") <(col 1 "$tmp/ping-bare") | awk '{print $1 - $2}' | median)
	echo "{\"bench\": \"ping-$c\", \"rounds\": $rounds, \"p50_us\": $p50, \"p99_us\": $p99," \
		"\"p50_minus_bare_us\": $(awk "BEGIN {print $p50 - $p50_bare}"), \"p50_minus_bare_paired_us\": $paired," \
		"\"runs_p50\": [$(list 1 "$tmp/ping-$c")], \"runs_p99\": [$(list 2 "$tmp/ping-$c")]}"
	case $c in
	path | path-sample)
		sf=$tmp/segs-$c
		# Against bare's ping RTT p50 of the same round (a one-way path cannot take longer).
		ow=$(paste -d' ' <(col 5 "$sf") <(col 1 "$tmp/ping-bare") | awk '{printf "%.3f\n", $1 - $2}' | median)
		echo "{\"bench\": \"path-segments-$c\", \"rounds\": $rounds," \
			"\"request_p50_us\": [$(med 1 "$sf"), $(med 2 "$sf"), $(med 3 "$sf"), $(med 4 "$sf")]," \
			"\"one_way_p50_us\": $(med 5 "$sf"), \"reply_one_way_p50_us\": $(med 6 "$sf")," \
			"\"bare_ping_p50_us\": $p50_bare, \"one_way_minus_bare_rtt_us\": $ow," \
			"\"runs_one_way\": [$(list 5 "$sf")], \"runs_samples\": [$(list 7 "$sf")]}"
		ptable+=("$(printf '%-15s %6.2f %6.2f %6.2f %6.2f %8.2f %8.2f %8s %6s' "$c" "$(med 1 "$sf")" \
			"$(med 2 "$sf")" "$(med 3 "$sf")" "$(med 4 "$sf")" "$(med 5 "$sf")" "$(med 6 "$sf")" \
			"$p50_bare" "$(med 1 "$tmp/ping-$c")")")
		;;
	esac
	case $c in
	events) echo "{\"bench\": \"monitor-$c\", \"rounds\": $rounds, \"events_lost\": [$(list 1 "$tmp/missed-$c")]}" ;;
	tcpdump) echo "{\"bench\": \"monitor-$c\", \"rounds\": $rounds, \"dropped_by_kernel\": [$(list 1 "$tmp/missed-$c")]}" ;;
	esac
	table+=("$(printf '%-15s %6s %-15s %6s %6s %6.2f %6s %6s/%-4s %5s' "$c" "$(kilo "$udp")" \
		"($(kilo "$(col 1 "$f" | sort -g | head -1)")-$(kilo "$(col 1 "$f" | sort -g | tail -1)"))" \
		"$(pratio 1 "$f" "$tmp/udp-bare")" "$(pratio 2 "$tmp/udp-bare" "$f")" "$tcp" \
		"$(pratio 1 "$tmp/tcp-$c" "$tmp/tcp-bare")" "$p50" "$p99" "$paired")")
done

ftable=()
for c in "${fconfigs[@]}"; do
	f=$tmp/flood-$c
	pps=$(med 1 "$f")
	ns=$(med 2 "$f")
	line="\"bench\": \"flood-$c\", \"rounds\": $rounds, \"seconds\": 5, \"pps\": $pps, \"ratio\": $(pratio 1 "$f" "$tmp/flood-bare")"
	line="$line, \"ratio_vs_tc\": $(pratio 1 "$f" "$tmp/flood-tc"), \"ns_per_packet\": $ns, \"cpu_ratio\": $(pratio 2 "$tmp/flood-bare" "$f")"
	row=$(printf '%-15s %6s %6s %6s %6s' "$c" "$(kilo "$pps")" "$(pratio 1 "$f" "$tmp/flood-bare")" \
		"$(pratio 1 "$f" "$tmp/flood-tc")" "$(pratio 2 "$tmp/flood-bare" "$f")")
	if [ "$(awk '{print NF; exit}' "$f")" -gt 2 ]; then
		delivered_s=$(awk '{print $4 / 5}' "$f" | median)
		lost=$(awk '{n += $5} END {print n}' "$f")
		cpu=$(med 7 "$f")
		line="$line, \"delivered_per_s\": $delivered_s, \"lost_total\": $lost, \"consumer_cpu_pct\": $cpu"
		line="$line, \"submitted\": [$(list 3 "$f")], \"delivered\": [$(list 4 "$f")], \"lost\": [$(list 5 "$f")]"
		line="$line, \"suppressed\": [$(list 6 "$f")], \"runs_cpu_pct\": [$(list 7 "$f")]"
		row="$row $(printf '%10s %10s %6s' "$(kilo "$delivered_s")" "$lost" "$cpu")"
	fi
	echo "{$line, \"runs\": [$(list 1 "$f")], \"runs_ns\": [$(list 2 "$f")]}"
	ftable+=("$row")
done

{
	echo
	echo "datapath: medians of $rounds rounds; ratios: median of each round's this / bare; cpu: CPU-0 time per packet, bare / this"
	printf '%-15s %6s %-15s %6s %6s %6s %6s %11s %5s\n' config "kpps" "(range)" ratio cpu Gbit/s ratio "ping p50/p99" "-bare"
	printf '%s us\n' "${table[@]}"
	if [ ${#ptable[@]} -gt 0 ]; then
		echo
		echo "path's own figures of the ping load (p50, us): request segments, one way both legs; ping RTT p50 bare / traced"
		printf '%-15s %6s %6s %6s %6s %8s %8s %8s %6s\n' config "s->bi" "bi->bo" "bo->r" "r->c" \
			"req 1way" "rep 1way" "RTT bare" traced
		printf '%s\n' "${ptable[@]}"
	fi
	echo
	echo "event stream: 5-s flood to a closed port, 1 drop per packet; medians of $rounds rounds"
	printf '%-15s %6s %6s %6s %6s %10s %10s %6s\n' config "kpps" "/bare" "/tc" cpu "deliv k/s" "lost(sum)" "cons%"
	printf '%s\n' "${ftable[@]}"
} >&2
