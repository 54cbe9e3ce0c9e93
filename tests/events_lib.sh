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
