// SPDX-License-Identifier: GPL-2.0
/*
 * The counters model as Prometheus metrics: its interfaces, in its order,
 * and the places' sums. The forwarding matrix is
 * left out: 250 ports flooding each other are ~62,000 pairs, a series each;
 * the places' sums say the same per port.
 */
#define _GNU_SOURCE	/* fputs_unlocked */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "output/export_metrics.h"

static const char *const dir_names[NSMON_DIR_MAX] = { "rx", "tx" };

/*
 * A label value, escaped as the format asks: names may hold '"' and '\'.
 * Whole when nothing needs it (almost always): a locked stdio call per
 * character was most of a scrape.
 */
static void put_label(FILE *out, const char *value)
{
	if (!strpbrk(value, "\\\"\n")) {
		fputs_unlocked(value, out);
		return;
	}
	for (const char *c = value; *c; c++) {
		if (*c == '\\' || *c == '"')
			fputc_unlocked('\\', out);
		if (*c == '\n')
			fputs_unlocked("\\n", out);
		else
			fputc_unlocked(*c, out);
	}
}

static void put_iface_labels(FILE *out, const struct stats_iface *e, const char *dir,
			     const char *hook)
{
	fputs("{netns=\"", out);
	put_label(out, e->where);
	fputs("\",interface=\"", out);
	put_label(out, e->name);
	fprintf(out, "\",direction=\"%s\",hook=\"%s\"", dir, hook);
}

static void put_family(FILE *out, const char *name, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
}

/*
 * The samples of family @name for one interface @e at one direction and
 * hook: its stat @stat, or with @stat < 0 each class, labelled.
 */
static void put_samples(FILE *out, const char *name, const struct stats_iface *e,
			const char *dir, const char *hook, const struct nsmon_counters *c, int stat)
{
	if (stat >= 0) {
		fputs(name, out);
		put_iface_labels(out, e, dir, hook);
		fprintf(out, "} %llu\n", (unsigned long long)c->stat[stat]);
		return;
	}
	/* The classes, in the document's order. */
	for (int k = 0; k < NSMON_STAT_MAX; k++) {
		enum nsmon_stat s = nsmon_stat_order[k];

		if (s == NSMON_STAT_PACKETS || s == NSMON_STAT_BYTES || s == NSMON_STAT_SKBS)
			continue;
		fputs(name, out);
		put_iface_labels(out, e, dir, hook);
		fprintf(out, ",class=\"%s\"} %llu\n", nsmon_stat_names[s],
			(unsigned long long)c->stat[s]);
	}
}

/* Family @name: the stat @stat of every interface, or with @stat < 0 every class by label. */
static void put_iface_family(FILE *out, const struct stats_iface *ifs, size_t n,
			     const char *name, const char *help, int stat)
{
	put_family(out, name, help);
	for (size_t i = 0; i < n; i++) {
		for (int d = 0; d < NSMON_DIR_MAX; d++)
			put_samples(out, name, &ifs[i], dir_names[d], "tc", &ifs[i].tc[d], stat);
		if (ifs[i].has_xdp)
			put_samples(out, name, &ifs[i], dir_names[NSMON_DIR_RX], "xdp",
				    &ifs[i].xdp_rx, stat);
	}
}

static void put_place(FILE *out, const char *bridge, const char *place, const char *fate,
		      const char *dir, __u64 value)
{
	fputs("nsmon_bridge_frames_total{bridge=\"", out);
	put_label(out, bridge);
	fputs("\",place=\"", out);
	put_label(out, place);
	fprintf(out, "\",fate=\"%s\",direction=\"%s\"} %llu\n", fate, dir,
		(unsigned long long)value);
}

/* What each place of each bridge (ports, then the bridge device) forwarded, flooded, dropped. */
static void put_bridges(FILE *out, const struct stats_model *m)
{
	put_family(out, "nsmon_bridge_frames_total",
		   "Frames a bridge took in (rx) or sent out (tx) by a place (port or the bridge device itself), by fate.");
	for (size_t b = 0; b < m->nbridges; b++) {
		const struct lab *lab = &m->bridges[b].lab;

		for (size_t i = 0; i <= lab->nports; i++) {
			const struct nsmon_place_counters *p = &m->bridges[b].places.sum[i];
			const char *place = i < lab->nports ? lab->ports[i].port.name : lab->bridge.name;

			put_place(out, lab->bridge.name, place, "forwarded", "rx", p->forwarded_rx);
			put_place(out, lab->bridge.name, place, "forwarded", "tx", p->forwarded_tx);
			put_place(out, lab->bridge.name, place, "flooded", "rx", p->flooded_rx);
			put_place(out, lab->bridge.name, place, "flooded", "tx", p->flooded_tx);
			if (i < lab->nports)
				put_place(out, lab->bridge.name, place, "local", "rx", p->local);
			put_place(out, lab->bridge.name, place, "dropped", "rx", p->dropped);
		}
	}
	put_family(out, "nsmon_bridge_flows_uncounted_total",
		   "Forwarding counts lost because the bridge flows map was full.");
	fprintf(out, "nsmon_bridge_flows_uncounted_total %llu\n",
		(unsigned long long)m->flows_uncounted);
}

int export_metrics_write(const struct stats_model *m, FILE *out)
{
	const struct stats_iface *ifs = m->ifaces;
	size_t n = m->nifaces;

	put_iface_family(out, ifs, n, "nsmon_interface_packets_total",
			 "Packets an interface received (rx) or sent (tx), a GSO packet counted per segment.",
			 NSMON_STAT_PACKETS);
	put_iface_family(out, ifs, n, "nsmon_interface_bytes_total",
			 "Bytes an interface received or sent, Ethernet header included.",
			 NSMON_STAT_BYTES);
	put_iface_family(out, ifs, n, "nsmon_interface_skbs_total",
			 "Socket buffers an interface received or sent (ip -s link counts these on a veth).",
			 NSMON_STAT_SKBS);
	put_iface_family(out, ifs, n, "nsmon_interface_frames_total",
			 "Packets an interface received or sent, by class (see nsmon stats).", -1);
	put_bridges(out, m);
	return ferror(out) ? -EIO : 0;
}
