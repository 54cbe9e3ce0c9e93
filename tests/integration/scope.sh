#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# One scope for every command that observes (--bridge NAME and -n NS,
# repeatable, --all): with two monitored labs and a namespace outside both
# dropping packets, stats, export, web's /api/v1/stats, watch (plain
# snapshots), events, capture, path and explain of lab A show nothing of
# lab B or of the outside namespace; repeated --bridge and -n take in what
# they name; --all takes in every lab (and for events the whole machine).
# A namespace that joins a lab while watch runs joins its view at once.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../events_lib.sh"

tmp=$(mktemp -d)
trap 'two_labs_cleanup; t_end' EXIT

t "scope: two monitored labs and a namespace outside them"
two_labs || fail "cannot build the labs"
two_labs_traffic

# names JQ FILE: the sorted, unique values of JQ over FILE, on one line.
names() {
	jq -r "$1" "$2" | sort -u | paste -sd' '
}

t "scope: stats shows every monitored lab by default and with --all, the lab --bridge names, the namespaces -n names"
for args in "" "--all"; do
	"$NSMON" stats --json $args >"$tmp/stats.json" || fail "stats $args failed"
	check_eq "stats $args: bridges" "$(names '.bridges[].name' "$tmp/stats.json")" "br2 v-net-0"
	check_eq "stats $args: namespaces" "$(names '.namespaces[].name' "$tmp/stats.json")" "blue red x1 x2"
done
"$NSMON" stats --json --bridge v-net-0 >"$tmp/a.json" || fail "stats --bridge v-net-0 failed"
check_eq "lab A: bridges" "$(names '.bridges[].name' "$tmp/a.json")" "v-net-0"
check_eq "lab A: namespaces" "$(names '.namespaces[].name' "$tmp/a.json")" "blue red"
check_eq "lab A: ports" "$(names '.bridges[].ports[].name' "$tmp/a.json")" "veth-blue-br veth-red-br"
"$NSMON" stats --json --bridge br2 --bridge v-net-0 >"$tmp/ab.json" || fail "stats --bridge x2 failed"
check_eq "--bridge twice: bridges" "$(names '.bridges[].name' "$tmp/ab.json")" "br2 v-net-0"
"$NSMON" stats --json -n red -n x1 >"$tmp/n.json" || fail "stats -n red -n x1 failed"
check_eq "-n twice: namespaces" "$(names '.namespaces[].name' "$tmp/n.json")" "red x1"
check_eq "-n twice: ports" "$(names '.bridges[].ports[].name' "$tmp/n.json")" "veth-red-br veth-x1-br"
"$NSMON" stats -n red -n x1 >"$tmp/n.txt" || fail "stats -n red -n x1 (table) failed"
check_eq "-n twice, the table: namespaces" "$(awk 'NR > 1 && NF > 3 { print $1 } /^$/ { exit }' "$tmp/n.txt" | sort -u | paste -sd' ')" "host red x1"
"$NSMON" stats --bridge v-net-0 -n x1 >/dev/null 2>"$tmp/err"; rc=$?
check_eq "-n of another lab: exit code" "$rc" 1
check_eq "-n of another lab: why" "$(cat "$tmp/err")" 'nsmon: namespace "x1" is not monitored in the labs --bridge names'

t "scope: export serves the labs and namespaces it is given"
listen=127.0.0.1:$((20000 + $$ % 20000))
# scrape ARGS...: one scrape of `nsmon export ARGS` into $tmp/metrics.
scrape() {
	local i
	"$NSMON" export --listen "$listen" "$@" 2>"$tmp/export.err" &
	pids=$!
	for i in $(seq 50); do grep -q '^export: serving' "$tmp/export.err" && break; sleep 0.1; done
	curl -s -o "$tmp/metrics" "http://$listen/metrics" || fail "export $*: no answer"
	kill $pids; wait $pids; pids=
}
metric_netns() {
	sed -n 's/^nsmon_interface_packets_total{netns="\([^"]*\)",interface="\([^"]*\)".*/\1\/\2/p' "$tmp/metrics" | sort -u | paste -sd' '
}
scrape
check_eq "every lab" "$(metric_netns)" \
	"blue/veth-blue host/br2 host/v-net-0 host/veth-blue-br host/veth-red-br host/veth-x1-br host/veth-x2-br red/veth-red x1/veth-x1 x2/veth-x2"
scrape --bridge v-net-0 -n red
check_eq "--bridge v-net-0 -n red" "$(metric_netns)" "host/v-net-0 host/veth-red-br red/veth-red"
scrape --bridge br2 --bridge v-net-0 -n red -n x2
check_eq "--bridge and -n twice" "$(metric_netns)" \
	"host/br2 host/v-net-0 host/veth-red-br host/veth-x2-br red/veth-red x2/veth-x2"

t "scope: web's /api/v1/stats takes the same scope as query parameters"
port=$((20000 + ($$ + 7) % 20000))
"$NSMON" web --listen "127.0.0.1:$port" 2>"$tmp/web.err" &
pids=$!
for i in $(seq 50); do grep -q '^web: serving' "$tmp/web.err" && break; sleep 0.1; done
api() {
	curl -s -o "$tmp/api.json" -w '%{http_code}' "http://127.0.0.1:$port/api/v1/stats$1"
}
check_eq "?bridge=v-net-0&bridge=br2" "$(api '?bridge=v-net-0&bridge=br2')" 200
check_eq "  bridges" "$(names '.bridges[].name' "$tmp/api.json")" "br2 v-net-0"
check_eq "?netns=red&netns=x1" "$(api '?netns=red&netns=x1')" 200
check_eq "  namespaces" "$(names '.namespaces[].name' "$tmp/api.json")" "red x1"
check_eq "?bridge=v-net-0" "$(api '?bridge=v-net-0')" 200
check_eq "  namespaces" "$(names '.namespaces[].name' "$tmp/api.json")" "blue red"
check_eq "?all" "$(api '?all')" 200
check_eq "  namespaces" "$(names '.namespaces[].name' "$tmp/api.json")" "blue red x1 x2"
check_eq "?all&bridge=br2" "$(api '?all&bridge=br2')" 400
check_eq "  why" "$(jq -r .error "$tmp/api.json")" "nsmon: --all takes no --bridge or -n: it is everything they would narrow"
kill $pids; wait $pids; pids=

# watch_snapshots FILE ARGS...: `nsmon watch -i 0.5 -c 6 ARGS` (plain
# snapshots) into FILE while both labs and the outside namespace send.
watch_snapshots() {
	local out=$1 w
	shift
	"$NSMON" watch -i 0.5 -c 6 "$@" >"$out" 2>"$out.err" &
	w=$!
	while kill -0 $w 2>/dev/null; do two_labs_traffic; sleep 0.2; done
	wait $w || fail "watch $* failed: $(cat "$out.err")"
}
# rows FILE: the NETNS/INTERFACE of every counter row.
rows() {
	awk '$1 == "NETNS" { on = 1; next } on && NF == 10 { print $1 "/" $2; next } { on = 0 }' "$1" | sort -u | paste -sd' '
}
# events_of FILE: the events pane's lines.
events_of() {
	awk '$1 == "EVENTS" { on = 1; next } /^--- / { on = 0 } on' "$1"
}

t "scope: watch of lab A shows nothing of lab B or of the outside namespace, in its rows and its events"
watch_snapshots "$tmp/watch-a" --bridge v-net-0
check_eq "rows" "$(rows "$tmp/watch-a")" \
	"blue/veth-blue host/v-net-0 host/veth-blue-br host/veth-red-br red/veth-red"
events_of "$tmp/watch-a" | grep -q '\[NEIGH\] red ' || fail "no neighbour event of red in the pane"
others=$(events_of "$tmp/watch-a" | grep -E '\] (x1|x2|out) |br2|veth-x|10\.9\.0\.')
check_eq "events of lab B or outside" "$others" ""

t "scope: watch by default and with --all shows every lab; --all's events are the machine's"
watch_snapshots "$tmp/watch" 
check_eq "rows" "$(rows "$tmp/watch")" \
	"blue/veth-blue host/br2 host/v-net-0 host/veth-blue-br host/veth-red-br host/veth-x1-br host/veth-x2-br red/veth-red x1/veth-x1 x2/veth-x2"
events_of "$tmp/watch" | grep -q '\[NEIGH\] x1 ' || fail "no neighbour event of lab B"
check_eq "events of the outside namespace" "$(events_of "$tmp/watch" | grep '\] out ')" ""
watch_snapshots "$tmp/watch-all" --all
check_eq "--all: rows" "$(rows "$tmp/watch-all")" "$(rows "$tmp/watch")"
events_of "$tmp/watch-all" | grep -q '\[DROP\] out ' || fail "--all: no drop of the outside namespace"

t "scope: watch -n red -n x2 shows those namespaces and their ports"
watch_snapshots "$tmp/watch-n" -n red -n x2
check_eq "rows" "$(rows "$tmp/watch-n")" \
	"host/br2 host/v-net-0 host/veth-red-br host/veth-x2-br red/veth-red x2/veth-x2"
others=$(events_of "$tmp/watch-n" | grep -E '\] (blue|x1|out) ')
check_eq "events of other namespaces" "$others" ""
events_of "$tmp/watch-n" | grep -q '\[DROP\] x2 ' || fail "no drop of x2 in the pane"

t "scope: events --bridge twice and -n twice take in what they name, nothing else"
"$NSMON" events --json --no-attach --bridge v-net-0 >"$tmp/ev-a.json" 2>/dev/null &
a=$!
"$NSMON" events --json --no-attach --bridge br2 --bridge v-net-0 >"$tmp/ev-ab.json" 2>/dev/null &
ab=$!
"$NSMON" events --json --no-attach -n red -n x2 >"$tmp/ev-n.json" 2>/dev/null &
n=$!
pids="$a $ab $n"
for i in $(seq 60); do
	two_labs_traffic
	seen '.type == "neigh" and .netns == "red"' "$tmp/ev-a.json" &&
		seen '.type == "neigh" and .netns == "x1"' "$tmp/ev-ab.json" &&
		seen '.type == "drop" and .netns == "x2"' "$tmp/ev-n.json" && break
	sleep 0.2
done
two_labs_traffic
kill -INT $a $ab $n; wait $a $ab $n; pids=
check_eq "--bridge v-net-0: namespaces" "$(names 'select(.netns != null) | .netns' "$tmp/ev-a.json")" "blue red"
check_eq "--bridge v-net-0: lab B's bridge" "$(jq -c 'select(.bridge == "br2" or (.ifname // "" | test("x[12]|br2")))' "$tmp/ev-a.json")" ""
check_eq "--bridge twice: namespaces" "$(names 'select(.netns != null) | .netns' "$tmp/ev-ab.json")" "blue red x1 x2"
check_eq "-n twice: namespaces" "$(names 'select(.netns != null) | .netns' "$tmp/ev-n.json")" "red x2"

t "scope: capture --bridge and -n repeated, --all every lab"
for args in "-n red -n x1" "--bridge v-net-0 --bridge br2" "--all" "--bridge br2"; do
	"$NSMON" capture $args --timeout 0.1 >/dev/null 2>"$tmp/cap.err" || fail "capture $args failed: $(cat "$tmp/cap.err")"
	echo "$args: $(head -1 "$tmp/cap.err")" >>"$tmp/cap.txt"
done
check_eq "interfaces" "$(cat "$tmp/cap.txt")" \
"-n red -n x1: capturing on 4 interfaces (Ctrl-C stops)
--bridge v-net-0 --bridge br2: capturing on 10 interfaces (Ctrl-C stops)
--all: capturing on 10 interfaces (Ctrl-C stops)
--bridge br2: capturing on 5 interfaces (Ctrl-C stops)"

t "scope: path and explain find the lab that holds both ends, or the one --bridge names"
"$NSMON" -v path --from x1 --to x2 -c 2 --timeout 20 --json >"$tmp/path.json" 2>"$tmp/path.err" &
tracer=$!
pids=$tracer
for i in $(seq 200); do grep -q '^tracing ' "$tmp/path.err" && break; sleep 0.1; done
ip netns exec x1 ping -c 3 -i 0.2 -q 10.9.0.2 >/dev/null
wait $tracer; rc=$?; pids=
check_eq "path x1 -> x2: exit code" "$rc" 0
check_eq "path x1 -> x2: the legs" "$(jq -c '[.legs[] | [.from, .to, .samples]]' "$tmp/path.json")" '[["x1","x2",2],["x2","x1",2]]'
grep -q 'across br2' "$tmp/path.err" || fail "path did not say it traces across br2: $(cat "$tmp/path.err")"
"$NSMON" path --bridge v-net-0 --from x1 --timeout 1 >/dev/null 2>"$tmp/err"; rc=$?
check_eq "path --bridge v-net-0 --from x1: exit code" "$rc" 1
check_eq "path --bridge v-net-0 --from x1: why" "$(cat "$tmp/err")" \
	'nsmon: cannot trace x1 -> (second): v-net-0 has no such pair of namespaces'
"$NSMON" path --to 10.9.0.9 --timeout 1 >/dev/null 2>"$tmp/err"; rc=$?
check_eq "path --to an address of no lab: exit code" "$rc" 1
check_eq "path --to an address of no lab: why" "$(cat "$tmp/err")" \
	'nsmon: no namespace of br2, v-net-0 has the address 10.9.0.9'
for c in path explain; do
	"$NSMON" $c --timeout 1 >/dev/null 2>"$tmp/err"; rc=$?
	check_eq "$c of two labs, no end named: exit code" "$rc" 2
	check_eq "$c of two labs, no end named: why" "$(cat "$tmp/err")" \
		'nsmon: 2 labs are monitored (br2, v-net-0): name one with --bridge, or an end with --from or --to'
done
"$NSMON" explain --ping --from x2 --to 10.9.0.1 --json >"$tmp/explain.json" 2>"$tmp/err" ||
	fail "explain x2 -> x1 failed: $(cat "$tmp/err")"
check_eq "explain x2 -> x1: where the steps are" \
	"$(jq -r '.where' "$tmp/explain.json" | sort -u | paste -sd,)" \
	"host br2,host veth-x1-br,host veth-x2-br,x1 veth-x1,x2 veth-x2"

t "scope: a namespace that joins a lab while watch runs is in its view at once"
"$NSMON" watch -i 0.5 -c 12 >"$tmp/watch-join" 2>"$tmp/watch-join.err" &
w=$!
pids=$w
for i in $(seq 100); do grep -q '^--- ' "$tmp/watch-join" && break; sleep 0.1; done
ip netns add green
join_by_hand green 192.168.15.3
while kill -0 $w 2>/dev/null; do
	ip netns exec green ping -c 1 -W 1 -q 192.168.15.1 >/dev/null
	ip -n green neigh flush all
	sleep 0.2
done
wait $w; pids=
rows "$tmp/watch-join" | grep -q 'green/veth-green' || fail "no row of green: $(rows "$tmp/watch-join")"
events_of "$tmp/watch-join" | grep -q '\[NEIGH\] green ' || fail "no neighbour event of green in the pane"
ip link del veth-green-br
ip netns del green

t "scope: down"
check_cmd "down A" "$NSMON" down
check_cmd "down B" "$NSMON" down --bridge br2
ip netns del out
check_nothing_left
