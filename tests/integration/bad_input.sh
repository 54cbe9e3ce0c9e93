#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bad input: each case exits with its documented code, says what is wrong in
# one line that names the offending thing, and builds nothing. Then a failure
# half-way through `up` rolls back everything that `up` had made.
. "$(dirname "$0")/../lib.sh"

# case_fails CODE NEEDLE ARGS...: `nsmon ARGS` exits CODE with one line on
# stderr that contains NEEDLE, nothing on stdout, and leaves nothing behind.
case_fails() {
	local code=$1 needle=$2 out err rc
	shift 2
	t "bad input: nsmon $*"
	out=$("$NSMON" "$@" 2>/tmp/nsmon-bad.$$); rc=$?
	err=$(cat /tmp/nsmon-bad.$$)
	rm -f /tmp/nsmon-bad.$$
	check_eq "exit code" "$rc" "$code"
	check_eq "stderr lines" "$(echo "$err" | wc -l)" 1
	case "$err" in
	*"$needle"*) ;;
	*) fail "stderr '$err' does not name '$needle'" ;;
	esac
	check_eq "stdout" "$out" ""
	check_nothing_left
}

long16=abcdefghijklmnop
case_fails 2 "redredred" up redredred		# veth-redredred-br is 17 bytes
case_fails 2 "r/b" up r/b
case_fails 2 "a b" up "a b"
case_fails 2 "" up ""
case_fails 2 "red" up red blue red
case_fails 2 "." up .
case_fails 2 "$long16" up --bridge "$long16"
case_fails 2 "br:0" up --bridge br:0
case_fails 2 "10.0.0.0/33" up --subnet 10.0.0.0/33
case_fails 2 "10.0.0.1/24" up --subnet 10.0.0.1/24	# host bits set
case_fails 2 "300.1.1.0/24" up --subnet 300.1.1.0/24
case_fails 2 "10.0.0.0" up --subnet 10.0.0.0
case_fails 2 "10.0.0.0/30" up --subnet 10.0.0.0/30 a b c
case_fails 2 "10.0.0.0/31" up --subnet 10.0.0.0/31 a
# Subnets no lab belongs in: refused with the reason.
case_fails 2 "loopback" up --subnet 127.0.0.0/24
case_fails 2 "multicast" up --subnet 224.0.0.0/24
case_fails 2 "link-local" up --subnet 169.254.1.0/24
case_fails 2 "every address" up --subnet 0.0.0.0/0
case_fails 2 "wider than a /8" up --subnet 64.0.0.0/2
case_fails 2 "0.0.0.0/8" up --subnet 0.0.0.0/24
case_fails 2 "reserved" up --subnet 240.0.0.0/24
case_fails 2 "reserved" up --subnet 255.255.255.0/24
case_fails 2 "--force" detach --force	# down's alone
case_fails 2 "--subnet" up --subnet
case_fails 2 "--bridge" up --bridge
case_fails 2 "--frobnicate" up --frobnicate
case_fails 2 "fast" up --tc-mode fast
case_fails 2 "frob" frob
case_fails 2 "extra" down extra
case_fails 2 "--json" down --json
case_fails 2 "-n" stats -n
case_fails 1 "nsmon up" stats		# nothing to show yet
case_fails 1 "v-net-0" attach		# no such bridge to attach to

t "bad input: nsmon up as an unprivileged user"
err=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$NSMON" up 2>&1); rc=$?
check_eq "exit code" "$rc" 3
check_eq "stderr lines" "$(echo "$err" | wc -l)" 1
echo "$err" | grep -q "root" || fail "error does not say what is missing: $err"
check_nothing_left

t "bad input: nsmon up on a kernel without BTF"
# Hide the kernel's BTF in this sandbox only.
mount -t tmpfs nsmon-test-nobtf /sys/kernel/btf
err=$("$NSMON" up 2>&1); rc=$?
umount /sys/kernel/btf
check_eq "exit code" "$rc" 5
check_eq "stderr lines" "$(echo "$err" | wc -l)" 1
echo "$err" | grep -q "/sys/kernel/btf/vmlinux" || fail "error does not name the BTF file: $err"
check_nothing_left

t "bad input: an existing bridge that is not nsmon's is named and kept"
ip link add v-net-0 type bridge
err=$("$NSMON" up 2>&1); rc=$?
check_eq "exit code" "$rc" 4
check_eq "error" "$(echo "$err" | grep -c v-net-0)" 1
check_eq "bridge kept" "$(ip -j link show v-net-0 | jq -r '.[0].ifname')" v-net-0
ip link del v-net-0
check_nothing_left

t "bad input: an existing namespace is named and kept"
ip netns add blue
err=$("$NSMON" up 2>&1); rc=$?
check_eq "exit code" "$rc" 4
echo "$err" | grep -q '"blue"' || fail "error does not name blue: $err"
check_eq "namespaces" "$(lab_namespaces | tr '\n' ' ')" "blue "
ip netns del blue
check_nothing_left

t "bad input: a collision half-way through up rolls everything back"
# red is built whole before blue's bridge-side veth collides with this one.
ip link add veth-blue-br type bridge
err=$("$NSMON" up 2>&1); rc=$?
check_eq "exit code" "$rc" 4
check_eq "error lines" "$(echo "$err" | wc -l)" 1
echo "$err" | grep -q "veth-blue-br" || fail "error does not name veth-blue-br: $err"
echo "$err" | grep -q "File exists" || fail "error does not give the reason: $err"
check_eq "links" "$(ip -j link | jq -r '[.[].ifname] | join(" ")')" "lo veth-blue-br"
ip link del veth-blue-br
check_nothing_left
check_cmd "up works afterwards" "$NSMON" up
check_cmd "down" "$NSMON" down

t "bad input: a map pinned by another nsmon version is named, and nothing is built"
mkdir -p /sys/fs/bpf/nsmon
bpftool map create /sys/fs/bpf/nsmon/counters type percpu_hash key 16 value 64 entries 16 name counters ||
	fail "cannot pin a stand-in map"
err=$("$NSMON" up 2>&1); rc=$?
check_eq "exit code" "$rc" 4
check_eq "error lines" "$(echo "$err" | wc -l)" 1
echo "$err" | grep -q "/sys/fs/bpf/nsmon/counters was pinned by another version" ||
	fail "error does not name the pin: $err"
check_eq "namespaces" "$(lab_namespaces | wc -l)" 0
ip link show v-net-0 >/dev/null 2>&1 && fail "the bridge was built"
# The other version's pin is its to remove (with its labs), not ours.
rm /sys/fs/bpf/nsmon/counters || fail "up removed the other version's pin"
check_nothing_left
check_cmd "up works afterwards" "$NSMON" up
check_cmd "a second lab reuses the pins" "$NSMON" up --bridge v-net-1 --subnet 10.9.0.0/24 green
check_cmd "down v-net-1" "$NSMON" down --bridge v-net-1
check_cmd "down" "$NSMON" down

t "bad input: maps of our shape pinned by a build of another ABI are refused, and nothing is built"
check_cmd "up" "$NSMON" up
# What a lab left up by a build before the ABI mark looks like: the maps, no mark.
rm /sys/fs/bpf/nsmon/abi
err=$("$NSMON" up --bridge v-net-1 --subnet 10.9.0.0/24 green 2>&1); rc=$?
check_eq "exit code" "$rc" 4
check_eq "error lines" "$(echo "$err" | wc -l)" 1
echo "$err" | grep -q "pinned by another version of nsmon" || fail "error does not say why: $err"
ip link show v-net-1 >/dev/null 2>&1 && fail "the bridge was built"
[ -e /run/netns/green ] && fail "namespace green was built"
check_cmd "down the old lab" "$NSMON" down
check_nothing_left
