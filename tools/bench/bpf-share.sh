#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Where the datapath's cost goes, measured in a way this shared, noisy
# machine disturbs little: the share of CPU 0's samples (perf record -C 0,
# 3 s) spent in nsmon's programs while the 64-byte load of datapath.sh runs
# red -> blue through `nsmon up` (the generator and the whole path up to
# blue's socket run on CPU 0). Map helpers the programs call (a hash lookup)
# count as theirs; what other tracers on the machine run does not. A share
# of S% caps the packet rate at about (1 - S/100) of bare, before the cost
# of the hooks themselves (tcx), which it leaves out. ROUNDS runs; medians.
# With BENCH_PATH set (e.g. BENCH_PATH="--proto any", or "--proto any
# --sample 10"), `nsmon path $BENCH_PATH` traces the load too, and its
# programs' share (path_share_pct: path_req_* and path_consumed, with the
# helpers they call, bpf_ktime_get_ns's clock read included) is reported
# apart from the counters'; the tracepoint's and tcx's own dispatch are left
# out, as for the counters.
# Usage: tools/bench/bpf-share.sh [ROUNDS]   (JSON lines on stdout, a summary on stderr)
set -eu
bench_make=bench-tools
. "$(dirname "$0")/lib.sh"
rounds=${1:-3}
dst=192.168.15.2

"$nsmon" up >/dev/null
ip netns exec red ping -c 1 -W 2 -q "$dst" >/dev/null
tracer=
trap '[ -z "$tracer" ] || kill "$tracer" 2>/dev/null; rm -rf "$tmp"' EXIT
for r in $(seq "$rounds"); do
	if [ -n "${BENCH_PATH:-}" ]; then
		# shellcheck disable=SC2086
		"$nsmon" -v path $BENCH_PATH --count 1000000000 --json >/dev/null 2>"$tmp/path.err" &
		tracer=$!
		for i in $(seq 100); do
			grep -q '^tracing ' "$tmp/path.err" && break
			sleep 0.1
		done
	fi
	ip netns exec blue "$top/.output/bench/udpsink" -c 1 -t 4 9000 >"$tmp/sink.json" &
	sink=$!
	sleep 0.2
	ip netns exec red "$top/.output/bench/udpgen" -c 0 -t 5 "$dst" 9000 >/dev/null &
	gen=$!
	sleep 1
	perf record -q -C 0 -g -o "$tmp/perf.data" -- sleep 3 2>/dev/null
	wait "$gen" "$sink"
	if [ -n "$tracer" ]; then
		kill -INT "$tracer"
		wait "$tracer" || true
		tracer=
	fi
	# Each sample: a header line, then its stack, innermost first.
	perf script -i "$tmp/perf.data" 2>/dev/null | awk -v round="$r" '
		function ours(sym) { return sym ~ /^bpf_prog_[0-9a-f]+_(port_|bridge_|classify_)/ }
		function path(sym) { return sym ~ /^bpf_prog_[0-9a-f]+_path_/ }
		/cpu-clock/ { n++; depth = 0; counted = 0; next }
		NF == 0 { next }
		{ depth++; sym = $2; sub(/\+0x.*/, "", sym)
		  if (counted) next
		  if (depth == 1 && ours(sym)) { sub(/^bpf_prog_[0-9a-f]+_/, "", sym); self[sym]++; counted = 1 }
		  else if (depth <= 4 && ours(sym)) { self["map helpers"]++; counted = 1 }
		  else if (depth == 1 && path(sym)) { sub(/^bpf_prog_[0-9a-f]+_/, "", sym); pself[sym]++; counted = 1 }
		  else if (depth <= 4 && path(sym)) { pself["path helpers"]++; counted = 1 } }
		END {
			for (k in self) total += self[k]
			for (k in pself) ptotal += pself[k]
			printf "{\"bench\": \"bpf-share\", \"round\": %d, \"samples\": %d, \"share_pct\": %.2f", round, n, total * 100 / n
			for (k in self) printf ", \"%s_pct\": %.2f", k, self[k] * 100 / n
			if (ptotal) {
				printf ", \"path_share_pct\": %.2f", ptotal * 100 / n
				for (k in pself) printf ", \"%s_pct\": %.2f", k, pself[k] * 100 / n
			}
			print "}"
		}' | tee -a "$tmp/rounds.json"
	echo "$(jq .pps "$tmp/sink.json")" >>"$tmp/pps"
done
"$nsmon" down >/dev/null
echo "bpf-share: nsmon's programs took $(jq .share_pct "$tmp/rounds.json" | median)% of CPU 0 (median of $rounds; load $(median <"$tmp/pps") pps)" >&2
[ -z "${BENCH_PATH:-}" ] ||
	echo "bpf-share: nsmon path $BENCH_PATH took $(jq '.path_share_pct // 0' "$tmp/rounds.json" | median)% of CPU 0" >&2
