#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Does this build print what another one prints? For a change that must keep
# the output and the JSON contract byte for byte (a refactoring): both
# binaries read one lab, in throwaway namespaces (tests/sandbox.sh), and each
# view is compared: `stats` (table, --wide, -n, --matrix, --bridge),
# `stats --json` (the same), `watch` through a pipe, an `export` scrape and
# `events --json --counters`, and the errors of each with nothing monitored.
#
# The lab: the seed lab (red, blue on v-net-0) and a second one with XDP
# (green, yellow and red again on v-net-1, made by hand and attached), after
# pings on both. Counters move on their
# own (IPv6 router solicitations for ~12 s after up), so a view is read by
# OTHER, this build and OTHER again until both of OTHER's reads agree (the
# lab held still) and this build's is the same; a difference that holds in
# eight tries is one. `watch`'s clock
# line is the one thing masked. The two `events` run side by side, each
# reporting counter deltas every second, while a burst of pings crosses
# both labs between their ticks; their lines, without the time and the
# "ns" records (each stream sees the other nsmon enter the namespaces), must
# agree.
#
# Usage: tools/same-output.sh OTHER_NSMON
#   (OTHER_NSMON: the ./nsmon of another checkout, built; prints one line per
#   view, "same" or "DIFFERS" with a diff, and exits 1 if any differs)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "${NSMON_SANDBOXED:-}" != 1 ]; then
	other=$(realpath "${1:?usage: same-output.sh OTHER_NSMON}")
	exec "$top/tests/sandbox.sh" "$0" "$other"
fi
other=$1
this=$top/nsmon
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/tests/wait_links.sh"
differ=0

# run BIN VIEW...: the view's stdout, its stderr and its exit code, as one text.
run() {
	local bin=$1
	shift
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	# watch's clock is the one thing that differs from run to run.
	sed -E 's/^--- [0-9]{2}:[0-9]{2}:[0-9]{2}$/--- TIME/' "$tmp/out"
	echo "--- stderr"
	sed "s|$bin|NSMON|g" "$tmp/err"
	echo "--- exit $rc"
}

# verdict NAME A B: one line; the diff when they differ.
verdict() {
	if [ "$2" = "$3" ]; then
		echo "same: $1"
	else
		echo "DIFFERS: $1"
		diff <(echo "$2") <(echo "$3") | head -20
		differ=1
	fi
}

# agree NAME READER ARGS...: READER BIN ARGS... read by OTHER, this build and
# OTHER again, until OTHER's two reads agree (the lab held still) and this
# build's is the same; an event of the lab's own (a neighbour going stale)
# may land in one read only, so a difference counts once it held in every try.
agree() {
	local name=$1 reader=$2 a b c held= was
	shift 2
	for _ in 1 2 3 4 5 6 7 8; do
		a=$("$reader" "$other" "$@")
		b=$("$reader" "$this" "$@")
		c=$("$reader" "$other" "$@")
		if [ "$a" = "$c" ]; then
			held=$b
			was=$a
			[ "$a" = "$b" ] && break
		fi
		sleep 1
	done
	if [ -z "$held" ]; then
		echo "UNSTABLE: $name: the lab never held still between two reads"
		differ=1
	else
		verdict "$name" "$was" "$held"
	fi
}

# same NAME VIEW...: the view's output compared.
same() {
	agree "$1" run "${@:2}"
}

# scrape BIN: one /metrics of an exporter of BIN, or its error.
scrape() {
	local bin=$1 port=9471 pid
	"$bin" export --listen "127.0.0.1:$port" 2>/dev/null &
	pid=$!
	for _ in $(seq 50); do
		curl -s -o /dev/null "http://127.0.0.1:$port/metrics" && break
		sleep 0.1
	done
	curl -s -w '--- status %{http_code}\n' "http://127.0.0.1:$port/metrics"
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

same_scrape() {
	agree "$1" scrape
}

views() {
	same "stats" stats
	same "stats --wide" stats --wide
	same "stats --json" stats --json
	same "stats -n red" stats -n red
	same "stats --json -n red" stats --json -n red
	same "stats --matrix" stats --matrix
	same "stats --json --matrix" stats --json --matrix
	same "stats --bridge v-net-1" stats --bridge v-net-1
	same "stats --json --bridge v-net-1" stats --json --bridge v-net-1
	same "stats -n nosuch" stats -n nosuch
	same "stats --bridge nosuch" stats --bridge nosuch
	same "watch (a pipe)" watch --count 2 --interval 0.2
	same "watch --bridge v-net-1 (a pipe)" watch --count 2 --interval 0.2 --bridge v-net-1
	same_scrape "export"
}

echo "# nothing monitored"
same "stats" stats
same "stats --json" stats --json
same "watch (a pipe)" watch --count 1 --interval 0.2
same_scrape "export"

"$this" up >/dev/null || exit 1
# The second lab by hand, red in it too (one namespace reached by two
# labs), then attached.
ip link add v-net-1 type bridge
ip link set v-net-1 up
ip netns add green
ip netns add yellow
join() {	# join NS VETH ADDR
	ip link add "$2" type veth peer name "$2-br"
	ip link set "$2" netns "$1"
	ip -n "$1" addr add "$3/24" dev "$2"
	ip -n "$1" link set "$2" up
	ip link set "$2-br" master v-net-1 up
}
join green veth-g 10.9.0.1
join yellow veth-y 10.9.0.2
join red veth-r1 10.9.0.9
"$this" attach --bridge v-net-1 --xdp >/dev/null || exit 1
for _ in $(seq 50); do
	ip netns exec red ping -c 1 -W 1 -q 192.168.15.2 >/dev/null 2>&1 &&
		ip netns exec green ping -c 1 -W 1 -q 10.9.0.2 >/dev/null 2>&1 &&
		ip netns exec red ping -c 1 -W 1 -q 10.9.0.1 >/dev/null 2>&1 && break
	sleep 0.1
done
ip netns exec red ping -c 5 -i 0.05 -q 192.168.15.2 >/dev/null
ip netns exec green ping -c 5 -i 0.05 -q 10.9.0.2 >/dev/null
ip netns exec red ping -c 2 -i 0.05 -q 10.9.0.1 >/dev/null
ip netns exec blue ping -c 2 -i 0.05 -q -b 192.168.15.255 >/dev/null 2>&1
echo "# two labs, after pings"
views

# Both event streams side by side on the same traffic, the burst between ticks.
events_pair() {
	"$other" events --json --counters --interval 1 --timeout 5 >"$tmp/ev.other" 2>/dev/null &
	local o=$!
	"$this" events --json --counters --interval 1 --timeout 5 >"$tmp/ev.this" 2>/dev/null &
	local t=$!
	sleep 2.4
	ip netns exec red ping -c 3 -i 0.01 -q 192.168.15.2 >/dev/null
	ip netns exec green ping -c 3 -i 0.01 -q 10.9.0.2 >/dev/null
	wait "$o" "$t"
	for f in other this; do
		sed -E 's/"time":"[^"]*",//; s/"time_us":[0-9]+,//' "$tmp/ev.$f" |
			grep -v '^{"type":"ns",' >"$tmp/ev.$f.cut"
	done
}
for try in 1 2 3 4 5; do
	events_pair
	grep -q '"counters"' "$tmp/ev.this.cut" && cmp -s "$tmp/ev.other.cut" "$tmp/ev.this.cut" && break
done
verdict "events --json --counters ($(grep -c '"counters"' "$tmp/ev.this.cut") counter records)" \
	"$(cat "$tmp/ev.other.cut")" "$(cat "$tmp/ev.this.cut")"
grep -q '"counters"' "$tmp/ev.this.cut" || { echo "DIFFERS: events: no counter record"; differ=1; }

"$this" detach --bridge v-net-1 >/dev/null
"$this" down >/dev/null
exit $differ
