#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kill -9 at every step: `nsmon up` (2 and 20 namespaces) and `nsmon down`
# killed after their Nth ledger step (NSMON_TEST_KILL_AT=N: user/util/fault.h,
# the process raises SIGKILL there), for every N until the command gets
# through. After each kill, `down` (or the next `up`, which first undoes what
# the killed one made) must leave nothing: no namespace, link, pin, program
# (the counters map they use is released) or ledger; and `up` works again.
. "$(dirname "$0")/../lib.sh"

# killed N CMD...: run CMD with a kill at step N; echo "killed", "done" or "failed RC".
killed() {
	local n=$1 rc
	shift
	NSMON_TEST_KILL_AT=$n "$@" >/dev/null 2>&1
	rc=$?
	case $rc in
	137) echo killed ;;
	0) echo done ;;
	*) echo "failed $rc" ;;
	esac
}

# check_clean MAP: nothing left, and the counters map MAP (if any) released.
check_clean() {
	check_nothing_left
	[ -n "$1" ] && check_map_released "$1"
}

# kill_up_everywhere LABEL RECOVER ARGS...: for N = 1, 2, ... kill `up ARGS` at
# step N, then recover with RECOVER ("down", or "up" then "down"), until
# an `up` is not killed. Fails unless it was killed at 10 steps at least.
kill_up_everywhere() {
	local label=$1 recover=$2 n=0 got map kills=0
	shift 2
	while :; do
		n=$((n + 1))
		got=$(killed $n "$NSMON" up "$@")
		map=$(counters_map_id)
		[ "$got" = done ] && break
		if [ "$got" != killed ]; then
			fail "$label: up killed at step $n: $got"
			break
		fi
		kills=$((kills + 1))
		if [ "$recover" = up ]; then
			out=$("$NSMON" up "$@" 2>&1) || fail "$label: step $n: up after the kill failed: $out"
		fi
		out=$("$NSMON" down 2>&1) || fail "$label: step $n: down failed: $out"
		check_clean "$map"
		[ "$_t_failed" = 0 ] || { echo "# after a kill at step $n" >&2; break; }
	done
	[ "$kills" -ge 10 ] || fail "$label: killed at $kills steps only (is NSMON_TEST_KILL_AT read?)"
	# The last round got through: a whole lab, which down removes.
	check_cmd "$label: down after the uninterrupted up" "$NSMON" down
	check_clean "$map"
}

t "faults: up of 2 namespaces killed at every step, then down, leaves nothing"
kill_up_everywhere "2 namespaces" down

t "faults: up of 2 namespaces killed at every step; the next up undoes it and succeeds"
kill_up_everywhere "2 namespaces, up again" up

t "faults: up --tc-mode tcx killed at every step, then down, leaves nothing"
kill_up_everywhere "tcx" down --tc-mode tcx

t "faults: up of 20 namespaces killed at every step, then down, leaves nothing"
kill_up_everywhere "20 namespaces" down --subnet 10.20.0.0/24 $(seq -f 'f%g' 1 20)

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

# kill_down_everywhere ARGS...: up ARGS, then kill down at step N, then down
# again, for N = 1, 2, ... until down is not killed.
kill_down_everywhere() {
	local n=0 got map kills=0
	while :; do
		n=$((n + 1))
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
kill_down_everywhere

t "faults: down of 20 namespaces killed at every step, then down again, leaves nothing"
kill_down_everywhere --subnet 10.20.0.0/24 $(seq -f 'f%g' 1 20)

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
