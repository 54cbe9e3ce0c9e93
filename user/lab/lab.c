// SPDX-License-Identifier: GPL-2.0
/*
 * Discovering a lab from its bridge: see lab.h. Every step asks the kernel
 * about all ports or all namespaces at once (a dump, or requests many to a
 * datagram): with 500 namespaces a round trip each was most of a `stats`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/grow.h"
#include "lab/lab.h"
#include "lab/link.h"
#include "util/log.h"
#include "lab/netns.h"

/* A named namespace as seen from ours: the nsid we give it names its veth peers. */
struct candidate {
	char *name;
	int fd;
	__u64 inode;
	int nsid;			/* -1: none assigned, so no link of ours points there */
	struct lab_netns *adopted;	/* its entry in lab->netns, once a port peers into it */
};

struct discovery {
	struct nl_sock *nl;
	struct lab *lab;
	struct candidate *cands;
	size_t ncands, cap;
	struct candidate **by_nsid;	/* the candidates that have an nsid, in nsid order */
	size_t nby_nsid;
};

/* Open every named namespace; their nsids are asked for all at once afterwards. */
static int add_candidate(const char *name, void *data)
{
	struct discovery *d = data;
	struct candidate *c, *cands;
	int fd;

	fd = netns_open(name);
	if (fd < 0)
		return 0;	/* deleted while we looked, or not a namespace */
	cands = grow(d->cands, d->ncands, &d->cap, sizeof(*cands), 64);
	if (!cands) {
		close(fd);
		return -ENOMEM;
	}
	d->cands = cands;
	c = &d->cands[d->ncands];
	memset(c, 0, sizeof(*c));
	c->name = strdup(name);
	if (!c->name) {
		close(fd);
		return -ENOMEM;
	}
	c->fd = fd;
	c->nsid = -1;
	netns_inode(fd, &c->inode);
	d->ncands++;
	return 0;
}

static int by_nsid(const void *a, const void *b)
{
	const struct candidate *x = *(struct candidate *const *)a, *y = *(struct candidate *const *)b;

	if (x->nsid != y->nsid)
		return x->nsid < y->nsid ? -1 : 1;
	return x < y ? -1 : x > y;	/* one namespace under two names: the first name */
}

/* Every candidate's nsid, asked in a few datagrams, and the candidates in nsid order. */
static int number_candidates(struct discovery *d)
{
	int *fds = calloc(d->ncands, sizeof(*fds)), *nsids = calloc(d->ncands, sizeof(*nsids));
	int err = -ENOMEM;

	d->by_nsid = calloc(d->ncands, sizeof(*d->by_nsid));
	if (!fds || !nsids || !d->by_nsid)
		goto out;
	for (size_t i = 0; i < d->ncands; i++)
		fds[i] = d->cands[i].fd;
	err = netnsid_of_many(d->nl, fds, d->ncands, nsids);
	for (size_t i = 0; !err && i < d->ncands; i++) {
		struct candidate *c = &d->cands[i];

		/* Our own namespace under a name is not a peer's home. */
		if (nsids[i] < 0 || c->inode == d->lab->host.inode)
			continue;
		c->nsid = nsids[i];
		d->by_nsid[d->nby_nsid++] = c;
	}
	qsort(d->by_nsid, d->nby_nsid, sizeof(*d->by_nsid), by_nsid);
out:
	free(fds);
	free(nsids);
	return err;
}

static struct candidate *candidate_by_nsid(const struct discovery *d, int nsid)
{
	size_t lo = 0, hi = d->nby_nsid;

	/* The first of equal nsids, as by_nsid() orders them. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->by_nsid[mid]->nsid < nsid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->nby_nsid && d->by_nsid[lo]->nsid == nsid ? d->by_nsid[lo] : NULL;
}

/*
 * Move a candidate into lab->netns (once), so the lab owns its fd. lab->netns
 * has room for every candidate, so the pointers ports keep stay valid.
 */
static int adopt(struct discovery *d, struct candidate *c, struct lab_netns **out)
{
	struct lab *lab = d->lab;
	struct lab_netns *ns = &lab->netns[lab->nnetns];
	int err;

	if (c->adopted) {
		*out = c->adopted;
		return 0;
	}
	err = netns_cookie(c->fd, &ns->cookie);
	if (err)
		return err;
	snprintf(ns->name, sizeof(ns->name), "%s", c->name);
	ns->fd = c->fd;
	ns->inode = c->inode;
	c->fd = -1;
	c->adopted = ns;
	lab->nnetns++;
	*out = ns;
	return 0;
}

/*
 * Where to ask for @lp's veth peer: in our namespace (nsid -1) or by the
 * nsid of a named one, found in *@home. Return: false when there is nothing
 * to ask: no peer, or one in a namespace without a name.
 */
static bool peer_ref(const struct discovery *d, struct lab_port *lp, struct link_ref *ref,
		     struct candidate **home)
{
	*home = NULL;
	if (!lp->link_peer)
		return false;
	ref->ifindex = lp->link_peer;
	ref->nsid = lp->link_netnsid;
	if (lp->link_netnsid < 0)
		return true;
	*home = candidate_by_nsid(d, lp->link_netnsid);
	lp->peer_unnamed = !*home;
	return *home;
}

/* The peers, asked for from here (by nsid: no socket inside each namespace), all at once. */
struct peer_query {
	struct link_ref *refs;
	struct candidate **homes;
	size_t *port;			/* the lab port each ref is for */
	struct link_info *peers;
	int *errs;
	size_t n;
};

static void peer_query_free(struct peer_query *q)
{
	free(q->refs);
	free(q->homes);
	free(q->port);
	free(q->peers);
	free(q->errs);
}

static int resolve_peers(struct discovery *d)
{
	struct lab *lab = d->lab;
	size_t n = lab->nports ?: 1;
	struct peer_query q = {
		.refs = calloc(n, sizeof(*q.refs)), .homes = calloc(n, sizeof(*q.homes)),
		.port = calloc(n, sizeof(*q.port)), .peers = calloc(n, sizeof(*q.peers)),
		.errs = calloc(n, sizeof(*q.errs)),
	};
	int err;

	lab->netns = calloc(d->ncands ?: 1, sizeof(*lab->netns));
	if (!q.refs || !q.homes || !q.port || !q.peers || !q.errs || !lab->netns) {
		peer_query_free(&q);
		return -ENOMEM;
	}
	for (size_t i = 0; i < lab->nports; i++)
		if (peer_ref(d, &lab->ports[i], &q.refs[q.n], &q.homes[q.n]))
			q.port[q.n++] = i;
	err = link_get_many(d->nl, q.refs, q.n, lab->kernel_stats, q.peers, q.errs);
	for (size_t j = 0; !err && j < q.n; j++) {
		struct lab_port *lp = &lab->ports[q.port[j]];

		if (q.errs[j]) {
			/* -ENODEV: gone since the dump, so no peer. */
			err = q.errs[j] == -ENODEV ? 0 : q.errs[j];
			continue;
		}
		if (q.homes[j]) {
			err = adopt(d, q.homes[j], &lp->netns);
			if (err)
				break;
		}
		snprintf(lp->peer.name, sizeof(lp->peer.name), "%s", q.peers[j].name);
		lp->peer.ifindex = q.peers[j].ifindex;
		lp->peer.has_kernel = q.peers[j].has_stats;
		lp->peer.kernel = q.peers[j].stats;
	}
	peer_query_free(&q);
	return err;
}

static bool any_peer_elsewhere(const struct lab *lab)
{
	for (size_t i = 0; i < lab->nports; i++)
		if (lab->ports[i].link_peer && lab->ports[i].link_netnsid >= 0)
			return true;
	return false;
}

int lab_discover_peers(struct nl_sock *nl, struct lab *lab)
{
	struct discovery d = { .nl = nl, .lab = lab };
	int err = 0;

	/* Names are needed for peers in other namespaces only. */
	if (any_peer_elsewhere(lab))
		err = netns_foreach(add_candidate, &d);
	if (!err && d.ncands)
		err = number_candidates(&d);
	if (!err)
		err = resolve_peers(&d);
	if (err)
		pr_warn("cannot discover the ports of bridge \"%s\": %s", lab->bridge.name,
			strerror(-err));
	for (size_t i = 0; i < d.ncands; i++) {
		if (d.cands[i].fd >= 0)
			close(d.cands[i].fd);
		free(d.cands[i].name);
	}
	free(d.cands);
	free(d.by_nsid);
	if (err)
		lab_free(lab);
	return err;
}

/* Only collect during the dump: the socket serves one request at a time. */
static int add_port(const struct link_info *info, void *data)
{
	struct lab *lab = data;
	struct lab_port *ports, *lp;

	if (info->master != lab->bridge.ifindex)
		return 0;
	ports = realloc(lab->ports, (lab->nports + 1) * sizeof(*ports));
	if (!ports)
		return -ENOMEM;
	lab->ports = ports;
	lp = &ports[lab->nports++];
	memset(lp, 0, sizeof(*lp));
	snprintf(lp->port.name, sizeof(lp->port.name), "%s", info->name);
	lp->port.ifindex = info->ifindex;
	lp->port.has_kernel = info->has_stats;
	lp->port.kernel = info->stats;
	if (info->peer_ifindex && !strcmp(info->kind, "veth")) {
		lp->link_peer = info->peer_ifindex;
		lp->link_netnsid = info->peer_netnsid;
	}
	return 0;
}

int lab_discover_ports(struct nl_sock *nl, const char *bridge, bool kernel_stats, struct lab *lab)
{
	struct link_info br;
	int err;

	memset(lab, 0, sizeof(*lab));
	lab->kernel_stats = kernel_stats;
	lab->host.fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (lab->host.fd < 0)
		return -errno;
	netns_inode(lab->host.fd, &lab->host.inode);
	err = netns_cookie(lab->host.fd, &lab->host.cookie);
	if (err)
		goto out;

	err = link_get(nl, bridge, &br);
	if (err) {
		pr_warn("cannot find bridge \"%s\": %s", bridge,
			err == -ENODEV ? "No such device" : nl_strerror(nl, err));
		goto out;
	}
	if (strcmp(br.kind, "bridge")) {
		pr_warn("\"%s\" is not a bridge (it is a %s link)", bridge, *br.kind ? br.kind : "plain");
		err = -EMEDIUMTYPE;
		goto out;
	}
	snprintf(lab->bridge.name, sizeof(lab->bridge.name), "%s", br.name);
	lab->bridge.ifindex = br.ifindex;
	/* link_get() asks with the statistics: the bridge's are there already. */
	lab->bridge.has_kernel = kernel_stats && br.has_stats;
	lab->bridge.kernel = br.stats;

	/* The dump assigns nsids to the peers' namespaces, so it comes before their names. */
	err = link_foreach_port(nl, lab->bridge.ifindex, kernel_stats, add_port, lab);
	if (err)
		pr_warn("cannot discover the ports of bridge \"%s\": %s", bridge, strerror(-err));
out:
	if (err)
		lab_free(lab);
	return err;
}

int lab_discover(struct nl_sock *nl, const char *bridge, struct lab *lab)
{
	int err = lab_discover_ports(nl, bridge, false, lab);

	return err ? err : lab_discover_peers(nl, lab);
}

void lab_free(struct lab *lab)
{
	for (size_t i = 0; i < lab->nnetns; i++)
		close(lab->netns[i].fd);
	if (lab->host.fd >= 0)
		close(lab->host.fd);
	free(lab->netns);
	free(lab->ports);
	memset(lab, 0, sizeof(*lab));
	lab->host.fd = -1;
}
