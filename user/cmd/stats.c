// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon stats: the counters of every monitored lab, as a table for people or
 * as one JSON document (the contract in README.md). Both are written from
 * the counters model: the document by output/stats_write.c, the table here,
 * from the model's interfaces and places (a test checks they agree).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "cmd/cli.h"
#include "cmd/scope_options.h"
#include "util/color.h"
#include "util/log.h"
#include "nsmon.h"
#include "model/stats_model.h"
#include "output/stats_write.h"

/*
 * The counter columns of the table, in order. The default table keeps to
 * what a reader of the seed lab looks for and fits 100 columns there;
 * --wide shows every counter the document has.
 */
static const struct column {
	const char *header;
	enum nsmon_stat stat;
	bool wide_only;
} columns[] = {
#define COLUMN(h, st)	{ .header = (h), .stat = (st), .wide_only = false }
#define WIDE(h, st)	{ .header = (h), .stat = (st), .wide_only = true }
	COLUMN("PACKETS", NSMON_STAT_PACKETS), COLUMN("BYTES", NSMON_STAT_BYTES),
	WIDE("SKBS", NSMON_STAT_SKBS), WIDE("ARP", NSMON_STAT_ARP),
	COLUMN("ARP-REQ", NSMON_STAT_ARP_REQUEST), COLUMN("ARP-REP", NSMON_STAT_ARP_REPLY),
	COLUMN("ECHO-REQ", NSMON_STAT_ICMP_ECHO_REQUEST),
	COLUMN("ECHO-REP", NSMON_STAT_ICMP_ECHO_REPLY),
	COLUMN("IPV4", NSMON_STAT_IPV4), COLUMN("IPV6", NSMON_STAT_IPV6),
	WIDE("OTHER", NSMON_STAT_OTHER),
	COLUMN("TCP", NSMON_STAT_TCP), COLUMN("UDP", NSMON_STAT_UDP), COLUMN("ICMP", NSMON_STAT_ICMP),
	WIDE("L4-OTHER", NSMON_STAT_L4_OTHER), WIDE("UNICAST", NSMON_STAT_UNICAST),
	WIDE("BCAST", NSMON_STAT_BROADCAST), WIDE("MCAST", NSMON_STAT_MULTICAST),
	WIDE("VLAN", NSMON_STAT_VLAN), WIDE("TRUNC", NSMON_STAT_TRUNCATED),
#undef COLUMN
#undef WIDE
};

#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

/* How wide each column of the interface rows is: its widest cell, heading included. */
struct layout {
	bool wide;
	int where, name, dir;
	int num[NCOLUMNS];
};

static int digits(unsigned long long v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

static void fit_counters(struct layout *lay, const struct nsmon_counters *c)
{
	for (size_t i = 0; i < NCOLUMNS; i++)
		lay->num[i] = max_int(lay->num[i], digits(c->stat[columns[i].stat]));
}

static void fit_layout(struct layout *lay, const struct stats_iface *ifs, size_t n)
{
	lay->where = strlen("NETNS");
	lay->name = strlen("INTERFACE");
	lay->dir = strlen("DIR");
	for (size_t i = 0; i < NCOLUMNS; i++)
		lay->num[i] = strlen(columns[i].header);
	for (size_t i = 0; i < n; i++) {
		lay->where = max_int(lay->where, strlen(ifs[i].where));
		lay->name = max_int(lay->name, strlen(ifs[i].name));
		fit_counters(lay, &ifs[i].tc[NSMON_DIR_RX]);
		fit_counters(lay, &ifs[i].tc[NSMON_DIR_TX]);
		if (ifs[i].has_xdp) {
			lay->dir = max_int(lay->dir, strlen("xdp-rx"));
			fit_counters(lay, &ifs[i].xdp_rx);
		}
	}
}

static void print_row(const struct layout *lay, const char *where, const char *ifname,
		      const char *dir, const struct nsmon_counters *c)
{
	printf("%-*s %-*s %-*s", lay->where, where, lay->name, ifname, lay->dir, dir);
	for (size_t i = 0; i < NCOLUMNS; i++)
		if (lay->wide || !columns[i].wide_only)
			printf(" %*llu", lay->num[i], (unsigned long long)c->stat[columns[i].stat]);
	putchar('\n');
}

static void print_ifaces(const struct stats_iface *ifs, size_t n, bool wide)
{
	struct layout lay = { .wide = wide };

	fit_layout(&lay, ifs, n);
	fputs(color(stdout, COLOR_HEADER), stdout);
	printf("%-*s %-*s %-*s", lay.where, "NETNS", lay.name, "INTERFACE", lay.dir, "DIR");
	for (size_t i = 0; i < NCOLUMNS; i++)
		if (wide || !columns[i].wide_only)
			printf(" %*s", lay.num[i], columns[i].header);
	printf("%s\n", color(stdout, COLOR_RESET));
	for (size_t i = 0; i < n; i++) {
		print_row(&lay, ifs[i].where, ifs[i].name, "rx", &ifs[i].tc[NSMON_DIR_RX]);
		print_row(&lay, ifs[i].where, ifs[i].name, "tx", &ifs[i].tc[NSMON_DIR_TX]);
		if (ifs[i].has_xdp)
			print_row(&lay, ifs[i].where, ifs[i].name, "xdp-rx", &ifs[i].xdp_rx);
	}
}

#define KERNEL_FMT	"%-10s %-15s %-6s %12s %12s %9s %9s\n"
#define KERNEL_NUM_FMT	"%-10s %-15s %-6s %12llu %12llu %9llu %9llu\n"

static bool kernel_differs(const struct stats_iface *e, int dir)
{
	return e->has_kernel && (e->kernel.unseen[dir] || e->kernel.dropped[dir]);
}

/*
 * The kernel's own counters (ip -s link) where they tell more than nsmon's:
 * frames the kernel counted that no hook saw (dropped between the two, or
 * counted before monitoring began) and the kernel's drops. One line when
 * there is nothing to tell.
 */
static void print_kernel(const struct stats_iface *ifs, size_t n)
{
	bool any = false;

	for (size_t i = 0; i < n; i++)
		for (int dir = 0; dir < NSMON_DIR_MAX; dir++)
			any = any || kernel_differs(&ifs[i], dir);
	if (!any) {
		printf("\nkernel (ip -s link): no frame it counted went unseen here, none dropped\n");
		return;
	}
	/* Two lines: the table keeps to 100 columns. */
	printf("\nkernel (ip -s link): frames it counted that no hook saw, and its drops\n"
	       "(UNSEEN: dropped between the two, or counted before monitoring)\n");
	fputs(color(stdout, COLOR_HEADER), stdout);
	printf(KERNEL_FMT, "NETNS", "INTERFACE", "DIR", "KERNEL-PKTS", "NSMON-SKBS", "UNSEEN",
	       "DROPPED");
	fputs(color(stdout, COLOR_RESET), stdout);
	for (size_t i = 0; i < n; i++) {
		for (int dir = 0; dir < NSMON_DIR_MAX; dir++) {
			const struct stats_iface *e = &ifs[i];

			if (!kernel_differs(e, dir))
				continue;
			printf(KERNEL_NUM_FMT, e->where, e->name, dir == NSMON_DIR_RX ? "rx" : "tx",
			       (unsigned long long)e->kernel.packets[dir],
			       (unsigned long long)e->tc[dir].stat[NSMON_STAT_SKBS],
			       (unsigned long long)e->kernel.unseen[dir],
			       (unsigned long long)e->kernel.dropped[dir]);
		}
	}
}

#define FWD_FMT		"%-15s %-15s %9s %9s %9s %9s %9s %9s\n"
#define FWD_NUM_FMT	"%-15s %-15s %9llu %9llu %9llu %9llu %9s %9llu\n"

static void print_place(const char *bridge, const char *name, const struct nsmon_place_counters *p,
			const char *local)
{
	printf(FWD_NUM_FMT, bridge, name, (unsigned long long)p->forwarded_rx,
	       (unsigned long long)p->forwarded_tx, (unsigned long long)p->flooded_rx,
	       (unsigned long long)p->flooded_tx, local, (unsigned long long)p->dropped);
}

/* What the bridge did with each place's frames: one row per port shown, the bridge device last. */
static void print_forwarding(const struct stats_bridge *br)
{
	const struct lab *lab = &br->lab;
	char local_frames[24];

	fputs(color(stdout, COLOR_HEADER), stdout);
	printf(FWD_FMT, "BRIDGE", "PORT", "FWD-RX", "FWD-TX", "FLOOD-RX", "FLOOD-TX", "LOCAL",
	       "DROPPED");
	fputs(color(stdout, COLOR_RESET), stdout);
	for (size_t i = 0; i < lab->nports; i++) {
		if (!br->shown[i])
			continue;
		snprintf(local_frames, sizeof(local_frames), "%llu",
			 (unsigned long long)br->places.sum[i].local);
		print_place(lab->bridge.name, lab->ports[i].port.name, &br->places.sum[i],
			    local_frames);
	}
	print_place(lab->bridge.name, "local", &br->places.sum[lab->nports], "-");
}

/* A grid while it stays readable; one line per pair beyond. */
#define GRID_MAX_PLACES	12

/*
 * The matrix's places, into @order: the ports shown, then the other ports
 * its pairs name, the bridge device last. @listed: scratch, one per place.
 * Return: how many.
 */
static size_t matrix_places(const struct stats_bridge *br, size_t *order, bool *listed)
{
	size_t local = br->lab.nports, n = 0;
	bool local_named = false;

	memset(listed, 0, (local + 1) * sizeof(*listed));
	for (size_t i = 0; i < br->lab.nports; i++)
		if (br->shown[i])
			order[n++] = i;
	for (size_t i = 0; i < br->npairs; i++) {
		for (int end = 0; end < 2; end++) {
			size_t place = end ? br->pairs[i].to : br->pairs[i].from;

			if (place == local)
				local_named = true;
			else if (!br->shown[place] && !listed[place])
				order[n++] = place;
			listed[place] = true;
		}
	}
	if (local_named || n)
		order[n++] = local;
	return n;
}

static bool is_shown_port(const struct stats_bridge *br, size_t place)
{
	return place < br->lab.nports && br->shown[place];
}

/* One cell: the pair's frames (0 when it carried none), or "-" where neither end is shown. */
static void print_cell(const struct stats_bridge *br, size_t from, size_t to)
{
	unsigned long long frames = 0;

	if (!is_shown_port(br, from) && !is_shown_port(br, to)) {
		printf(" %15s", "-");
		return;
	}
	for (size_t i = 0; i < br->npairs; i++)
		if ((size_t)br->pairs[i].from == from && (size_t)br->pairs[i].to == to)
			frames = br->pairs[i].forwarded + br->pairs[i].flooded;
	printf(" %15llu", frames);
}

/* One line per pair that carried frames. */
static void print_pairs(const struct stats_bridge *br)
{
	printf("%-15s %-15s %9s %9s %9s\n", "FROM", "TO", "FRAMES", "FORWARDED", "FLOODED");
	for (size_t i = 0; i < br->npairs; i++) {
		const struct stats_pair *p = &br->pairs[i];

		printf("%-15s %-15s %9llu %9llu %9llu\n", stats_model_place_name(&br->lab, p->from),
		       stats_model_place_name(&br->lab, p->to), (unsigned long long)(p->forwarded + p->flooded),
		       (unsigned long long)p->forwarded, (unsigned long long)p->flooded);
	}
}

/* Frames from each row's place to each column's, the places in @order (@n of them). */
static void print_grid(const struct stats_bridge *br, const size_t *order, size_t n)
{
	printf("%-15s", "FROM \\ TO");
	for (size_t j = 0; j < n; j++)
		printf(" %15s", stats_model_place_name(&br->lab, order[j]));
	putchar('\n');
	for (size_t i = 0; i < n; i++) {
		printf("%-15s", stats_model_place_name(&br->lab, order[i]));
		for (size_t j = 0; j < n; j++)
			print_cell(br, order[i], order[j]);
		putchar('\n');
	}
}

/* @order, @listed: scratch, room for each place of the bridge. */
static void print_matrix(const struct stats_bridge *br, size_t *order, bool *listed)
{
	size_t n = matrix_places(br, order, listed);

	if (!br->matrix_shown) {
		printf("\n%s: the forwarding matrix of its %zu places is left out (nsmon stats --matrix shows it)\n",
		       br->lab.bridge.name, br->places.nplaces);
		return;
	}
	printf("\n%s: frames from row to column (a flood counts once per port it left by)\n",
	       br->lab.bridge.name);
	if (n > GRID_MAX_PLACES)
		print_pairs(br);
	else
		print_grid(br, order, n);
}

/* The table, straight from the model: at 1000 interfaces a JSON tree took half the time. */
static int print_table(const struct stats_model *m, bool wide)
{
	size_t most = 0, *order;
	bool *listed;

	for (size_t i = 0; i < m->nbridges; i++)
		if (m->bridges[i].places.nplaces > most)
			most = m->bridges[i].places.nplaces;
	order = calloc(most ?: 1, sizeof(*order));
	listed = calloc(most ?: 1, sizeof(*listed));
	if (!order || !listed) {
		pr_warn("cannot print the counters: %s", strerror(ENOMEM));
		free(order);
		free(listed);
		return -ENOMEM;
	}
	print_ifaces(m->ifaces, m->nifaces, wide);
	print_kernel(m->ifaces, m->nifaces);
	for (size_t i = 0; i < m->nbridges; i++) {
		putchar('\n');
		print_forwarding(&m->bridges[i]);
		print_matrix(&m->bridges[i], order, listed);
	}
	if (m->flows_uncounted)
		printf("\nnote: %llu forwarding counts were not kept since the maps were created: the bridge flows map (%d pairs) was full, so the matrix and the sums of ports without a fast slot are short\n",
		       (unsigned long long)m->flows_uncounted, NSMON_MAX_BRIDGE_FLOWS);
	free(order);
	free(listed);
	return 0;
}

/*
 * The document (the contract in README.md), from @m, which it frees: before
 * the document's thousands of small objects are, because freeing the
 * model's big arrays after them made malloc consolidate them all first (7
 * ms of a 1000-interface `stats --json`).
 */
static int print_json(struct stats_model *m)
{
	json_t *doc = stats_write_json(m);

	stats_model_free(m);
	if (!doc)
		return -ENOMEM;
	cli_print_doc(doc, true, NULL);
	json_decref(doc);
	return 0;
}

struct stats_args {
	struct scope_args scope;
	bool json, matrix, wide;
};

static const struct cli_option stats_options[] = {
	CLI_OPTION("json", 'j', CLI_FLAG, struct stats_args, json,
		   .help = "one JSON document (the contract in README.md)"),
	SCOPE_CLI_OPTIONS(struct stats_args, scope, SCOPE_ALL_LABS),
	CLI_OPTION("matrix", 0, CLI_FLAG, struct stats_args, matrix,
		   .help = "the forwarding matrix even past 64 places"),
	CLI_OPTION("wide", 'w', CLI_FLAG, struct stats_args, wide,
		   .help = "every counter in the table, not the 11 that fit 100 columns"),
	CLI_END
};

static int run_stats(const void *args, int noperands, char **operands)
{
	const struct stats_args *a = args;
	const struct lab_scope scope = scope_of(&a->scope);
	size_t matrix_places = a->matrix ? STATS_MODEL_MATRIX_ALL : STATS_MODEL_MATRIX_PLACES;
	struct stats_model *m;
	int err;

	if (scope_check(&scope))
		return EXIT_USAGE;
	err = stats_model_read(&scope, matrix_places, &m);
	if (!err) {
		if (a->json) {
			err = print_json(m);
		} else {
			err = print_table(m, a->wide);
			stats_model_free(m);
		}
	}
	return err ? cli_exit_code(err) : EXIT_OK;
}

const struct cli_command cmd_stats = {
	.name = "stats",
	.summary = "the counters of every monitored lab, as a table or one JSON document",
	.description = "Per namespace and per interface, packets and bytes by direction and by kind,\n"
		       "then what each bridge did with each port's frames (forwarded, flooded, local,\n"
		       "dropped) and its port-to-port matrix. The numbers agree with ip -s link.",
	.options = stats_options,
	.args_size = sizeof(struct stats_args),
	.examples = "nsmon stats\tevery lab, as a table\n"
		    "nsmon stats -n red\tonly red\n"
		    "nsmon stats --bridge v-net-0 --bridge br2\ttwo labs of several\n"
		    "nsmon stats -w\tevery counter (SKBS, VLAN, TRUNC, ...), wider\n"
		    "nsmon stats -j | jq '.namespaces[].interfaces[].rx.packets'\tthe contract, for tools",
	.run = run_stats,
};
