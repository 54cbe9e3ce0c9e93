// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of what the counters did between two reads of the model
 * (model/stats_delta.c): an interface is found again by namespace and name
 * wherever it moved, one that is new has no delta, counters made anew give
 * a delta below 0; a matrix pair is found by its bridge's and places' names.
 */
#include <stdlib.h>
#include <string.h>

#include "model/stats_delta.h"
#include "test.h"

static struct stats_iface iface(const char *where, const char *name, __u64 rx_packets,
				__u64 tx_bytes)
{
	struct stats_iface e = { .where = where, .name = name };

	e.tc[NSMON_DIR_RX].stat[NSMON_STAT_PACKETS] = rx_packets;
	e.tc[NSMON_DIR_TX].stat[NSMON_STAT_BYTES] = tx_bytes;
	return e;
}

static void test_ifaces(void)
{
	const char *name = "stats delta: interfaces by namespace and name, wherever they moved";
	struct stats_iface then_ifs[] = {
		iface("red", "veth-red", 10, 1000),
		iface("blue", "veth-blue", 20, 2000),
		iface("host", "veth-red-br", 30, 3000),
		iface("host", "v-net-0", 40, 4000),
	};
	/* green came before blue; the bridge's counters were made anew. */
	struct stats_iface now_ifs[] = {
		iface("red", "veth-red", 15, 1100),
		iface("green", "veth-green", 5, 500),
		iface("blue", "veth-blue", 20, 2500),
		iface("host", "veth-red-br", 31, 3000),
		iface("host", "v-net-0", 1, 100),
		iface("blue", "veth-red", 7, 7),	/* a name of red's, in another namespace */
	};
	struct stats_model then = { .ifaces = then_ifs, .nifaces = 4 };
	struct stats_model now = { .ifaces = now_ifs, .nifaces = 6 };
	struct stats_delta *d;

	TEST_BEGIN();
	d = stats_model_delta(&now, &then);
	if (!ASSERT_TRUE(name, d))
		goto out;
	ASSERT_TRUE(name, d[0].seen);
	ASSERT_EQ(name, d[0].tc[NSMON_DIR_RX][NSMON_STAT_PACKETS], 5);
	ASSERT_EQ(name, d[0].tc[NSMON_DIR_TX][NSMON_STAT_BYTES], 100);
	ASSERT_TRUE(name, !d[1].seen);
	ASSERT_TRUE(name, d[2].seen);
	ASSERT_EQ(name, d[2].tc[NSMON_DIR_RX][NSMON_STAT_PACKETS], 0);
	ASSERT_EQ(name, d[2].tc[NSMON_DIR_TX][NSMON_STAT_BYTES], 500);
	ASSERT_EQ(name, d[3].tc[NSMON_DIR_RX][NSMON_STAT_PACKETS], 1);
	ASSERT_EQ(name, d[4].tc[NSMON_DIR_RX][NSMON_STAT_PACKETS], -39);
	ASSERT_EQ(name, d[4].tc[NSMON_DIR_TX][NSMON_STAT_BYTES], -3900);
	ASSERT_TRUE(name, !d[5].seen);
	free(d);
	/* Nothing read before: no interface has a delta. */
	d = stats_model_delta(&now, NULL);
	if (!ASSERT_TRUE(name, d))
		goto out;
	for (size_t i = 0; i < now.nifaces; i++)
		ASSERT_TRUE(name, !d[i].seen);
out:
	free(d);
	TEST_END(name);
}

static void test_pairs(void)
{
	const char *name = "stats delta: matrix pairs by bridge and place names";
	struct lab_port then_ports[] = { { .port.name = "veth-red-br" }, { .port.name = "veth-blue-br" } };
	/* A port came first: every place's index moved by one. */
	struct lab_port now_ports[] = { { .port.name = "veth-grn-br" }, { .port.name = "veth-red-br" },
					{ .port.name = "veth-blue-br" } };
	const struct stats_pair then_pairs[] = {	/* in place order */
		{ .from = 0, .to = 1, .forwarded = 10, .flooded = 2 },
		{ .from = 1, .to = 2, .forwarded = 4 },
	};
	const struct stats_pair now_pairs[] = {
		{ .from = 0, .to = 3, .flooded = 1 },
		{ .from = 1, .to = 2, .forwarded = 15, .flooded = 2 },
		{ .from = 2, .to = 3, .forwarded = 4 },
	};
	struct stats_bridge then_br = { .pairs = then_pairs, .npairs = 2 };
	struct stats_bridge now_br = { .pairs = now_pairs, .npairs = 3 };
	struct stats_model then = { .bridges = &then_br, .nbridges = 1 };
	struct stats_model now = { .bridges = &now_br, .nbridges = 1 };

	TEST_BEGIN();
	then_br.lab = (struct lab){ .ports = then_ports, .nports = 2 };
	now_br.lab = (struct lab){ .ports = now_ports, .nports = 3 };
	strcpy(then_br.lab.bridge.name, "v-net-0");
	strcpy(now_br.lab.bridge.name, "v-net-0");
	ASSERT_EQ(name, stats_bridge_frames(&now_br, 1, 2), 17);
	ASSERT_EQ(name, stats_bridge_frames(&now_br, 2, 1), 0);
	ASSERT_EQ(name, stats_model_bridge(&now, "v-net-0"), 0);
	ASSERT_EQ(name, stats_model_bridge(&now, "v-net-1"), -1);
	ASSERT_EQ(name, stats_model_pair_delta(&now, 0, 1, 2, &then), 5);	/* red -> blue */
	ASSERT_EQ(name, stats_model_pair_delta(&now, 0, 2, 3, &then), 0);	/* blue -> local */
	ASSERT_EQ(name, stats_model_pair_delta(&now, 0, 0, 3, &then), 1);	/* new: all of it */
	ASSERT_EQ(name, stats_model_pair_delta(&now, 0, 2, 1, &then), 0);	/* none either time */
	/* The bridge made anew with fewer frames: below 0. */
	then_br.npairs = 1;
	now_br.npairs = 0;
	ASSERT_EQ(name, stats_model_pair_delta(&now, 0, 1, 2, &then), -12);
	/* Another bridge of that name nowhere before: all of it. */
	strcpy(then_br.lab.bridge.name, "v-net-9");
	now_br.npairs = 3;
	ASSERT_EQ(name, stats_model_pair_delta(&now, 0, 1, 2, &then), 17);
	TEST_END(name);
}

int main(void)
{
	test_ifaces();
	test_pairs();
	return tests_failed ? 1 : 0;
}
