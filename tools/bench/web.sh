#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What `nsmon web` and `nsmon export` cost, for 2 and for 250 namespaces:
# - the server's CPU per page refresh: its utime + stime (/proc/PID/stat)
#   over REFRESHES reads of /api/v1/stats (what a page asks for every
#   interval); and with a real page open in headless Chromium for PAGE_S
#   seconds: the first 4 s (the event stream opened, its programs loaded;
#   the lab laid out), then per second (a refresh a second, the event
#   stream's own work included) until 2 s before the end; and as much of
#   `nsmon events --json` alone, for the event stream's own share;
# - the page itself at that size: how long its first layout took, and a
#   refresh (fetch, parse, draw) and its drawing alone, as the page measured
#   them (performance.now(), real time);
# - an export scrape's latency with 50 idle connections held open beside it,
#   against none, in interleaved rounds (the median of each, and the ratio).
# Runs in throwaway namespaces.
# Usage: tools/bench/web.sh [ROUNDS]   (JSON lines; REFRESHES=20 PAGE_S=16)
set -eu
. "$(dirname "$0")/lib.sh"
. "$top/tests/wait_links.sh"

rounds=${1:-20}
refreshes=${REFRESHES:-20}
page_s=${PAGE_S:-16}
port=9466
hz=$(getconf CLK_TCK)

# cpu_ms PID: the process's user + system CPU so far, in ms.
cpu_ms() {
	awk -v hz="$hz" '{ print ($14 + $15) * 1000 / hz }' "/proc/$1/stat"
}

start_web() {
	"$nsmon" web --listen 127.0.0.1:$port 2>"$tmp/web.err" &
	web_pid=$!
	for _ in $(seq 50); do
		grep -q '^web: serving' "$tmp/web.err" && return
		sleep 0.1
	done
}

stop_web() {
	kill -INT "$web_pid"
	wait "$web_pid" || true
}

for n in 2 250; do
	names="red blue"
	[ "$n" = 250 ] && names="red blue $(seq -f 'n%g' 3 250 | tr '\n' ' ')"
	# shellcheck disable=SC2086
	"$nsmon" up $names >/dev/null
	sleep 3	# past the first IPv6 floods of new links
	ip netns exec red ping -q -i 0.2 192.168.15.2 >/dev/null 2>&1 &
	ping_pid=$!
	start_web
	curl -s -o /dev/null http://127.0.0.1:$port/api/v1/stats	# warm
	before=$(cpu_ms "$web_pid")
	for _ in $(seq "$refreshes"); do
		curl -s -o /dev/null -w '%{time_total}\n' http://127.0.0.1:$port/api/v1/stats
	done >"$tmp/times"
	after=$(cpu_ms "$web_pid")
	echo "{\"bench\":\"web-stats\",\"namespaces\":$n,\"reads\":$refreshes,\"server_cpu_ms_per_read\":$(awk "BEGIN {printf \"%.1f\", ($after - $before) / $refreshes}"),\"read_ms_median\":$(awk '{print $1 * 1000}' "$tmp/times" | median),\"bytes\":$(curl -s http://127.0.0.1:$port/api/v1/stats | wc -c)}"

	# A real page for PAGE_S seconds: the first seconds open the event stream
	# (its programs loaded once) and lay the lab out; then a refresh a second.
	before=$(cpu_ms "$web_pid")
	"$top/tests/cdp.py" --url "http://127.0.0.1:$port/" --timeout "$page_s" --until false \
		--value document.body.dataset.refreshes --value document.body.dataset.layoutMs \
		--value document.body.dataset.refreshMs --value document.body.dataset.drawMs \
		--value 'document.querySelectorAll("#topology .ns").length' >"$tmp/page" 2>"$tmp/page.err" &
	cdp_pid=$!
	sleep 4
	steady=$(cpu_ms "$web_pid")
	sleep $((page_s - 6))
	end=$(cpu_ms "$web_pid")
	wait "$cdp_pid" || true
	val() { sed -n "s/^value: $1 = \"\?\([^\"]*\)\"\?$/\1/p" "$tmp/page"; }
	pages=$(val document.body.dataset.refreshes)
	if [ -n "$pages" ] && [ "$pages" -gt 0 ]; then
		echo "{\"bench\":\"web-page\",\"namespaces\":$n,\"seconds\":$page_s,\"refreshes\":$pages,\"server_cpu_ms_first_4s\":$(awk "BEGIN {printf \"%.0f\", $steady - $before}"),\"server_cpu_ms_per_refresh_after\":$(awk "BEGIN {printf \"%.1f\", ($end - $steady) / ($page_s - 6)}"),\"boxes_drawn\":$(val 'document.querySelectorAll("#topology .ns").length'),\"page_layout_ms\":$(val document.body.dataset.layoutMs),\"page_refresh_ms\":$(val document.body.dataset.refreshMs),\"page_draw_ms\":$(val document.body.dataset.drawMs)}"
	else
		echo "{\"bench\":\"web-page\",\"namespaces\":$n,\"skipped\":\"chromium: $(tail -1 "$tmp/page.err" | tr -d '"')\"}"
	fi
	# The same seconds of `nsmon events --json` alone, for what the event stream costs by itself.
	"$nsmon" events --json --no-attach >/dev/null 2>&1 &
	ev_pid=$!
	sleep 4
	steady=$(cpu_ms "$ev_pid")
	sleep $((page_s - 6))
	end=$(cpu_ms "$ev_pid")
	kill -INT "$ev_pid"
	wait "$ev_pid" || true
	echo "{\"bench\":\"events-alone\",\"namespaces\":$n,\"cpu_ms_per_s\":$(awk "BEGIN {printf \"%.1f\", ($end - $steady) / ($page_s - 6)}")}"
	stop_web
	kill "$ping_pid"
	"$nsmon" down >/dev/null
	wait_links_gone veth-red-br veth-blue-br || true
done

# Scrape latency, with 50 idle connections and without, in alternate rounds.
"$nsmon" up >/dev/null
"$nsmon" export --listen 127.0.0.1:9465 2>/dev/null &
exp_pid=$!
sleep 1
url=http://127.0.0.1:9465/metrics
: >"$tmp/none"
: >"$tmp/idle"
for _ in $(seq "$rounds"); do
	curl -s -o /dev/null -w '%{time_total}\n' "$url" >>"$tmp/none"
	idle=()
	for _ in $(seq 50); do
		exec {fd}<>/dev/tcp/127.0.0.1/9465 && idle+=("$fd")
	done
	curl -s -o /dev/null -m 20 -w '%{time_total}\n' "$url" >>"$tmp/idle"
	for fd in "${idle[@]}"; do exec {fd}>&-; done
done
kill -INT "$exp_pid"
wait "$exp_pid" || true
none=$(awk '{print $1 * 1000}' "$tmp/none" | median)
idle=$(awk '{print $1 * 1000}' "$tmp/idle" | median)
echo "{\"bench\":\"export-scrape\",\"rounds\":$rounds,\"idle_connections\":50,\"scrape_ms_median_idle\":$idle,\"scrape_ms_median_none\":$none,\"ratio\":$(ratio "$idle" "$none"),\"scrape_ms_max_idle\":$(awk '{print $1 * 1000}' "$tmp/idle" | sort -g | tail -1)}"
"$nsmon" down >/dev/null
