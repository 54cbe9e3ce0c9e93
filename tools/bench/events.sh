#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The event stream under floods of drops, on the seed lab (nsmon up):
#
# records   red floods a closed port in blue (udpgen pinned to CPU 0: one
#           NO_SOCKET drop, one record, per packet) for 5 s while
#           `events --json --type drop --drop-rate unlimited > /dev/null`
#           streams every one: records delivered per second, lost, and the
#           consumer's CPU (utime + stime over the flood), so records per
#           second per core = delivered / CPU seconds. With OTHER_NSMON,
#           that build's `events` is measured in the same rounds (a build
#           before --drop-rate unlimited is given 0, which meant that then).
# scope     a namespace outside the lab ("noise") floods drops to its own
#           loopback (udpgen, CPU 0) while the lab carries 64-byte UDP red
#           -> blue (udpgen CPU 0, udpsink CPU 1: on a CPU of its own, it
#           keeps up, and the lab drops nothing of it) and a 100/s ping red ->
#           blue, whose every reply is a NO_SOCKET drop in red (root's ping,
#           see README): the lab's own events. Configurations: no `events`
#           (none); `events --json --drop-rate unlimited` watching the lab
#           (lab, the default scope); the same with --all (all, the whole
#           machine, as every `events` was before the scope). Reported: the
#           lab's packets/s (ratio to none in the same round), the consumer's
#           CPU, events lost, and the lab's drop events streamed against
#           the ping's replies.
# Interleaved rounds, order rotated each round; medians. Runs in throwaway
# namespaces. About 40 s a round.
# Usage: tools/bench/events.sh [ROUNDS] [OTHER_NSMON]   (JSON lines on stdout, a table on stderr)
set -eu
bench_make=bench-tools	# udpgen and udpsink
. "$(dirname "$0")/lib.sh"
rounds=${1:-3}
other=${2:-}
gen=$top/.output/bench/udpgen
sink=$top/.output/bench/udpsink
hz=$(getconf CLK_TCK)
mon=
pids=
trap '[ -z "$mon" ] || kill "$mon" 2>/dev/null; for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT

now_ns() { date +%s%N; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# links PID: how many BPF links (attached programs) process PID holds.
links() {
	ls -l "/proc/$1/fd" 2>/dev/null | grep -c 'bpf_link' || true
}

# start_events NSMON OUT OPTIONS...: `events` writing to OUT (stderr: its
# summary), ready once it holds its attached programs (their number stops
# growing) and has drained its ring once more.
start_events() {
	local bin=$1 out=$2 i n last=-1
	shift 2
	"$bin" events --no-attach --json "$@" 2>"$tmp/mon.err" >"$out" &
	mon=$!
	for i in $(seq 200); do
		n=$(links "$mon")
		[ "$n" -gt 0 ] && [ "$n" = "$last" ] && { sleep 0.2; return 0; }
		last=$n
		sleep 0.3
	done
	echo "events did not start: $(cat "$tmp/mon.err")" >&2
	return 1
}

# stop_events: SIGINT, so that events prints its totals; sets tot to
# "SUBMITTED DELIVERED LOST SUPPRESSED" (not in a $(...): the wait is this shell's).
stop_events() {
	kill -INT "$mon"
	wait "$mon" || true
	mon=
	tot=$(sed -n 's/^events: submitted \([0-9]*\), delivered \([0-9]*\), lost \([0-9]*\), suppressed \([0-9]*\)$/\1 \2 \3 \4/p' "$tmp/mon.err")
	[ -n "$tot" ] || { echo "events ended so: $(cat "$tmp/mon.err")" >&2; tot="0 0 0 0"; }
}

# drop_rate_unlimited NSMON: what that build calls every drop streamed.
drop_rate_unlimited() {
	if "$1" events --drop-rate unlimited --type netns --timeout 1 >/dev/null 2>&1; then
		echo unlimited
	else
		echo 0
	fi
}

"$nsmon" up >/dev/null
ip netns add noise
ip -n noise link set lo up
ip netns exec red ping -c 1 -W 2 -q 192.168.15.2 >/dev/null

# records BUILD: "PPS DELIVERED_PER_S LOST CPU_PCT RECORDS_PER_CPU_S"
records() {
	local bin=$1 t0 t1 c0 c1 pps
	start_events "$bin" /dev/null --type drop --drop-rate "$(drop_rate_unlimited "$bin")"
	c0=$(cpu_ticks "$mon")
	t0=$(now_ns)
	pps=$(ip netns exec red "$gen" -c 0 -t 5 192.168.15.2 9999 | jq .pps)
	t1=$(now_ns)
	c1=$(cpu_ticks "$mon")
	sleep 0.2	# the last drain
	stop_events
	set -- $tot
	awk -v pps="$pps" -v d="$2" -v l="$3" -v c0="$c0" -v c1="$c1" -v hz="$hz" -v t="$(( t1 - t0 ))" \
		'BEGIN { cpu = (c1 - c0) / hz; printf "%s %.0f %d %.1f %.0f\n", pps, d / (t / 1e9), l,
			 cpu / (t / 1e9) * 100, (cpu > 0 ? d / cpu : 0) }'
}

# scope CONFIG: "LAB_PPS CPU_PCT LOST LAB_DROPS REPLIES"
scope() {
	local c=$1 s n p c0=0 c1=0 t0 t1 pps replies lab_drops=-
	case $c in
	lab) start_events "$nsmon" "$tmp/scope.json" --drop-rate unlimited ;;
	all) start_events "$nsmon" "$tmp/scope.json" --all --drop-rate unlimited ;;
	esac
	rm -f "$tmp/sink.json"
	ip netns exec blue "$sink" -c 1 -t 4 9000 >"$tmp/sink.json" &
	s=$!
	ip netns exec noise "$gen" -c 0 -t 6 127.0.0.1 9999 >/dev/null &
	n=$!
	ip netns exec red ping -q -i 0.01 -w 6 192.168.15.2 >"$tmp/ping.out" 2>&1 &
	p=$!
	pids="$s $n $p"
	[ -n "$mon" ] && c0=$(cpu_ticks "$mon")
	t0=$(now_ns)
	sleep 0.3
	ip netns exec red "$gen" -c 0 -t 5 192.168.15.2 9000 >/dev/null
	wait "$s" "$n" "$p" || true
	pids=
	t1=$(now_ns)
	[ -n "$mon" ] && c1=$(cpu_ticks "$mon")
	pps=$(jq .pps "$tmp/sink.json")
	replies=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$tmp/ping.out")
	if [ -n "$mon" ]; then
		sleep 0.2
		stop_events
		set -- $tot
		lab_drops=$(jq -c 'select(.type == "drop" and .netns == "red" and .reason == "NO_SOCKET")' "$tmp/scope.json" | wc -l)
		awk -v pps="$pps" -v c0="$c0" -v c1="$c1" -v hz="$hz" -v t="$(( t1 - t0 ))" -v l="$3" -v ld="$lab_drops" -v r="$replies" \
			'BEGIN { printf "%s %.1f %d %d %d\n", pps, (c1 - c0) / hz / (t / 1e9) * 100, l, ld, r }'
	else
		echo "$pps - - - $replies"
	fi
}

builds=(this)
[ -n "$other" ] && builds+=(other)
configs=(none lab all)
for r in $(seq "$rounds"); do
	for b in $(round_order "$r" "${builds[@]}"); do
		if [ "$b" = this ]; then records "$nsmon"; else records "$other"; fi >>"$tmp/records-$b"
	done
	for c in $(round_order "$r" "${configs[@]}"); do
		scope "$c" >>"$tmp/scope-$c"
	done
done

# col, list, med, pratio: tools/bench/lib.sh
table=()
for b in "${builds[@]}"; do
	f=$tmp/records-$b
	echo "{\"bench\": \"events-records-$b\", \"rounds\": $rounds, \"flood_pps\": $(med 1 "$f"), \"delivered_per_s\": $(med 2 "$f"), \"lost\": [$(list 3 "$f")], \"consumer_cpu_pct\": $(med 4 "$f"), \"records_per_cpu_s\": $(med 5 "$f"), \"runs_records_per_cpu_s\": [$(list 5 "$f")], \"runs_cpu_pct\": [$(list 4 "$f")]}"
	table+=("$(printf '%-8s %10s %12s %12s %8s %14s' "$b" "$(med 1 "$f")" "$(med 2 "$f")" "$(col 3 "$f" | awk '{n += $1} END {print n}')" "$(med 4 "$f")" "$(med 5 "$f")")")
done
stable=()
for c in "${configs[@]}"; do
	f=$tmp/scope-$c
	line="\"bench\": \"events-scope-$c\", \"rounds\": $rounds, \"lab_pps\": $(med 1 "$f"), \"ratio_vs_none\": $(pratio 1 "$f" "$tmp/scope-none"), \"runs_pps\": [$(list 1 "$f")]"
	row=$(printf '%-8s %10s %8s' "$c" "$(med 1 "$f")" "$(pratio 1 "$f" "$tmp/scope-none")")
	if [ "$c" != none ]; then
		line="$line, \"consumer_cpu_pct\": $(med 2 "$f"), \"runs_cpu_pct\": [$(list 2 "$f")], \"lost\": [$(list 3 "$f")], \"lab_drops_streamed\": [$(list 4 "$f")], \"ping_replies\": [$(list 5 "$f")]"
		row="$row $(printf '%8s %10s %18s' "$(med 2 "$f")" "$(col 3 "$f" | awk '{n += $1} END {print n}')" "$(paste -d/ <(col 4 "$f") <(col 5 "$f") | paste -sd' ')")"
	fi
	echo "{$line}"
	stable+=("$row")
done
{
	echo
	echo "records: a 5-s flood of drops in the lab, every one a record, to /dev/null; medians of $rounds rounds"
	printf '%-8s %10s %12s %12s %8s %14s\n' build "flood pps" "delivered/s" "lost(sum)" "cpu%" "records/cpu-s"
	printf '%s\n' "${table[@]}"
	echo
	echo "scope: an outside namespace floods drops; the lab's 64-byte UDP and 100/s ping; medians of $rounds rounds"
	printf '%-8s %10s %8s %8s %10s %18s\n' config "lab pps" "/none" "cpu%" "lost(sum)" "lab drops/replies"
	printf '%s\n' "${stable[@]}"
} >&2
