// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the shared filter options (user/util/filter.c): what each
 * accepts and refuses, the one error line naming the option, the filter
 * written back as options, and the matching rule (include/filter_abi.h)
 * on frame keys, and on a neighbour entry's (include/events_abi.h). The BPF
 * side is tests/bpf/test_capture.c and test_path.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "events_abi.h"
#include "test.h"
#include "util/filter.h"
#include "util/log.h"

struct option_case {
	const char *proto, *host, *port;
	bool ok;
	const char *formatted;	/* filter_format() of the result; for a bad one, the error line */
};

static const struct option_case cases[] = {
	{ NULL, NULL, NULL, true, "" },
	{ "tcp", NULL, NULL, true, "--proto tcp" },
	{ "udp,tcp", NULL, NULL, true, "--proto tcp,udp" },
	{ "arp,icmp,icmp6,tcp,udp,ipv4,ipv6", NULL, NULL, true,
	  "--proto arp,icmp,icmp6,tcp,udp,ipv4,ipv6" },
	{ "icmp,icmp", NULL, NULL, true, "--proto icmp" },
	{ "any", NULL, NULL, true, "" },
	{ "tcp,any,udp", "192.168.15.2", NULL, true, "--host 192.168.15.2" },
	{ NULL, "192.168.15.2", NULL, true, "--host 192.168.15.2" },
	{ NULL, "fd00::2,192.168.15.2", NULL, true, "--host fd00::2,192.168.15.2" },
	{ NULL, "10.0.0.1,10.0.0.1", NULL, true, "--host 10.0.0.1" },
	{ NULL, "::ffff:10.0.0.1", NULL, true, "--host 10.0.0.1" },
	{ NULL, "1,2,3,4,5,6,7,8", NULL, false,
	  "nsmon: invalid --host \"1,2,3,4,5,6,7,8\": \"1\" is not an IPv4 or IPv6 address\n" },
	{ NULL, "10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4,10.0.0.5,10.0.0.6,10.0.0.7,10.0.0.8", NULL,
	  true, "--host 10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4,10.0.0.5,10.0.0.6,10.0.0.7,10.0.0.8" },
	{ NULL, NULL, "0,53,65535", true, "--port 0,53,65535" },
	{ "icmp", "192.168.15.2", "9000", true, "--proto icmp --host 192.168.15.2 --port 9000" },
	{ "sctp", NULL, NULL, false,
	  "nsmon: invalid --proto \"sctp\": \"sctp\" is not one of arp, icmp, icmp6, tcp, udp, ipv4, ipv6, any\n" },
	{ "TCP", NULL, NULL, false,
	  "nsmon: invalid --proto \"TCP\": \"TCP\" is not one of arp, icmp, icmp6, tcp, udp, ipv4, ipv6, any\n" },
	{ "", NULL, NULL, false, "nsmon: invalid --proto \"\": an empty item in the list\n" },
	{ "tcp,", NULL, NULL, false, "nsmon: invalid --proto \"tcp,\": an empty item in the list\n" },
	{ ",tcp", NULL, NULL, false, "nsmon: invalid --proto \",tcp\": an empty item in the list\n" },
	{ "tcp,,udp", NULL, NULL, false, "nsmon: invalid --proto \"tcp,,udp\": an empty item in the list\n" },
	{ NULL, "192.168.15.300", NULL, false,
	  "nsmon: invalid --host \"192.168.15.300\": \"192.168.15.300\" is not an IPv4 or IPv6 address\n" },
	{ NULL, "fe80::1%lo", NULL, false,
	  "nsmon: invalid --host \"fe80::1%lo\": \"fe80::1%lo\" is not an IPv4 or IPv6 address\n" },
	{ NULL, "red", NULL, false,
	  "nsmon: invalid --host \"red\": \"red\" is not an IPv4 or IPv6 address\n" },
	{ NULL, "10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4,10.0.0.5,10.0.0.6,10.0.0.7,10.0.0.8,10.0.0.9", NULL,
	  false, "nsmon: invalid --host \"10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4,10.0.0.5,10.0.0.6,"
	  "10.0.0.7,10.0.0.8,10.0.0.9\": more than 8 addresses\n" },
	{ NULL, NULL, "65536", false,
	  "nsmon: invalid --port \"65536\": \"65536\" is not a port number 0-65535\n" },
	{ NULL, NULL, "-1", false, "nsmon: invalid --port \"-1\": \"-1\" is not a port number 0-65535\n" },
	{ NULL, NULL, "+5", false, "nsmon: invalid --port \"+5\": \"+5\" is not a port number 0-65535\n" },
	{ NULL, NULL, " 5", false, "nsmon: invalid --port \" 5\": \" 5\" is not a port number 0-65535\n" },
	{ NULL, NULL, "5x", false, "nsmon: invalid --port \"5x\": \"5x\" is not a port number 0-65535\n" },
	{ NULL, NULL, "0x10", false,
	  "nsmon: invalid --port \"0x10\": \"0x10\" is not a port number 0-65535\n" },
	{ NULL, NULL, "99999999999999999999", false,
	  "nsmon: invalid --port \"99999999999999999999\": \"99999999999999999999\" is not a port number 0-65535\n" },
	{ NULL, NULL, "1,2,3,4,5,6,7,8,9", false,
	  "nsmon: invalid --port \"1,2,3,4,5,6,7,8,9\": more than 8 ports\n" },
	/* The first bad option is the one named. */
	{ "tcp", "nowhere", "70000", false,
	  "nsmon: invalid --host \"nowhere\": \"nowhere\" is not an IPv4 or IPv6 address\n" },
};

static void test_case(const struct option_case *c)
{
	char name[256], out[512] = "", *err_text = NULL;
	struct nsmon_filter f, again;
	size_t err_len = 0;
	FILE *err = open_memstream(&err_text, &err_len);
	int ret;

	snprintf(name, sizeof(name), "filter options: --proto %s --host %s --port %s",
		 c->proto ?: "-", c->host ?: "-", c->port ?: "-");
	TEST_BEGIN();
	log_capture(err);
	ret = filter_parse(&f, c->proto, c->host, c->port);
	log_capture(NULL);
	fclose(err);
	if (c->ok) {
		if (!ASSERT_OK(name, ret))
			goto out;
		ASSERT_STREQ(name, err_text, "");
		filter_format(&f, out, sizeof(out));
		ASSERT_STREQ(name, out, c->formatted);
		/* What filter_format() writes parses back to the same filter. */
		if (c->proto || c->host || c->port) {
			char *proto = strstr(out, "--proto "), *host = strstr(out, "--host ");
			char *port = strstr(out, "--port ");

			for (char *p = out; *p; p++)
				if (*p == ' ' && p[1] == '-')
					*p = '\0';
			ASSERT_OK(name, filter_parse(&again, proto ? proto + 8 : NULL,
						     host ? host + 7 : NULL, port ? port + 7 : NULL));
			ASSERT_TRUE(name, !memcmp(&again, &f, sizeof(f)));
		}
	} else {
		ASSERT_EQ(name, ret, -EINVAL);
		ASSERT_STREQ(name, err_text, c->formatted);
	}
out:
	free(err_text);
	TEST_END(name);
}

/* An option given twice adds to what it said first. */
static void test_add_twice(void)
{
	const char *name = "filter options: an option given twice adds up";
	struct nsmon_filter f = {};
	char why[96], out[128];

	TEST_BEGIN();
	ASSERT_OK(name, filter_add(&f, FILTER_PROTO, "tcp", why, sizeof(why)));
	ASSERT_OK(name, filter_add(&f, FILTER_PROTO, "arp", why, sizeof(why)));
	ASSERT_OK(name, filter_add(&f, FILTER_PORT, "53", why, sizeof(why)));
	ASSERT_OK(name, filter_add(&f, FILTER_PORT, "80,53", why, sizeof(why)));
	filter_format(&f, out, sizeof(out));
	ASSERT_STREQ(name, out, "--proto arp,tcp --port 53,80");
	TEST_END(name);
}

/* What the user types replaces a command's default --proto (path's icmp); "any" lifts it. */
static void test_proto_default(void)
{
	const char *name = "filter options: --proto replaces its default, any lifts it";
	struct nsmon_filter f = { .protos = NSMON_FILTER_ICMP };

	TEST_BEGIN();
	ASSERT_TRUE(name, filter_option_proto("udp", &f) == NULL);
	ASSERT_EQ(name, f.protos, NSMON_FILTER_UDP);
	f.protos = NSMON_FILTER_ICMP;
	ASSERT_TRUE(name, filter_option_proto("any", &f) == NULL);
	ASSERT_EQ(name, f.protos, 0);
	f.protos = NSMON_FILTER_ICMP;
	ASSERT_TRUE(name, filter_option_proto("sctp", &f) != NULL);
	ASSERT_EQ(name, f.protos, NSMON_FILTER_ICMP);
	TEST_END(name);
}

static struct nsmon_filter_addr v4(const char *text)
{
	struct nsmon_filter_addr a = { .w = { 0, 0, htonl(0xffff), 0 } };

	inet_pton(AF_INET, text, &a.w[3]);
	return a;
}

/* The rule itself, on keys as a reader fills them. */
static void test_match_rule(void)
{
	const char *name = "filter rule: alternatives within an option, all options must hold";
	struct nsmon_frame_keys udp = {
		.protos = NSMON_FILTER_IPV4 | NSMON_FILTER_UDP,
		.saddr = v4("192.168.15.1"), .daddr = v4("192.168.15.2"),
		.sport = 40000, .dport = 9000, .has_addrs = 1, .has_ports = 1,
	};
	struct nsmon_frame_keys arp = { .protos = NSMON_FILTER_ARP };
	struct nsmon_filter f;

	TEST_BEGIN();
	filter_parse(&f, NULL, NULL, NULL);
	ASSERT_TRUE(name, nsmon_filter_match(&f, &udp) && nsmon_filter_match(&f, &arp));
	filter_parse(&f, "tcp,udp", NULL, NULL);
	ASSERT_TRUE(name, nsmon_filter_match(&f, &udp) && !nsmon_filter_match(&f, &arp));
	filter_parse(&f, NULL, "10.9.9.9,192.168.15.1", NULL);
	ASSERT_TRUE(name, nsmon_filter_match(&f, &udp) && !nsmon_filter_match(&f, &arp));
	filter_parse(&f, NULL, NULL, "9000");
	ASSERT_TRUE(name, nsmon_filter_match(&f, &udp) && !nsmon_filter_match(&f, &arp));
	filter_parse(&f, "udp", "192.168.15.2", "9001");
	ASSERT_TRUE(name, !nsmon_filter_match(&f, &udp));
	filter_parse(&f, "arp", "192.168.15.2", "9000");
	ASSERT_TRUE(name, !nsmon_filter_match(&f, &udp));
	TEST_END(name);
}

/* A neighbour entry as the event programs and the stream judge it. */
static void test_neigh_rule(void)
{
	const char *name = "filter rule: a neighbour entry is its address, ARP's or NDP's";
	__u8 a4[16] = { 192, 168, 15, 2 }, a6[16];
	struct nsmon_frame_keys k4, k6;
	struct nsmon_filter f;

	inet_pton(AF_INET6, "fd00::2", a6);
	nsmon_neigh_keys(&k4, AF_INET, a4);
	nsmon_neigh_keys(&k6, AF_INET6, a6);
	TEST_BEGIN();
	filter_parse(&f, "arp", "192.168.15.2", NULL);
	ASSERT_TRUE(name, nsmon_filter_match(&f, &k4) && !nsmon_filter_match(&f, &k6));
	filter_parse(&f, "icmp6", NULL, NULL);
	ASSERT_TRUE(name, !nsmon_filter_match(&f, &k4) && nsmon_filter_match(&f, &k6));
	filter_parse(&f, "ipv4", NULL, NULL);
	ASSERT_TRUE(name, !nsmon_filter_match(&f, &k4));
	filter_parse(&f, NULL, "fd00::2", NULL);
	ASSERT_TRUE(name, !nsmon_filter_match(&f, &k4) && nsmon_filter_match(&f, &k6));
	filter_parse(&f, NULL, "192.168.15.3", NULL);
	ASSERT_TRUE(name, !nsmon_filter_match(&f, &k4));
	filter_parse(&f, NULL, NULL, "53");
	ASSERT_TRUE(name, !nsmon_filter_match(&f, &k4) && !nsmon_filter_match(&f, &k6));
	TEST_END(name);
}

int main(void)
{
	log_init(false);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		test_case(&cases[i]);
	test_add_twice();
	test_proto_default();
	test_neigh_rule();
	test_match_rule();
	return tests_failed ? 1 : 0;
}
