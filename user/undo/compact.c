// SPDX-License-Identifier: GPL-2.0
/*
 * Forgetting what is gone from the kernel (undo_compact()) and removing a
 * lab by name when its ledger is lost (undo_by_name()): see undo.h.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datapath/counters.h"
#include "datapath/datapath.h"
#include "lab/lab.h"
#include "lab/link.h"
#include "lab/netns.h"
#include "undo/undo.h"
#include "util/log.h"

/* Does the namespace named @name exist (with @cookie, unless 0)? */
static bool netns_alive(const char *name, __u64 cookie)
{
	__u64 now;
	int fd = netns_open(name);
	bool alive;

	if (fd < 0)
		return fd != -ENOENT;	/* cannot tell: keep it */
	alive = !cookie || netns_cookie(fd, &now) || now == cookie;
	close(fd);
	return alive;
}

/* Is the device @ifindex of the namespace the ledger calls @netns still there? */
static bool device_alive(const struct link_list *l, const char *netns, int ifindex)
{
	return ledger_netns_ours(netns) ? link_list_find(l, ifindex) != NULL : netns_alive(netns, 0);
}

static bool gone(const struct ledger_obj *o, void *data)
{
	const struct link_list *l = data;
	const struct ledger_rec *r = &o->rec;
	const struct link_info *info;
	__u64 inode, cookie;
	bool same;
	int fd;

	if (o->pending)
		return false;	/* undo_recover()'s */
	switch (r->kind) {
	case LEDGER_NETNS:
		fd = netns_open(r->netns.name);
		if (fd < 0)
			return fd == -ENOENT;
		same = !netns_inode(fd, &inode) && !netns_cookie(fd, &cookie) &&
		       inode == r->netns.inode && cookie == r->netns.cookie;
		close(fd);
		return !same;
	case LEDGER_LINK:
		info = link_list_find(l, r->link.ifindex);
		return !info || strcmp(info->name, r->link.name);
	case LEDGER_PIN:
		return datapath_pin_defunct(r->pin.path);
	case LEDGER_QDISC:
		return !device_alive(l, r->qdisc.netns, r->qdisc.ifindex);
	case LEDGER_FILTER:
		return !device_alive(l, r->filter.netns, r->filter.ifindex);
	case LEDGER_KEYS:
		if (*r->keys.netns)
			return !netns_alive(r->keys.netns, r->keys.cookie);
		return !link_list_find(l, r->keys.ifindex);
	default:
		return false;
	}
}

/*
 * Of what is gone, a pin (a file attached to nothing) and counters are left
 * to clear; the rest went with the kernel's objects.
 */
static bool gone_and_left_behind(const struct ledger_obj *o, void *data)
{
	return (o->rec.kind == LEDGER_PIN || o->rec.kind == LEDGER_KEYS) && gone(o, data);
}

int undo_compact(struct ledger *lg)
{
	struct link_list l = {};
	const struct ledger_obj *objs;
	struct nl_sock *nl = nl_open();
	size_t n;
	int err;

	if (!nl)
		return -errno;
	err = link_list_read(nl, &l);
	nl_close(nl);
	if (!err)
		err = undo_objects(lg, gone_and_left_behind, &l);
	/* What failed to clear stays; what needed nothing is forgotten now. */
	objs = ledger_objects(lg, &n);
	for (size_t i = n; !err && i-- > 0;)
		if (objs[i].rec.kind != LEDGER_PIN && objs[i].rec.kind != LEDGER_KEYS &&
		    gone(&objs[i], &l))
			ledger_forget(lg, i);
	link_list_free(&l);
	return err;
}

/* ---- down --force ---------------------------------------------------------- */

static void forget_counters(struct counters_maps *m, bool maps, __u64 cookie, int ifindex)
{
	if (!maps)
		return;
	counters_forget(m, cookie, ifindex);
	bridge_flows_forget(m, cookie, ifindex);
}

/* Unpin every link under /sys/fs/bpf/nsmon/BRIDGE: only nsmon pins there. */
static int unpin_all(const char *bridge)
{
	char dir[PATH_MAX], path[PATH_MAX + NAME_MAX + 2];
	struct dirent *e;
	int err = 0, ret;
	DIR *d;

	datapath_pin_path(dir, sizeof(dir), bridge, NULL, NULL, NULL);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		ret = datapath_unpin(path);
		err = err ?: ret;
	}
	closedir(d);
	return err;
}

/* A port that `up` would have made: veth-NS-br whose peer veth-NS lives in the namespace NS. */
static bool made_by_up(const struct lab_port *lp)
{
	char want[NAME_MAX + 16];

	if (!lp->netns || !lp->peer.ifindex)
		return false;
	snprintf(want, sizeof(want), "veth-%s-br", lp->netns->name);
	return !strcmp(lp->port.name, want) && !strncmp(lp->peer.name, "veth-", 5) &&
	       !strcmp(lp->peer.name + 5, lp->netns->name);
}

int undo_by_name(const char *bridge)
{
	struct counters_maps m;
	struct link_info br;
	struct nl_sock *nl;
	struct lab lab;
	bool maps;
	int err, ret = 0;

	ret = unpin_all(bridge);
	nl = nl_open();
	if (!nl)
		return -errno;
	if (link_get(nl, bridge, &br) || strcmp(br.kind, "bridge")) {
		nl_close(nl);
		return ret;	/* no bridge of that name: the pins were all there was */
	}
	err = lab_discover(nl, bridge, &lab);
	if (err) {
		nl_close(nl);
		return err;
	}
	maps = !counters_open(&m);
	forget_counters(&m, maps, lab.host.cookie, lab.bridge.ifindex);
	for (size_t i = 0; i < lab.nports; i++) {
		const struct lab_port *lp = &lab.ports[i];

		forget_counters(&m, maps, lab.host.cookie, lp->port.ifindex);
		if (lp->netns && lp->peer.ifindex)
			forget_counters(&m, maps, lp->netns->cookie, lp->peer.ifindex);
		if (!made_by_up(lp))
			continue;
		err = netns_del(lp->netns->name);
		if (!err || err == -ENOENT)
			err = link_del(nl, lp->port.ifindex);
		if (err && err != -ENODEV && err != -ENOENT) {
			pr_warn("cannot remove namespace \"%s\" and its veth: %s", lp->netns->name,
				strerror(-err));
			ret = ret ?: err;
		}
	}
	err = link_del(nl, lab.bridge.ifindex);
	if (err && err != -ENODEV) {
		pr_warn("cannot delete bridge \"%s\": %s", bridge, nl_strerror(nl, err));
		ret = ret ?: err;
	}
	bridge_flows_forget_done();
	if (maps)
		counters_close(&m);
	lab_free(&lab);
	nl_close(nl);
	return ret;
}
