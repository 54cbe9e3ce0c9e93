#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run a command in throwaway namespaces: a new network namespace and a new
# mount namespace with a private tmpfs on /run (so /run/netns and /run/nsmon
# start empty), a sysfs of the new network namespace, and a private bpffs on
# /sys/fs/bpf. Whatever the command builds, pins or leaves behind vanishes
# with it, even if it crashes; the machine's interfaces and a user's real
# red/blue are out of its reach.
set -e
if [ "${NSMON_SANDBOXED:-}" != 1 ]; then
	exec env NSMON_SANDBOXED=1 unshare --net --mount --propagation private -- "$0" "$@"
fi
mount -t tmpfs -o mode=755 nsmon-test-run /run
mount -t sysfs nsmon-test-sys /sys
mount -t bpf nsmon-test-bpf /sys/fs/bpf
mount -t tracefs nsmon-test-trace /sys/kernel/tracing 2>/dev/null || true
ip link set lo up
exec "$@"
