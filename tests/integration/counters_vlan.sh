#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tagged frames on the seed lab: an 802.1Q or QinQ frame counts at its wire
# length, as tcpdump shows it and `ip -s link` counts it on the sending veth,
# though the kernel takes its outer tag into the skb before tc ingress; and
# a frame the kernel counted but dropped before the port's hook (a tag cut
# short) shows up as the README's rule says: in `kernel`, as `unseen`.
. "$(dirname "$0")/../lib.sh"

t "counters_vlan: nsmon up, IPv6 off in the lab (so that only the test's frames move)"
check_cmd "nsmon up" "$NSMON" up
wait_links_up red blue || fail "links did not come up"
for ns in red blue; do
	ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
for dev in v-net-0 veth-red-br veth-blue-br; do
	sysctl -qw net.ipv6.conf.$dev.disable_ipv6=1
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; t_end' EXIT
red_mac=$(ip -n red -j link show veth-red | jq -r '.[0].address' | tr ':' ' ')
UDP4="08 00 45 00 00 1c 12 34 40 00 40 11 00 00 c0 a8 0f 01 c0 a8 0f ff 30 39 00 35 00 08 00 00"
DOT1Q="ff ff ff ff ff ff $red_mac 81 00 00 64 $UDP4"			# 46 bytes
QINQ="ff ff ff ff ff ff $red_mac 88 a8 00 c8 81 00 00 64 $UDP4"		# 50 bytes
CUT_TAG="ff ff ff ff ff ff $red_mac 81 00 00"				# 15 bytes

# stat NS IFNAME DIR KEY from the document in $doc
stat() {
	echo "$doc" | jq -r --arg ns "$1" --arg ifn "$2" --arg dir "$3" --arg key "$4" '
		if $ns == "host" then (.bridges[] | .ports[] | select(.name == $ifn))
		else (.namespaces[] | select(.name == $ns) | .interfaces[] | select(.name == $ifn)) end |
		.[$dir][$key]'
}

# kstat NS IFNAME DIR KEY: the kernel's own counter (ip -s link's stats64)
kstat() {
	ip ${1:+-n $1} -s -s -j link show "$2" | jq -r --arg dir "$3" --arg key "$4" '.[0].stats64[$dir][$key]'
}

# capture NS IFNAME in|out FILE: tcpdump of what IFNAME (in NS, "" for ours)
# received or sent, into FILE until stop_captures. One direction only: the
# kernel's own multicast (an IGMP report of the bridge, flooded to every port)
# may cross a port at any moment, and is no frame of the test's.
captures=()
capture() {
	local err=$4.err i
	if [ -n "$1" ]; then
		ip netns exec "$1" tcpdump -i "$2" -Q "$3" -nn -e --immediate-mode -w "$4" 2>"$err" &
	else
		tcpdump -i "$2" -Q "$3" -nn -e --immediate-mode -w "$4" 2>"$err" &
	fi
	captures+=($!)
	for i in $(seq 50); do grep -q listening "$err" && return; sleep 0.1; done
}

stop_captures() {
	sleep 0.3
	kill -INT "${captures[@]}" 2>/dev/null
	wait "${captures[@]}" 2>/dev/null
	captures=()
}

# pcap_bytes FILE: the frames' lengths in a capture, added up (what tcpdump shows)
pcap_bytes() {
	tcpdump -r "$1" -nn -e 2>/dev/null | sed -n 's/.*, length \([0-9]*\):.*/\1/p' | head -n 1000 |
		awk '{ s += $1 } END { print s + 0 }'
}

t "counters_vlan: 802.1Q and QinQ frames from red count at their wire length, as tcpdump and ip -s link"
capture red veth-red out "$tmp/red.pcap"
capture blue veth-blue in "$tmp/blue.pcap"
doc=$("$NSMON" stats --json)
tx0=$(stat red veth-red tx bytes) rx0=$(stat blue veth-blue rx bytes)
vlan0=$(stat red veth-red tx vlan) ktx0=$(kstat red veth-red tx bytes)
ip netns exec red "$SEND_FRAME" veth-red 3 "$DOT1Q" || fail "send 802.1Q frames"
ip netns exec red "$SEND_FRAME" veth-red 2 "$QINQ" || fail "send QinQ frames"
stop_captures
doc=$("$NSMON" stats --json)
check_eq "tcpdump in red: frames" "$(tcpdump -r "$tmp/red.pcap" -nn 2>/dev/null | wc -l)" 5
check_eq "tcpdump in red: bytes" "$(pcap_bytes "$tmp/red.pcap")" $((3 * 46 + 2 * 50))
check_eq "veth-red tx bytes = tcpdump in red" "$(($(stat red veth-red tx bytes) - tx0))" \
	"$(pcap_bytes "$tmp/red.pcap")"
check_eq "veth-red tx bytes = ip -s link of veth-red" "$(($(stat red veth-red tx bytes) - tx0))" \
	"$(($(kstat red veth-red tx bytes) - ktx0))"
check_eq "veth-red tx vlan" "$(($(stat red veth-red tx vlan) - vlan0))" 5
check_eq "veth-blue rx bytes = tcpdump in blue" "$(($(stat blue veth-blue rx bytes) - rx0))" \
	"$(pcap_bytes "$tmp/blue.pcap")"
check_eq "veth-red-br rx bytes = veth-red tx bytes" "$(stat host veth-red-br rx bytes)" \
	"$(stat red veth-red tx bytes)"

t "counters_vlan: a 15-byte frame whose tag is cut short is the kernel's, unseen by the hooks, as ip -s -s link says"
capture red veth-red out "$tmp/cut.pcap"
doc=$("$NSMON" stats --json)
skbs0=$(stat red veth-red tx skbs) brskbs0=$(stat host veth-red-br rx skbs)
unseen0=$(echo "$doc" | jq '.namespaces[0].interfaces[0].kernel.tx.unseen')
kpk0=$(kstat red veth-red tx packets) kbr0=$(kstat "" veth-red-br rx packets)
kdrop0=$(kstat "" veth-red-br rx dropped)
ip netns exec red "$SEND_FRAME" veth-red 2 "$CUT_TAG" || fail "send cut frames"
stop_captures
doc=$("$NSMON" stats --json)
check_eq "tcpdump in red: cut frames" "$(tcpdump -r "$tmp/cut.pcap" -nn 2>/dev/null | wc -l)" 2
check_eq "ip -s -s link: veth-red tx packets" "$(($(kstat red veth-red tx packets) - kpk0))" 2
check_eq "ip -s -s link: veth-red-br rx packets" "$(($(kstat "" veth-red-br rx packets) - kbr0))" 2
check_eq "ip -s -s link: veth-red-br rx dropped" "$(($(kstat "" veth-red-br rx dropped) - kdrop0))" 0
check_eq "nsmon veth-red tx skbs (no hook saw them)" "$(($(stat red veth-red tx skbs) - skbs0))" 0
check_eq "nsmon veth-red-br rx skbs" "$(($(stat host veth-red-br rx skbs) - brskbs0))" 0
check_eq "veth-red kernel.tx.unseen" \
	"$(($(echo "$doc" | jq '.namespaces[0].interfaces[0].kernel.tx.unseen') - unseen0))" 2
check_eq "veth-red kernel.tx.packets = ip -s -s link" \
	"$(echo "$doc" | jq '.namespaces[0].interfaces[0].kernel.tx.packets')" "$(kstat red veth-red tx packets)"
check_eq "veth-red-br kernel.rx = ip -s -s link" \
	"$(echo "$doc" | jq -c '.bridges[0].ports[] | select(.name == "veth-red-br") | .kernel.rx | [.packets, .bytes, .dropped]')" \
	"$(ip -s -s -j link show veth-red-br | jq -c '.[0].stats64.rx | [.packets, .bytes, .dropped]')"
check_eq "veth-red-br kernel.rx.unseen" \
	"$(echo "$doc" | jq '.bridges[0].ports[] | select(.name == "veth-red-br") | .kernel.rx.unseen')" \
	"$(( $(kstat "" veth-red-br rx packets) - $(stat host veth-red-br rx skbs) ))"
# The table shows the same, in the width it has.
table=$("$NSMON" stats)
echo "$table" | grep -Eq "^red +veth-red +tx +$(kstat red veth-red tx packets) +$(stat red veth-red tx skbs) +2 +0$" ||
	fail "table lacks veth-red's unseen row: $(echo "$table" | grep -A4 '^kernel')"
widest=$(echo "$table" | awk '{ if (length > w) w = length } END { print w }')
header=$(echo "$table" | head -1 | awk '{ print length }')
[ "$widest" -le "$header" ] || fail "the table grew wider: $widest > $header columns"

t "counters_vlan: nsmon down"
check_cmd "nsmon down" "$NSMON" down
