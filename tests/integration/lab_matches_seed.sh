#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `nsmon up` builds exactly what ../shared/lab/seed-lab.sh builds with ip:
# the same links, kinds, masters, peers, flags and addresses in the root
# namespace and in red and blue. Whatever the kernel makes up (ifindexes,
# MAC addresses, the link-local addresses derived from them, counters) is
# left out of the comparison.
. "$(dirname "$0")/../lib.sh"

# One namespace's links and addresses, with the made-up parts removed.
describe() {
	local ns=$1
	ip ${ns:+-n "$ns"} -d -j link | jq -S '[.[] | {
		ifname, flags: (.flags | sort), mtu, operstate, master,
		kind: .linkinfo.info_kind, slave_kind: .linkinfo.info_slave_kind,
		link, netns_peer: (.link_netnsid != null)}] | sort_by(.ifname)'
	ip ${ns:+-n "$ns"} -j addr | jq -S '[.[] | {ifname, addrs: [.addr_info[] |
		select(.scope != "link") | {family, local, prefixlen, broadcast, scope}]}] | sort_by(.ifname)'
}

snapshot() {
	wait_links_up red blue || fail "links did not come up"
	{
		echo "# netns"; lab_namespaces
		echo "# root"; describe ""
		echo "# red"; describe red
		echo "# blue"; describe blue
	}
}

t "lab: the seed script builds its lab"
check_cmd "seed-lab.sh" bash "$SEED_LAB"
# `ip netns exec` has nothing to say about lo; the seed course brings it up by hand.
ip -n red link set lo up
ip -n blue link set lo up
seed=$(snapshot)
ip netns del red
ip netns del blue
ip link del v-net-0
wait_links_gone veth-red-br veth-blue-br || fail "the seed lab's veths outlived their namespaces"

t "lab: nsmon up builds the same"
check_cmd "nsmon up" "$NSMON" up
ours=$(snapshot)
[ "$seed" = "$ours" ] || fail "differs from the seed lab: $(diff <(echo "$seed") <(echo "$ours") | head -20 | tr '\n' ' ')"

t "lab: ip netns exec works on nsmon's namespaces, ping both ways"
check_cmd "red -> blue" ip netns exec red ping -c 2 -i 0.2 -W 2 -q 192.168.15.2
check_cmd "blue -> red" ip netns exec blue ping -c 2 -i 0.2 -W 2 -q 192.168.15.1

t "lab: ip netns identify names nsmon's namespaces"
check_eq "identify" "$(ip netns exec red ip netns identify)" "red"

t "lab: three namespaces get hosts 1, 2, 3 of a custom subnet"
check_cmd "down" "$NSMON" down
check_cmd "up" "$NSMON" up --bridge br-lab --subnet 10.9.0.0/29 ns1 ns2 ns3
for i in 1 2 3; do
	check_eq "ns$i address" "$(ip -n ns$i -j addr show veth-ns$i | jq -r '.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"')" "10.9.0.$i/29"
	check_eq "veth-ns$i-br master" "$(ip -j link show veth-ns$i-br | jq -r '.[0].master')" "br-lab"
done
check_cmd "ns1 -> ns3" ip netns exec ns1 ping -c 1 -W 2 -q 10.9.0.3
check_cmd "down" "$NSMON" down --bridge br-lab
