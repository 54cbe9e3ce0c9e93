// SPDX-License-Identifier: GPL-2.0
/* Names for network namespaces: see ns_names.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/grow.h"
#include "lab/link.h"
#include "lab/netns.h"
#include "model/ns_names.h"

struct refresh {
	struct ns_names *names;
	struct nl_sock *nl;
	size_t cap;
};

static int nsid_for(struct nl_sock *nl, int fd)
{
	int nsid = netnsid_of(nl, fd);

	if (nsid == -ENOENT && netnsid_assign(nl, fd) == 0)
		nsid = netnsid_of(nl, fd);
	return nsid < 0 ? -1 : nsid;
}

static int add_name(const char *name, void *data)
{
	struct refresh *r = data;
	struct ns_name *e, *v;
	int fd;

	fd = netns_open(name);
	if (fd < 0)
		return 0;	/* gone already, or not a namespace: nothing to name */
	v = grow(r->names->v, r->names->n, &r->cap, sizeof(*v), 16);
	if (!v) {
		close(fd);
		return -ENOMEM;
	}
	r->names->v = v;
	e = &r->names->v[r->names->n];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->nsid = -1;
	if (netns_inode(fd, &e->inode) == 0 && netns_cookie(fd, &e->cookie) == 0) {
		if (r->nl)
			e->nsid = nsid_for(r->nl, fd);
		r->names->n++;
	}
	close(fd);
	return 0;
}

int ns_names_refresh(struct ns_names *names, struct nl_sock *nl)
{
	struct refresh r = { .names = names, .nl = nl };
	int fd, err;

	free(names->v);
	names->v = NULL;
	names->n = 0;
	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		netns_inode(fd, &names->host_inode);
		netns_cookie(fd, &names->host_cookie);
		close(fd);
	}
	err = netns_foreach(add_name, &r);
	return err;
}

const struct ns_name *ns_names_by_inode(const struct ns_names *names, __u64 inode)
{
	for (size_t i = 0; i < names->n; i++)
		if (names->v[i].inode == inode)
			return &names->v[i];
	return NULL;
}

const struct ns_name *ns_names_by_cookie(const struct ns_names *names, __u64 cookie)
{
	for (size_t i = 0; i < names->n; i++)
		if (names->v[i].cookie == cookie)
			return &names->v[i];
	return NULL;
}

const struct ns_name *ns_names_by_nsid(const struct ns_names *names, int nsid)
{
	for (size_t i = 0; nsid >= 0 && i < names->n; i++)
		if (names->v[i].nsid == nsid)
			return &names->v[i];
	return NULL;
}

void ns_names_free(struct ns_names *names)
{
	free(names->v);
	names->v = NULL;
	names->n = 0;
}
