#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The ledger's files: root's only; written before anything is made (a
# ledger that cannot be written makes up fail cleanly, and down say so);
# namespaces deleted by hand are forgotten, their addresses given out again,
# and the ledger does not grow with each one that came and went.
. "$(dirname "$0")/../lib.sh"

LEDGER=/run/nsmon/v-net-0.lab

t "ledger files: the ledger is 0600 and /run/nsmon 0700"
check_cmd "up" "$NSMON" up
check_eq "ledger mode" "$(stat -c %a "$LEDGER")" 600
check_eq "lock mode" "$(stat -c %a /run/nsmon/v-net-0.lock)" 600
check_eq "directory mode" "$(stat -c %a /run/nsmon)" 700
check_eq "others cannot read it" "$(setpriv --reuid=nobody --regid=nogroup --clear-groups cat "$LEDGER" 2>/dev/null | wc -c)" 0

t "ledger files: with /run/nsmon read-only, up NS fails in one line and makes nothing"
mount --bind /run/nsmon /run/nsmon
mount -o remount,bind,ro /run/nsmon
err=$("$NSMON" up green 2>&1 >/dev/null); rc=$?
check_eq "exit code" "$rc" 1
check_eq "stderr lines" "$(echo "$err" | wc -l)" 1
echo "$err" | grep -q "Read-only file system" || fail "error does not say why: $err"
[ -e /run/netns/green ] && fail "namespace green was made"
ip link show veth-green-br >/dev/null 2>&1 && fail "veth-green-br was made"
check_eq "namespaces" "$(lab_namespaces | tr '\n' ' ')" "blue red "

t "ledger files: down that cannot rewrite the ledger says so in one line, exit 1"
err=$("$NSMON" down 2>&1 >/dev/null); rc=$?
check_eq "exit code" "$rc" 1
check_eq "stderr lines" "$(echo "$err" | wc -l)" 1
echo "$err" | grep -q "$LEDGER.*Read-only file system" || fail "error does not name the ledger and why: $err"
check_eq "the lab came down all the same" "$(lab_namespaces | tr '\n' ' ')" ""
umount /run/nsmon
check_cmd "down once it can write" "$NSMON" down
check_nothing_left

t "ledger files: a namespace deleted by hand gives its address to the next one"
check_cmd "up" "$NSMON" up --subnet 10.0.0.0/29 a b
for x in c d e f g h; do
	# A /29 has 6 host addresses: a and b hold two, each newcomer takes the third.
	check_cmd "up $x" "$NSMON" up "$x"
	check_eq "$x's address" "$(ip -n "$x" -j addr show dev "veth-$x" | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" 10.0.0.3
	ip netns del "$x"
	wait_links_gone "veth-$x-br" || fail "veth-$x-br outlived its namespace"
done
check_cmd "four more fill the /29" "$NSMON" up c d e f
err=$("$NSMON" up g 2>&1); rc=$?
check_eq "a seventh: exit code" "$rc" 2
echo "$err" | grep -q "6 in use" || fail "error: $err"
check_cmd "down" "$NSMON" down
check_nothing_left

t "ledger files: 60 namespaces come and go, the ledger stays the size of the lab"
check_cmd "up" "$NSMON" up
size=$(wc -l <"$LEDGER")
for i in $(seq 60); do
	out=$("$NSMON" up "x$i" 2>&1) || fail "up x$i: $out"
	ip netns del "x$i"
done
check_cmd "up last" "$NSMON" up last
ip netns del last
wait_links_gone veth-last-br || fail "veth-last-br outlived its namespace"
check_cmd "up red refused (after compacting)" bash -c "! '$NSMON' up red 2>/dev/null"
lines=$(wc -l <"$LEDGER")
# One namespace's records (a dozen lines) may wait for the next change to go.
[ "$lines" -le $((size + 20)) ] || fail "the ledger grew from $size to $lines lines"
check_eq "namespaces" "$(lab_namespaces | tr '\n' ' ')" "blue red "
check_cmd "down" "$NSMON" down
check_nothing_left
