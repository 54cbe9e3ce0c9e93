// SPDX-License-Identifier: GPL-2.0
/*
 * The counters model behind `nsmon stats`, `nsmon watch`, `nsmon events
 * --counters` and `nsmon export`: the maps and the labs read once per call,
 * so every view of the counters prints the same numbers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datapath/counters.h"
#include "util/grow.h"
#include "lab/lab.h"
#include "lab/ledger.h"
#include "util/log.h"
#include "model/stats_model.h"

struct report {
	const struct lab_scope *scope;	/* the labs; never NULL here */
	size_t matrix_places;		/* a bridge of more places leaves its matrix out */
	const struct counters_maps *maps;
	struct counters_snapshot *snap;
	struct nl_sock *nl;
	struct stats_model *m;
	size_t cap;			/* of m->bridges */
	/* Each shown port's peer: the model's namespace it is in, in bridge and port order. */
	size_t *peer_netns;
	size_t npeers;
	size_t gone;			/* monitored labs left out: their bridge is gone */
	int err;
};

static void report_error(struct report *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record @err and say what failed (log_quiet() silences it for stats_model_read_quiet()). */
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

/*
 * A bridge_flows_foreach() callback: the flow into the places of the bridge
 * it is one of. Summed as they come rather than kept: 65,536 flows are 2 MB
 * that cost more to fault in than to read.
 */
static int count_flow(const struct bridge_flow *f, void *data)
{
	struct stats_model *m = data;
	int err = 0;

	for (size_t i = 0; !err && i < m->nbridges; i++)
		err = places_add(&m->bridges[i].places, f);
	return err;
}

/* A bridge_drops_pending_foreach() callback: the drop into its place, on its bridge. */
static int count_pending_drop(const struct bridge_flow *f, void *data)
{
	struct stats_model *m = data;

	for (size_t i = 0; i < m->nbridges; i++)
		places_add_pending_drop(&m->bridges[i].places, f);
	return 0;
}

/*
 * What each bridge did with its places' frames: the sums the programs kept,
 * and the flows only where a place has none or the matrix is shown (500
 * ports flooding each other fill bridge_flows' 65,536: reading them was
 * most of what a `stats` took).
 * Every bridge is in our namespace: its flows are counted under the cookie
 * of any. Return 0 or -errno.
 */
static int sum_places(struct stats_model *m, const struct counters_maps *maps,
		      const struct counters_snapshot *snap)
{
	__u64 cookie = m->bridges[0].lab.host.cookie;
	bool need_flows = false;
	int err;

	for (size_t i = 0; i < m->nbridges; i++) {
		struct stats_bridge *br = &m->bridges[i];

		/* A bridge without ports has no pair to show. */
		if (!places_take_sums(&br->places, &br->lab, snap, cookie) ||
		    (br->matrix_shown && br->lab.nports))
			need_flows = true;
	}
	err = need_flows ? bridge_flows_foreach(maps, cookie, count_flow, m) : 0;
	return err ? err : bridge_drops_pending_foreach(maps, cookie, count_pending_drop, m);
}

/* A monitored bridge and its ports; their peers come later (find_peers()). */
static int find_ports(const char *bridge, void *data)
{
	struct report *r = data;
	struct stats_model *m = r->m;
	struct stats_bridge *br;
	struct link_info gone;
	int err;

	/* A lab whose bridge was deleted by hand: the others are still worth showing. */
	if (link_get(r->nl, bridge, &gone) == -ENODEV) {
		if (lab_scope_names_bridges(r->scope))
			report_error(r, -ENODEV, "bridge \"%s\" of a monitored lab is gone (nsmon down --bridge %s removes what is left)",
				     bridge, bridge);
		else
			pr_warn("bridge \"%s\" of a monitored lab is gone, left out (nsmon down --bridge %s removes what is left)",
				bridge, bridge);
		r->gone++;
		return 0;
	}
	br = grow(m->bridges, m->nbridges, &r->cap, sizeof(*br), 4);
	if (!br) {
		report_error(r, -ENOMEM, "cannot discover the ports of bridge \"%s\": %s", bridge,
			     strerror(ENOMEM));
		return 0;
	}
	m->bridges = br;
	br = &m->bridges[m->nbridges];
	memset(br, 0, sizeof(*br));
	err = lab_discover_ports(r->nl, bridge, true, &br->lab);
	if (err) {
		r->err = err;	/* said already; report the other labs all the same */
		return 0;
	}
	/* Places are the ports and the bridge device. */
	br->matrix_shown = br->lab.nports + 1 <= r->matrix_places;
	err = places_init(&br->places, &br->lab, br->matrix_shown);
	if (err) {
		report_error(r, err, "cannot discover the ports of bridge \"%s\": %s", bridge,
			     strerror(-err));
		places_free(&br->places);
		lab_free(&br->lab);
		return 0;
	}
	m->nbridges++;
	return 0;
}

/* A bridge of the scope: one it names must be monitored (its counters are nsmon's). */
static int find_bridge(const char *bridge, void *data)
{
	struct report *r = data;
	struct ledger *lg;
	int err;

	if (lab_scope_names_bridges(r->scope)) {
		err = ledger_open(bridge, &lg);
		if (err) {
			report_error(r, err, "bridge \"%s\" is not monitored: %s", bridge,
				     strerror(-err));
			return 0;
		}
		ledger_close(lg);
	}
	return find_ports(bridge, r);
}

/* Each bridge's peers; a bridge whose peers cannot be found is left out (said already). */
static void find_peers(struct report *r)
{
	for (size_t i = 0; i < r->m->nbridges; i++) {
		struct stats_bridge *br = &r->m->bridges[i];
		int err = lab_discover_peers(r->nl, &br->lab);

		if (err)
			r->err = err;
	}
}

/* The namespace's entry, added on first sight: several bridges may reach one namespace. */
static size_t netns_entry(struct stats_model *m, const struct lab_netns *ns)
{
	for (size_t i = 0; i < m->nnetns; i++)
		if (m->netns[i].ns->inode == ns->inode)
			return i;
	m->netns[m->nnetns] = (struct stats_netns){ .ns = ns };
	return m->nnetns++;
}

/* Which ports are shown, the namespaces of their peers, the matrix. */
static int shape_bridge(struct report *r, size_t b)
{
	struct stats_model *m = r->m;
	struct stats_bridge *br = &m->bridges[b];
	const struct lab *lab = &br->lab;

	br->shown = calloc(lab->nports ?: 1, sizeof(*br->shown));
	if (!br->shown)
		return -ENOMEM;
	for (size_t i = 0; i < lab->nports; i++) {
		const struct lab_port *lp = &lab->ports[i];
		size_t ns;

		br->shown[i] = lab_scope_wants_port(r->scope, lp);
		if (!br->shown[i])
			continue;
		br->n++;
		if (!lp->netns || !lp->peer.ifindex)
			continue;
		ns = netns_entry(m, lp->netns);
		m->netns[ns].n++;
		r->peer_netns[r->npeers++] = ns;
	}
	br->n++;	/* the bridge device */
	if (br->matrix_shown)
		br->npairs = places_matrix(&br->places,
					   lab_scope_names_netns(r->scope) ? br->shown : NULL,
					   &br->pairs);
	return 0;
}

/*
 * @dev's kernel counters beside nsmon's @tc (as the interface saw them: rx,
 * tx) into *@k. Return: false when the kernel's counters of @dev were not read.
 */
static bool read_kernel(const struct lab_iface *dev, const struct nsmon_counters tc[NSMON_DIR_MAX],
			struct stats_kernel *k)
{
	const struct link_stats *ks = &dev->kernel;

	memset(k, 0, sizeof(*k));
	if (!dev->has_kernel)
		return false;
	k->packets[NSMON_DIR_RX] = ks->rx_packets;
	k->bytes[NSMON_DIR_RX] = ks->rx_bytes;
	k->dropped[NSMON_DIR_RX] = ks->rx_dropped;
	k->packets[NSMON_DIR_TX] = ks->tx_packets;
	k->bytes[NSMON_DIR_TX] = ks->tx_bytes;
	k->dropped[NSMON_DIR_TX] = ks->tx_dropped;
	/*
	 * The kernel counts skbs on a veth and a bridge: nsmon's SKBS. Ahead of
	 * the kernel is no frame unseen: a port's egress hook counts a frame
	 * before the veth does, and one the veth then drops is in tx_dropped.
	 */
	for (int dir = 0; dir < NSMON_DIR_MAX; dir++)
		if (k->packets[dir] > tc[dir].stat[NSMON_STAT_SKBS])
			k->unseen[dir] = k->packets[dir] - tc[dir].stat[NSMON_STAT_SKBS];
	return true;
}

/*
 * @e: the interface @dev, in @where (@netns_cookie), counted at @ifindex of
 * @cookie: itself, or with @peer_of_port the port that counts the veth end @dev.
 */
static void read_iface(const struct counters_snapshot *snap, struct stats_iface *e,
		       const char *where, __u64 netns_cookie, const struct lab_iface *dev,
		       __u64 cookie, int ifindex, bool peer_of_port)
{
	e->where = where;
	e->name = dev->name;
	e->ifindex = dev->ifindex;
	e->netns_cookie = netns_cookie;
	for (int dir = 0; dir < NSMON_DIR_MAX; dir++)
		counters_read(snap, cookie, ifindex, peer_of_port ? NSMON_DIR_MAX - 1 - dir : dir,
			      NSMON_HOOK_TC, &e->tc[dir]);
	e->has_xdp = counters_exist(snap, netns_cookie, dev->ifindex, NSMON_HOOK_XDP);
	if (e->has_xdp)
		counters_read(snap, netns_cookie, dev->ifindex, NSMON_DIR_RX, NSMON_HOOK_XDP,
			      &e->xdp_rx);
	e->has_kernel = read_kernel(dev, e->tc, &e->kernel);
}

/* Interface @at of @m: what it is to bridge @b, and where it is counted. */
static struct stats_iface *place_iface(struct stats_model *m, size_t at, size_t b, size_t place,
				       size_t counted_at)
{
	struct stats_iface *e = &m->ifaces[at];

	e->bridge = b;
	e->place = place;
	e->counted_at = counted_at;
	return e;
}

/*
 * Every interface, in the model's one order (struct stats_model): each
 * namespace's place found first (they take the peers in bridge and port
 * order, as shape_bridge() counted them), then every bridge's, filled port
 * by port with the peer it counts.
 */
static int read_ifaces(struct report *r, const struct counters_snapshot *snap)
{
	struct stats_model *m = r->m;
	size_t at = 0, peer = 0;

	for (size_t i = 0; i < m->nnetns; i++) {
		m->netns[i].first = at;
		at += m->netns[i].n;
		m->netns[i].n = 0;	/* counted again as they are filled */
	}
	for (size_t b = 0; b < m->nbridges; b++) {
		m->bridges[b].first = at;
		at += m->bridges[b].n;
	}
	m->ifaces = calloc(at ?: 1, sizeof(*m->ifaces));
	if (!m->ifaces)
		return -ENOMEM;
	m->nifaces = at;
	for (size_t b = 0; b < m->nbridges; b++) {
		const struct stats_bridge *br = &m->bridges[b];
		const struct lab *lab = &br->lab;
		__u64 host = lab->host.cookie;

		at = br->first;
		for (size_t i = 0; i < lab->nports; i++) {
			const struct lab_port *lp = &lab->ports[i];
			struct stats_netns *ns;
			struct stats_iface *e;

			if (!br->shown[i])
				continue;
			e = place_iface(m, at, b, i, at);
			read_iface(snap, e, NETNS_HOST, host, &lp->port, host, lp->port.ifindex,
				   false);
			if (lp->netns && lp->peer.ifindex) {
				ns = &m->netns[r->peer_netns[peer++]];
				e = place_iface(m, ns->first + ns->n++, b, i, at);
				read_iface(snap, e, ns->ns->name, ns->ns->cookie, &lp->peer, host,
					   lp->port.ifindex, true);
			}
			at++;
		}
		read_iface(snap, place_iface(m, at, b, lab->nports, at),
			   NETNS_HOST, host, &lab->bridge, host, lab->bridge.ifindex, false);
	}
	return 0;
}

/* Each namespace -n names is one of the labs': a name that is not is a mistake to say. */
static void check_netns(struct report *r)
{
	const struct stats_model *m = r->m;

	for (size_t i = 0; !r->err && i < r->scope->nnetns; i++) {
		const char *name = r->scope->netns[i];
		bool found = false;

		for (size_t j = 0; !found && j < m->nnetns; j++)
			found = !strcmp(m->netns[j].ns->name, name);
		if (!found)
			report_error(r, -ENOENT, "namespace \"%s\" is not monitored%s", name,
				     lab_scope_names_bridges(r->scope) ? " in the labs --bridge names" :
									 "");
	}
}

/* The bridges' ports, then the maps, then the ports' peers: the model from all three. */
static void read_all(struct report *r)
{
	struct stats_model *m = r->m;
	size_t nports = 0, kept = 0;
	int err, flows_err = 0;

	r->nl = nl_open();
	if (!r->nl) {
		err = -errno;
		report_error(r, err, "cannot open rtnetlink: %s", strerror(-err));
		return;
	}
	lab_scope_foreach_bridge(r->scope, find_bridge, r);
	if (r->gone && !m->nbridges && !r->err) {
		r->err = -ENODEV;	/* nothing left to show: the lines above said why */
		return;
	}
	err = counters_snapshot(r->maps, &r->snap);
	if (err) {
		report_error(r, err, "cannot read the counters: %s", strerror(-err));
		return;
	}
	if (m->nbridges)
		flows_err = sum_places(m, r->maps, r->snap);
	err = bridge_flows_uncounted(r->maps, &m->flows_uncounted);
	if (err) {
		report_error(r, err, "cannot read the bridge state: %s", strerror(-err));
		return;
	}
	find_peers(r);

	/* Leave out the bridges whose peers were not found (lab freed). */
	for (size_t i = 0; i < m->nbridges; i++) {
		if (!m->bridges[i].lab.bridge.ifindex) {
			places_free(&m->bridges[i].places);
			continue;
		}
		m->bridges[kept++] = m->bridges[i];
		nports += m->bridges[i].lab.nports;
	}
	m->nbridges = kept;
	for (size_t i = 0; flows_err && i < m->nbridges; i++)
		report_error(r, flows_err, "cannot read the forwarding counters of %s: %s",
			     m->bridges[i].lab.bridge.name, strerror(-flows_err));
	m->netns = calloc(nports ?: 1, sizeof(*m->netns));
	r->peer_netns = calloc(nports ?: 1, sizeof(*r->peer_netns));
	if (!m->netns || !r->peer_netns) {
		report_error(r, -ENOMEM, "cannot read the counters: %s", strerror(ENOMEM));
		return;
	}
	for (size_t i = 0; i < m->nbridges; i++) {
		err = shape_bridge(r, i);
		if (err)
			report_error(r, err, "cannot read the counters: %s", strerror(-err));
	}
	check_netns(r);
	err = r->err ? 0 : read_ifaces(r, r->snap);
	if (err)
		report_error(r, err, "cannot read the counters: %s", strerror(-err));
}

int stats_model_read(const struct lab_scope *scope, size_t matrix_places,
		     struct stats_model **out)
{
	static const struct lab_scope every_lab;
	struct report r = { .scope = scope ? scope : &every_lab, .matrix_places = matrix_places };
	struct counters_maps maps;
	int err;

	err = counters_open(&maps);
	if (err) {
		if (err == -ENOENT)
			report_error(&r, err, "nothing is monitored: run nsmon up or nsmon attach first");
		else
			report_error(&r, err, "cannot open %s: %s", NSMON_COUNTERS_PIN, strerror(-err));
		return r.err;
	}
	r.maps = &maps;
	r.m = calloc(1, sizeof(*r.m));
	if (r.m)
		read_all(&r);
	else
		report_error(&r, -ENOMEM, "cannot read the counters: %s", strerror(ENOMEM));
	counters_close(&maps);
	counters_snapshot_free(r.snap);
	free(r.peer_netns);
	nl_close(r.nl);
	if (r.err) {
		stats_model_free(r.m);
		return r.err;
	}
	*out = r.m;
	return 0;
}

int stats_model_read_quiet(const struct lab_scope *scope, size_t matrix_places,
			   struct stats_model **out)
{
	bool was_quiet = log_quiet(true);
	int err = stats_model_read(scope, matrix_places, out);

	log_quiet(was_quiet);
	return err;
}

void stats_model_free(struct stats_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nbridges; i++) {
		lab_free(&m->bridges[i].lab);
		places_free(&m->bridges[i].places);
		free(m->bridges[i].shown);
	}
	free(m->bridges);
	free(m->netns);
	free(m->ifaces);
	free(m);
}

const char *stats_model_place_name(const struct lab *lab, size_t place)
{
	return place == lab->nports ? "local" : lab->ports[place].port.name;
}
