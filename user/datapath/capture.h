/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The capture programs (bpf/capture.bpf.c) on the labs nsmon monitors:
 * which interfaces a capture covers, attaching to them for as long as the
 * capture is open (plain tcx links, not pinned: closing detaches them, and
 * the counters' own programs are never touched), and the ring's records as
 * copies, one per interface that saw the frame.
 */
#ifndef NSMON_CAPTURE_H
#define NSMON_CAPTURE_H

#include <limits.h>
#include <stdbool.h>
#include <net/if.h>
#include <linux/types.h>

#include "filter_abi.h"
#include "lab/lab_scope.h"
#include "nsmon.h"

/* Where a capture interface's copies come from. */
enum capture_hook {
	CAPTURE_AT_BRIDGE,	/* the bridge device's own tc hooks */
	CAPTURE_AT_PORT,	/* a bridge port's own tc hooks */
	CAPTURE_AT_PEER,	/* a namespace's veth: its port's hooks, mirrored */
};

/* One interface of the capture (the pcap-ng file's interface of the same index). */
struct capture_iface {
	char name[NAME_MAX + IF_NAMESIZE + 2];	/* "red/veth-red", "host/v-net-0" */
	char netns[NAME_MAX + 1];		/* NETNS_HOST for the bridge's namespace */
	__u64 netns_inode;
	char ifname[IF_NAMESIZE];
	int ifindex;				/* in its own namespace */
	enum capture_hook hook;
	char port[IF_NAMESIZE];			/* CAPTURE_AT_PEER: the port whose hooks see it */
	char bridge[IF_NAMESIZE];
};

struct capture_opts {
	/*
	 * The labs (--bridge: each must be monitored; none: every monitored
	 * one, as --all), narrowed to -n's namespaces of them; the interfaces
	 * they have when the capture starts.
	 */
	struct lab_scope scope;
	struct nsmon_filter filter;
	__u32 snaplen;
	__u32 ring_kb;			/* 0: NSMON_CAP_RING_KB_DEFAULT */
};

/* One copy of a frame, on one interface. */
struct capture_copy {
	__u32 iface;			/* index into capture_ifaces() */
	__u64 mono_ns;			/* CLOCK_MONOTONIC, when the hook saw it */
	enum nsmon_direction dir;	/* from the interface's point of view */
	__u32 len;			/* on the wire, an offloaded VLAN tag put back */
	__u32 caplen;			/* bytes at @frame: min(len, snaplen) */
	const __u8 *frame;		/* from the Ethernet header, tag in place */
};

/* Return non-zero to stop the consume after this record (the ring keeps the rest). */
typedef int (*capture_copy_cb)(const struct capture_copy *c, void *data);

struct capture;

/**
 * capture_open() - find the interfaces of the labs @o names (every bridge
 * and port; the namespace end of each veth pair, whose copies are its
 * port's; with @o->netns only those namespaces' veths and their ports),
 * load the programs with @o's filter and snapshot length, and attach them.
 * Prints its own error line.
 * Return: 0 with *@out set, -ENOENT when there is nothing of that name to
 * capture, or -errno.
 */
int capture_open(const struct capture_opts *o, struct capture **out);

/* The interfaces, in the order copies name them. */
const struct capture_iface *capture_ifaces(const struct capture *cap, size_t *n);

/**
 * capture_consume() - hand every record in the ring to @cb, as one copy per
 * interface in the order the frame met them (a namespace end's copy
 * before its port's when it sent the frame, after it when it received it),
 * until @cb asks to stop: a ring filled faster than it is drained would
 * otherwise keep the caller here.
 * Return: records read, -ECANCELED when @cb stopped it, or -errno.
 */
int capture_consume(struct capture *cap, capture_copy_cb cb, void *data);

/* capture_detach() - stop capturing: the programs come off every hook. */
void capture_detach(struct capture *cap);

/* capture_lost() - copies interface @iface lost so far because the ring was full. */
__u64 capture_lost(const struct capture *cap, __u32 iface);

void capture_close(struct capture *cap);

#endif
