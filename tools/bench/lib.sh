# SPDX-License-Identifier: GPL-2.0
# What every benchmark shares. Source it first thing: it builds the make
# targets in $bench_make (if the script set it), then re-executes the
# benchmark in throwaway namespaces (tests/sandbox.sh), so its labs and
# traffic never touch the machine's interfaces, and sets $top, $nsmon and a
# $tmp directory removed on exit.
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [ "${NSMON_SANDBOXED:-}" != 1 ]; then
	[ -z "${bench_make:-}" ] || (cd "$top" && make -s $bench_make >&2)	# stdout is the JSON lines
	exec "$top/tests/sandbox.sh" "$0" "$@"
fi
nsmon=$top/nsmon
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# median: the median of the numbers on stdin, one per line.
median() {
	sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

# ratio A B: A / B to three decimals.
ratio() {
	awk "BEGIN {printf \"%.3f\", $1 / $2}"
}

# Microseconds a command takes, read from bash's own clock: a `date` on
# each side would add its two forks (~8 ms here) to every figure.
time_us() {
	local t0=${EPOCHREALTIME/./} t1
	"$@" >/dev/null
	t1=${EPOCHREALTIME/./}
	echo $((t1 - t0))
}

# round_order R NAME...: the names in round R's order, one a line: each round
# starts one further on, so that no configuration always runs first, or
# always right after the same one.
round_order() {
	local r=$1 i
	shift
	for i in $(seq 0 $(($# - 1))); do
		echo "${@:$(( (i + r) % $# + 1 )):1}"
	done
}

# The results of interleaved rounds: files of one line per round, columns
# of figures, every file in round order (line i of two files: one round).
col() { awk -v k="$1" '{print $k}' "$2"; }	# column K of a file as lines
list() { col "$1" "$2" | paste -sd,; }		# column K of a file as a JSON list
med() { col "$1" "$2" | median; }		# the median of column K of a file
kilo() { awk "BEGIN {printf \"%.1f\", $1 / 1000}"; }
# pratio K A B: the median over rounds of (column K of A) / (column K of B), line by line.
pratio() {
	paste -d' ' <(col "$1" "$2") <(col "$1" "$3") | awk '{printf "%.5f\n", $1 / $2}' |
		median | xargs printf '%.3f'
}
