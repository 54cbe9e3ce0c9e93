// SPDX-License-Identifier: GPL-2.0
/*
 * The frame classifier fuzzed: 100,000 frames, random and mutated from real
 * ones (ARP, ICMP, IPv6 with extension headers, 802.1Q, QinQ, fragments,
 * TCP, UDP, GRE, LLDP), through port_ingress with BPF_PROG_TEST_RUN, a
 * quarter of them with their outer tag moved into the skb's metadata first
 * (as the kernel's receive path does before tc ingress: a small program
 * pushes it, bpf_skb_vlan_push(), and tail-calls port_ingress). Every
 * class, packets, skbs and bytes must equal what a plain-C reference
 * written here from the README's counter rules says (not bpf/parse.bpf.h).
 *
 * Seeded and reproducible: NSMON_FUZZ_SEED (default below) and
 * NSMON_FUZZ_FRAMES (default 100000) choose the run; a failure prints the
 * frame's number, the seed and its bytes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "nsmon.h"
#include "datapath/counters.h"
#include "test.h"
#include "frames.h"
#include "datapath.skel.h"

#define ETH_HLEN		14
#define TC_ACT_UNSPEC		((__u32)-1)
#define DEFAULT_SEED		0x6e736d6f6e2d3132ULL	/* "nsmon-12" */
#define DEFAULT_FRAMES		100000
#define MAX_REPORTED		5

/* ---- the reference: the README's "Counters" rules, in plain C ------------ */

#define C(stat)		(1U << NSMON_STAT_##stat)

static bool is_tag(unsigned int type)
{
	return type == 0x8100 || type == 0x88a8;
}

static unsigned int be16_at(const __u8 *f, __u32 off)
{
	return f[off] << 8 | f[off + 1];
}

/* ICMP and ICMPv6: the type byte at @off decides the echo classes. */
static __u32 ref_icmp(const __u8 *f, __u32 len, __u32 off, __u8 request, __u8 reply)
{
	if (off + 1 > len)
		return C(ICMP) | C(TRUNCATED);
	if (f[off] == request)
		return C(ICMP) | C(ICMP_ECHO_REQUEST);
	if (f[off] == reply)
		return C(ICMP) | C(ICMP_ECHO_REPLY);
	return C(ICMP);
}

static __u32 ref_l4(const __u8 *f, __u32 len, __u32 off, unsigned int proto, bool v6)
{
	if (proto == 6)
		return C(TCP);
	if (proto == 17)
		return C(UDP);
	if (!v6 && proto == 1)
		return ref_icmp(f, len, off, 8, 0);
	if (v6 && proto == 58)
		return ref_icmp(f, len, off, 128, 129);
	return C(L4_OTHER);
}

static __u32 ref_ipv4(const __u8 *f, __u32 len, __u32 off)
{
	__u32 hlen;

	if (off + 20 > len)
		return C(TRUNCATED);
	hlen = (f[off] & 0x0f) * 4;
	if (hlen < 20)
		return C(L4_OTHER);		/* malformed, not short */
	if (off + hlen > len)
		return C(TRUNCATED);
	if (be16_at(f, off + 6) & 0x1fff)
		return C(L4_OTHER);		/* a fragment after the first */
	return ref_l4(f, len, off + hlen, f[off + 9], false);
}

static bool is_skipped_ext(unsigned int nh)
{
	return nh == 0 || nh == 43 || nh == 60;	/* hop-by-hop, routing, destination options */
}

static __u32 ref_ipv6(const __u8 *f, __u32 len, __u32 off)
{
	unsigned int nh;

	if (off + 40 > len)
		return C(TRUNCATED);
	nh = f[off + 6];
	off += 40;
	for (int i = 0; i < 3 && is_skipped_ext(nh); i++) {
		if (off + 2 > len)
			return C(TRUNCATED);
		nh = f[off];
		off += (f[off + 1] + 1) * 8;
		if (off > len)
			return C(TRUNCATED);
	}
	if (is_skipped_ext(nh))
		return C(L4_OTHER);		/* more than three */
	return ref_l4(f, len, off, nh, true);
}

/*
 * The classes of frame @f (@len bytes in the data) whose outer tag is in
 * the skb's metadata when @offloaded: one per family the frame is long
 * enough to decide, VLAN for a tagged frame, TRUNCATED for a short one.
 */
static __u32 ref_classify(const __u8 *f, __u32 len, bool offloaded)
{
	__u32 classes, off = ETH_HLEN;
	unsigned int type;
	int tags;

	if (len < ETH_HLEN)
		return C(TRUNCATED);
	if (!(f[0] & 1))
		classes = C(UNICAST);
	else if ((f[0] & f[1] & f[2] & f[3] & f[4] & f[5]) == 0xff)
		classes = C(BROADCAST);
	else
		classes = C(MULTICAST);
	type = be16_at(f, 12);
	if (offloaded || is_tag(type))
		classes |= C(VLAN);
	/* Two tags are read, an offloaded outer one the first of them. */
	for (tags = offloaded; tags < 2 && is_tag(type); tags++) {
		if (off + 4 > len)
			return classes | C(TRUNCATED);
		type = be16_at(f, off + 2);
		off += 4;
	}
	if (type == 0x0806) {
		classes |= C(ARP);
		if (off + 8 > len)
			return classes | C(TRUNCATED);
		if (be16_at(f, off + 6) == 1)
			return classes | C(ARP_REQUEST);
		if (be16_at(f, off + 6) == 2)
			return classes | C(ARP_REPLY);
		return classes;
	}
	if (type == 0x0800)
		return classes | C(IPV4) | ref_ipv4(f, len, off);
	if (type == 0x86dd)
		return classes | C(IPV6) | ref_ipv6(f, len, off);
	return classes | C(OTHER);
}

/* ---- frames: real ones to mutate, and random ones ------------------------ */

static const char *const seeds[] = {
	/* ARP request, reply */
	"ffffffffffff 020000000001 0806 0001 0800 06 04 0001 020000000001 c0a80f01 000000000000 c0a80f02",
	"020000000001 020000000002 0806 0001 0800 06 04 0002 020000000002 c0a80f02 020000000001 c0a80f01",
	/* ICMP echo request, reply (with 8 bytes of payload) */
	"020000000002 020000000001 0800 4500 0024 1234 4000 40 01 0000 c0a80f01 c0a80f02 0800 0000 0001 0001 0102030405060708",
	"020000000001 020000000002 0800 4500 0024 1234 4000 40 01 0000 c0a80f02 c0a80f01 0000 0000 0001 0001 0102030405060708",
	/* IPv4 with options, TCP, UDP, GRE, a non-first fragment */
	"020000000002 020000000001 0800 4600 0028 1234 4000 40 01 0000 c0a80f01 c0a80f02 01010100 0800 0000 0001 0001",
	"020000000002 020000000001 0800 4500 0028 1234 4000 40 06 0000 c0a80f01 c0a80f02 3039 0050 00000001 00000000 5002 ffff 0000 0000",
	"ffffffffffff 020000000001 0800 4500 001c 1234 4000 40 11 0000 c0a80f01 c0a80fff 3039 0035 0008 0000",
	"020000000002 020000000001 0800 4500 0018 1234 4000 40 2f 0000 c0a80f01 c0a80f02 0000 0800",
	"020000000002 020000000001 0800 4500 0028 1234 0010 40 06 0000 c0a80f01 c0a80f02 3039 0050 00000001 00000000",
	/* ICMPv6 echo request to a multicast group; with hop-by-hop; routing; a fragment */
	"333300000001 020000000001 86dd 60000000 0008 3a 40 fd000000000000000000000000000001 ff020000000000000000000000000001 8000 0000 0001 0001",
	"020000000002 020000000001 86dd 60000000 0010 00 40 fd000000000000000000000000000001 fd000000000000000000000000000002 3a00010400000000 8100 0000 0001 0001",
	"020000000002 020000000001 86dd 60000000 0018 2b 40 fd000000000000000000000000000001 fd000000000000000000000000000002 3a01040000000000 0000000000000000 8000 0000 0001 0001",
	"020000000002 020000000001 86dd 60000000 0010 2c 40 fd000000000000000000000000000001 fd000000000000000000000000000002 3a00000000000001 8000 0000 0001 0001",
	/* 802.1Q ICMP echo request, QinQ ARP request, QinQ UDP */
	"020000000002 020000000001 8100 0064 0800 4500 001c 1234 4000 40 01 0000 c0a80f01 c0a80f02 0800 0000 0001 0001",
	"ffffffffffff 020000000001 88a8 00c8 8100 0064 0806 0001 0800 06 04 0001 020000000001 c0a80f01 000000000000 c0a80f02",
	"020000000002 020000000001 88a8 00c8 8100 0064 0800 4500 001c 1234 4000 40 11 0000 c0a80f01 c0a80f02 3039 0035 0008 0000",
	/* LLDP */
	"0180c200000e 020000000001 88cc 0207 0402 0000 0000 0100 00",
};

#define NSEEDS	(sizeof(seeds) / sizeof(seeds[0]))

/* xorshift64*: small, seeded, the same sequence everywhere. */
static __u64 rng_state;

static __u64 rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static __u32 below(__u32 n)
{
	return n ? (__u32)(rng() % n) : 0;
}

/* Values the parser decides on, for a mutation to write. */
static const __u8 telling_bytes[] = {
	0x00, 0xff, 0x01, 0x02, 0x06, 0x11, 0x3a, 0x2c, 0x2b, 0x3c, 0x3b, 0x2f, 0x08, 0x80, 0x81,
	0x86, 0xdd, 0x88, 0xa8, 0x45, 0x40, 0x4f, 0x44, 0x60,
};
static const unsigned int telling_types[] = { 0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8, 0x88cc };

static void put_be16(__u8 *at, unsigned int v)
{
	at[0] = v >> 8;
	at[1] = v & 0xff;
}

/* One mutation of @f, in place. */
static void mutate(struct frame *f)
{
	__u32 at;

	switch (below(7)) {
	case 0:	/* flip a bit */
		f->data[below(f->len)] ^= 1 << below(8);
		break;
	case 1:	/* a byte the parser looks at */
		f->data[below(f->len)] = telling_bytes[below(sizeof(telling_bytes))];
		break;
	case 2:	/* cut it short (never under the Ethernet header) */
		f->len = ETH_HLEN + below(f->len - ETH_HLEN + 1);
		break;
	case 3:	/* a tag more, where an EtherType was */
		if (f->len + 4 <= FRAME_MAX && f->len >= ETH_HLEN) {
			memmove(f->data + 16, f->data + 12, f->len - 12);
			put_be16(f->data + 12, below(2) ? 0x8100 : 0x88a8);
			put_be16(f->data + 14, below(4096));
			f->len += 4;
		}
		break;
	case 4:	/* a telling EtherType at a place one could be */
		at = 12 + 4 * below(3);
		if (at + 2 <= f->len)
			put_be16(f->data + at, telling_types[below(sizeof(telling_types) /
								     sizeof(telling_types[0]))]);
		break;
	case 5:	/* random bytes at the end */
		for (__u32 n = below(48); n && f->len < FRAME_MAX; n--)
			f->data[f->len++] = rng();
		break;
	default: /* a random nibble where IPv4's ihl or IPv6's next header may be */
		at = ETH_HLEN + 4 * below(3) + below(8);
		if (at < f->len)
			f->data[at] = (f->data[at] & 0xf0) | below(16);
		break;
	}
}

static void random_frame(struct frame *f)
{
	f->len = ETH_HLEN + below(FRAME_MAX - ETH_HLEN + 1);
	for (__u32 i = 0; i < f->len; i++)
		f->data[i] = rng();
	/* Half of them with an EtherType the parser reads further. */
	if (below(2))
		put_be16(f->data + 12, telling_types[below(sizeof(telling_types) /
							  sizeof(telling_types[0]))]);
}

static void next_frame(struct frame *f)
{
	if (below(4) == 0) {
		random_frame(f);
		return;
	}
	parse_frame(seeds[below(NSEEDS)], f);
	for (__u32 n = 1 + below(4); n; n--)
		mutate(f);
}

/*
 * BPF_PROG_TEST_RUN builds no skb under ETH_HLEN, and none whose IPv4 or
 * IPv6 EtherType promises a longer L3 header than the frame holds (as the
 * existing tests found). Tagged frames reach those parser paths instead.
 */
static bool test_run_refuses(const struct frame *f)
{
	unsigned int type;

	if (f->len < ETH_HLEN)
		return true;
	type = be16_at(f->data, 12);
	return (type == 0x0800 && f->len < ETH_HLEN + 20) ||
	       (type == 0x86dd && f->len < ETH_HLEN + 40);
}

/* ---- running them ------------------------------------------------------- */

static __u64 here_cookie;
static int num_cpus;

/*
 * A tc program that moves a tag into the skb's metadata, as the receive
 * path does, then tail-calls entry 0 of @prog_array (port_ingress): the
 * tag's protocol (network order) in the upper half of skb->mark, its TCI in
 * the lower. It returns 0 only when the tail call failed (port_ingress
 * returns TC_ACT_UNSPEC).
 */
static int load_tag_pusher(int prog_array)
{
	const struct bpf_insn insns[] = {
		/* r6 = skb; r7 = skb->mark */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_6, .src_reg = BPF_REG_1 },
		{ .code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_7, .src_reg = BPF_REG_1,
		  .off = offsetof(struct __sk_buff, mark) },
		/* bpf_skb_vlan_push(skb, mark >> 16, mark & 0xffff) */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_2, .src_reg = BPF_REG_7 },
		{ .code = BPF_ALU64 | BPF_RSH | BPF_K, .dst_reg = BPF_REG_2, .imm = 16 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_3, .src_reg = BPF_REG_7 },
		{ .code = BPF_ALU64 | BPF_AND | BPF_K, .dst_reg = BPF_REG_3, .imm = 0xffff },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_skb_vlan_push },
		/* bpf_tail_call(skb, prog_array, 0) */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_1, .src_reg = BPF_REG_6 },
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = BPF_REG_2, .src_reg = BPF_PSEUDO_MAP_FD,
		  .imm = prog_array },
		{ 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_3, .imm = 0 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_tail_call },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};

	return bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "tag_pusher", "GPL", insns,
			     sizeof(insns) / sizeof(insns[0]), NULL);
}

/* The port_ingress counters of this netns's loopback (test_run's device), summed. */
static int read_counters(int fd, struct nsmon_counters *percpu, __u64 *sum)
{
	struct nsmon_if_key key;

	memset(&key, 0, sizeof(key));
	key.netns_cookie = here_cookie;
	key.ifindex = 1;
	key.direction = NSMON_DIR_RX;
	key.hook = NSMON_HOOK_TC;
	memset(sum, 0, NSMON_STAT_MAX * sizeof(*sum));
	if (bpf_map_lookup_elem(fd, &key, percpu))
		return errno == ENOENT ? 0 : -errno;
	for (int cpu = 0; cpu < num_cpus; cpu++)
		for (int i = 0; i < NSMON_STAT_MAX; i++)
			sum[i] += percpu[cpu].stat[i];
	return 0;
}

static void print_frame(const struct frame *f)
{
	printf("#  ");
	for (__u32 i = 0; i < f->len; i++)
		printf("%02x%s", f->data[i], i + 1 < f->len ? " " : "\n");
}

struct fuzz_run {
	int counters;		/* the hash port_ingress counts in (no fast slot given) */
	int ingress, pusher;	/* program fds */
	struct nsmon_counters *percpu;
	__u64 want[NSMON_STAT_MAX], got[NSMON_STAT_MAX];
	unsigned long refused, tagged, differed;
};

/* Run frame @n; compare the counters' growth with the reference's. Return false on a difference. */
static bool fuzz_one(const char *name, struct fuzz_run *r, unsigned long n, __u64 seed,
		     const struct frame *f, bool offloaded)
{
	struct __sk_buff ctx = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->data, .data_size_in = f->len, .repeat = 1);
	__u32 classes = ref_classify(f->data, f->len, offloaded);
	__u64 before[NSMON_STAT_MAX];
	bool same = true;
	int err;

	memcpy(before, r->got, sizeof(before));
	if (offloaded) {
		/* Either protocol, any TCI: the classes must not depend on them. */
		ctx.mark = (__u32)htons(below(2) ? 0x8100 : 0x88a8) << 16 | below(0x10000);
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
	}
	err = bpf_prog_test_run_opts(offloaded ? r->pusher : r->ingress, &opts);
	if (err || opts.retval != TC_ACT_UNSPEC) {
		TEST_FAIL(name, "frame %lu (seed %#llx): test_run %s, retval %#x", n,
			  (unsigned long long)seed, err ? strerror(errno) : "ok", opts.retval);
		print_frame(f);
		return false;
	}
	err = read_counters(r->counters, r->percpu, r->got);
	if (err) {
		TEST_FAIL(name, "cannot read the counters: %s", strerror(-err));
		return false;
	}
	for (int i = 0; i < NSMON_STAT_MAX; i++)
		if (classes & (1U << i))
			r->want[i] += 1;
	r->want[NSMON_STAT_PACKETS] += 1;
	r->want[NSMON_STAT_SKBS] += 1;
	r->want[NSMON_STAT_BYTES] += f->len + (offloaded ? 4 : 0);	/* the wire length */
	for (int i = 0; i < NSMON_STAT_MAX; i++) {
		if (r->got[i] == r->want[i])
			continue;
		if (same && r->differed < MAX_REPORTED) {
			TEST_FAIL(name, "frame %lu (seed %#llx, %u bytes%s): %s grew by %llu, the reference says %llu",
				  n, (unsigned long long)seed, f->len, offloaded ? ", tag in metadata" : "",
				  nsmon_stat_names[i], (unsigned long long)(r->got[i] - before[i]),
				  (unsigned long long)(r->want[i] - before[i]));
			print_frame(f);
		}
		same = false;
	}
	if (!same) {
		r->differed++;
		/* Start the next frame from what was counted, so one difference is reported once. */
		memcpy(r->want, r->got, sizeof(r->want));
	}
	return same;
}

static void fuzz(struct datapath_bpf *skel, int pusher, __u64 seed, unsigned long frames)
{
	char name[160];
	struct fuzz_run r = {
		.counters = bpf_map__fd(skel->maps.counters),
		.ingress = bpf_program__fd(skel->progs.port_ingress),
		.pusher = pusher,
		.percpu = calloc(num_cpus, sizeof(struct nsmon_counters)),
	};
	struct frame f;

	snprintf(name, sizeof(name),
		 "fuzz_classify: %lu random and mutated frames (seed %#llx), each class, packets, skbs and bytes as the reference says",
		 frames, (unsigned long long)seed);
	TEST_BEGIN();
	if (!ASSERT_TRUE(name, r.percpu))
		goto out;
	rng_state = seed ? seed : DEFAULT_SEED;
	for (unsigned long n = 0; n < frames; n++) {
		bool offloaded = below(4) == 0;

		next_frame(&f);
		if (test_run_refuses(&f)) {
			r.refused++;
			continue;
		}
		r.tagged += offloaded;
		if (!fuzz_one(name, &r, n, seed, &f, offloaded) && r.differed >= MAX_REPORTED)
			break;
	}
	printf("# fuzz_classify: %lu frames, %lu refused by test_run, %lu with the tag in metadata, %lu differed\n",
	       frames, r.refused, r.tagged, r.differed);
out:
	free(r.percpu);
	TEST_END(name);
}

int main(void)
{
	const char *seed_env = getenv("NSMON_FUZZ_SEED"), *frames_env = getenv("NSMON_FUZZ_FRAMES");
	__u64 seed = seed_env ? strtoull(seed_env, NULL, 0) : DEFAULT_SEED;
	unsigned long frames = frames_env ? strtoul(frames_env, NULL, 0) : DEFAULT_FRAMES;
	struct datapath_bpf *skel = NULL;
	int prog_array = -1, pusher = -1, zero = 0, ingress;

	test_require_sandbox();
	setvbuf(stdout, NULL, _IOLBF, 0);
	num_cpus = libbpf_num_possible_cpus();
	if (here_netns_cookie(&here_cookie)) {
		printf("FAIL: fuzz_classify: cannot read the netns cookie\n");
		return 1;
	}
	skel = datapath_bpf__open();
	if (skel)
		skel->rodata->bridge_netns_cookie = here_cookie;
	if (!skel || datapath_bpf__load(skel)) {
		printf("FAIL: fuzz_classify: cannot load the datapath programs: %s\n", strerror(errno));
		datapath_bpf__destroy(skel);
		return 1;
	}
	ingress = bpf_program__fd(skel->progs.port_ingress);
	prog_array = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "fuzz_tail", sizeof(__u32), sizeof(__u32),
				    1, NULL);
	if (prog_array >= 0 && !bpf_map_update_elem(prog_array, &zero, &ingress, BPF_ANY))
		pusher = load_tag_pusher(prog_array);
	if (pusher < 0) {
		printf("FAIL: fuzz_classify: cannot load the program that moves a tag into metadata: %s\n",
		       strerror(errno));
		tests_failed++;
	} else {
		fuzz(skel, pusher, seed, frames);
	}
	if (pusher >= 0)
		close(pusher);
	if (prog_array >= 0)
		close(prog_array);
	datapath_bpf__destroy(skel);
	return tests_failed ? 1 : 0;
}
