// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of a bridge's places summed from its flows (stats_places.c,
 * with the rule of include/place_sums.h that the programs apply too): each
 * kind of flow lands where the README's forwarding contract says, a place
 * the programs sum is left alone, and the matrix keeps the pairs.
 */
#include <stdio.h>
#include <string.h>

#include "model/stats_places.h"
#include "test.h"

enum { BRIDGE = 5, RED = 10, BLUE = 11, GONE = 99 };	/* ifindexes; GONE: a port since removed */

static struct lab_port ports[] = {
	{ .port = { .ifindex = RED } },
	{ .port = { .ifindex = BLUE } },
};
static const struct lab lab = { .bridge = { .ifindex = BRIDGE }, .ports = ports, .nports = 2 };

/* The places of red, blue and the bridge device ("local"), in place order. */
enum { P_RED, P_BLUE, P_LOCAL };

static void add(struct places *p, __u32 from, __u32 to, __u64 fwd, __u64 flood, __u64 dropped)
{
	struct bridge_flow f = { .from = from, .to = to };

	f.stat[NSMON_BR_FORWARDED] = fwd;
	f.stat[NSMON_BR_FLOODED] = flood;
	f.stat[NSMON_BR_DROPPED] = dropped;
	places_add(p, &f);
}

/* A bit of everything: unicast both ways and to and from the host, floods, drops, a gone port. */
static void add_flows(struct places *p)
{
	add(p, RED, BLUE, 3, 1, 0);
	add(p, RED, NSMON_BR_NOWHERE, 0, 2, 1);
	add(p, BLUE, BRIDGE, 4, 2, 0);
	add(p, BRIDGE, RED, 1, 0, 0);
	add(p, BRIDGE, NSMON_BR_NOWHERE, 0, 1, 0);
	add(p, GONE, BLUE, 7, 0, 0);
	add(p, RED, GONE, 5, 0, 0);
	add(p, GONE, NSMON_BR_NOWHERE, 0, 6, 6);
}

#define ASSERT_SUMS(name, s, frx, ftx, flrx, fltx, loc, drop)			\
	do {									\
		ASSERT_EQ(name, (s).forwarded_rx, (frx));			\
		ASSERT_EQ(name, (s).forwarded_tx, (ftx));			\
		ASSERT_EQ(name, (s).flooded_rx, (flrx));			\
		ASSERT_EQ(name, (s).flooded_tx, (fltx));			\
		ASSERT_EQ(name, (s).local, (loc));				\
		ASSERT_EQ(name, (s).dropped, (drop));				\
	} while (0)

static void test_flows_make_sums(void)
{
	const char *name = "places: each kind of flow lands in the sums the contract says";
	const struct stats_pair *pairs;
	struct places p;
	size_t n;

	TEST_BEGIN();
	if (!ASSERT_OK(name, places_init(&p, &lab, true)))
		goto out;
	add_flows(&p);
	/* red: unicast to blue and to the gone port, a flood once per frame, a drop. */
	ASSERT_SUMS(name, p.sum[P_RED], 8, 1, 2, 0, 0, 1);
	/* blue: unicast to the host is its local; it received red's and the gone port's. */
	ASSERT_SUMS(name, p.sum[P_BLUE], 0, 10, 0, 1, 4, 0);
	/* the bridge device: rx what it delivered, tx what the host sent, once per frame. */
	ASSERT_SUMS(name, p.sum[P_LOCAL], 4, 1, 2, 1, 0, 0);
	n = places_matrix(&p, NULL, &pairs);
	if (ASSERT_EQ(name, n, 3)) {
		ASSERT_EQ(name, pairs[0].from, P_RED);
		ASSERT_EQ(name, pairs[0].to, P_BLUE);
		ASSERT_EQ(name, pairs[0].forwarded, 3);
		ASSERT_EQ(name, pairs[0].flooded, 1);
		ASSERT_EQ(name, pairs[1].from, P_BLUE);
		ASSERT_EQ(name, pairs[1].to, P_LOCAL);
		ASSERT_EQ(name, pairs[2].from, P_LOCAL);
		ASSERT_EQ(name, pairs[2].to, P_RED);
	}
out:
	places_free(&p);
	TEST_END(name);
}

static void test_kernel_summed_left_alone(void)
{
	const char *name =
		"places: the flows leave the sums the programs keep alone, a pending drop does not";
	struct bridge_flow drop = { .from = RED, .to = NSMON_BR_NOWHERE };
	struct places p;

	TEST_BEGIN();
	if (!ASSERT_OK(name, places_init(&p, &lab, false)))
		goto out;
	p.kernel_summed[P_RED] = true;	/* as places_take_sums() finds a fast slot */
	p.sum[P_RED].forwarded_rx = 40;
	add_flows(&p);
	ASSERT_SUMS(name, p.sum[P_RED], 40, 0, 0, 0, 0, 0);
	ASSERT_SUMS(name, p.sum[P_BLUE], 0, 10, 0, 1, 4, 0);
	drop.stat[NSMON_BR_DROPPED] = 1;
	places_add_pending_drop(&p, &drop);
	ASSERT_EQ(name, p.sum[P_RED].dropped, 1);
out:
	places_free(&p);
	TEST_END(name);
}

int main(void)
{
	test_flows_make_sums();
	test_kernel_summed_left_alone();
	return tests_failed ? 1 : 0;
}
