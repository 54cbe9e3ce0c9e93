#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bridge forwarding: the port-to-port matrix and each port's forwarded,
# flooded, local and dropped frames, against the frames the ports counted,
# the bridge's FDB (bridge fdb) and what tcpdump sees leave each port.
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
dumps=()
cleanup() {
	tmux -L "nsmon-test-$$" kill-server 2>/dev/null
	for pid in "${dumps[@]}"; do kill "$pid" 2>/dev/null; done
	"$NSMON" down >/dev/null 2>&1
	rm -rf "$tmp"
}
trap 'cleanup; t_end' EXIT

# m DOC FROM TO KEY: a matrix cell of `stats --json` DOC (frames, forwarded,
# flooded); 0 when the pair carried nothing.
m() {
	jq -r --arg f "$2" --arg t "$3" --arg k "$4" \
		'[.bridges[0].matrix[] | select(.from == $f and .to == $t) | .[$k]] | add // 0' <<<"$1"
}

# p DOC PLACE PATH: a value of a port (PLACE "local": of the bridge device),
# PATH as in "forwarded.rx" or "rx.unicast".
p() {
	jq -r --arg p "$2" --arg path "$3" '.bridges[0] |
		(if $p == "local" then .local else (.ports[] | select(.name == $p)) end) |
		getpath($path | split("."))' <<<"$1"
}

# delta BEFORE AFTER FN ARGS...: FN ARGS on AFTER minus FN ARGS on BEFORE.
delta() {
	local before=$1 after=$2 fn=$3
	shift 3
	echo $(( $($fn "$after" "$@") - $($fn "$before" "$@") ))
}

# quiet_stats: `stats --json` at a quiet moment: two reads in a row that agree.
quiet_stats() {
	local a b i
	b=$("$NSMON" stats --json)
	for i in $(seq 25); do
		a=$b
		sleep 0.2
		b=$("$NSMON" stats --json)
		[ "$a" = "$b" ] && break
	done
	echo "$b"
}

mac() {
	ip -n "$1" -j link show "veth-$1" | jq -r '.[0].address'
}

# capture NAME IFACE: tcpdump what IFACE sends into $tmp/NAME.pcap, from when it listens.
capture() {
	tcpdump -i "$2" -Q out -nn --immediate-mode -w "$tmp/$1.pcap" 2>"$tmp/$1.err" &
	dumps+=($!)
	for i in $(seq 50); do
		grep -q listening "$tmp/$1.err" && return 0
		sleep 0.1
	done
	fail "tcpdump on $2 did not start: $(cat "$tmp/$1.err")"
}

stop_captures() {
	sleep 0.3
	for pid in "${dumps[@]}"; do kill -INT "$pid" 2>/dev/null; done
	for pid in "${dumps[@]}"; do wait "$pid" 2>/dev/null; done
	dumps=()
}

# captured NAME FROM TO [FILTER...]: frames of capture NAME stamped between
# FROM and TO (seconds since the epoch) that match the pcap FILTER.
captured() {
	local name=$1 from=$2 to=$3
	shift 3
	tcpdump -r "$tmp/$name.pcap" -tt -nn "$@" 2>/dev/null |
		awk -v a="$from" -v b="$to" '$1 >= a && $1 <= b' | wc -l
}

# check_partition DOC: every frame that entered the bridge is counted once:
# by a port, forwarded, flooded, delivered to the host or dropped; by the
# bridge device (frames the host sent), forwarded, flooded or dropped; and
# every frame delivered to the host was forwarded or flooded to it.
check_partition() {
	local doc=$1 port sum
	for port in $(jq -r '.bridges[0].ports[].name' <<<"$doc"); do
		sum=$(( $(p "$doc" "$port" forwarded.rx) + $(p "$doc" "$port" flooded.rx) +
			$(p "$doc" "$port" local) + $(p "$doc" "$port" dropped) ))
		check_eq "$port rx skbs = forwarded + flooded + local + dropped" \
			"$(p "$doc" "$port" rx.skbs)" "$sum"
	done
	check_eq "bridge tx skbs = forwarded + flooded + dropped" "$(p "$doc" local tx.skbs)" \
		"$(( $(p "$doc" local forwarded.tx) + $(p "$doc" local flooded.tx) + $(p "$doc" local dropped) ))"
	check_eq "bridge rx skbs = forwarded + flooded" "$(p "$doc" local rx.skbs)" \
		"$(( $(p "$doc" local forwarded.rx) + $(p "$doc" local flooded.rx) ))"
}

# sums_from FIELD DOC: each place's forwarding, as the program's sums have it
# (FIELD sums) or as its pairs in the matrix add up (FIELD pairs). A flood's
# count once per frame (flooded.rx of a port) is in no pair, so not compared.
sums_from() {
	jq -c --arg from "$1" '.bridges[0] as $b |
		def pairs(f): [$b.matrix[] | select(f)];
		def total(k): map(.[k]) | add // 0;
		if $from == "sums" then
			[$b.ports[] | [.name, .forwarded.rx, .forwarded.tx, .flooded.tx, .local]] +
			[["local", $b.local.forwarded.rx, $b.local.forwarded.tx, $b.local.flooded.rx]]
		else
			[$b.ports[] | .name as $p | [$p,
				(pairs(.from == $p and .to != "local") | total("forwarded")),
				(pairs(.to == $p) | total("forwarded")),
				(pairs(.to == $p) | total("flooded")),
				(pairs(.from == $p and .to == "local") | total("forwarded"))]] +
			[["local", (pairs(.to == "local") | total("forwarded")),
				(pairs(.from == "local") | total("forwarded")),
				(pairs(.to == "local") | total("flooded"))]]
		end' <<<"$2"
}

# check_sums_match_pairs: at a quiet moment, the sums `stats` reads per place
# are what the matrix's pairs add up to (a frame between the two maps' reads
# may part them: up to five tries).
check_sums_match_pairs() {
	local doc i
	for i in 1 2 3 4 5; do
		doc=$(quiet_stats)
		[ "$(sums_from sums "$doc")" = "$(sums_from pairs "$doc")" ] && break
	done
	check_eq "each place's sums vs its pairs" "$(sums_from sums "$doc")" "$(sums_from pairs "$doc")"
}

t "bridge_matrix: nsmon up builds the seed lab"
check_cmd "nsmon up" "$NSMON" up
wait_links_up red blue || fail "links did not come up"
red_mac=$(mac red)
blue_mac=$(mac blue)

t "bridge_matrix: ping red -> blue: the matrix carries every unicast frame, both ways"
check_cmd "first ping" ip netns exec red ping -c 1 -W 2 -q 192.168.15.2
before=$("$NSMON" stats --json)
check_cmd "ping -c 10" ip netns exec red ping -c 10 -i 0.1 -W 2 -q 192.168.15.2
after=$("$NSMON" stats --json)
rb=$(delta "$before" "$after" m veth-red-br veth-blue-br forwarded)
br=$(delta "$before" "$after" m veth-blue-br veth-red-br forwarded)
[ "$rb" -ge 10 ] || fail "red -> blue forwarded grew by $rb, want >= 10"
check_eq "red -> blue forwarded = unicast frames into veth-red-br" "$rb" \
	"$(delta "$before" "$after" p veth-red-br rx.unicast)"
check_eq "blue -> red forwarded = unicast frames into veth-blue-br" "$br" \
	"$(delta "$before" "$after" p veth-blue-br rx.unicast)"
check_eq "echo requests out of veth-blue-br" \
	"$(delta "$before" "$after" p veth-blue-br tx.icmp_echo_request)" 10
check_eq "veth-blue-br forwarded tx = red -> blue" \
	"$(delta "$before" "$after" p veth-blue-br forwarded.tx)" "$rb"
check_eq "veth-red-br forwarded rx = red -> blue" \
	"$(delta "$before" "$after" p veth-red-br forwarded.rx)" "$rb"
# Not since the start: a frame that comes while a port is not forwarding yet
# (the bridge learns that the link is up a moment after it is) is a drop.
check_eq "nothing dropped meanwhile" "$(delta "$before" "$after" p veth-red-br dropped) $(delta "$before" "$after" p veth-blue-br dropped)" "0 0"

t "bridge_matrix: the FDB learned each MAC on the port the matrix sends its unicast to"
fdb=$(bridge -j fdb show br v-net-0)
for pair in "$red_mac veth-red-br" "$blue_mac veth-blue-br"; do
	set -- $pair
	check_eq "bridge fdb: $1" "$(jq -r --arg m "$1" \
		'[.[] | select(.mac == $m and (.state // "") != "permanent") | .ifname] | join(" ")' <<<"$fdb")" "$2"
done

t "bridge_matrix: the first ARP request after the caches are flushed is flooded"
check_cmd "fdb_flush" ip link set v-net-0 type bridge fdb_flush
check_cmd "neigh flush" ip -n red neigh flush all
before=$("$NSMON" stats --json)
check_cmd "ping -c 1" ip netns exec red ping -c 1 -W 2 -q 192.168.15.2
after=$("$NSMON" stats --json)
group=$(( $(delta "$before" "$after" p veth-red-br rx.broadcast) +
	  $(delta "$before" "$after" p veth-red-br rx.multicast) ))
[ "$(delta "$before" "$after" p veth-red-br rx.arp_request)" -ge 1 ] ||
	fail "red sent no ARP request through the bridge"
check_eq "red -> blue flooded = broadcast + multicast into veth-red-br" \
	"$(delta "$before" "$after" m veth-red-br veth-blue-br flooded)" "$group"
check_eq "red -> local flooded (the bridge device hears a broadcast too)" \
	"$(delta "$before" "$after" m veth-red-br local flooded)" "$group"
check_eq "veth-red-br flooded rx (once each)" "$(delta "$before" "$after" p veth-red-br flooded.rx)" \
	"$group"
check_eq "the echo request after it is forwarded" \
	"$(delta "$before" "$after" m veth-red-br veth-blue-br forwarded)" \
	"$(delta "$before" "$after" p veth-red-br rx.unicast)"

t "bridge_matrix: a frame to the port it came from is dropped"
check_cmd "neigh to red's own MAC" ip -n red neigh replace 192.168.15.99 lladdr "$red_mac" \
	dev veth-red nud permanent
before=$("$NSMON" stats --json)
ip netns exec red ping -c 3 -i 0.2 -W 1 -q 192.168.15.99 >/dev/null 2>&1
after=$("$NSMON" stats --json)
check_eq "veth-red-br dropped" "$(delta "$before" "$after" p veth-red-br dropped)" 3
check_cmd "neigh del" ip -n red neigh del 192.168.15.99 dev veth-red

t "bridge_matrix: frames to the host are local, its answers come from local"
check_cmd "bridge address" ip addr add 192.168.15.254/24 dev v-net-0
check_cmd "first ping" ip netns exec red ping -c 1 -W 2 -q 192.168.15.254
before=$("$NSMON" stats --json)
check_cmd "ping the bridge" ip netns exec red ping -c 4 -i 0.1 -W 2 -q 192.168.15.254
after=$("$NSMON" stats --json)
lr=$(delta "$before" "$after" p veth-red-br local)
[ "$lr" -ge 4 ] || fail "veth-red-br local grew by $lr, want >= 4"
check_eq "red -> local forwarded = veth-red-br local" \
	"$(delta "$before" "$after" m veth-red-br local forwarded)" "$lr"
check_eq "the bridge device's unicast rx = red -> local" \
	"$(delta "$before" "$after" p local rx.unicast)" "$lr"
rl=$(delta "$before" "$after" m local veth-red-br forwarded)
[ "$rl" -ge 4 ] || fail "local -> red forwarded grew by $rl, want >= 4 (echo replies)"
check_eq "local forwarded tx = local -> red" "$(delta "$before" "$after" p local forwarded.tx)" "$rl"

t "bridge_matrix: tcpdump on each port sees the frames the matrix sends out of it"
# Up to three tries: a frame can slip between a read of the counters and
# the timestamp that opens or closes the window (IPv6 announcements come
# on their own for a while after the links come up).
for try in 1 2 3; do
	capture blue veth-blue-br
	capture red veth-red-br
	before=$("$NSMON" stats --json)
	t1=$(date +%s.%N)
	ip netns exec red ping -c 6 -i 0.1 -W 2 -q 192.168.15.2 >/dev/null
	t2=$(date +%s.%N)
	after=$("$NSMON" stats --json)
	stop_captures
	got="$(captured blue "$t1" "$t2" ether src "$red_mac") $(captured red "$t1" "$t2" ether src "$blue_mac")"
	want="$(delta "$before" "$after" m veth-red-br veth-blue-br frames) $(delta "$before" "$after" m veth-blue-br veth-red-br frames)"
	[ "$got" = "$want" ] && break
done
check_eq "tcpdump red -> blue, blue -> red vs the matrix" "$got" "$want"

t "bridge_matrix: every frame that entered is counted exactly once"
check_partition "$(quiet_stats)"

t "bridge_matrix: a small bridge's pairs count in the matrix array, none in the flows hash"
check_eq "bridge_flows entries" "$(bpftool map dump pinned /sys/fs/bpf/nsmon/bridge_flows -j | jq length)" 0

t "bridge_matrix: green joins (programs loaded by another run)"
check_cmd "nsmon up green" "$NSMON" up green
wait_links_up red blue green || fail "links did not come up"
green_mac=$(mac green)
check_cmd "green pings red" ip netns exec green ping -c 2 -i 0.2 -W 2 -q 192.168.15.1
after=$("$NSMON" stats --json)
[ "$(m "$after" veth-green-br veth-red-br forwarded)" -ge 2 ] ||
	fail "green -> red forwarded is $(m "$after" veth-green-br veth-red-br forwarded), want >= 2"
[ "$(m "$after" veth-red-br veth-green-br forwarded)" -ge 2 ] ||
	fail "red -> green forwarded is $(m "$after" veth-red-br veth-green-br forwarded), want >= 2"

t "bridge_matrix: a broadcast from red is flooded to blue, green and the host"
for try in 1 2 3; do
	capture blue veth-blue-br
	capture green veth-green-br
	before=$("$NSMON" stats --json)
	t1=$(date +%s.%N)
	ip netns exec red ping -b -c 3 -i 0.2 -W 1 -q 192.168.15.255 >/dev/null 2>&1
	t2=$(date +%s.%N)
	after=$("$NSMON" stats --json)
	stop_captures
	group=$(( $(delta "$before" "$after" p veth-red-br rx.broadcast) +
		  $(delta "$before" "$after" p veth-red-br rx.multicast) ))
	got="$(delta "$before" "$after" m veth-red-br veth-blue-br flooded) $(delta "$before" "$after" m veth-red-br veth-green-br flooded) $(delta "$before" "$after" m veth-red-br local flooded) $(delta "$before" "$after" p veth-red-br flooded.rx)"
	pcap="$(captured blue "$t1" "$t2" ether src "$red_mac" and ether broadcast) $(captured green "$t1" "$t2" ether src "$red_mac" and ether broadcast)"
	bcast=$(delta "$before" "$after" p veth-red-br rx.broadcast)
	[ "$got" = "$group $group $group $group" ] && [ "$pcap" = "$bcast $bcast" ] && break
done
[ "$bcast" -ge 3 ] || fail "red sent $bcast broadcasts, want >= 3"
check_eq "red -> blue, green, local flooded; veth-red-br flooded rx (once each)" "$got" \
	"$group $group $group $group"
check_eq "tcpdump: broadcasts from red out of veth-blue-br, veth-green-br" "$pcap" "$bcast $bcast"

t "bridge_matrix: unicast to a MAC the bridge forgot is flooded to every port"
# red still knows blue's MAC: its echo request goes out unicast to a bridge that forgot it.
# Blue's own link-local chatter may re-teach the bridge first (more so on a busy machine):
# then the request is rightly forwarded, and we try again, three times at most.
for attempt in 1 2 3; do
	check_cmd "fdb_flush" ip link set v-net-0 type bridge fdb_flush
	before=$("$NSMON" stats --json)
	check_cmd "ping -c 1" ip netns exec red ping -c 1 -W 2 -q 192.168.15.2
	after=$("$NSMON" stats --json)
	group=$(( $(delta "$before" "$after" p veth-red-br rx.broadcast) +
		  $(delta "$before" "$after" p veth-red-br rx.multicast) ))
	[ "$(delta "$before" "$after" m veth-red-br veth-green-br flooded)" = "$(( group + 1 ))" ] && break
done
check_eq "red -> green flooded: the echo request (plus any broadcast)" \
	"$(delta "$before" "$after" m veth-red-br veth-green-br flooded)" "$(( group + 1 ))"
check_eq "red -> blue flooded too, not forwarded" \
	"$(delta "$before" "$after" m veth-red-br veth-blue-br flooded)" "$(( group + 1 ))"
check_eq "veth-red-br flooded rx counts it once" \
	"$(delta "$before" "$after" p veth-red-br flooded.rx)" "$(( group + 1 ))"

t "bridge_matrix: with three namespaces every frame is still counted once"
check_partition "$(quiet_stats)"

t "bridge_matrix: each place's sums are what its pairs add up to"
check_sums_match_pairs

t "bridge_matrix: the JSON carries the documented keys"
doc=$("$NSMON" stats --json)
check_eq "port keys" "$(jq -c '[.bridges[0].ports[] | [.forwarded.rx, .forwarded.tx, .flooded.rx,
	.flooded.tx, .local, .dropped] | map(type) | unique] | unique' <<<"$doc")" '[["number"]]'
check_eq "local keys" "$(jq -c '.bridges[0].local | [.forwarded.rx, .forwarded.tx, .flooded.rx,
	.flooded.tx, .dropped] | map(type) | unique' <<<"$doc")" '["number"]'
check_eq "matrix entries" "$(jq -c '[.bridges[0].matrix[] | keys] | unique' <<<"$doc")" \
	'[["flooded","forwarded","frames","from","to"]]'
check_eq "frames = forwarded + flooded" \
	"$(jq '[.bridges[0].matrix[] | select(.frames != .forwarded + .flooded)] | length' <<<"$doc")" 0
check_eq "-n red keeps the pairs of red's port" \
	"$("$NSMON" stats --json -n red | jq '[.bridges[0].matrix[] |
		select(.from != "veth-red-br" and .to != "veth-red-br")] | length')" 0

t "bridge_matrix: the table shows the matrix below the counters"
# The table and the JSON read at one quiet moment: the JSON the same before and after the table.
for i in $(seq 20); do
	doc=$(quiet_stats)
	out=$("$NSMON" stats --wide)
	[ "$doc" = "$("$NSMON" stats --json)" ] && break
done
echo "$out" | grep -q '^FROM \\ TO  *veth-red-br  *veth-blue-br  *veth-green-br  *local$' ||
	fail "no matrix header in: $out"
row=$(echo "$out" | grep '^veth-red-br  *[0-9]')
check_eq "the red row" "$(echo "$row" | awk '{ print $3, $4, $5 }')" \
	"$(jq -r '[("veth-blue-br", "veth-green-br", "local") as $to |
		([.bridges[0].matrix[] | select(.from == "veth-red-br" and .to == $to) | .frames] | add // 0)] |
		join(" ")' <<<"$doc")"

t "bridge_matrix: the table's interface rows are the document's, in its order, with its numbers"
# The table is printed from the model, the document built from it: the two must agree.
table_rows=$(echo "$out" | sed -n '2,/^$/p' | sed '/^$/d' | tr -s ' ')
doc_rows=$(jq -r '
	def row($where; $name; $dir; $c): [$where, $name, $dir, ($c | .packets, .bytes, .skbs,
		.arp, .arp_request, .arp_reply, .icmp_echo_request, .icmp_echo_reply, .ipv4, .ipv6,
		.other, .tcp, .udp, .icmp, .l4_other, .unicast, .broadcast, .multicast, .vlan,
		.truncated)] | join(" ");
	def rows($where; $name; $i): row($where; $name; "rx"; $i.rx), row($where; $name; "tx"; $i.tx),
		(if $i.xdp then row($where; $name; "xdp-rx"; $i.xdp.rx) else empty end);
	(.namespaces[] as $ns | $ns.interfaces[] | rows($ns.name; .name; .)),
	(.bridges[] | (.ports[] | rows("host"; .name; .)), rows("host"; .name; .local))' <<<"$doc")
[ "$(echo "$doc_rows" | wc -l)" -ge 14 ] || fail "the document has $(echo "$doc_rows" | wc -l) rows, want >= 14"
check_eq "table rows" "$table_rows" "$doc_rows"

t "bridge_matrix: watch shows the matrix, and fits 80x24 with three namespaces"
snap=$("$NSMON" watch --count 1 --interval 0.2 2>/dev/null)
echo "$snap" | grep -q '^v-net-0: frames from row to column' || fail "no matrix in: $snap"
echo "$snap" | grep -qE '^from\\to +red +blue +green +local \| +red +blue +green +local$' ||
	fail "no matrix columns in: $snap"
tmux -L "nsmon-test-$$" new-session -d -s w -x 80 -y 24 "$NSMON watch" || fail "tmux did not start"
sleep 2
screen=$(tmux -L "nsmon-test-$$" capture-pane -p -t w)
tmux -L "nsmon-test-$$" kill-server 2>/dev/null
width=$(echo "$screen" | wc -L)
[ "$width" -le 80 ] || fail "a line is $width columns wide: $screen"
for row in red blue green local; do
	echo "$screen" | grep -qE "^$row +[-0-9.kMG]+ +[-0-9.kMG]+ +[-0-9.kMG]+ +[-0-9.kMG]+ \|" ||
		fail "the matrix row $row is not on the screen: $screen"
done
echo "$screen" | grep -q '^EVENTS' || fail "no room left for events: $screen"

t "bridge_matrix: a port without a fast slot has its sums from its flows"
# Every fast slot taken (as 512 interfaces would): yellow's port counts in the hashes.
taken=$(bpftool map dump pinned /sys/fs/bpf/nsmon/slot_owners -j | jq -c '[.[] | .formatted.key]')
# Keys as numbers (bpftool read the map's BTF), or every slot would look free and be overwritten.
check_eq "slot owners' keys are numbers" "$(jq 'all(type == "number") and length > 0' <<<"$taken")" true
for slot in $(seq 0 511); do
	jq -e --argjson s "$slot" 'index($s) != null' <<<"$taken" >/dev/null && continue
	echo "map update pinned /sys/fs/bpf/nsmon/slot_owners key $(printf '%d %d 0 0' $((slot & 255)) $((slot >> 8))) value 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"
done >"$tmp/fill"
check_cmd "fill the slot owners" bpftool batch file "$tmp/fill"
check_cmd "nsmon up yellow" "$NSMON" up yellow
wait_links_up yellow || fail "yellow's links did not come up"
yellow_br=$(ip -j link show veth-yellow-br | jq '.[0].ifindex')
[ "$(bpftool map lookup pinned /sys/fs/bpf/nsmon/counter_slots key $(printf '%d %d 0 0' $((yellow_br % 4096 & 255)) $((yellow_br % 4096 >> 8))) -j | jq '.formatted.value.ifindex')" != "$yellow_br" ] ||
	fail "veth-yellow-br has a fast slot"
check_cmd "yellow pings red" ip netns exec yellow ping -c 3 -i 0.2 -W 2 -q 192.168.15.1
ip netns exec yellow ping -b -c 2 -i 0.2 -W 1 -q 192.168.15.255 >/dev/null 2>&1
doc=$(quiet_stats)
[ "$(p "$doc" veth-yellow-br forwarded.rx)" -ge 3 ] ||
	fail "veth-yellow-br forwarded rx is $(p "$doc" veth-yellow-br forwarded.rx), want >= 3"
[ "$(p "$doc" veth-yellow-br flooded.rx)" -ge 1 ] ||
	fail "veth-yellow-br flooded rx is $(p "$doc" veth-yellow-br flooded.rx), want >= 1"
check_partition "$doc"
check_sums_match_pairs

t "bridge_matrix: nsmon down"
check_cmd "nsmon down" "$NSMON" down
check_nothing_left
