#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nsmon web: every endpoint's status, type and body (/api/v1/stats is `stats
# --json`, with stats' scope options as query parameters; /api/v1/events is
# `events --json` as Server-Sent Events), the security headers, 404/405/421,
# 503 without a lab, nothing changed by serving; then the page in headless
# Chromium while red pings blue: the lab drawn, a rate on veth-red's wire,
# the events and the ladder shown, keys working, no console error; a
# screenshot kept for a person to look at.
. "$(dirname "$0")/../lib.sh"

port=$((20000 + $$ % 20000))
base=http://127.0.0.1:$port
shots=$TOP/.output/tests/web

cleanup() {
	[ -n "${sse_pid:-}" ] && kill "$sse_pid" 2>/dev/null
	[ -n "${ping_pid:-}" ] && kill "$ping_pid" 2>/dev/null
	[ -n "${web_pid:-}" ] && kill "$web_pid" 2>/dev/null && wait "$web_pid" 2>/dev/null
	"$NSMON" down >/dev/null 2>&1
	ip netns del green 2>/dev/null
	rm -rf "$tmp"
}
tmp=$(mktemp -d)
trap 'cleanup; t_end' EXIT

# start_web: nsmon web on $port in the background, until it says it serves (5 s).
start_web() {
	"$NSMON" web --listen "127.0.0.1:$port" 2>"$tmp/web.err" &
	web_pid=$!
	for _ in $(seq 50); do
		grep -q '^web: serving' "$tmp/web.err" && return 0
		sleep 0.1
	done
	return 1
}

stop_web() {
	kill -INT "$web_pid"
	wait "$web_pid"
	local rc=$?
	web_pid=
	return $rc
}

# get PATH [CURL ARGS]: the body to $tmp/body, "STATUS TYPE" to stdout.
get() {
	local path=$1
	shift
	curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code} %{content_type}' "$@" "$base$path"
}

# header NAME: its value in $tmp/headers.
header() {
	tr -d '\r' <"$tmp/headers" | sed -n "s/^$1: //Ip"
}

t "web: a bad --listen is a usage error"
for listen in "127.0.0.1:0" "127.0.0.1:99999" "nonsense"; do
	"$NSMON" web --listen "$listen" 2>"$tmp/err"; rc=$?
	check_eq "$listen: exit code" "$rc" 2
	check_eq "$listen: one line" "$(wc -l <"$tmp/err")" 1
done

t "web: with no lab the page is served and the API says why (503)"
start_web || fail "never said it serves: $(cat "$tmp/web.err")"
check_eq "said" "$(cat "$tmp/web.err")" "web: serving $base/"
check_eq "/" "$(get /)" "200 text/html; charset=utf-8"
check_eq "/api/v1/stats" "$(get /api/v1/stats)" "503 application/json"
"$NSMON" stats 2>"$tmp/stats.err" >/dev/null
check_eq "the reason, stats'" "$(jq -r .error "$tmp/body")" "$(cat "$tmp/stats.err")"

t "web: the page and its files"
check_cmd "nsmon up" "$NSMON" up
wait_links_up red blue || fail "links did not come up"
check_eq "/" "$(get /)" "200 text/html; charset=utf-8"
cp "$tmp/body" "$tmp/index.html"
csp="default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
check_eq "Content-Security-Policy" "$(header Content-Security-Policy)" "$csp"
check_eq "X-Content-Type-Options" "$(header X-Content-Type-Options)" nosniff
check_eq "no CORS" "$(header Access-Control-Allow-Origin)" ""
# No inline script or style: the policy would refuse it, and it would be a hole if it did not.
check_eq "inline scripts" "$(grep -c '<script>' "$tmp/index.html")" 0
check_eq "inline styles" "$(grep -Eci '<style|style=' "$tmp/index.html")" 0
for path in $(grep -Eo '(src|href)="/[^"]*"' "$tmp/index.html" | sed 's/.*="//;s/"$//') /first-ping.ndjson; do
	code=$(get "$path")
	check_eq "$path" "${code%% *}" 200
	check_eq "$path: its policy" "$(header Content-Security-Policy)" "$csp"
done
check_eq "/app.js" "$(get /app.js)" "200 text/javascript; charset=utf-8"
check_eq "/style.css" "$(get /style.css)" "200 text/css; charset=utf-8"
check_eq "/favicon.svg" "$(get /favicon.svg)" "200 image/svg+xml"
check_eq "/first-ping.ndjson" "$(get /first-ping.ndjson)" "200 application/x-ndjson"
check_eq "a ladder of explain --json records" "$(jq -s 'all(.[]; has("where") and has("hook") and has("what"))' "$tmp/body")" true
check_eq "HEAD /" "$(curl -s -o /dev/null -w '%{http_code}' -I "$base/")" 200

t "web: /api/v1/stats is stats --json, scoped as stats is"
ip netns exec red ping -c 2 -i 0.2 -q 192.168.15.2 >/dev/null || fail "ping"
# IPv6 keeps a new lab busy: take stats between two reads that agree.
for args in "" "?netns=red -n red" "?bridge=v-net-0&netns=blue --bridge v-net-0 -n blue" "?matrix --matrix"; do
	read -r query opts <<<"$args"
	agreed=
	for _ in $(seq 30); do
		code=$(get "/api/v1/stats$query")
		jq -S . "$tmp/body" >"$tmp/a"
		# shellcheck disable=SC2086
		"$NSMON" stats --json $opts | jq -S . >"$tmp/doc"
		get "/api/v1/stats$query" >/dev/null
		jq -S . "$tmp/body" >"$tmp/b"
		cmp -s "$tmp/a" "$tmp/b" && agreed=1 && break
		sleep 0.3
	done
	[ -n "$agreed" ] || fail "${query:-/}: the counters never stood still for two reads"
	check_eq "${query:-no query}: status and type" "$code" "200 application/json"
	check_eq "${query:-no query}: stats --json ${opts}" "$(cmp -s "$tmp/a" "$tmp/doc" && echo same)" same
	[ "$(header Nsmon-Read-Time-Us)" -gt 0 ] 2>/dev/null || fail "${query:-no query}: no read time"
done
check_eq "-n red keeps red" "$(get '/api/v1/stats?netns=red' >/dev/null; jq -c '[.namespaces[].name]' "$tmp/body")" '["red"]'

t "web: query parameters are refused as the command line refuses options"
for q in "netns=" "bogus=1" "matrix=1" "bridge=not/valid" "netns=a/b"; do
	check_eq "?$q" "$(get "/api/v1/stats?$q")" "400 text/plain; charset=utf-8"
	grep -q "^nsmon: invalid parameter" "$tmp/body" || fail "?$q: $(cat "$tmp/body")"
done
check_eq "?netns=nope" "$(get '/api/v1/stats?netns=nope')" "503 application/json"
check_eq "?netns=nope: why" "$(jq -r .error "$tmp/body")" 'nsmon: namespace "nope" is not monitored'
check_eq "/api/v1/events?type=bogus" "$(get "/api/v1/events?type=bogus")" "400 text/plain; charset=utf-8"

t "web: other paths, methods and hosts are refused"
check_eq "/nope" "$(get /nope)" "404 text/plain; charset=utf-8"
check_eq "/api/v1/nope" "$(get /api/v1/nope)" "404 text/plain; charset=utf-8"
for m in POST PUT DELETE PATCH; do
	check_eq "$m /api/v1/stats" "$(get /api/v1/stats -X "$m")" "405 text/plain; charset=utf-8"
	check_eq "$m: Allow" "$(header Allow)" "GET, HEAD"
done
check_eq "POST / with a body" "$(get / -d 'x=1')" "405 text/plain; charset=utf-8"
# A page elsewhere whose name a DNS rebinding points at 127.0.0.1 cannot read the lab.
check_eq "Host: another name" "$(get /api/v1/stats -H 'Host: evil.example:'"$port")" \
	"421 text/plain; charset=utf-8"
check_eq "Host: localhost" "$(get /api/v1/stats -H "Host: localhost:$port")" "200 application/json"

t "web: /api/v1/events streams events --json records, three after an ip netns add"
curl -sN -D "$tmp/sse.headers" "$base/api/v1/events" >"$tmp/sse" &
sse_pid=$!
for _ in $(seq 100); do
	grep -q '^: nsmon events' "$tmp/sse" && break
	sleep 0.1
done
grep -q '^: nsmon events' "$tmp/sse" || fail "the stream never opened: $(head -c 300 "$tmp/sse")"
check_eq "type" "$(tr -d '\r' <"$tmp/sse.headers" | sed -n 's/^Content-Type: //Ip')" \
	"text/event-stream; charset=utf-8"
ip netns add green
# Entering it (setns) and raising its lo: events that surely come after the add's own.
ip netns exec green ip link set lo up
for _ in $(seq 100); do
	[ "$(sed -n '/"type":"netns","action":"added","name":"green"/,$p' "$tmp/sse" | grep -c '^data: ')" -ge 3 ] && break
	sleep 0.1
done
kill "$sse_pid"; wait "$sse_pid" 2>/dev/null; sse_pid=
sed -n 's/^data: //p' "$tmp/sse" >"$tmp/records"
grep -q '"type":"netns","action":"added","name":"green"' "$tmp/records" ||
	fail "no netns added record for green: $(head -c 300 "$tmp/sse")"
check_eq "records from green's on" "$(sed -n '/"name":"green"/,$p' "$tmp/records" | head -3 | wc -l)" 3
check_eq "every record is an events --json object" \
	"$(jq -s 'all(.[]; (.time | type) == "string" and (.time_us | type) == "number" and (.type | type) == "string")' "$tmp/records")" true
check_eq "one record per message" "$(grep -c '^data: ' "$tmp/sse")" "$(wc -l <"$tmp/records")"
# Scoped: ?type= as events --type, ?netns= one namespace's.
curl -sN "$base/api/v1/events?type=netns&netns=green" >"$tmp/sse2" &
sse_pid=$!
for _ in $(seq 100); do
	grep -q '^: nsmon events' "$tmp/sse2" && break
	sleep 0.1
done
ip netns del green
for _ in $(seq 100); do
	grep -q '"action":"deleted"' "$tmp/sse2" && break
	sleep 0.1
done
kill "$sse_pid"; wait "$sse_pid" 2>/dev/null; sse_pid=
check_eq "?type=netns&netns=green" "$(sed -n 's/^data: //p' "$tmp/sse2" | jq -r '"\(.type) \(.action) \(.name)"' |
	grep -v '^lost ')" "netns deleted green"

t "web: serving changes nothing of the lab"
lab_state() {
	cat /run/nsmon/*.lab
	find /sys/fs/bpf/nsmon | sort
	ip -j link | jq -c '[.[] | {ifname, master, operstate}]'
	tc filter show dev veth-red-br ingress 2>/dev/null
}
stop_web || fail "web did not stop cleanly"
lab_state >"$tmp/before"
start_web
for p in / /api/v1/stats "/api/v1/stats?matrix" /api/v1/events; do
	curl -s -m 2 -o /dev/null "$base$p"
done
stop_web
lab_state >"$tmp/after"
check_eq "ledger, pins, links, filters" "$(diff "$tmp/before" "$tmp/after")" ""

t "web: in headless Chromium while red pings blue"
# Root's ping through the datagram socket: no NO_SOCKET drop per reply (README), which
# other tests' event streams, seeing the whole machine, would have to share their drop rate with.
ip netns exec red sysctl -qw net.ipv4.ping_group_range="0 0"
ip netns exec red ping -q -i 0.2 192.168.15.2 >/dev/null 2>&1 &
ping_pid=$!
start_web || fail "never said it serves"
mkdir -p "$shots"
wire='document.querySelector("#wire-v-net-0-veth-red-br")'
until="$wire && Number($wire.dataset.outPps) > 0 && Number($wire.dataset.inPps) > 0 &&
	document.querySelectorAll(\"#ticker li\").length > 0 &&
	document.querySelectorAll(\"#ladder .step\").length > 0 &&
	document.querySelectorAll(\"#details table\").length > 0"
"$TOP/tests/cdp.py" --url "$base/#ladder=example" --until "$until" --timeout 30 --full \
	--dom "$tmp/dom.html" --screenshot "$shots/page.png" --press p --press l \
	>"$tmp/cdp.out" 2>"$tmp/cdp.err"
rc=$?
if [ $rc = 2 ]; then
	skip "chromium cannot start here: $(tail -1 "$tmp/cdp.err")"
else
	[ $rc = 0 ] || fail "the page never showed the lab with a rate on veth-red's wire, events and the ladder (cdp: $rc $(tail -2 "$tmp/cdp.err"))"
	echo "# the page, for a person to look at: $shots/page.png"
	for text in '>red<' '>blue<' '>v-net-0<' '>veth-red-br<' '>veth-blue-br<' '>host (local)<'; do
		grep -qF "$text" "$tmp/dom.html" || fail "not on the page: $text"
	done
	out=$(grep -o 'data-iface="veth-red"[^>]*' "$tmp/dom.html" | sed -n 's/.*data-out-pps="\([^"]*\)".*/\1/p')
	awk -v r="$out" 'BEGIN { exit !(r > 0) }' || fail "veth-red's wire: out of red '$out' packets/s"
	check_eq "lifelines of the ladder" "$(grep -o 'data-lifeline="[^"]*"' "$tmp/dom.html" | cut -d'"' -f2 | tr '\n' ' ')" \
		"red veth-red v-net-0 veth-blue blue "
	check_eq "P paused the events" "$(grep -o '<button[^>]*id="pause-events"[^>]*>' "$tmp/dom.html" | grep -o 'aria-pressed="[^"]*"')" \
		'aria-pressed="true"'
	grep -q '<html[^>]*class="large"' "$tmp/dom.html" || fail "L did not set large type"
	check_eq "errors the page saw" "$(grep -o 'data-errors="[0-9]*"' "$tmp/dom.html")" ""
	check_eq "console" "$(grep '^console: ' "$tmp/cdp.out")" ""
	[ -s "$shots/page.png" ] || fail "no screenshot"
fi
kill "$ping_pid"; ping_pid=

t "web: SIGINT stops it cleanly, a stream open"
curl -sN "$base/api/v1/events" >/dev/null &
sse_pid=$!
sleep 0.5
stop_web; rc=$?
check_eq "exit code" "$rc" 0
wait "$sse_pid" 2>/dev/null; sse_pid=
check_eq "its stderr" "$(cat "$tmp/web.err")" "web: serving $base/"
