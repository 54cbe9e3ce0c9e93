#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One filter language (--proto, --host, --port) with one meaning in every
# command it applies to, each with a case that matches and one that must
# not: events (drops by their packet and neighbour entries by their
# address, in the kernel; addresses), watch's events pane, path (in the
# kernel, at every hop) and explain (the steps shown). capture's own test
# (capture.sh) covers it there.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../events_lib.sh"

tmp=$(mktemp -d)
trap 'two_labs_cleanup; t_end' EXIT

t "filters: two monitored labs and a namespace outside them"
two_labs || fail "cannot build the labs"

# none WHAT JQ FILE: no event of FILE matches JQ.
none() {
	local hits
	hits=$(jq -c "select($2)" "$3")
	check_eq "$1" "$hits" ""
}

t "filters: events keep the drops and neighbour entries that match, in the kernel"
# name:options, one stream each; each waits for its first match below.
streams="udp:--proto=udp icmp:--proto=icmp arp:--proto=arp host:--host=192.168.15.2 port:--port=9"
pids=
for s in $streams; do
	"$NSMON" events --json --no-attach --drop-rate unlimited ${s#*:} >"$tmp/${s%%:*}.json" 2>"$tmp/${s%%:*}.err" &
	pids="$pids $!"
done
for i in $(seq 60); do
	two_labs_traffic
	seen '.type == "drop" and .netns == "blue"' "$tmp/udp.json" &&
		seen '.type == "drop" and .netns == "red"' "$tmp/icmp.json" &&
		seen '.type == "neigh" and .netns == "red"' "$tmp/arp.json" &&
		seen '.type == "neigh" and .netns == "red"' "$tmp/host.json" &&
		seen '.type == "drop" and .netns == "blue"' "$tmp/host.json" &&
		seen '.type == "drop" and .netns == "x2"' "$tmp/port.json" && break
	sleep 0.2
done
two_labs_traffic
kill -INT $pids; wait $pids; pids=
# --proto udp: the datagrams blue and x2 drop; not the echo replies red drops, no neighbour.
expect "--proto udp: blue's UDP drop" '.type == "drop" and .netns == "blue"' "$tmp/udp.json"
expect "--proto udp: x2's UDP drop" '.type == "drop" and .netns == "x2"' "$tmp/udp.json"
none "--proto udp: the echo replies' drops, neighbours" '.type == "neigh" or .netns == "red" or .netns == "x1"' "$tmp/udp.json"
# --proto icmp: the echo replies red and x1 drop; not the datagrams.
expect "--proto icmp: red's echo reply drop" '.type == "drop" and .netns == "red"' "$tmp/icmp.json"
none "--proto icmp: the UDP drops, neighbours" '.type == "neigh" or .netns == "blue" or .netns == "x2"' "$tmp/icmp.json"
# --proto arp: IPv4 neighbour entries; no IP packet's drop.
expect "--proto arp: red's entry for blue" '.type == "neigh" and .netns == "red" and .address == "192.168.15.2"' "$tmp/arp.json"
none "--proto arp: drops, IPv6 entries" '.type == "drop" or (.type == "neigh" and .family != "inet")' "$tmp/arp.json"
# --host 192.168.15.2: red's entry for it, blue's drop of what was sent to it; nothing of 10.9.0.x.
expect "--host: blue's drop" '.type == "drop" and .netns == "blue"' "$tmp/host.json"
none "--host: lab B's entries and drops, red's other entries" \
	'.netns == "x1" or .netns == "x2" or (.type == "neigh" and .address != "192.168.15.2")' "$tmp/host.json"
# --port 9: the UDP drops in both labs; not the echo replies (ICMP has no port), no neighbour.
expect "--port 9: blue's drop" '.type == "drop" and .netns == "blue"' "$tmp/port.json"
none "--port 9: ICMP drops, neighbours" '.type == "neigh" or .netns == "red" or .netns == "x1"' "$tmp/port.json"
for s in $streams; do
	check_eq "${s%%:*}: types" "$(jq -r .type "$tmp/${s%%:*}.json" | sort -u | grep -v -e drop -e neigh)" ""
done

t "filters: events --host matches address events too, and --port nothing that has no port"
"$NSMON" events --json --no-attach -t addr --host 192.168.15.9 >"$tmp/addr.json" 2>/dev/null &
a=$!
"$NSMON" events --json --no-attach -t neigh,addr --port 53 >"$tmp/p53.json" 2>/dev/null &
p=$!
"$NSMON" events --json --no-attach -t addr >"$tmp/addr-all.json" 2>/dev/null &
all=$!
pids="$a $p $all"
for i in $(seq 100); do
	ip -n blue addr add 192.168.15.10/24 dev veth-blue
	ip -n blue addr del 192.168.15.10/24 dev veth-blue
	seen '.type == "addr" and .address == "192.168.15.10"' "$tmp/addr-all.json" && break
	sleep 0.1
done
sleep 0.5	# the others started no later, give or take
ip -n blue addr add 192.168.15.9/24 dev veth-blue
ip -n blue addr add 192.168.15.11/24 dev veth-blue
two_labs_traffic
expect "--host 192.168.15.9: its address added" '.type == "addr" and .address == "192.168.15.9" and .action == "added"' "$tmp/addr.json"
expect "the unfiltered stream: the other address" '.address == "192.168.15.11"' "$tmp/addr-all.json"
kill -INT $a $p $all; wait $a $p $all; pids=
none "--host 192.168.15.9: other addresses" '.address != "192.168.15.9"' "$tmp/addr.json"
check_eq "--port 53: neighbours and addresses have no port" "$(cat "$tmp/p53.json")" ""
ip -n blue addr del 192.168.15.9/24 dev veth-blue
ip -n blue addr del 192.168.15.11/24 dev veth-blue

# events_of FILE: the events pane's lines of `nsmon watch`'s plain snapshots.
events_of() {
	awk '$1 == "EVENTS" { on = 1; next } /^--- / { on = 0 } on' "$1"
}

t "filters: watch's events pane keeps what the filter matches"
"$NSMON" watch -i 0.5 -c 6 --proto udp >"$tmp/w-udp" 2>/dev/null &
wu=$!
"$NSMON" watch -i 0.5 -c 6 --host 192.168.15.2 >"$tmp/w-host" 2>/dev/null &
wh=$!
pids="$wu $wh"
while kill -0 $wu 2>/dev/null || kill -0 $wh 2>/dev/null; do two_labs_traffic; sleep 0.2; done
wait $wu $wh; pids=
events_of "$tmp/w-udp" | grep -q '\[DROP\] blue ' || fail "--proto udp: no drop of blue in the pane"
check_eq "--proto udp: neighbours or red's drops in the pane" "$(events_of "$tmp/w-udp" | grep -e '\[NEIGH\]' -e '\] red ')" ""
events_of "$tmp/w-host" | grep -q '\[NEIGH\] red dev veth-red 192.168.15.2 ' || fail "--host: no entry of red for 192.168.15.2"
check_eq "--host: lab B in the pane" "$(events_of "$tmp/w-host" | grep -e '\] x[12] ' -e '10\.9\.0\.')" ""
# The counters are never filtered: both labs' rows are there.
grep -q '^x1 ' "$tmp/w-host" || fail "--host: the counters of lab B are gone"

t "filters: path traces what --host names, in the kernel, and nothing else"
start_path "$tmp/path-host.json" --from red --host 192.168.15.2 -c 3 --timeout 20 || fail "the tracer did not start"
pids=$tracer
ip netns exec red ping -c 4 -i 0.2 -q 192.168.15.2 >/dev/null
wait $tracer; rc=$?; pids=
check_eq "--host 192.168.15.2: exit code" "$rc" 0
check_eq "--host 192.168.15.2: samples" "$(jq -c '[.legs[].samples]' "$tmp/path-host.json")" "[3,3]"
check_eq "--host 192.168.15.2: the filter said" "$(jq -r '[.proto, .filter] | join(" | ")' "$tmp/path-host.json")" \
	"icmp | --proto icmp --host 192.168.15.2"
start_path "$tmp/path-other.json" --bridge v-net-0 --host 192.168.15.9 --timeout 2 || fail "the tracer did not start"
pids=$tracer
ip netns exec red ping -c 4 -i 0.2 -q 192.168.15.2 >/dev/null
wait $tracer; rc=$?; pids=
check_eq "--host 192.168.15.9: exit code" "$rc" 1
check_eq "--host 192.168.15.9: stdout" "$(cat "$tmp/path-other.json")" ""
start_path "$tmp/path-port.json" --bridge v-net-0 --port 9 --timeout 2 || fail "the tracer did not start"
pids=$tracer
ip netns exec red ping -c 4 -i 0.2 -q 192.168.15.2 >/dev/null
wait $tracer; rc=$?; pids=
check_eq "--proto icmp --port 9 (ICMP has no port): exit code" "$rc" 1
start_path "$tmp/path-any.json" --to blue --proto any --host 192.168.15.1 -c 2 --timeout 20 || fail "the tracer did not start"
pids=$tracer
ip netns exec red ping -c 3 -i 0.2 -q 192.168.15.2 >/dev/null
wait $tracer; rc=$?; pids=
check_eq "--proto any: exit code" "$rc" 0
check_eq "--proto any: what it says" "$(jq -r '[.proto, .filter] | join(" | ")' "$tmp/path-any.json")" \
	"any | --host 192.168.15.1 --proto any"

t "filters: explain shows the steps that match, and follows the whole story"
"$NSMON" explain --ping --bridge v-net-0 --proto arp --json >"$tmp/explain-arp.json" 2>"$tmp/err" ||
	fail "explain --proto arp failed: $(cat "$tmp/err")"
seen '.what | test("^ARP request")' "$tmp/explain-arp.json" || fail "--proto arp: no ARP step"
seen '.kind == "neigh"' "$tmp/explain-arp.json" || fail "--proto arp: no neighbour step"
none "--proto arp: echo or FDB steps" '(.what | test("ICMP")) or .kind == "fdb"' "$tmp/explain-arp.json"
"$NSMON" explain --ping --bridge v-net-0 --proto icmp --json >"$tmp/explain-icmp.json" 2>"$tmp/err" ||
	fail "explain --proto icmp failed: $(cat "$tmp/err")"
seen '.what | test("^ICMP echo reply")' "$tmp/explain-icmp.json" || fail "--proto icmp: no echo reply step"
none "--proto icmp: ARP, neighbour or FDB steps" '(.what | test("ARP")) or .kind != "hop"' "$tmp/explain-icmp.json"

t "filters: down"
check_cmd "down A" "$NSMON" down
check_cmd "down B" "$NSMON" down --bridge br2
ip netns del out
check_nothing_left
