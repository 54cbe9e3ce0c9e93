#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nsmon watch: plain snapshots when stdout is a pipe, a full screen that fits
# 80x24 and quits on 'q' in a real terminal (tmux), and a bad --interval.
. "$(dirname "$0")/../lib.sh"

# A private tmux server, so that parallel tests and a user's tmux stay apart.
tmux_() {
	tmux -L "nsmon-test-$$" "$@"
}

cleanup() {
	tmux_ kill-server 2>/dev/null
	[ -n "${ping_pid:-}" ] && kill "$ping_pid" 2>/dev/null
	"$NSMON" down >/dev/null 2>&1
	rm -rf "$tmp"
}
tmp=$(mktemp -d)
trap 'cleanup; t_end' EXIT

# veth_red_line SCREEN: the row of veth-red.
veth_red_line() {
	echo "$1" | grep -E '^red +veth-red '
}

t "watch: with nothing monitored it fails as stats does"
"$NSMON" watch --count 1 >/dev/null 2>"$tmp/err"; rc=$?
check_eq "exit code" "$rc" 1
"$NSMON" stats 2>"$tmp/stats.err" >/dev/null
check_eq "error" "$(cat "$tmp/err")" "$(cat "$tmp/stats.err")"

t "watch: the lab is up and red pings blue"
check_cmd "nsmon up" "$NSMON" up
wait_links_up red blue || fail "links did not come up"
ip netns exec red ping -q -i 0.2 192.168.15.2 >/dev/null 2>&1 &
ping_pid=$!

t "watch: through a pipe, plain snapshots with rates"
"$NSMON" watch --count 3 --interval 0.5 2>"$tmp/err" | cat >"$tmp/out"
rc=${PIPESTATUS[0]}
check_eq "exit code" "$rc" 0
check_eq "snapshots" "$(grep -c '^--- [0-9][0-9]:[0-9][0-9]:[0-9][0-9]$' "$tmp/out")" 3
for n in 1 2 3; do
	snap=$(awk -v n=$n '/^--- / { i++ } i == n' "$tmp/out")
	echo "$snap" | grep -q veth-red || fail "snapshot $n lacks veth-red"
	echo "$snap" | grep -q veth-blue || fail "snapshot $n lacks veth-blue"
done
grep -q $'\033' "$tmp/out" && fail "escape characters in the plain output"
# Columns: NETNS INTERFACE rx-pkt/s rx-bit/s tx-pkt/s ...; "4.8" or "1.2k" both read > 0.
tx=$(veth_red_line "$(awk '/^--- / { i++ } i == 3' "$tmp/out")" | awk '{ print $5 }')
awk -v v="$tx" 'BEGIN { exit !(v + 0 > 0) }' || fail "veth-red tx packets/s in the last snapshot is '$tx', want > 0"

t "watch: on a terminal, a screen that fits 80x24, refreshes, and quits on q"
tmux_ new-session -d -s w -x 80 -y 24 "$NSMON watch" || fail "tmux did not start"
sleep 2.5
screen1=$(tmux_ capture-pane -p -t w)
for word in red blue veth-red; do
	echo "$screen1" | grep -qw -- "$word" || fail "the screen lacks $word: $screen1"
done
# wc -L: the widest line in columns (the header's dashes are one each).
width=$(echo "$screen1" | wc -L)
[ "$width" -le 80 ] || fail "a line is $width columns wide: $screen1"
sleep 1.5
screen2=$(tmux_ capture-pane -p -t w)
line1=$(veth_red_line "$screen1")
line2=$(veth_red_line "$screen2")
[ -n "$line2" ] && [ "$line1" != "$line2" ] || fail "the veth-red row did not change: '$line2'"
tmux_ send-keys -t w q
for i in $(seq 20); do
	tmux_ has-session -t w 2>/dev/null || break
	sleep 0.1
done
tmux_ has-session -t w 2>/dev/null && fail "watch was still running 2 s after q"

t "watch: an interval that is not a number is a usage error naming it"
out=$("$NSMON" watch --interval abc 2>"$tmp/err"); rc=$?
check_eq "exit code" "$rc" 2
check_eq "stderr lines" "$(wc -l <"$tmp/err")" 1
grep -q '"abc"' "$tmp/err" || fail "the error does not name abc: $(cat "$tmp/err")"
check_eq "stdout" "$out" ""

t "watch: red and blue are gone"
kill "$ping_pid"
wait "$ping_pid" 2>/dev/null
ping_pid=
check_cmd "nsmon down" "$NSMON" down
