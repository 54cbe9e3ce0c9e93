#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Counters on the seed lab built by `nsmon up`: pings land in the right
# classes, ARP is counted, and every interface agrees with the kernel's own
# counters (ip -s link) and with what tcpdump sees.
. "$(dirname "$0")/../lib.sh"

t "counters: nsmon up builds the seed lab"
check_cmd "nsmon up" "$NSMON" up
wait_links_up red blue || fail "links did not come up"

t "counters: ping red -> blue counts 5 echo requests and replies on both veths"
check_ping_counted red veth-red blue veth-blue 192.168.15.2

t "counters: ping blue -> red counts them the other way"
check_ping_counted blue veth-blue red veth-red 192.168.15.1

t "counters: ARP is counted where it crosses"
# red asked for blue's address first (a broadcast through the bridge to every
# port), blue answered (unicast back to red).
req=$(nsmon_stat red veth-red tx arp_request)
[ "$req" -ge 1 ] 2>/dev/null || fail "red tx arp_request = '$req', want >= 1"
check_eq "blue rx arp_request = red tx arp_request" \
	"$(nsmon_stat blue veth-blue rx arp_request)" "$req"
check_eq "red rx arp_reply = blue tx arp_reply" "$(nsmon_stat red veth-red rx arp_reply)" \
	"$(nsmon_stat blue veth-blue tx arp_reply)"
check_eq "veth-red-br rx broadcast = red tx broadcast" \
	"$(nsmon_stat host veth-red-br rx broadcast)" "$(nsmon_stat red veth-red tx broadcast)"

t "counters: every interface agrees with ip -s link"
check_counts_match_kernel red blue

# The reproduction of issue 12: a short burst, then 20 quiet moments over
# 10 s, at each of which every count of every end (and the bridge's sums)
# must be the kernel's: none may wait in per-CPU state for a later frame.
t "counters: after a ping burst, every end agrees with the kernel at 20 quiet moments (packets, bytes, skbs)"
ip netns exec red ping -c 7 -i 0.05 -q 192.168.15.2 >/dev/null || fail "ping red -> blue"
sleep 0.5
check_counts_stable_match packets 20 red blue
check_counts_stable_match skbs 1 red blue

t "counters: after ARP, UDP and ping bursts both ways, every end agrees with the kernel at 20 quiet moments"
red_mac=$(ip -n red -j link show veth-red | jq -r '.[0].address' | tr ':' ' ')
# who-has 192.168.15.2 tell 192.168.15.1, broadcast: blue answers it.
ip netns exec red "$SEND_FRAME" veth-red 3 "ff ff ff ff ff ff $red_mac 08 06 00 01 08 00 06 04 00 01 $red_mac c0 a8 0f 01 00 00 00 00 00 00 c0 a8 0f 02" ||
	fail "send ARP requests"
ip -n blue neigh flush all
for i in 1 2 3 4 5; do
	ip netns exec red bash -c 'echo hi >/dev/udp/192.168.15.2/9999' || fail "send UDP"
done
ip netns exec blue ping -c 5 -i 0.05 -q 192.168.15.1 >/dev/null || fail "ping blue -> red"
# Last, an LLDP frame (01:80:c2:00:00:0e): the bridge hands it to the port's
# own stack, a drop it knows only when the next frame enters on that CPU.
ip netns exec red "$SEND_FRAME" veth-red 1 "01 80 c2 00 00 0e $red_mac 88 cc 02 07 04 02 00 00 00 00 01 00 00" ||
	fail "send an LLDP frame"
sleep 0.5
check_counts_stable_match packets 20 red blue
check_counts_stable_match skbs 1 red blue

t "counters: after a TCP transfer (GSO), every end's skbs and bytes agree with the kernel at 20 quiet moments"
ip netns exec blue iperf3 -s -1 -D -p 5201 >/dev/null 2>&1
for i in $(seq 50); do ip netns exec blue ss -ltn | grep -q ':5201 ' && break; sleep 0.1; done
ip netns exec red iperf3 -c 192.168.15.2 -p 5201 -n 4M >/dev/null 2>&1 || fail "iperf3 red -> blue"
sleep 0.5
check_counts_stable_match skbs 20 red blue

t "counters: the bridge and its ports count in fast slots, not in the hash"
check_eq "hash entries" "$(bpftool map dump pinned /sys/fs/bpf/nsmon/counters -j | jq length)" 0
check_eq "slot owners" "$(bpftool map dump pinned /sys/fs/bpf/nsmon/slot_owners -j | jq length)" 3

t "counters: the bridge port sees what tcpdump sees"
tmp=$(mktemp -d)
tcpdump -i veth-red-br -nn --immediate-mode -w "$tmp/veth-red-br.pcap" icmp 2>"$tmp/tcpdump.err" &
dump=$!
# Count from when tcpdump says it listens.
for i in $(seq 50); do grep -q listening "$tmp/tcpdump.err" && break; sleep 0.1; done
rx_req=$(nsmon_stat host veth-red-br rx icmp_echo_request)
tx_rep=$(nsmon_stat host veth-red-br tx icmp_echo_reply)
ip netns exec red ping -c 7 -i 0.2 -q 192.168.15.2 >/dev/null
sleep 0.5
kill -INT $dump
wait $dump
check_eq "tcpdump echo requests" \
	"$(tcpdump -r "$tmp/veth-red-br.pcap" -nn 'icmp[icmptype] == icmp-echo' 2>/dev/null | wc -l)" \
	"$(( $(nsmon_stat host veth-red-br rx icmp_echo_request) - rx_req ))"
check_eq "tcpdump echo replies" \
	"$(tcpdump -r "$tmp/veth-red-br.pcap" -nn 'icmp[icmptype] == icmp-echoreply' 2>/dev/null | wc -l)" \
	"$(( $(nsmon_stat host veth-red-br tx icmp_echo_reply) - tx_rep ))"
rm -rf "$tmp"

t "counters: the JSON carries every documented key"
keys='["packets","bytes","arp_request","arp_reply","icmp_echo_request","icmp_echo_reply","ipv4","ipv6","tcp","udp","icmp","other","broadcast","multicast"]'
missing=$("$NSMON" stats --json | jq -c --argjson k "$keys" '
	[(.namespaces[].interfaces[], .bridges[].ports[], .bridges[].local) | .rx, .tx |
	 $k - keys] | add | unique')
check_eq "missing keys" "$missing" "[]"
check_eq "namespace names" "$("$NSMON" stats --json | jq -c '[.namespaces[].name]')" '["red","blue"]'
check_eq "red's inode" "$("$NSMON" stats --json | jq '.namespaces[0].inode')" \
	"$(stat -L -c %i /run/netns/red)"
check_eq "port peers" "$("$NSMON" stats --json | jq -c '[.bridges[0].ports[] | [.name, .peer_namespace]]')" \
	'[["veth-red-br","red"],["veth-blue-br","blue"]]'
# Each namespace end is counted by its port's hooks (the kernel's veth rx is its peer's tx).
check_eq "counted at" "$("$NSMON" stats --json | jq -c '[.namespaces[].interfaces[] | [.name, .counted_at]]')" \
	'[["veth-red","veth-red-br"],["veth-blue","veth-blue-br"]]'

t "counters: stats -n narrows to one namespace"
check_eq "-n blue" "$("$NSMON" stats --json -n blue | jq -c '[.namespaces[].name]')" '["blue"]'
out=$("$NSMON" stats -n red) || fail "stats -n red failed"
echo "$out" | grep -q "veth-red" || fail "table lacks veth-red: $out"
echo "$out" | grep -q "veth-blue " && fail "table -n red shows veth-blue"

t "counters: stats -n of an unknown namespace is an error that names it"
err=$("$NSMON" stats -n ghost 2>&1 >/dev/null); rc=$?
check_eq "exit code" "$rc" 1
check_eq "error" "$(echo "$err" | grep -c '"ghost"')" 1

t "counters: nsmon down"
check_cmd "nsmon down" "$NSMON" down
