#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Terminal manners: colours only on a terminal (script(1) gives one), off
# with NO_COLOR or --color=never, on with --color=always; output to a pipe
# byte for byte the same whatever the colour settings; `stats` fits 100
# columns for the seed lab, --wide shows every counter.
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; t_end' EXIT

ESC=$'\e'

# on_tty CMD...: CMD's output as a terminal shows it (script -q runs it on a pty).
on_tty() {
	local cmd
	printf -v cmd '%q ' "$@"
	script -q -e -c "$cmd" /dev/null | tr -d '\r'
}

check_cmd "nsmon up" "$NSMON" up
wait_links_up red blue || fail "links did not come up"
check_cmd "ping" ip netns exec red ping -c 3 -i 0.2 -W 2 -q 192.168.15.2

# One quiet moment for comparisons: the table twice the same.
quiet_table() {
	local i a b
	for i in $(seq 20); do
		a=$("$NSMON" "$@" stats)
		b=$("$NSMON" "$@" stats)
		[ "$a" = "$b" ] && { echo "$a"; return; }
		sleep 0.3
	done
	fail "the counters never stood still"
}

t "terminal: stats into a pipe carries no escape codes, whatever NO_COLOR and --color=never say"
plain=$(quiet_table)
case $plain in *"$ESC"*) fail "escape codes in: $plain" ;; esac
for i in $(seq 20); do
	a=$("$NSMON" stats); b=$(NO_COLOR=1 "$NSMON" stats); c=$("$NSMON" --color=never stats)
	d=$("$NSMON" --color auto stats)
	[ "$a" = "$b" ] && [ "$b" = "$c" ] && [ "$c" = "$d" ] && break
	sleep 0.3
done
check_eq "NO_COLOR" "$b" "$a"
check_eq "--color=never" "$c" "$a"
check_eq "--color auto" "$d" "$a"

t "terminal: --color=always colours the headings even into a pipe, and only adds escape codes"
for i in $(seq 20); do
	a=$("$NSMON" stats); b=$(NO_COLOR=1 "$NSMON" --color=always stats)
	[ "$a" = "$(echo "$b" | sed "s/$ESC\[[0-9;]*m//g")" ] && break
	sleep 0.3
done
check_eq "without the escapes" "$(echo "$b" | sed "s/$ESC\[[0-9;]*m//g")" "$a"
check_eq "first line" "$(echo "$b" | head -c 10 | od -An -c | tr -s ' ')" \
	"$(printf '\e[1mNETNS ' | od -An -c | tr -s ' ')"

t "terminal: on a terminal, headings in bold; not with NO_COLOR, --color=never or TERM=dumb"
out=$(TERM=xterm on_tty "$NSMON" stats)
case $out in "$ESC[1mNETNS"*) ;; *) fail "no bold heading on a terminal: $(echo "$out" | head -1 | od -c | head -2)" ;; esac
for env in "NO_COLOR=1 TERM=xterm" "TERM=dumb"; do
	out=$(env $env bash -c "$(declare -f on_tty); on_tty \"$NSMON\" stats")
	case $out in *"$ESC"*) fail "escape codes with $env" ;; esac
done
out=$(TERM=xterm on_tty "$NSMON" --color=never stats)
case $out in *"$ESC"*) fail "escape codes with --color=never" ;; esac
out=$(NO_COLOR=1 TERM=xterm on_tty "$NSMON" --color=always stats)
case $out in "$ESC[1mNETNS"*) ;; *) fail "--color=always did not beat NO_COLOR" ;; esac
check_eq "NO_COLOR empty counts as unset" "$(NO_COLOR= TERM=xterm on_tty "$NSMON" stats | head -c 4 | od -An -c | tr -s ' ')" \
	"$(printf '\e[1m' | od -An -c | tr -s ' ')"

t "terminal: watch's headings in bold on a terminal, none into a pipe"
out=$(TERM=xterm timeout 20 bash -c "$(declare -f on_tty); on_tty \"$NSMON\" watch --count 1 --interval 0.2")
case $out in *"$ESC[1mnsmon watch — v-net-0 — "*) ;; *) fail "no bold header: $(echo "$out" | od -c | head -5)" ;; esac
case $out in *"$ESC[1mNETNS "*) ;; *) fail "no bold column headings" ;; esac
out=$("$NSMON" watch --count 1 --interval 0.2 2>/dev/null)
case $out in *"$ESC"*) fail "escape codes in watch into a pipe" ;; esac

t "terminal: an error's nsmon: in red on a terminal, plain into a pipe"
err=$("$NSMON" stats --bogus 2>&1 >/dev/null)
check_eq "pipe" "$err" 'nsmon: stats: unknown option "--bogus" (try nsmon stats --help)'
err=$(TERM=xterm on_tty "$NSMON" stats --bogus)
check_eq "terminal" "$err" "${ESC}[1;31mnsmon:${ESC}[0m stats: unknown option \"--bogus\" (try nsmon stats --help)"
err=$("$NSMON" --color=sometimes stats 2>&1 >/dev/null); rc=$?
check_eq "bad --color" "$rc:$err" '2:nsmon: invalid --color "sometimes": use auto, always or never'

t "terminal: events' type tags in their colour"
"$NSMON" --color=always events --all --type netns --count 1 --timeout 20 >"$tmp/events" 2>"$tmp/events.err" &
pid=$!
# It stops after the first event it reports, once it is listening.
for i in $(seq 100); do
	ip netns add "green$i"
	ip netns del "green$i"
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
wait $pid
# The first it saw: one of the adds or one of the deletes.
grep -qE "\] ${ESC}\[35m\[NETNS\]${ESC}\[0m (added|deleted) green" "$tmp/events" ||
	fail "no coloured tag in: $(od -c "$tmp/events" | head -5)"
plain=$("$NSMON" events --all --type netns --count 1 --timeout 1 2>/dev/null)
case $plain in *"$ESC"*) fail "escape codes in events into a pipe" ;; esac

t "terminal: stats fits 100 columns for the seed lab; --wide shows every counter"
plain_table=$("$NSMON" stats)
width=$(echo "$plain_table" | awk '{ if (length > w) w = length } END { print w }')
[ "$width" -le 100 ] || fail "stats is $width columns wide: $plain_table"
check_eq "columns" "$(echo "$plain_table" | head -1 | tr -s ' ')" \
	"NETNS INTERFACE DIR PACKETS BYTES ARP-REQ ARP-REP ECHO-REQ ECHO-REP IPV4 IPV6 TCP UDP ICMP"
wide=$("$NSMON" stats --wide)
check_eq "wide columns" "$(echo "$wide" | head -1 | tr -s ' ')" \
	"NETNS INTERFACE DIR PACKETS BYTES SKBS ARP ARP-REQ ARP-REP ECHO-REQ ECHO-REP IPV4 IPV6 OTHER TCP UDP ICMP L4-OTHER UNICAST BCAST MCAST VLAN TRUNC"
check_eq "-w" "$("$NSMON" stats -w | head -1)" "$(echo "$wide" | head -1)"
# The wide table's columns are the document's counters, every one of them.
check_eq "every counter" "$(echo "$wide" | head -1 | wc -w)" \
	"$(( 3 + $("$NSMON" stats --json | jq '.namespaces[0].interfaces[0].rx | keys | length') ))"

check_cmd "nsmon down" "$NSMON" down
check_nothing_left
