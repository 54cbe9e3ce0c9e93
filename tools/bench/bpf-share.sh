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
# Usage: tools/bench/bpf-share.sh [ROUNDS]   (JSON lines on stdout, a summary on stderr)
set -eu
bench_make=bench-tools
. "$(dirname "$0")/lib.sh"
rounds=${1:-3}
dst=192.168.15.2

"$nsmon" up >/dev/null
ip netns exec red ping -c 1 -W 2 -q "$dst" >/dev/null
for r in $(seq "$rounds"); do
	ip netns exec blue "$top/.output/bench/udpsink" -c 1 -t 4 9000 >"$tmp/sink.json" &
	sink=$!
	sleep 0.2
	ip netns exec red "$top/.output/bench/udpgen" -c 0 -t 5 "$dst" 9000 >/dev/null &
	gen=$!
	sleep 1
	perf record -q -C 0 -g -o "$tmp/perf.data" -- sleep 3 2>/dev/null
	wait "$gen" "$sink"
	# Each sample: a header line, then its stack, innermost first.
	perf script -i "$tmp/perf.data" 2>/dev/null | awk -v round="$r" '
		function ours(sym) { return sym ~ /^bpf_prog_[0-9a-f]+_(port_|bridge_|classify_)/ }
		/cpu-clock/ { n++; depth = 0; counted = 0; next }
		NF == 0 { next }
		{ depth++; sym = $2; sub(/\+0x.*/, "", sym)
		  if (counted) next
		  if (depth == 1 && ours(sym)) { sub(/^bpf_prog_[0-9a-f]+_/, "", sym); self[sym]++; counted = 1 }
		  else if (depth <= 4 && ours(sym)) { self["map helpers"]++; counted = 1 } }
		END {
			for (k in self) total += self[k]
			printf "{\"bench\": \"bpf-share\", \"round\": %d, \"samples\": %d, \"share_pct\": %.2f", round, n, total * 100 / n
			for (k in self) printf ", \"%s_pct\": %.2f", k, self[k] * 100 / n
			print "}"
		}' | tee -a "$tmp/rounds.json"
	echo "$(jq .pps "$tmp/sink.json")" >>"$tmp/pps"
done
"$nsmon" down >/dev/null
echo "bpf-share: nsmon's programs took $(jq .share_pct "$tmp/rounds.json" | median)% of CPU 0 (median of $rounds; load $(median <"$tmp/pps") pps)" >&2
