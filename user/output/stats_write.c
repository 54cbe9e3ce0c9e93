// SPDX-License-Identifier: GPL-2.0
/*
 * The counters model as the contract's document (README.md), member by
 * member in the contract's order, as a jansson tree: what `stats --json`
 * prints and `watch` and `events --counters` walk. Its interfaces are
 * stats_model_ifaces()'s, in that order (a test compares them with the
 * table): here a namespace end shares its port's rx and tx objects,
 * swapped, rather than reading them again.
 */
#include <errno.h>
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

/* One direction at one hook of an interface: zeros where nothing was counted yet. */
static json_t *direction_json(const struct stats_model *m, __u64 cookie, int ifindex, int dir,
			      int hook)
{
	struct nsmon_counters sum;

	counters_read(m->snap, cookie, ifindex, dir, hook, &sum);
	return counters_json(&sum);
}

/* "xdp": {"rx"}, where XDP counts. */
static void add_xdp(json_t *obj, const struct stats_model *m, __u64 cookie, int ifindex)
{
	if (counters_exist(m->snap, cookie, ifindex, NSMON_HOOK_XDP))
		json_object_set_new(obj, "xdp", json_pack("{s:o}", "rx",
				    direction_json(m, cookie, ifindex, NSMON_DIR_RX, NSMON_HOOK_XDP)));
}

static const char *const dir_names[NSMON_DIR_MAX] = { [NSMON_DIR_RX] = "rx", [NSMON_DIR_TX] = "tx" };

/*
 * "kernel": {"rx": {"packets", "bytes", "dropped", "unseen"}, "tx": ...}:
 * @dev's own counters as the kernel keeps them, beside nsmon's @tc (as
 * @dev saw them), when they were read.
 */
static void add_kernel(json_t *obj, const struct lab_iface *dev,
		       const struct nsmon_counters tc[NSMON_DIR_MAX])
{
	struct stats_kernel k;
	json_t *kernel;

	if (!stats_model_kernel(dev, tc, &k))
		return;
	kernel = json_object();
	for (int dir = 0; kernel && dir < NSMON_DIR_MAX; dir++)
		json_object_set_new(kernel, dir_names[dir],
				    json_pack("{s:I, s:I, s:I, s:I}",
					      "packets", (json_int_t)k.packets[dir],
					      "bytes", (json_int_t)k.bytes[dir],
					      "dropped", (json_int_t)k.dropped[dir],
					      "unseen", (json_int_t)k.unseen[dir]));
	json_object_set_new(obj, "kernel", kernel);
}

/* "rx" and "tx" (plus "xdp" and "kernel") of @dev, an interface nsmon hooks at tc. */
static void add_iface_counters(json_t *obj, const struct stats_model *m, __u64 cookie,
			       const struct lab_iface *dev)
{
	struct nsmon_counters tc[NSMON_DIR_MAX];

	for (int dir = 0; dir < NSMON_DIR_MAX; dir++) {
		counters_read(m->snap, cookie, dev->ifindex, dir, NSMON_HOOK_TC, &tc[dir]);
		json_object_set_new(obj, dir_names[dir], counters_json(&tc[dir]));
	}
	add_xdp(obj, m, cookie, dev->ifindex);
	add_kernel(obj, dev, tc);
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
 * the port received: the very JSON objects of @port, shared (nothing
 * changes them once built); its own keys hold only XDP's count.
 */
static json_t *peer_json(const struct stats_model *m, const struct stats_netns *ns,
			 const struct stats_bridge *br, const struct lab_port *lp, const json_t *port)
{
	json_t *obj = json_pack("{s:s, s:i, s:s}", "name", lp->peer.name,
				"ifindex", lp->peer.ifindex, "counted_at", lp->port.name);
	struct nsmon_counters tc[NSMON_DIR_MAX];

	if (!obj)
		return NULL;
	json_object_set(obj, "rx", json_object_get(port, "tx"));
	json_object_set(obj, "tx", json_object_get(port, "rx"));
	add_xdp(obj, m, ns->ns->cookie, lp->peer.ifindex);
	/* Its own kernel counters, against the port's counts swapped. */
	for (int dir = 0; dir < NSMON_DIR_MAX; dir++)
		counters_read(m->snap, br->lab.host.cookie, lp->port.ifindex, NSMON_DIR_MAX - 1 - dir,
			      NSMON_HOOK_TC, &tc[dir]);
	add_kernel(obj, &lp->peer, tc);
	return obj;
}

/* The JSON object of port @i of @br in @bridges, the document's "bridges" so far. */
static const json_t *port_object(const json_t *bridges, size_t b, const struct stats_bridge *br,
				 size_t i)
{
	size_t at = 0;

	/* Only the shown ports are in "ports": few of them when -n picks one namespace. */
	for (size_t j = 0; j < i; j++)
		at += br->shown[j];
	return json_array_get(json_object_get(json_array_get(bridges, b), "ports"), at);
}

static json_t *netns_json(const struct stats_model *m, const struct stats_netns *ns,
			  const json_t *bridges)
{
	json_t *ifaces = json_array();

	for (size_t p = ns->first; ifaces && p; p = m->peers[p - 1].next) {
		const struct stats_peer *peer = &m->peers[p - 1];
		const struct stats_bridge *br = &m->bridges[peer->bridge];

		json_array_append_new(ifaces, peer_json(m, ns, br, &br->lab.ports[peer->port],
					port_object(bridges, peer->bridge, br, peer->port)));
	}
	return json_pack("{s:s, s:I, s:I, s:o}", "name", ns->ns->name,
			 "inode", (json_int_t)ns->ns->inode, "cookie", (json_int_t)ns->ns->cookie,
			 "interfaces", ifaces);
}

static json_t *port_json(const struct stats_model *m, const struct stats_bridge *br, size_t i)
{
	const struct lab_port *lp = &br->lab.ports[i];
	json_t *obj = json_pack("{s:s, s:i}", "name", lp->port.name, "ifindex", lp->port.ifindex);

	if (!obj)
		return NULL;
	add_iface_counters(obj, m, br->lab.host.cookie, &lp->port);
	json_object_set_new(obj, "peer", json_string(lp->peer.name));
	json_object_set_new(obj, "peer_namespace",
			    lp->netns ? json_string(lp->netns->name) : json_null());
	add_place(obj, &br->places.sum[i], true);
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

static json_t *bridge_json(const struct stats_model *m, const struct stats_bridge *br)
{
	const struct lab *lab = &br->lab;
	json_t *ports = json_array(), *local = json_object();

	for (size_t i = 0; ports && i < lab->nports; i++)
		if (br->shown[i])
			json_array_append_new(ports, port_json(m, br, i));
	if (local) {
		add_iface_counters(local, m, lab->host.cookie, &lab->bridge);
		add_place(local, &br->places.sum[lab->nports], false);
	}
	return json_pack("{s:s, s:i, s:o, s:o, s:o}", "name", lab->bridge.name,
			 "ifindex", lab->bridge.ifindex, "ports", ports, "local", local,
			 "matrix", matrix_json(br));
}

json_t *stats_model_json(const struct stats_model *m)
{
	json_t *namespaces = json_array(), *bridges = json_array();

	/* Bridges first: the namespaces' interfaces share their ports' counters. */
	for (size_t i = 0; bridges && i < m->nbridges; i++)
		json_array_append_new(bridges, bridge_json(m, &m->bridges[i]));
	for (size_t i = 0; bridges && namespaces && i < m->nnetns; i++)
		json_array_append_new(namespaces, netns_json(m, &m->netns[i], bridges));
	return json_pack("{s:o, s:o, s:I}", "namespaces", namespaces, "bridges", bridges,
			 "bridge_flows_uncounted", (json_int_t)m->flows_uncounted);
}

int stats_model_build(const char *bridge, const char *only_netns, size_t matrix_max_places,
		      json_t **doc)
{
	struct stats_model *m;
	int err;

	err = stats_model_read(bridge, only_netns, matrix_max_places, &m);
	if (err)
		return err;
	*doc = stats_model_json(m);
	stats_model_free(m);
	if (!*doc) {
		pr_warn("cannot build the counters document: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	return 0;
}

int stats_model_build_quiet(const char *bridge, size_t matrix_max_places, json_t **doc)
{
	bool was_quiet = log_quiet(true);
	int err = stats_model_build(bridge, NULL, matrix_max_places, doc);

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
