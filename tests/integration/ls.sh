#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nsmon ls: every namespace of the machine, with the names `ip netns` gives,
# the interfaces of network namespaces and whether nsmon counts them, checked
# against what stat, ip and /proc say.
. "$(dirname "$0")/../lib.sh"

# ls_ns TYPE INODE: set $obj to that namespace's object from `nsmon ls --json`
# ("" if it is not listed). Not a $(...): a failure must reach this shell.
ls_ns() {
	local type=$1 inode=$2 out
	obj=""
	out=$("$NSMON" ls --json 2>&1) || { fail "nsmon ls --json: $out"; return; }
	obj=$(echo "$out" | jq -c --arg type "$type" --argjson inode "$inode" \
		'.namespaces[] | select(.type == $type and .inode == $inode)')
}

t "ls: the lab's namespaces are named, with their interfaces, and monitored"
check_cmd "nsmon up" "$NSMON" up
wait_links_up red blue || fail "links did not come up"
for ns in red blue; do
	ls_ns net "$(stat -L -c %i /run/netns/$ns)"
	check_eq "$ns name" "$(echo "$obj" | jq -r .name)" "$ns"
	check_eq "$ns veth" "$(echo "$obj" | jq -r --arg ifn "veth-$ns" \
		'.interfaces[] | select(.name == $ifn) | .up')" true
	check_eq "$ns veth ifindex" "$(echo "$obj" | jq -r --arg ifn "veth-$ns" \
		'.interfaces[] | select(.name == $ifn) | .ifindex')" \
		"$(ip -n "$ns" -j link show "veth-$ns" | jq -r '.[0].ifindex')"
	check_eq "$ns lo" "$(echo "$obj" | jq -r '[.interfaces[].name] | index("lo") != null')" true
	check_eq "$ns monitored" "$(echo "$obj" | jq -r .monitored)" true
done

t "ls: a namespace nobody is in is listed by its name, unmonitored"
check_cmd "ip netns add green" ip netns add green
ls_ns net "$(stat -L -c %i /run/netns/green)"
check_eq "green" "$(echo "$obj" | jq -c '[.name, .processes, .pid, .command, .monitored]')" \
	'["green",0,null,null,false]'
check_eq "green interfaces" "$(echo "$obj" | jq -c '[.interfaces[] | [.name, .up]]')" '[["lo",false]]'

t "ls: a process's own uts namespace counts it, by pid and command"
unshare -u sleep 30 &
pid=$!
# unshare execs sleep once the namespace is made.
for i in $(seq 50); do
	[ "$(cat /proc/$pid/comm 2>/dev/null)" = sleep ] && break
	sleep 0.1
done
ls_ns uts "$(stat -L -c %i /proc/$pid/ns/uts)"
check_eq "uts" "$(echo "$obj" | jq -c '[.processes, .pid, .command, .name, has("interfaces")]')" \
	"[1,$pid,\"sleep\",null,false]"
kill $pid
wait $pid 2>/dev/null

t "ls: -t pid lists pid namespaces only"
out=$("$NSMON" ls --json -t pid 2>&1) || fail "nsmon ls --json -t pid: $out"
check_eq "types" "$(echo "$out" | jq -r '[.namespaces[].type] | unique | join(" ")')" pid
check_eq "ours" "$(echo "$out" | jq --argjson i "$(stat -L -c %i /proc/self/ns/pid)" \
	'[.namespaces[] | select(.inode == $i)] | length')" 1

t "ls: -t bogus is a usage error naming the type"
out=$("$NSMON" ls -t bogus 2>/tmp/nsmon-ls.$$); rc=$?
err=$(cat /tmp/nsmon-ls.$$)
rm -f /tmp/nsmon-ls.$$
check_eq "exit code" "$rc" 2
check_eq "stderr lines" "$(echo "$err" | wc -l)" 1
case "$err" in
*'"bogus"'*) ;;
*) fail "stderr '$err' does not name bogus" ;;
esac
check_eq "stdout" "$out" ""

t "ls: the table shows the lab's namespaces"
out=$("$NSMON" ls 2>&1) || fail "nsmon ls: $out"
echo "$out" | grep -Eq '^net +[0-9]+ red ' || fail "no row for red in: $(echo "$out" | head -5)"
echo "$out" | grep -Eq '^ +veth-red +ifindex [0-9]+ +up$' || fail "no line for veth-red"

t "ls: cleanup"
check_cmd "nsmon down" "$NSMON" down
check_cmd "ip netns del green" ip netns del green
check_nothing_left
