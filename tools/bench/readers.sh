#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The counters' readers at 1000 interfaces (500 namespaces, their ports and
# the bridge, after a ping from every namespace has filled the forwarding
# sums, once the lab is quiet): `stats --json` and `stats` (wall time, bash's clock), `watch`'s
# CPU per refresh through a pipe ((CPU of --count 21 - CPU of --count 1) / 20,
# at --interval 0.1: what the 20 refreshes cost beyond starting up, the
# event stream it runs beside them included) and one `export` scrape (curl's
# clock). With OTHER_NSMON, another build's binary is measured on the same
# lab in the same rounds, the order alternating, and the ratios this / other
# are per round, then the median.
# Usage: tools/bench/readers.sh [ROUNDS] [OTHER_NSMON]   (JSON lines, a summary on stderr)
set -eu
[ -z "${2:-}" ] || set -- "$1" "$(realpath "$2")"
. "$(dirname "$0")/lib.sh"
rounds=${1:-5}
other=${2:-}
count=500

# cpu_ms BIN N: user + system CPU of `watch --count N` writing into a pipe.
cpu_ms() {
	local TIMEFORMAT='%3U %3S' t
	t=$( { time "$1" watch --count "$2" --interval 0.1 2>/dev/null | wc -c >/dev/null; } 2>&1)
	awk -v t="$t" 'BEGIN { split(t, a, " "); printf "%d", (a[1] + a[2]) * 1000 }'
}

scrape_us() {
	local pid us
	"$1" export --listen 127.0.0.1:9465 2>/dev/null &
	pid=$!
	for _ in $(seq 50); do
		curl -sf -o /dev/null http://127.0.0.1:9465/metrics 2>/dev/null && break
		sleep 0.1
	done
	us=$(curl -sf -o /dev/null -w '%{time_total}\n' http://127.0.0.1:9465/metrics |
		awk '{printf "%d", $1 * 1e6}')
	kill -INT $pid
	wait $pid || true
	echo "$us"
}

# measure BIN: "STATS_JSON_US STATS_US WATCH_REFRESH_MS SCRAPE_US"
measure() {
	local j s c1 c21 x
	j=$(time_us "$1" stats --json 2>/dev/null)
	s=$(time_us "$1" stats 2>/dev/null)
	c1=$(cpu_ms "$1" 1)
	c21=$(cpu_ms "$1" 21)
	x=$(scrape_us "$1")
	echo "$j $s $(awk "BEGIN {printf \"%.2f\", ($c21 - $c1) / 20}") $x"
}

names=$(seq -f 'n%g' 1 "$count" | tr '\n' ' ')
"$nsmon" up --subnet 10.77.0.0/16 $names >/dev/null
for i in $(seq 2 "$count"); do
	ip netns exec "n$i" ping -c 1 -W 1 -q 10.77.0.1 >/dev/null &
done
wait
# The IPv6 flood after up (DAD, router solicitations for ~12 s, 500 ports
# flooding each other) streams events to watch for a while: wait it out.
total() { "$nsmon" stats --json | jq '[.bridges[].local.rx.packets, .bridges[].ports[].rx.packets] | add'; }
for _ in $(seq 30); do
	before=$(total)
	sleep 3
	[ "$(total)" = "$before" ] && break
done
ifaces=$("$nsmon" stats --json | jq '[.namespaces[].interfaces[], .bridges[].ports[], .bridges[]] | length')

declare -A bin=([this]=$nsmon)
[ -z "$other" ] || bin[other]=$other
for r in $(seq "$rounds"); do
	order=$(round_order "$r" ${other:+other} this)
	for who in $order; do
		measure "${bin[$who]}" >>"$tmp/$who"
	done
	line="{\"bench\": \"readers\", \"round\": $r, \"interfaces\": $ifaces"
	for who in $order; do
		read -r j s w x < <(tail -1 "$tmp/$who")
		line="$line, \"$who\": {\"stats_json_us\": $j, \"stats_us\": $s, \"watch_refresh_cpu_ms\": $w, \"export_scrape_us\": $x}"
	done
	echo "$line}"
done
"$nsmon" down >/dev/null

{
	echo "readers at $ifaces interfaces, medians of $rounds rounds:"
	for who in this${other:+ other}; do
		echo "  $who: stats --json $(kilo "$(med 1 "$tmp/$who")") ms, stats $(kilo "$(med 2 "$tmp/$who")") ms," \
			"watch $(med 3 "$tmp/$who") ms CPU per refresh, export scrape $(kilo "$(med 4 "$tmp/$who")") ms"
	done
	[ -z "$other" ] ||
		echo "  this / other, per round: stats --json $(pratio 1 "$tmp/this" "$tmp/other")," \
			"stats $(pratio 2 "$tmp/this" "$tmp/other"), watch $(pratio 3 "$tmp/this" "$tmp/other")," \
			"export $(pratio 4 "$tmp/this" "$tmp/other")"
} >&2
