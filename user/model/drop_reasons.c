// SPDX-License-Identifier: GPL-2.0
/* Drop reason names from the kernel's BTF: see drop_reasons.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>

#include "model/drop_reasons.h"

#define PREFIX	"SKB_DROP_REASON_"
/*
 * Core reasons are small numbers; subsystems' reasons live above 1 << 16
 * (SKB_DROP_REASON_SUBSYS_SHIFT) next to masks: those are not indexed.
 */
#define CORE_REASONS_MAX	4096

static char **names;
static __u32 nnames;

int drop_reasons_load(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	const struct btf_type *t;
	const struct btf_enum *e;
	__s32 id;
	int err = 0;

	if (!btf)
		return -errno;
	id = btf__find_by_name_kind(btf, "skb_drop_reason", BTF_KIND_ENUM);
	if (id < 0) {
		err = id;
		goto out;
	}
	t = btf__type_by_id(btf, id);
	e = btf_enum(t);
	for (__u16 i = 0; i < btf_vlen(t); i++)
		if ((__u32)e[i].val < CORE_REASONS_MAX && (__u32)e[i].val + 1 > nnames)
			nnames = e[i].val + 1;
	names = calloc(nnames, sizeof(*names));
	if (!names) {
		err = -ENOMEM;
		goto out;
	}
	for (__u16 i = 0; i < btf_vlen(t); i++) {
		const char *name = btf__name_by_offset(btf, e[i].name_off);

		if ((__u32)e[i].val >= nnames)
			continue;
		if (!strncmp(name, PREFIX, strlen(PREFIX)))
			name += strlen(PREFIX);
		names[e[i].val] = strdup(name);
	}
out:
	btf__free(btf);
	return err;
}

const char *drop_reason_name(__u32 reason)
{
	static char unknown[32];

	if (reason < nnames && names[reason])
		return names[reason];
	snprintf(unknown, sizeof(unknown), "REASON_%u", reason);
	return unknown;
}
