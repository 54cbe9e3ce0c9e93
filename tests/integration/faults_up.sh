#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kill -9 at every step of `nsmon up` (2 and 20 namespaces, tcx, joining a
# lab): killed after its Nth ledger step (NSMON_TEST_KILL_AT=N:
# user/util/fault.h, the process raises SIGKILL there), for every N until it
# gets through. After each kill, `down` (or the next `up`, which first undoes
# what the killed one made) must leave nothing: no namespace, link, pin,
# program (the counters map they use is released) or ledger; and `up` works
# again. faults_down.sh does the same to `down`.
. "$(dirname "$0")/../lib.sh"

# kill_up_once LABEL RECOVER N ARGS...: kill `up ARGS` at step N, then
# recover with RECOVER ("down", or "up" then "down") and check nothing is
# left. Sets $kill_result to what the kill did: "killed", "done" (up got
# through) or "failed" (a check failed, and said so).
kill_up_once() {
	local label=$1 recover=$2 n=$3 got map
	shift 3
	got=$(killed "$n" "$NSMON" up "$@")
	map=$(counters_map_id)
	if [ "$got" = killed ] && [ "$recover" = up ]; then
		out=$("$NSMON" up "$@" 2>&1) || fail "$label: step $n: up after the kill failed: $out"
	fi
	case $got in
	killed | done)
		out=$("$NSMON" down 2>&1) || fail "$label: step $n: down failed: $out"
		check_clean "$map"
		;;
	*)
		fail "$label: up killed at step $n: $got"
		;;
	esac
	kill_result=$got
	[ "$_t_failed" = 0 ] || kill_result=failed
}

# kill_up_everywhere LABEL RECOVER DENSE ARGS...: kill_up_once at every step
# N = 1, 2, ... until `up` gets through; past step DENSE (0: never), only
# every 5th step, and then each of the last 25 steps.
kill_up_everywhere() {
	local label=$1 recover=$2 dense=$3 n=0 got kills=0 last
	shift 3
	while :; do
		if [ "$dense" != 0 ] && [ $n -ge "$dense" ]; then n=$((n + 5)); else n=$((n + 1)); fi
		kill_up_once "$label" "$recover" $n "$@"
		got=$kill_result
		[ "$got" = killed ] || break
		kills=$((kills + 1))
	done
	last=$n
	if [ "$got" = done ] && [ "$dense" != 0 ]; then
		for n in $(seq $((last - 25)) $((last - 1))); do
			[ $n -gt "$dense" ] && [ $(( (n - dense) % 5 )) != 0 ] || continue
			kill_up_once "$label" "$recover" $n "$@"
			got=$kill_result
			[ "$got" = killed ] || break	# done: past the last step
			kills=$((kills + 1))
		done
	fi
	[ "$got" = failed ] && echo "# after a kill at step $n" >&2
	[ "$kills" -ge 10 ] || fail "$label: killed at $kills steps only (is NSMON_TEST_KILL_AT read?)"
}

t "faults: up of 2 namespaces killed at every step, then down, leaves nothing"
kill_up_everywhere "2 namespaces" down 0

t "faults: up of 2 namespaces killed at every step; the next up undoes it and succeeds"
kill_up_everywhere "2 namespaces, up again" up 0

t "faults: up --tc-mode tcx killed at every step, then down, leaves nothing"
kill_up_everywhere "tcx" down 0 --tc-mode tcx

# ~21 steps a namespace: every one of the bridge's and the first three
# namespaces', every 5th after that, and each of the last namespace's.
t "faults: up of 20 namespaces killed at each step of the first 3 and the last namespace, every 5th between, then down, leaves nothing"
kill_up_everywhere "20 namespaces" down 75 --subnet 10.20.0.0/24 $(seq -f 'f%g' 1 20)

t "faults: up NS joining a lab killed at every step leaves the lab as it was"
# The objects a ledger records, whatever its marks and order.
ledger_objects() {
	grep -v '^begin \|^commit$' /run/nsmon/v-net-0.lab | sort
}

check_cmd "up" "$NSMON" up
before=$(ledger_objects)
n=0
while :; do
	n=$((n + 1))
	got=$(killed $n "$NSMON" up green)
	[ "$got" = done ] && break
	[ "$got" = killed ] || { fail "up green killed at step $n: $got"; break; }
	# The next command on the lab undoes the half-made green first.
	check_cmd "step $n: attach refused, after undoing green" bash -c "! '$NSMON' attach 2>/dev/null"
	check_eq "step $n: namespaces" "$(lab_namespaces | tr '\n' ' ')" "blue red "
	check_eq "step $n: ledger" "$(ledger_objects)" "$before"
	[ "$_t_failed" = 0 ] || break
done
[ $n -ge 10 ] || fail "killed at $((n - 1)) steps only"
check_cmd "ping red -> green" ip netns exec red ping -c 1 -W 2 -q 192.168.15.3
map=$(counters_map_id)
check_cmd "down" "$NSMON" down
check_clean "$map"

