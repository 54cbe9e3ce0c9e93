#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs every test program: unit tests as they are, BPF and integration tests
# each in its own throwaway namespaces (tests/sandbox.sh), NSMON_JOBS at once.
# Prints each program's PASS/FAIL/SKIP lines, then "N passed, N failed, N skipped";
# exits non-zero on any failure. Arguments narrow the run to matching files.
set -u
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
	echo "tests: must run as root (they build namespaces, links and BPF programs)" >&2
	exit 2
fi

jobs=${NSMON_JOBS:-$(nproc)}
logs=$(mktemp -d /tmp/nsmon-tests.XXXXXX)
trap 'rm -rf "$logs"' EXIT

# The C tests by their sources: a binary left by a test since deleted is not one.
list() {
	for src in tests/unit/*.c; do echo ".output/${src%.c}"; done
	# The same again under AddressSanitizer and UndefinedBehaviorSanitizer.
	for src in tests/unit/*.c; do echo ".output/asan/${src%.c}"; done
	for src in tests/bpf/*.c tests/net/*.c; do echo "sandbox .output/${src%.c}"; done
	ls tests/integration/*.sh | sed 's/^/sandbox /'
}

run_one() {
	local logs=$1 line=$2 prog log
	prog=${line#sandbox }
	log="$logs/$(echo "$prog" | tr '/.' '__').log"
	if [ "$line" != "$prog" ]; then
		timeout 600 tests/sandbox.sh "$prog" >"$log" 2>"$log.err"
	else
		timeout 600 "$prog" >"$log" 2>"$log.err"
	fi
	local rc=$?
	if [ $rc != 0 ] && ! grep -q '^FAIL: ' "$log"; then
		echo "FAIL: $prog: exited $rc: $(tail -3 "$log.err" | tr '\n' ' ')" >>"$log"
	fi
	{ echo "# $prog"; cat "$log"; } >"$log.done"
	cat "$log.done"
}
export -f run_one

filter=${*:-.}
list | grep -E "$(echo "$filter" | tr ' ' '|')" |
	xargs -d '\n' -P "$jobs" -I{} bash -c 'run_one "$0" "$1"' "$logs" {}

cat "$logs"/*.done >"$logs/all" 2>/dev/null || : >"$logs/all"
passed=$(grep -c '^PASS: ' "$logs/all")
failed=$(grep -c '^FAIL: ' "$logs/all")
skipped=$(grep -c '^SKIP: ' "$logs/all")
if [ $failed != 0 ]; then
	echo
	echo "failures:"
	grep '^FAIL: ' "$logs/all"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$passed" != 0 ]
