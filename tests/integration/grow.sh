#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `nsmon up NS` on a lab nsmon built adds NS to it, numbered after the others,
# in the lab's subnet; a failure rolls back only what that run added.
. "$(dirname "$0")/../lib.sh"

t "grow: up green joins the running lab as host 3"
check_cmd "up" "$NSMON" up
check_cmd "up green" "$NSMON" up green
check_eq "green's address" "$(ip -n green -j addr show veth-green | jq -r '.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"')" \
	"192.168.15.3/24"
check_eq "veth-green-br master" "$(ip -j link show veth-green-br | jq -r '.[0].master')" "v-net-0"
check_ping_counted green veth-green red veth-red 192.168.15.1

t "grow: a name that is taken, or another subnet, is refused"
"$NSMON" up green 2>/dev/null; check_eq "green again" "$?" 4
err=$("$NSMON" up --subnet 10.0.0.0/24 yellow 2>&1); rc=$?
check_eq "other subnet" "$rc" 2
echo "$err" | grep -q "192.168.15.0/24" || fail "error does not name the lab's subnet: $err"
check_eq "no yellow" "$(lab_namespaces | grep -c yellow)" 0

t "grow: a failure half-way rolls back only what this run added"
ip link add veth-pink-br type bridge	# collides with pink's bridge-side veth
"$NSMON" up orange pink 2>/dev/null; check_eq "exit code" "$?" 4
check_eq "namespaces" "$(lab_namespaces | tr '\n' ' ')" "blue green red "
check_eq "orange's port" "$(ip link show veth-orange-br 2>/dev/null | wc -l)" 0
ip link del veth-pink-br
check_cmd "lab still works" ip netns exec red ping -c 1 -W 2 -q 192.168.15.2

t "grow: down removes the grown lab whole"
check_cmd "down" "$NSMON" down
check_nothing_left
