#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nsmon export: Prometheus text at /metrics whose numbers are the ones
# `nsmon stats --json` prints, one sample per series, names escaped; other
# paths and methods refused; bad --listen (a port outside 1-65535) and a
# busy port refused up front with the documented exit codes, the address
# said the one bound; 503 and the reason while there is no lab; idle
# connections cannot keep a scrape out.
. "$(dirname "$0")/../lib.sh"

# A port per test process, so that parallel runs in other sandboxes cannot
# collide (each sandbox has its own loopback anyway).
listen=127.0.0.1:$((20000 + $$ % 20000))
url=http://$listen/metrics

cleanup() {
	[ -n "${exp_pid:-}" ] && kill "$exp_pid" 2>/dev/null
	"$NSMON" down >/dev/null 2>&1
	rm -rf "$tmp"
}
tmp=$(mktemp -d)
trap 'cleanup; t_end' EXIT

# metric FILE NAME LABELS: the value of the one sample NAME{LABELS}.
metric() {
	grep -F "$2{$3} " "$1" | awk '{ print $NF }'
}

# iface_labels NETNS IFACE DIR: the labels of a tc interface series.
iface_labels() {
	echo "netns=\"$1\",interface=\"$2\",direction=\"$3\",hook=\"tc\""
}

# wait_serving FILE: until FILE (an exporter's stderr) says it serves (5 s).
wait_serving() {
	for _ in $(seq 50); do
		grep -q '^export: serving' "$1" && return 0
		sleep 0.1
	done
	return 1
}

t "export: with nothing monitored it serves 503 and the reason stats gives"
"$NSMON" export --listen "$listen" 2>"$tmp/err" &
exp_pid=$!
wait_serving "$tmp/err" || fail "never said it serves: $(cat "$tmp/err")"
check_eq "status" "$(curl -s -o "$tmp/body" -w '%{http_code} %{content_type}' "$url")" \
	"503 text/plain; charset=utf-8"
"$NSMON" stats 2>"$tmp/stats.err" >/dev/null
check_eq "body: what stats says" "$(cat "$tmp/body")" "$(cat "$tmp/stats.err")"
check_eq "said at start" "$(sed -n 2p "$tmp/err")" \
	"export: scrapes get 503 until there is a lab: $(sed 's/^nsmon: //' "$tmp/stats.err")"
kill "$exp_pid"; wait "$exp_pid"; exp_pid=

t "export: bad input is refused with one line and its exit code"
"$NSMON" export --listen nonsense 2>"$tmp/err"; rc=$?
check_eq "bad --listen exit code" "$rc" 2
check_eq "bad --listen error" "$(cat "$tmp/err")" \
	'nsmon: bad --listen "nonsense": want ADDR:PORT, like 127.0.0.1:9465'
"$NSMON" export --listen '[::1]:' 2>"$tmp/err"; rc=$?
check_eq "no port: exit code" "$rc" 2
check_eq "the --listen given, in the error" "$(cat "$tmp/err")" \
	"nsmon: bad --listen \"[::1]:\": want ADDR:PORT, like 127.0.0.1:9465"
for port in notaport 0 99999 65536 -1 +80 " 80"; do
	"$NSMON" export --listen "127.0.0.1:$port" 2>"$tmp/err"; rc=$?
	check_eq "port \"$port\": exit code" "$rc" 2
	check_eq "port \"$port\": one line" "$(wc -l <"$tmp/err")" 1
	grep -q "the port .*(1 to 65535)" "$tmp/err" || fail "port \"$port\": $(cat "$tmp/err")"
done
check_eq "nothing listens" "$(ss -Hltn | wc -l)" 0

# check_bound LISTEN URL BOUND: export --listen LISTEN says it serves URL, and BOUND listens.
check_bound() {
	"$NSMON" export --listen "$1" 2>"$tmp/err" &
	exp_pid=$!
	wait_serving "$tmp/err" || fail "$1: never said it serves: $(cat "$tmp/err")"
	check_eq "$1: said" "$(head -1 "$tmp/err")" "export: serving $2"
	check_eq "$1: bound" "$(ss -Hltn | awk '{ print $4 }')" "$3"
	kill "$exp_pid"; wait "$exp_pid"; exp_pid=
}

t "export: the address it says is the one bound"
# 127.1 is 127.0.0.1 to inet_aton: the kernel's name for it, not ours, is said.
check_bound "127.1:${listen##*:}" "$url" "$listen"
check_bound "[::1]:${listen##*:}" "http://[::1]:${listen##*:}/metrics" "[::1]:${listen##*:}"

t "export: an unmonitored bridge gets 503 and why"
check_cmd "nsmon up" "$NSMON" up
"$NSMON" export --bridge no-such-br --listen "$listen" 2>"$tmp/err" &
exp_pid=$!
wait_serving "$tmp/err" || fail "never said it serves: $(cat "$tmp/err")"
check_eq "status" "$(curl -s -o "$tmp/body" -w '%{http_code}' "$url")" 503
grep -q 'bridge "no-such-br" is not monitored' "$tmp/body" || fail "body: $(cat "$tmp/body")"
kill "$exp_pid"; wait "$exp_pid"; exp_pid=

t "export: serves /metrics until SIGINT"
"$NSMON" export --listen "$listen" 2>"$tmp/exp.err" &
exp_pid=$!
wait_serving "$tmp/exp.err"
check_eq "announced" "$(cat "$tmp/exp.err")" "export: serving $url"

t "export: a second exporter on the same port is a conflict"
"$NSMON" export --listen "$listen" 2>"$tmp/err"; rc=$?
check_eq "exit code" "$rc" 4
check_eq "error" "$(cat "$tmp/err")" "nsmon: cannot listen on $listen: Address already in use"

t "export: the numbers are stats'"
wait_links_up red blue || fail "links did not come up"
check_cmd "ping" ip netns exec red ping -c 3 -i 0.2 -q 192.168.15.2
# IPv6 keeps the new lab busy for a while (router solicitations, MLD): take
# stats between two scrapes that agree, so that all three saw the same counts.
for _ in $(seq 20); do
	code=$(curl -s -o "$tmp/m" -w '%{http_code} %{content_type}' "$url")
	"$NSMON" stats --json >"$tmp/doc"
	curl -s -o "$tmp/m.after" "$url"
	cmp -s "$tmp/m" "$tmp/m.after" && break
	sleep 0.5
done
cmp -s "$tmp/m" "$tmp/m.after" || fail "the counters never stood still for a scrape"
check_eq "status and type" "$code" "200 text/plain; version=0.0.4; charset=utf-8"
for pair in "red veth-red" "blue veth-blue"; do
	read -r ns ifc <<<"$pair"
	for dir in rx tx; do
		want=$(jq -r --arg ns "$ns" --arg d "$dir" \
			'.namespaces[] | select(.name == $ns) | .interfaces[0][$d] |
			"\(.packets) \(.bytes) \(.skbs) \(.icmp_echo_request) \(.arp)"' "$tmp/doc")
		l=$(iface_labels "$ns" "$ifc" "$dir")
		got="$(metric "$tmp/m" nsmon_interface_packets_total "$l") $(metric "$tmp/m" nsmon_interface_bytes_total "$l") $(metric "$tmp/m" nsmon_interface_skbs_total "$l") $(metric "$tmp/m" nsmon_interface_frames_total "$l,class=\"icmp_echo_request\"") $(metric "$tmp/m" nsmon_interface_frames_total "$l,class=\"arp\"")"
		check_eq "$ns $ifc $dir packets bytes skbs echo-requests arp" "$got" "$want"
	done
done
[ "$(metric "$tmp/m" nsmon_interface_frames_total "$(iface_labels red veth-red tx),class=\"icmp_echo_request\"")" -ge 3 ] ||
	fail "red sent fewer than 3 echo requests"
want=$(jq -r '.bridges[0].ports[] | select(.name == "veth-red-br") |
	"\(.forwarded.rx) \(.flooded.tx) \(.local) \(.dropped)"' "$tmp/doc")
b='bridge="v-net-0",place="veth-red-br"'
got="$(metric "$tmp/m" nsmon_bridge_frames_total "$b,fate=\"forwarded\",direction=\"rx\"") $(metric "$tmp/m" nsmon_bridge_frames_total "$b,fate=\"flooded\",direction=\"tx\"") $(metric "$tmp/m" nsmon_bridge_frames_total "$b,fate=\"local\",direction=\"rx\"") $(metric "$tmp/m" nsmon_bridge_frames_total "$b,fate=\"dropped\",direction=\"rx\"")"
check_eq "veth-red-br forwarded rx, flooded tx, local, dropped" "$got" "$want"

t "export: well-formed exposition"
# Every family declared once, before its samples; no series twice.
check_eq "families" "$(grep '^# TYPE' "$tmp/m" | awk '{ print $3 }' | sort | uniq -d)" ""
check_eq "undeclared samples" "$(grep -v '^#' "$tmp/m" | awk '{ print $1 }' | sed 's/{.*//' | sort -u |
	while read -r name; do grep -q "^# TYPE $name counter$" "$tmp/m" || echo "$name"; done)" ""
check_eq "duplicate series" "$(grep -v '^#' "$tmp/m" | sed 's/ [0-9]*$//' | sort | uniq -d)" ""
# 2 namespace ends + 2 ports + the bridge, rx and tx: 10 packets series.
check_eq "packets series" "$(grep -c '^nsmon_interface_packets_total{' "$tmp/m")" 10

t "export: a namespace name that needs escaping"
check_cmd "nsmon up q\"uote" "$NSMON" up 'q"uote'
curl -s -o "$tmp/m2" "$url"
grep -qF 'nsmon_interface_packets_total{netns="q\"uote",interface="veth-q\"uote",direction="rx"' "$tmp/m2" ||
	fail "no escaped labels: $(grep -F uote "$tmp/m2" | head -2)"

t "export: 50 idle connections do not keep a scrape out"
# Any local user may open connections and send nothing: the exporter holds
# more than that and drops them soon, so that Prometheus still gets in.
# No timing is asserted: the deadline only tells "answered" from "starved"
# (the latency is in tools/bench/web.sh).
idle=()
for _ in $(seq 50); do
	exec {fd}<>"/dev/tcp/${listen%:*}/${listen##*:}" && idle+=("$fd")
done
check_eq "idle connections open" "${#idle[@]}" 50
check_eq "a scrape answers" "$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$url")" 200
for fd in "${idle[@]}"; do exec {fd}>&-; done

t "export: other paths and methods are refused"
check_eq "/ status" "$(curl -s -o /dev/null -w '%{http_code}' "http://$listen/")" 404
check_eq "POST status, Allow" "$(curl -s -o /dev/null -w '%{http_code} %header{allow}' -X POST "$url")" \
	"405 GET, HEAD"
check_eq "DELETE status" "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$url")" 405

t "export: a scrape after down says why it has nothing"
"$NSMON" down >/dev/null 2>&1
check_eq "status" "$(curl -s -o "$tmp/m3" -w '%{http_code}' "$url")" 503
"$NSMON" stats 2>"$tmp/stats.err" >/dev/null
check_eq "body: what stats says" "$(cat "$tmp/m3")" "$(cat "$tmp/stats.err")"
check_eq "the exporter's own stderr" "$(cat "$tmp/exp.err")" "export: serving $url"

t "export: SIGINT stops it cleanly"
kill -INT "$exp_pid"
wait "$exp_pid"; rc=$?
exp_pid=
check_eq "exit code" "$rc" 0
