// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon stats: the counters of every monitored lab, as a table for people or
 * as one JSON document (the contract in README.md). Both are printed from
 * the same JSON model, so they cannot disagree.
 */
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "cli.h"
#include "nsmon.h"
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

static long long rx_tx(const json_t *place, const char *what, const char *dir)
{
	return (long long)json_integer_value(json_object_get(json_object_get(place, what), dir));
}

#define FWD_FMT		"%-15s %-15s %9s %9s %9s %9s %9s %9s\n"
#define FWD_NUM_FMT	"%-15s %-15s %9lld %9lld %9lld %9lld %9s %9lld\n"

/* What the bridge did with each place's frames: one row per port, the bridge device last. */
static void print_forwarding(const json_t *br)
{
	const char *name = json_string_value(json_object_get(br, "name"));
	const json_t *port, *local = json_object_get(br, "local");
	char local_frames[24];
	size_t i;

	printf(FWD_FMT, "BRIDGE", "PORT", "FWD-RX", "FWD-TX", "FLOOD-RX", "FLOOD-TX", "LOCAL",
	       "DROPPED");
	json_array_foreach(json_object_get(br, "ports"), i, port) {
		snprintf(local_frames, sizeof(local_frames), "%lld",
			 (long long)json_integer_value(json_object_get(port, "local")));
		printf(FWD_NUM_FMT, name, json_string_value(json_object_get(port, "name")),
		       rx_tx(port, "forwarded", "rx"), rx_tx(port, "forwarded", "tx"),
		       rx_tx(port, "flooded", "rx"), rx_tx(port, "flooded", "tx"), local_frames,
		       (long long)json_integer_value(json_object_get(port, "dropped")));
	}
	printf(FWD_NUM_FMT, name, "local",
	       rx_tx(local, "forwarded", "rx"), rx_tx(local, "forwarded", "tx"),
	       rx_tx(local, "flooded", "rx"), rx_tx(local, "flooded", "tx"), "-",
	       (long long)json_integer_value(json_object_get(local, "dropped")));
}

/* A grid while it stays readable; one line per pair beyond. */
#define GRID_MAX_PLACES	12

/* The matrix's places: the ports shown, then the other ports it names, "local" last. */
static json_t *matrix_places(const json_t *br)
{
	json_t *places = json_array(), *entry, *port;
	const char *ends[] = { "from", "to" };
	bool local = false;
	size_t i, j;

	json_array_foreach(json_object_get(br, "ports"), i, port)
		json_array_append(places, json_object_get(port, "name"));
	json_array_foreach(json_object_get(br, "matrix"), i, entry) {
		for (size_t e = 0; e < 2; e++) {
			json_t *name = json_object_get(entry, ends[e]), *known;
			bool seen = false;

			if (!strcmp(json_string_value(name), "local")) {
				local = true;
				continue;
			}
			json_array_foreach(places, j, known)
				seen = seen || json_equal(known, name);
			if (!seen)
				json_array_append(places, name);
		}
	}
	if (local || json_array_size(places))
		json_array_append_new(places, json_string("local"));
	return places;
}

static bool is_shown_port(const json_t *br, const json_t *name)
{
	const json_t *port;
	size_t i;

	json_array_foreach(json_object_get(br, "ports"), i, port)
		if (json_equal(json_object_get(port, "name"), name))
			return true;
	return false;
}

/*
 * One cell: the pair's frames (pairs that carried none are not in the
 * matrix), or "-" where neither end is a port shown (-n NS leaves those out).
 */
static void print_cell(const json_t *br, const json_t *from, const json_t *to)
{
	const json_t *entry;
	long long frames = 0;
	size_t i;

	if (!is_shown_port(br, from) && !is_shown_port(br, to)) {
		printf(" %15s", "-");
		return;
	}
	json_array_foreach(json_object_get(br, "matrix"), i, entry)
		if (json_equal(json_object_get(entry, "from"), from) &&
		    json_equal(json_object_get(entry, "to"), to))
			frames = (long long)json_integer_value(json_object_get(entry, "frames"));
	printf(" %15lld", frames);
}

static void print_matrix(const json_t *br)
{
	const char *name = json_string_value(json_object_get(br, "name"));
	json_t *places = matrix_places(br);
	const json_t *from, *to, *entry;
	size_t i, j;

	if (json_is_null(json_object_get(br, "matrix"))) {
		printf("\n%s: the forwarding matrix of its %zu places is left out (nsmon stats --matrix shows it)\n",
		       name, json_array_size(places));
		json_decref(places);
		return;
	}
	printf("\n%s: frames from row to column (a flood counts once per port it left by)\n", name);
	if (json_array_size(places) > GRID_MAX_PLACES) {
		printf("%-15s %-15s %9s %9s %9s\n", "FROM", "TO", "FRAMES", "FORWARDED", "FLOODED");
		json_array_foreach(json_object_get(br, "matrix"), i, entry)
			printf("%-15s %-15s %9lld %9lld %9lld\n",
			       json_string_value(json_object_get(entry, "from")),
			       json_string_value(json_object_get(entry, "to")),
			       (long long)json_integer_value(json_object_get(entry, "frames")),
			       (long long)json_integer_value(json_object_get(entry, "forwarded")),
			       (long long)json_integer_value(json_object_get(entry, "flooded")));
		json_decref(places);
		return;
	}
	printf("%-15s", "FROM \\ TO");
	json_array_foreach(places, j, to)
		printf(" %15s", json_string_value(to));
	putchar('\n');
	json_array_foreach(places, i, from) {
		printf("%-15s", json_string_value(from));
		json_array_foreach(places, j, to)
			print_cell(br, from, to);
		putchar('\n');
	}
	json_decref(places);
}

static void print_table(const json_t *doc)
{
	const json_t *br;
	long long uncounted;
	size_t i;

	printf("%-10s %-15s %-6s", "NETNS", "INTERFACE", "DIR");
	for (size_t i = 0; i < NCOLUMNS; i++)
		printf(" %*s", columns[i].width, columns[i].header);
	putchar('\n');
	stats_model_foreach_iface(doc, print_iface, NULL);
	json_array_foreach(json_object_get(doc, "bridges"), i, br) {
		putchar('\n');
		print_forwarding(br);
		print_matrix(br);
	}
	uncounted = json_integer_value(json_object_get(doc, "bridge_flows_uncounted"));
	if (uncounted)
		printf("\nnote: %lld forwarding counts were not kept since the maps were created: the bridge flows map (%d pairs) was full, so the matrix and the sums of ports without a fast slot are short\n",
		       uncounted, NSMON_MAX_BRIDGE_FLOWS);
}

int cmd_stats(int argc, char **argv)
{
	const char *bridge = NULL, *only_netns = NULL;
	bool json = false, matrix = false;
	const struct cli_opt opts[] = {
		{ "--json", NULL, &json },
		{ "-j", NULL, &json },
		{ "-n", &only_netns, NULL },
		{ "--netns", &only_netns, NULL },
		{ "--bridge", &bridge, NULL },
		{ "--matrix", NULL, &matrix },
		{ NULL },
	};
	json_t *doc;
	int first, ret, err;

	ret = cli_parse(argc, argv, opts, 0, &first);
	if (ret)
		return ret;
	err = stats_model_build(bridge, only_netns, matrix ? 0 : STATS_MODEL_MATRIX_PLACES, &doc);
	if (err)
		return cli_exit_code(err);
	cli_print_doc(doc, json, print_table);
	json_decref(doc);
	return EXIT_OK;
}
