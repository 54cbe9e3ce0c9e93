/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Discovering a lab from its bridge, whoever built it: the bridge's ports,
 * each port's veth peer (IFLA_LINK + IFLA_LINK_NETNSID) and the named
 * namespace under /run/netns that holds the peer.
 */
#ifndef NSMON_LAB_H
#define NSMON_LAB_H

#include <limits.h>
#include <stdbool.h>
#include <net/if.h>
#include <linux/types.h>

#include "lab/link.h"
#include "lab/nl.h"

struct lab_iface {
	char name[IF_NAMESIZE];
	int ifindex;		/* 0: none */
	bool has_kernel;	/* discovered with LAB_KERNEL_STATS: @kernel holds its counters */
	struct link_stats kernel;
};

struct lab_netns {
	char name[NAME_MAX + 1];
	int fd;
	__u64 inode;		/* the identity; the name is a label */
	__u64 cookie;		/* what the datapath keys counters with */
};

struct lab_port {
	struct lab_iface port;		/* bridge side, in our namespace */
	struct lab_iface peer;		/* its veth peer, ifindex 0 if not found */
	struct lab_netns *netns;	/* where the peer lives; NULL: ours, or unnamed */
	bool peer_unnamed;		/* the peer is in a namespace with no /run/netns name */
	/* What the port's own link says of its peer: IFLA_LINK (0: not a veth), IFLA_LINK_NETNSID. */
	int link_peer;
	int link_netnsid;		/* -1: our namespace */
};

struct lab {
	struct lab_iface bridge;
	struct lab_netns host;		/* our own namespace: name "" */
	struct lab_netns *netns;	/* the namespaces holding peers, in port order */
	size_t nnetns;
	struct lab_port *ports;		/* in ifindex order */
	size_t nports;
	bool kernel_stats;		/* asked for: the ports' and peers' kernel counters */
};

/**
 * lab_discover() - find the lab around @bridge (in @nl's namespace):
 * lab_discover_ports(), then lab_discover_peers().
 * Prints its own error line.
 * Return: 0, -ENODEV if there is no such bridge, -EMEDIUMTYPE if @bridge is
 * not a bridge, or -errno.
 */
int lab_discover(struct nl_sock *nl, const char *bridge, struct lab *lab);

/**
 * lab_discover_ports() - the first half of lab_discover(): the bridge and its
 * ports (one dump), without their peers, for a caller that can start on the
 * ports before the peers are found (lab_discover_peers(): batched requests).
 * @kernel_stats: read the kernel's own counters of the bridge, its ports and
 * (in lab_discover_peers()) their peers too, as `ip -s link` shows them, in
 * the same messages (lab_iface.kernel).
 * Return: as lab_discover(); on failure @lab is freed already.
 */
int lab_discover_ports(struct nl_sock *nl, const char *bridge, bool kernel_stats, struct lab *lab);

/**
 * lab_discover_peers() - the second half: each port's veth peer and the
 * named namespace that holds it.
 * Return: 0 or -errno, with @lab freed already.
 */
int lab_discover_peers(struct nl_sock *nl, struct lab *lab);

void lab_free(struct lab *lab);

#endif
