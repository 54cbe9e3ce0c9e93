#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kill -9 at every step of `nsmon down` (2 and 20 namespaces), as
# faults_up.sh does to `up`: after each kill, `down` (or the next `up`)
# finishes it and nothing is left.
. "$(dirname "$0")/../lib.sh"

# kill_down_everywhere STRIDE ARGS...: up ARGS, then kill down at step N,
# then down again, for N = 1, 1 + STRIDE, ... until down is not killed.
kill_down_everywhere() {
	local stride=$1 n=$((1 - $1)) got map kills=0
	shift
	while :; do
		n=$((n + stride))
		check_cmd "step $n: up" "$NSMON" up "$@"
		map=$(counters_map_id)
		got=$(killed $n "$NSMON" down)
		if [ "$got" = killed ]; then
			kills=$((kills + 1))
			out=$("$NSMON" down 2>&1) || fail "step $n: down after the kill failed: $out"
		elif [ "$got" != done ]; then
			fail "down killed at step $n: $got"
		fi
		check_clean "$map"
		[ "$got" = killed ] && [ "$_t_failed" = 0 ] || break
	done
	[ "$kills" -ge 5 ] || fail "killed at $kills steps only"
}

t "faults: down of 2 namespaces killed at every step, then down again, leaves nothing"
kill_down_everywhere 1

# ~14 steps a namespace: every 5th reaches each kind of object in each phase.
t "faults: down of 20 namespaces killed at every 5th step, then down again, leaves nothing"
kill_down_everywhere 5 --subnet 10.20.0.0/24 $(seq -f 'f%g' 1 20)

t "faults: down killed half-way is finished by the next up"
check_cmd "up" "$NSMON" up
got=$(killed 4 "$NSMON" down)
check_eq "down" "$got" killed
out=$("$NSMON" up 2>&1) || fail "up after a killed down: $out"
check_eq "namespaces" "$(lab_namespaces | tr '\n' ' ')" "blue red "
check_cmd "ping" ip netns exec red ping -c 1 -W 2 -q 192.168.15.2
map=$(counters_map_id)
check_cmd "down" "$NSMON" down
check_clean "$map"
