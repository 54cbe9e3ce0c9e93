#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Auto-attach of a namespace joined to the lab by hand, with the seed
# script's own commands, while `nsmon events` runs: its first ARP request
# and echo request are counted, or (when the machine was too slow for the
# attach to come first) what passed before is the attach event's baseline,
# so that nothing goes missing unsaid. The time from the RTM_NEWLINK that
# names the bridge to the attach is printed, not asserted. Then the bridge
# is deleted under the stream: the ports it releases are no error.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../events_lib.sh"

tmp=$(mktemp -d)
cleanup() {
	[ -n "${events_pid:-}" ] && kill "$events_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap 'cleanup; t_end' EXIT
out=$tmp/events.json

# kernel_stat IFNAME DIR: the kernel's packets of IFNAME (our namespace) in DIR.
kernel_stat() {
	ip -s -j link show "$1" | jq ".[0].stats64.$2.packets"
}

# start_events [text]: the stream (NDJSON, or human lines), ready when it says so.
start_events() {
	local json=--json
	[ "${1:-}" = text ] && json=
	"$NSMON" events --type link,attach $json >"$out" 2>"$tmp/events.err" &
	events_pid=$!
	for i in $(seq 200); do
		ip link set veth-red-br down; ip link set veth-red-br up
		grep -Eq 'veth-red-br(",.*"action":"| )up' "$out" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

t "auto-attach: a namespace joined by hand has its first ARP and echo request counted"
check_cmd "up" "$NSMON" up
start_events || fail "the stream never started"
# The seed script's steps for one more namespace, then at once its first ping.
ip netns add green
join_by_hand green 192.168.15.3
check_cmd "first ping green -> red" ip netns exec green ping -c 1 -W 5 -q 192.168.15.1
enslaved=$(find '.type == "link" and .ifname == "veth-green-br" and .action == "enslaved"') ||
	fail "no enslaved event"
attached=$(find '.type == "attach" and .action == "attached" and .port == "veth-green-br"') ||
	fail "no attach event"
echo "# from the RTM_NEWLINK naming v-net-0 to the attach: $(( $(echo "$attached" | jq .time_us) - $(echo "$enslaved" | jq .time_us) )) us"
before=$(echo "$attached" | jq '.before_monitoring.rx.packets + .before_monitoring.tx.packets')
echo "# before monitoring: $before packets"
if [ "$before" = 0 ]; then
	# Attached before the port passed a frame: everything is nsmon's to count.
	check_eq "green's ARP requests" "$(nsmon_stat green veth-green tx arp_request)" 1
	check_eq "green's echo requests" "$(nsmon_stat green veth-green tx icmp_echo_request)" 1
	check_eq "red's echo requests in" "$(nsmon_stat red veth-red rx icmp_echo_request)" 1
else
	# The machine was slower than the port: what passed before is the
	# baseline, and baseline + counted is what the kernel counted.
	for i in $(seq 20); do
		k1=$(kernel_stat veth-green-br rx)
		ours=$(nsmon_stat host veth-green-br rx packets)
		k2=$(kernel_stat veth-green-br rx)
		[ "$k1" = "$k2" ] && break
		sleep 0.3
	done
	base_rx=$(echo "$attached" | jq .before_monitoring.rx.packets)
	[ $((ours + base_rx)) -ge "$k1" ] ||
		fail "frames missing: kernel $k1, counted $ours, before monitoring $base_rx"
fi
# The baseline is the kernel's own count at the attach: never more than it has now.
[ "$(echo "$attached" | jq .before_monitoring.rx.packets)" -le "$(kernel_stat veth-green-br rx)" ] ||
	fail "baseline above the kernel's count"

t "auto-attach: the attach event says what passed before monitoring"
# A port that carried frames before it joined: its counters are the baseline.
ip link add veth-pink type veth peer name veth-pink-br
ip link set veth-pink up
ip link set veth-pink-br up
ip addr add 10.55.0.1/24 dev veth-pink
for i in $(seq 200); do
	[ "$(kernel_stat veth-pink-br rx)" -ge 3 ] && break	# IPv6 DAD, MLD, RS
	ping -c 1 -W 1 -q 10.55.0.2 >/dev/null 2>&1
done
ip link set veth-pink-br master v-net-0
attached=$(find '.type == "attach" and .action == "attached" and .port == "veth-pink-br"') ||
	fail "no attach event for veth-pink-br"
base=$(echo "$attached" | jq .before_monitoring.rx.packets)
[ "${base:-0}" -ge 3 ] || fail "baseline $base, the port had received $(kernel_stat veth-pink-br rx)"
# The human line says so too (one auto-attaching stream at a time).
ip link set veth-pink-br nomaster
find '.type == "attach" and .action == "detached" and .port == "veth-pink-br"' >/dev/null ||
	fail "no detached event for veth-pink-br"
kill "$events_pid"
wait "$events_pid" 2>/dev/null
start_events text || fail "the human stream never started"
ip link set veth-pink-br master v-net-0
for i in $(seq 200); do
	grep -q "attached port veth-pink-br" "$out" && break
	sleep 0.1
done
grep -q "attached port veth-pink-br .*(before monitoring: [0-9]* packets)$" "$out" ||
	fail "human line: $(grep ATTACH "$out")"
ip link del veth-pink
kill "$events_pid"
wait "$events_pid" 2>/dev/null
start_events || fail "the stream never started again"

t "auto-attach: a bridge deleted under the stream releases its ports without an error"
ip link del v-net-0
find '.type == "link" and .ifname == "v-net-0" and .action == "deleted"' >/dev/null ||
	fail "no deleted event for the bridge"
find '.type == "link" and .ifname == "veth-green-br" and .action == "released"' >/dev/null ||
	fail "no released event for its port"
sleep 1
check_eq "error lines" "$(grep -v '^events:' "$tmp/events.err")" ""
check_cmd "down" "$NSMON" down
check_cmd "up again" "$NSMON" up
check_cmd "down under the stream" "$NSMON" down
find '.type == "link" and .ifname == "v-net-0" and .action == "deleted"' >/dev/null
sleep 1
check_eq "error lines after down" "$(grep -v '^events:' "$tmp/events.err")" ""
kill "$events_pid"
wait "$events_pid" 2>/dev/null
events_pid=
ip link del veth-green-br 2>/dev/null	# made by hand: not down's to remove
ip netns del green 2>/dev/null
check_nothing_left
