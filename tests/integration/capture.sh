#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `nsmon capture`: a ping red -> blue in one pcap-ng file, read by tshark,
# each copy on the interfaces of its path in order with its direction, the
# bytes of each interface equal to tcpdump's on that interface; -w - into
# tshark; SIGINT and a full disk leave a readable file; the loss in the
# Interface Statistics Blocks equals what nsmon prints; a VLAN tag the
# kernel took into the skb is written back; the filters, -n, bad input.
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
bg_pids=""
cleanup() {
	for p in $bg_pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	umount "$tmp/full" 2>/dev/null
	rm -rf "$tmp"
}
trap 'cleanup; case_end; t_end' EXIT

# tshark_read runs in command substitutions, where fail() cannot reach the
# case: it leaves its complaint in a file that the case picks up as it ends.
complaints=$tmp/complaints
case_end() {
	if [ -s "$complaints" ]; then
		fail "$(head -3 "$complaints" | tr '\n' ' ')"
		: >"$complaints"
	fi
}
eval "lib_$(declare -f t)"
t() {
	case_end
	lib_t "$@"
}

SEND_FRAME=$TOP/.output/tests/helpers/send_frame
RED=192.168.15.1
BLUE=192.168.15.2
# Every interface of the ping's path, as nsmon names them, and where tcpdump runs for each.
IFACES="red/veth-red host/veth-red-br host/v-net-0 host/veth-blue-br blue/veth-blue"

# wait_for FILE REGEX: until FILE has a line matching REGEX (10 s at most).
wait_for() {
	local i
	for i in $(seq 100); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# capture NAME ARGS...: `nsmon capture ARGS` in the background, stdout to
# $tmp/NAME.out, stderr to $tmp/NAME.err; returns once it is capturing.
capture() {
	local name=$1
	shift
	"$NSMON" capture "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	cap_pid=$!
	wait_for "$tmp/$name.err" '^capturing on' || fail "capture $name never started: $(cat "$tmp/$name.err")"
}

# tcpdump_on NS/IFNAME FILTER: tcpdump on that interface into $tmp/NS_IFNAME.pcap ("host": ours).
# Not promiscuous (-p): a promiscuous bridge device gets a copy of every
# frame the bridge forwards, which would change what v-net-0 sees. Every
# frame at once (--immediate-mode): SIGINT would lose those still waiting
# for their ring block to time out.
tcpdump_on() {
	local ns=${1%%/*} ifn=${1#*/} f=$tmp/${1/\//_}
	if [ "$ns" = host ]; then
		tcpdump -p --immediate-mode -i "$ifn" -U -w "$f.pcap" "$2" 2>"$f.err" &
	else
		ip netns exec "$ns" tcpdump -p --immediate-mode -i "$ifn" -U -w "$f.pcap" "$2" 2>"$f.err" &
	fi
	bg_pids="$bg_pids $!"
	wait_for "$f.err" 'listening on' || fail "tcpdump on $1 never started"
}

stop_tcpdumps() {
	for p in $bg_pids; do kill -INT "$p" 2>/dev/null; done
	wait $bg_pids 2>/dev/null
	bg_pids=""
}

# tshark_read FILE ARGS...: tshark -r FILE ARGS, failing the case on any complaint.
tshark_read() {
	local f=$1 rc
	shift
	tshark -r "$f" "$@" 2>"$tmp/tshark.err"; rc=$?
	grep -v '^Running as user "root"' "$tmp/tshark.err" >"$tmp/tshark.err2"
	[ $rc = 0 ] && [ ! -s "$tmp/tshark.err2" ] ||
		echo "tshark -r $f: exit $rc: $(head -3 "$tmp/tshark.err2")" >>"$complaints"
}

# copies FILE [DISPLAY_FILTER]: "KEY IFACE DIR" per copy in file order; KEY is
# arp1/arp2 (request/reply), req.SEQ/rep.SEQ for ICMP echo, other.
copies() {
	tshark_read "$1" ${2:+-Y "$2"} -T fields -E separator=, -e frame.interface_name \
		-e frame.packet_flags_direction -e arp.opcode -e icmp.type -e icmp.seq |
		awk -F, '{ key = "other"; dir = $2 == 1 ? "in" : $2 == 2 ? "out" : "?"
		       if ($3 != "") key = "arp" $3
		       else if ($4 == 8) key = "req." $5
		       else if ($4 == 0) key = "rep." $5
		       print key, $1, dir }'
}

# hex FILE [DISPLAY_FILTER]: the frames' bytes, as tshark dumps them.
hex() {
	tshark_read "$1" ${2:+-Y "$2"} -x | grep -E '^[0-9a-f]{4}  '
}

# isb_drops FILE: the isb_ifdrop of every Interface Statistics Block, summed
# (read straight from the blocks: tshark shows no ISB), and how many ISBs.
isb_drops() {
	od -An -tu4 -v -w4 "$1" | awk '
		{ w[n++] = $1 }
		END {
			for (i = 0; i + 1 < n; i += w[i + 1] / 4) {
				if (w[i + 1] < 12) break
				if (w[i] != 5) continue
				isbs++
				end = i + w[i + 1] / 4 - 1
				for (o = i + 5; o < end; o += 1 + int((int(w[o] / 65536) + 3) / 4)) {
					code = w[o] % 65536
					if (code == 0) break
					if (code == 5) drops += w[o + 1] + w[o + 2] * 4294967296
				}
			}
			printf "%d %d\n", drops, isbs
		}'
}

t "capture: setup"
check_cmd "up" "$NSMON" up
# Root's ping then uses an ICMP datagram socket: no NO_SOCKET drop per reply
# (README), so the floods below do not crowd the drop events of tests running
# beside this one (the drop tracepoint sees every namespace of the machine).
for ns in red blue; do
	check_cmd "ping_group_range" ip netns exec $ns sysctl -q -w net.ipv4.ping_group_range="0 0"
done
wait_links_up red blue || fail "links not up"

t "capture: ping -c 3 red -> blue: ARP and echoes on every interface of their path, in order"
for i in $IFACES; do tcpdump_on "$i" "arp or icmp"; done
# 5 copies of the flooded ARP request, 4 of the reply, 4 of each echo.
capture ping --proto arp,icmp --count 33 --timeout 30 -w "$tmp/ping.pcapng"
check_cmd "ping" ip netns exec red ping -c 3 -i 0.2 -W 2 -q $BLUE
wait $cap_pid
check_eq "exit code" "$?" 0
sleep 0.5	# tcpdump's last packets
stop_tcpdumps
copies "$tmp/ping.pcapng" >"$tmp/ping.copies"
check_eq "copies" "$(wc -l <"$tmp/ping.copies")" 33
want_req="red/veth-red:out host/veth-red-br:in host/veth-blue-br:out blue/veth-blue:in"
want_rep="blue/veth-blue:out host/veth-blue-br:in host/veth-red-br:out red/veth-red:in"
path() { awk -v k="$1" '$1 == k { printf "%s%s:%s", sep, $2, $3; sep = " " }' "$tmp/ping.copies"; }
check_eq "ARP request (who-has)" "$(path arp1)" "$want_req host/v-net-0:in"
check_eq "ARP reply (is-at)" "$(path arp2)" "$want_rep"
for seq in 1 2 3; do
	check_eq "echo request $seq" "$(path req.$seq)" "$want_req"
	check_eq "echo reply $seq" "$(path rep.$seq)" "$want_rep"
done
check_eq "order of the packets" "$(awk '!seen[$1]++ { printf "%s ", $1 }' "$tmp/ping.copies")" \
	"arp1 arp2 req.1 rep.1 req.2 rep.2 req.3 rep.3 "
check_eq "ARP summary as tshark shows it" \
	"$(tshark_read "$tmp/ping.pcapng" -Y 'frame.interface_name == "red/veth-red"' -T fields -e _ws.col.Info | head -2 | tr '\n' '|')" \
	"Who has $BLUE? Tell $RED|$BLUE is at $(ip -n blue -j link show veth-blue | jq -r '.[0].address')|"

t "capture: each interface's frames are tcpdump's on that interface, byte for byte"
for i in $IFACES; do
	f=$tmp/${i/\//_}.pcap
	check_eq "$i: frames (len, src, dst)" \
		"$(tshark_read "$tmp/ping.pcapng" -Y "frame.interface_name == \"$i\"" -T fields -e frame.len -e eth.src -e eth.dst | tr '\n' '|')" \
		"$(tshark_read "$f" -T fields -e frame.len -e eth.src -e eth.dst | tr '\n' '|')"
	[ "$(hex "$tmp/ping.pcapng" "frame.interface_name == \"$i\"")" = "$(hex "$f")" ] ||
		fail "$i: bytes differ from tcpdump's"
done

t "capture: the file's interfaces: names, namespaces, Ethernet, nanoseconds, loss statistics"
capinfos "$tmp/ping.pcapng" >"$tmp/capinfos" 2>&1 || fail "capinfos: $(head -3 "$tmp/capinfos")"
check_eq "interface names" "$(sed -n 's/^ *Name = //p' "$tmp/capinfos" | sort | tr '\n' ' ')" \
	"blue/veth-blue host/v-net-0 host/veth-blue-br host/veth-red-br red/veth-red "
check_eq "encapsulation" "$(sed -n 's/^ *Encapsulation = //p' "$tmp/capinfos" | sort -u)" "Ethernet (1 - ether)"
check_eq "time precision" "$(sed -n 's/^ *Time precision = //p' "$tmp/capinfos" | sort -u)" "nanoseconds (9)"
grep -q "Description = netns red (inode $(stat -L -c %i /run/netns/red)), veth-red:" "$tmp/capinfos" ||
	fail "red/veth-red's description lacks its namespace and inode: $(grep 'Description' "$tmp/capinfos" | head -1)"
check_eq "ISB drops, ISBs" "$(isb_drops "$tmp/ping.pcapng")" "0 5"

t "capture: the lines say what tcpdump -n says"
tcpdump_on red/veth-red "arp or icmp"
ip -n red neigh flush dev veth-red
capture lines -n red --proto arp,icmp --count 8 --timeout 20
check_cmd "ping" ip netns exec red ping -c 1 -W 2 -q $BLUE
wait $cap_pid
sleep 0.5
stop_tcpdumps
# "TIME red/veth-red Out SUMMARY": the namespace end's copies, against tcpdump there.
check_eq "summaries" "$(awk '$2 == "red/veth-red" { $1 = $2 = $3 = ""; print substr($0, 4) }' "$tmp/lines.out")" \
	"$(tcpdump -n -r "$tmp/red_veth-red.pcap" 2>/dev/null | cut -d' ' -f2-)"
grep -qE '^20[0-9-]{8}T[0-9:]{8}\.[0-9]{9}Z host/veth-red-br In IP 192\.168\.15\.1 > 192\.168\.15\.2: ICMP echo request, id [0-9]+, seq 1, length 64$' \
	"$tmp/lines.out" || fail "no echo request line at veth-red-br: $(head -3 "$tmp/lines.out")"
check_eq "-n red: only red's veth and its port" "$(awk '{print $2}' "$tmp/lines.out" | sort -u | tr '\n' ' ')" \
	"host/veth-red-br red/veth-red "

t "capture: --json, one object per copy"
capture json --proto icmp --count 8 --timeout 20 --json
check_cmd "ping" ip netns exec red ping -c 1 -W 2 -q $BLUE
wait $cap_pid
check_eq "objects" "$(jq -s length "$tmp/json.out")" 8
check_eq "the first" "$(head -1 "$tmp/json.out" | jq -c '[.interface, .namespace, .ifname, .direction, .length, .proto, .src, .dst, .icmp_type, .icmp_seq]')" \
	"[\"red/veth-red\",\"red\",\"veth-red\",\"out\",98,\"icmp\",\"$RED\",\"$BLUE\",8,1]"

t "capture: -w - into tshark -r -"
("$NSMON" capture --proto icmp --count 8 --timeout 20 -w - 2>"$tmp/pipe.err" |
	tshark -r - -T fields -e frame.interface_name -e icmp.type >"$tmp/pipe.out" 2>/dev/null) &
pipe_pid=$!
wait_for "$tmp/pipe.err" '^capturing on' || fail "capture into the pipe never started"
check_cmd "ping" ip netns exec red ping -c 1 -W 2 -q $BLUE
wait $pipe_pid
check_eq "tshark read" "$(awk '{print $1 ":" $2}' "$tmp/pipe.out" | tr '\n' ' ')" \
	"red/veth-red:8 host/veth-red-br:8 host/veth-blue-br:8 blue/veth-blue:8 blue/veth-blue:0 host/veth-blue-br:0 host/veth-red-br:0 red/veth-red:0 "

t "capture: SIGINT mid-flood: a whole file, and its ISB loss is the lost figure printed"
ip netns exec red ping -f -c 200000 -q $BLUE >/dev/null 2>&1 &
flood=$!
bg_pids="$bg_pids $flood"
capture flood --proto icmp --ring-kb 4 -w "$tmp/flood.pcapng"
sleep 1
kill -INT $cap_pid
wait $cap_pid
check_eq "exit code" "$?" 0
kill $flood 2>/dev/null; wait $flood 2>/dev/null
bg_pids=""
lost=$(sed -n 's/^capture: .* lost \([0-9]*\) (ring full)$/\1/p' "$tmp/flood.err")
[ "${lost:-0}" -gt 0 ] || fail "a 4 KiB ring lost nothing of a flood: $(cat "$tmp/flood.err")"
check_eq "ISB drops, ISBs" "$(isb_drops "$tmp/flood.pcapng")" "$lost 5"
n=$(tshark_read "$tmp/flood.pcapng" -T fields -e frame.number | wc -l)
[ "$n" -gt 0 ] || fail "no frames in the file"

t "capture: SIGTERM, too"
capture term --proto icmp -w "$tmp/term.pcapng"
check_cmd "ping" ip netns exec red ping -c 1 -W 2 -q $BLUE
kill -TERM $cap_pid
wait $cap_pid
check_eq "exit code" "$?" 0
check_eq "frames" "$(tshark_read "$tmp/term.pcapng" -T fields -e frame.number | wc -l)" 8

t "capture: a full disk ends the capture with a file readable up to its last block"
mkdir "$tmp/full" && mount -t tmpfs -o size=64k nsmon-test-full "$tmp/full"
ip netns exec red ping -f -c 20000 -q $BLUE >/dev/null 2>&1 &
flood=$!
bg_pids="$bg_pids $flood"
"$NSMON" capture --proto icmp -w "$tmp/full/cap.pcapng" --timeout 20 2>"$tmp/full.err"
rc=$?
kill $flood 2>/dev/null; wait $flood 2>/dev/null
bg_pids=""
check_eq "exit code" "$rc" 1
grep -q 'cannot write ".*cap.pcapng": No space left on device' "$tmp/full.err" ||
	fail "no error line naming the file and the reason: $(cat "$tmp/full.err")"
n=$(tshark_read "$tmp/full/cap.pcapng" -T fields -e frame.number | wc -l)
[ "$n" -gt 100 ] || fail "only $n frames read back"
umount "$tmp/full"

t "capture: a VLAN tag the kernel moved into the skb is written back"
tcpdump_on host/veth-red-br "vlan"
capture vlan --proto udp --port 7777 --count 5 --timeout 20 -w "$tmp/vlan.pcapng"
# Broadcast, 802.1Q VID 100, IPv4 UDP 192.168.15.1:7777 -> 192.168.15.99:7777, 18 bytes of payload.
red_mac=$(ip -n red -j link show veth-red | jq -r '.[0].address' | tr ':' ' ')
frame="ff ff ff ff ff ff $red_mac 81 00 00 64 08 00"
frame="$frame 45 00 00 2e 00 00 00 00 40 11 00 00 c0 a8 0f 01 c0 a8 0f 63"
frame="$frame 1e 61 1e 61 00 1a 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
check_cmd "send a tagged frame" ip netns exec red "$SEND_FRAME" veth-red 1 "$frame"
wait $cap_pid
sleep 0.5
stop_tcpdumps
check_eq "copies, tagged" \
	"$(tshark_read "$tmp/vlan.pcapng" -T fields -e frame.interface_name -e vlan.id -e udp.dstport | tr '\t\n' ': ')" \
	"red/veth-red:100:7777 host/veth-red-br:100:7777 host/veth-blue-br:100:7777 blue/veth-blue:100:7777 host/v-net-0:100:7777 "
[ "$(hex "$tmp/vlan.pcapng" 'frame.interface_name == "host/veth-red-br"')" = "$(hex "$tmp/host_veth-red-br.pcap")" ] ||
	fail "host/veth-red-br: bytes differ from tcpdump's"

t "capture: --proto matches and must not"
capture p1 --proto icmp --count 8 --timeout 20 -w "$tmp/p1.pcapng"
check_cmd "ping" ip netns exec red ping -c 1 -W 2 -q $BLUE
wait $cap_pid
check_eq "--proto icmp" "$(copies "$tmp/p1.pcapng" | wc -l)" 8
capture p2 --proto tcp,udp --timeout 2 -w "$tmp/p2.pcapng"
check_cmd "ping" ip netns exec red ping -c 1 -W 2 -q $BLUE
wait $cap_pid
check_eq "--proto tcp,udp" "$(copies "$tmp/p2.pcapng" | wc -l)" 0

t "capture: --host matches and must not"
capture h1 --host $BLUE --count 8 --timeout 20 -w "$tmp/h1.pcapng"
check_cmd "ping" ip netns exec red ping -c 1 -W 2 -q $BLUE
wait $cap_pid
check_eq "--host $BLUE" "$(copies "$tmp/h1.pcapng" 'icmp' | wc -l)" 8
capture h2 --host 192.168.15.3,fd00::2 --timeout 2 -w "$tmp/h2.pcapng"
check_cmd "ping" ip netns exec red ping -c 1 -W 2 -q $BLUE
wait $cap_pid
check_eq "--host 192.168.15.3,fd00::2" "$(copies "$tmp/h2.pcapng" | wc -l)" 0

t "capture: --port matches and must not"
udp9000() { ip netns exec red bash -c "echo hi >/dev/udp/$BLUE/9000"; }
capture o1 --port 9000 --count 4 --timeout 20 -w "$tmp/o1.pcapng"
check_cmd "udp" udp9000
wait $cap_pid
check_eq "--port 9000" "$(tshark_read "$tmp/o1.pcapng" -T fields -e frame.interface_name -e udp.dstport | tr '\t\n' ': ')" \
	"red/veth-red:9000 host/veth-red-br:9000 host/veth-blue-br:9000 blue/veth-blue:9000 "
capture o2 --port 9001 --timeout 2 -w "$tmp/o2.pcapng"
check_cmd "udp" udp9000
wait $cap_pid
check_eq "--port 9001" "$(copies "$tmp/o2.pcapng" | wc -l)" 0

t "capture: --snaplen cuts the copies, keeps their length"
capture snap --proto icmp --count 8 --timeout 20 --snaplen 64 -w "$tmp/snap.pcapng"
check_cmd "ping" ip netns exec red ping -c 1 -W 2 -q $BLUE
wait $cap_pid
check_eq "cap_len, len" "$(tshark_read "$tmp/snap.pcapng" -T fields -e frame.cap_len -e frame.len | sort -u | tr '\t' ' ')" "64 98"

t "capture: bad input is one line naming it, exit 2 (1 for what is not there)"
bad() {
	local want_rc=$1 want=$2 err rc
	shift 2
	err=$("$NSMON" capture "$@" 2>&1 >/dev/null); rc=$?
	check_eq "$* exit code" "$rc" "$want_rc"
	check_eq "$* lines" "$(echo "$err" | wc -l)" 1
	echo "$err" | grep -qF -- "$want" || fail "$*: error does not say $want: $err"
}
bad 2 '--proto "sctp"' --proto sctp
bad 2 '--host "192.168.15.300"' --host 192.168.15.300
bad 2 '--port "70000"' --port 70000
bad 2 '--snaplen "0"' --snaplen 0
bad 2 '--count "-1"' --count -1
bad 2 '"--proto" given twice' --proto tcp --proto udp
bad 2 '--ring-kb "2"' --ring-kb 2
bad 2 '--host "fe80::1%lo"' --host fe80::1%lo
bad 2 'choose one' -w "$tmp/x" --json
bad 2 'unknown option "--bogus"' --bogus
bad 1 'bridge "nope" is not monitored' --bridge nope
bad 1 'namespace "nowhere" is not in a monitored lab' -n nowhere
[ ! -e "$tmp/x" ] || fail "a refused capture left a file"

t "capture: nothing stays attached"
check_eq "capture programs" "$(bpftool -j prog show | jq '[.[] | select(.name | startswith("capture_"))] | length')" 0

t "capture: down"
check_cmd "down" "$NSMON" down
