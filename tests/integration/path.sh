#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `nsmon path`: per-segment latency samples for exactly the packets sent;
# `nsmon explain`: the first ping's ladder in the order the kernel lives it.
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; t_end' EXIT

# check_histograms FILE LEG: the structure of one leg's histograms: each
# segment's buckets add up to its count, its percentiles are in order and
# within its buckets, and the four segments' times add up to the whole way's.
check_histograms() {
	local f=$1 leg=$2
	check_eq "leg $leg: buckets add up to each count" \
		"$(jq "[.legs[$leg].segments[] | ([.buckets[].count] | add // 0) == .count] | all" "$f")" true
	check_eq "leg $leg: p50 <= p90 <= p99, within the buckets" \
		"$(jq "[.legs[$leg].segments[] | select(.count > 0) |
			.buckets[0].from_ns <= .p50_ns and .p50_ns <= .p90_ns and .p90_ns <= .p99_ns and
			.p99_ns <= .buckets[-1].to_ns] | all" "$f")" true
	check_eq "leg $leg: the segments' times add up to the whole way's" \
		"$(jq ".legs[$leg].segments | ([.[0:4][].sum_ns] | add) == .[4].sum_ns" "$f")" true
	check_eq "leg $leg: mean = sum / count" \
		"$(jq "[.legs[$leg].segments[] | select(.count > 0) | .mean_ns == (.sum_ns / .count | floor)] | all" "$f")" true
}

# check_samples FILE N: both legs have N samples, and each of their segments N.
check_samples() {
	local leg
	for leg in 0 1; do
		check_eq "leg $leg samples" "$(jq ".legs[$leg].samples" "$1")" "$2"
		check_eq "leg $leg segment counts" "$(jq -c "[.legs[$leg].segments[].count] | unique" "$1")" "[$2]"
	done
}

t "path: setup"
check_cmd "up" "$NSMON" up
check_cmd "warm" ip netns exec red ping -c 1 -W 2 -q 192.168.15.2

t "path: --count 5 during ping -c 5 reports 5 samples for each segment, both ways"
start_path "$tmp/path.json" --count 5 --timeout 20 || fail "the tracer did not start: $(tail -1 "$tmp/path.json.err")"
ip netns exec red ping -c 5 -i 0.2 -q 192.168.15.2 >/dev/null
wait $tracer
check_eq "exit code" "$?" 0
check_samples "$tmp/path.json" 5
for leg in 0 1; do
	check_eq "leg $leg latencies positive" \
		"$(jq "[.legs[$leg].segments[] | .p50_ns > 0] | all" "$tmp/path.json")" true
done
check_eq "the legs" "$(jq -c '[.legs[] | [.leg, .from, .to]]' "$tmp/path.json")" \
	'[["request","red","blue"],["reply","blue","red"]]'
# The segments add up to the whole: their medians' sum lies within the whole path's histogram.
inside=$(jq '.legs[0] as $l | ([$l.segments[0:4][].p50_ns] | add) as $sum |
	($l.segments[4].buckets | (.[0].from_ns <= $sum) and (.[-1].to_ns >= $sum))' "$tmp/path.json")
check_eq "sum of segment medians within the one-way distribution" "$inside" true

t "path: --count 20 during ping -c 30 reports exactly 20 for each segment, both ways"
start_path "$tmp/count.json" --count 20 --timeout 30 || fail "the tracer did not start"
ip netns exec red ping -c 30 -i 0.05 -q 192.168.15.2 >/dev/null
wait $tracer
check_eq "exit code" "$?" 0
check_samples "$tmp/count.json" 20

t "path: the histograms' structure (buckets, percentiles, segments adding up)"
for leg in 0 1; do
	check_histograms "$tmp/count.json" $leg
	check_histograms "$tmp/path.json" $leg
done
# The kernel stops histogramming at the count; what it completed after is counted apart.
check_eq "completed at least the count, none lost" \
	"$(jq '[.legs[] | .completed >= 20 and .evicted == 0 and .discarded == 0] | all' "$tmp/count.json")" true

t "path: --sample 4 traces the echoes whose sequence is a multiple of 4, both ways"
start_path "$tmp/sample.json" --sample 4 --count 1000 || fail "the tracer did not start"
# seq 1..23: five multiples of 4, six of every other remainder.
ip netns exec red ping -c 23 -i 0.05 -q 192.168.15.2 >/dev/null
kill -INT $tracer
wait $tracer
check_eq "exit code" "$?" 0
check_eq "sample" "$(jq .sample "$tmp/sample.json")" 4
for leg in 0 1; do
	# seq 4, 8, 12, 16, 20
	check_eq "leg $leg samples" "$(jq ".legs[$leg].samples" "$tmp/sample.json")" 5
	check_eq "leg $leg started" "$(jq ".legs[$leg].started" "$tmp/sample.json")" 5
	check_histograms "$tmp/sample.json" $leg
	# Every echo traced left its sender and was consumed: none lost, none left in flight.
	check_eq "leg $leg fates" \
		"$(jq -c ".legs[$leg] | [.started, .completed, .evicted, .discarded, .in_flight]" "$tmp/sample.json")" \
		"[5,5,0,0,0]"
done

t "path: --to takes an address (IPv4 or IPv6) as explain does"
start_path "$tmp/to4.json" --to 192.168.15.2 --count 2 --timeout 20 || fail "the tracer did not start"
ip netns exec red ping -c 2 -i 0.1 -q 192.168.15.2 >/dev/null
wait $tracer
check_eq "exit code" "$?" 0
check_eq "the legs, by address" "$(jq -c '[.legs[] | [.from, .to, .samples]]' "$tmp/to4.json")" \
	'[["red","blue",2],["blue","red",2]]'
check_cmd "an IPv6 address for blue" ip -n blue addr add fd00:15::2/64 dev veth-blue nodad
start_path "$tmp/to6.json" --from red --to fd00:15::2 --count 1 --timeout 20 || fail "the tracer did not start"
ip netns exec red ping -c 1 -q 192.168.15.2 >/dev/null
wait $tracer
check_eq "exit code" "$?" 0
check_eq "the legs, by IPv6 address" "$(jq -c '[.legs[] | [.from, .to]]' "$tmp/to6.json")" \
	'[["red","blue"],["blue","red"]]'
err=$("$NSMON" path --to 10.1.2.3 --count 1 --timeout 1 2>&1 >/dev/null); rc=$?
check_eq "unknown address exit code" "$rc" 1
echo "$err" | grep -q "10.1.2.3" || fail "error does not name 10.1.2.3: $err"

t "path, explain: nothing matched within the timeout: no output, one line on stderr, exit 1"
"$NSMON" path --proto tcp --timeout 2 >"$tmp/empty.out" 2>"$tmp/empty.err"
check_eq "path exit code" "$?" 1
check_eq "path stdout" "$(cat "$tmp/empty.out")" ""
check_eq "path stderr lines" "$(wc -l <"$tmp/empty.err")" 1
grep -q "within 2 s" "$tmp/empty.err" || fail "path's error does not say within 2 s: $(cat "$tmp/empty.err")"
"$NSMON" path --proto tcp --timeout 2 --json >"$tmp/empty.out" 2>"$tmp/empty.err"
check_eq "path --json exit code" "$?" 1
check_eq "path --json stdout" "$(cat "$tmp/empty.out")" ""
"$NSMON" explain --timeout 2 >"$tmp/empty.out" 2>"$tmp/empty.err"
check_eq "explain exit code" "$?" 1
check_eq "explain stdout" "$(cat "$tmp/empty.out")" ""
check_eq "explain stderr lines" "$(wc -l <"$tmp/empty.err")" 1
grep -q "within 2 s" "$tmp/empty.err" || fail "explain's error does not say within 2 s: $(cat "$tmp/empty.err")"

t "path: bad input is a usage error naming it"
for bad in "--proto sctp" "--sample 0" "--count 0" "--sample x"; do
	err=$("$NSMON" path $bad 2>&1 >/dev/null); rc=$?
	check_eq "$bad exit code" "$rc" 2
	echo "$err" | grep -q "\"${bad#* }\"" || fail "error does not name ${bad#* }: $err"
done
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
