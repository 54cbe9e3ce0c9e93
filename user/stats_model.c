// SPDX-License-Identifier: GPL-2.0
/*
 * The counters model behind `nsmon stats` and `nsmon watch`: one JSON
 * document per call, so every view of the counters prints the same numbers.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "counters.h"
#include "lab.h"
#include "ledger.h"
#include "log.h"
#include "stats_model.h"

struct report {
	int map_fd;
	const char *only_netns;		/* -n NS, or NULL */
	struct nl_sock *nl;
	json_t *namespaces;		/* [{"name", "inode", "interfaces": [...]}] */
	json_t *bridges;
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

static json_t *direction_json(int map_fd, __u64 cookie, int ifindex, int dir, int hook)
{
	struct nsmon_counters sum;

	/* -ENOENT: nothing counted there yet, which is zeros. */
	counters_read(map_fd, cookie, ifindex, dir, hook, &sum);
	return counters_json(&sum);
}

/* "rx" and "tx" (plus "xdp": {"rx"} where XDP counts) of one interface, into @obj. */
static json_t *add_counters(json_t *obj, int map_fd, __u64 cookie, int ifindex)
{
	json_object_set_new(obj, "rx", direction_json(map_fd, cookie, ifindex, NSMON_DIR_RX, NSMON_HOOK_TC));
	json_object_set_new(obj, "tx", direction_json(map_fd, cookie, ifindex, NSMON_DIR_TX, NSMON_HOOK_TC));
	if (counters_exist(map_fd, cookie, ifindex, NSMON_HOOK_XDP))
		json_object_set_new(obj, "xdp", json_pack("{s:o}", "rx",
			direction_json(map_fd, cookie, ifindex, NSMON_DIR_RX, NSMON_HOOK_XDP)));
	return obj;
}

static json_t *iface_json(int map_fd, __u64 cookie, const struct lab_iface *ifc)
{
	return add_counters(json_pack("{s:s, s:i}", "name", ifc->name, "ifindex", ifc->ifindex),
			    map_fd, cookie, ifc->ifindex);
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

static int report_bridge(const char *bridge, void *data)
{
	struct report *r = data;
	json_t *ports, *br;
	struct lab lab;
	int err;

	err = lab_discover(r->nl, bridge, &lab);
	if (err) {
		r->err = err;
		return 0;	/* report the other labs all the same */
	}
	ports = json_array();
	for (size_t i = 0; i < lab.nports; i++) {
		const struct lab_port *lp = &lab.ports[i];
		json_t *port;

		if (!wanted(r, lp))
			continue;
		port = iface_json(r->map_fd, lab.host.cookie, &lp->port);
		json_object_set_new(port, "peer", json_string(lp->peer.name));
		json_object_set_new(port, "peer_namespace",
				    lp->netns ? json_string(lp->netns->name) : json_null());
		json_array_append_new(ports, port);
		if (lp->netns && lp->peer.ifindex)
			json_array_append_new(json_object_get(namespace_entry(r, lp->netns), "interfaces"),
					      iface_json(r->map_fd, lp->netns->cookie, &lp->peer));
	}
	br = json_pack("{s:s, s:i, s:o}", "name", lab.bridge.name, "ifindex", lab.bridge.ifindex,
		       "ports", ports);
	json_object_set_new(br, "local", add_counters(json_object(), r->map_fd, lab.host.cookie,
						      lab.bridge.ifindex));
	json_array_append_new(r->bridges, br);
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
	r->map_fd = counters_open();
	if (r->map_fd < 0) {
		if (r->map_fd == -ENOENT)
			report_error(r, r->map_fd, "nothing is monitored: run nsmon up or nsmon attach first");
		else
			report_error(r, r->map_fd, "cannot open %s: %s", NSMON_COUNTERS_PIN,
				     strerror(-r->map_fd));
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
		*doc = json_pack("{s:o, s:o}", "namespaces", r->namespaces, "bridges", r->bridges);
	} else {
		json_decref(r->namespaces);
		json_decref(r->bridges);
	}
	nl_close(r->nl);
	close(r->map_fd);
	return r->err;
}

int stats_model_build(const char *bridge, const char *only_netns, json_t **doc)
{
	struct report r = { .only_netns = only_netns };

	return build(&r, bridge, doc);
}

int stats_model_build_quiet(const char *bridge, json_t **doc)
{
	struct report r = {};
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
