// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the counters' names and their order in documents: every
 * stat has a name and appears once in nsmon_stat_order[] (a stat added to
 * enum nsmon_stat but not there would vanish from `stats` and `export`).
 */
#include <stdio.h>
#include <string.h>

#include "datapath/counters.h"
#include "test.h"

static void test_every_stat_named_once(void)
{
	const char *name = "stat names: every stat has its own JSON key";

	TEST_BEGIN();
	for (int i = 0; i < NSMON_STAT_MAX; i++) {
		if (!ASSERT_TRUE(name, nsmon_stat_names[i] && *nsmon_stat_names[i]))
			break;
		for (int j = 0; j < i; j++)
			if (!strcmp(nsmon_stat_names[i], nsmon_stat_names[j]))
				TEST_FAIL(name, "stats %d and %d are both \"%s\"", j, i,
					  nsmon_stat_names[i]);
	}
	TEST_END(name);
}

static void test_order_is_a_permutation(void)
{
	const char *name = "stat order: documents list every stat exactly once";
	int seen[NSMON_STAT_MAX] = { 0 };

	TEST_BEGIN();
	for (int i = 0; i < NSMON_STAT_MAX; i++) {
		enum nsmon_stat s = nsmon_stat_order[i];

		if (!ASSERT_TRUE(name, s >= 0 && s < NSMON_STAT_MAX))
			break;
		seen[s]++;
	}
	for (int s = 0; s < NSMON_STAT_MAX; s++)
		if (seen[s] != 1)
			TEST_FAIL(name, "\"%s\" listed %d times", nsmon_stat_names[s], seen[s]);
	TEST_END(name);
}

/* The README's contract starts packets, bytes, arp_request and ends truncated, skbs. */
static void test_document_order(void)
{
	const char *name = "stat order: the README's, not the maps'";

	TEST_BEGIN();
	ASSERT_EQ(name, (int)nsmon_stat_order[0], NSMON_STAT_PACKETS);
	ASSERT_EQ(name, (int)nsmon_stat_order[1], NSMON_STAT_BYTES);
	ASSERT_EQ(name, (int)nsmon_stat_order[2], NSMON_STAT_ARP_REQUEST);
	ASSERT_EQ(name, (int)nsmon_stat_order[NSMON_STAT_MAX - 2], NSMON_STAT_TRUNCATED);
	ASSERT_EQ(name, (int)nsmon_stat_order[NSMON_STAT_MAX - 1], NSMON_STAT_SKBS);
	TEST_END(name);
}

int main(void)
{
	test_every_stat_named_once();
	test_order_is_a_permutation();
	test_document_order();
	return tests_failed ? 1 : 0;
}
