#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bash completion (.output/nsmon.bash, made from `nsmon help --json`):
# sourced into bash, its function called as bash would, with COMP_WORDS and
# COMP_CWORD. Commands, every command's options, and values: namespaces from
# /run/netns, monitored bridges from /run/nsmon, event types, protocols, enums.
. "$(dirname "$0")/../lib.sh"

COMPLETION=$TOP/.output/nsmon.bash
doc=$("$NSMON" help --json) || fail "nsmon help --json failed"
# shellcheck disable=SC1090
. "$COMPLETION" || fail "cannot source $COMPLETION"

# complete WORD...: what the completion offers for the last WORD, sorted, one line.
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_nsmon
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'
}

# check_complete WANT WORD...
check_complete() {
	local want=$1
	shift
	check_eq "[$*]" "$(complete_words "$@")" "$want"
}

sorted() { tr ' ' '\n' | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'; }

t "completion: nsmon is completed by _nsmon"
check_eq "complete -p nsmon" "$(complete -p nsmon)" "complete -F _nsmon nsmon"

t "completion: commands, from the table"
check_complete "$(echo "$doc" | jq -r '.commands[].name' | sorted)" nsmon ""
check_complete "stats" nsmon st
check_complete "events explain export" nsmon e
check_complete "stats" nsmon -v --color never st
check_complete "$(echo "$doc" | jq -r '.commands[].name' | sorted)" nsmon help ""

t "completion: every command's options are its table's (hidden ones left out), and -h --help"
for c in $(echo "$doc" | jq -r '.commands[].name'); do
	check_complete "$(echo "$doc" | jq -r --arg c "$c" '.commands[] | select(.name == $c) | .options[] |
		select(.hidden | not) | "--" + .name, (.short // empty | "-" + .)' | { cat; echo -h --help; } | sorted)" \
		nsmon "$c" -
done
check_complete "$(echo "$doc" | jq -r '.global_options[] | "--" + .name, (.short // empty | "-" + .)' |
	{ cat; echo -h --help; } | sorted)" nsmon -
check_complete "--bridge" nsmon stats --b

t "completion: every enum's values, as --opt VALUE, --opt=VALUE and -s VALUE"
while read -r c name short; do
	want=$(echo "$doc" | jq -r --arg c "$c" --arg o "$name" \
		'(.commands[] | select(.name == $c) | .options[]), (if $c == "-" then .global_options[] else empty end) |
		select(.name == $o) | .values[]' | sorted)
	cmd=(nsmon)
	[ "$c" != - ] && cmd+=("$c")
	check_complete "$want" "${cmd[@]}" "--$name" ""
	check_complete "$want" "${cmd[@]}" "--$name" = ""
	check_complete "$(for v in $want; do echo "--$name=$v"; done | sorted)" "${cmd[@]}" "--$name="
	[ "$short" != null ] && check_complete "$want" "${cmd[@]}" "-$short" ""
done < <(echo "$doc" | jq -r '(.commands[] | .name as $c | .options[] | select(.values) |
	"\($c) \(.name) \(.short)"), (.global_options[] | select(.values) | "- \(.name) \(.short)")')
check_complete "auto clsact tcx" nsmon up --tc-mode ""
check_complete "clsact" nsmon up --tc-mode c
check_complete "always" nsmon --color = al
check_complete "--color=always" nsmon --color=al
check_complete "any arp icmp icmp6 ipv4 ipv6 tcp udp" nsmon path --proto ""
check_complete "addr attach counters drop fdb link lost neigh netns ns" nsmon watch -t ""

t "completion: event types after each comma of --type"
check_complete "addr attach counters drop fdb link lost neigh netns ns" nsmon events --type ""
check_complete "neigh,fdb" nsmon events --type neigh,f
check_complete "neigh,netns neigh,ns" nsmon events -t neigh,n

t "completion: namespaces from /run/netns, monitored bridges from /run/nsmon"
check_cmd "ip netns add red" ip netns add red
check_cmd "ip netns add blue" ip netns add blue
check_complete "blue red" nsmon stats -n ""
check_complete "red" nsmon stats --netns r
check_complete "--netns=red" nsmon stats --netns=r
check_complete "blue red" nsmon path --from ""
check_complete "blue red" nsmon explain --to ""
check_complete "" nsmon down --bridge ""
check_cmd "nsmon up" "$NSMON" up green
check_complete "v-net-0" nsmon down --bridge ""
check_complete "v-net-0" nsmon stats --bridge v
check_complete "blue green red" nsmon stats -n ""
check_cmd "nsmon down" "$NSMON" down
check_cmd "ip netns del red" ip netns del red
check_cmd "ip netns del blue" ip netns del blue
check_complete "" nsmon stats -n ""

t "completion: a process for ls -p, nothing after a flag or for a free value"
check_eq "ls -p \$\$" "$(complete_words nsmon ls -p "$$" | tr ' ' '\n' | grep -cx "$$")" 1
check_complete "" nsmon up --subnet ""
check_complete "" nsmon stats --json x
check_nothing_left
