#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The build rebuilds what changed and nothing else: an object depends on the
# skeletons it includes (its -MMD file), not on every skeleton. Asked of make
# with -n -W (what it would do were the file new), so nothing is touched.
. "$(dirname "$0")/../lib.sh"
cd "$TOP"

# compiled_after FILE: the userspace objects make would compile were FILE new.
compiled_after() {
	make -n -W "$1" nsmon 2>/dev/null | sed -n "s|^printf .*\"CC\" \"\.output/user/\(.*\)\.o\";|\1|p" | sort
}

t "build: the tree is built and up to date"
make -q nsmon || fail "make -q nsmon: something would be rebuilt on an unchanged tree"

t "build: a changed BPF program rebuilds only the objects that include its skeleton"
got=$(compiled_after bpf/path.bpf.c | tr '\n' ' ')
want=$(grep -rl '"path.skel.h"' user | sed 's|^user/||; s|\.c$||' | sort | tr '\n' ' ')
check_eq "objects rebuilt after bpf/path.bpf.c" "$got" "$want"
case " $got " in *" cmd/stats "*) fail "cmd/stats.o rebuilt for a path tracer change";; esac

t "build: a changed header rebuilds the objects that include it"
got=$(compiled_after user/util/grow.h | tr '\n' ' ')
case " $got " in *" util/grow "*) ;; *) fail "util/grow.o not rebuilt after grow.h changed: '$got'";; esac
