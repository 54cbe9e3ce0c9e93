#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `nsmon events`: every event type, produced by the real action, found in the
# NDJSON stream with the right fields; latency from action to event; the
# overload accounting; auto-attach of a port added by hand.
# The tracepoints see the whole machine (other tests run in parallel), so
# every check looks for this sandbox's own namespaces, inodes and pids.
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
out=$tmp/events.json
cleanup() {
	[ -n "${events_pid:-}" ] && kill "$events_pid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap 'cleanup; t_end' EXIT

# find JQ_FILTER: the first event matching it (waits up to 5 s for it).
find() {
	local i hit
	for i in $(seq 50); do
		hit=$(jq -c "select($1)" "$out" 2>/dev/null | head -1)
		[ -n "$hit" ] && { echo "$hit"; return 0; }
		sleep 0.1
	done
	return 1
}

# expect WHAT JQ_FILTER: an event matching the filter shows up.
expect() {
	find "$2" >/dev/null || fail "$1: no event matching $2"
}

inode_of() { stat -L -c %i "$1"; }

t "events: the stream starts and reports a named namespace"
check_cmd "up" "$NSMON" up
"$NSMON" events --json >"$out" 2>"$tmp/events.err" &
events_pid=$!
# Ready when it reports what we do.
for i in $(seq 50); do
	ip netns add probe-$i
	ip netns del probe-$i
	grep -q "\"probe-$i\"" "$out" 2>/dev/null && break
	sleep 0.1
done
expect "netns added" '.type == "netns" and .action == "added" and (.name | startswith("probe-"))'

t "events: ip netns add/del, with the namespace's inode"
before=$(date +%s%6N)
ip netns add green
green_inode=$(inode_of /run/netns/green)
ev=$(find ".type == \"netns\" and .action == \"added\" and .name == \"green\"") ||
	fail "no netns added event for green"
check_eq "inode" "$(echo "$ev" | jq .inode)" "$green_inode"
latency_us=$(( $(echo "$ev" | jq .time_us) - before ))
echo "# latency from ip netns add to its event: ${latency_us} us"
[ "$latency_us" -lt 1000000 ] || fail "latency ${latency_us} us"
expect "ns created by ip" ".type == \"ns\" and .action == \"created\" and .ns_type == \"net\" and .inode == $green_inode and .syscall == \"unshare\""
ip netns del green
expect "netns deleted" ".type == \"netns\" and .action == \"deleted\" and .name == \"green\" and .inode == $green_inode"

t "events: unshare -n, -m, -u and -p -f each report their new namespace"
for flag in n:net m:mnt u:uts; do
	unshare -${flag%%:*} sleep 3 &
	pid=$!
	sleep 0.3
	inode=$(inode_of /proc/$pid/ns/${flag#*:})
	expect "unshare -${flag%%:*}" ".type == \"ns\" and .action == \"created\" and .ns_type == \"${flag#*:}\" and .inode == $inode and .pid == $pid and .comm == \"unshare\""
	kill $pid
done
unshare -p -f sleep 3 &
pid=$!
sleep 0.3
inode=$(inode_of /proc/$pid/ns/pid_for_children)
expect "unshare -p -f" ".type == \"ns\" and .action == \"created\" and .ns_type == \"pid\" and .inode == $inode and .pid == $pid"
kill $pid

t "events: clone(CLONE_NEWUTS) reports the child's new namespace"
# perl's syscall() is the one way to a bare clone(2) that every Debian has.
child=$(perl -e 'my $pid = syscall(56, 0x04000000 | 17, 0, 0, 0, 0);
	if ($pid == 0) { sleep 1; exit 0 } print "$pid\n"; waitpid($pid, 0);')
expect "clone" ".type == \"ns\" and .action == \"created\" and .ns_type == \"uts\" and .syscall == \"clone\" and .child_pid == $child and .comm == \"perl\""

t "events: nsenter (setns) reports the namespace entered"
red_inode=$(inode_of /run/netns/red)
nsenter --net=/run/netns/red true
expect "setns" ".type == \"ns\" and .action == \"entered\" and .ns_type == \"net\" and .inode == $red_inode and .comm == \"nsenter\""

t "events: a namespace that is gone is reported, its time approximate"
unshare -u true
sleep 0.3
uts=$(find '.type == "ns" and .action == "created" and .ns_type == "uts" and .comm == "unshare"' | jq .inode)
expect "gone" ".type == \"ns\" and .action == \"gone\" and .inode == $uts and .time_approximate == true"

t "events: links added, moved, enslaved, up, down; an address added"
ip link add vx type veth peer name vy
expect "added" '.type == "link" and .action == "added" and .ifname == "vx" and .kind == "veth" and .netns == null'
ip link set vy netns red
expect "moved" '.type == "link" and .action == "moved" and .ifname == "vy"'
ip link set vx master v-net-0
expect "enslaved" '.type == "link" and .action == "enslaved" and .ifname == "vx" and .master == "v-net-0"'
ip link set vx up
expect "up" '.type == "link" and .action == "up" and .ifname == "vx"'
ip link set vx down
expect "down" '.type == "link" and .action == "down" and .ifname == "vx"'
ip -n red addr add 10.99.0.1/24 dev vy
expect "address" '.type == "addr" and .action == "added" and .netns == "red" and .ifname == "vy" and .address == "10.99.0.1" and .prefixlen == 24'
ip link del vx
expect "deleted" '.type == "link" and .action == "deleted" and .ifname == "vx"'

t "events: the first ping: neighbour INCOMPLETE -> REACHABLE, FDB learns both MACs"
# Forget what link-up traffic (IPv6 DAD, MLD) already taught the bridge and the namespaces.
ip link set v-net-0 type bridge fdb_flush
ip -n red neigh flush all
ip -n blue neigh flush all
red_mac=$(ip -n red -j link show veth-red | jq -r '.[0].address')
blue_mac=$(ip -n blue -j link show veth-blue | jq -r '.[0].address')
check_cmd "ping" ip netns exec red ping -c 1 -W 2 -q 192.168.15.2
expect "INCOMPLETE" '.type == "neigh" and .netns == "red" and .address == "192.168.15.2" and .old_state == "NONE" and .new_state == "INCOMPLETE"'
expect "REACHABLE" ".type == \"neigh\" and .netns == \"red\" and .address == \"192.168.15.2\" and .old_state == \"INCOMPLETE\" and .new_state == \"REACHABLE\" and .lladdr == \"$blue_mac\""
expect "FDB red" ".type == \"fdb\" and .action == \"learned\" and .bridge == \"v-net-0\" and .mac == \"$red_mac\" and .ifname == \"veth-red-br\""
expect "FDB blue" ".type == \"fdb\" and .action == \"learned\" and .bridge == \"v-net-0\" and .mac == \"$blue_mac\" and .ifname == \"veth-blue-br\""

t "events: a dropped packet, with its reason's name"
drop='.type == "drop" and .netns == "blue" and .ifname == "veth-blue" and .reason == "NO_SOCKET"'
# Drops stream at --drop-rate a second per CPU, machine-wide: on a busy machine
# other tests' drops may take a second's share, so send again in the next.
for i in $(seq 30); do
	ip netns exec red bash -c 'echo x > /dev/udp/192.168.15.2/9'
	sleep 0.2
	[ -n "$(jq -c "select($drop)" "$out" 2>/dev/null | head -1)" ] && break
done
expect "drop" "$drop"

t "events: a port added by hand is attached, counted, and released when it goes"
ip netns add green
ip link add veth-green type veth peer name veth-green-br
ip link set veth-green netns green
ip link set veth-green-br master v-net-0
ip -n green addr add 192.168.15.3/24 dev veth-green
ip -n green link set veth-green up
ip link set veth-green-br up
expect "attached" '.type == "attach" and .action == "attached" and .port == "veth-green-br" and .peer == "veth-green" and .peer_netns == "green"'
check_cmd "ping green -> red" ip netns exec green ping -c 3 -i 0.2 -W 2 -q 192.168.15.1
check_eq "green tx echo requests" "$(nsmon_stat green veth-green tx icmp_echo_request)" 3
check_eq "veth-green-br rx echo requests" "$(nsmon_stat host veth-green-br rx icmp_echo_request)" 3
ip link del veth-green-br
expect "released" '.type == "attach" and .action == "released" and .port == "veth-green-br"'
sleep 0.2
check_eq "pins of veth-green-br" "$(ls /sys/fs/bpf/nsmon/v-net-0 | grep -c green)" 0
ip netns del green

t "events: nsmon up NS while events runs: the new port is reported as counted"
check_cmd "up orange" "$NSMON" up orange
expect "counted" '.type == "attach" and .action == "counted" and .port == "veth-orange-br" and .bridge == "v-net-0"'
# A port up made itself is hooked with clsact (README, Attachment modes).
check_eq "filters of veth-orange-br" "$(port_filters veth-orange-br)" "port_ingress port_egress"

t "events: a port released from the bridge loses its programs, keeps its counters, and gets them back"
check_cmd "ping orange -> red" ip netns exec orange ping -c 2 -i 0.2 -W 2 -q 192.168.15.1
before=$(nsmon_stat host veth-orange-br rx icmp_echo_request)
check_eq "echo requests before" "$before" 2
ip link set veth-orange-br nomaster
expect "detached" '.type == "attach" and .action == "detached" and .port == "veth-orange-br" and .bridge == "v-net-0"'
sleep 0.2
check_eq "pins of a released port" "$(ls /sys/fs/bpf/nsmon/v-net-0 | grep -c orange)" 0
check_eq "filters of a released port" "$(port_filters veth-orange-br)" ""
ip link set veth-orange-br master v-net-0
expect "attached again" '.type == "attach" and .action == "attached" and .port == "veth-orange-br" and .peer_netns == "orange"'
check_cmd "ping orange -> red again" ip netns exec orange ping -c 2 -i 0.2 -W 2 -q 192.168.15.1
# The counters kept what they had while the port was away.
check_eq "echo requests after" "$(nsmon_stat host veth-orange-br rx icmp_echo_request)" 4

t "events: a port enslaved and released again before its decision is left alone"
ip link set veth-orange-br nomaster
ip link set veth-orange-br master v-net-0
ip link set veth-orange-br nomaster
sleep 0.6	# past the settling time
check_eq "pins of a port that is not the bridge's" "$(ls /sys/fs/bpf/nsmon/v-net-0 | grep -c orange)" 0
ip link set veth-orange-br master v-net-0
expect "attached once it stays" '.type == "attach" and .action == "attached" and .port == "veth-orange-br" and .peer_netns == "orange"'
sleep 0.3
check_eq "pins once it stays" "$(ls /sys/fs/bpf/nsmon/v-net-0 | grep -c orange)" 2

t "events: the human lines look like ip monitor -ts with a [TYPE] prefix"
line=$(timeout 5 "$NSMON" events --count 1 --type netns 2>/dev/null & sleep 1; ip netns add tline; wait; ip netns del tline)
echo "$line" | grep -Eq '^\[[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\] \[NETNS\] added tline' ||
	fail "line: '$line'"

t "events: --type filters, --count stops"
lines=$( (sleep 1; for i in 1 2 3; do ip netns add tc$i; done) & timeout 10 "$NSMON" events --json --type netns --count 2 2>/dev/null)
check_eq "lines" "$(echo "$lines" | wc -l)" 2
check_eq "types" "$(echo "$lines" | jq -r .type | sort -u)" "netns"
for i in 1 2 3; do ip netns del tc$i; done

t "events: --counters interleaves per-interface deltas"
ip netns exec red ping -i 0.2 -q 192.168.15.2 >/dev/null &
pinger=$!
deltas=$(timeout 10 "$NSMON" events --json --type counters --counters --interval 1 --count 4 2>/dev/null)
kill $pinger
red=$(echo "$deltas" | jq -c 'select(.netns == "red" and .ifname == "veth-red")' | tail -1)
[ -n "$red" ] || fail "no delta for red's veth-red in: $deltas"
[ "$(echo "$red" | jq '.tx.icmp_echo_request')" -ge 3 ] 2>/dev/null ||
	fail "red's veth-red sent no echo requests in a second: $red"

t "events: a bad --type is a usage error naming it"
err=$("$NSMON" events --type netns,bogus 2>&1 >/dev/null); rc=$?
check_eq "exit code" "$rc" 2
check_eq "error" "$(echo "$err" | grep -c '"bogus"')" 1

t "events: overload loses events, counts them exactly, and blocks nothing"
# A 4 KiB ring drained once a second, every drop streamed: a flood must overflow it.
"$NSMON" events --json --type drop,lost --drop-rate 0 --ring-kb 4 --consume-ms 1000 --timeout 4 \
	>"$tmp/flood.json" 2>"$tmp/flood.err" &
flood=$!
sleep 1.5
ip netns exec red bash -c 'for i in $(seq 3000); do echo x > /dev/udp/192.168.15.2/9; done'
wait $flood
rc=$?
check_eq "exit code" "$rc" 0
summary=$(grep '^events:' "$tmp/flood.err")
read -r submitted delivered lost < <(echo "$summary" | sed -E 's/.*submitted ([0-9]+), delivered ([0-9]+), lost ([0-9]+).*/\1 \2 \3/')
[ "${lost:-0}" -gt 0 ] || fail "nothing lost: $summary"
check_eq "submitted = delivered + lost" "$submitted" "$((delivered + lost))"
[ "$(jq -c 'select(.type == "drop")' "$tmp/flood.json" | wc -l)" -le "$delivered" ] ||
	fail "printed more drops than delivered"
lost_events=$(jq -c 'select(.type == "lost" and .source == "drop")' "$tmp/flood.json" | wc -l)
[ "$lost_events" -ge 1 ] || fail "no lost event for the drop source"
echo "# overload: $summary"

t "events: --drop-rate streams at most that many drops a second per CPU, and counts the rest"
"$NSMON" events --json --type drop --drop-rate 20 --timeout 4 >"$tmp/rate.json" 2>"$tmp/rate.err" &
limited=$!
sleep 1.5
ip netns exec red bash -c 'for i in $(seq 1000); do echo x > /dev/udp/192.168.15.2/9; done'
wait $limited
summary=$(grep '^events:' "$tmp/rate.err")
read -r submitted suppressed < <(echo "$summary" | sed -E 's/.*submitted ([0-9]+),.* suppressed ([0-9]+).*/\1 \2/')
# Drops anywhere count against the rate (tests running beside this one drop
# packets too): at most 20 per CPU in each of the (at most 4) windows of the run.
streamed=$(jq -c 'select(.type == "drop")' "$tmp/rate.json" | wc -l)
[ "$streamed" -ge 1 ] && [ "$streamed" -le $((20 * $(nproc) * 4)) ] ||
	fail "streamed $streamed drops at --drop-rate 20: $summary"
[ "${suppressed:-0}" -gt 0 ] || fail "nothing held back: $summary"
[ $((submitted + suppressed)) -ge 1000 ] || fail "submitted + suppressed < 1000 drops: $summary"

t "events: down"
kill $events_pid
wait $events_pid 2>/dev/null
events_pid=
check_cmd "down" "$NSMON" down
