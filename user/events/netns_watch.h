/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Named namespaces coming and going (inotify on /run/netns: "netns"
 * events), and a reconciler that notices, once a second, the namespaces an
 * event said were created and that are gone since ("ns" events, "gone"):
 * nothing in the kernel says when a namespace ends that a program here could
 * attach to.
 */
#ifndef NSMON_NETNS_WATCH_H
#define NSMON_NETNS_WATCH_H

#include "events/sink.h"

#define NETNS_RECONCILE_MS	1000

struct netns_watch;

/* Start watching /run/netns (made if missing). Prints its own error line. Return: 0 or -errno. */
int netns_watch_open(struct event_sink *sink, struct netns_watch **out);

/* The inotify descriptor to poll for readability. */
int netns_watch_fd(const struct netns_watch *nw);

/* Read what is waiting and emit its events. */
void netns_watch_read(struct netns_watch *nw);

/* A namespace of @type ("net", "mnt", ...) that an event said was created: follow it. */
void netns_watch_track(struct netns_watch *nw, const char *type, __u64 inode);

/* Emit "gone" for each followed namespace that has no process and no name any more. */
void netns_watch_reconcile(struct netns_watch *nw);

void netns_watch_close(struct netns_watch *nw);

#endif
