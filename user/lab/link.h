/* SPDX-License-Identifier: GPL-2.0 */
/* Links and addresses: what `ip link` and `ip addr` do, as rtnetlink requests. */
#ifndef NSMON_LINK_H
#define NSMON_LINK_H

#include <stdbool.h>
#include <net/if.h>
#include <linux/types.h>

#include "lab/nl.h"

/* The kernel's own counters of a link (IFLA_STATS64), as `ip -s link` shows them. */
struct link_stats {
	__u64 rx_packets, rx_bytes, rx_dropped;
	__u64 tx_packets, tx_bytes, tx_dropped;
};

/* What a link dump tells about one link (RTM_NEWLINK answer). */
struct link_info {
	int ifindex;
	char name[IF_NAMESIZE];
	char kind[16];		/* IFLA_INFO_KIND: "veth", "bridge", "" */
	unsigned int flags;	/* IFF_UP ... */
	int master;		/* IFLA_MASTER, 0 if none */
	int peer_ifindex;	/* IFLA_LINK: a veth's peer, 0 if none */
	int peer_netnsid;	/* IFLA_LINK_NETNSID, -1 if the peer is in the same namespace */
	bool has_stats;		/* the answer carried IFLA_STATS64 */
	struct link_stats stats;
};

/* Fill @info from a RTM_NEWLINK/RTM_DELLINK message. Return 0 or -EPROTO. */
int link_parse(const struct nlmsghdr *nlh, struct link_info *info);

/*
 * Creating links: @ifindex is the one the link gets (0: the kernel picks), so
 * that it can be recorded before the link exists; -EBUSY when it is taken.
 * Return 0 or -errno; the caller words the message with nl_strerror().
 */
int link_add_bridge(struct nl_sock *nl, const char *name, int ifindex);

/**
 * link_add_veth() - create veth @name (@ifindex) in @nl's namespace with its peer @peer
 * created directly in the namespace @peer_netns_fd (-1: same namespace).
 * @master_ifindex: enslave @name to this bridge at creation (0: none).
 * Both ends are created down.
 */
int link_add_veth(struct nl_sock *nl, const char *name, int ifindex, const char *peer,
		  int peer_netns_fd, int master_ifindex);

int link_set_up(struct nl_sock *nl, int ifindex);
int link_del(struct nl_sock *nl, int ifindex);

/**
 * link_get() - look one link up by name.
 * Return: 0 and @info filled, -ENODEV if there is no such link, or -errno.
 */
int link_get(struct nl_sock *nl, const char *name, struct link_info *info);

/**
 * link_get_index() - the same by ifindex.
 */
int link_get_index(struct nl_sock *nl, int ifindex, struct link_info *info);

/**
 * link_get_stats() - the kernel's own counters of link @ifindex
 * (IFLA_STATS64: what `ip -s link` shows).
 * Return: 0, -ENODEV if there is no such link, or -errno.
 */
struct rtnl_link_stats64;
int link_get_stats(struct nl_sock *nl, int ifindex, struct rtnl_link_stats64 *stats);

/**
 * link_get_index_in() - the same for a link in the namespace that @nl's
 * namespace numbers @nsid (IFLA_TARGET_NETNSID): no socket inside it needed.
 */
int link_get_index_in(struct nl_sock *nl, int nsid, int ifindex, struct link_info *info);

/**
 * link_foreach() - call @cb on every link of @nl's namespace; a non-zero
 * return from @cb stops the walk and is returned.
 */
int link_foreach(struct nl_sock *nl, int (*cb)(const struct link_info *info, void *data),
		 void *data);

/* Every link of a namespace, as one dump found them. */
struct link_list {
	struct link_info *v;
	size_t n, cap;
};

/* Read @l afresh (its array reused); a dump cut short by a change is read again. */
int link_list_read(struct nl_sock *nl, struct link_list *l);

/* The link of @l with @ifindex, or NULL. */
const struct link_info *link_list_find(const struct link_list *l, int ifindex);

void link_list_free(struct link_list *l);

/* The highest ifindex in @nl's namespace (0: none), so that the next ones are free. */
int link_max_ifindex(struct nl_sock *nl, int *max);

/**
 * link_foreach_port() - link_foreach() over the links enslaved to
 * @master_ifindex only: the kernel leaves the others out of the dump
 * (`ip link show master BRIDGE`), and their statistics unless @with_stats.
 */
int link_foreach_port(struct nl_sock *nl, int master_ifindex, bool with_stats,
		      int (*cb)(const struct link_info *info, void *data), void *data);

/* Which link to look up: by ifindex in the namespace @nl's numbers @nsid (-1: @nl's own). */
struct link_ref {
	int nsid;
	int ifindex;
};

/**
 * link_get_many() - link_get_index_in() (link_get_index() for nsid -1) of
 * @n links at once, in a few datagrams: @info[i] and @err[i] (0, -ENODEV or
 * -errno) for @refs[i]. Leaves the statistics out unless @with_stats.
 * Return: 0, or -errno when the exchange itself failed.
 */
int link_get_many(struct nl_sock *nl, const struct link_ref *refs, size_t n, bool with_stats,
		  struct link_info *info, int *err);

/**
 * addr_add_v4() - `ip addr add A/PLEN dev IFINDEX`: IFA_LOCAL and IFA_ADDRESS,
 * no broadcast, scope global, exactly as iproute2 sends it.
 * @addr: network byte order.
 */
int addr_add_v4(struct nl_sock *nl, int ifindex, __u32 addr, int prefixlen);

/**
 * netnsid_of() - the id that @nl's namespace gives to the namespace @netns_fd
 * (RTM_GETNSID with NETNSA_FD), as IFLA_LINK_NETNSID reports it.
 * Return: the nsid (>= 0), -ENOENT if none is assigned, or -errno.
 */
int netnsid_of(struct nl_sock *nl, int netns_fd);

/**
 * netnsid_of_many() - netnsid_of() of @n namespaces at once, in a few
 * datagrams: @nsid[i] for @netns_fd[i], -ENOENT where none is assigned.
 * Return: 0, or -errno when the exchange itself failed.
 */
int netnsid_of_many(struct nl_sock *nl, const int *netns_fd, size_t n, int *nsid);

/**
 * netnsid_assign() - have @nl's namespace give the namespace @netns_fd an id
 * (`ip netns set NAME auto`). Return: 0 or -errno (-EEXIST: it has one).
 */
int netnsid_assign(struct nl_sock *nl, int netns_fd);

/* The first IPv4 address of @ifindex (network byte order). Return 0, -EADDRNOTAVAIL or -errno. */
int addr_first_v4(struct nl_sock *nl, int ifindex, __u32 *addr);

/*
 * Whether @ifindex has the address @addr (network byte order) of @family,
 * AF_INET or AF_INET6. Return 1, 0, or -errno.
 */
int addr_on_link(struct nl_sock *nl, int ifindex, int family, const void *addr);

/* `ip neigh del ADDR dev IFINDEX`. Return 0 or -errno (-ENOENT: no such entry). */
int neigh_del_v4(struct nl_sock *nl, int ifindex, __u32 addr);

/* `ip link set BRIDGE type bridge fdb_flush`: forget the learned addresses. */
int bridge_fdb_flush(struct nl_sock *nl, int ifindex);

#endif
