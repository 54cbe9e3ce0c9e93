# SPDX-License-Identifier: GPL-2.0
# Shell test helpers, after the kernel's selftests/net/lib.sh.
# A test script sources this, calls `t NAME` before each case and the check_*
# helpers inside it; lines "PASS: ..."/"FAIL: ..."/"SKIP: ..." go to stdout.
# Scripts run inside tests/sandbox.sh: a private netns, /run and /sys/fs/bpf.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NSMON=${NSMON:-$TOP/nsmon}
SEED_LAB=${SEED_LAB:-$TOP/../shared/lab/seed-lab.sh}

_t_name=""
_t_failed=0

# Close the previous case, open a new one.
t() {
	t_end
	_t_name=$1
	_t_failed=0
}

t_end() {
	if [ -n "$_t_name" ] && [ "$_t_failed" = 0 ]; then
		echo "PASS: $_t_name"
	fi
	_t_name=""
}

fail() {
	echo "FAIL: $_t_name: $*"
	_t_failed=1
}

skip() {
	echo "SKIP: $_t_name: $*"
	_t_name=""
}

# check_eq WHAT GOT WANT
check_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# check_cmd WHAT CMD...: CMD must succeed
check_cmd() {
	local what=$1
	shift
	local out
	out=$("$@" 2>&1) || fail "$what: '$*' failed: $(echo "$out" | head -3)"
}

trap t_end EXIT
