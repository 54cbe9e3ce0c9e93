// SPDX-License-Identifier: GPL-2.0
/*
 * The datapath's classification, table-driven over BPF_PROG_TEST_RUN: each
 * crafted frame runs through port_ingress, port_egress, xdp_rx, and
 * port_ingress forced to pull the skb and parse it again; after each run the counters
 * map must hold one key, the one that program must use, and every stat of
 * it exactly what the row expects. Then the fast-slot path, and the bridge
 * state. Runs as root in a throwaway netns.
 *
 * With --bench it tests nothing and times every frame through every
 * program instead (tools/bench/progcost.sh): JSON lines of ns/run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "nsmon.h"
#include "datapath/counters.h"
#include "test.h"
#include "frames.h"
#include "datapath.skel.h"
#include "xdp.skel.h"

#define ETH_HLEN		14
#define TC_ACT_UNSPEC		((__u32)-1)
#define BENCH_REPEAT		1000000

/* Frames are hex, field by field; each piece ends with a space. */
#define DST_UCAST	"02 00 00 00 00 02 "
#define DST_BCAST	"ff ff ff ff ff ff "
#define DST_MCAST4	"01 00 5e 00 00 fb "
#define DST_MCAST6	"33 33 00 00 00 01 "
#define ETH(dst, type)	dst "02 00 00 00 00 01 " type
#define T_IPV4		"08 00 "
#define T_ARP		"08 06 "
#define T_IPV6		"86 dd "
#define T_LLDP		"88 cc "
#define TAG_Q		"81 00 00 64 "		/* 802.1Q, VID 100 */
#define TAG_AD		"88 a8 00 c8 "		/* 802.1ad, VID 200 */

#define ARP(op)		"00 01 08 00 06 04 00 " op " 02 00 00 00 00 01 0a 00 00 01 " \
			"00 00 00 00 00 00 0a 00 00 02 "
#define IP4_UCAST	"0a 00 00 02 "
#define IP4_MCAST	"e0 00 00 fb "
#define IPV4(proto, dst) "45 00 00 54 12 34 40 00 40 " proto " 00 00 0a 00 00 01 " dst
/* ihl 6: four option bytes (NOP NOP NOP EOL) move the L4 header. */
#define IPV4_OPT(proto)	"46 00 00 58 12 34 40 00 40 " proto " 00 00 0a 00 00 01 " IP4_UCAST \
			"01 01 01 00 "
/* Fragment offset 0x10 (128 bytes): a non-first fragment. */
#define IPV4_FRAG(proto) "45 00 00 54 12 34 00 10 40 " proto " 00 00 0a 00 00 01 " IP4_UCAST
#define P_ICMP		"01"
#define P_TCP		"06"
#define P_UDP		"11"
#define ICMP(type)	type " 00 00 00 00 01 00 01 "
#define TCP		"30 39 00 50 00 00 00 01 00 00 00 00 50 02 ff ff 00 00 00 00 "
#define UDP		"30 39 00 35 00 08 00 00 "

#define IP6_SRC		"fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 "
#define IP6_UCAST	"fd 00 00 00 00 00 00 00 00 00 00 00 00 00 00 02 "
#define IP6_MCAST	"ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 01 "
#define IPV6(nh, dst)	"60 00 00 00 00 08 " nh " 40 " IP6_SRC dst
#define N_ICMP6		"3a"
#define N_TCP		"06"
#define N_NONE		"3b"
#define N_HOPOPTS	"00"
#define N_ROUTING	"2b"
#define N_FRAG		"2c"
#define N_DSTOPTS	"3c"
/* An 8-byte hop-by-hop or destination-options header (PadN), then @nh. */
#define EXT(nh)		nh " 00 01 04 00 00 00 00 "
/* A 16-byte routing header (hdrlen 1), segments left 0, then @nh. */
#define EXT16(nh)	nh " 01 04 00 00 00 00 00 00 00 00 00 00 00 00 00 "
#define FRAG(nh)	nh " 00 00 00 00 00 00 01 "
#define IPV4_CUT	"45 00 00 54 12 34 40 00 40 01 "
#define IPV6_CUT	"60 00 00 00 00 08 3a 40 "

#define C(stat)		(1U << NSMON_STAT_##stat)
#define ROW(n, h, c)		{ .name = (n), .hex = (h), .classes = (c) }
#define GSO_ROW(n, h, c, s)	{ .name = (n), .hex = (h), .classes = (c), .gso_segs = (s) }

struct row {
	const char *name;
	const char *hex;
	/* Stats that count the frame besides PACKETS, BYTES and SKBS, implied. */
	__u32 classes;
	/* tc only: a GSO skb of that many segments (XDP sees no GSO). */
	__u32 gso_segs;
};

static const struct row rows[] = {
	ROW("arp_request", ETH(DST_BCAST, T_ARP) ARP("01"),
	    C(BROADCAST) | C(ARP) | C(ARP_REQUEST)),
	ROW("arp_reply", ETH(DST_UCAST, T_ARP) ARP("02"),
	    C(UNICAST) | C(ARP) | C(ARP_REPLY)),
	ROW("arp_other_op", ETH(DST_BCAST, T_ARP) ARP("03"),
	    C(BROADCAST) | C(ARP)),
	ROW("icmp_echo_request", ETH(DST_UCAST, T_IPV4) IPV4(P_ICMP, IP4_UCAST) ICMP("08"),
	    C(UNICAST) | C(IPV4) | C(ICMP) | C(ICMP_ECHO_REQUEST)),
	ROW("icmp_echo_reply", ETH(DST_UCAST, T_IPV4) IPV4(P_ICMP, IP4_UCAST) ICMP("00"),
	    C(UNICAST) | C(IPV4) | C(ICMP) | C(ICMP_ECHO_REPLY)),
	ROW("icmp_dest_unreach", ETH(DST_UCAST, T_IPV4) IPV4(P_ICMP, IP4_UCAST) ICMP("03"),
	    C(UNICAST) | C(IPV4) | C(ICMP)),
	ROW("icmp_echo_request_ip_options", ETH(DST_UCAST, T_IPV4) IPV4_OPT(P_ICMP) ICMP("08"),
	    C(UNICAST) | C(IPV4) | C(ICMP) | C(ICMP_ECHO_REQUEST)),
	ROW("icmpv6_echo_request", ETH(DST_UCAST, T_IPV6) IPV6(N_ICMP6, IP6_UCAST) ICMP("80"),
	    C(UNICAST) | C(IPV6) | C(ICMP) | C(ICMP_ECHO_REQUEST)),
	ROW("icmpv6_echo_reply", ETH(DST_UCAST, T_IPV6) IPV6(N_ICMP6, IP6_UCAST) ICMP("81"),
	    C(UNICAST) | C(IPV6) | C(ICMP) | C(ICMP_ECHO_REPLY)),
	ROW("icmpv6_echo_request_hopopts",
	    ETH(DST_UCAST, T_IPV6) IPV6(N_HOPOPTS, IP6_UCAST) EXT(N_ICMP6) ICMP("80"),
	    C(UNICAST) | C(IPV6) | C(ICMP) | C(ICMP_ECHO_REQUEST)),
	ROW("icmpv6_echo_reply_routing_16_bytes",
	    ETH(DST_UCAST, T_IPV6) IPV6(N_ROUTING, IP6_UCAST) EXT16(N_ICMP6) ICMP("81"),
	    C(UNICAST) | C(IPV6) | C(ICMP) | C(ICMP_ECHO_REPLY)),
	ROW("icmpv6_echo_request_three_ext_headers",
	    ETH(DST_UCAST, T_IPV6) IPV6(N_HOPOPTS, IP6_UCAST) EXT(N_DSTOPTS) EXT(N_ROUTING)
	    EXT(N_ICMP6) ICMP("80"),
	    C(UNICAST) | C(IPV6) | C(ICMP) | C(ICMP_ECHO_REQUEST)),
	/* Past three extension headers the parser gives up: L4_OTHER. */
	ROW("ipv6_four_ext_headers",
	    ETH(DST_UCAST, T_IPV6) IPV6(N_HOPOPTS, IP6_UCAST) EXT(N_DSTOPTS) EXT(N_ROUTING)
	    EXT(N_DSTOPTS) EXT(N_ICMP6) ICMP("80"),
	    C(UNICAST) | C(IPV6) | C(L4_OTHER)),
	ROW("ipv6_fragment", ETH(DST_UCAST, T_IPV6) IPV6(N_FRAG, IP6_UCAST) FRAG(N_ICMP6) ICMP("80"),
	    C(UNICAST) | C(IPV6) | C(L4_OTHER)),
	ROW("tcp_ipv4", ETH(DST_UCAST, T_IPV4) IPV4(P_TCP, IP4_UCAST) TCP,
	    C(UNICAST) | C(IPV4) | C(TCP)),
	ROW("udp_ipv4", ETH(DST_UCAST, T_IPV4) IPV4(P_UDP, IP4_UCAST) UDP,
	    C(UNICAST) | C(IPV4) | C(UDP)),
	ROW("ipv4_non_first_fragment", ETH(DST_UCAST, T_IPV4) IPV4_FRAG(P_TCP) TCP,
	    C(UNICAST) | C(IPV4) | C(L4_OTHER)),
	ROW("ipv4_gre", ETH(DST_UCAST, T_IPV4) IPV4("2f", IP4_UCAST) "00 00 08 00 ",
	    C(UNICAST) | C(IPV4) | C(L4_OTHER)),
	ROW("tcp_ipv6", ETH(DST_UCAST, T_IPV6) IPV6(N_TCP, IP6_UCAST) TCP,
	    C(UNICAST) | C(IPV6) | C(TCP)),
	ROW("ipv6_no_next_header", ETH(DST_UCAST, T_IPV6) IPV6(N_NONE, IP6_UCAST),
	    C(UNICAST) | C(IPV6) | C(L4_OTHER)),
	ROW("broadcast_udp", ETH(DST_BCAST, T_IPV4) IPV4(P_UDP, "ff ff ff ff ") UDP,
	    C(BROADCAST) | C(IPV4) | C(UDP)),
	ROW("multicast_udp_ipv4", ETH(DST_MCAST4, T_IPV4) IPV4(P_UDP, IP4_MCAST) UDP,
	    C(MULTICAST) | C(IPV4) | C(UDP)),
	ROW("multicast_ipv6", ETH(DST_MCAST6, T_IPV6) IPV6(N_ICMP6, IP6_MCAST) ICMP("80"),
	    C(MULTICAST) | C(IPV6) | C(ICMP) | C(ICMP_ECHO_REQUEST)),
	ROW("vlan_icmp_echo_request", ETH(DST_UCAST, TAG_Q T_IPV4) IPV4(P_ICMP, IP4_UCAST) ICMP("08"),
	    C(UNICAST) | C(VLAN) | C(IPV4) | C(ICMP) | C(ICMP_ECHO_REQUEST)),
	ROW("qinq_icmp_echo_reply",
	    ETH(DST_UCAST, TAG_AD TAG_Q T_IPV4) IPV4(P_ICMP, IP4_UCAST) ICMP("00"),
	    C(UNICAST) | C(VLAN) | C(IPV4) | C(ICMP) | C(ICMP_ECHO_REPLY)),
	ROW("qinq_arp_request", ETH(DST_BCAST, TAG_AD TAG_Q T_ARP) ARP("01"),
	    C(BROADCAST) | C(VLAN) | C(ARP) | C(ARP_REQUEST)),
	/* Two tags are read, a third is not: the frame is OTHER. */
	ROW("three_vlan_tags", ETH(DST_UCAST, TAG_AD TAG_Q TAG_Q T_IPV4) IPV4(P_UDP, IP4_UCAST) UDP,
	    C(UNICAST) | C(VLAN) | C(OTHER)),
	ROW("lldp", ETH("01 80 c2 00 00 0e ", T_LLDP) "02 07 04 02 00 00 00 00 01 00 00 ",
	    C(MULTICAST) | C(OTHER)),
	ROW("runt_10_bytes", "02 00 00 00 00 02 02 00 00 00 ",
	    C(TRUNCATED)),
	ROW("ethernet_header_only_ipv4", ETH(DST_UCAST, T_IPV4),
	    C(UNICAST) | C(IPV4) | C(TRUNCATED)),
	ROW("truncated_ipv4_header", ETH(DST_UCAST, T_IPV4) IPV4_CUT,
	    C(UNICAST) | C(IPV4) | C(TRUNCATED)),
	ROW("truncated_ipv6_header", ETH(DST_UCAST, T_IPV6) IPV6_CUT,
	    C(UNICAST) | C(IPV6) | C(TRUNCATED)),
	/* The same behind a tag: test_run refuses the untagged ones for skbs. */
	ROW("vlan_ethernet_header_only_ipv4", ETH(DST_UCAST, TAG_Q T_IPV4),
	    C(UNICAST) | C(VLAN) | C(IPV4) | C(TRUNCATED)),
	ROW("vlan_truncated_ipv4_header", ETH(DST_UCAST, TAG_Q T_IPV4) IPV4_CUT,
	    C(UNICAST) | C(VLAN) | C(IPV4) | C(TRUNCATED)),
	ROW("vlan_truncated_ipv6_header", ETH(DST_UCAST, TAG_Q T_IPV6) IPV6_CUT,
	    C(UNICAST) | C(VLAN) | C(IPV6) | C(TRUNCATED)),
	ROW("truncated_vlan_tag", ETH(DST_UCAST, "81 00 00 "),
	    C(UNICAST) | C(VLAN) | C(TRUNCATED)),
	/* ihl 6, but the options are cut short: 22 bytes of a 24-byte header. */
	ROW("truncated_ipv4_options",
	    ETH(DST_UCAST, T_IPV4) "46 00 00 58 12 34 40 00 40 01 00 00 0a 00 00 01 0a 00 00 02 01 01 ",
	    C(UNICAST) | C(IPV4) | C(TRUNCATED)),
	ROW("truncated_arp", ETH(DST_BCAST, T_ARP) "00 01 08 00 06 04 ",
	    C(BROADCAST) | C(ARP) | C(TRUNCATED)),
	ROW("truncated_icmp", ETH(DST_UCAST, T_IPV4) IPV4(P_ICMP, IP4_UCAST),
	    C(UNICAST) | C(IPV4) | C(ICMP) | C(TRUNCATED)),
	ROW("truncated_icmpv6", ETH(DST_UCAST, T_IPV6) IPV6(N_ICMP6, IP6_UCAST),
	    C(UNICAST) | C(IPV6) | C(ICMP) | C(TRUNCATED)),
	/* The L4 class comes from the IP header: no TCP byte is read. */
	ROW("tcp_without_tcp_header", ETH(DST_UCAST, T_IPV4) IPV4(P_TCP, IP4_UCAST),
	    C(UNICAST) | C(IPV4) | C(TCP)),
	ROW("truncated_ipv6_hopopts", ETH(DST_UCAST, T_IPV6) IPV6(N_HOPOPTS, IP6_UCAST) "3a 00 01 ",
	    C(UNICAST) | C(IPV6) | C(TRUNCATED)),
	GSO_ROW("gso_tcp_ipv4", ETH(DST_UCAST, T_IPV4) IPV4(P_TCP, IP4_UCAST) TCP,
		C(UNICAST) | C(IPV4) | C(TCP), 3),
	GSO_ROW("gso_tcp_ipv6", ETH(DST_UCAST, T_IPV6) IPV6(N_TCP, IP6_UCAST) TCP,
		C(UNICAST) | C(IPV6) | C(TCP), 45),
};

enum prog_kind { PROG_TC, PROG_XDP };

struct prog_case {
	const char *name;
	struct bpf_program *prog;
	struct bpf_map *map;
	enum prog_kind kind;
	__u8 direction;
};

static __u64 here_cookie;	/* this netns: test_run counts on its loopback */
static int num_cpus;

/* Run @pc once on @f (a GSO skb of @gso_segs when not 0); check verdict and frame. */
static int run_once(const char *name, const struct prog_case *pc, const struct frame *f,
		    __u32 gso_segs, __u32 repeat, __u32 *duration)
{
	struct __sk_buff skb_ctx = { .gso_segs = gso_segs, .gso_size = gso_segs ? 1448 : 0 };
	__u8 out[FRAME_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = f->data,
		.data_size_in = f->len,
		.data_out = out,
		.data_size_out = sizeof(out),
		.repeat = repeat,
	);
	int err;

	if (pc->kind == PROG_TC && gso_segs) {
		opts.ctx_in = &skb_ctx;
		opts.ctx_size_in = sizeof(skb_ctx);
	}

	err = bpf_prog_test_run_opts(bpf_program__fd(pc->prog), &opts);
	if (!ASSERT_OK(name, err))
		return err;
	if (duration)
		*duration = opts.duration;
	if (!ASSERT_EQ(name, opts.retval, pc->kind == PROG_TC ? TC_ACT_UNSPEC : XDP_PASS) ||
	    !ASSERT_EQ(name, opts.data_size_out, f->len) ||
	    !ASSERT_TRUE(name, !memcmp(out, f->data, f->len)))
		return -EINVAL;
	return 0;
}

static struct nsmon_if_key expected_key(const struct prog_case *pc)
{
	struct nsmon_if_key key;

	memset(&key, 0, sizeof(key));
	key.netns_cookie = here_cookie;
	key.ifindex = 1;	/* test_run's device: this netns's loopback */
	key.direction = pc->direction;
	key.hook = pc->kind == PROG_TC ? NSMON_HOOK_TC : NSMON_HOOK_XDP;
	return key;
}

/*
 * The map must hold exactly one key, the one @pc must have used; compare
 * each stat of it, summed over CPUs, with @want, then delete it so the next
 * run starts from an empty map.
 */
static int check_counters(const char *name, const struct prog_case *pc, const __u64 *want)
{
	struct nsmon_if_key key, next, want_key = expected_key(pc);
	int fd = bpf_map__fd(pc->map), err, i;
	struct nsmon_counters *percpu;
	__u64 sum;

	err = bpf_map_get_next_key(fd, NULL, &key);
	if (err) {
		TEST_FAIL(name, "nothing counted: %s", strerror(-err));
		return err;
	}
	percpu = calloc(num_cpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	err = bpf_map_lookup_elem(fd, &key, percpu);
	if (!ASSERT_OK(name, err))
		goto out;
	/* Field by field, so a failure says which one differs. */
	if (!ASSERT_EQ(name, key.netns_cookie, want_key.netns_cookie) |
	    !ASSERT_EQ(name, key.ifindex, want_key.ifindex) |
	    !ASSERT_EQ(name, key.direction, want_key.direction) |
	    !ASSERT_EQ(name, key.hook, want_key.hook) |
	    !ASSERT_EQ(name, key.pad, 0))
		err = -EINVAL;
	if (!bpf_map_get_next_key(fd, &key, &next)) {
		TEST_FAIL(name, "a second key was counted (ifindex %u, direction %u, hook %u)",
			  next.ifindex, next.direction, next.hook);
		bpf_map_delete_elem(fd, &next);
		err = -EINVAL;
	}
	for (i = 0; i < NSMON_STAT_MAX; i++) {
		int cpu;

		for (sum = 0, cpu = 0; cpu < num_cpus; cpu++)
			sum += percpu[cpu].stat[i];
		if (sum != want[i]) {
			TEST_FAIL(name, "%s = %llu, want %llu", nsmon_stat_names[i],
				  (unsigned long long)sum, (unsigned long long)want[i]);
			err = -EINVAL;
		}
	}
out:
	bpf_map_delete_elem(fd, &key);
	free(percpu);
	return err;
}

static void expected_counters(const struct row *row, const struct prog_case *pc,
			      __u32 len, __u64 *want)
{
	__u64 segs = pc->kind == PROG_TC && row->gso_segs ? row->gso_segs : 1;
	int i;

	for (i = 0; i < NSMON_STAT_MAX; i++)
		want[i] = row->classes & (1U << i) ? segs : 0;
	want[NSMON_STAT_PACKETS] = segs;
	want[NSMON_STAT_BYTES] = len;
	want[NSMON_STAT_SKBS] = 1;
}

/*
 * BPF_PROG_TEST_RUN refuses frames under ETH_HLEN (XDP too, metadata or
 * not), and skbs with an untagged IPv4/IPv6 EtherType but a shorter L3
 * header. The tagged rows reach the same parser paths at tc.
 */
static const char *test_run_refuses(const struct prog_case *pc, const struct frame *f)
{
	unsigned int type;

	if (f->len < ETH_HLEN)
		return "BPF_PROG_TEST_RUN refuses frames under 14 bytes";
	if (pc->kind == PROG_XDP)
		return NULL;
	type = f->data[12] << 8 | f->data[13];
	if ((type == 0x0800 && f->len < ETH_HLEN + 20) ||
	    (type == 0x86dd && f->len < ETH_HLEN + 40))
		return "BPF_PROG_TEST_RUN refuses an skb shorter than its IPv4/IPv6 header";
	return NULL;
}

static void test_row(const struct row *row, const struct prog_case *pc)
{
	__u64 want[NSMON_STAT_MAX];
	const char *refused;
	struct frame f;
	char name[128];

	snprintf(name, sizeof(name), "classify %s %s", pc->name, row->name);
	parse_frame(row->hex, &f);
	if (pc->kind == PROG_XDP && row->gso_segs)
		return;
	refused = test_run_refuses(pc, &f);
	if (refused) {
		TEST_SKIP(name, refused);
		return;
	}

	TEST_BEGIN();
	expected_counters(row, pc, f.len, want);
	if (!run_once(name, pc, &f, row->gso_segs, 1, NULL))
		check_counters(name, pc, want);
	TEST_END(name);
}

static const struct row *row_named(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (!strcmp(rows[i].name, name))
			return &rows[i];
	fprintf(stderr, "test_classify: no row \"%s\"\n", name);
	exit(2);
}

/* Not asserted, printed for the record: the cost of a run, map update included. */
static void bench(const struct prog_case *pc, const char *row_name)
{
	struct nsmon_if_key key = expected_key(pc);
	__u32 duration = 0;
	struct frame f;
	char name[128];

	parse_frame(row_named(row_name)->hex, &f);
	snprintf(name, sizeof(name), "bench %s %s", pc->name, row_name);
	TEST_BEGIN();
	if (!run_once(name, pc, &f, 0, BENCH_REPEAT, &duration))
		printf("# %s: %u ns/run (%d runs)\n", name, duration, BENCH_REPEAT);
	bpf_map__delete_elem(pc->map, &key, sizeof(key), 0);
	TEST_END(name);
}

/*
 * The bridge's share of the cost, on a bridge built here (the sandbox's
 * netns; skipped outside it, so a run by hand builds nothing on the
 * machine). Frames entering by port 0 and leaving by port 1, pinned to one
 * CPU, since the per-CPU state must carry from the one to the other:
 * - port ingress, each run counting the run before it as a drop, since no
 *   frame leaves in between (the dearest entry);
 * - port egress of the frame the ingress run entered: test_run builds the
 *   skb anew each time, so it is attributed only if the kernel hands the
 *   new skb the same buffer (and tells us skb_iif through the context); the
 *   line says which path it timed.
 */
struct bench_bridge {
	int port[2];		/* ifindex of nsmon-bp0, nsmon-bp1 */
};

static int bench_bridge_build(struct bench_bridge *bb)
{
	if (!getenv("NSMON_SANDBOXED"))
		return -EPERM;
	if (system("ip link add nsmon-br type bridge && "
		   "ip link add nsmon-bp0 type veth peer nsmon-bq0 && "
		   "ip link add nsmon-bp1 type veth peer nsmon-bq1 && "
		   "ip link set nsmon-bp0 master nsmon-br && ip link set nsmon-bp1 master nsmon-br"))
		return -EIO;
	bb->port[0] = if_nametoindex("nsmon-bp0");
	bb->port[1] = if_nametoindex("nsmon-bp1");
	return bb->port[0] && bb->port[1] ? 0 : -ENODEV;
}

static void bench_bridge_remove(void)
{
	if (system("ip link del nsmon-bp0; ip link del nsmon-bp1; ip link del nsmon-br"))
		fprintf(stderr, "test_classify: could not remove the bench bridge\n");
}

static int run_port(const struct prog_case *pc, const struct frame *f, int ifindex,
		    int ingress_ifindex, __u32 repeat, __u32 *duration)
{
	struct __sk_buff ctx = { .ifindex = ifindex, .ingress_ifindex = ingress_ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = f->data,
		.data_size_in = f->len,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = repeat,
	);
	int err = bpf_prog_test_run_opts(bpf_program__fd(pc->prog), &opts);

	if (!err && duration)
		*duration = opts.duration;
	return err ? -errno : 0;
}

static __u64 flow_sum(int fd, int from, int to, int stat)
{
	struct nsmon_bridge_key key = { .netns_cookie = here_cookie, .from = from, .to = to };
	struct nsmon_bridge_counters *percpu = calloc(num_cpus, sizeof(*percpu));
	__u64 sum = 0;

	if (percpu && !bpf_map_lookup_elem(fd, &key, percpu))
		for (int cpu = 0; cpu < num_cpus; cpu++)
			sum += percpu[cpu].stat[stat];
	free(percpu);
	return sum;
}

static void bench_bridge(struct datapath_bpf *skel, const struct prog_case *ingress,
			 const struct prog_case *egress)
{
	const char *name = "bench bridge ports";
	int flows = bpf_map__fd(skel->maps.bridge_flows);
	struct nsmon_if_key key;
	__u32 in_ns = 0, out_ns = 0;
	struct bench_bridge bb;
	cpu_set_t one, saved;
	__u64 attributed;
	struct frame f;
	int err;

	err = bench_bridge_build(&bb);
	if (err) {
		if (err == -EPERM)
			TEST_SKIP(name, "builds a bridge: runs only in tests/sandbox.sh");
		else
			TEST_SKIP(name, "cannot build a bridge with ip link");
		bench_bridge_remove();
		return;
	}
	parse_frame(row_named("icmp_echo_request")->hex, &f);
	TEST_BEGIN();
	sched_getaffinity(0, sizeof(saved), &saved);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	sched_setaffinity(0, sizeof(one), &one);
	err = run_port(ingress, &f, bb.port[0], 0, BENCH_REPEAT, &in_ns);
	if (!err)
		err = run_port(ingress, &f, bb.port[0], 0, 1, NULL);
	if (!err)
		err = run_port(egress, &f, bb.port[1], bb.port[0], BENCH_REPEAT, &out_ns);
	sched_setaffinity(0, sizeof(saved), &saved);
	if (ASSERT_OK(name, err)) {
		attributed = flow_sum(flows, bb.port[0], bb.port[1], NSMON_BR_FORWARDED) +
			     flow_sum(flows, bb.port[0], bb.port[1], NSMON_BR_FLOODED);
		ASSERT_TRUE(name, flow_sum(flows, bb.port[0], NSMON_BR_NOWHERE,
					   NSMON_BR_DROPPED) >= BENCH_REPEAT - 1);
		printf("# bench port_ingress (a drop each run): %u ns/run (%d runs)\n",
		       in_ns, BENCH_REPEAT);
		printf("# bench port_egress (%s): %u ns/run (%d runs)\n",
		       attributed == BENCH_REPEAT ? "frame attributed" :
		       attributed ? "partly attributed" : "not attributed: another buffer",
		       out_ns, BENCH_REPEAT);
	}
	/* Leave the counters as the classification rows expect them: empty. */
	while (!bpf_map_get_next_key(bpf_map__fd(skel->maps.counters), NULL, &key))
		bpf_map_delete_elem(bpf_map__fd(skel->maps.counters), &key);
	TEST_END(name);
	bench_bridge_remove();
}

/* Userspace reads the map through nsmon.h: the object must agree with it. */
/*
 * A count that needs a new pair while bridge_flows is full is not lost
 * silently: it adds to the bridge state's uncounted. A copy of the programs
 * whose bridge_flows holds one pair, on the bench bridge (no fast slots, so
 * every pair goes to the hash); each ingress counts the frame before it as
 * dropped, a pair (port, NOWHERE).
 */
static struct counters_maps skel_counters(const struct datapath_bpf *skel)
{
	return (struct counters_maps){
		.hash = bpf_map__fd(skel->maps.counters),
		.slots = bpf_map__fd(skel->maps.counter_slots),
		.fast = bpf_map__fd(skel->maps.counters_fast),
		.owners = bpf_map__fd(skel->maps.slot_owners),
		.matrix = bpf_map__fd(skel->maps.bridge_matrix),
		.places = bpf_map__fd(skel->maps.bridge_places),
	};
}

static void test_flows_full(void)
{
	const char *name = "classify: a count a full bridge_flows cannot take goes to uncounted, and to its place's sums";
	struct datapath_bpf *skel = datapath_bpf__open();
	struct nsmon_bridge_state *st = calloc(num_cpus, sizeof(*st));
	struct prog_case pc = { "port_ingress", NULL, NULL, PROG_TC, NSMON_DIR_RX };
	struct nsmon_slot taken = { .netns_cookie = 1 };
	struct counters_snapshot *snap = NULL;
	struct nsmon_place_counters sums[2];
	struct counters_maps m;
	cpu_set_t one, saved;
	struct bench_bridge bb;
	__u64 uncounted = 0;
	struct frame f;
	__u32 zero = 0;
	int err;

	TEST_BEGIN();
	if (!ASSERT_TRUE(name, skel && st))
		goto out;
	skel->rodata->bridge_netns_cookie = here_cookie;
	if (!ASSERT_OK(name, bpf_map__set_max_entries(skel->maps.bridge_flows, 1)) ||
	    !ASSERT_OK(name, datapath_bpf__load(skel)))
		goto out;
	err = bench_bridge_build(&bb);
	if (err) {
		TEST_SKIP(name, err == -EPERM ? "builds a bridge: runs only in tests/sandbox.sh"
					      : "cannot build a bridge with ip link");
		bench_bridge_remove();
		goto free;
	}
	/*
	 * The matrix's slots taken, so that the ports' pairs go to the hash
	 * while their sums have fast slots of their own.
	 */
	m = skel_counters(skel);
	for (__u32 slot = 0; slot < NSMON_MATRIX_SLOTS; slot++)
		bpf_map_update_elem(m.owners, &slot, &taken, BPF_NOEXIST);
	if (!ASSERT_OK(name, counters_give_slot(&m, here_cookie, bb.port[0])) ||
	    !ASSERT_OK(name, counters_give_slot(&m, here_cookie, bb.port[1]))) {
		bench_bridge_remove();
		goto out;
	}
	pc.prog = skel->progs.port_ingress;
	parse_frame(row_named("icmp_echo_request")->hex, &f);
	sched_getaffinity(0, sizeof(saved), &saved);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	sched_setaffinity(0, sizeof(one), &one);
	/*
	 * Each run counts the frame before it as dropped: (port 0, NOWHERE)
	 * fills the map, twice; (port 1, NOWHERE) finds no room, once.
	 */
	err = run_port(&pc, &f, bb.port[0], 0, 2, NULL);
	if (!err)
		err = run_port(&pc, &f, bb.port[1], 0, 2, NULL);
	sched_setaffinity(0, sizeof(saved), &saved);
	if (!ASSERT_OK(name, err) ||
	    !ASSERT_OK(name, bpf_map_lookup_elem(bpf_map__fd(skel->maps.bridge_state), &zero, st)) ||
	    !ASSERT_OK(name, counters_snapshot(&m, &snap)))
		goto remove;
	for (int cpu = 0; cpu < num_cpus; cpu++)
		uncounted += st[cpu].uncounted;
	ASSERT_EQ(name, uncounted, 1);
	for (int i = 0; i < 2; i++)
		ASSERT_OK(name, counters_place_sums(snap, here_cookie, bb.port[i], &sums[i]));
	ASSERT_EQ(name, sums[0].dropped, 2);
	ASSERT_EQ(name, sums[1].dropped, 1);
	counters_snapshot_free(snap);
remove:
	bench_bridge_remove();
out:
	TEST_END(name);
free:
	free(st);
	datapath_bpf__destroy(skel);
}

static void test_map_abi(const struct bpf_map *map)
{
	const char *name = "classify counters_map_abi";

	TEST_BEGIN();
	ASSERT_EQ(name, bpf_map__type(map), BPF_MAP_TYPE_PERCPU_HASH);
	ASSERT_EQ(name, bpf_map__key_size(map), sizeof(struct nsmon_if_key));
	ASSERT_EQ(name, bpf_map__value_size(map), sizeof(struct nsmon_counters));
	ASSERT_EQ(name, bpf_map__max_entries(map), NSMON_MAX_KEYS);
	TEST_END(name);
}

static void test_bridge_maps_abi(const struct datapath_bpf *skel)
{
	const char *name = "classify bridge_maps_abi";
	const struct bpf_map *flows = skel->maps.bridge_flows, *state = skel->maps.bridge_state;
	const struct bpf_map *places = skel->maps.bridge_places;

	TEST_BEGIN();
	ASSERT_EQ(name, bpf_map__type(flows), BPF_MAP_TYPE_PERCPU_HASH);
	ASSERT_EQ(name, bpf_map__key_size(flows), sizeof(struct nsmon_bridge_key));
	ASSERT_EQ(name, bpf_map__value_size(flows), sizeof(struct nsmon_bridge_counters));
	ASSERT_EQ(name, bpf_map__max_entries(flows), NSMON_MAX_BRIDGE_FLOWS);
	ASSERT_EQ(name, bpf_map__type(state), BPF_MAP_TYPE_PERCPU_ARRAY);
	ASSERT_EQ(name, bpf_map__value_size(state), sizeof(struct nsmon_bridge_state));
	ASSERT_EQ(name, bpf_map__type(places), BPF_MAP_TYPE_PERCPU_ARRAY);
	ASSERT_EQ(name, bpf_map__value_size(places), sizeof(struct nsmon_place_counters));
	ASSERT_EQ(name, bpf_map__max_entries(places), NSMON_FAST_SLOTS);
	TEST_END(name);
}

/*
 * An interface userspace gave a fast slot (loopback, test_run's device)
 * counts there, in the right direction, and not in the hash; forgetting it
 * frees the slot, and the hash counts it again.
 */
static void test_fast_slot(const struct datapath_bpf *skel, const struct prog_case *pc)
{
	const struct counters_maps m = skel_counters(skel);
	struct counters_snapshot *snap;
	char name[128];
	struct nsmon_if_key key;
	struct nsmon_counters sum;
	struct frame f;
	__u32 index = 1;
	struct nsmon_slot s;

	snprintf(name, sizeof(name), "classify %s: an interface with a fast slot counts in it, not in the hash",
		 pc->name);
	parse_frame(row_named("icmp_echo_request")->hex, &f);
	TEST_BEGIN();
	if (!ASSERT_OK(name, counters_give_slot(&m, here_cookie, 1)) ||
	    run_once(name, pc, &f, 0, 3, NULL))
		goto out;
	ASSERT_EQ(name, bpf_map_get_next_key(m.hash, NULL, &key) ? errno : 0, ENOENT);
	if (!ASSERT_OK(name, counters_snapshot(&m, &snap)))
		goto out;
	ASSERT_OK(name, counters_read(snap, here_cookie, 1, pc->direction, NSMON_HOOK_TC, &sum));
	ASSERT_EQ(name, sum.stat[NSMON_STAT_PACKETS], 3);
	ASSERT_EQ(name, sum.stat[NSMON_STAT_ICMP_ECHO_REQUEST], 3);
	ASSERT_EQ(name, sum.stat[NSMON_STAT_BYTES], 3 * f.len);
	ASSERT_OK(name, counters_read(snap, here_cookie, 1, !pc->direction, NSMON_HOOK_TC, &sum));
	ASSERT_EQ(name, sum.stat[NSMON_STAT_PACKETS], 0);
	ASSERT_EQ(name, counters_read(snap, here_cookie, 1, pc->direction, NSMON_HOOK_XDP, &sum),
		  -ENOENT);
	counters_snapshot_free(snap);
out:
	ASSERT_OK(name, counters_forget(&m, here_cookie, 1));
	ASSERT_OK(name, bpf_map_lookup_elem(m.slots, &index, &s));
	ASSERT_EQ(name, s.netns_cookie, 0);
	ASSERT_EQ(name, bpf_map_get_next_key(m.owners, NULL, &index) ? errno : 0, ENOENT);
	if (!run_once(name, pc, &f, 0, 1, NULL))
		ASSERT_OK(name, bpf_map_get_next_key(m.hash, NULL, &key));
	bpf_map_delete_elem(m.hash, &key);
	TEST_END(name);
}

#define BENCH_ALL_REPEAT	200000

/*
 * What BPF_PROG_TEST_RUN itself costs a run of a program of @kind: one that
 * only returns what ours do, on @f. 0 when it cannot be loaded.
 */
static __u32 bench_empty(enum prog_kind kind, const struct frame *f)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = kind == PROG_TC ? -1 : XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->data, .data_size_in = f->len,
		    .repeat = BENCH_ALL_REPEAT);
	int fd = bpf_prog_load(kind == PROG_TC ? BPF_PROG_TYPE_SCHED_CLS : BPF_PROG_TYPE_XDP,
			       "empty", "GPL", insns, 2, NULL);
	__u32 ns = 0;

	if (fd < 0)
		return 0;
	if (!bpf_prog_test_run_opts(fd, &opts))
		ns = opts.duration;
	close(fd);
	return ns;
}

/*
 * --bench: ns/run of every frame through every program, the tc programs
 * both with a fast slot (how nsmon counts the interfaces it hooks) and
 * without (the hash), 200,000 runs each, and before each series, of an
 * empty program of its kind (what test_run itself costs: "empty_tc",
 * "empty_xdp"). Not a test: nothing is asserted.
 */
static int bench_all(const struct datapath_bpf *skel, const struct prog_case *progs, size_t n)
{
	const struct counters_maps m = skel_counters(skel);
	const __u32 repeat = BENCH_ALL_REPEAT;
	struct frame empty_frame;

	parse_frame(row_named("icmp_echo_request")->hex, &empty_frame);

	for (int fast = 1; fast >= 0; fast--) {
		if (fast && counters_give_slot(&m, here_cookie, 1))
			return 1;
		for (size_t p = 0; p < n; p++) {
			if (fast && progs[p].kind != PROG_TC)
				continue;	/* XDP counts in the hash */
			printf("{\"prog\": \"empty_%s\", \"slot\": \"none\", \"frame\": \"icmp_echo_request\", \"ns_per_run\": %u}\n",
			       progs[p].kind == PROG_TC ? "tc" : "xdp",
			       bench_empty(progs[p].kind, &empty_frame));
			for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
				struct frame f;
				__u32 duration;

				parse_frame(rows[r].hex, &f);
				if (test_run_refuses(&progs[p], &f) ||
				    run_once("bench", &progs[p], &f, 0, repeat, &duration))
					continue;
				printf("{\"prog\": \"%s\", \"slot\": \"%s\", \"frame\": \"%s\", \"ns_per_run\": %u}\n",
				       progs[p].name, fast ? "fast" : "hash", rows[r].name, duration);
			}
		}
		counters_forget(&m, here_cookie, 1);
	}
	return 0;
}

static void test_all(struct datapath_bpf *skel, struct datapath_bpf *skel_pull,
		     struct xdp_bpf *skel_xdp, bool bench_only)
{
	const struct prog_case progs[] = {
		{ "port_ingress", skel->progs.port_ingress, skel->maps.counters,
		  PROG_TC, NSMON_DIR_RX },
		{ "port_egress", skel->progs.port_egress, skel->maps.counters,
		  PROG_TC, NSMON_DIR_TX },
		{ "xdp_rx", skel_xdp->progs.xdp_rx, skel_xdp->maps.counters,
		  PROG_XDP, NSMON_DIR_RX },
		{ "port_ingress_pulled", skel_pull->progs.port_ingress, skel_pull->maps.counters,
		  PROG_TC, NSMON_DIR_RX },
	};
	size_t r, p;

	if (bench_only) {
		/* The first three: pulling is a fallback nsmon seldom takes. */
		if (bench_all(skel, progs, 3))
			tests_failed++;
		return;
	}
	test_map_abi(skel->maps.counters);
	test_bridge_maps_abi(skel);
	for (r = 0; r < sizeof(rows) / sizeof(rows[0]); r++)
		for (p = 0; p < sizeof(progs) / sizeof(progs[0]); p++)
			test_row(&rows[r], &progs[p]);
	test_fast_slot(skel, &progs[0]);
	test_fast_slot(skel, &progs[1]);
	bench(&progs[0], "icmp_echo_request");
	bench(&progs[2], "icmp_echo_request");
	bench_bridge(skel, &progs[0], &progs[1]);
	test_flows_full();
}

/* The tc programs, keyed by this namespace, pulling every skb with @pull. */
static struct datapath_bpf *load_tc(bool pull)
{
	struct datapath_bpf *skel = datapath_bpf__open();

	if (!skel)
		return NULL;
	skel->rodata->bridge_netns_cookie = here_cookie;
	skel->rodata->force_pull = pull;
	if (datapath_bpf__load(skel)) {
		datapath_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

int main(int argc, char **argv)
{
	struct datapath_bpf *skel = NULL, *skel_pull = NULL;
	bool bench_only = argc > 1 && !strcmp(argv[1], "--bench");
	struct xdp_bpf *skel_xdp = NULL;
	int err = 0;

	test_require_sandbox();

	setvbuf(stdout, NULL, _IOLBF, 0);
	num_cpus = libbpf_num_possible_cpus();
	err = here_netns_cookie(&here_cookie);
	if (err) {
		printf("FAIL: classify: the netns cookie: %s\n", strerror(-err));
		return 1;
	}

	skel = load_tc(false);
	skel_pull = skel ? load_tc(true) : NULL;
	skel_xdp = skel_pull ? xdp_bpf__open_and_load() : NULL;
	if (skel_xdp) {
		test_all(skel, skel_pull, skel_xdp, bench_only);
	} else {
		/* libbpf has printed the verifier's log on stderr. */
		printf("FAIL: classify: cannot load the datapath programs: %s\n", strerror(errno));
		tests_failed++;
	}
	xdp_bpf__destroy(skel_xdp);
	datapath_bpf__destroy(skel_pull);
	datapath_bpf__destroy(skel);
	return tests_failed ? 1 : 0;
}
