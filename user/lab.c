// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "link.h"
#include "log.h"
#include "netns.h"

/* A named namespace as seen from ours: the nsid we give it names its veth peers. */
struct candidate {
	struct lab_netns ns;
	int nsid;		/* -1: none assigned, so no link of ours points there */
};

struct discovery {
	struct nl_sock *nl;
	struct lab *lab;
	struct candidate *cands;
	size_t ncands;
	struct link_info *ports;	/* the bridge's ports as the dump gave them */
	size_t nports;
};

static int add_candidate(const char *name, void *data)
{
	struct discovery *d = data;
	struct candidate *c, *cands;
	int fd, nsid;

	fd = netns_open(name);
	if (fd < 0)
		return 0;	/* deleted while we looked, or not a namespace */
	cands = realloc(d->cands, (d->ncands + 1) * sizeof(*cands));
	if (!cands) {
		close(fd);
		return -ENOMEM;
	}
	d->cands = cands;
	c = &cands[d->ncands];
	memset(c, 0, sizeof(*c));
	snprintf(c->ns.name, sizeof(c->ns.name), "%s", name);
	c->ns.fd = fd;
	netns_inode(fd, &c->ns.inode);
	nsid = netnsid_of(d->nl, fd);
	c->nsid = nsid >= 0 ? nsid : -1;
	/* Our own namespace under a name is not a peer's home. */
	if (c->ns.inode == d->lab->host.inode)
		c->nsid = -1;
	d->ncands++;
	return 0;
}

static struct candidate *candidate_by_nsid(struct discovery *d, int nsid)
{
	for (size_t i = 0; i < d->ncands; i++)
		if (d->cands[i].nsid == nsid)
			return &d->cands[i];
	return NULL;
}

/*
 * Move a candidate into lab->netns (once), so the lab owns its fd. lab->netns
 * has room for every candidate, so the pointers ports keep stay valid.
 */
static struct lab_netns *adopt(struct discovery *d, struct candidate *c)
{
	struct lab *lab = d->lab;

	for (size_t i = 0; i < lab->nnetns; i++)
		if (lab->netns[i].inode == c->ns.inode)
			return &lab->netns[i];
	if (netns_cookie(c->ns.fd, &c->ns.cookie))
		return NULL;
	lab->netns[lab->nnetns] = c->ns;
	c->ns.fd = -1;
	return &lab->netns[lab->nnetns++];
}

static int find_peer(struct discovery *d, const struct link_info *port, struct lab_port *lp)
{
	struct link_info peer;
	struct candidate *c;
	int err;

	if (!port->peer_ifindex || strcmp(port->kind, "veth"))
		return 0;
	if (port->peer_netnsid < 0) {
		err = link_get_index(d->nl, port->peer_ifindex, &peer);
		goto found;
	}
	c = candidate_by_nsid(d, port->peer_netnsid);
	if (!c) {
		lp->peer_unnamed = true;
		return 0;
	}
	/* Asked from here by nsid: no socket inside each namespace. */
	err = link_get_index_in(d->nl, port->peer_netnsid, port->peer_ifindex, &peer);
	if (!err) {
		lp->netns = adopt(d, c);
		if (!lp->netns)
			return -ENOMEM;
	}
found:
	if (err)
		return err == -ENODEV ? 0 : err;
	snprintf(lp->peer.name, sizeof(lp->peer.name), "%s", peer.name);
	lp->peer.ifindex = peer.ifindex;
	return 0;
}

/* Only collect during the dump: the socket serves one request at a time. */
static int add_port(const struct link_info *info, void *data)
{
	struct discovery *d = data;
	struct link_info *ports;

	if (info->master != d->lab->bridge.ifindex)
		return 0;
	ports = realloc(d->ports, (d->nports + 1) * sizeof(*ports));
	if (!ports)
		return -ENOMEM;
	d->ports = ports;
	ports[d->nports++] = *info;
	return 0;
}

static int resolve_ports(struct discovery *d)
{
	struct lab *lab = d->lab;
	int err = 0;

	lab->ports = calloc(d->nports ?: 1, sizeof(*lab->ports));
	lab->netns = calloc(d->ncands ?: 1, sizeof(*lab->netns));
	if (!lab->ports || !lab->netns)
		return -ENOMEM;
	for (size_t i = 0; !err && i < d->nports; i++) {
		struct lab_port *lp = &lab->ports[lab->nports++];

		snprintf(lp->port.name, sizeof(lp->port.name), "%s", d->ports[i].name);
		lp->port.ifindex = d->ports[i].ifindex;
		err = find_peer(d, &d->ports[i], lp);
	}
	return err;
}

int lab_discover(struct nl_sock *nl, const char *bridge, struct lab *lab)
{
	struct discovery d = { .nl = nl, .lab = lab };
	struct link_info br;
	int err;

	memset(lab, 0, sizeof(*lab));
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

	/* The dump assigns nsids to the peers' namespaces, so it comes first. */
	err = link_foreach(nl, add_port, &d);
	if (!err)
		err = netns_foreach(add_candidate, &d);
	if (!err)
		err = resolve_ports(&d);
	if (err)
		pr_warn("cannot discover the ports of bridge \"%s\": %s", bridge, strerror(-err));
out:
	for (size_t i = 0; i < d.ncands; i++)
		if (d.cands[i].ns.fd >= 0)
			close(d.cands[i].ns.fd);
	free(d.cands);
	free(d.ports);
	if (err)
		lab_free(lab);
	return err;
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
