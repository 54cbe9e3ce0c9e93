// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon stats: the counters of every monitored lab, as a table for people or
 * as one JSON document (the contract in README.md). Both are printed from
 * the same JSON model, so they cannot disagree.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "cli.h"
#include "counters.h"
#include "lab.h"
#include "ledger.h"
#include "log.h"

struct report {
	int map_fd;
	const char *only_netns;		/* -n NS, or NULL */
	struct nl_sock *nl;
	json_t *namespaces;		/* [{"name", "inode", "interfaces": [...]}] */
	json_t *bridges;
	int err;
};

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

static void print_iface(const char *where, const json_t *ifc, const char *name)
{
	const json_t *xdp = json_object_get(ifc, "xdp");

	print_row(where, name, "rx", json_object_get(ifc, "rx"));
	print_row(where, name, "tx", json_object_get(ifc, "tx"));
	if (xdp)
		print_row(where, name, "xdp-rx", json_object_get(xdp, "rx"));
}

static void print_table(const json_t *doc)
{
	const json_t *ns, *ifc, *br, *port;
	size_t i, j;

	printf("%-10s %-15s %-6s", "NETNS", "INTERFACE", "DIR");
	for (i = 0; i < NCOLUMNS; i++)
		printf(" %*s", columns[i].width, columns[i].header);
	putchar('\n');
	json_array_foreach(json_object_get(doc, "namespaces"), i, ns)
		json_array_foreach(json_object_get(ns, "interfaces"), j, ifc)
			print_iface(json_string_value(json_object_get(ns, "name")), ifc,
				    json_string_value(json_object_get(ifc, "name")));
	/* Bridge ports live in our (the host's) namespace; the bridge's own device last. */
	json_array_foreach(json_object_get(doc, "bridges"), i, br) {
		json_array_foreach(json_object_get(br, "ports"), j, port)
			print_iface("host", port, json_string_value(json_object_get(port, "name")));
		print_iface("host", json_object_get(br, "local"),
			    json_string_value(json_object_get(br, "name")));
	}
}

int cmd_stats(int argc, char **argv)
{
	struct report r = { .map_fd = -1 };
	const char *bridge = NULL;
	bool json = false;
	const struct cli_opt opts[] = {
		{ "--json", NULL, &json },
		{ "-j", NULL, &json },
		{ "-n", &r.only_netns, NULL },
		{ "--netns", &r.only_netns, NULL },
		{ "--bridge", &bridge, NULL },
		{ NULL },
	};
	struct ledger *lg;
	json_t *doc = NULL;
	int first, ret;

	ret = cli_parse(argc, argv, opts, 0, &first);
	if (ret)
		return ret;

	r.map_fd = counters_open();
	if (r.map_fd < 0) {
		if (r.map_fd == -ENOENT)
			pr_warn("nothing is monitored: run nsmon up or nsmon attach first");
		else
			pr_warn("cannot open %s: %s", NSMON_COUNTERS_PIN, strerror(-r.map_fd));
		return cli_exit_code(r.map_fd);
	}
	r.nl = nl_open();
	r.namespaces = json_array();
	r.bridges = json_array();
	if (!r.nl) {
		r.err = -errno;
		pr_warn("cannot open rtnetlink: %s", strerror(-r.err));
	} else if (bridge) {
		r.err = ledger_open(bridge, &lg);
		if (r.err)
			pr_warn("bridge \"%s\" is not monitored: %s", bridge, strerror(-r.err));
		else
			report_bridge(bridge, &r);
		ledger_close(r.err ? NULL : lg);
	} else {
		ledger_foreach_bridge(report_bridge, &r);
	}
	if (!r.err && r.only_netns && !json_array_size(r.namespaces)) {
		pr_warn("namespace \"%s\" is not monitored", r.only_netns);
		r.err = -ENOENT;
	}
	if (!r.err) {
		doc = json_pack("{s:O, s:O}", "namespaces", r.namespaces, "bridges", r.bridges);
		if (json) {
			json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			putchar('\n');
		} else {
			print_table(doc);
		}
	}
	json_decref(doc);
	json_decref(r.namespaces);
	json_decref(r.bridges);
	nl_close(r.nl);
	close(r.map_fd);
	return cli_exit_code(r.err);
}
