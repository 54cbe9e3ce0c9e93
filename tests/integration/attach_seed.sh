#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `nsmon attach` on a lab built by hand with ../shared/lab/seed-lab.sh counts
# what `nsmon up` counts, and `nsmon detach` removes only what it attached.
. "$(dirname "$0")/../lib.sh"


t "attach: the seed script builds its lab"
check_cmd "seed-lab.sh" bash "$SEED_LAB"
wait_links_up red blue || fail "links did not come up"

t "attach: nsmon attach finds the bridge's ports, peers and namespaces"
check_cmd "attach" "$NSMON" attach
check_eq "namespaces" "$("$NSMON" stats --json | jq -c '[.namespaces[] | [.name, [.interfaces[].name]]]')" \
	'[["red",["veth-red"]],["blue",["veth-blue"]]]'
check_eq "ports" "$("$NSMON" stats --json | jq -c '[.bridges[] | .name, [.ports[] | [.name, .peer_namespace]]]')" \
	'["v-net-0",[["veth-red-br","red"],["veth-blue-br","blue"]]]'
# tc on the bridge and its ports, both directions; the namespace ends are counted at their ports.
check_eq "pinned links" "$(ls /sys/fs/bpf/nsmon/v-net-0 | paste -sd' ')" \
	"host:v-net-0:tcx_egress host:v-net-0:tcx_ingress host:veth-blue-br:tcx_egress host:veth-blue-br:tcx_ingress host:veth-red-br:tcx_egress host:veth-red-br:tcx_ingress"

t "attach: pings are counted as on a lab nsmon built"
check_ping_counted red veth-red blue veth-blue 192.168.15.2
check_ping_counted blue veth-blue red veth-red 192.168.15.1

t "attach: a second attach is refused"
"$NSMON" attach 2>/dev/null; rc=$?
check_eq "exit code" "$rc" 4

t "attach: detach removes the programs and keeps the lab"
map=$(counters_map_id)
check_cmd "detach" "$NSMON" detach
check_map_released "$map"
check_eq "pins" "$(ls /sys/fs/bpf/nsmon 2>/dev/null | grep -v '^counters$')" ""
check_eq "state files" "$(ls /run/nsmon 2>/dev/null)" ""
check_eq "namespaces" "$(lab_namespaces | tr '\n' ' ')" "blue red "
check_eq "bridge ports" "$(ip -j link show master v-net-0 | jq -r '[.[].ifname] | sort | join(" ")')" \
	"veth-blue-br veth-red-br"
check_cmd "ping after detach" ip netns exec red ping -c 1 -W 2 -q 192.168.15.2

t "attach: detach in clsact mode leaves a clsact qdisc that was there before"
tc qdisc add dev veth-red-br clsact
check_cmd "attach clsact" "$NSMON" attach --tc-mode clsact
check_eq "filters on veth-red-br ingress" "$(tc -j filter show dev veth-red-br ingress | jq '[.[] | select(.options.bpf_name != null)] | length')" 1
check_ping_counted red veth-red blue veth-blue 192.168.15.2
check_cmd "detach" "$NSMON" detach
check_eq "veth-red-br clsact kept" "$(tc -j qdisc show dev veth-red-br | jq -r '[.[] | select(.kind == "clsact")] | length')" 1
check_eq "veth-red-br filters" "$(tc -j filter show dev veth-red-br ingress | jq length)" 0
check_eq "veth-blue-br clsact removed" "$(tc -j qdisc show dev veth-blue-br | jq -r '[.[] | select(.kind == "clsact")] | length')" 0
check_eq "red clsact removed" "$(tc -n red -j qdisc show dev veth-red | jq -r '[.[] | select(.kind == "clsact")] | length')" 0
