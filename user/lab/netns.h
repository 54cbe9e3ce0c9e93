/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Named network namespaces exactly as iproute2's `ip netns` makes them:
 * bind mounts of /proc/self/ns/net under /run/netns on a shared mount.
 */
#ifndef NSMON_NETNS_H
#define NSMON_NETNS_H

#include <linux/types.h>

#define NETNS_RUN_DIR	"/run/netns"

/*
 * Our own namespace, where the bridges and their ports live, as every view
 * names it (stats, watch, events, export, capture) and as its links' pins
 * are named. A named namespace may be called "host" too: code tells ours by
 * its inode or cookie, and a ledger record by LEDGER_NETNS_OURS, never by
 * this name.
 */
#define NETNS_HOST	"host"

/**
 * netns_new() - a new network namespace with no name yet, held by @netns_fd
 * alone (it goes away with the fd): its inode and cookie can be recorded
 * before netns_name() makes it visible. Return: 0 or -errno.
 */
int netns_new(int *netns_fd);

/**
 * netns_name() - name the namespace @netns_fd as `ip netns` does: claim
 * /run/netns/NAME (O_EXCL) and bind-mount the namespace there.
 * Return: 0, -EEXIST if the name is taken, or -errno (nothing left behind).
 */
int netns_name(int netns_fd, const char *name);

/**
 * netns_del_claim() - remove /run/netns/NAME if it is only a claim: the
 * empty file netns_name() makes before its mount, left by a process killed
 * in between. Return: 0 (removed or absent), -EEXIST if it is a namespace
 * or anything but an empty file, or -errno.
 */
int netns_del_claim(const char *name);

/**
 * netns_add() - `ip netns add NAME`: netns_new(), then netns_name().
 * Return: 0, -EEXIST if /run/netns/NAME exists, or -errno (nothing left behind).
 */
int netns_add(const char *name);

/**
 * netns_del() - `ip netns del NAME`: lazy-unmount and unlink.
 * Return: 0, -ENOENT if there is no such namespace, or -errno.
 */
int netns_del(const char *name);

/**
 * netns_open() - open /run/netns/NAME (O_RDONLY | O_CLOEXEC).
 * Return: the fd, or -errno.
 */
int netns_open(const char *name);

/**
 * netns_enter() - setns() into @netns_fd, keeping where we were.
 * Return: an fd of the namespace we left, to hand to netns_leave(), or -errno.
 */
int netns_enter(int netns_fd);

/**
 * netns_leave() - switch back to @saved_fd (from netns_enter) and close it.
 * Always call it; it only fails if the kernel refuses to let us go back.
 */
int netns_leave(int saved_fd);

/* The nsfs inode of @netns_fd: what lsns and `ip netns identify` show. */
int netns_inode(int netns_fd, __u64 *inode);

/* The netns cookie (SO_NETNS_COOKIE), what bpf_get_netns_cookie() returns. */
int netns_cookie(int netns_fd, __u64 *cookie);

/**
 * netns_foreach() - call @cb(name, data) for every entry of /run/netns, in
 * name order; a non-zero return from @cb stops the walk and is returned.
 */
int netns_foreach(int (*cb)(const char *name, void *data), void *data);

#endif
