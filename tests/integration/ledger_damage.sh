#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A damaged ledger is never fatal and never silent: `down` undoes every
# record it can read and says, in one line and escaped, what it could not
# and what to do (exit 1); `down --force` then removes what it finds by
# name; `up` works again afterwards. An empty ledger is lost, not "nothing
# to do". A pin path outside /sys/fs/bpf/nsmon is never unlinked.
. "$(dirname "$0")/../lib.sh"

LEDGER=/run/nsmon/v-net-0.lab

# down_reports NEEDLE: down exits 1 with one stderr line holding NEEDLE and
# the way out, and no control character (the ledger's bytes are escaped).
down_reports() {
	local err rc
	err=$("$NSMON" down 2>&1 >/dev/null); rc=$?
	check_eq "down's exit code" "$rc" 1
	check_eq "down's stderr lines" "$(echo "$err" | wc -l)" 1
	case "$err" in
	*"$1"*"down --force"*) ;;
	*) fail "down said '$err', not '$1' and the way out" ;;
	esac
	LC_ALL=C grep -q '[[:cntrl:]]' <<<"$err" && fail "down echoed control characters: $(cat -v <<<"$err")"
}

# force_clears: up refuses the damaged ledger, down --force removes it all, up works again.
force_clears() {
	local err rc
	err=$("$NSMON" up green 2>&1); rc=$?
	check_eq "up on it: exit code" "$rc" 1
	case "$err" in *"down --force"*) ;; *) fail "up said '$err'" ;; esac
	check_cmd "down --force" "$NSMON" down --force
	check_nothing_left
	check_cmd "up afterwards" "$NSMON" up
	check_cmd "down afterwards" "$NSMON" down
	check_nothing_left
}

t "damaged ledger: a truncated last record; the rest is undone"
check_cmd "up" "$NSMON" up
# Cut the ledger inside its last line (the commit): every object stays readable.
truncate -s -3 "$LEDGER"
down_reports "1 unreadable record"
check_eq "namespaces undone" "$(lab_namespaces | tr '\n' ' ')" ""
check_eq "links undone" "$(ip -j link | jq -r '[.[].ifname] | join(" ")')" "lo"
force_clears

t "damaged ledger: cut in the middle of a record"
check_cmd "up" "$NSMON" up
head -c "$(grep -b '^link .* veth-blue-br' "$LEDGER" | cut -d: -f1)" "$LEDGER" >"$LEDGER.new"
printf 'link 14 veth-bl' >>"$LEDGER.new"
mv "$LEDGER.new" "$LEDGER"
down_reports "unreadable record"
check_eq "namespaces undone" "$(lab_namespaces | tr '\n' ' ')" ""
# veth-blue-br's record was cut: its link stays until --force finds it by name.
force_clears

t "damaged ledger: binary garbage is reported escaped, never echoed raw"
check_cmd "up" "$NSMON" up
{
	head -n 5 "$LEDGER"
	printf 'pin 7 \033[2J\033]0;owned\007 \x00\xff\xfe binary\n'
	head -c 300 /dev/urandom | tr -d '\n'
	echo
	tail -n +6 "$LEDGER"
} >"$LEDGER.new"
mv "$LEDGER.new" "$LEDGER"
down_reports "2 unreadable records"
check_eq "namespaces undone" "$(lab_namespaces | tr '\n' ' ')" ""
check_eq "links undone" "$(ip -j link | jq -r '[.[].ifname] | join(" ")')" "lo"
# Its header, the subnet note and the two lines it could not read.
check_eq "the ledger keeps the unreadable lines" "$(wc -l <"$LEDGER")" 4
force_clears

t "damaged ledger: an empty ledger is lost, not nothing to do"
check_cmd "up" "$NSMON" up
: >"$LEDGER"
down_reports "is empty"
check_eq "the lab is still there" "$(lab_namespaces | tr '\n' ' ')" "blue red "
check_cmd "its programs still count" ip netns exec red ping -c 1 -W 2 -q 192.168.15.2
force_clears

t "damaged ledger: a record of an unknown kind"
check_cmd "up" "$NSMON" up
echo "frobnicate 99 something new" >>"$LEDGER"
down_reports "1 unreadable record"
check_eq "namespaces undone" "$(lab_namespaces | tr '\n' ' ')" ""
force_clears

t "damaged ledger: a pin path outside /sys/fs/bpf/nsmon is refused, never unlinked"
check_cmd "up" "$NSMON" up
victim=$(mktemp /tmp/nsmon-victim.XXXXXX)
printf 'pin 98 - 2 %s\ndone 98\npin 99 - 2 /sys/fs/bpf/nsmon/../../../..%s\n' "$victim" "$victim" >>"$LEDGER"
err=$("$NSMON" down 2>&1); rc=$?
check_eq "exit code" "$rc" 1
echo "$err" | grep -q "refusing to remove \"$victim\"" || fail "down did not say it refused: $err"
[ -e "$victim" ] || fail "down unlinked $victim"
check_eq "namespaces undone" "$(lab_namespaces | tr '\n' ' ')" ""
check_cmd "down --force" "$NSMON" down --force
[ -e "$victim" ] || fail "down --force unlinked $victim"
check_nothing_left
rm -f "$victim"

t "damaged ledger: down --force with no ledger at all removes the lab by name"
check_cmd "up" "$NSMON" up blue red green
rm "$LEDGER"
out=$("$NSMON" down 2>&1); rc=$?
check_eq "plain down: exit code" "$rc" 0
check_eq "plain down leaves the lab" "$(lab_namespaces | tr '\n' ' ')" "blue green red "
check_cmd "down --force" "$NSMON" down --force
check_nothing_left
check_cmd "up afterwards" "$NSMON" up
check_cmd "down afterwards" "$NSMON" down
check_nothing_left

t "damaged ledger: down --force keeps namespaces that only look like a lab's"
check_cmd "up" "$NSMON" up
# A port named as up names them, whose peer is not in the namespace of that name.
ip netns add other
ip link add veth-zz-br type veth peer name veth-zz netns other
ip link set veth-zz-br master v-net-0
: >"$LEDGER"
check_cmd "down --force" "$NSMON" down --force
check_eq "namespaces" "$(lab_namespaces | tr '\n' ' ')" "other "
check_eq "links" "$(ip -j link | jq -r '[.[].ifname] | join(" ")')" "lo veth-zz-br"
ip netns del other
wait_links_gone veth-zz-br || fail "veth-zz-br outlived its peer's namespace"
check_nothing_left
