// SPDX-License-Identifier: GPL-2.0
/*
 * The counters model as the contract's document (README.md), member by
 * member in the contract's order, as a jansson tree: what `stats --json`
 * prints. Its interfaces are the model's, in the model's
 * order (a test compares them with the table): here a namespace end shares
 * its port's rx and tx objects, swapped, rather than making its own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/counters.h"
#include "output/stats_write.h"
#include "util/log.h"

static json_t *counters_json(const struct nsmon_counters *c)
{
	json_t *obj = json_object();

	for (int i = 0; obj && i < NSMON_STAT_MAX; i++) {
		enum nsmon_stat s = nsmon_stat_order[i];

		json_object_set_new(obj, nsmon_stat_names[s], json_integer(c->stat[s]));
	}
	return obj;
}

static const char *const dir_names[NSMON_DIR_MAX] = { [NSMON_DIR_RX] = "rx", [NSMON_DIR_TX] = "tx" };

/* "xdp": {"rx"}, where XDP counts. */
static void add_xdp(json_t *obj, const struct stats_iface *e)
{
	if (e->has_xdp)
		json_object_set_new(obj, "xdp", json_pack("{s:o}", "rx", counters_json(&e->xdp_rx)));
}

/*
 * "kernel": {"rx": {"packets", "bytes", "dropped", "unseen"}, "tx": ...}:
 * the interface's own counters as the kernel keeps them, when they were read.
 */
static void add_kernel(json_t *obj, const struct stats_iface *e)
{
	json_t *kernel;

	if (!e->has_kernel)
		return;
	kernel = json_object();
	for (int dir = 0; kernel && dir < NSMON_DIR_MAX; dir++)
		json_object_set_new(kernel, dir_names[dir],
				    json_pack("{s:I, s:I, s:I, s:I}",
					      "packets", (json_int_t)e->kernel.packets[dir],
					      "bytes", (json_int_t)e->kernel.bytes[dir],
					      "dropped", (json_int_t)e->kernel.dropped[dir],
					      "unseen", (json_int_t)e->kernel.unseen[dir]));
	json_object_set_new(obj, "kernel", kernel);
}

/*
 * "rx" and "tx" (plus "xdp" and "kernel") of @e, an interface nsmon hooks at
 * tc; @dirs keeps the rx and tx objects for the namespace end it counts.
 */
static void add_iface_counters(json_t *obj, const struct stats_iface *e,
			       json_t *dirs[NSMON_DIR_MAX])
{
	for (int dir = 0; dir < NSMON_DIR_MAX; dir++) {
		dirs[dir] = counters_json(&e->tc[dir]);
		json_object_set_new(obj, dir_names[dir], dirs[dir]);
	}
	add_xdp(obj, e);
	add_kernel(obj, e);
}

static json_t *rx_tx_json(__u64 rx, __u64 tx)
{
	return json_pack("{s:I, s:I}", "rx", (json_int_t)rx, "tx", (json_int_t)tx);
}

/* "forwarded", "flooded", "dropped" (and for a port "local") of a place. */
static void add_place(json_t *obj, const struct nsmon_place_counters *p, bool port)
{
	json_object_set_new(obj, "forwarded", rx_tx_json(p->forwarded_rx, p->forwarded_tx));
	json_object_set_new(obj, "flooded", rx_tx_json(p->flooded_rx, p->flooded_tx));
	if (port)
		json_object_set_new(obj, "local", json_integer(p->local));
	json_object_set_new(obj, "dropped", json_integer(p->dropped));
}

/*
 * The namespace end of a port's veth pair, counted at the port (see
 * datapath_attach_peer()): it received what the port sent and sent what
 * the port received: the very JSON objects of its port, @port_dirs, shared
 * (nothing changes them once built); its own keys hold only XDP's count.
 */
static json_t *peer_json(const struct stats_model *m, const struct stats_iface *e,
			 json_t *const port_dirs[NSMON_DIR_MAX])
{
	const struct lab *lab = &m->bridges[e->bridge].lab;
	json_t *obj = json_pack("{s:s, s:i, s:s}", "name", e->name, "ifindex", e->ifindex,
				"counted_at", lab->ports[e->place].port.name);

	if (!obj)
		return NULL;
	json_object_set(obj, "rx", port_dirs[NSMON_DIR_TX]);
	json_object_set(obj, "tx", port_dirs[NSMON_DIR_RX]);
	add_xdp(obj, e);
	add_kernel(obj, e);
	return obj;
}

/* @dirs: each interface's rx and tx objects, as the bridges wrote them. */
static json_t *netns_json(const struct stats_model *m, const struct stats_netns *ns,
			  json_t *(*dirs)[NSMON_DIR_MAX])
{
	json_t *ifaces = json_array();

	for (size_t i = ns->first; ifaces && i < ns->first + ns->n; i++)
		json_array_append_new(ifaces, peer_json(m, &m->ifaces[i],
							dirs[m->ifaces[i].counted_at]));
	return json_pack("{s:s, s:I, s:I, s:o}", "name", ns->ns->name,
			 "inode", (json_int_t)ns->ns->inode, "cookie", (json_int_t)ns->ns->cookie,
			 "interfaces", ifaces);
}

static json_t *port_json(const struct stats_bridge *br, const struct stats_iface *e,
			 json_t *dirs[NSMON_DIR_MAX])
{
	const struct lab_port *lp = &br->lab.ports[e->place];
	json_t *obj = json_pack("{s:s, s:i}", "name", e->name, "ifindex", e->ifindex);

	if (!obj)
		return NULL;
	add_iface_counters(obj, e, dirs);
	json_object_set_new(obj, "peer", json_string(lp->peer.name));
	json_object_set_new(obj, "peer_namespace",
			    lp->netns ? json_string(lp->netns->name) : json_null());
	add_place(obj, &br->places.sum[e->place], true);
	return obj;
}

/* [{"from", "to", "frames", "forwarded", "flooded"}]: the pairs that carried frames. */
static json_t *matrix_json(const struct stats_bridge *br)
{
	json_t *pairs;

	if (!br->matrix_shown)
		return json_null();
	pairs = json_array();
	for (size_t i = 0; pairs && i < br->npairs; i++) {
		const struct stats_pair *p = &br->pairs[i];

		json_array_append_new(pairs, json_pack("{s:s, s:s, s:I, s:I, s:I}",
				      "from", stats_model_place_name(&br->lab, p->from),
				      "to", stats_model_place_name(&br->lab, p->to),
				      "frames", (json_int_t)(p->forwarded + p->flooded),
				      "forwarded", (json_int_t)p->forwarded,
				      "flooded", (json_int_t)p->flooded));
	}
	return pairs;
}

/* The bridge, its ports and its device: the model's interfaces from br->first on. */
static json_t *bridge_json(const struct stats_model *m, const struct stats_bridge *br,
			   json_t *(*dirs)[NSMON_DIR_MAX])
{
	const struct lab *lab = &br->lab;
	size_t local = br->first + br->n - 1;
	json_t *ports = json_array(), *obj = json_object();

	for (size_t i = br->first; ports && i < local; i++)
		json_array_append_new(ports, port_json(br, &m->ifaces[i], dirs[i]));
	if (obj) {
		add_iface_counters(obj, &m->ifaces[local], dirs[local]);
		add_place(obj, &br->places.sum[lab->nports], false);
	}
	return json_pack("{s:s, s:i, s:o, s:o, s:o}", "name", lab->bridge.name,
			 "ifindex", lab->bridge.ifindex, "ports", ports, "local", obj,
			 "matrix", matrix_json(br));
}

json_t *stats_write_json(const struct stats_model *m)
{
	json_t *namespaces = json_array(), *bridges = json_array(), *doc = NULL;
	json_t *(*dirs)[NSMON_DIR_MAX] = calloc(m->nifaces ?: 1, sizeof(*dirs));

	/* Bridges first: the namespaces' interfaces share their ports' counters. */
	for (size_t i = 0; dirs && bridges && i < m->nbridges; i++)
		json_array_append_new(bridges, bridge_json(m, &m->bridges[i], dirs));
	for (size_t i = 0; dirs && bridges && namespaces && i < m->nnetns; i++)
		json_array_append_new(namespaces, netns_json(m, &m->netns[i], dirs));
	if (dirs) {
		doc = json_pack("{s:o, s:o, s:I}", "namespaces", namespaces, "bridges", bridges,
				"bridge_flows_uncounted", (json_int_t)m->flows_uncounted);
	} else {
		json_decref(namespaces);
		json_decref(bridges);
	}
	free(dirs);
	if (!doc)
		pr_warn("cannot build the counters document: %s", strerror(ENOMEM));
	return doc;
}
