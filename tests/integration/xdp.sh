#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `nsmon up --xdp`: native XDP on the namespace ends counts what they receive,
# beside the tc counts their ports give them, and `down` takes it away.
. "$(dirname "$0")/../lib.sh"

t "xdp: nsmon up --xdp attaches XDP to the namespace ends only"
check_cmd "nsmon up --xdp" "$NSMON" up --xdp
wait_links_up red blue || fail "links did not come up"
check_eq "xdp pins" "$(ls /sys/fs/bpf/nsmon/v-net-0 | grep ':xdp$' | paste -sd' ')" \
	"blue:veth-blue:xdp red:veth-red:xdp"
check_eq "red's XDP program" "$(ip -n red -j link show veth-red | jq -r '.[0].xdp.mode')" 1

t "xdp: XDP and tc agree on what a namespace end received"
# xdp_stat NS KEY: what XDP counted received on veth-NS.
xdp_stat() {
	"$NSMON" stats --json | jq --arg ns "$1" --arg key "$2" \
		'.namespaces[] | select(.name == $ns) | .interfaces[0].xdp.rx[$key]'
}
check_cmd "ping red -> blue" ip netns exec red ping -c 5 -i 0.2 -q 192.168.15.2
check_eq "red xdp rx echo replies" "$(xdp_stat red icmp_echo_reply)" 5
check_eq "blue xdp rx echo requests" "$(xdp_stat blue icmp_echo_request)" \
	"$(nsmon_stat blue veth-blue rx icmp_echo_request)"

t "xdp: nsmon down detaches it"
check_cmd "nsmon down" "$NSMON" down
check_eq "pins left" "$(ls /sys/fs/bpf/nsmon 2>/dev/null | wc -l)" 0
