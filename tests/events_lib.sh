# SPDX-License-Identifier: GPL-2.0
# Sourced by the `nsmon events` tests after lib.sh: looking for events in an
# NDJSON file that a running `nsmon events --json` writes. Every wait polls
# with a deadline of seconds: a busy machine makes a test slower, not wrong.

# find JQ_FILTER [FILE]: the first event matching it in FILE ($out), waiting up to 20 s.
find() {
	local i hit
	for i in $(seq 200); do
		hit=$(jq -c "select($1)" "${2:-$out}" 2>/dev/null | head -1)
		[ -n "$hit" ] && { echo "$hit"; return 0; }
		sleep 0.1
	done
	return 1
}

# seen JQ_FILTER FILE: is an event matching it there now? (jq -e is true of an empty file)
seen() {
	jq -c "select($1)" "$2" 2>/dev/null | grep -q .
}

# expect WHAT JQ_FILTER [FILE]: an event matching the filter shows up in FILE ($out).
expect() {
	find "$2" "${3:-$out}" >/dev/null || fail "$1: no event matching $2"
}

# join_by_hand NS ADDR: namespace NS (made already) joins v-net-0 with
# address ADDR/24, by the seed script's own commands (tests/seed-lab.sh).
join_by_hand() {
	ip link add veth-$1 type veth peer name veth-$1-br
	ip link set veth-$1 netns $1
	ip link set veth-$1-br master v-net-0
	ip -n $1 addr add $2/24 dev veth-$1
	ip -n $1 link set veth-$1 up
	ip link set veth-$1-br up
}

# two_labs: lab A, the seed lab (`nsmon up`: v-net-0, red 192.168.15.1, blue
# .2), lab B, monitored too (br2, x1 10.9.0.1, x2 .2), and "out", a
# namespace in neither, which drops what it is sent.
two_labs() {
	"$NSMON" up >/dev/null || return 1
	"$NSMON" up --bridge br2 --subnet 10.9.0.0/24 x1 x2 >/dev/null || return 1
	ip netns add out && ip -n out link set lo up
}

# two_labs_cleanup: a test's end: its commands still running ($pids) killed,
# both labs down, $tmp removed.
two_labs_cleanup() {
	local p
	for p in ${pids:-}; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	"$NSMON" down >/dev/null 2>&1
	"$NSMON" down --bridge br2 >/dev/null 2>&1
	rm -rf "$tmp"
}

# two_labs_traffic: one round in each: a first ping each way (neighbours
# forgotten first), a UDP datagram to a closed port (a NO_SOCKET drop in the
# receiver: blue, x2, out), and the echo replies root's ping drops (red, x1).
two_labs_traffic() {
	ip -n red neigh flush all
	ip -n x1 neigh flush all
	ip netns exec red ping -c 1 -W 2 -q 192.168.15.2 >/dev/null
	ip netns exec x1 ping -c 1 -W 2 -q 10.9.0.2 >/dev/null
	ip netns exec red bash -c 'echo x > /dev/udp/192.168.15.2/9'
	ip netns exec x1 bash -c 'echo x > /dev/udp/10.9.0.2/9'
	ip netns exec out bash -c 'echo x > /dev/udp/127.0.0.1/9'
}
