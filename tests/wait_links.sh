# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/lib.sh and by the benchmarks, which cannot source lib.sh
# (it installs a test's exit trap).

# wait_links_gone LINK...: wait (up to 5 s) until no LINK is left in the root
# namespace: `ip netns del` returns before the kernel has deleted the
# namespace's links, and with them their peers here.
wait_links_gone() {
	local i l left
	for i in $(seq 50); do
		left=0
		for l in "$@"; do
			ip link show "$l" >/dev/null 2>&1 && left=1
		done
		[ $left = 0 ] && return 0
		sleep 0.1
	done
	return 1
}
