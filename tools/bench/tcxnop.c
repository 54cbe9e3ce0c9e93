// SPDX-License-Identifier: GPL-2.0
/*
 * The floor under any tc monitor: a program that does nothing, attached
 * with tcx where nsmon attaches its own (both directions of each interface
 * named), so that datapath.sh can measure what the hooks alone cost the
 * traffic. The links are pinned in DIR, which holds them attached after
 * this exits; removing the pins detaches them.
 * Usage: tcxnop DIR IFNAME...
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

/* Debian 12's uapi headers predate tcx (Linux 6.6). */
#define TCX_INGRESS	46
#define TCX_EGRESS	47

int main(int argc, char **argv)
{
	/* r0 = TC_ACT_UNSPEC; exit: let the next program (or the kernel) decide. */
	const struct bpf_insn nop[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = -1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char path[4096];
	int prog, link;

	if (argc < 3) {
		fprintf(stderr, "usage: tcxnop DIR IFNAME...\n");
		return 2;
	}
	prog = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "tcxnop", "GPL", nop, 2, NULL);
	if (prog < 0) {
		fprintf(stderr, "tcxnop: cannot load the program: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		int ifindex = if_nametoindex(argv[i]);

		for (int dir = 0; dir < 2; dir++) {
			link = bpf_link_create(prog, ifindex, dir ? TCX_EGRESS : TCX_INGRESS, NULL);
			snprintf(path, sizeof(path), "%s/%s-%s", argv[1], argv[i], dir ? "egress" : "ingress");
			if (!ifindex || link < 0 || bpf_obj_pin(link, path)) {
				fprintf(stderr, "tcxnop: cannot attach to %s: %s\n", argv[i],
					ifindex ? strerror(errno) : "no such interface");
				return 1;
			}
			close(link);
		}
	}
	return 0;
}
