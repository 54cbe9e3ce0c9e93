#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The whole suite (or the tests matching the arguments) with two CPU hogs
# running beside it: a test must not depend on how fast the machine is. The
# hogs are busy loops at normal priority, one per core of a 2-core CI VM,
# and stop with this script whatever happens.
set -u
cd "$(dirname "$0")/.."
hogs=()
trap 'kill "${hogs[@]}" 2>/dev/null' EXIT
for i in 1 2; do
	bash -c 'while :; do :; done' &
	hogs+=($!)
done
echo "stress: two CPU hogs running (pids ${hogs[*]})"
./tests/run.sh "$@"
