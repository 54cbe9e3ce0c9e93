// SPDX-License-Identifier: GPL-2.0
/*
 * The counters model behind `nsmon stats` and `nsmon watch`: one JSON
 * document per call, so every view of the counters prints the same numbers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "counters.h"
#include "lab.h"
#include "ledger.h"
#include "log.h"
#include "stats_model.h"

struct report {
	struct counters_snapshot *snap;	/* the counters, read once */
	const char *only_netns;		/* -n NS, or NULL */
	struct nl_sock *nl;
	json_t *namespaces;		/* [{"name", "inode", "interfaces": [...]}] */
	json_t *bridges;
	size_t matrix_max_places;	/* a bigger bridge gets "matrix": null; 0: no limit */
	int err;
};

static void report_error(struct report *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record @err and say what failed (log_quiet() silences it for stats_model_build_quiet). */
static void report_error(struct report *r, int err, const char *fmt, ...)
{
	char line[512];
	va_list args;

	r->err = err;
	va_start(args, fmt);
	vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	pr_warn("%s", line);
}

static json_t *counters_json(const struct nsmon_counters *c)
{
	json_t *obj = json_object();

	for (int i = 0; i < NSMON_STAT_MAX; i++)
		json_object_set_new(obj, nsmon_stat_names[i], json_integer((json_int_t)c->stat[i]));
	return obj;
}

static json_t *direction_json(const struct counters_snapshot *m, __u64 cookie, int ifindex, int dir, int hook)
{
	struct nsmon_counters sum;

	/* -ENOENT: nothing counted there yet, which is zeros. */
	counters_read(m, cookie, ifindex, dir, hook, &sum);
	return counters_json(&sum);
}

/* "xdp": {"rx"} of one interface into @obj, where XDP counts. */
static json_t *add_xdp(json_t *obj, const struct counters_snapshot *m, __u64 cookie, int ifindex)
{
	if (counters_exist(m, cookie, ifindex, NSMON_HOOK_XDP))
		json_object_set_new(obj, "xdp", json_pack("{s:o}", "rx",
			direction_json(m, cookie, ifindex, NSMON_DIR_RX, NSMON_HOOK_XDP)));
	return obj;
}

/* "rx" and "tx" (plus "xdp") of an interface nsmon hooks at tc, into @obj. */
static json_t *add_counters(json_t *obj, const struct counters_snapshot *m, __u64 cookie, int ifindex)
{
	json_object_set_new(obj, "rx", direction_json(m, cookie, ifindex, NSMON_DIR_RX, NSMON_HOOK_TC));
	json_object_set_new(obj, "tx", direction_json(m, cookie, ifindex, NSMON_DIR_TX, NSMON_HOOK_TC));
	return add_xdp(obj, m, cookie, ifindex);
}

static json_t *iface_json(const struct counters_snapshot *m, __u64 cookie, const struct lab_iface *ifc)
{
	return add_counters(json_pack("{s:s, s:i}", "name", ifc->name, "ifindex", ifc->ifindex),
			    m, cookie, ifc->ifindex);
}

/*
 * The namespace end of @port's veth pair, counted at the port (see
 * datapath_attach_peer()): it received what the port sent and sent what the
 * port received, the same snapshot (the very JSON objects, shared: nothing
 * changes them once built); its own keys hold only XDP's count.
 */
static json_t *peer_json(const struct counters_snapshot *m, const json_t *port, __u64 cookie, const struct lab_iface *peer)
{
	json_t *obj = json_pack("{s:s, s:i, s:O}", "name", peer->name, "ifindex", peer->ifindex,
				"counted_at", json_object_get(port, "name"));

	json_object_set(obj, "rx", json_object_get(port, "tx"));
	json_object_set(obj, "tx", json_object_get(port, "rx"));
	return add_xdp(obj, m, cookie, peer->ifindex);
}

/* The namespace's entry, added on first sight: several bridges may reach one namespace. */
static json_t *namespace_entry(struct report *r, const struct lab_netns *ns)
{
	size_t i;
	json_t *entry;

	json_array_foreach(r->namespaces, i, entry)
		if (json_integer_value(json_object_get(entry, "inode")) == (json_int_t)ns->inode)
			return entry;
	entry = json_pack("{s:s, s:I, s:I, s:[]}", "name", ns->name, "inode", (json_int_t)ns->inode,
			  "cookie", (json_int_t)ns->cookie, "interfaces");
	json_array_append_new(r->namespaces, entry);
	return entry;
}

static bool wanted(const struct report *r, const struct lab_port *lp)
{
	return !r->only_netns || (lp->netns && !strcmp(lp->netns->name, r->only_netns));
}

/*
 * What a bridge did with the frames of each place: its ports, in lab order,
 * then the bridge device ("local"). rx and tx from the place's own point of
 * view, as everywhere: a port receives what enters the bridge by it, the
 * bridge device receives what the bridge delivers to the host.
 */
struct place {
	__u64 forwarded_rx, forwarded_tx, flooded_rx, flooded_tx, local, dropped;
};

/* Places by ifindex, sorted: a bridge of 250 ports has 62750 flows to place. */
struct place_index {
	__u32 ifindex;
	int place;
};

struct bridge_report {
	const struct lab *lab;
	struct bridge_flow *flows;
	int nflows;
	struct place *places;		/* lab->nports + 1 */
	struct place_index *index;	/* as many, by ifindex */
};

static int by_ifindex(const void *a, const void *b)
{
	const struct place_index *x = a, *y = b;

	return x->ifindex < y->ifindex ? -1 : x->ifindex > y->ifindex;
}

static void index_places(struct bridge_report *b)
{
	for (size_t i = 0; i < b->lab->nports; i++)
		b->index[i] = (struct place_index){ b->lab->ports[i].port.ifindex, (int)i };
	b->index[b->lab->nports] = (struct place_index){ b->lab->bridge.ifindex, (int)b->lab->nports };
	qsort(b->index, b->lab->nports + 1, sizeof(*b->index), by_ifindex);
}

/* The place of @ifindex: a port's index, lab->nports for the bridge, -1 for none of them. */
static int place_of(const struct bridge_report *b, __u32 ifindex)
{
	struct place_index want = { .ifindex = ifindex };
	const struct place_index *found;

	found = bsearch(&want, b->index, b->lab->nports + 1, sizeof(*b->index), by_ifindex);
	return found ? found->place : -1;
}

static const char *place_name(const struct lab *lab, int place)
{
	return place == (int)lab->nports ? "local" : lab->ports[place].port.name;
}

/* Sum the flows into places; flows of ports that are no longer this bridge's are left out. */
static void sum_places(struct bridge_report *b)
{
	int local = (int)b->lab->nports;

	for (int i = 0; i < b->nflows; i++) {
		const struct bridge_flow *f = &b->flows[i];
		__u64 fwd = f->stat[NSMON_BR_FORWARDED], flood = f->stat[NSMON_BR_FLOODED];
		int from = place_of(b, f->from), to;
		struct place *src, *dst;

		if (from < 0)
			continue;
		src = &b->places[from];
		if (f->to == NSMON_BR_NOWHERE) {
			/* The place the frame entered by: flooded once each, and its drops. */
			if (from == local)
				src->flooded_tx += flood;
			else
				src->flooded_rx += flood;
			src->dropped += f->stat[NSMON_BR_DROPPED];
			continue;
		}
		to = place_of(b, f->to);
		if (to < 0)
			continue;
		dst = &b->places[to];
		/* A copy leaving by a port is its tx; delivered to the host, the device's rx. */
		if (to == local) {
			dst->forwarded_rx += fwd;
			dst->flooded_rx += flood;
		} else {
			dst->forwarded_tx += fwd;
			dst->flooded_tx += flood;
		}
		/* Known unicast is counted on the side it entered by, too. */
		if (from == local)
			src->forwarded_tx += fwd;
		else if (to == local)
			src->local += fwd;
		else
			src->forwarded_rx += fwd;
	}
}

static json_t *rx_tx_json(__u64 rx, __u64 tx)
{
	return json_pack("{s:I, s:I}", "rx", (json_int_t)rx, "tx", (json_int_t)tx);
}

/* "forwarded", "flooded", "dropped" (and for a port "local") of @place, into @obj. */
static void add_place(json_t *obj, const struct bridge_report *b, int place)
{
	const struct place *p = &b->places[place];

	json_object_set_new(obj, "forwarded", rx_tx_json(p->forwarded_rx, p->forwarded_tx));
	json_object_set_new(obj, "flooded", rx_tx_json(p->flooded_rx, p->flooded_tx));
	if (place != (int)b->lab->nports)
		json_object_set_new(obj, "local", json_integer((json_int_t)p->local));
	json_object_set_new(obj, "dropped", json_integer((json_int_t)p->dropped));
}

static int by_places(const void *a, const void *b)
{
	const int *x = a, *y = b;

	return x[0] != y[0] ? x[0] - y[0] : x[1] - y[1];
}

/* [{"from", "to", "frames", "forwarded", "flooded"}]: the pairs that carried frames, in place order. */
static json_t *matrix_json(struct report *r, const struct bridge_report *b)
{
	const struct lab *lab = b->lab;
	json_t *matrix = json_array();
	int (*pairs)[3], n = 0;

	pairs = calloc(b->nflows ? b->nflows : 1, sizeof(*pairs));
	if (!pairs)
		return matrix;
	for (int i = 0; i < b->nflows; i++) {
		const struct bridge_flow *f = &b->flows[i];
		int from = place_of(b, f->from), to = place_of(b, f->to);

		if (f->to == NSMON_BR_NOWHERE || from < 0 || to < 0 ||
		    !(f->stat[NSMON_BR_FORWARDED] + f->stat[NSMON_BR_FLOODED]))
			continue;
		/* -n NS: the pairs that involve its port. */
		if (!((from < (int)lab->nports && wanted(r, &lab->ports[from])) ||
		      (to < (int)lab->nports && wanted(r, &lab->ports[to]))))
			continue;
		pairs[n][0] = from;
		pairs[n][1] = to;
		pairs[n++][2] = i;
	}
	qsort(pairs, n, sizeof(*pairs), by_places);
	for (int i = 0; i < n; i++) {
		const struct bridge_flow *f = &b->flows[pairs[i][2]];
		__u64 fwd = f->stat[NSMON_BR_FORWARDED], flood = f->stat[NSMON_BR_FLOODED];

		json_array_append_new(matrix, json_pack("{s:s, s:s, s:I, s:I, s:I}",
			"from", place_name(lab, pairs[i][0]), "to", place_name(lab, pairs[i][1]),
			"frames", (json_int_t)(fwd + flood), "forwarded", (json_int_t)fwd,
			"flooded", (json_int_t)flood));
	}
	free(pairs);
	return matrix;
}

static int report_bridge(const char *bridge, void *data)
{
	struct report *r = data;
	struct bridge_report b = {};
	json_t *ports, *br, *local;
	struct lab lab;
	int err;

	err = lab_discover(r->nl, bridge, &lab);
	if (err) {
		r->err = err;
		return 0;	/* report the other labs all the same */
	}
	b.lab = &lab;
	b.nflows = bridge_flows_read(lab.host.cookie, &b.flows);
	b.places = calloc(lab.nports + 1, sizeof(*b.places));
	b.index = calloc(lab.nports + 1, sizeof(*b.index));
	if (b.nflows < 0 || !b.places || !b.index) {
		err = b.nflows < 0 ? b.nflows : -ENOMEM;
		report_error(r, err, "cannot read the forwarding counters of %s: %s", lab.bridge.name,
			     strerror(-err));
		goto out;
	}
	index_places(&b);
	sum_places(&b);
	ports = json_array();
	for (size_t i = 0; i < lab.nports; i++) {
		const struct lab_port *lp = &lab.ports[i];
		json_t *port;

		if (!wanted(r, lp))
			continue;
		port = iface_json(r->snap, lab.host.cookie, &lp->port);
		json_object_set_new(port, "peer", json_string(lp->peer.name));
		json_object_set_new(port, "peer_namespace",
				    lp->netns ? json_string(lp->netns->name) : json_null());
		add_place(port, &b, (int)i);
		json_array_append_new(ports, port);
		if (lp->netns && lp->peer.ifindex)
			json_array_append_new(json_object_get(namespace_entry(r, lp->netns), "interfaces"),
					      peer_json(r->snap, port, lp->netns->cookie, &lp->peer));
	}
	br = json_pack("{s:s, s:i, s:o}", "name", lab.bridge.name, "ifindex", lab.bridge.ifindex,
		       "ports", ports);
	local = add_counters(json_object(), r->snap, lab.host.cookie, lab.bridge.ifindex);
	add_place(local, &b, (int)lab.nports);
	json_object_set_new(br, "local", local);
	/* Places are the ports and the bridge device. */
	json_object_set_new(br, "matrix", r->matrix_max_places && lab.nports + 1 > r->matrix_max_places ?
			    json_null() : matrix_json(r, &b));
	json_array_append_new(r->bridges, br);
out:
	free(b.index);
	free(b.places);
	free(b.flows);
	lab_free(&lab);
	return 0;
}

static void report_one_bridge(struct report *r, const char *bridge)
{
	struct ledger *lg;
	int err;

	err = ledger_open(bridge, &lg);
	if (err) {
		report_error(r, err, "bridge \"%s\" is not monitored: %s", bridge, strerror(-err));
		return;
	}
	ledger_close(lg);
	report_bridge(bridge, r);
}

static int build(struct report *r, const char *bridge, json_t **doc)
{
	struct counters_maps maps;
	__u64 uncounted = 0;
	int err;

	err = counters_open(&maps);
	if (err) {
		if (err == -ENOENT)
			report_error(r, err, "nothing is monitored: run nsmon up or nsmon attach first");
		else
			report_error(r, err, "cannot open %s: %s", NSMON_COUNTERS_PIN, strerror(-err));
		return r->err;
	}
	err = counters_snapshot(&maps, &r->snap);
	counters_close(&maps);
	if (err) {
		report_error(r, err, "cannot read the counters: %s", strerror(-err));
		return r->err;
	}
	r->nl = nl_open();
	r->namespaces = json_array();
	r->bridges = json_array();
	if (!r->nl) {
		int err = -errno;

		report_error(r, err, "cannot open rtnetlink: %s", strerror(-err));
	} else if (bridge) {
		report_one_bridge(r, bridge);
	} else {
		ledger_foreach_bridge(report_bridge, r);
	}
	if (!r->err && r->only_netns && !json_array_size(r->namespaces))
		report_error(r, -ENOENT, "namespace \"%s\" is not monitored", r->only_netns);
	if (!r->err) {
		err = bridge_flows_uncounted(&uncounted);
		if (err)
			report_error(r, err, "cannot read the bridge state: %s", strerror(-err));
	}
	if (!r->err) {
		*doc = json_pack("{s:o, s:o, s:I}", "namespaces", r->namespaces, "bridges", r->bridges,
				 "bridge_flows_uncounted", (json_int_t)uncounted);
	} else {
		json_decref(r->namespaces);
		json_decref(r->bridges);
	}
	nl_close(r->nl);
	counters_snapshot_free(r->snap);
	return r->err;
}

int stats_model_build(const char *bridge, const char *only_netns, size_t matrix_max_places,
		      json_t **doc)
{
	struct report r = { .only_netns = only_netns, .matrix_max_places = matrix_max_places };

	return build(&r, bridge, doc);
}

int stats_model_build_quiet(const char *bridge, size_t matrix_max_places, json_t **doc)
{
	struct report r = { .matrix_max_places = matrix_max_places };
	bool was_quiet = log_quiet(true);
	int err = build(&r, bridge, doc);

	log_quiet(was_quiet);
	return err;
}

static const char *name_of(const json_t *obj)
{
	return json_string_value(json_object_get(obj, "name"));
}

void stats_model_foreach_iface(const json_t *doc, stats_iface_cb cb, void *data)
{
	const json_t *ns, *ifc, *br, *port;
	size_t i, j;

	json_array_foreach(json_object_get(doc, "namespaces"), i, ns)
		json_array_foreach(json_object_get(ns, "interfaces"), j, ifc)
			cb(name_of(ns), name_of(ifc), ifc, data);
	/* Bridge ports live in our (the host's) namespace; the bridge's own device last. */
	json_array_foreach(json_object_get(doc, "bridges"), i, br) {
		json_array_foreach(json_object_get(br, "ports"), j, port)
			cb(STATS_MODEL_HOST, name_of(port), port, data);
		cb(STATS_MODEL_HOST, name_of(br), json_object_get(br, "local"), data);
	}
}
