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
#include "events/event_tracers.h"
#include "model/drop_reasons.h"
#include "util/log.h"
#include "events.skel.h"

#define TRACEFS	"/sys/kernel/tracing"

struct event_tracers {
	struct event_stream *es;
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

static const char *const fdb_actions[] = { "learned", "moved", "deleted", "added" };

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

static void format_mac(const __u8 *mac, char *buf, size_t size)
{
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* "REACHABLE", "STALE|..."; "NONE" for 0. */
static const char *nud_name(__u8 state)
{
	static const char *const bits[] = {
		"INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "NOARP", "PERMANENT",
	};

	for (int i = 0; i < 8; i++)
		if (state & (1U << i))
			return bits[i];	/* the kernel sets one state bit at a time */
	return "NONE";
}

static void emit_ns(struct event_tracers *et, const struct nsmon_ev *ev, __u64 t)
{
	const struct nsmon_ev_ns *ns = &ev->ns;
	const char *action = ns->syscall == NSMON_SYS_SETNS ? "entered" : "created";
	const char *sys = ns->syscall < 4 ? syscall_names[ns->syscall] : "?";

	for (int i = 0; i < NSMON_NS_TYPE_MAX; i++) {
		if (!(ns->types & (1U << i)))
			continue;
		event_emit(et->es, EVENT_NS, t,
			   json_pack("{s:s, s:s, s:I, s:I, s:s, s:i, s:s, s:o}", "action", action,
				     "ns_type", ns_type_names[i], "inode", (json_int_t)ns->inum[i],
				     "parent_inode", (json_int_t)ns->old_inum[i], "syscall", sys,
				     "pid", (int)ev->pid, "comm", ev->comm,
				     "child_pid", ns->child_pid ? json_integer(ns->child_pid) : json_null()),
			   "%s %s:[%u] by %s[%u] via %s%s (was %s:[%u])", action, ns_type_names[i],
			   ns->inum[i], ev->comm, ns->child_pid ? ns->child_pid : ev->pid, sys,
			   ns->child_pid ? " (child)" : "", ns_type_names[i], ns->old_inum[i]);
	}
}

static void emit_neigh(struct event_tracers *et, const struct nsmon_ev *ev, __u64 t)
{
	const struct nsmon_ev_neigh *n = &ev->neigh;
	struct ns_names *names = event_stream_names(et->es);
	char addr[INET6_ADDRSTRLEN] = "?", mac[18], label[NETNS_LABEL_SIZE];
	int family = n->family == AF_INET6 ? AF_INET6 : AF_INET;
	json_t *f;

	inet_ntop(family, n->addr, addr, sizeof(addr));
	format_mac(n->lladdr, mac, sizeof(mac));
	f = event_where_json(names, ev->where.netns_inum, ev->where.ifname, ev->where.ifindex);
	json_object_update_new(f, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}",
		"family", family == AF_INET6 ? "inet6" : "inet", "address", addr, "lladdr", mac,
		"old_state", n->created ? "NONE" : nud_name(n->old_state),
		"new_state", nud_name(n->new_state), "created", n->created));
	event_emit(et->es, EVENT_NEIGH, t, f, "%s dev %s %s lladdr %s %s%s%s",
		   event_netns_label(names, ev->where.netns_inum, label, sizeof(label)),
		   ev->where.ifname, addr, mac, n->created ? "created" : nud_name(n->old_state),
		   n->created ? "" : " -> ", n->created ? "" : nud_name(n->new_state));
}

static void emit_fdb(struct event_tracers *et, const struct nsmon_ev *ev, __u64 t)
{
	const struct nsmon_ev_fdb *fdb = &ev->fdb;
	struct ns_names *names = event_stream_names(et->es);
	const char *action = fdb->action < 4 ? fdb_actions[fdb->action] : "?";
	char mac[18], label[NETNS_LABEL_SIZE];
	json_t *f;

	format_mac(fdb->mac, mac, sizeof(mac));
	f = event_where_json(names, ev->where.netns_inum, ev->where.ifname, ev->where.ifindex);
	json_object_update_new(f, json_pack("{s:s, s:s, s:i, s:s, s:i}", "action", action,
		"bridge", fdb->bridge, "bridge_ifindex", (int)fdb->bridge_ifindex, "mac", mac,
		"vlan", fdb->vid));
	if (fdb->action == NSMON_FDB_MOVED)
		json_object_set_new(f, "old_port_ifindex", json_integer(fdb->old_port_ifindex));
	event_emit(et->es, EVENT_FDB, t, f, "%s %s %s vlan %u on %s (%s)",
		   fdb->bridge[0] ? fdb->bridge : "-", action, mac, fdb->vid,
		   ev->where.ifname[0] ? ev->where.ifname : "-",
		   event_netns_label(names, ev->where.netns_inum, label, sizeof(label)));
}

static void emit_drop(struct event_tracers *et, const struct nsmon_ev *ev, __u64 t)
{
	const struct nsmon_ev_drop *d = &ev->drop;
	struct ns_names *names = event_stream_names(et->es);
	char location[32], label[NETNS_LABEL_SIZE];
	json_t *f;

	snprintf(location, sizeof(location), "0x%llx", (unsigned long long)d->location);
	f = event_where_json(names, ev->where.netns_inum, ev->where.ifname, ev->where.ifindex);
	json_object_update_new(f, json_pack("{s:s, s:i, s:i, s:s, s:i, s:s}",
		"reason", drop_reason_name(d->reason), "reason_code", (int)d->reason,
		"protocol", d->protocol, "location", location, "pid", (int)ev->pid, "comm", ev->comm));
	event_emit(et->es, EVENT_DROP, t, f, "%s dev %s %s protocol 0x%04x",
		   event_netns_label(names, ev->where.netns_inum, label, sizeof(label)),
		   ev->where.ifname[0] ? ev->where.ifname : "-", drop_reason_name(d->reason),
		   d->protocol);
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
	const struct nsmon_ev *ev = data;
	__u64 t;

	if (size < sizeof(*ev) || ev->source >= NSMON_SRC_MAX)
		return 0;
	et->delivered[ev->source]++;
	t = ev->ts_ns / 1000 + et->mono_to_real_us;
	switch (ev->source) {
	case NSMON_SRC_NS:
		emit_ns(et, ev, t);
		break;
	case NSMON_SRC_NEIGH:
		emit_neigh(et, ev, t);
		break;
	case NSMON_SRC_FDB:
		emit_fdb(et, ev, t);
		break;
	case NSMON_SRC_DROP:
		emit_drop(et, ev, t);
		break;
	}
	return 0;
}

int event_tracers_open(struct event_stream *es, const struct event_opts *opts,
		    struct event_tracers **out)
{
	struct event_tracers *et = calloc(1, sizeof(*et));
	int err;

	if (!et)
		return -ENOMEM;
	et->es = es;
	et->mono_to_real_us = event_clock_offset_ns() / 1000;
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
	struct event_totals t;

	for (__u32 src = 0; src < NSMON_SRC_MAX; src++) {
		source_totals(et, src, &t);
		if (t.lost == et->lost_reported[src])
			continue;
		event_emit(et->es, EVENT_LOST, event_now_us(),
			   json_pack("{s:s, s:I, s:I}", "source", source_names[src],
				     "lost", (json_int_t)(t.lost - et->lost_reported[src]),
				     "lost_total", (json_int_t)t.lost),
			   "%s: %llu events lost (ring full), %llu in all", source_names[src],
			   (unsigned long long)(t.lost - et->lost_reported[src]),
			   (unsigned long long)t.lost);
		et->lost_reported[src] = t.lost;
	}
}

__u64 event_tracers_drops(struct event_tracers *et, __u64 cookie, int ifindex)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 per_cpu[ncpus > 0 ? ncpus : 1], sum = 0;
	struct nsmon_drop_key key, next, *prev = NULL;
	int fd = bpf_map__fd(et->skel->maps.drops);

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (key.netns_cookie != cookie || key.ifindex != (__u32)ifindex)
			continue;
		if (bpf_map_lookup_elem(fd, &key, per_cpu) == 0)
			for (int cpu = 0; cpu < ncpus; cpu++)
				sum += per_cpu[cpu];
	}
	return sum;
}

void event_tracers_close(struct event_tracers *et)
{
	if (!et)
		return;
	ring_buffer__free(et->ring);
	events_bpf__destroy(et->skel);
	free(et);
}
