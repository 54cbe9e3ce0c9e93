// SPDX-License-Identifier: GPL-2.0
/* /run/netns and the namespaces that are gone: see netns_watch.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "events/netns_watch.h"
#include "lab/netns.h"
#include "util/grow.h"
#include "util/log.h"

/* A named namespace as last seen, so its deletion can still say which it was. */
struct named_ns {
	char name[NAME_MAX + 1];
	__u64 inode;
};

/* A namespace an event said was created, until the reconciler finds it gone. */
struct live_ns {
	char type[8];
	__u64 inode;
};

struct netns_watch {
	struct event_sink *sink;
	int fd;
	struct named_ns *named;
	size_t nnamed, named_cap;
	struct live_ns *live;
	size_t nlive, live_cap;
};

static void remember_named(struct netns_watch *nw, const char *name, __u64 inode)
{
	struct named_ns *v = grow(nw->named, nw->nnamed, &nw->named_cap, sizeof(*v), 16);

	if (!v)
		return;
	nw->named = v;
	snprintf(v[nw->nnamed].name, sizeof(v->name), "%s", name);
	v[nw->nnamed++].inode = inode;
}

static __u64 forget_named(struct netns_watch *nw, const char *name)
{
	for (size_t i = 0; i < nw->nnamed; i++) {
		if (!strcmp(nw->named[i].name, name)) {
			__u64 inode = nw->named[i].inode;

			nw->named[i] = nw->named[--nw->nnamed];
			return inode;
		}
	}
	return 0;
}

int netns_watch_open(struct event_sink *sink, struct netns_watch **out)
{
	struct netns_watch *nw = calloc(1, sizeof(*nw));
	struct ns_names *names = sink->names;
	int err;

	if (!nw)
		return -ENOMEM;
	nw->sink = sink;
	for (size_t i = 0; i < names->n; i++)
		remember_named(nw, names->v[i].name, names->v[i].inode);
	/* ip netns add makes the directory on first use; so may we. */
	mkdir(NETNS_RUN_DIR, 0755);
	nw->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (nw->fd < 0 || inotify_add_watch(nw->fd, NETNS_RUN_DIR, IN_CREATE | IN_DELETE) < 0) {
		err = -errno;
		pr_warn("cannot watch %s: %s", NETNS_RUN_DIR, strerror(-err));
		netns_watch_close(nw);
		return err;
	}
	*out = nw;
	return 0;
}

int netns_watch_fd(const struct netns_watch *nw)
{
	return nw->fd;
}

/*
 * `ip netns add` creates the file, then bind-mounts the namespace on it:
 * wait (up to 100 ms) until the file is the namespace (nsfs), not the tmpfs
 * placeholder, so that its inode is the namespace's.
 */
static void wait_for_bind_mount(const char *name)
{
	char path[PATH_MAX];
	struct statfs sfs;

	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	for (int i = 0; i < 50; i++) {
		if (statfs(path, &sfs) == 0 && sfs.f_type == NSFS_MAGIC)
			return;
		usleep(2000);
	}
}

static void on_change(struct netns_watch *nw, const struct inotify_event *ie)
{
	struct nsmon_event ev = { .type = EVENT_NETNS };
	char name[NAME_MAX + 1];

	snprintf(name, sizeof(name), "%s", ie->name);
	ev.netns.name = name;
	if (ie->mask & IN_CREATE) {
		const struct ns_names *names = nw->sink->names;

		wait_for_bind_mount(name);
		nw->sink->refresh_names(nw->sink);
		for (size_t i = 0; i < names->n; i++)
			if (!strcmp(names->v[i].name, name))
				ev.netns.inode = names->v[i].inode;
		remember_named(nw, name, ev.netns.inode);
		ev.netns.action = EVENT_NETNS_ADDED;
	} else {
		ev.netns.inode = forget_named(nw, name);
		nw->sink->refresh_names(nw->sink);
		ev.netns.action = EVENT_NETNS_DELETED;
	}
	ev.time_us = sink_now_us(nw->sink);
	sink_emit(nw->sink, &ev);
}

void netns_watch_read(struct netns_watch *nw)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t len;

	while ((len = read(nw->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ie = (const void *)p;

			if (ie->len && ie->name[0] != '.')
				on_change(nw, ie);
			p += sizeof(*ie) + ie->len;
		}
	}
}

void netns_watch_track(struct netns_watch *nw, const char *type, __u64 inode)
{
	struct live_ns *live;

	for (size_t i = 0; i < nw->nlive; i++)
		if (nw->live[i].inode == inode && !strcmp(nw->live[i].type, type))
			return;
	live = grow(nw->live, nw->nlive, &nw->live_cap, sizeof(*live), 32);
	if (!live)
		return;
	nw->live = live;
	snprintf(nw->live[nw->nlive].type, sizeof(nw->live[0].type), "%s", type);
	nw->live[nw->nlive++].inode = inode;
}

/* Is there still a process in it, or a name for it? */
static bool ns_still_there(const char *type, __u64 inode)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	bool found = false;
	DIR *proc;

	/* pid and time namespaces show up in the children's "pid"/"time" links. */
	proc = opendir("/proc");
	if (!proc)
		return true;
	while (!found && (de = readdir(proc))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/%s", de->d_name, type);
		found = stat(path, &st) == 0 && st.st_ino == inode;
		if (!found && (!strcmp(type, "pid") || !strcmp(type, "time"))) {
			snprintf(path, sizeof(path), "/proc/%s/ns/%s_for_children", de->d_name, type);
			found = stat(path, &st) == 0 && st.st_ino == inode;
		}
	}
	closedir(proc);
	return found;
}

void netns_watch_reconcile(struct netns_watch *nw)
{
	struct nsmon_event ev = { .type = EVENT_NS };

	for (size_t i = 0; i < nw->nlive;) {
		struct live_ns l = nw->live[i];

		if (ns_still_there(l.type, l.inode) ||
		    (!strcmp(l.type, "net") && ns_names_by_inode(nw->sink->names, l.inode))) {
			i++;
			continue;
		}
		nw->live[i] = nw->live[--nw->nlive];
		ev.time_us = sink_now_us(nw->sink);
		ev.ns.action = EVENT_NS_GONE;
		ev.ns.ns_type = l.type;
		ev.ns.inode = l.inode;
		ev.ns.within_ms = NETNS_RECONCILE_MS;
		sink_emit(nw->sink, &ev);
	}
}

void netns_watch_close(struct netns_watch *nw)
{
	if (!nw)
		return;
	if (nw->fd >= 0)
		close(nw->fd);
	free(nw->named);
	free(nw->live);
	free(nw);
}
