// SPDX-License-Identifier: GPL-2.0
/*
 * The path tracer's programs (bpf/path.bpf.c) over BPF_PROG_TEST_RUN:
 * - the latency bucket rule as the verified, JITed code computes it
 *   (path_bucket_check) equals the rule compiled here, and every duration
 *   lies within the bounds userspace reports for its bucket;
 * - an echo request through the request leg's four tc hops takes one
 *   in-flight slot and stamps each hop once, in order; the reply leg's hops
 *   leave it alone; starting the same packet again evicts the old one,
 *   counted;
 * - --sample 4 picks an echo by its sequence number (4, not 3) at every
 *   hop; the shared filter (--proto, --host, --port, include/filter_abi.h)
 *   decides in the kernel: --proto icmp leaves UDP alone, --host and
 *   --port trace what they name and nothing else.
 * The last hop (skb:consume_skb, tp_btf) cannot be test-run: the
 * integration test (tests/integration/path.sh) covers it.
 *
 * With --bench it tests nothing and prints the ns per run of the hop
 * programs instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "filter_abi.h"
#include "path_abi.h"
#include "model/path_hist.h"
#include "util/filter.h"
#include "util/log.h"
#include "test.h"
#include "path.skel.h"

#define BENCH_REPEAT	200000

/* Ethernet + IPv4 + ICMP echo request 10.0.0.1 -> 10.0.0.2, id 0x1234, sequence @seq. */
static size_t echo_frame(unsigned char *buf, __u16 seq, __u8 ip_proto)
{
	static const unsigned char head[] = {
		0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
		0x45, 0, 0, 0x54, 0x12, 0x34, 0x40, 0, 0x40, 0x01, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
		0x08, 0, 0, 0, 0x12, 0x34, 0, 0,
	};

	memset(buf, 0, 98);
	memcpy(buf, head, sizeof(head));
	buf[23] = ip_proto;
	buf[40] = seq >> 8;
	buf[41] = seq & 0xff;
	return 98;
}

static int run_prog(const struct bpf_program *prog, const unsigned char *frame, size_t len,
		    int repeat, __u32 *duration)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .repeat = repeat);
	int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);

	if (duration)
		*duration = opts.duration;
	return err ? -errno : 0;
}

/* The tracer with the filter the three options say (NULL: not given). */
static struct path_bpf *load_filtered(const char *proto, const char *host, const char *port,
				      __u32 sample, bool bucket_check)
{
	struct path_bpf *skel = path_bpf__open();
	struct nsmon_filter f;

	if (!skel)
		return NULL;
	if (filter_parse(&f, proto, host, port)) {
		path_bpf__destroy(skel);
		return NULL;
	}
	skel->rodata->filter = f;
	skel->rodata->sample_every = sample;
	bpf_program__set_autoload(skel->progs.path_bucket_check, bucket_check);
	if (path_bpf__load(skel)) {
		path_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

static struct path_bpf *load(__u32 sample, bool bucket_check)
{
	return load_filtered(NULL, NULL, NULL, sample, bucket_check);
}

/* The one busy slot (there must be exactly one), or -1. */
static int busy_slot(const struct path_bpf *skel, struct nsmon_path_flight *out)
{
	int fd = bpf_map__fd(skel->maps.flights), found = -1;
	struct nsmon_path_flight f;

	for (__u32 i = 0; i < NSMON_PATH_FLIGHTS; i++) {
		if (bpf_map_lookup_elem(fd, &i, &f) || !f.tag)
			continue;
		if (found >= 0)
			return -2;
		found = (int)i;
		*out = f;
	}
	return found;
}

static struct nsmon_path_leg_stats leg_stats(const struct path_bpf *skel, __u32 leg)
{
	int ncpus = libbpf_num_possible_cpus();
	struct nsmon_path_leg_stats all[ncpus], sum = {};

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.leg_stats), &leg, all))
		return sum;
	for (int c = 0; c < ncpus; c++) {
		sum.started += all[c].started;
		sum.completed += all[c].completed;
		sum.evicted += all[c].evicted;
		sum.discarded += all[c].discarded;
	}
	return sum;
}

/* The bucket of @ns by the BPF program, checked against userspace's rule and bounds. */
static void check_value(const char *name, const struct bpf_program *prog, __u64 ns)
{
	struct nsmon_bucket_check c = { .ns = ns };
	/* A syscall program's context goes back where it came from. */
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &c, .ctx_size_in = sizeof(c));
	__u64 first, last;

	if (!ASSERT_OK(name, bpf_prog_test_run_opts(bpf_program__fd(prog), &opts) ? -errno : 0))
		return;
	first = nsmon_path_bucket_first(c.bucket);
	last = path_hist_bucket_last(c.bucket);
	if (c.bucket != nsmon_path_bucket(ns) || c.bucket >= NSMON_PATH_BUCKETS)
		TEST_FAIL(name, "%llu ns: BPF bucket %u, userspace %u", (unsigned long long)ns,
			  c.bucket, nsmon_path_bucket(ns));
	else if (ns < first || (ns > last && c.bucket != NSMON_PATH_BUCKETS - 1))
		TEST_FAIL(name, "%llu ns in bucket %u of %llu .. %llu", (unsigned long long)ns,
			  c.bucket, (unsigned long long)first, (unsigned long long)last);
}

/* Every edge of every bucket, both sides, and far past the last. */
static void test_buckets(void)
{
	const char *name = "path bucket rule: the BPF program's and userspace's agree, within bounds";
	struct path_bpf *skel = load(1, true);

	TEST_BEGIN();
	if (!ASSERT_TRUE(name, skel != NULL))
		goto out;
	for (__u32 b = 0; b <= NSMON_PATH_BUCKETS; b++) {
		__u64 edge = nsmon_path_bucket_first(b);
		__u64 v[] = { edge ? edge - 1 : 0, edge, edge + 1, edge * 3 / 2 + 7 };

		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
			check_value(name, skel->progs.path_bucket_check, v[i]);
	}
	check_value(name, skel->progs.path_bucket_check, ~0ULL);
	check_value(name, skel->progs.path_bucket_check, 1ULL << 40);
	/* The buckets tile the line: each begins where the one before ends. */
	for (__u32 b = 1; b < NSMON_PATH_BUCKETS; b++)
		if (nsmon_path_bucket_first(b) != path_hist_bucket_last(b - 1) + 1)
			TEST_FAIL(name, "bucket %u starts at %llu, bucket %u ends at %llu", b,
				  (unsigned long long)nsmon_path_bucket_first(b), b - 1,
				  (unsigned long long)path_hist_bucket_last(b - 1));
out:
	path_bpf__destroy(skel);
	TEST_END(name);
}

static void test_hops(void)
{
	const char *name = "path hops: an echo request through the request leg's four hops";
	struct path_bpf *skel = load(1, false);
	struct nsmon_path_leg_stats st;
	unsigned char frame[128];
	size_t len = echo_frame(frame, 7, 1);
	struct nsmon_path_flight f, g;
	int slot;

	TEST_BEGIN();
	if (!ASSERT_TRUE(name, skel != NULL))
		goto out;
	ASSERT_OK(name, run_prog(skel->progs.path_req_sender_tx, frame, len, 1, NULL));
	slot = busy_slot(skel, &f);
	if (!ASSERT_TRUE(name, slot >= 0))
		goto out;
	ASSERT_EQ(name, f.leg, NSMON_LEG_REQUEST);
	ASSERT_TRUE(name, f.first_ns && !f.after_ns[0] && !f.after_ns[1] && !f.after_ns[2]);
	/* The reply leg's hops do not touch a request. */
	ASSERT_OK(name, run_prog(skel->progs.path_rep_bridge_in, frame, len, 1, NULL));
	ASSERT_OK(name, run_prog(skel->progs.path_rep_receiver_rx, frame, len, 1, NULL));
	ASSERT_OK(name, run_prog(skel->progs.path_req_bridge_in, frame, len, 1, NULL));
	ASSERT_OK(name, run_prog(skel->progs.path_req_bridge_out, frame, len, 1, NULL));
	ASSERT_OK(name, run_prog(skel->progs.path_req_receiver_rx, frame, len, 1, NULL));
	ASSERT_EQ(name, busy_slot(skel, &g), slot);
	ASSERT_TRUE(name, g.tag == f.tag && g.first_ns == f.first_ns);
	ASSERT_TRUE(name, g.after_ns[0] <= g.after_ns[1] && g.after_ns[1] <= g.after_ns[2]);
	ASSERT_TRUE(name, g.after_ns[0] && g.after_ns[1] && g.after_ns[2]);
	/* A second copy at a hop (a flood) keeps the first time. */
	ASSERT_OK(name, run_prog(skel->progs.path_req_bridge_out, frame, len, 1, NULL));
	busy_slot(skel, &f);
	ASSERT_EQ(name, f.after_ns[1], g.after_ns[1]);
	st = leg_stats(skel, NSMON_LEG_REQUEST);
	ASSERT_EQ(name, st.started, 1);
	ASSERT_EQ(name, st.evicted, 0);
	ASSERT_EQ(name, leg_stats(skel, NSMON_LEG_REPLY).started, 0);
	TEST_END(name);

	name = "path hops: the same packet started again evicts the one in flight, counted";
	TEST_BEGIN();
	ASSERT_OK(name, run_prog(skel->progs.path_req_sender_tx, frame, len, 1, NULL));
	ASSERT_EQ(name, busy_slot(skel, &f), slot);
	ASSERT_TRUE(name, !f.after_ns[0] && !f.after_ns[1] && !f.after_ns[2]);
	st = leg_stats(skel, NSMON_LEG_REQUEST);
	ASSERT_EQ(name, st.started, 2);
	ASSERT_EQ(name, st.evicted, 1);
out:
	path_bpf__destroy(skel);
	TEST_END(name);
}

/*
 * The shared filter decides in the kernel: a packet it does not match takes
 * no slot. The UDP frame's ports are the ICMP frame's type/code and
 * checksum: 0x0800 = 2048 and 0.
 */
static const struct filter_case {
	const char *name;
	const char *proto, *host, *port;
	__u8 ip_proto;		/* of the frame: 1 (ICMP) or 17 (UDP) */
	__u64 started;		/* legs it starts: 1 traced, 0 not */
} filter_cases[] = {
	{ "path --proto icmp: UDP is not traced", "icmp", NULL, NULL, 17, 0 },
	{ "path --proto icmp: ICMP is", "icmp", NULL, NULL, 1, 1 },
	{ "path --host: another address is not traced", "any", "10.0.0.9", NULL, 1, 0 },
	{ "path --host: the receiver's address is", "any", "10.0.0.2", NULL, 1, 1 },
	{ "path --port: another port is not traced", "udp", NULL, "53", 17, 0 },
	{ "path --host --port: the sender's address and port are", "udp", "10.0.0.1", "2048", 17, 1 },
};

static void test_filter_case(const struct filter_case *c)
{
	struct path_bpf *skel = load_filtered(c->proto, c->host, c->port, 1, false);
	unsigned char frame[128];
	size_t len = echo_frame(frame, 8, c->ip_proto);

	TEST_BEGIN();
	if (!ASSERT_TRUE(c->name, skel != NULL))
		goto out;
	ASSERT_OK(c->name, run_prog(skel->progs.path_req_sender_tx, frame, len, 1, NULL));
	ASSERT_EQ(c->name, leg_stats(skel, NSMON_LEG_REQUEST).started, c->started);
out:
	path_bpf__destroy(skel);
	TEST_END(c->name);
}

static void test_filters(void)
{
	const char *name = "path --sample 4: an echo by its sequence number, at every hop";
	struct path_bpf *skel = load(4, false);
	unsigned char frame[128];
	size_t len;
	struct nsmon_path_flight f;

	TEST_BEGIN();
	if (!ASSERT_TRUE(name, skel != NULL))
		goto out;
	len = echo_frame(frame, 3, 1);
	ASSERT_OK(name, run_prog(skel->progs.path_req_sender_tx, frame, len, 1, NULL));
	ASSERT_EQ(name, leg_stats(skel, NSMON_LEG_REQUEST).started, 0);
	len = echo_frame(frame, 8, 1);
	ASSERT_OK(name, run_prog(skel->progs.path_req_sender_tx, frame, len, 1, NULL));
	ASSERT_OK(name, run_prog(skel->progs.path_req_bridge_in, frame, len, 1, NULL));
	ASSERT_EQ(name, leg_stats(skel, NSMON_LEG_REQUEST).started, 1);
	ASSERT_TRUE(name, busy_slot(skel, &f) >= 0 && f.after_ns[0]);
out:
	path_bpf__destroy(skel);
	TEST_END(name);
	for (size_t i = 0; i < sizeof(filter_cases) / sizeof(filter_cases[0]); i++)
		test_filter_case(&filter_cases[i]);
}

/* Not a test: ns per run of the hop programs, for tools/bench. */
static void bench(void)
{
	struct path_bpf *skel = load(1, false);
	unsigned char frame[128];
	size_t len = echo_frame(frame, 1, 17);
	const struct { const char *what; struct bpf_program *prog; } runs[] = {
		{ "first hop (slot taken, stamped)", skel ? skel->progs.path_req_sender_tx : NULL },
		{ "a later hop, stamped already", skel ? skel->progs.path_req_bridge_in : NULL },
		{ "a hop of the other leg (no match)", skel ? skel->progs.path_rep_bridge_in : NULL },
	};
	__u32 ns;

	if (!skel) {
		printf("FAIL: path bench: cannot load the path tracer\n");
		tests_failed++;
		return;
	}
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++)
		if (!run_prog(runs[i].prog, frame, len, BENCH_REPEAT, &ns))
			printf("{\"prog\": \"%s\", \"what\": \"%s\", \"ns_per_run\": %u}\n",
			       bpf_program__name(runs[i].prog), runs[i].what, ns);
	path_bpf__destroy(skel);
}

int main(int argc, char **argv)
{
	log_init(false);
	test_require_sandbox();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "--bench")) {
		bench();
		return tests_failed ? 1 : 0;
	}
	test_buckets();
	test_hops();
	test_filters();
	return tests_failed ? 1 : 0;
}
