// SPDX-License-Identifier: GPL-2.0
/* Tracepoint event sources: see event_tracers.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "events_abi.h"
#include "datapath/map_read.h"
#include "events/event_tracers.h"
#include "model/drop_reasons.h"
#include "util/clock.h"
#include "util/grow.h"
#include "util/log.h"
#include "events.skel.h"

#define TRACEFS	"/sys/kernel/tracing"

struct event_tracers {
	struct event_sink *sink;
	struct events_bpf *skel;
	struct ring_buffer *ring;
	__s64 mono_to_real_us;		/* add to CLOCK_MONOTONIC µs to get CLOCK_REALTIME µs */
	__u64 delivered[NSMON_SRC_MAX];
	__u64 lost_reported[NSMON_SRC_MAX];	/* what "lost" events have said so far */
};

static const char *const ns_type_names[NSMON_NS_TYPE_MAX] = {
	"net", "mnt", "pid", "uts", "ipc", "user", "cgroup", "time",
};

static const char *const syscall_names[] = { "unshare", "clone", "clone3", "setns" };

/* Tracepoints are attached by their tracefs id: make sure tracefs is there. */
static int ensure_tracefs(void)
{
	struct stat st;

	if (stat(TRACEFS "/events", &st) == 0)
		return 0;
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY)
		return -errno;
	return 0;
}

/*
 * The records' strings (comm, ifname, bridge) are NUL-terminated in the
 * kernel: bpf_get_current_comm() and bpf_probe_read_kernel_str() end them,
 * and a failed read leaves the zeroed record's bytes.
 */
static void where_of(struct event_tracers *et, const struct nsmon_ev *rec, struct event_where *w)
{
	sink_where(et->sink, w, rec->where.netns_inum, rec->where.ifname, rec->where.ifindex);
}

static void emit_ns(struct event_tracers *et, const struct nsmon_ev *rec, struct nsmon_event *ev)
{
	const struct nsmon_ev_ns *ns = &rec->ns;

	ev->type = EVENT_NS;
	ev->ns.action = ns->syscall == NSMON_SYS_SETNS ? EVENT_NS_ENTERED : EVENT_NS_CREATED;
	ev->ns.syscall = ns->syscall < 4 ? syscall_names[ns->syscall] : "?";
	ev->ns.pid = rec->pid;
	ev->ns.comm = rec->comm;
	ev->ns.child_pid = ns->child_pid;
	for (int i = 0; i < NSMON_NS_TYPE_MAX; i++) {
		if (!(ns->types & (1U << i)))
			continue;
		ev->ns.ns_type = ns_type_names[i];
		ev->ns.inode = ns->inum[i];
		ev->ns.parent_inode = ns->old_inum[i];
		sink_emit(et->sink, ev);
	}
}

static void emit_neigh(struct event_tracers *et, const struct nsmon_ev *rec,
		       struct nsmon_event *ev)
{
	const struct nsmon_ev_neigh *n = &rec->neigh;

	ev->type = EVENT_NEIGH;
	where_of(et, rec, &ev->neigh.where);
	ev->neigh.family = n->family == AF_INET6 ? AF_INET6 : AF_INET;
	memcpy(ev->neigh.address, n->addr, sizeof(ev->neigh.address));
	memcpy(ev->neigh.lladdr, n->lladdr, sizeof(ev->neigh.lladdr));
	ev->neigh.old_state = n->old_state;
	ev->neigh.new_state = n->new_state;
	ev->neigh.created = n->created;
	sink_emit(et->sink, ev);
}

static void emit_fdb(struct event_tracers *et, const struct nsmon_ev *rec, struct nsmon_event *ev)
{
	const struct nsmon_ev_fdb *fdb = &rec->fdb;

	ev->type = EVENT_FDB;
	where_of(et, rec, &ev->fdb.where);
	ev->fdb.action = fdb->action <= NSMON_FDB_ADDED ? (enum event_fdb_action)fdb->action :
			 EVENT_FDB_LEARNED;
	ev->fdb.bridge = fdb->bridge;
	ev->fdb.bridge_ifindex = fdb->bridge_ifindex;
	memcpy(ev->fdb.mac, fdb->mac, sizeof(ev->fdb.mac));
	ev->fdb.vlan = fdb->vid;
	ev->fdb.old_port_ifindex = fdb->old_port_ifindex;
	sink_emit(et->sink, ev);
}

static void emit_drop(struct event_tracers *et, const struct nsmon_ev *rec,
		      struct nsmon_event *ev)
{
	const struct nsmon_ev_drop *d = &rec->drop;

	ev->type = EVENT_DROP;
	where_of(et, rec, &ev->drop.where);
	ev->drop.reason = d->reason;
	ev->drop.reason_name = drop_reason_name(d->reason);
	ev->drop.protocol = d->protocol;
	ev->drop.location = d->location;
	ev->drop.pid = rec->pid;
	ev->drop.comm = rec->comm;
	sink_emit(et->sink, ev);
}

/* The event type each program serves, by its section: only the wanted ones are attached. */
static enum event_type program_type(const struct bpf_program *prog)
{
	const char *sec = bpf_program__section_name(prog);

	if (!strncmp(sec, "tracepoint/syscalls/", 20) || !strcmp(sec, "tp_btf/sched_process_fork"))
		return EVENT_NS;
	if (!strncmp(sec, "tp_btf/neigh_", 13))
		return EVENT_NEIGH;
	if (strstr(sec, "fdb_"))
		return EVENT_FDB;
	return EVENT_DROP;
}

/*
 * A source nobody asked for stays detached: it costs nothing, and its events
 * cannot crowd the ring (a machine-wide flood of drops would make `explain`
 * lose the neighbour events it is there for).
 */
static void attach_wanted_only(struct events_bpf *skel, unsigned int types)
{
	struct bpf_program *prog;

	if (!types)
		return;
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoattach(prog, types & (1U << program_type(prog)));
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct event_tracers *et = ctx;
	const struct nsmon_ev *rec = data;
	struct nsmon_event ev = { .time_us = rec->ts_ns / 1000 + et->mono_to_real_us };

	if (size < sizeof(*rec) || rec->source >= NSMON_SRC_MAX)
		return 0;
	et->delivered[rec->source]++;
	switch (rec->source) {
	case NSMON_SRC_NS:
		emit_ns(et, rec, &ev);
		break;
	case NSMON_SRC_NEIGH:
		emit_neigh(et, rec, &ev);
		break;
	case NSMON_SRC_FDB:
		emit_fdb(et, rec, &ev);
		break;
	case NSMON_SRC_DROP:
		emit_drop(et, rec, &ev);
		break;
	}
	return 0;
}

int event_tracers_open(struct event_sink *sink, const struct event_opts *opts,
		       struct event_tracers **out)
{
	struct event_tracers *et = calloc(1, sizeof(*et));
	int err;

	if (!et)
		return -ENOMEM;
	et->sink = sink;
	et->mono_to_real_us = clock_mono_to_real_ns() / 1000;
	if (drop_reasons_load())
		pr_info("cannot read drop reason names from the kernel's BTF: showing numbers");
	err = ensure_tracefs();
	if (err) {
		pr_warn("cannot mount tracefs on %s: %s", TRACEFS, strerror(-err));
		goto err;
	}
	et->skel = events_bpf__open();
	if (!et->skel) {
		err = -errno;
		pr_warn("cannot open the event programs: %s", strerror(-err));
		goto err;
	}
	et->skel->rodata->drops_per_sec = opts->drops_per_sec;
	et->skel->rodata->scope_all = opts->scope.all;
	et->skel->rodata->filter = opts->filter;
	et->skel->rodata->self_tgid = getpid();
	if (opts->ring_kb)
		bpf_map__set_max_entries(et->skel->maps.events, opts->ring_kb * 1024);
	attach_wanted_only(et->skel, opts->types);
	err = events_bpf__load(et->skel);
	if (!err)
		err = events_bpf__attach(et->skel);
	if (err) {
		pr_warn("cannot load the event programs: %s (nsmon -v shows why)", strerror(-err));
		goto err;
	}
	et->ring = ring_buffer__new(bpf_map__fd(et->skel->maps.events), on_record, et, NULL);
	if (!et->ring) {
		err = -errno;
		pr_warn("cannot map the event ring buffer: %s", strerror(-err));
		goto err;
	}
	*out = et;
	return 0;
err:
	event_tracers_close(et);
	return err;
}

int event_tracers_scope_fd(const struct event_tracers *et)
{
	return bpf_map__fd(et->skel->maps.scope);
}

void event_tracers_stop(struct event_tracers *et)
{
	events_bpf__detach(et->skel);
}

int event_tracers_consume(struct event_tracers *et)
{
	return ring_buffer__consume(et->ring);
}

static const char *const source_names[NSMON_SRC_MAX] = { "ns", "neigh", "fdb", "drop" };

/* The totals of one source, summed over the CPUs. */
static void source_totals(struct event_tracers *et, __u32 src, struct event_totals *t)
{
	int ncpus = libbpf_num_possible_cpus();
	struct { __u64 submitted, lost, suppressed; } per_cpu[ncpus > 0 ? ncpus : 1];

	memset(t, 0, sizeof(*t));
	t->delivered = et->delivered[src];
	if (bpf_map_lookup_elem(bpf_map__fd(et->skel->maps.totals), &src, per_cpu))
		return;
	for (int cpu = 0; cpu < ncpus; cpu++) {
		t->submitted += per_cpu[cpu].submitted;
		t->lost += per_cpu[cpu].lost;
		t->suppressed += per_cpu[cpu].suppressed;
	}
}

void event_tracers_totals(struct event_tracers *et, struct event_totals *t)
{
	struct event_totals one;

	for (__u32 src = 0; src < NSMON_SRC_MAX; src++) {
		source_totals(et, src, &one);
		t->submitted += one.submitted;
		t->delivered += one.delivered;
		t->lost += one.lost;
		t->suppressed += one.suppressed;
	}
}

void event_tracers_report_lost(struct event_tracers *et)
{
	struct nsmon_event ev = { .type = EVENT_LOST };
	struct event_totals t;

	for (__u32 src = 0; src < NSMON_SRC_MAX; src++) {
		source_totals(et, src, &t);
		if (t.lost == et->lost_reported[src])
			continue;
		ev.time_us = sink_now_us(et->sink);
		ev.lost.source = source_names[src];
		ev.lost.lost = t.lost - et->lost_reported[src];
		ev.lost.lost_total = t.lost;
		sink_emit(et->sink, &ev);
		et->lost_reported[src] = t.lost;
	}
}

/* One interface's drops, all reasons and CPUs summed. */
struct iface_drops {
	__u64 netns_cookie;
	__u32 ifindex;
	__u64 drops;
};

struct event_drops {
	struct iface_drops *v;		/* by (netns_cookie, ifindex), once the map is read */
	size_t n, cap;
	int ncpus;
};

static int keep_drops(const void *key, const void *percpu, void *data)
{
	const struct nsmon_drop_key *k = key;
	struct event_drops *d = data;
	struct iface_drops *grown, *e;

	grown = grow(d->v, d->n, &d->cap, sizeof(*grown), 64);
	if (!grown)
		return -ENOMEM;
	d->v = grown;
	e = &d->v[d->n++];
	*e = (struct iface_drops){ .netns_cookie = k->netns_cookie, .ifindex = k->ifindex };
	for (int cpu = 0; cpu < d->ncpus; cpu++)
		e->drops += ((const __u64 *)percpu)[cpu];
	return 0;
}

static int by_iface(const void *a, const void *b)
{
	const struct iface_drops *x = a, *y = b;

	if (x->netns_cookie != y->netns_cookie)
		return x->netns_cookie < y->netns_cookie ? -1 : 1;
	return x->ifindex < y->ifindex ? -1 : x->ifindex > y->ifindex;
}

int event_tracers_drops(struct event_tracers *et, struct event_drops **out)
{
	struct event_drops *d = calloc(1, sizeof(*d));
	size_t n = 0;
	int err;

	if (!d)
		return -ENOMEM;
	d->ncpus = libbpf_num_possible_cpus();
	err = d->ncpus < 0 ? d->ncpus :
	      map_read_all(bpf_map__fd(et->skel->maps.drops), sizeof(struct nsmon_drop_key),
			   sizeof(__u64), true, keep_drops, d);
	if (err) {
		event_drops_free(d);
		return err;
	}
	/* One entry per interface: its reasons added up. */
	qsort(d->v, d->n, sizeof(*d->v), by_iface);
	for (size_t i = 0; i < d->n; i++) {
		if (n && !by_iface(&d->v[n - 1], &d->v[i]))
			d->v[n - 1].drops += d->v[i].drops;
		else
			d->v[n++] = d->v[i];
	}
	d->n = n;
	*out = d;
	return 0;
}

__u64 event_drops_of(const struct event_drops *d, __u64 netns_cookie, int ifindex)
{
	const struct iface_drops want = { .netns_cookie = netns_cookie, .ifindex = (__u32)ifindex };
	const struct iface_drops *e;

	if (!d || !d->n)
		return 0;
	e = bsearch(&want, d->v, d->n, sizeof(*d->v), by_iface);
	return e ? e->drops : 0;
}

void event_drops_free(struct event_drops *d)
{
	if (!d)
		return;
	free(d->v);
	free(d);
}

void event_tracers_close(struct event_tracers *et)
{
	if (!et)
		return;
	ring_buffer__free(et->ring);
	events_bpf__destroy(et->skel);
	free(et);
}
