/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading the datapath programs and attaching them to interfaces: tcx links
 * (clsact filters where the kernel has no tcx), and opt-in native XDP.
 * Every attachment is recorded in the ledger before it is made, and pinned
 * links live under /sys/fs/bpf/nsmon/BRIDGE so they outlive this process.
 */
#ifndef NSMON_DATAPATH_H
#define NSMON_DATAPATH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>
#include <linux/types.h>

#include "lab/ledger.h"

enum tc_mode {
	TC_MODE_AUTO,		/* tcx, falling back to clsact if the kernel lacks it */
	TC_MODE_TCX,
	TC_MODE_CLSACT,
};

struct datapath_bpf;
struct xdp_bpf;

struct datapath {
	struct datapath_bpf *skel;	/* the tc programs */
	struct xdp_bpf *xdp_skel;	/* with --xdp only */
	__u64 netns_cookie;		/* the bridge's namespace, which the tc programs key by */
	enum tc_mode mode;
	char bridge[IF_NAMESIZE];	/* its links are pinned in the bridge's directory */
	struct ledger *ledger;	/* open for writing, inside a begin */
	bool pins_foreign;	/* datapath_open() refused maps another nsmon version pinned */
	/*
	 * Set by the caller: the devices attached from now on are ones it made a
	 * moment ago, which --tc-mode auto hooks with clsact (attach_tc()).
	 */
	bool devices_ours;
	bool used_clsact;	/* some hook is a clsact filter */
	int maps_lock;		/* held shared from datapath_open() to datapath_close() */
};

/* Parse "auto", "tcx" or "clsact". Return 0 or -EINVAL. */
/* The --tc-mode values, indexed by enum tc_mode, NULL-terminated. */
extern const char *const tc_mode_names[];

/**
 * datapath_open() - load the tc programs for attachments around @bridge,
 * which lives in the namespace @netns_fd, sharing the pinned counters and
 * bridge maps (created and pinned on first use); the XDP program only with
 * @xdp (it needs kernel BTF, which libbpf takes ~55 ms to parse). Prints its
 * own error line. Return: 0 or -errno.
 */
int datapath_open(struct datapath *dp, const char *bridge, int netns_fd, enum tc_mode mode,
		  bool xdp, struct ledger *lg);

/**
 * datapath_attach_bridge() and datapath_attach_port() - count @ifname
 * (@ifindex in the bridge's namespace @netns_fd), the bridge itself or one
 * of its ports, at tc in both directions, and follow frames through the
 * bridge there. Call them while the link is still down, so no packet goes
 * uncounted. Print their own error line. Return: 0 or -errno.
 */
int datapath_attach_bridge(struct datapath *dp, int netns_fd, const char *ifname, int ifindex);
int datapath_attach_port(struct datapath *dp, int netns_fd, const char *ifname, int ifindex);

/**
 * datapath_attach_peer() - count @ifname (in the namespace @netns_fd,
 * labelled @netns, NULL for ours), the other end of a veth whose bridge port
 * datapath_attach_port() hooks, from that port: a veth's tx is its
 * peer's rx and its rx its peer's tx, as the kernel's own veth statistics
 * have it, so one pair of tc hooks per veth pair counts both ends (each
 * packet runs two programs across the bridge, not four). Records the
 * interface with the lab; with @xdp, attaches native XDP to it as well.
 * Prints its own error line. Return: 0 or -errno.
 */
int datapath_attach_peer(struct datapath *dp, const char *netns, int netns_fd,
			 const char *ifname, int ifindex, bool xdp);

void datapath_close(struct datapath *dp);

/*
 * A datapath kept loaded between attachments (auto-attach) lets go of the
 * shared lock datapath_open() took on the maps, so that the last lab's
 * `down` may unpin them, and takes it again (shared) around an attachment.
 * datapath_lock_maps(): 0 or -errno after the error line.
 */
void datapath_unlock_maps(struct datapath *dp);
int datapath_lock_maps(struct datapath *dp);

/**
 * datapath_maps_current() - are the maps @dp was loaded with still the ones
 * pinned under NSMON_PIN_ROOT? A datapath kept loaded (auto-attach keeps one
 * to attach within milliseconds) is stale once `nsmon down` unpinned them:
 * its programs would count into maps nothing reads.
 */
bool datapath_maps_current(const struct datapath *dp);

/*
 * The undo steps of what the attach functions make (user/undo/ calls them,
 * from what the ledger records). Each treats "already gone" as success.
 */
int datapath_del_filter(const char *netns, int ifindex, bool egress, __u32 handle, __u32 prio);
int datapath_del_qdisc(const char *netns, int ifindex);

/**
 * datapath_pin_path() - where nsmon pins what it attaches for @bridge: the
 * bridge's directory NSMON_PIN_ROOT/BRIDGE with @ifname NULL, else in it the
 * link @what ("tcx_ingress", "tcx_egress", "xdp") on @ifname of the
 * namespace @netns (NULL: ours, NETNS_HOST), named NETNS:IFNAME:WHAT.
 * Return: 0, or -ENAMETOOLONG when it does not fit @size.
 */
int datapath_pin_path(char *path, size_t size, const char *bridge, const char *netns,
		      const char *ifname, const char *what);

/* Is @path inside NSMON_PIN_ROOT, with no "." or ".." on the way? */
bool datapath_pin_path_ours(const char *path);

/* Unpin @path (its link detaches); -EPERM for a path not datapath_pin_path_ours(). */
int datapath_unpin(const char *path);

/* Is the link pinned at @path gone, or attached to a device that is gone? */
bool datapath_pin_defunct(const char *path);

/**
 * datapath_release_pins() - remove @bridge's (empty) pin directory, and with
 * @shared the pinned maps, /sys/fs/bpf/nsmon and /run/nsmon once no bridge
 * has a ledger any more, holding the maps' lock exclusive: no datapath_open()
 * of another command is between its load and its first record meanwhile
 * (@maps_lock: that lock held already, from datapath_last_lab(), else -1;
 * closed here). Call it after datapath_close(). A run that failed on another version's pins
 * (datapath.pins_foreign) leaves them to that version: @shared false.
 */
void datapath_release_pins(const char *bridge, bool shared, int maps_lock);

/**
 * datapath_last_lab() - is @bridge's the only lab? If so, holds the maps'
 * lock exclusive in @maps_lock (no other lab starts meanwhile) until it is
 * handed to datapath_release_pins(), which unpins the maps, counters and all.
 * Return: true, or false with @maps_lock -1.
 */
bool datapath_last_lab(const char *bridge, int *maps_lock);

/* Check what loading needs beyond privileges (which the command line checked): kernel BTF. */
int datapath_preflight(void);

#endif
