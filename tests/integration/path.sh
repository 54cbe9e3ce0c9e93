#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `nsmon path`: per-segment latency samples for exactly the packets sent;
# `nsmon explain`: the first ping's ladder in the order the kernel lives it.
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; t_end' EXIT

t "path: setup"
check_cmd "up" "$NSMON" up
check_cmd "warm" ip netns exec red ping -c 1 -W 2 -q 192.168.15.2

t "path: --count 5 during ping -c 5 reports 5 samples for each segment, both ways"
"$NSMON" path --count 5 --timeout 20 --json >"$tmp/path.json" 2>"$tmp/path.err" &
tracer=$!
sleep 1.5	# loaded and attached
ip netns exec red ping -c 5 -i 0.2 -q 192.168.15.2 >/dev/null
wait $tracer
check_eq "exit code" "$?" 0
for leg in 0 1; do
	check_eq "leg $leg samples" "$(jq ".legs[$leg].samples" "$tmp/path.json")" 5
	check_eq "leg $leg segment counts" "$(jq -c "[.legs[$leg].segments[].count] | unique" "$tmp/path.json")" "[5]"
	check_eq "leg $leg latencies positive" \
		"$(jq "[.legs[$leg].segments[] | .p50_ns > 0] | all" "$tmp/path.json")" true
done
check_eq "the legs" "$(jq -c '[.legs[] | [.leg, .from, .to]]' "$tmp/path.json")" \
	'[["request","red","blue"],["reply","blue","red"]]'
# The segments add up to the whole: their medians' sum lies within the whole path's histogram.
inside=$(jq '.legs[0] as $l | ([$l.segments[0:4][].p50_ns] | add) as $sum |
	($l.segments[4].buckets | (.[0].from_ns <= $sum) and (.[-1].to_ns >= $sum))' "$tmp/path.json")
check_eq "sum of segment medians within the one-way distribution" "$inside" true

t "path: bad input is a usage error naming it"
err=$("$NSMON" path --proto sctp 2>&1 >/dev/null); rc=$?
check_eq "exit code" "$rc" 2
echo "$err" | grep -q '"sctp"' || fail "error does not name sctp: $err"
err=$("$NSMON" path --from red --to nowhere --count 1 --timeout 1 2>&1 >/dev/null); rc=$?
check_eq "unknown namespace exit code" "$rc" 1
echo "$err" | grep -q "nowhere" || fail "error does not name nowhere: $err"

t "explain: the first ping's ladder, in order"
"$NSMON" explain --ping --json >"$tmp/ladder.json" 2>"$tmp/ladder.err"
check_eq "exit code" "$?" 0
first() { jq -s "map(select($1)) | .[0].step // 0" "$tmp/ladder.json"; }
arp_req=$(first '.hook == "tc egress" and (.what | startswith("ARP request")) and .where == "red veth-red"')
flood=$(first '(.what | startswith("ARP request")) and (.what | contains("flooded")) and .where == "host veth-blue-br"')
arp_rep=$(first '(.what | startswith("ARP reply")) and .where == "blue veth-blue"')
echo_req=$(first '(.what | startswith("ICMP echo request")) and .where == "host veth-red-br"')
echo_rep=$(first '(.what | startswith("ICMP echo reply")) and .hook == "skb:consume_skb"')
for s in arp_req flood arp_rep echo_req echo_rep; do
	[ "${!s}" -gt 0 ] || fail "no $s step in the ladder"
done
[ "$arp_req" -lt "$flood" ] && [ "$flood" -lt "$arp_rep" ] && [ "$arp_rep" -lt "$echo_req" ] &&
	[ "$echo_req" -lt "$echo_rep" ] ||
	fail "out of order: ARP request $arp_req, flood $flood, ARP reply $arp_rep, echo request $echo_req, echo reply $echo_rep"
[ "$(first '.hook == "bridge:br_fdb_update" and (.what | startswith("FDB learned"))')" -gt 0 ] ||
	fail "no FDB learning in the ladder"
[ "$(first '.where == "red veth-red" and (.what | contains("INCOMPLETE -> REACHABLE"))')" -gt 0 ] ||
	fail "no INCOMPLETE -> REACHABLE for red's neighbour"

t "explain: --to ADDR names the receiver by its address"
"$NSMON" explain --ping --to 192.168.15.2 --json >"$tmp/ladder2.json" 2>/dev/null
check_eq "exit code" "$?" 0
check_eq "the echo reaches blue" \
	"$(jq -s 'any(.where == "blue veth-blue" and (.what | startswith("ICMP echo request")))' "$tmp/ladder2.json")" true
err=$("$NSMON" explain --ping --to 10.1.2.3 2>&1 >/dev/null); rc=$?
check_eq "unknown address exit code" "$rc" 1
echo "$err" | grep -q "10.1.2.3" || fail "error does not name 10.1.2.3: $err"

t "path: down"
check_cmd "down" "$NSMON" down
