// SPDX-License-Identifier: GPL-2.0
/*
 * The event stream: runs the sources (tracepoints, rtnetlink, inotify on
 * /run/netns, a reconciler for namespaces that are gone, auto-attach) on one
 * epoll loop and hands their events to the consumer on one clock.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "events/autoattach.h"
#include "events/event_counters.h"
#include "events/event_rtnl.h"
#include "events/event_tracers.h"
#include "events/events_internal.h"
#include "util/grow.h"
#include "util/log.h"
#include "lab/netns.h"

#define CONSUME_MS_DEFAULT	5
#define RECONCILE_MS		1000

const char *const event_type_names[EVENT_TYPE_MAX + 1] = {
	[EVENT_NETNS] = "netns",	[EVENT_NS] = "ns",
	[EVENT_LINK] = "link",		[EVENT_ADDR] = "addr",
	[EVENT_NEIGH] = "neigh",	[EVENT_FDB] = "fdb",
	[EVENT_DROP] = "drop",		[EVENT_COUNTERS] = "counters",
	[EVENT_ATTACH] = "attach",	[EVENT_LOST] = "lost",
};

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

struct event_stream {
	struct event_opts opts;
	struct ns_names names;
	struct event_tracers *tracers;
	struct event_rtnl *rtnl;
	struct autoattach *autoattach;
	struct event_counters *counters;
	int epoll_fd;
	int inotify_fd;
	__u64 next_consume_us, next_reconcile_us, next_counters_us;
	struct live_ns *live;
	size_t nlive, live_cap;
	struct named_ns *named;
	size_t nnamed;
	struct nl_sock *nl;		/* gives new named namespaces an nsid */
	/* Where event_emit() delivers: the reconciler's bookkeeping, then the consumer. */
	event_cb cb;
	void *cb_data;
	event_cb consumer;
	void *consumer_data;
	int delivered;
};

int event_types_parse(const char *text, unsigned int *mask, char *bad, size_t bad_size)
{
	char *copy = strdup(text), *save = NULL, *tok;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	*mask = 0;
	for (tok = strtok_r(copy, ",", &save); tok && !err; tok = strtok_r(NULL, ",", &save)) {
		int i;

		for (i = 0; i < EVENT_TYPE_MAX; i++)
			if (!strcmp(tok, event_type_names[i]))
				break;
		if (i == EVENT_TYPE_MAX) {
			snprintf(bad, bad_size, "%s", tok);
			err = -EINVAL;
		}
		*mask |= 1U << i;
	}
	if (!err && !*mask) {
		snprintf(bad, bad_size, "%s", text);
		err = -EINVAL;
	}
	free(copy);
	return err;
}

__u64 event_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000;
}

__s64 event_clock_offset_ns(void)
{
	struct timespec mono, real;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	return (real.tv_sec - mono.tv_sec) * 1000000000LL + (real.tv_nsec - mono.tv_nsec);
}

static bool wanted(const struct event_stream *es, enum event_type type)
{
	return !es->opts.types || (es->opts.types & (1U << type));
}

static void format_time(__u64 time_us, char *buf, size_t size)
{
	time_t sec = time_us / 1000000;
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%06lluZ", (unsigned long long)(time_us % 1000000));
}

void event_emit(struct event_stream *es, enum event_type type, __u64 time_us, json_t *fields,
		const char *fmt, ...)
{
	char stamp[40], text[400], line[512], upper[16];
	struct nsmon_event ev = { .type = type, .time_us = time_us, .line = line };
	json_t *obj;
	va_list ap;
	size_t i;

	if (!wanted(es, type) || !es->cb) {
		json_decref(fields);
		return;
	}
	format_time(time_us, stamp, sizeof(stamp));
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (i = 0; event_type_names[type][i] && i < sizeof(upper) - 1; i++)
		upper[i] = event_type_names[type][i] - 'a' + 'A';
	upper[i] = '\0';
	snprintf(line, sizeof(line), "[%s] [%s] %s", stamp, upper, text);

	obj = json_pack("{s:s, s:I, s:s}", "time", stamp, "time_us", (json_int_t)time_us,
			"type", event_type_names[type]);
	json_object_update(obj, fields);
	json_decref(fields);
	ev.json = obj;
	es->cb(&ev, es->cb_data);
	es->delivered++;
	json_decref(obj);
}

struct ns_names *event_stream_names(struct event_stream *es)
{
	return &es->names;
}

void event_stream_refresh_names(struct event_stream *es)
{
	ns_names_refresh(&es->names, es->nl);
}

const char *event_netns_label(struct ns_names *names, __u64 inode, char *buf, size_t size)
{
	const struct ns_name *n = ns_names_by_inode(names, inode);

	if (n)
		snprintf(buf, size, "%s", n->name);
	else if (inode && inode == names->host_inode)
		snprintf(buf, size, "host");
	else
		snprintf(buf, size, "net:[%llu]", (unsigned long long)inode);
	return buf;
}

json_t *event_where_json(struct ns_names *names, __u64 netns_inode, const char *ifname,
			 int ifindex)
{
	const struct ns_name *n = ns_names_by_inode(names, netns_inode);

	return json_pack("{s:o, s:I, s:o, s:o}",
			 "netns", n ? json_string(n->name) : json_null(),
			 "netns_inode", (json_int_t)netns_inode,
			 "ifname", ifname && ifname[0] ? json_string(ifname) : json_null(),
			 "ifindex", ifindex ? json_integer(ifindex) : json_null());
}

/* ---- /run/netns: named namespaces come and go ------------------------------ */

static int watch_run_netns(struct event_stream *es)
{
	struct epoll_event ev = { .events = EPOLLIN };

	/* ip netns add makes the directory on first use; so may we. */
	mkdir(NETNS_RUN_DIR, 0755);
	es->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (es->inotify_fd < 0)
		return -errno;
	if (inotify_add_watch(es->inotify_fd, NETNS_RUN_DIR, IN_CREATE | IN_DELETE) < 0)
		return -errno;
	ev.data.fd = es->inotify_fd;
	return epoll_ctl(es->epoll_fd, EPOLL_CTL_ADD, es->inotify_fd, &ev) ? -errno : 0;
}

static void remember_named(struct event_stream *es, const char *name, __u64 inode)
{
	struct named_ns *v = realloc(es->named, (es->nnamed + 1) * sizeof(*v));

	if (!v)
		return;
	es->named = v;
	snprintf(v[es->nnamed].name, sizeof(v->name), "%s", name);
	v[es->nnamed++].inode = inode;
}

static __u64 forget_named(struct event_stream *es, const char *name)
{
	for (size_t i = 0; i < es->nnamed; i++) {
		if (!strcmp(es->named[i].name, name)) {
			__u64 inode = es->named[i].inode;

			es->named[i] = es->named[--es->nnamed];
			return inode;
		}
	}
	return 0;
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

static void on_netns_change(struct event_stream *es, const struct inotify_event *ie)
{
	const struct ns_name *n;
	__u64 inode = 0;
	char name[NAME_MAX + 1];
	bool added = ie->mask & IN_CREATE;

	snprintf(name, sizeof(name), "%s", ie->name);
	if (added) {
		wait_for_bind_mount(name);
		ns_names_refresh(&es->names, es->nl);
		n = NULL;
		for (size_t i = 0; i < es->names.n; i++)
			if (!strcmp(es->names.v[i].name, name))
				n = &es->names.v[i];
		inode = n ? n->inode : 0;
		if (es->rtnl)
			event_rtnl_learn(es->rtnl, name);
		remember_named(es, name, inode);
	} else {
		inode = forget_named(es, name);
		ns_names_refresh(&es->names, es->nl);
	}
	event_emit(es, EVENT_NETNS, event_now_us(),
		   json_pack("{s:s, s:s, s:o}", "action", added ? "added" : "deleted", "name", name,
			     "inode", inode ? json_integer((json_int_t)inode) : json_null()),
		   "%s %s net:[%llu]", added ? "added" : "deleted", name, (unsigned long long)inode);
}

static void read_inotify(struct event_stream *es)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t len;

	while ((len = read(es->inotify_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ie = (const void *)p;

			if (ie->len && ie->name[0] != '.')
				on_netns_change(es, ie);
			p += sizeof(*ie) + ie->len;
		}
	}
}

/* ---- namespaces that are gone ---------------------------------------------- */

static void live_add(struct event_stream *es, const char *type, __u64 inode)
{
	struct live_ns *live;

	for (size_t i = 0; i < es->nlive; i++)
		if (es->live[i].inode == inode && !strcmp(es->live[i].type, type))
			return;
	live = grow(es->live, es->nlive, &es->live_cap, sizeof(*live), 32);
	if (!live)
		return;
	es->live = live;
	snprintf(es->live[es->nlive].type, sizeof(es->live[0].type), "%s", type);
	es->live[es->nlive++].inode = inode;
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

static void reconcile(struct event_stream *es)
{
	for (size_t i = 0; i < es->nlive;) {
		struct live_ns *l = &es->live[i];

		if (ns_still_there(l->type, l->inode) ||
		    (!strcmp(l->type, "net") && ns_names_by_inode(&es->names, l->inode))) {
			i++;
			continue;
		}
		event_emit(es, EVENT_NS, event_now_us(),
			   json_pack("{s:s, s:s, s:I, s:b}", "action", "gone", "ns_type", l->type,
				     "inode", (json_int_t)l->inode, "time_approximate", true),
			   "gone %s:[%llu] (noticed within %d ms)", l->type,
			   (unsigned long long)l->inode, RECONCILE_MS);
		*l = es->live[--es->nlive];
	}
}

/* Remember the namespaces an event created, for the reconciler. */
static void track_created(struct event_stream *es, const struct nsmon_event *ev)
{
	const char *action = json_string_value(json_object_get(ev->json, "action"));

	if (ev->type == EVENT_NS && action && !strcmp(action, "created"))
		live_add(es, json_string_value(json_object_get(ev->json, "ns_type")),
			 json_integer_value(json_object_get(ev->json, "inode")));
}

static void consumer_with_tracking(const struct nsmon_event *ev, void *data)
{
	struct event_stream *es = data;

	track_created(es, ev);
	es->consumer(ev, es->consumer_data);
}

/* Deliver to @cb (through the reconciler's bookkeeping) until es->cb is reset. */
static void set_consumer(struct event_stream *es, event_cb cb, void *data)
{
	es->cb = consumer_with_tracking;
	es->cb_data = es;
	es->consumer = cb;
	es->consumer_data = data;
}

/* ---- the stream ------------------------------------------------------------- */

static bool wants_any(const struct event_opts *opts, unsigned int types)
{
	return !opts->types || (opts->types & types);
}

#define TRACER_TYPES	((1U << EVENT_NS) | (1U << EVENT_NEIGH) | (1U << EVENT_FDB) | \
			 (1U << EVENT_DROP) | (1U << EVENT_LOST))
#define RTNL_TYPES	((1U << EVENT_LINK) | (1U << EVENT_ADDR) | (1U << EVENT_ATTACH))

int event_stream_open(const struct event_opts *opts, struct event_stream **out)
{
	struct event_stream *es = calloc(1, sizeof(*es));
	struct epoll_event ev = { .events = EPOLLIN };
	int err;

	if (!es)
		return -ENOMEM;
	es->opts = *opts;
	if (!es->opts.consume_ms)
		es->opts.consume_ms = CONSUME_MS_DEFAULT;
	es->inotify_fd = -1;
	es->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (es->epoll_fd < 0) {
		err = -errno;
		goto err;
	}
	/* Every named namespace gets an nsid here, so rtnetlink reports its links. */
	es->nl = nl_open();
	if (!es->nl) {
		err = -errno;
		pr_warn("cannot open rtnetlink: %s", strerror(-err));
		goto err;
	}
	ns_names_refresh(&es->names, es->nl);
	for (size_t i = 0; i < es->names.n; i++)
		remember_named(es, es->names.v[i].name, es->names.v[i].inode);

	err = watch_run_netns(es);
	if (err) {
		pr_warn("cannot watch %s: %s", NETNS_RUN_DIR, strerror(-err));
		goto err;
	}
	if (wants_any(opts, TRACER_TYPES)) {
		err = event_tracers_open(es, opts, &es->tracers);
		if (err)
			goto err;
	}
	if (wants_any(opts, RTNL_TYPES) || opts->auto_attach) {
		static const struct rtnl_hooks attach_hooks = {
			.port_added = autoattach_port,
			.port_released = autoattach_released,
			.link_deleted = autoattach_gone,
		};

		if (opts->auto_attach)
			autoattach_open(es, &es->autoattach);
		err = event_rtnl_open(es, es->autoattach ? &attach_hooks : NULL, &es->rtnl);
		if (err)
			goto err;
		ev.data.fd = event_rtnl_fd(es->rtnl);
		if (epoll_ctl(es->epoll_fd, EPOLL_CTL_ADD, ev.data.fd, &ev)) {
			err = -errno;
			goto err;
		}
	}
	if (opts->counters_ms) {
		es->counters = event_counters_new();
		if (!es->counters) {
			err = -ENOMEM;
			goto err;
		}
	}
	*out = es;
	return 0;
err:
	event_stream_close(es);
	return err;
}

struct autoattach *event_stream_autoattach(struct event_stream *es)
{
	return es->autoattach;
}

int event_stream_poll(struct event_stream *es, int timeout_ms, event_cb cb, void *data)
{
	__u64 deadline = event_now_us() + (__u64)timeout_ms * 1000;
	struct epoll_event ready[4];

	set_consumer(es, cb, data);
	es->delivered = 0;

	for (;;) {
		__u64 now = event_now_us();
		int wait_ms, n;

		if (now >= es->next_consume_us || timeout_ms == 0) {
			if (es->tracers)
				event_tracers_consume(es->tracers);
			es->next_consume_us = now + es->opts.consume_ms * 1000ULL;
		}
		if (es->counters && now >= es->next_counters_us) {
			event_counters_tick(es->counters, es);
			es->next_counters_us = now + es->opts.counters_ms * 1000ULL;
		}
		if (es->autoattach)
			autoattach_tick(es);
		if (now >= es->next_reconcile_us) {
			if (es->tracers)
				event_tracers_report_lost(es->tracers);
			reconcile(es);
			es->next_reconcile_us = now + RECONCILE_MS * 1000ULL;
		}
		if (es->delivered || now >= deadline)
			break;
		wait_ms = (int)((es->next_consume_us - now + 999) / 1000);
		if (deadline - now < es->next_consume_us - now)
			wait_ms = (int)((deadline - now + 999) / 1000);
		n = epoll_wait(es->epoll_fd, ready, 4, wait_ms);
		if (n < 0)
			return -errno;
		/* What the tracepoints saw first goes out first, as far as we can tell. */
		if (n && es->tracers)
			event_tracers_consume(es->tracers);
		for (int i = 0; i < n; i++) {
			if (ready[i].data.fd == es->inotify_fd)
				read_inotify(es);
			else if (es->rtnl && ready[i].data.fd == event_rtnl_fd(es->rtnl))
				event_rtnl_read(es->rtnl);
		}
	}
	es->cb = NULL;
	return es->delivered;
}

void event_stream_report_lost(struct event_stream *es, event_cb cb, void *data)
{
	if (!es->tracers)
		return;
	set_consumer(es, cb, data);
	event_tracers_report_lost(es->tracers);
	es->cb = NULL;
}

void event_stream_stop(struct event_stream *es)
{
	if (es->tracers)
		event_tracers_stop(es->tracers);
}

void event_stream_totals(struct event_stream *es, struct event_totals *totals)
{
	memset(totals, 0, sizeof(*totals));
	if (es->tracers)
		event_tracers_totals(es->tracers, totals);
}

__u64 event_stream_drops(struct event_stream *es, __u64 netns_cookie, int ifindex)
{
	return es->tracers ? event_tracers_drops(es->tracers, netns_cookie, ifindex) : 0;
}

void event_stream_close(struct event_stream *es)
{
	if (!es)
		return;
	event_tracers_close(es->tracers);
	event_rtnl_close(es->rtnl);
	autoattach_close(es->autoattach);
	event_counters_free(es->counters);
	if (es->inotify_fd >= 0)
		close(es->inotify_fd);
	if (es->epoll_fd >= 0)
		close(es->epoll_fd);
	nl_close(es->nl);
	ns_names_free(&es->names);
	free(es->live);
	free(es->named);
	free(es);
}
