/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names for network namespaces: /run/netns NAME by nsfs inode, netns cookie
 * and nsid (the id our namespace gives it, as rtnetlink reports it).
 * Events carry inodes, cookies and nsids; people read names.
 */
#ifndef NSMON_NS_NAMES_H
#define NSMON_NS_NAMES_H

#include <limits.h>
#include <stdbool.h>
#include <linux/types.h>

#include "lab/nl.h"

struct ns_name {
	char name[NAME_MAX + 1];
	__u64 inode;
	__u64 cookie;
	int nsid;		/* -1: none assigned */
};

struct ns_names {
	struct ns_name *v;
	size_t n;
	__u64 host_inode;
	__u64 host_cookie;
};

/**
 * ns_names_refresh() - rescan /run/netns. With @nl, each namespace's nsid in
 * @nl's namespace is looked up too, and one is assigned where there is none
 * (what `ip netns set NAME auto` does), so that rtnetlink's
 * NETLINK_LISTEN_ALL_NSID reports its links.
 * Return: 0 or -errno.
 */
int ns_names_refresh(struct ns_names *names, struct nl_sock *nl);

const struct ns_name *ns_names_by_inode(const struct ns_names *names, __u64 inode);
const struct ns_name *ns_names_by_cookie(const struct ns_names *names, __u64 cookie);
const struct ns_name *ns_names_by_nsid(const struct ns_names *names, int nsid);

void ns_names_free(struct ns_names *names);

#endif
