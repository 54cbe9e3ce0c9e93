#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Commands that change one lab at the same time take turns (an exclusive
# flock per bridge): 10 parallel `up NS` get 10 distinct addresses; `up NS`
# racing `down` leaves either the lab, whole, or nothing; readers meanwhile
# never see a half-written ledger.
. "$(dirname "$0")/../lib.sh"

# addresses: "NS ADDR" for every named namespace's veth, sorted by namespace.
addresses() {
	local n
	for n in $(lab_namespaces); do
		echo "$n $(ip -n "$n" -j addr show dev "veth-$n" | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')"
	done
}

t "concurrency: 10 parallel up NS on one lab give 10 distinct addresses"
check_cmd "up" "$NSMON" up
pids=""
for i in $(seq 10); do
	"$NSMON" up "c$i" >/dev/null 2>"$(mktemp /tmp/nsmon-conc.XXXXXX)" &
	pids="$pids $!"
done
rcs=""
for p in $pids; do
	wait "$p"
	rcs="$rcs$?"
done
check_eq "exit codes" "$rcs" 0000000000
check_eq "namespaces" "$(lab_namespaces | wc -l)" 12
check_eq "distinct addresses" "$(addresses | awk '{print $2}' | sort -u | wc -l)" 12
check_eq "addresses 192.168.15.1-12" "$(addresses | awk '{print $2}' | sort -t. -k4 -n | paste -sd' ')" \
	"$(seq -f '192.168.15.%g' 1 12 | paste -sd' ')"
check_cmd "c1 pings c10" ip netns exec c1 ping -c 1 -W 2 -q "$(addresses | awk '$1 == "c10" {print $2}')"
map=$(counters_map_id)
check_cmd "down" "$NSMON" down
check_nothing_left
check_map_released "$map"
rm -f /tmp/nsmon-conc.*

t "concurrency: up NS racing down leaves the lab whole, or nothing"
for round in $(seq 10); do
	check_cmd "round $round: up" "$NSMON" up
	# Either order may win; a small head start for one or the other varies it.
	log=$(mktemp /tmp/nsmon-race.XXXXXX)
	if [ $((round % 2)) = 0 ]; then
		"$NSMON" up green >/dev/null 2>>"$log" & a=$!
		"$NSMON" down >/dev/null 2>>"$log" & b=$!
	else
		"$NSMON" down >/dev/null 2>>"$log" & b=$!
		"$NSMON" up green >/dev/null 2>>"$log" & a=$!
	fi
	wait $a || fail "round $round: up green failed: $(cat "$log")"
	wait $b || fail "round $round: down failed: $(cat "$log")"
	rm -f "$log"
	if [ -e /run/nsmon/v-net-0.lab ]; then
		# up green came second: a lab of green alone, which it built whole.
		check_eq "round $round: namespaces of the lab left" "$(lab_namespaces | tr '\n' ' ')" "green "
		check_cmd "round $round: green's link is up" ip -n green link show veth-green up
		check_cmd "round $round: down" "$NSMON" down
	fi
	check_nothing_left
	[ "$_t_failed" = 0 ] || break
done

t "concurrency: stats while 10 namespaces join one by one never fails"
check_cmd "up" "$NSMON" up
( for i in $(seq 10); do "$NSMON" up "s$i" >/dev/null 2>&1; done ) & writer=$!
bad=0
while kill -0 $writer 2>/dev/null; do
	"$NSMON" stats --json >/dev/null 2>/tmp/nsmon-conc-stats.$$ || bad=$((bad + 1))
done
wait $writer
check_eq "failed stats" "$bad" 0
[ $bad = 0 ] || fail "stats said: $(head -2 /tmp/nsmon-conc-stats.$$)"
rm -f /tmp/nsmon-conc-stats.$$
check_eq "namespaces" "$(lab_namespaces | wc -l)" 12
check_cmd "down" "$NSMON" down
check_nothing_left
