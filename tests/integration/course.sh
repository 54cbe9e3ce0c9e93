#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The seed course's own commands beside nsmon's: `ps -o pid,pidns,netns,...`
# and `ls -l /proc/PID/ns` against `nsmon ls -p PID`, who is in a namespace
# against `nsmon ls --processes`, and `brctl show` (bridge-utils) on the lab
# `nsmon up` builds.
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
sleepers=""
trap '[ -n "$sleepers" ] && kill $sleepers 2>/dev/null; rm -rf "$tmp"; t_end' EXIT

# ps's name of each column nsmon ls lists (ps has no cgroupns or timens column).
declare -A ps_col=([pid]=pidns [net]=netns [mnt]=mntns [ipc]=ipcns [uts]=utsns [user]=userns)

t "course: ls -p \$\$ lists the namespace of each type this shell is in, as /proc/\$\$/ns shows"
doc=$("$NSMON" ls -p $$ --json) || fail "nsmon ls -p $$ --json failed"
for type in net mnt pid uts ipc user cgroup time; do
	check_eq "$type" "$(echo "$doc" | jq -r --arg t "$type" '[.namespaces[] | select(.type == $t) | .inode] | join(" ")')" \
		"$(readlink /proc/$$/ns/$type | sed 's/.*:\[\([0-9]*\)\]/\1/')"
done
check_eq "one per type" "$(echo "$doc" | jq '.namespaces | length')" 8
check_eq "the process" "$(echo "$doc" | jq -c .process)" \
	"$(jq -cn --argjson pid $$ --arg args "$(ps -ww -o args= -p $$)" '{pid: $pid, args: $args}')"

t "course: ls -p agrees with ps -o pid,pidns,netns,mntns,ipcns,utsns,userns,args"
for type in "${!ps_col[@]}"; do
	check_eq "$type" "$(echo "$doc" | jq -r --arg t "$type" '.namespaces[] | select(.type == $t) | .inode')" \
		"$(ps -o "${ps_col[$type]}=" -p $$ | tr -d ' ')"
done
table=$("$NSMON" ls -p $$) || fail "nsmon ls -p $$ failed"
# Namespace rows start in the first column, their interfaces' lines under them do not.
check_eq "table rows" "$(echo "$table" | awk 'NR > 1 && /^[a-z]/ { print $1 ":[" $2 "]" }' | sort)" \
	"$(for t in net mnt pid uts ipc user cgroup time; do readlink /proc/$$/ns/$t; done | sed 's/^\([a-z]*\):/\1:/' | sort)"

t "course: ls -p of a process that is not there fails, naming it"
err=$("$NSMON" ls -p 2147483647 2>&1 >/dev/null); rc=$?
check_eq "exit code" "$rc" 1
check_eq "message" "$err" "nsmon: cannot read the namespaces of pid 2147483647: no such process"
usage_err=$("$NSMON" ls -p 0 2>&1 >/dev/null); rc=$?
check_eq "pid 0 exit code" "$rc" 2

t "course: ls --processes shows who is in red, with their command lines, as ps sees them"
check_cmd "ip netns add red" ip netns add red
red=$(stat -L -c %i /run/netns/red)
ip netns exec red sleep 600 &
sleepers=$!
ip netns exec red sleep 601 &
sleepers="$sleepers $!"
for pid in $sleepers; do
	for i in $(seq 50); do
		[ "$(readlink /proc/$pid/ns/net)" = "net:[$red]" ] &&
			[ "$(cat /proc/$pid/comm 2>/dev/null)" = sleep ] && break
		sleep 0.1
	done
done
doc=$("$NSMON" ls -t net --processes --json) || fail "nsmon ls --processes --json failed"
check_eq "red's processes" "$(echo "$doc" | jq -c '.namespaces[] | select(.name == "red") | .process_list')" \
	"$(for pid in $sleepers; do ps -ww -o pid=,args= -p $pid; done |
		jq -cRn '[inputs | capture(" *(?<pid>[0-9]+) (?<args>.*)") | .pid |= tonumber]')"
check_eq "red's, as ps -o pid,netns shows" \
	"$(echo "$doc" | jq -r '.namespaces[] | select(.name == "red") | .process_list[].pid' | tr '\n' ' ')" \
	"$(ps -e -o pid=,netns= | awk -v ns="$red" '$2 == ns { print $1 }' | sort -n | tr '\n' ' ')"
check_eq "every list as long as its count" \
	"$(echo "$doc" | jq '[.namespaces[] | select((.process_list | length) != .processes)] | length')" 0
table=$("$NSMON" ls -t net --processes) || fail "nsmon ls --processes failed"
for pid in $sleepers; do
	echo "$table" | sed -n '/^net .* red /,/^net /p' | grep -qE "^ +pid $pid +sleep 60[01]$" ||
		fail "no line for $pid under red in: $table"
done

t "course: a kernel thread's command is [comm], as ps shows it"
doc=$("$NSMON" ls -t pid --processes --json) || fail "nsmon ls -t pid --processes failed"
check_eq "pid 2" "$(echo "$doc" | jq -r '.namespaces[].process_list[] | select(.pid == 2) | .args')" \
	"$(ps -ww -o args= -p 2)"
kill $sleepers
wait $sleepers 2>/dev/null
sleepers=""
check_cmd "ip netns del red" ip netns del red

t "course: brctl show lists v-net-0 and its ports after nsmon up"
check_cmd "nsmon up" "$NSMON" up
out=$(brctl show v-net-0 2>&1) || fail "brctl show: $out"
check_eq "bridge" "$(echo "$out" | awk 'NR == 2 { print $1 }')" v-net-0
check_eq "ports" "$(echo "$out" | awk 'NR == 2 { print $4 } NR > 2 { print $1 }' | sort | tr '\n' ' ')" \
	"veth-blue-br veth-red-br "
out=$(brctl show 2>&1) || fail "brctl show: $out"
echo "$out" | grep -q '^v-net-0' || fail "brctl show does not list v-net-0: $out"
check_cmd "nsmon down" "$NSMON" down
check_nothing_left
