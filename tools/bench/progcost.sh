#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What each datapath program costs a frame, by frame class, measured with
# BPF_PROG_TEST_RUN (`test_classify --bench`: 200,000 runs of each frame
# through each program): port_ingress and port_egress counting in a fast
# slot (how nsmon counts the interfaces it hooks) and in the hash (no slot),
# xdp_rx (the hash). The port programs do their bridge step too: each
# port_ingress run also counts the run before it as a bridge drop (no frame
# leaves between runs), the dearest entry there is; port_egress finds no
# frame of its own in the bridge state and parses. test_run's own cost per run, measured on an empty
# program of the same kind before each series, is subtracted: what is left
# is parse + count. ROUNDS invocations; medians.
# Usage: tools/bench/progcost.sh [ROUNDS]   (JSON lines on stdout, a table on stderr)
set -eu
bench_make=tests-build	# test_classify
. "$(dirname "$0")/lib.sh"
rounds=${1:-3}

for r in $(seq "$rounds"); do
	"$top/.output/tests/bpf/test_classify" --bench >>"$tmp/runs.json"
done

# One line per (prog, slot, frame): the median run, less the median empty run.
jq -s -c --argjson rounds "$rounds" '
	def median: sort | if length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	def empty($kind): map(select(.prog == "empty_" + $kind) | .ns_per_run) | median;
	{tc: empty("tc"), xdp: empty("xdp")} as $empty |
	map(select(.prog | startswith("empty") | not)) | group_by([.prog, .slot, .frame])[] |
	(if .[0].prog | startswith("xdp") then $empty.xdp else $empty.tc end) as $base |
	{bench: "progcost", rounds: $rounds, prog: .[0].prog, slot: .[0].slot, frame: .[0].frame,
	 ns_per_run: (map(.ns_per_run) | median), test_run_ns: $base,
	 parse_count_ns: ((map(.ns_per_run) | median) - $base)}' "$tmp/runs.json" | tee "$tmp/lines.json"

{
	echo
	echo "progcost: parse + count, ns per frame, test_run's own cost per run subtracted" \
		"($(jq -s -r 'map("\(.prog | sub("_.*"; "")) \(.test_run_ns) ns") | unique | join(", ")' "$tmp/lines.json")); medians of $rounds"
	jq -s -r '
		(map(.prog + "/" + .slot) | unique) as $cols |
		(["frame"] + $cols | @tsv),
		(group_by(.frame)[] | . as $g |
		 [$g[0].frame] + ($cols | map(. as $c |
			($g[] | select(.prog + "/" + .slot == $c) | .parse_count_ns) // "-")) | @tsv)' \
		"$tmp/lines.json" | column -t
	jq -s -r 'group_by(.prog + "/" + .slot)[] |
		"\(.[0].prog)/\(.[0].slot): \(map(.parse_count_ns) | min)-\(map(.parse_count_ns) | max) ns"' \
		"$tmp/lines.json"
} >&2
