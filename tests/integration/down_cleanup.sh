#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `nsmon down` removes exactly what `nsmon up` made, from any state.
. "$(dirname "$0")/../lib.sh"

for mode in tcx clsact; do
	t "down ($mode): leaves no namespace, link, filter, pin or state file"
	check_cmd "up" "$NSMON" up --tc-mode "$mode"
	map=$(counters_map_id)
	[ -n "$map" ] || fail "no counters map pinned after up"
	check_cmd "down" "$NSMON" down
	check_nothing_left
	[ -n "$map" ] && check_map_released "$map"
done

t "down: with nothing up, succeeds and says so"
out=$("$NSMON" down 2>&1); rc=$?
check_eq "exit code" "$rc" 0
[ -n "$out" ] || fail "down said nothing"
check_nothing_left

t "down: up twice is an error, and the first lab stands"
check_cmd "up" "$NSMON" up
err=$("$NSMON" up 2>&1 >/dev/null); rc=$?
check_eq "exit code" "$rc" 4
check_eq "error lines" "$(echo "$err" | wc -l)" 1
echo "$err" | grep -q "v-net-0" || fail "error does not name the bridge: $err"
check_eq "namespaces" "$(lab_namespaces | tr '\n' ' ')" "blue red "
check_cmd "ping" ip netns exec red ping -c 1 -W 2 -q 192.168.15.2

t "down: a half-deleted lab (ip netns del blue by hand) still comes down"
ip netns del blue
check_cmd "down" "$NSMON" down
check_nothing_left

t "down: removes only its own bridge's lab"
check_cmd "up a" "$NSMON" up --bridge br-a --subnet 10.1.0.0/24 a1 a2
check_cmd "up b" "$NSMON" up --bridge br-b --subnet 10.2.0.0/24 b1 b2
check_cmd "down a" "$NSMON" down --bridge br-a
check_eq "namespaces" "$(lab_namespaces | tr '\n' ' ')" "b1 b2 "
check_eq "bridges" "$(ip -j -d link | jq -r '[.[] | select(.linkinfo.info_kind == "bridge") | .ifname] | join(" ")')" "br-b"
check_cmd "b still counts" ip netns exec b1 ping -c 1 -W 2 -q 10.2.0.2
check_eq "b1 echo requests" "$(nsmon_stat b1 veth-b1 tx icmp_echo_request)" 1
check_cmd "down b" "$NSMON" down --bridge br-b
check_nothing_left

t "down: keeps a namespace that someone else made under the same name later"
check_cmd "up" "$NSMON" up
ip netns del red
ip netns add red
check_cmd "down" "$NSMON" down
check_eq "namespaces" "$(lab_namespaces | tr '\n' ' ')" "red "
ip netns del red
check_nothing_left
