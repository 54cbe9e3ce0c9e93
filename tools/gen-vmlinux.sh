#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Regenerate vmlinux/ARCH/vmlinux.h from the running kernel's BTF.
set -eu
cd "$(dirname "$0")/.."
arch=$(uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
mkdir -p "vmlinux/$arch"
bpftool btf dump file /sys/kernel/btf/vmlinux format c > "vmlinux/$arch/vmlinux.h"
echo "vmlinux/$arch/vmlinux.h from $(uname -r); update vmlinux/README.md"
