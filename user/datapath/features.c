// SPDX-License-Identifier: GPL-2.0
/*
 * Probing the kernel: see features.h. Each probe does what nsmon would do,
 * on something of its own: a tcx link and a clsact filter on the loopback
 * of a private namespace, XDP on a veth pair made there, tracing programs
 * on functions and tracepoints that only BPF_PROG_TEST_RUN reaches.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <libmnl/libmnl.h>

#include "datapath/features.h"
#include "datapath/tcx.h"
#include "lab/link.h"
#include "lab/netns.h"
#include "util/log.h"

#ifndef NETLINK_LISTEN_ALL_NSID
#define NETLINK_LISTEN_ALL_NSID	8
#endif

const char *const feature_names[FEATURE_MAX] = {
	[FEATURE_BTF] = "btf",
	[FEATURE_TCX] = "tcx",
	[FEATURE_CLSACT] = "clsact",
	[FEATURE_XDP_NATIVE_VETH] = "xdp_native_veth",
	[FEATURE_XDP_GENERIC_VETH] = "xdp_generic_veth",
	[FEATURE_RINGBUF] = "ringbuf",
	[FEATURE_TP_BTF] = "tp_btf",
	[FEATURE_TC_NETNS_COOKIE] = "tc_netns_cookie",
	[FEATURE_KPROBES] = "kprobes",
	[FEATURE_FENTRY] = "fentry",
	[FEATURE_NETNS_COOKIE] = "netns_cookie",
	[FEATURE_NETLINK_ALL_NSID] = "netlink_all_nsid",
};

/* What a probe found: filled in by the probe, kept for the process. */
struct probe {
	char why[160];		/* "" when the feature is there */
};

static struct probe results[FEATURE_MAX];
static signed char known[FEATURE_MAX];	/* 0: not probed yet, 1: there, -1: not */

/* Keep what the kernel answered about @f (results[@f].why says why not), for feature_probe(). */
static void remember(enum feature f, bool there)
{
	if (known[f] == (there ? 1 : -1))
		return;
	known[f] = there ? 1 : -1;
	if (there)
		results[f].why[0] = '\0';
	/* A refusal is the answer, not an error: libbpf's own lines only with -v. */
	pr_debug("feature %s: %s%s%s", feature_names[f], there ? "yes" : "no",
		 there ? "" : ": ", results[f].why);
}

/* Say why @p failed: "step: strerror" (a probe's errno is the kernel's answer). */
static int fail(struct probe *p, int err, const char *step)
{
	snprintf(p->why, sizeof(p->why), "%s: %s", step, strerror(err < 0 ? -err : err));
	return err < 0 ? err : -err;
}

/* ---- tiny programs ---------------------------------------------------------- */

/* "r0 = @ret; exit": all a probe's program has to be. */
static int load_prog(enum bpf_prog_type type, enum bpf_attach_type attach, __u32 btf_id, int ret)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = ret },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = attach,
		    .attach_btf_id = btf_id);
	int fd = bpf_prog_load(type, "nsmon_probe", "GPL", insns, 2, &opts);

	return fd < 0 ? -errno : fd;
}

/* ---- a private namespace -------------------------------------------------- */

/* ifindex of @name in the namespace @nl talks to. */
static int ifindex_of(struct nl_sock *nl, const char *name)
{
	struct link_info info;
	int err = link_get(nl, name, &info);

	return err ? err : info.ifindex;
}

/*
 * Run @attach(@p, @prog_fd, ifindex) inside a private namespace, on its
 * loopback or (@veth) on one end of a veth pair made there.
 */
static int in_private_netns(struct probe *p, bool veth, int prog_fd,
			    int (*attach)(struct probe *p, int prog_fd, int ifindex))
{
	struct nl_sock *nl = NULL;
	int ns, saved, ifindex, err;

	/* Nobody else can see it: nothing names it, and it goes with the fd. */
	err = netns_new(&ns);
	if (err)
		return fail(p, err, "cannot make a private network namespace");
	nl = nl_open_in(ns);
	if (!nl) {
		err = fail(p, errno, "cannot open rtnetlink in it");
		goto out;
	}
	if (veth) {
		err = link_add_veth(nl, "probe0", 0, "probe1", -1, 0);
		if (err) {
			err = fail(p, err, "cannot make a veth pair");
			goto out;
		}
	}
	ifindex = ifindex_of(nl, veth ? "probe0" : "lo");
	if (ifindex < 0) {
		err = fail(p, ifindex, "cannot find its interface");
		goto out;
	}
	saved = netns_enter(ns);
	if (saved < 0) {
		err = fail(p, saved, "cannot enter it");
		goto out;
	}
	err = attach(p, prog_fd, ifindex);
	netns_leave(saved);
out:
	if (nl)
		nl_close(nl);
	close(ns);
	return err;
}

/* ---- the probes --------------------------------------------------------------- */

#define BTF_MAGIC_NUMBER	0xeB9F

/* What the commands check before loading (datapath_preflight()): the file, and that it is BTF. */
static int probe_btf(struct probe *p)
{
	const char *path = "/sys/kernel/btf/vmlinux";
	struct btf_header hdr;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	ssize_t n;

	if (fd < 0)
		return fail(p, errno, "cannot open /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF)");
	n = read(fd, &hdr, sizeof(hdr));
	if (n < 0)
		err = fail(p, errno, "cannot read /sys/kernel/btf/vmlinux");
	else if ((size_t)n < sizeof(hdr) || hdr.magic != BTF_MAGIC_NUMBER)
		err = fail(p, EINVAL, "/sys/kernel/btf/vmlinux is not BTF");
	close(fd);
	return err;
}

int feature_tcx_link(int prog_fd, int ifindex, int attach_type)
{
	struct probe *p = &results[FEATURE_TCX];
	int fd = bpf_link_create(prog_fd, ifindex, attach_type, NULL), err = -errno;

	if (fd >= 0) {
		remember(FEATURE_TCX, true);
		return fd;
	}
	/* A kernel without tcx (Linux < 6.6) does not know the attach type. */
	if (err != -EINVAL)
		return err;
	fail(p, err, "the kernel does not know tcx attach types (Linux < 6.6)");
	remember(FEATURE_TCX, false);
	return -EOPNOTSUPP;
}

int feature_xdp_link(int prog_fd, int ifindex, __u32 mode)
{
	enum feature f = mode & XDP_FLAGS_DRV_MODE ? FEATURE_XDP_NATIVE_VETH :
						     FEATURE_XDP_GENERIC_VETH;
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = mode);
	int fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts), err = -errno;

	if (fd >= 0) {
		remember(f, true);
		return fd;
	}
	/* A driver without that mode says EOPNOTSUPP, the veth's checks EINVAL. */
	if (err != -EOPNOTSUPP && err != -EINVAL)
		return err;
	fail(&results[f], err, "cannot attach XDP to a veth in that mode");
	remember(f, false);
	return -EOPNOTSUPP;
}

static int attach_tcx(struct probe *p, int prog_fd, int ifindex)
{
	int fd = feature_tcx_link(prog_fd, ifindex, NSMON_BPF_TCX_INGRESS);

	if (fd < 0)
		return fd == -EOPNOTSUPP ? fd : fail(p, fd, "cannot attach a tcx link");
	close(fd);
	return 0;
}

static int attach_clsact(struct probe *p, int prog_fd, int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd);
	int err = bpf_tc_hook_create(&hook);

	if (err)
		return fail(p, err, "cannot add a clsact qdisc");
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		return fail(p, err, "cannot attach a direct-action filter");
	/* The namespace takes qdisc and filter with it. */
	return 0;
}

static int attach_xdp(struct probe *p, int prog_fd, int ifindex, __u32 mode)
{
	int fd = feature_xdp_link(prog_fd, ifindex, mode);

	if (fd < 0)
		return fd == -EOPNOTSUPP ? fd : fail(p, fd, "cannot attach XDP to a veth");
	close(fd);
	return 0;
}

static int attach_xdp_native(struct probe *p, int prog_fd, int ifindex)
{
	return attach_xdp(p, prog_fd, ifindex, XDP_FLAGS_DRV_MODE);
}

static int attach_xdp_generic(struct probe *p, int prog_fd, int ifindex)
{
	return attach_xdp(p, prog_fd, ifindex, XDP_FLAGS_SKB_MODE);
}

/* A program of @type attached by @attach in a private namespace. */
static int probe_net(struct probe *p, enum bpf_prog_type type, int ret, bool veth,
		     int (*attach)(struct probe *p, int prog_fd, int ifindex))
{
	int prog = load_prog(type, 0, 0, ret), err;

	if (prog < 0)
		return fail(p, prog, "cannot load a program");
	err = in_private_netns(p, veth, prog, attach);
	close(prog);
	return err;
}

#define TC_ACT_OK_VALUE	0
#define XDP_PASS_VALUE	2

static int probe_tcx(struct probe *p)
{
	return probe_net(p, BPF_PROG_TYPE_SCHED_CLS, TC_ACT_OK_VALUE, false, attach_tcx);
}

static int probe_clsact(struct probe *p)
{
	return probe_net(p, BPF_PROG_TYPE_SCHED_CLS, TC_ACT_OK_VALUE, false, attach_clsact);
}

static int probe_xdp_native(struct probe *p)
{
	return probe_net(p, BPF_PROG_TYPE_XDP, XDP_PASS_VALUE, true, attach_xdp_native);
}

static int probe_xdp_generic(struct probe *p)
{
	return probe_net(p, BPF_PROG_TYPE_XDP, XDP_PASS_VALUE, true, attach_xdp_generic);
}

static int probe_ringbuf(struct probe *p)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "nsmon_probe", 0, 0, 4096, NULL);

	if (fd < 0)
		return fail(p, errno, "cannot create a ring buffer");
	close(fd);
	return 0;
}

/*
 * A tracing program attached at the first of @targets the kernel's BTF has
 * (a tracepoint's btf_trace_ typedef, or a function: @kind), through a BPF
 * link. Targets that only BPF_PROG_TEST_RUN reaches: the probe's program
 * never runs on the machine's own work. libbpf parses the kernel's BTF for
 * the target's id (~55 ms): only `nsmon features` asks these two.
 */
static int probe_tracing(struct probe *p, enum bpf_attach_type type, const char *const *targets,
			 __u32 kind)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int id = -ENOENT, prog, link;

	if (!btf)
		return fail(p, errno, "cannot read the kernel's BTF");
	for (const char *const *t = targets; *t && id < 0; t++)
		id = btf__find_by_name_kind(btf, *t, kind);
	btf__free(btf);
	if (id < 0)
		return fail(p, ENOENT, "no function or tracepoint to probe in the kernel's BTF");
	prog = load_prog(BPF_PROG_TYPE_TRACING, type, id, 0);
	if (prog < 0)
		return fail(p, prog, type == BPF_TRACE_FENTRY ? "cannot load an fentry program" :
							       "cannot load a tp_btf program");
	link = bpf_link_create(prog, 0, type, NULL);
	close(prog);
	if (link < 0)
		return fail(p, errno, "cannot attach it");
	close(link);
	return 0;
}

static int probe_tp_btf(struct probe *p)
{
	/* bpf_trigger_tp fires in test runs only (Linux 6.10); kfree_skb is what events uses. */
	static const char *const targets[] = { "btf_trace_bpf_trigger_tp", "btf_trace_kfree_skb",
					       NULL };

	return probe_tracing(p, BPF_TRACE_RAW_TP, targets, BTF_KIND_TYPEDEF);
}

static int probe_fentry(struct probe *p)
{
	static const char *const targets[] = { "bpf_fentry_test1", NULL };

	return probe_tracing(p, BPF_TRACE_FENTRY, targets, BTF_KIND_FUNC);
}

static int probe_tc_netns_cookie(struct probe *p)
{
	int ret = libbpf_probe_bpf_helper(BPF_PROG_TYPE_SCHED_CLS, BPF_FUNC_get_netns_cookie, NULL);

	if (ret < 0)
		return fail(p, ret, "cannot load a tc program");
	if (!ret)
		return fail(p, EINVAL, "the verifier refuses bpf_get_netns_cookie() in tc");
	return 0;
}

#define KPROBE_PMU_TYPE	"/sys/bus/event_source/devices/kprobe/type"

/*
 * A kprobe the way libbpf makes one: a perf event of the kprobe PMU on a
 * function (bpf_fentry_test1 again), a kprobe program attached to it.
 */
static int probe_kprobes(struct probe *p)
{
	struct perf_event_attr attr = { .size = sizeof(attr) };
	FILE *f = fopen(KPROBE_PMU_TYPE, "re");
	int type = -1, pfd, prog, err = 0;

	if (!f)
		return fail(p, errno, "no kprobe PMU in /sys/bus/event_source/devices (CONFIG_KPROBE_EVENTS)");
	if (fscanf(f, "%d", &type) != 1)
		type = -1;
	fclose(f);
	if (type < 0)
		return fail(p, EINVAL, "cannot read " KPROBE_PMU_TYPE);
	attr.type = type;
	attr.config1 = (__u64)(unsigned long)"bpf_fentry_test1";	/* kprobe_func */
	pfd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return fail(p, errno, "cannot open a kprobe perf event");
	prog = load_prog(BPF_PROG_TYPE_KPROBE, 0, 0, 0);
	if (prog < 0)
		err = fail(p, prog, "cannot load a kprobe program");
	else if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog))
		err = fail(p, errno, "cannot attach it");
	if (prog >= 0)
		close(prog);
	close(pfd);
	return err;
}

/* The same function that keys every namespace's counters (lab/netns.c), on our own. */
static int probe_netns_cookie(struct probe *p)
{
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC), err;
	__u64 cookie;

	if (fd < 0)
		return fail(p, errno, "cannot open our network namespace");
	err = netns_cookie(fd, &cookie);
	close(fd);
	return err ? fail(p, err, "cannot read a netns cookie (SO_NETNS_COOKIE)") : 0;
}

static int probe_netlink_all_nsid(struct probe *p)
{
	struct mnl_socket *sock = mnl_socket_open(NETLINK_ROUTE);
	int one = 1, err = 0;

	if (!sock)
		return fail(p, errno, "cannot open rtnetlink");
	if (mnl_socket_setsockopt(sock, NETLINK_LISTEN_ALL_NSID, &one, sizeof(one)) < 0)
		err = fail(p, errno, "cannot set NETLINK_LISTEN_ALL_NSID");
	mnl_socket_close(sock);
	return err;
}

static int (*const probes[FEATURE_MAX])(struct probe *p) = {
	[FEATURE_BTF] = probe_btf,
	[FEATURE_TCX] = probe_tcx,
	[FEATURE_CLSACT] = probe_clsact,
	[FEATURE_XDP_NATIVE_VETH] = probe_xdp_native,
	[FEATURE_XDP_GENERIC_VETH] = probe_xdp_generic,
	[FEATURE_RINGBUF] = probe_ringbuf,
	[FEATURE_TP_BTF] = probe_tp_btf,
	[FEATURE_TC_NETNS_COOKIE] = probe_tc_netns_cookie,
	[FEATURE_KPROBES] = probe_kprobes,
	[FEATURE_FENTRY] = probe_fentry,
	[FEATURE_NETNS_COOKIE] = probe_netns_cookie,
	[FEATURE_NETLINK_ALL_NSID] = probe_netlink_all_nsid,
};

bool feature_probe(enum feature f, const char **why)
{
	/* A probe that attached says so itself (feature_tcx_link(), feature_xdp_link()). */
	if (!known[f])
		remember(f, !probes[f](&results[f]));
	if (why)
		*why = results[f].why;
	return known[f] > 0;
}
