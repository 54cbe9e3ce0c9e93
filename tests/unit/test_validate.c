// SPDX-License-Identifier: GPL-2.0
/* Unit tests of what users type: interface/namespace names and subnets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "util/validate.h"

static const struct name_case {
	const char *name;
	bool netns_ok;		/* a valid lab namespace name */
	bool ifname_ok;		/* a valid interface (bridge) name */
} name_cases[] = {
	{ "red", true, true },
	{ "blue", true, true },
	{ "n250", true, true },
	{ "abcdefg", true, true },		/* veth-abcdefg-br is 15 bytes */
	{ "abcdefgh", false, true },		/* 16 bytes: too long */
	{ "v-net-0", true, true },
	{ "a.b_c-d", true, true },
	{ "-x", false, true },			/* ip would take it for an option */
	{ "", false, false },
	{ ".", false, false },
	{ "..", false, false },
	{ "a/b", false, false },
	{ "a:b", false, false },
	{ "a b", false, false },
	{ "a\tb", false, false },
	{ "a\x01", false, false },
	{ "abcdefghijklmno", false, true },	/* 15 bytes: a fine bridge name */
	{ "abcdefghijklmnop", false, false },	/* 16 bytes */
};

static const struct subnet_case {
	const char *text;
	bool ok;
	__u32 network;
	int prefixlen;
	unsigned long long hosts;
} subnet_cases[] = {
	{ "192.168.15.0/24", true, 0xc0a80f00, 24, 254 },
	{ "10.77.0.0/16", true, 0x0a4d0000, 16, 65534 },
	{ "10.0.0.0/30", true, 0x0a000000, 30, 2 },
	{ "10.0.0.0/31", true, 0x0a000000, 31, 0 },
	{ "10.0.0.1/32", true, 0x0a000001, 32, 0 },
	{ "0.0.0.0/0", true, 0, 0, 4294967294ull },
	{ .text = "192.168.15.7/24", .ok = false },		/* host bits set */
	{ .text = "192.168.15.0", .ok = false },		/* no prefix */
	{ .text = "192.168.15.0/33", .ok = false },
	{ .text = "192.168.15.0/", .ok = false },
	{ .text = "192.168.15.0/-1", .ok = false },
	{ .text = "192.168.15.0/+8", .ok = false },
	{ .text = "192.168.256.0/24", .ok = false },
	{ .text = "192.168.15/24", .ok = false },
	{ .text = "192.168.15.0.0/24", .ok = false },
	{ .text = "a.b.c.d/24", .ok = false },
	{ .text = "192.168.15.0/24x", .ok = false },
	{ .text = "192.168..0/24", .ok = false },
	{ .text = "", .ok = false },
	{ .text = "/24", .ok = false },
	{ .text = "1922.168.15.0/24", .ok = false },
};

/* subnet_check(): what a lab may be numbered in. */
static const struct check_case {
	const char *text;
	const char *why;	/* a word of the reason, NULL: accepted */
} check_cases[] = {
	{ "192.168.15.0/24", NULL },
	{ "10.0.0.0/8", NULL },
	{ "100.64.0.0/10", NULL },
	{ "10.0.0.0/30", NULL },
	{ "126.255.255.0/24", NULL },
	{ "128.0.0.0/24", NULL },
	{ "223.255.255.0/24", NULL },
	{ "0.0.0.0/0", "every address" },
	{ "64.0.0.0/2", "wider than a /8" },
	{ "0.0.0.0/8", "0.0.0.0/8" },
	{ "0.255.0.0/16", "0.0.0.0/8" },
	{ "127.0.0.0/24", "loopback" },
	{ "127.0.0.1/32", "loopback" },
	{ "126.0.0.0/7", "wider than a /8" },
	{ "169.254.0.0/16", "link-local" },
	{ "169.254.7.0/24", "link-local" },
	{ "169.0.0.0/8", "link-local" },	/* holds 169.254/16 */
	{ "224.0.0.0/24", "multicast" },
	{ "239.255.255.0/24", "multicast" },
	{ "240.0.0.0/24", "reserved" },
	{ "255.255.255.255/32", "reserved" },
};

int main(void)
{
	char name[128];

	for (size_t i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		const struct name_case *c = &name_cases[i];

		snprintf(name, sizeof(name), "validate name \"%s\"", c->name);
		TEST_BEGIN();
		ASSERT_EQ(name, netns_name_check(c->name) == NULL, c->netns_ok);
		ASSERT_EQ(name, ifname_check(c->name) == NULL, c->ifname_ok);
		TEST_END(name);
	}
	for (size_t i = 0; i < sizeof(subnet_cases) / sizeof(subnet_cases[0]); i++) {
		const struct subnet_case *c = &subnet_cases[i];
		struct subnet s = {};
		const char *why;

		snprintf(name, sizeof(name), "validate subnet \"%s\"", c->text);
		TEST_BEGIN();
		why = subnet_parse(c->text, &s);
		if (ASSERT_EQ(name, why == NULL, c->ok) && c->ok) {
			ASSERT_EQ(name, s.network, c->network);
			ASSERT_EQ(name, s.prefixlen, c->prefixlen);
			ASSERT_EQ(name, subnet_hosts(&s), c->hosts);
		}
		TEST_END(name);
	}
	TEST_BEGIN();
	{
		struct subnet s = { 0xc0a80f00, 24 };

		ASSERT_EQ("subnet host 1", subnet_host(&s, 1), 0xc0a80f01);
		ASSERT_EQ("subnet host 254", subnet_host(&s, 254), 0xc0a80ffe);
	}
	TEST_END("subnet host addresses");
	for (size_t i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
		const struct check_case *c = &check_cases[i];
		struct subnet s;
		const char *why;

		snprintf(name, sizeof(name), "validate subnet_check \"%s\"", c->text);
		TEST_BEGIN();
		if (ASSERT_TRUE(name, !subnet_parse(c->text, &s))) {
			why = subnet_check(&s);
			if (!c->why)
				ASSERT_TRUE(name, why == NULL);
			else if (ASSERT_TRUE(name, why != NULL))
				ASSERT_TRUE(name, strstr(why, c->why) != NULL);
		}
		TEST_END(name);
	}
	return tests_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
