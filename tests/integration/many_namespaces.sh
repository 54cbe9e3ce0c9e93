#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 250 namespaces on one bridge: built, counted, and removed.
. "$(dirname "$0")/../lib.sh"

names=$(seq -f "n%g" 250)

t "many: up builds 250 namespaces on one bridge"
check_cmd "up" "$NSMON" up --subnet 10.20.0.0/23 $names
check_eq "namespaces" "$(lab_namespaces | wc -l)" 250
check_eq "bridge ports" "$(ip -j link show master v-net-0 | jq length)" 250
check_eq "n250 address" "$(ip -n n250 -j addr show veth-n250 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" 10.20.0.250

t "many: the first and the last namespace talk, and it is counted"
check_ping_counted n1 veth-n1 n250 veth-n250 10.20.0.250

t "many: the matrix counts pairs within the first 64 fast slots (an array) and past them (the hash) alike"
check_cmd "ping n1 -> n2" ip netns exec n1 ping -c 5 -i 0.2 -q 10.20.0.2
# forwarded: frames of a pair the bridge knew both ends of: at least the 5 echoes each way.
pair() {
	"$NSMON" stats --json --matrix | jq --arg f "$1" --arg t "$2" \
		'.bridges[0].matrix[] | select(.from == $f and .to == $t) | .forwarded'
}
for p in "veth-n1-br veth-n2-br" "veth-n2-br veth-n1-br" "veth-n1-br veth-n250-br" "veth-n250-br veth-n1-br"; do
	got=$(pair $p)
	[ "${got:-0}" -ge 5 ] || fail "forwarded $p = '$got', want >= 5"
done
check_eq "matrix without --matrix" "$("$NSMON" stats --json | jq -c '.bridges[0].matrix')" null
"$NSMON" stats | grep -q '^v-net-0: the forwarding matrix of its 251 places is left out' ||
	fail "the table does not say the matrix of 251 places is left out"
"$NSMON" stats --matrix | grep -qE '^veth-n1-br +veth-n2-br +[0-9]+ +[0-9]+ +[0-9]+$' ||
	fail "the table with --matrix has no line for veth-n1-br -> veth-n2-br"
check_eq "hash entries of n1 -> n2" "$(bpftool map dump pinned /sys/fs/bpf/nsmon/bridge_flows -j |
	jq --argjson f "$(ip -j link show veth-n1-br | jq '.[0].ifindex')" \
	   --argjson t "$(ip -j link show veth-n2-br | jq '.[0].ifindex')" \
	   '[.[] | (.formatted.key // .key) | select(.from == $f and .to == $t)] | length')" 0

t "many: stats lists every namespace"
check_eq "namespaces in stats" "$("$NSMON" stats --json | jq '.namespaces | length')" 250
check_eq "ports in stats" "$("$NSMON" stats --json | jq '.bridges[0].ports | length')" 250

t "many: down removes all of it"
check_cmd "down" "$NSMON" down
check_nothing_left
