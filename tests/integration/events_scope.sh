#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `nsmon events` shows the lab: with a second lab (another bridge and
# namespaces, built with ip and not monitored) and a namespace outside both
# dropping packets, the default stream has nothing of either, --all has
# them; -n follows a namespace added to the lab by hand; loss stays visible
# whatever --type says; --drop-rate 0 streams no drop, unlimited every one.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../events_lib.sh"

tmp=$(mktemp -d)
cleanup() {
	for p in ${pids:-}; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap 'cleanup; t_end' EXIT
pids=

# Lab A is nsmon's; lab B a bridge and two namespaces by hand; "out" neither.
check_cmd "up" "$NSMON" up
ip netns add b1
ip netns add b2
ip link add br-b type bridge
ip link set br-b up
for n in b1 b2; do
	ip link add v$n type veth peer name v$n-br
	ip link set v$n netns $n
	ip link set v$n-br master br-b
	ip link set v$n-br up
	ip -n $n link set v$n up
done
ip -n b1 addr add 10.7.0.1/24 dev vb1
ip -n b2 addr add 10.7.0.2/24 dev vb2
ip netns add out
ip -n out link set lo up

# traffic: each lab pings itself, the outside namespace and lab B drop datagrams.
traffic() {
	ip link set br-b type bridge fdb_flush
	ip netns exec b1 ping -c 2 -i 0.2 -W 5 -q 10.7.0.2 >/dev/null
	ip netns exec out bash -c 'for i in $(seq 200); do echo x > /dev/udp/127.0.0.1/9; done'
	ip netns exec b1 bash -c 'for i in $(seq 20); do echo x > /dev/udp/10.7.0.2/9; done'
	ip -n b2 addr add 10.7.0.9/24 dev vb2
	ip netns exec red ping -c 2 -i 0.2 -W 5 -q 192.168.15.2 >/dev/null
	ip netns exec red bash -c 'echo x > /dev/udp/192.168.15.2/9'
}

t "events scope: by default the lab only; --all the whole machine"
"$NSMON" events --json >"$tmp/lab.json" 2>"$tmp/lab.err" &
lab=$!
"$NSMON" events --all --no-attach --drop-rate unlimited --json >"$tmp/all.json" 2>"$tmp/all.err" &
all=$!
pids="$lab $all"
# Both ready: the lab's stream shows a ping in the lab (tried until it does).
for i in $(seq 100); do
	ip netns exec red ping -c 1 -W 1 -q 192.168.15.2 >/dev/null
	seen '.type == "neigh" and .netns == "red"' "$tmp/lab.json" &&
		seen '.type == "neigh" and .netns == "red"' "$tmp/all.json" && break
	ip -n red neigh flush all
	sleep 0.2
done
traffic
expect "lab B in --all" '.netns == "b1" or .netns == "b2"' "$tmp/all.json"
expect "the outside namespace's drops in --all" '.type == "drop" and .netns == "out"' "$tmp/all.json"
expect "lab B's bridge in --all" '.type == "fdb" and .bridge == "br-b"' "$tmp/all.json"
expect "the lab's drop" '.type == "drop" and .netns == "blue" and .reason == "NO_SOCKET"' "$tmp/lab.json"
expect "the lab's neighbours" '.type == "neigh" and .netns == "red" and .address == "192.168.15.2"' "$tmp/lab.json"
kill -INT $lab $all
wait $lab $all
pids=
others=$(jq -c 'select(.netns == "b1" or .netns == "b2" or .netns == "out" or .bridge == "br-b" or
	(.ifname // "" | test("^(vb1|vb2|br-b)")))' "$tmp/lab.json")
check_eq "events of lab B or outside in the lab's stream" "$others" ""
# Lab A's own namespaces only, and our namespace only by the lab's interfaces.
check_eq "namespaces in the lab's stream" \
	"$(jq -r 'select(.netns != null) | .netns' "$tmp/lab.json" | sort -u | paste -sd' ')" "blue red"
check_eq "our interfaces in the lab's stream" \
	"$(jq -r 'select(.netns == null and .ifname != null) | .ifname' "$tmp/lab.json" | sort -u | grep -v -e '^veth-red-br$' -e '^veth-blue-br$' -e '^v-net-0$')" ""
echo "# lab: $(grep '^events:' "$tmp/lab.err"); all: $(grep '^events:' "$tmp/all.err")"

t "events scope: --bridge NAME shows that lab, -n NS that namespace"
"$NSMON" events --bridge br-b --no-attach --json >"$tmp/b.json" 2>/dev/null &
b=$!
"$NSMON" events -n blue --no-attach --json >"$tmp/blue.json" 2>/dev/null &
blue=$!
pids="$b $blue"
for i in $(seq 100); do
	ip -n b2 neigh flush all; ip -n red neigh flush all
	ip netns exec b1 ping -c 1 -W 1 -q 10.7.0.2 >/dev/null
	ip netns exec red ping -c 1 -W 1 -q 192.168.15.2 >/dev/null
	seen '.type == "neigh" and .netns == "b2"' "$tmp/b.json" &&
		seen '.type == "neigh" and .netns == "blue"' "$tmp/blue.json" && break
	sleep 0.2
done
kill -INT $b $blue
wait $b $blue
pids=
expect "lab B's neighbours" '.type == "neigh" and .netns == "b2"' "$tmp/b.json"
check_eq "namespaces with --bridge br-b" \
	"$(jq -r 'select(.netns != null) | .netns' "$tmp/b.json" | sort -u | paste -sd' ')" "b1 b2"
expect "blue's neighbours" '.type == "neigh" and .netns == "blue"' "$tmp/blue.json"
check_eq "namespaces with -n blue" \
	"$(jq -r 'select(.netns != null) | .netns' "$tmp/blue.json" | sort -u | paste -sd' ')" "blue"
# Of ours, only the port that peers into blue (not the bridge, not red's port).
check_eq "our interfaces with -n blue" \
	"$(jq -r 'select(.netns == null and .ifname != null) | .ifname' "$tmp/blue.json" | sort -u | grep -v '^veth-blue-br$')" ""

t "events scope: a namespace added to the lab by hand is in -n's scope before its first ping"
"$NSMON" events -n green --json >"$tmp/green.json" 2>"$tmp/green.err" &
green=$!
pids=$green
# Ready: the stream reports -n's namespace as it is named (and unnamed).
for i in $(seq 200); do
	ip netns add green
	ip netns del green
	seen '.type == "netns" and .name == "green"' "$tmp/green.json" && break
	sleep 0.1
done
ip netns add green
# The seed script's own steps, then at once the first ping.
join_by_hand green 192.168.15.3
check_cmd "first ping green -> red" ip netns exec green ping -c 1 -W 5 -q 192.168.15.1
expect "green's first neighbour entry" '.type == "neigh" and .netns == "green" and .address == "192.168.15.1" and .created == true' "$tmp/green.json"
expect "green's entry resolved" '.type == "neigh" and .netns == "green" and .address == "192.168.15.1" and .new_state == "REACHABLE"' "$tmp/green.json"
expect "its port's FDB entry" '.type == "fdb" and .ifname == "veth-green-br" and .action == "learned"' "$tmp/green.json"
kill -INT $green
wait $green
pids=
check_eq "namespaces with -n green" \
	"$(jq -r 'select(.netns != null) | .netns' "$tmp/green.json" | sort -u | paste -sd' ')" "green"

# A stream of drops only, its ring too small for a flood.
flood() {
	ip netns exec red bash -c "for i in \$(seq $1); do echo x > /dev/udp/192.168.15.2/9; done"
}

t "events: --type drop still shows the stream's loss"
"$NSMON" events --no-attach --json --type drop --drop-rate unlimited --ring-kb 4 --consume-ms 1000 \
	--timeout 8 >"$tmp/loss.json" 2>"$tmp/loss.err" &
loss=$!
pids=$loss
for i in $(seq 200); do flood 1; [ -s "$tmp/loss.json" ] && break; sleep 0.1; done
flood 3000
wait $loss
pids=
summary=$(grep '^events:' "$tmp/loss.err")
lost=$(echo "$summary" | sed -nE 's/.*lost ([0-9]+),.*/\1/p')
[ "${lost:-0}" -gt 0 ] || fail "the flood overflowed nothing: $summary"
check_eq "types" "$(jq -r .type "$tmp/loss.json" | sort -u | paste -sd' ')" "drop lost"
check_eq "lost, as the stream says it" \
	"$(jq -s 'map(select(.type == "lost") | .lost) | add' "$tmp/loss.json")" "${lost:-0}"

t "events: --drop-rate 0 streams no drop and counts them all; unlimited streams every one"
"$NSMON" events --no-attach --json --type drop --drop-rate 0 --timeout 6 >"$tmp/none.json" 2>"$tmp/none.err" &
none=$!
"$NSMON" events --no-attach --json --type drop --drop-rate unlimited --ring-kb 4096 --timeout 6 \
	>"$tmp/every.json" 2>"$tmp/every.err" &
every=$!
pids="$none $every"
for i in $(seq 200); do flood 1; [ -s "$tmp/every.json" ] && break; sleep 0.1; done
sleep 1	# the other one started no later than this one, give or take
flood 300
wait $none $every
pids=
none_summary=$(grep '^events:' "$tmp/none.err")
check_eq "drops streamed at --drop-rate 0" "$(jq -c 'select(.type == "drop")' "$tmp/none.json" | wc -l)" 0
suppressed=$(echo "$none_summary" | sed -nE 's/.*suppressed ([0-9]+)$/\1/p')
[ "${suppressed:-0}" -ge 300 ] || fail "drops counted at --drop-rate 0: $none_summary"
every_summary=$(grep '^events:' "$tmp/every.err")
check_eq "held back at unlimited" "$(echo "$every_summary" | sed -nE 's/.*suppressed ([0-9]+)$/\1/p')" 0
[ "$(jq -c 'select(.type == "drop" and .netns == "blue" and .reason == "NO_SOCKET")' "$tmp/every.json" | wc -l)" -ge 300 ] ||
	fail "fewer than the 300 drops streamed: $every_summary"

t "events: a bad --drop-rate is a usage error"
"$NSMON" events --drop-rate lots >/dev/null 2>&1
check_eq "exit code" "$?" 2

t "events scope: down"
check_cmd "down" "$NSMON" down
