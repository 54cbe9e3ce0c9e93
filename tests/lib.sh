# SPDX-License-Identifier: GPL-2.0
# Shell test helpers, after the kernel's selftests/net/lib.sh.
# A test script sources this, calls `t NAME` before each case and the check_*
# helpers inside it; lines "PASS: ..."/"FAIL: ..."/"SKIP: ..." go to stdout.
# Scripts run inside tests/sandbox.sh: a private netns, /run and /sys/fs/bpf.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NSMON=${NSMON:-$TOP/nsmon}
# tests/helpers/send_frame.c: a raw frame out of an interface (make tests-build).
SEND_FRAME=${SEND_FRAME:-$TOP/.output/tests/helpers/send_frame}
SEED_LAB=${SEED_LAB:-$TOP/tests/seed-lab.sh}

_t_name=""
_t_failed=0

# Close the previous case, open a new one.
t() {
	t_end
	_t_name=$1
	_t_failed=0
}

t_end() {
	if [ -n "$_t_name" ] && [ "$_t_failed" = 0 ]; then
		echo "PASS: $_t_name"
	fi
	_t_name=""
}

fail() {
	echo "FAIL: $_t_name: $*"
	_t_failed=1
}

skip() {
	echo "SKIP: $_t_name: $*"
	_t_name=""
}

# check_eq WHAT GOT WANT
check_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# check_cmd WHAT CMD...: CMD must succeed
check_cmd() {
	local what=$1
	shift
	local out
	out=$("$@" 2>&1) || fail "$what: '$*' failed: $(echo "$out" | head -3)"
}

trap t_end EXIT

# ---- lab helpers -----------------------------------------------------------

# lab_namespaces: the named namespaces, one per line.
lab_namespaces() {
	ip -j netns list | jq -r '.[].name' | sort
}

# wait_links_up NS...: wait (up to 5 s) until every link but lo in the root
# namespace and in each NS reports operstate UP (the bridge takes a moment).
wait_links_up() {
	local i n down
	for i in $(seq 50); do
		down=0
		for n in "" "$@"; do
			ip ${n:+-n "$n"} -j link | jq -e 'any(.[]; .ifname != "lo" and .operstate != "UP")' \
				>/dev/null && down=1
		done
		[ $down = 0 ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_links_gone, shared with the benchmarks (which have no test trap).
. "$(dirname "${BASH_SOURCE[0]}")/wait_links.sh"

# kernel_counts NS...: "NETNS IFNAME RX_PACKETS RX_BYTES TX_PACKETS TX_BYTES" for
# every link but lo, from the kernel's own counters (ip -s link); the root
# namespace is "host". The bridge's rx bytes get back the 14-byte Ethernet
# header the kernel leaves out of them (see README, "bytes").
kernel_counts() {
	local n
	for n in "" "$@"; do
		ip ${n:+-n "$n"} -s -d -j link | jq -r --arg ns "${n:-host}" '.[] | select(.ifname != "lo") |
			(if .linkinfo.info_kind == "bridge" then 14 * .stats64.rx.packets else 0 end) as $eth |
			"\($ns) \(.ifname) \(.stats64.rx.packets) \(.stats64.rx.bytes + $eth) \(.stats64.tx.packets) \(.stats64.tx.bytes)"'
	done | sort
}

# kernel_drops NS...: "NETNS IFNAME rx_dropped tx_dropped" of the links whose
# kernel drop counters are not zero, for failure messages.
kernel_drops() {
	local n
	for n in "" "$@"; do
		ip ${n:+-n "$n"} -s -j link | jq -r --arg ns "${n:-host}" '.[] |
			select(.stats64.rx.dropped + .stats64.tx.dropped > 0) |
			"\($ns) \(.ifname) rx_dropped \(.stats64.rx.dropped) tx_dropped \(.stats64.tx.dropped)"'
	done | tr '\n' ';'
}

# port_tx_dropped: "NS PACKETS" for each port veth-NS-br of the root
# namespace whose kernel tx_dropped is not 0 (the test labs' names pair them).
port_tx_dropped() {
	ip -s -j link | jq -r '.[] | select(.ifname | test("^veth-.*-br$")) |
		select(.stats64.tx.dropped > 0) |
		"\(.ifname | sub("^veth-"; "") | sub("-br$"; "")) \(.stats64.tx.dropped)"'
}

# kernel_counts_with_drops LINES NS...: kernel_counts' LINES with the rule of
# README's "A frame dropped between two hooks" applied: a port's tx_dropped
# frames were counted by nsmon as the port's tx and its namespace end's rx,
# so they are added to those packets; their bytes no kernel counter keeps,
# so the bytes of both become "?" (mask_dropped_bytes does the same to ours).
kernel_counts_with_drops() {
	local lines=$1 ns n
	shift
	while read -r ns n; do
		lines=$(echo "$lines" | awk -v ns="$ns" -v n="$n" '
			$1 == "host" && $2 == "veth-" ns "-br" { $5 += n; $6 = "?" }
			$1 == ns && $2 == "veth-" ns { $3 += n; $4 = "?" }
			{ print }')
	done < <(port_tx_dropped)
	echo "$lines"
}

# mask_dropped_bytes OURS KERNEL: OURS with "?" for bytes where KERNEL has it.
mask_dropped_bytes() {
	awk 'NR == FNR { for (i = 4; i <= 6; i += 2) if ($i == "?") mask[$1 " " $2 " " i] = 1; next }
	     { for (i = 4; i <= 6; i += 2) if (mask[$1 " " $2 " " i]) $i = "?"; print }' \
		<(echo "$2") <(echo "$1")
}

# nsmon_counts [KEY [DOC]]: the same lines from `nsmon stats --json` (or
# from the document DOC), KEY (default packets) in place of the packets:
# `skbs` is what the kernel counts on a veth when GSO is in play.
nsmon_counts() {
	local key=${1:-packets}
	{ if [ -n "${2:-}" ]; then echo "$2"; else "$NSMON" stats --json; fi; } | jq -r --arg k "$key" '
		(.namespaces[] | .name as $ns | .interfaces[] |
			"\($ns) \(.name) \(.rx[$k]) \(.rx.bytes) \(.tx[$k]) \(.tx.bytes)"),
		(.bridges[] | (.ports[] |
			"host \(.name) \(.rx[$k]) \(.rx.bytes) \(.tx[$k]) \(.tx.bytes)"),
			"host \(.name) \(.local.rx[$k]) \(.local.rx.bytes) \(.local.tx[$k]) \(.local.tx.bytes)")' |
		sort
}

# nsmon_kernel_counts [DOC]: the kernel's counters as `stats --json` reports
# them beside its own (the "kernel" objects), in kernel_counts' lines.
nsmon_kernel_counts() {
	{ if [ -n "${1:-}" ]; then echo "$1"; else "$NSMON" stats --json; fi; } | jq -r '
		def line($ns; $i; $eth): "\($ns) \($i.name // "") \($i.kernel.rx.packets) \($i.kernel.rx.bytes + $eth * $i.kernel.rx.packets) \($i.kernel.tx.packets) \($i.kernel.tx.bytes)";
		(.namespaces[] | .name as $ns | .interfaces[] | line($ns; .; 0)),
		(.bridges[] | (.ports[] | line("host"; .; 0)),
			(.name as $br | .local | .name = $br | line("host"; .; 14)))' |
		sort
}

# bridge_sums_broken [DOC]: the places whose forwarding sums break the
# README's rule (a port: rx.skbs = forwarded.rx + flooded.rx + local +
# dropped; the bridge device: rx.skbs = forwarded.rx + flooded.rx and
# tx.skbs = forwarded.tx + flooded.tx + dropped), one line each; nothing
# when every place keeps it.
bridge_sums_broken() {
	{ if [ -n "${1:-}" ]; then echo "$1"; else "$NSMON" stats --json; fi; } | jq -r '
		.bridges[] | .name as $br |
		(.ports[] | select(.rx.skbs != .forwarded.rx + .flooded.rx + .local + .dropped) |
			"\(.name): rx.skbs \(.rx.skbs) != \(.forwarded.rx) + \(.flooded.rx) + \(.local) + \(.dropped)"),
		(.local | select(.rx.skbs != .forwarded.rx + .flooded.rx) |
			"\($br) local: rx.skbs \(.rx.skbs) != \(.forwarded.rx) + \(.flooded.rx)"),
		(.local | select(.tx.skbs != .forwarded.tx + .flooded.tx + .dropped) |
			"\($br) local: tx.skbs \(.tx.skbs) != \(.forwarded.tx) + \(.flooded.tx) + \(.dropped)")'
}

# check_counts_match_kernel [--key KEY] NS...: nsmon's packets (or KEY) and
# bytes equal the kernel's for every interface. Both are read at a quiet
# moment: a kernel snapshot, nsmon's, and a kernel snapshot again that
# equals the first (IPv6 router solicitations and MLD reports come when
# they like).
check_counts_match_kernel() {
	local key=packets
	[ "$1" = --key ] && { key=$2; shift 2; }
	check_counts_stable_match "$key" 1 "$@"
}

# check_counts_stable_match KEY TIMES NS...: compare as check_counts_match_kernel
# does at TIMES quiet moments, half a second apart (trying up to 20 more
# times for moments that are quiet), and at each also the kernel's counters
# that `stats` reports beside its own, no frame the kernel counted unseen,
# and the bridges' forwarding sums (bridge_sums_broken). Stops at the first
# difference: a count that trails the kernel's shows at the moment it trails.
check_counts_stable_match() {
	local key=$1 times=$2 i compared=0 before after doc ours broken
	shift 2
	for i in $(seq $((times + 20))); do
		before=$(kernel_counts "$@")
		doc=$("$NSMON" stats --json)
		after=$(kernel_counts "$@")
		if [ "$before" = "$after" ]; then
			compared=$((compared + 1))
			ours=$(nsmon_counts "$key" "$doc")
			# The README's rule for a frame a port's hook saw and its veth then
			# dropped (a full backlog, which other floods on the machine fill).
			before=$(kernel_counts_with_drops "$before" "$@")
			ours=$(mask_dropped_bytes "$ours" "$before")
			[ "$ours" = "$before" ] ||
				{ fail "comparison $compared: nsmon ($key) vs ip -s link: $(diff <(echo "$before") <(echo "$ours") | grep '^[<>]' | tr '\n' ' ')(kernel drops: $(kernel_drops "$@"))"; return; }
			ours=$(nsmon_kernel_counts "$doc")
			[ "$ours" = "$after" ] ||
				{ fail "comparison $compared: stats' kernel counters vs ip -s link: $(diff <(echo "$before") <(echo "$ours") | grep '^[<>]' | tr '\n' ' ')"; return; }
			ours=$(echo "$doc" | jq -c '[.namespaces[].interfaces[], .bridges[].ports[], .bridges[].local | .kernel.rx.unseen, .kernel.tx.unseen] | add')
			[ "$ours" = 0 ] || { fail "comparison $compared: $ours frames the kernel counted are unseen"; return; }
			broken=$(bridge_sums_broken "$doc")
			[ -z "$broken" ] || { fail "comparison $compared: bridge sums: $(echo "$broken" | tr '\n' ' ')"; return; }
			[ $compared -ge "$times" ] && return
		fi
		sleep 0.5
	done
	fail "the kernel's counters stood still for $compared comparisons of $times"
}

# nsmon_stat NS IFNAME DIR KEY: one counter from `nsmon stats --json`; NS "host"
# reads the bridge ports and the bridge itself.
nsmon_stat() {
	"$NSMON" stats --json | jq -r --arg ns "$1" --arg ifn "$2" --arg dir "$3" --arg key "$4" '
		if $ns == "host" then
			(.bridges[] | (.ports[] | select(.name == $ifn)), (select(.name == $ifn) | .local))
		else
			(.namespaces[] | select(.name == $ns) | .interfaces[] | select(.name == $ifn))
		end | .[$dir][$key]'
}

# check_ping_counted FROM FROM_IF TO TO_IF TO_ADDR: `ping -c 5` from namespace
# FROM to TO_ADDR succeeds and adds exactly 5 echo requests and 5 replies on
# both namespace-side veths, each in its direction.
check_ping_counted() {
	local from=$1 from_if=$2 to=$3 to_if=$4 addr=$5 k
	local -A before
	for k in "$from $from_if tx icmp_echo_request" "$from $from_if rx icmp_echo_reply" \
		 "$to $to_if rx icmp_echo_request" "$to $to_if tx icmp_echo_reply"; do
		before[$k]=$(nsmon_stat $k)
	done
	check_cmd "ping $from -> $addr" ip netns exec "$from" ping -c 5 -i 0.2 -W 2 -q "$addr"
	for k in "${!before[@]}"; do
		check_eq "$k" "$(nsmon_stat $k)" "$((before[$k] + 5))"
	done
}

# port_filters DEV: the names of the BPF programs in DEV's clsact filters,
# ingress then egress, on one line.
port_filters() {
	local d
	for d in ingress egress; do
		tc -j filter show dev "$1" "$d" | jq -r '.[].options.bpf_name // empty | sub(":\\[.*"; "")'
	done | paste -sd' '
}

# counters_map_id: the id of nsmon's pinned counters map, "" if there is none.
counters_map_id() {
	bpftool -j map show pinned /sys/fs/bpf/nsmon/counters 2>/dev/null | jq -r '.id // empty'
}

# check_map_released ID: the map ID is gone from the kernel (within 3 s):
# every program that used it, and so every link and filter that held one of
# those programs, has been released.
check_map_released() {
	local i
	for i in $(seq 30); do
		bpftool map show id "$1" >/dev/null 2>&1 || return 0
		sleep 0.1
	done
	fail "counters map $1 is still held: some program is still attached"
}

# check_nothing_left: no namespace, no link but lo, no pin, no state file.
check_nothing_left() {
	check_eq "namespaces" "$(lab_namespaces | tr '\n' ' ')" ""
	check_eq "links" "$(ip -j link | jq -r '[.[].ifname] | join(" ")')" "lo"
	check_eq "pins" "$(ls -A /sys/fs/bpf/nsmon 2>/dev/null)" ""
	check_eq "state files" "$(ls -A /run/nsmon 2>/dev/null)" ""
}

# ---- nsmon path ---------------------------------------------------------------

# start_path OUT ARGS...: `nsmon path ARGS --json >OUT` in the background ($tracer),
# returning once it traces (-v says so on stderr; 20 s at most on a busy machine).
start_path() {
	local out=$1 i
	shift
	"$NSMON" -v path "$@" --json >"$out" 2>"$out.err" &
	tracer=$!
	for i in $(seq 200); do
		grep -q '^tracing ' "$out.err" && return 0
		kill -0 $tracer 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# ---- fault injection (user/util/fault.h) -----------------------------------

# killed N CMD...: run CMD with a kill at step N; echo "killed", "done" or "failed RC".
killed() {
	local n=$1 rc
	shift
	NSMON_TEST_KILL_AT=$n "$@" >/dev/null 2>&1
	rc=$?
	case $rc in
	137) echo killed ;;
	0) echo done ;;
	*) echo "failed $rc" ;;
	esac
}

# check_clean MAP: nothing left (as check_nothing_left, in fewer forks: the
# fault tests run it hundreds of times), and the counters map MAP (if any)
# released, so no program is left attached anywhere.
check_clean() {
	check_eq "namespaces" "$(ls -A /run/netns 2>/dev/null)" ""
	check_eq "links" "$(ip -o link show | awk -F': ' '{print $2}' | paste -sd' ')" "lo"
	check_eq "pins" "$(ls -A /sys/fs/bpf/nsmon 2>/dev/null)" ""
	check_eq "state files" "$(ls -A /run/nsmon 2>/dev/null)" ""
	[ -n "$1" ] && check_map_released "$1"
}
