#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A monitored lab whose bridge was deleted by hand: stats shows the other
# labs and says, in one line, which one it left out and what removes the
# rest; with nothing left to show, or that lab named, it fails; down then
# removes what is left.
. "$(dirname "$0")/../lib.sh"

t "bridge gone: stats shows the other labs and names the one left out"
check_cmd "up" "$NSMON" up
check_cmd "up br2" "$NSMON" up --bridge br2 --subnet 10.9.0.0/24 x1
ip link del v-net-0
out=$("$NSMON" stats --json 2>"${TMPDIR:-/tmp}/err.$$"); rc=$?
err=$(cat "${TMPDIR:-/tmp}/err.$$")
check_eq "exit code" "$rc" 0
check_eq "labs shown" "$(echo "$out" | jq -c '[.bridges[].name, .namespaces[].name]')" '["br2","x1"]'
check_eq "stderr" "$err" 'nsmon: bridge "v-net-0" of a monitored lab is gone, left out (nsmon down --bridge v-net-0 removes what is left)'

t "bridge gone: naming it is an error"
out=$("$NSMON" stats --bridge v-net-0 2>"${TMPDIR:-/tmp}/err.$$"); rc=$?
check_eq "exit code" "$rc" 1
check_eq "stdout" "$out" ""
check_eq "stderr lines" "$(wc -l <"${TMPDIR:-/tmp}/err.$$")" 1

t "bridge gone: with no other lab, stats fails with the same line"
check_cmd "down br2" "$NSMON" down --bridge br2
out=$("$NSMON" stats 2>"${TMPDIR:-/tmp}/err.$$"); rc=$?
check_eq "exit code" "$rc" 1
check_eq "stdout" "$out" ""
grep -q 'v-net-0" of a monitored lab is gone' "${TMPDIR:-/tmp}/err.$$" || fail "stderr: $(cat "${TMPDIR:-/tmp}/err.$$")"

t "bridge gone: down removes what is left"
check_cmd "down" "$NSMON" down
wait_links_gone || fail "links left: $(ip -j link | jq -r '[.[].ifname] | join(" ")')"
check_nothing_left
rm -f "${TMPDIR:-/tmp}/err.$$"
