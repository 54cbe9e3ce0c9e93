#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `nsmon events`: every event type, produced by the real action, found in the
# NDJSON stream with the right fields; latency from action to event; the
# overload accounting; auto-attach of a port added by hand.
# Two streams run: one of the whole machine (--all: namespace lifecycle,
# links outside the lab), one of the lab (the default scope: neighbours, FDB,
# drops, auto-attach). The tracepoints see the whole machine (other tests run
# in parallel), so every check looks for this sandbox's own namespaces,
# inodes and pids. Every wait polls with a deadline of seconds: a busy
# machine makes the test slower, not wrong.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../events_lib.sh"

tmp=$(mktemp -d)
out=$tmp/all.json	# --all
lab=$tmp/lab.json	# the default scope
cleanup() {
	[ -n "${all_pid:-}" ] && kill "$all_pid" 2>/dev/null
	[ -n "${lab_pid:-}" ] && kill "$lab_pid" 2>/dev/null
	[ -n "${sleeper:-}" ] && kill "$sleeper" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap 'cleanup; t_end' EXIT

inode_of() { stat -L -c %i "$1"; }

# ns_of PID TYPE: the inode of PID's namespace of TYPE once it is not ours
# any more (the child has made its own), waiting up to 20 s.
ns_of() {
	local i ours inode
	ours=$(inode_of /proc/self/ns/$2)
	for i in $(seq 200); do
		inode=$(inode_of /proc/$1/ns/$2 2>/dev/null)
		[ -n "$inode" ] && [ "$inode" != "$ours" ] && { echo "$inode"; return 0; }
		sleep 0.1
	done
	return 1
}

t "events: the stream starts and reports a named namespace"
check_cmd "up" "$NSMON" up
"$NSMON" events --all --no-attach --json >"$out" 2>"$tmp/all.err" &
all_pid=$!
"$NSMON" events --json >"$lab" 2>"$tmp/lab.err" &
lab_pid=$!
# Ready when it reports what we do.
for i in $(seq 200); do
	ip netns add probe-$i
	ip netns del probe-$i
	grep -q "\"probe-$i\"" "$out" 2>/dev/null && break
	sleep 0.1
done
expect "netns added" '.type == "netns" and .action == "added" and (.name | startswith("probe-"))'
# The lab's stream is ready when it reports the lab's own changes.
for i in $(seq 200); do
	ip link set veth-red-br down; ip link set veth-red-br up
	grep -q '"ifname":"veth-red-br","ifindex":[0-9]*,"action":"up"' "$lab" 2>/dev/null && break
	sleep 0.1
done
expect "lab stream" '.type == "link" and .ifname == "veth-red-br" and .action == "up"' "$lab"

t "events: ip netns add/del, with the namespace's inode"
before=$(date +%s%6N)
ip netns add green
green_inode=$(inode_of /run/netns/green)
ev=$(find ".type == \"netns\" and .action == \"added\" and .name == \"green\"") ||
	fail "no netns added event for green"
check_eq "inode" "$(echo "$ev" | jq .inode)" "$green_inode"
echo "# latency from ip netns add to its event: $(( $(echo "$ev" | jq .time_us) - before )) us"
expect "ns created by ip" ".type == \"ns\" and .action == \"created\" and .ns_type == \"net\" and .inode == $green_inode and .syscall == \"unshare\""
ip netns del green
expect "netns deleted" ".type == \"netns\" and .action == \"deleted\" and .name == \"green\" and .inode == $green_inode"

t "events: unshare -n, -m, -u and -p -f each report their new namespace"
for flag in n:net m:mnt u:uts; do
	unshare -${flag%%:*} sleep 60 &
	sleeper=$!
	inode=$(ns_of $sleeper ${flag#*:}) || fail "unshare -${flag%%:*}: no namespace of its own"
	expect "unshare -${flag%%:*}" ".type == \"ns\" and .action == \"created\" and .ns_type == \"${flag#*:}\" and .inode == $inode and .pid == $sleeper and .comm == \"unshare\""
	kill $sleeper
	wait $sleeper 2>/dev/null
done
unshare -p -f sleep 60 &
sleeper=$!
inode=$(ns_of $sleeper pid_for_children) || fail "unshare -p: no namespace of its own"
expect "unshare -p -f" ".type == \"ns\" and .action == \"created\" and .ns_type == \"pid\" and .inode == $inode and .pid == $sleeper"
kill $sleeper
wait $sleeper 2>/dev/null
sleeper=

t "events: clone(CLONE_NEWUTS) reports the child's new namespace"
# perl's syscall() is the one way to a bare clone(2) that every Debian has.
child=$(perl -e 'my $pid = syscall(56, 0x04000000 | 17, 0, 0, 0, 0);
	if ($pid == 0) { sleep 1; exit 0 } print "$pid\n"; waitpid($pid, 0);')
expect "clone" ".type == \"ns\" and .action == \"created\" and .ns_type == \"uts\" and .syscall == \"clone\" and .child_pid == $child and .comm == \"perl\""

t "events: nsenter (setns) reports the namespace entered"
red_inode=$(inode_of /run/netns/red)
nsenter --net=/run/netns/red true
expect "setns" ".type == \"ns\" and .action == \"entered\" and .ns_type == \"net\" and .inode == $red_inode and .comm == \"nsenter\""
# red is the lab's: the lab's stream has it too.
expect "setns in the lab" ".type == \"ns\" and .action == \"entered\" and .inode == $red_inode and .comm == \"nsenter\"" "$lab"

t "events: a namespace that is gone is reported, its time approximate"
unshare -u sh -c 'echo $$ >'"$tmp/gone.pid"
gone_pid=$(cat "$tmp/gone.pid")
uts=$(find ".type == \"ns\" and .action == \"created\" and .ns_type == \"uts\" and .pid == $gone_pid" | jq .inode)
[ -n "$uts" ] || fail "no created event for unshare -u (pid $gone_pid)"
expect "gone" ".type == \"ns\" and .action == \"gone\" and .inode == ${uts:-0} and .time_approximate == true"

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

t "events: a moved link names both namespaces, from where to where"
host_inode=$(inode_of /proc/self/ns/net)
blue_inode=$(inode_of /run/netns/blue)
ip link add mv0 type veth peer name mv1
ip link set mv1 netns red
ev=$(find '.type == "link" and .action == "moved" and .ifname == "mv1"') || fail "no moved event for mv1"
check_eq "host -> red" "$(echo "$ev" | jq -c '[.netns, .netns_inode, .to_netns, .to_netns_inode]')" \
	"[null,$host_inode,\"red\",$red_inode]"
ip -n red link set mv1 netns blue
ev=$(find '.type == "link" and .action == "moved" and .ifname == "mv1" and .netns == "red"') ||
	fail "no moved event for mv1 out of red"
check_eq "red -> blue" "$(echo "$ev" | jq -c '[.netns, .to_netns, .to_netns_inode]')" \
	"[\"red\",\"blue\",$blue_inode]"
check_eq "to_ifindex" "$(echo "$ev" | jq .to_ifindex)" "$(ip -n blue -j link show mv1 | jq '.[0].ifindex')"
# Back to ours: this shell's namespace (never "netns 1", the machine's own).
ip -n blue link set mv1 netns $$
ev=$(find '.type == "link" and .action == "moved" and .ifname == "mv1" and .netns == "blue"') ||
	fail "no moved event for mv1 out of blue"
check_eq "blue -> host" "$(echo "$ev" | jq -c '[.to_netns, .to_netns_inode]')" "[null,$host_inode]"
# Only its creation says "added", not a move into a namespace.
check_eq "added events of mv1" "$(jq -c 'select(.type == "link" and .ifname == "mv1" and .action == "added")' "$out" | wc -l)" 1
ip link del mv0 2>/dev/null

t "events: the first ping: neighbour INCOMPLETE -> REACHABLE, FDB learns both MACs"
# Forget what link-up traffic (IPv6 DAD, MLD) already taught the bridge and the namespaces.
ip link set v-net-0 type bridge fdb_flush
ip -n red neigh flush all
ip -n blue neigh flush all
red_mac=$(ip -n red -j link show veth-red | jq -r '.[0].address')
blue_mac=$(ip -n blue -j link show veth-blue | jq -r '.[0].address')
check_cmd "ping" ip netns exec red ping -c 1 -W 5 -q 192.168.15.2
expect "INCOMPLETE" '.type == "neigh" and .netns == "red" and .address == "192.168.15.2" and .old_state == "NONE" and .new_state == "INCOMPLETE"' "$lab"
expect "REACHABLE" ".type == \"neigh\" and .netns == \"red\" and .address == \"192.168.15.2\" and .old_state == \"INCOMPLETE\" and .new_state == \"REACHABLE\" and .lladdr == \"$blue_mac\"" "$lab"
expect "FDB red" ".type == \"fdb\" and .action == \"learned\" and .bridge == \"v-net-0\" and .mac == \"$red_mac\" and .ifname == \"veth-red-br\"" "$lab"
expect "FDB blue" ".type == \"fdb\" and .action == \"learned\" and .bridge == \"v-net-0\" and .mac == \"$blue_mac\" and .ifname == \"veth-blue-br\"" "$lab"

t "events: a dropped packet, with its reason's name"
# The lab's stream: drops elsewhere on the machine are not in its scope, so
# they cannot use up its rate of 100 a second per CPU. Sent until seen.
for i in $(seq 100); do
	ip netns exec red bash -c 'echo x > /dev/udp/192.168.15.2/9'
	seen '.type == "drop" and .netns == "blue" and .ifname == "veth-blue" and .reason == "NO_SOCKET"' "$lab" && break
	sleep 0.2
done
expect "drop" '.type == "drop" and .netns == "blue" and .ifname == "veth-blue" and .reason == "NO_SOCKET"' "$lab"

t "events: a port added by hand is attached, counted, and released when it goes"
ip netns add green
join_by_hand green 192.168.15.3
expect "attached" '.type == "attach" and .action == "attached" and .port == "veth-green-br" and .peer == "veth-green" and .peer_netns == "green"' "$lab"
check_cmd "ping green -> red" ip netns exec green ping -c 3 -i 0.2 -W 5 -q 192.168.15.1
check_eq "green tx echo requests" "$(nsmon_stat green veth-green tx icmp_echo_request)" 3
check_eq "veth-green-br rx echo requests" "$(nsmon_stat host veth-green-br rx icmp_echo_request)" 3
green_ifindex=$(ip -j link show veth-green-br | jq '.[0].ifindex')
ip link del veth-green-br
expect "released" '.type == "attach" and .action == "released" and .port == "veth-green-br"' "$lab"
check_eq "pins of veth-green-br" "$(ls /sys/fs/bpf/nsmon/v-net-0 | grep -c green)" 0
check_eq "ledger lines of veth-green-br" "$(grep -Ec "^(qdisc|filter) [0-9]+ - $green_ifindex( |\$)" /run/nsmon/v-net-0.lab)" 0
ip netns del green

t "events: nsmon up NS while events runs: the new port is reported as counted"
check_cmd "up orange" "$NSMON" up orange
expect "counted" '.type == "attach" and .action == "counted" and .port == "veth-orange-br" and .bridge == "v-net-0"' "$lab"
# A port up made itself is hooked with clsact (README, Attachment modes).
check_eq "filters of veth-orange-br" "$(port_filters veth-orange-br)" "port_ingress port_egress"

# The hooks nsmon has on port $1: its tcx pins, or its clsact filters.
hooks_of() {
	{ ls /sys/fs/bpf/nsmon/v-net-0 | grep -- "$1"; port_filters "$1" | tr ' ' '\n' | grep .; } 2>/dev/null | wc -l
}

# wait_hooks PORT N: until port PORT has N hooks (20 s).
wait_hooks() {
	local i
	for i in $(seq 200); do
		[ "$(hooks_of "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

t "events: a port released from the bridge loses its programs, keeps its counters, and gets them back"
check_cmd "ping orange -> red" ip netns exec orange ping -c 2 -i 0.2 -W 5 -q 192.168.15.1
before=$(nsmon_stat host veth-orange-br rx icmp_echo_request)
check_eq "echo requests before" "$before" 2
ip link set veth-orange-br nomaster
expect "detached" '.type == "attach" and .action == "detached" and .port == "veth-orange-br" and .bridge == "v-net-0"' "$lab"
wait_hooks veth-orange-br 0 || fail "a released port keeps $(hooks_of veth-orange-br) hooks"
ip link set veth-orange-br master v-net-0
expect "attached again" '.type == "attach" and .action == "attached" and .port == "veth-orange-br" and .peer_netns == "orange"' "$lab"
check_cmd "ping orange -> red again" ip netns exec orange ping -c 2 -i 0.2 -W 5 -q 192.168.15.1
# The counters kept what they had while the port was away.
check_eq "echo requests after" "$(nsmon_stat host veth-orange-br rx icmp_echo_request)" 4

t "events: a port enslaved and released again at once ends without programs, and gets them when it stays"
ip link set veth-orange-br nomaster
expect "detached again" '.type == "attach" and .action == "detached" and .port == "veth-orange-br"' "$lab"
n_attached=$(jq -c 'select(.type == "attach" and .port == "veth-orange-br" and .action == "attached")' "$lab" | wc -l)
ip link set veth-orange-br master v-net-0
ip link set veth-orange-br nomaster
# Whether it was attached in between or not, a port that is not the bridge's ends with no hooks.
wait_hooks veth-orange-br 0 || fail "pins of a port that is not the bridge's: $(hooks_of veth-orange-br)"
sleep 0.5
check_eq "hooks of a port that left" "$(hooks_of veth-orange-br)" 0
ip link set veth-orange-br master v-net-0
for i in $(seq 200); do
	[ "$(jq -c 'select(.type == "attach" and .port == "veth-orange-br" and .action == "attached")' "$lab" | wc -l)" -gt "$n_attached" ] && break
	sleep 0.1
done
wait_hooks veth-orange-br 2 || fail "hooks once it stays: $(hooks_of veth-orange-br)"

t "events: the human lines look like ip monitor -ts with a [TYPE] prefix"
"$NSMON" events --all --no-attach --count 1 --type netns --timeout 30 >"$tmp/line" 2>/dev/null &
liner=$!
for i in $(seq 200); do
	ip netns add tline; ip netns del tline
	[ -s "$tmp/line" ] && break
	sleep 0.1
done
wait $liner
line=$(cat "$tmp/line")
echo "$line" | grep -Eq '^\[[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\] \[NETNS\] (added|deleted) tline' ||
	fail "line: '$line'"

t "events: --type filters, --count stops"
"$NSMON" events --all --no-attach --json --type netns --count 2 --timeout 30 >"$tmp/count" 2>/dev/null &
counter=$!
for i in $(seq 200); do
	ip netns add tc$i
	[ "$(wc -l <"$tmp/count")" -ge 2 ] && break
	sleep 0.1
done
wait $counter
for n in $(ip netns list | grep -o '^tc[0-9]*'); do ip netns del "$n"; done
check_eq "lines" "$(wc -l <"$tmp/count")" 2
check_eq "types" "$(jq -r .type "$tmp/count" | sort -u)" "netns"

t "events: --counters interleaves per-interface deltas"
ip netns exec red ping -i 0.2 -q 192.168.15.2 >/dev/null &
pinger=$!
deltas=$(timeout 30 "$NSMON" events --no-attach --json --type counters --counters --interval 1 --count 4 2>/dev/null)
kill $pinger
red=$(echo "$deltas" | jq -c 'select(.netns == "red" and .ifname == "veth-red")' | tail -1)
[ -n "$red" ] || fail "no delta for red's veth-red in: $deltas"
[ "$(echo "$red" | jq '.tx.icmp_echo_request')" -ge 1 ] 2>/dev/null ||
	fail "red's veth-red sent no echo requests in a second: $red"

t "events: a bad --type is a usage error naming it"
err=$("$NSMON" events --type netns,bogus 2>&1 >/dev/null); rc=$?
check_eq "exit code" "$rc" 2
check_eq "error" "$(echo "$err" | grep -c '"bogus"')" 1

# flood N: N datagrams red -> a closed port in blue, each one NO_SOCKET drop in the lab.
flood() {
	ip netns exec red bash -c "for i in \$(seq $1); do echo x > /dev/udp/192.168.15.2/9; done"
}

# wait_started FILE: until the events process writing its stderr to FILE
# has its programs loaded (it says nothing until then: poll its first drop).
started() {
	local i
	for i in $(seq 200); do
		flood 1
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

t "events: overload loses events, counts them exactly, and blocks nothing"
# A 4 KiB ring drained once a second, every drop streamed: a flood must overflow it.
"$NSMON" events --no-attach --json --type drop,lost --drop-rate unlimited --ring-kb 4 --consume-ms 1000 \
	--timeout 8 >"$tmp/flood.json" 2>"$tmp/flood.err" &
flooder=$!
started "$tmp/flood.json" || fail "the flood's stream never started"
flood 3000
wait $flooder
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
check_eq "lost events add up" "$(jq -s 'map(select(.type == "lost" and .source == "drop") | .lost) | add' "$tmp/flood.json")" "$lost"
echo "# overload: $summary"

t "events: --drop-rate streams at most that many drops a second per CPU, and counts the rest"
"$NSMON" events --no-attach --json --type drop --drop-rate 20 --timeout 8 >"$tmp/rate.json" 2>"$tmp/rate.err" &
limited=$!
started "$tmp/rate.json" || fail "the rate's stream never started"
flood 1000
wait $limited
summary=$(grep '^events:' "$tmp/rate.err")
read -r submitted suppressed < <(echo "$summary" | sed -E 's/.*submitted ([0-9]+),.* suppressed ([0-9]+).*/\1 \2/')
# At most 20 per CPU in each of the (at most 8) windows of the run.
streamed=$(jq -c 'select(.type == "drop")' "$tmp/rate.json" | wc -l)
[ "$streamed" -ge 1 ] && [ "$streamed" -le $((20 * $(nproc) * 8)) ] ||
	fail "streamed $streamed drops at --drop-rate 20: $summary"
[ "${suppressed:-0}" -gt 0 ] || fail "nothing held back: $summary"
[ $((submitted + suppressed)) -ge 1000 ] || fail "submitted + suppressed < 1000 drops: $summary"

t "events: down"
kill $all_pid $lab_pid
wait $all_pid $lab_pid 2>/dev/null
all_pid= lab_pid=
check_cmd "down" "$NSMON" down
