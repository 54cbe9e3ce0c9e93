// SPDX-License-Identifier: GPL-2.0
/*
 * The capture programs over BPF_PROG_TEST_RUN: the shared filter's matcher
 * (bpf/filter.bpf.h) on crafted frames, table-driven (each row a filter as
 * a user types it, a frame, whether it must be captured), then what a
 * record holds (lengths, bytes, direction, the snapshot length, each size
 * class) and the loss count when the ring is full. Runs as root in a
 * throwaway netns; test_run's device is its loopback, ifindex 1.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "nsmon.h"
#include "capture_abi.h"
#include "util/filter.h"
#include "test.h"
#include "capture.skel.h"

#define TC_ACT_UNSPEC	((__u32)-1)
#define FRAME_MAX	4096

enum l3 { L3_ARP, L3_IPV4, L3_IPV6, L3_OTHER };

/* A frame to build: Ethernet, tags, one L3 header and one L4 header. */
struct spec {
	enum l3 l3;
	int tags;		/* in the data: 0, 1 (802.1Q), 2 (802.1ad, 802.1Q), 3 */
	int proto;		/* IPPROTO_ICMP, _ICMPV6, _TCP, _UDP */
	const char *src, *dst;	/* addresses; ARP: sender, target */
	int sport, dport;
	bool fragment;		/* IPv4: a non-first fragment */
	bool ip_options;	/* IPv4: ihl 6 */
	bool hopopts;		/* IPv6: a hop-by-hop header first */
	int cut;		/* keep this many bytes only (0: all) */
	int size;		/* zero payload up to this frame length (0: none) */
};

struct row {
	const char *name;
	const char *proto, *host, *port;	/* the options, NULL: not given */
	struct spec frame;
	bool captured;
};

#define V4(p, s, d, sp, dp)	{ .l3 = L3_IPV4, .proto = (p), .src = (s), .dst = (d), \
				  .sport = (sp), .dport = (dp) }
#define V6(p, s, d, sp, dp)	{ .l3 = L3_IPV6, .proto = (p), .src = (s), .dst = (d), \
				  .sport = (sp), .dport = (dp) }
#define ARP(s, d)		{ .l3 = L3_ARP, .src = (s), .dst = (d) }
#define RED	"192.168.15.1"
#define BLUE	"192.168.15.2"
#define RED6	"fd00::1"
#define BLUE6	"fd00::2"

static const struct row rows[] = {
	{ "no filter: ARP", NULL, NULL, NULL, ARP(RED, BLUE), true },
	{ "no filter: other EtherType", NULL, NULL, NULL, { .l3 = L3_OTHER }, true },
	{ "proto arp: ARP", "arp", NULL, NULL, ARP(RED, BLUE), true },
	{ "proto arp: not ICMP", "arp", NULL, NULL, V4(IPPROTO_ICMP, RED, BLUE, 0, 0), false },
	{ "proto icmp: ICMP", "icmp", NULL, NULL, V4(IPPROTO_ICMP, RED, BLUE, 0, 0), true },
	{ "proto icmp: not ICMPv6", "icmp", NULL, NULL, V6(IPPROTO_ICMPV6, RED6, BLUE6, 0, 0), false },
	{ "proto icmp: not UDP", "icmp", NULL, NULL, V4(IPPROTO_UDP, RED, BLUE, 1, 2), false },
	{ "proto icmp6: ICMPv6", "icmp6", NULL, NULL, V6(IPPROTO_ICMPV6, RED6, BLUE6, 0, 0), true },
	{ "proto icmp6: ICMPv6 after hop-by-hop", "icmp6", NULL, NULL,
	  { .l3 = L3_IPV6, .proto = IPPROTO_ICMPV6, .src = RED6, .dst = "ff02::16", .hopopts = true },
	  true },
	{ "proto icmp6: not ICMP", "icmp6", NULL, NULL, V4(IPPROTO_ICMP, RED, BLUE, 0, 0), false },
	{ "proto tcp,udp: TCP", "tcp,udp", NULL, NULL, V4(IPPROTO_TCP, RED, BLUE, 1, 2), true },
	{ "proto tcp,udp: UDP over IPv6", "tcp,udp", NULL, NULL, V6(IPPROTO_UDP, RED6, BLUE6, 1, 2), true },
	{ "proto tcp,udp: not ICMP", "tcp,udp", NULL, NULL, V4(IPPROTO_ICMP, RED, BLUE, 0, 0), false },
	{ "proto udp: a non-first fragment", "udp", NULL, NULL,
	  { .l3 = L3_IPV4, .proto = IPPROTO_UDP, .src = RED, .dst = BLUE, .fragment = true }, true },
	{ "proto ipv4: UDP", "ipv4", NULL, NULL, V4(IPPROTO_UDP, RED, BLUE, 1, 2), true },
	{ "proto ipv4: not ARP", "ipv4", NULL, NULL, ARP(RED, BLUE), false },
	{ "proto ipv4: not IPv6", "ipv4", NULL, NULL, V6(IPPROTO_UDP, RED6, BLUE6, 1, 2), false },
	{ "proto ipv6: IPv6", "ipv6", NULL, NULL, V6(IPPROTO_TCP, RED6, BLUE6, 1, 2), true },
	{ "proto ipv6: not IPv4", "ipv6", NULL, NULL, V4(IPPROTO_TCP, RED, BLUE, 1, 2), false },
	{ "host: destination", NULL, BLUE, NULL, V4(IPPROTO_ICMP, RED, BLUE, 0, 0), true },
	{ "host: source", NULL, BLUE, NULL, V4(IPPROTO_ICMP, BLUE, RED, 0, 0), true },
	{ "host: neither end", NULL, BLUE, NULL, V4(IPPROTO_ICMP, RED, "192.168.15.3", 0, 0), false },
	{ "host: ARP's target", NULL, BLUE, NULL, ARP(RED, BLUE), true },
	{ "host: ARP of others", NULL, BLUE, NULL, ARP(RED, "192.168.15.3"), false },
	{ "host: IPv4 host, IPv6 frame", NULL, BLUE, NULL, V6(IPPROTO_UDP, RED6, BLUE6, 1, 2), false },
	{ "host: IPv6", NULL, BLUE6, NULL, V6(IPPROTO_UDP, RED6, BLUE6, 1, 2), true },
	{ "host: IPv6 host, IPv4 frame", NULL, BLUE6, NULL, V4(IPPROTO_UDP, RED, BLUE, 1, 2), false },
	{ "host: the second of a list", NULL, "10.0.0.9," BLUE, NULL, V4(IPPROTO_UDP, RED, BLUE, 1, 2), true },
	{ "host: a cut IPv4 header has no address", NULL, BLUE, NULL,
	  { .l3 = L3_IPV4, .tags = 1, .proto = IPPROTO_UDP, .src = RED, .dst = BLUE, .cut = 30 }, false },
	{ "port: UDP destination", NULL, NULL, "53", V4(IPPROTO_UDP, RED, BLUE, 40000, 53), true },
	{ "port: TCP source, IPv6", NULL, NULL, "53", V6(IPPROTO_TCP, RED6, BLUE6, 53, 40000), true },
	{ "port: neither", NULL, NULL, "53", V4(IPPROTO_UDP, RED, BLUE, 40000, 54), false },
	{ "port: ICMP has none", NULL, NULL, "53", V4(IPPROTO_ICMP, RED, BLUE, 0, 0), false },
	{ "port: not in a non-first fragment", NULL, NULL, "53",
	  { .l3 = L3_IPV4, .proto = IPPROTO_UDP, .src = RED, .dst = BLUE, .sport = 53, .dport = 53,
	    .fragment = true }, false },
	{ "port: after IPv4 options", NULL, NULL, "53",
	  { .l3 = L3_IPV4, .proto = IPPROTO_UDP, .src = RED, .dst = BLUE, .sport = 1, .dport = 53,
	    .ip_options = true }, true },
	{ "port: after an IPv6 hop-by-hop header", NULL, NULL, "53",
	  { .l3 = L3_IPV6, .proto = IPPROTO_UDP, .src = RED6, .dst = BLUE6, .sport = 1, .dport = 53,
	    .hopopts = true }, true },
	{ "all three: match", "udp", BLUE, "9000", V4(IPPROTO_UDP, RED, BLUE, 40000, 9000), true },
	{ "all three: wrong port", "udp", BLUE, "9000", V4(IPPROTO_UDP, RED, BLUE, 40000, 9001), false },
	{ "all three: wrong host", "udp", BLUE, "9000",
	  V4(IPPROTO_UDP, RED, "192.168.15.3", 40000, 9000), false },
	{ "all three: wrong proto", "tcp", BLUE, "9000", V4(IPPROTO_UDP, RED, BLUE, 40000, 9000), false },
	{ "802.1Q: read through the tag", "udp", BLUE, "9000",
	  { .l3 = L3_IPV4, .tags = 1, .proto = IPPROTO_UDP, .src = RED, .dst = BLUE, .sport = 1,
	    .dport = 9000 }, true },
	{ "QinQ: read through both tags", "icmp", BLUE, NULL,
	  { .l3 = L3_IPV4, .tags = 2, .proto = IPPROTO_ICMP, .src = RED, .dst = BLUE }, true },
	{ "three tags: not read", "icmp", NULL, NULL,
	  { .l3 = L3_IPV4, .tags = 3, .proto = IPPROTO_ICMP, .src = RED, .dst = BLUE }, false },
};

struct frame {
	__u8 data[FRAME_MAX];
	size_t len;
};

static void put(struct frame *f, const void *bytes, size_t n)
{
	memcpy(f->data + f->len, bytes, n);
	f->len += n;
}

static void put16(struct frame *f, __u16 v)
{
	v = htons(v);
	put(f, &v, 2);
}

static void put_l4(struct frame *f, const struct spec *s)
{
	static const __u8 echo[8] = { 8, 0, 0, 0, 0x12, 0x34, 0, 1 };
	static const __u8 echo6[8] = { 128, 0, 0, 0, 0x12, 0x34, 0, 1 };
	__u8 rest[16] = {};

	if (s->proto == IPPROTO_ICMP) {
		put(f, echo, sizeof(echo));
	} else if (s->proto == IPPROTO_ICMPV6) {
		put(f, echo6, sizeof(echo6));
	} else if (s->proto == IPPROTO_UDP) {
		put16(f, s->sport);
		put16(f, s->dport);
		put16(f, 8);
		put16(f, 0);
	} else if (s->proto == IPPROTO_TCP) {
		put16(f, s->sport);
		put16(f, s->dport);
		rest[8] = 0x50;		/* data offset 5 */
		put(f, rest, 16);
	}
}

static void build(const struct spec *s, struct frame *f)
{
	static const __u8 macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	__u8 hdr[40] = {};

	f->len = 0;
	put(f, macs, sizeof(macs));
	for (int i = 0; i < s->tags; i++) {
		put16(f, i == 0 && s->tags > 1 ? 0x88a8 : 0x8100);
		put16(f, 100 + i);
	}
	if (s->l3 == L3_ARP) {
		static const __u8 arp[8] = { 0, 1, 8, 0, 6, 4, 0, 1 };
		__u8 mac[6] = { 2, 0, 0, 0, 0, 1 }, zero[6] = {};
		struct in_addr a;

		put16(f, 0x0806);
		put(f, arp, sizeof(arp));
		put(f, mac, 6);
		inet_pton(AF_INET, s->src, &a);
		put(f, &a, 4);
		put(f, zero, 6);
		inet_pton(AF_INET, s->dst, &a);
		put(f, &a, 4);
	} else if (s->l3 == L3_IPV4) {
		put16(f, 0x0800);
		hdr[0] = s->ip_options ? 0x46 : 0x45;
		hdr[6] = s->fragment ? 0x00 : 0x40;	/* DF, or offset 16 (x 8 bytes) */
		hdr[7] = s->fragment ? 0x10 : 0x00;
		hdr[8] = 64;
		hdr[9] = s->proto;
		inet_pton(AF_INET, s->src, hdr + 12);
		inet_pton(AF_INET, s->dst, hdr + 16);
		put(f, hdr, s->ip_options ? 24 : 20);
		put_l4(f, s);
	} else if (s->l3 == L3_IPV6) {
		put16(f, 0x86dd);
		hdr[0] = 0x60;
		hdr[6] = s->hopopts ? 0 : s->proto;
		hdr[7] = 64;
		inet_pton(AF_INET6, s->src, hdr + 8);
		inet_pton(AF_INET6, s->dst, hdr + 24);
		put(f, hdr, 40);
		if (s->hopopts) {
			__u8 hbh[8] = { (__u8)s->proto, 0, 1, 4, 0, 0, 0, 0 };

			put(f, hbh, sizeof(hbh));
		}
		put_l4(f, s);
	} else {
		static const __u8 lldp[16] = { 0x88, 0xcc };

		put(f, lldp, sizeof(lldp));
	}
	if (s->size > (int)f->len) {
		memset(f->data + f->len, 0xab, s->size - f->len);
		f->len = s->size;
	}
	if (s->cut)
		f->len = s->cut;
}

/* What the ring held after a run: the last record and how many. */
struct seen {
	int records;
	struct nsmon_cap_rec rec;
	__u8 data[FRAME_MAX];
};

static int on_record(void *ctx, void *data, size_t size)
{
	struct seen *s = ctx;
	const struct nsmon_cap_rec *rec = data;

	s->records++;
	s->rec = *rec;
	memcpy(s->data, rec->data, rec->caplen < FRAME_MAX ? rec->caplen : FRAME_MAX);
	return 0;
}

/* The programs, loaded with @f and @snaplen, their ring @ring_bytes long (0: default). */
static struct capture_bpf *load(const char *name, const struct nsmon_filter *f, __u32 snaplen,
				__u32 ring_bytes)
{
	struct capture_bpf *skel = capture_bpf__open();

	if (!ASSERT_TRUE(name, skel))
		return NULL;
	skel->rodata->filter = *f;
	skel->rodata->snaplen = snaplen;
	if (ring_bytes)
		bpf_map__set_max_entries(skel->maps.frames, ring_bytes);
	if (!ASSERT_OK(name, capture_bpf__load(skel))) {
		capture_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

static int run(const char *name, struct bpf_program *prog, const struct frame *f)
{
	struct __sk_buff ctx = { .ifindex = 1 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->data, .data_size_in = f->len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));
	int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);

	if (!ASSERT_OK(name, err ? -errno : 0) || !ASSERT_EQ(name, opts.retval, TC_ACT_UNSPEC))
		return -1;
	return 0;
}

/* Run @f through capture_ingress with @skel; the records it left in @s. */
static int run_and_read(const char *name, struct capture_bpf *skel, struct bpf_program *prog,
			const struct frame *f, struct seen *s)
{
	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(skel->maps.frames), on_record, s, NULL);
	int err = -1;

	memset(s, 0, sizeof(*s));
	if (!ASSERT_TRUE(name, rb))
		return -1;
	if (!run(name, prog, f)) {
		ring_buffer__consume(rb);
		err = 0;
	}
	ring_buffer__free(rb);
	return err;
}

static void test_row(const struct row *row)
{
	struct capture_bpf *skel = NULL;
	struct nsmon_filter filter;
	struct frame f;
	struct seen s;
	char name[160];

	snprintf(name, sizeof(name), "capture filter: %s", row->name);
	TEST_BEGIN();
	if (!ASSERT_OK(name, filter_parse(&filter, row->proto, row->host, row->port)))
		goto out;
	build(&row->frame, &f);
	skel = load(name, &filter, NSMON_CAP_SNAPLEN_DEFAULT, 0);
	if (!skel || run_and_read(name, skel, skel->progs.capture_ingress, &f, &s))
		goto out;
	ASSERT_EQ(name, s.records, row->captured ? 1 : 0);
out:
	capture_bpf__destroy(skel);
	TEST_END(name);
}

/* A record is the frame: lengths, bytes, interface, direction, time. */
static void test_record(const char *what, struct bpf_program *(*prog)(struct capture_bpf *),
			int dir, int size, __u32 snaplen)
{
	struct spec spec = V4(IPPROTO_UDP, RED, BLUE, 40000, 9000);
	struct nsmon_filter none = {};
	struct capture_bpf *skel;
	struct frame f;
	struct seen s;
	char name[128];
	__u32 want;

	snprintf(name, sizeof(name), "capture record: %s", what);
	TEST_BEGIN();
	spec.size = size;
	build(&spec, &f);
	want = f.len < snaplen ? f.len : snaplen;
	skel = load(name, &none, snaplen, 0);
	if (!skel || run_and_read(name, skel, prog(skel), &f, &s))
		goto out;
	if (!ASSERT_EQ(name, s.records, 1))
		goto out;
	ASSERT_EQ(name, s.rec.len, f.len);
	ASSERT_EQ(name, s.rec.caplen, want);
	ASSERT_EQ(name, s.rec.ifindex, 1);
	ASSERT_EQ(name, s.rec.direction, dir);
	ASSERT_EQ(name, s.rec.flags, 0);
	ASSERT_TRUE(name, s.rec.ts_ns > 0);
	ASSERT_TRUE(name, !memcmp(s.data, f.data, want));
out:
	capture_bpf__destroy(skel);
	TEST_END(name);
}

static struct bpf_program *ingress(struct capture_bpf *skel)
{
	return skel->progs.capture_ingress;
}

static struct bpf_program *egress(struct capture_bpf *skel)
{
	return skel->progs.capture_egress;
}

/* A ring with room for two 1514-byte records: the third frame is lost, counted at its interface. */
static void test_lost(void)
{
	const char *name = "capture: a full ring loses the copy and counts it";
	struct spec spec = V4(IPPROTO_UDP, RED, BLUE, 40000, 9000);
	struct nsmon_filter none = {};
	int ncpus = libbpf_num_possible_cpus();
	__u64 per_cpu[ncpus > 0 ? ncpus : 1], sum = 0;
	struct capture_bpf *skel;
	struct frame f;
	__u32 key = 1;

	TEST_BEGIN();
	spec.size = 1514;
	build(&spec, &f);
	skel = load(name, &none, NSMON_CAP_SNAPLEN_DEFAULT, 4096);
	if (!skel)
		goto out;
	for (int i = 0; i < 3; i++)
		if (run(name, skel->progs.capture_ingress, &f))
			goto out;
	if (!ASSERT_OK(name, bpf_map_lookup_elem(bpf_map__fd(skel->maps.lost), &key, per_cpu)))
		goto out;
	for (int cpu = 0; cpu < ncpus; cpu++)
		sum += per_cpu[cpu];
	ASSERT_EQ(name, sum, 1);
out:
	capture_bpf__destroy(skel);
	TEST_END(name);
}

int main(void)
{
	test_require_sandbox();
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		test_row(&rows[i]);
	test_record("ingress, 60 bytes", ingress, NSMON_DIR_RX, 60, NSMON_CAP_SNAPLEN_DEFAULT);
	test_record("egress, 64 bytes (a class's edge)", egress, NSMON_DIR_TX, 64,
		    NSMON_CAP_SNAPLEN_DEFAULT);
	test_record("65 bytes (the next class)", ingress, NSMON_DIR_RX, 65, NSMON_CAP_SNAPLEN_DEFAULT);
	test_record("1514 bytes", egress, NSMON_DIR_TX, 1514, NSMON_CAP_SNAPLEN_DEFAULT);
	test_record("3000 bytes", ingress, NSMON_DIR_RX, 3000, NSMON_CAP_SNAPLEN_DEFAULT);
	test_record("snaplen 64 of 98 bytes", ingress, NSMON_DIR_RX, 98, 64);
	test_lost();
	return tests_failed ? 1 : 0;
}
