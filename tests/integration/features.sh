#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nsmon features: every probe is there, true or false, true where this kernel
# has the feature (README: tcx, clsact, XDP, tp_btf, ring buffers, BTF,
# bpf_get_netns_cookie() in tc) and false where it has not (kprobes, fentry);
# the probes leave nothing behind; and up attaches through the function the
# tcx probe calls, whose answer it reports.
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; t_end' EXIT

probes="btf tcx clsact xdp_native_veth xdp_generic_veth ringbuf tp_btf tc_netns_cookie
	kprobes fentry netns_cookie netlink_all_nsid"
# What the kernel the tests run on offers (the brief every change is made against).
declare -A want=([btf]=true [tcx]=true [clsact]=true [xdp_native_veth]=true
	[xdp_generic_veth]=true [ringbuf]=true [tp_btf]=true [tc_netns_cookie]=true
	[kprobes]=false [fentry]=false [netns_cookie]=true [netlink_all_nsid]=true)

t "features: --json has every probe, true or false, and says why for each false one"
doc=$("$NSMON" features --json 2>"$tmp/features.err") || fail "nsmon features --json: $(cat "$tmp/features.err")"
check_eq "stderr" "$(cat "$tmp/features.err")" ""
check_eq "probes" "$(echo "$doc" | jq -r '.features | keys_unsorted | join(" ")')" "$(echo $probes)"
for p in $probes; do
	check_eq "$p is a boolean" "$(echo "$doc" | jq -r --arg p "$p" '.features[$p].available | type')" boolean
	check_eq "$p why_not" "$(echo "$doc" | jq -r --arg p "$p" '.features[$p] |
		if .available then (.why_not == null) else (.why_not | length > 0) end')" true
	check_eq "$p has uses and without" "$(echo "$doc" | jq -r --arg p "$p" '.features[$p] |
		(.uses | length > 0) and (.without | length > 0)')" true
done
check_eq "kernel" "$(echo "$doc" | jq -r .kernel)" "$(uname -r)"

t "features: on this kernel kprobes and fentry are missing, tcx and the rest are there"
for p in $probes; do
	check_eq "$p" "$(echo "$doc" | jq -r --arg p "$p" '.features[$p].available')" "${want[$p]}"
done
check_eq "tc_mode" "$(echo "$doc" | jq -r .choices.tc_mode)" tcx
check_eq "xdp" "$(echo "$doc" | jq -r .choices.xdp)" true

t "features: the table lists every probe with yes or no"
out=$("$NSMON" features) || fail "nsmon features failed"
for p in $probes; do
	echo "$out" | grep -qE "^$p +(yes|no) " || fail "no line for $p in: $out"
	check_eq "$p in the table" "$(echo "$out" | awk -v p="$p" '$1 == p { print $2 }')" \
		"$([ "${want[$p]}" = true ] && echo yes || echo no)"
done

t "features: the probes leave no link, qdisc, namespace or program behind"
check_eq "links" "$(ip -j link | jq -r '[.[].ifname] | join(" ")')" lo
check_eq "qdiscs on lo" "$(tc -j qdisc show dev lo | jq -r '[.[] | select(.kind == "clsact")] | length')" 0
check_eq "named namespaces" "$(lab_namespaces | tr '\n' ' ')" ""
# Programs are freed once their last reference goes, after an RCU grace period.
for i in $(seq 50); do
	left=$(bpftool -j prog show 2>/dev/null | jq '[.[] | select(.name == "nsmon_probe")] | length')
	[ "$left" = 0 ] && break
	sleep 0.1
done
check_eq "nsmon_probe programs" "$left" 0

t "features: up's tcx links go through the function the tcx probe calls"
# tcx forced: auto hooks the devices up made itself with clsact (README, Attachment modes).
err=$("$NSMON" -v up --tc-mode tcx 2>&1 >/dev/null) || fail "nsmon up: $err"
echo "$err" | grep -q '^feature tcx: yes$' || fail "up did not ask the tcx probe: $(echo "$err" | grep feature)"
check_eq "tcx pins" "$(ls /sys/fs/bpf/nsmon/v-net-0 | grep -c ':tcx_ingress$')" 3
check_eq "no clsact" "$(tc -j qdisc show dev v-net-0 | jq '[.[] | select(.kind == "clsact")] | length')" 0
check_cmd "nsmon down" "$NSMON" down
check_nothing_left
