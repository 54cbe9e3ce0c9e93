// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon stats: the counters of every monitored lab, as a table for people or
 * as one JSON document (the contract in README.md). Both are printed from
 * the same JSON model, so they cannot disagree.
 */
#include <stdio.h>
#include <jansson.h>

#include "cli.h"
#include "stats_model.h"

/* Columns of the table: header, counter key. */
static const struct column {
	const char *header;
	const char *key;
	int width;
} columns[] = {
	{ "PACKETS", "packets", 9 }, { "BYTES", "bytes", 11 },
	{ "ARP-REQ", "arp_request", 8 }, { "ARP-REP", "arp_reply", 8 },
	{ "ECHO-REQ", "icmp_echo_request", 9 }, { "ECHO-REP", "icmp_echo_reply", 9 },
	{ "IPV4", "ipv4", 7 }, { "IPV6", "ipv6", 6 }, { "TCP", "tcp", 8 }, { "UDP", "udp", 7 },
	{ "ICMP", "icmp", 6 }, { "OTHER", "other", 6 }, { "BCAST", "broadcast", 6 },
	{ "MCAST", "multicast", 6 },
};

#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

static void print_row(const char *where, const char *ifname, const char *dir, const json_t *c)
{
	printf("%-10s %-15s %-6s", where, ifname, dir);
	for (size_t i = 0; i < NCOLUMNS; i++)
		printf(" %*lld", columns[i].width,
		       (long long)json_integer_value(json_object_get(c, columns[i].key)));
	putchar('\n');
}

static void print_iface(const char *where, const char *name, const json_t *ifc, void *data)
{
	const json_t *xdp = json_object_get(ifc, "xdp");

	print_row(where, name, "rx", json_object_get(ifc, "rx"));
	print_row(where, name, "tx", json_object_get(ifc, "tx"));
	if (xdp)
		print_row(where, name, "xdp-rx", json_object_get(xdp, "rx"));
}

static void print_table(const json_t *doc)
{
	printf("%-10s %-15s %-6s", "NETNS", "INTERFACE", "DIR");
	for (size_t i = 0; i < NCOLUMNS; i++)
		printf(" %*s", columns[i].width, columns[i].header);
	putchar('\n');
	stats_model_foreach_iface(doc, print_iface, NULL);
}

int cmd_stats(int argc, char **argv)
{
	const char *bridge = NULL, *only_netns = NULL;
	bool json = false;
	const struct cli_opt opts[] = {
		{ "--json", NULL, &json },
		{ "-j", NULL, &json },
		{ "-n", &only_netns, NULL },
		{ "--netns", &only_netns, NULL },
		{ "--bridge", &bridge, NULL },
		{ NULL },
	};
	json_t *doc;
	int first, ret, err;

	ret = cli_parse(argc, argv, opts, 0, &first);
	if (ret)
		return ret;
	err = stats_model_build(bridge, only_netns, &doc);
	if (err)
		return cli_exit_code(err);
	if (json) {
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		print_table(doc);
	}
	json_decref(doc);
	return EXIT_OK;
}
