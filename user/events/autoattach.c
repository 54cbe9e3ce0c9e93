// SPDX-License-Identifier: GPL-2.0
/* Attaching to ports that join a monitored bridge: see autoattach.h. */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/if_link.h>

#include "events/autoattach.h"
#include "datapath/datapath.h"
#include "lab/ledger.h"
#include "lab/link.h"
#include "util/grow.h"
#include "util/log.h"
#include "lab/netns.h"
#include "nsmon.h"

/*
 * A port this process attached to, and the ledger lines that say so (as
 * substrings: the port's pins, the counters of both ends), so that its
 * deletion releases them.
 */
struct attached_port {
	char bridge[IF_NAMESIZE];
	char port[IF_NAMESIZE];
	int ifindex;
	char lines[3][NAME_MAX + 2 * IF_NAMESIZE];
	char qdisc[32];		/* "qdisc - IFINDEX": its clsact qdisc, when it has one */
	char filter[32];	/* "filter - IFINDEX " */
};

/*
 * A port waiting for its decision: at once, unless another nsmon is
 * changing a lab here (`nsmon up NS` creates its port, records it, then
 * attaches; two attachments would count every frame twice): then again
 * every RECHECK_US, until it is done (at most OWN_US), and the port has its
 * hooks or is anyone's to attach. Nothing in the port's own netlink
 * messages tells `up`'s from one made by hand: both say "added", then
 * "enslaved", from nobody in particular.
 */
#define RECHECK_US	20000
#define OWN_US		60000000

struct waiting_port {
	char bridge[IF_NAMESIZE];
	char port[IF_NAMESIZE];
	int ifindex;
	__u64 due_us;
	__u64 since_us;		/* when it became a port */
};

/*
 * The datapath programs, loaded for a bridge before its next port comes:
 * loading them takes 20-45 ms here, as long as everything else an attach
 * does, and a port enslaved by hand may be up and passing frames by then.
 */
struct loaded {
	char bridge[IF_NAMESIZE];
	struct datapath dp;
	bool ok;
};

struct autoattach {
	struct event_sink *sink;
	struct loaded *loaded;
	size_t nloaded, loaded_cap;
	struct waiting_port *waiting;
	size_t nwaiting;
	struct nl_sock *nl;
	int host_fd;
	__u64 host_inode;	/* our namespace's */
	char comm[16];		/* ours: another nsmon is a process of that name */
	struct attached_port *ports;
	size_t nports;
};

/* The first line of /proc/@pid/@what into @buf, or "". */
static void read_proc(const char *pid, const char *what, char *buf, size_t size)
{
	char path[64];
	ssize_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/%s", pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/*
 * The programs to attach to @bridge's ports with, loaded now or before and
 * still counting into the pinned maps (a `down` and `up` since make new ones).
 * Auto-attach uses clsact filters: a tcx link waits for an RCU grace period
 * per hook (20-30 ms here, two per port), a filter does not (1-4 ms for both).
 * Return: the datapath (its ledger @lg), or NULL after the error line.
 */
static struct datapath *datapath_for(struct autoattach *aa, const char *bridge, struct ledger *lg)
{
	struct loaded *l = NULL;

	for (size_t i = 0; i < aa->nloaded && !l; i++)
		if (!strcmp(aa->loaded[i].bridge, bridge))
			l = &aa->loaded[i];
	if (!l) {
		l = grow(aa->loaded, aa->nloaded, &aa->loaded_cap, sizeof(*l), 4);
		if (!l)
			return NULL;
		aa->loaded = l;
		l = &aa->loaded[aa->nloaded++];
		memset(l, 0, sizeof(*l));
		snprintf(l->bridge, sizeof(l->bridge), "%s", bridge);
	}
	if (l->ok && !datapath_maps_current(&l->dp)) {
		datapath_close(&l->dp);
		l->ok = false;
	}
	if (!l->ok)
		l->ok = !datapath_open(&l->dp, bridge, aa->host_fd, TC_MODE_CLSACT, false, lg);
	if (!l->ok)
		return NULL;
	l->dp.ledger = lg;
	return &l->dp;
}

/* Load the programs for a monitored bridge now, quietly: a failure says why when it matters. */
static int preload(const char *bridge, void *data)
{
	struct autoattach *aa = data;
	bool was_quiet = log_quiet(true);
	struct datapath *dp = datapath_for(aa, bridge, NULL);

	log_quiet(was_quiet);
	if (dp)
		dp->ledger = NULL;
	return 0;
}

int autoattach_open(struct event_sink *sink, struct autoattach **out)
{
	struct autoattach *aa = calloc(1, sizeof(*aa));

	if (!aa)
		return -ENOMEM;
	aa->sink = sink;
	aa->nl = nl_open();
	aa->host_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (aa->host_fd >= 0)
		netns_inode(aa->host_fd, &aa->host_inode);
	read_proc("self", "comm", aa->comm, sizeof(aa->comm));
	if (!aa->nl || aa->host_fd < 0) {
		int err = -errno;

		pr_warn("cannot open rtnetlink or our namespace for auto-attach: %s", strerror(-err));
		autoattach_close(aa);
		return err;
	}
	ledger_foreach_bridge(preload, aa);
	*out = aa;
	return 0;
}

/* The peer of veth @port: its name, ifindex and named namespace, if it has one. */
struct peer {
	const struct ns_name *netns;	/* NULL: our namespace or an unnamed one */
	struct link_info info;
	int netns_fd;
};

static int find_peer(struct autoattach *aa, int ifindex, struct peer *peer)
{
	struct ns_names *names = aa->sink->names;
	struct link_info port;
	struct nl_sock *inner;
	int err;

	memset(peer, 0, sizeof(*peer));
	peer->netns_fd = -1;
	err = link_get_index(aa->nl, ifindex, &port);
	if (err || strcmp(port.kind, "veth") || !port.peer_ifindex)
		return err ?: -ENOENT;
	if (port.peer_netnsid < 0)
		return link_get_index(aa->nl, port.peer_ifindex, &peer->info);
	peer->netns = ns_names_by_nsid(names, port.peer_netnsid);
	if (!peer->netns) {
		aa->sink->refresh_names(aa->sink);
		peer->netns = ns_names_by_nsid(names, port.peer_netnsid);
	}
	if (!peer->netns)
		return -ENOENT;
	peer->netns_fd = netns_open(peer->netns->name);
	if (peer->netns_fd < 0)
		return peer->netns_fd;
	inner = nl_open_in(peer->netns_fd);
	err = inner ? link_get_index(inner, port.peer_ifindex, &peer->info) : -errno;
	nl_close(inner);
	return err;
}

/* A ledger "filter" line (clsact) of interface @data, an int *: "- IFINDEX DIR HANDLE PRIO". */
static int is_filter_of(const char *rest, void *data)
{
	int ifindex;

	return sscanf(rest, "- %d", &ifindex) == 1 && ifindex == *(int *)data;
}

/* Does @port (@ifindex) of @bridge have nsmon's programs: a tcx pin, or clsact filters? */
static bool has_hooks(const struct ledger *lg, const char *bridge, const char *port, int ifindex)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s/host:%s:tcx_ingress", NSMON_PIN_ROOT, bridge, port);
	return stat(path, &st) == 0 || ledger_foreach(lg, "filter", is_filter_of, &ifindex) > 0;
}

/* Is @ifindex still a port of @bridge? A port may leave again before its decision. */
static bool still_port_of(struct autoattach *aa, int ifindex, const char *bridge)
{
	struct link_info port, br;

	return !link_get_index(aa->nl, ifindex, &port) && !link_get(aa->nl, bridge, &br) &&
	       port.master == br.ifindex;
}

/* This process's record of @port (@ifindex), or NULL. */
static struct attached_port *find_port(struct autoattach *aa, int ifindex, const char *port)
{
	for (size_t i = 0; i < aa->nports; i++)
		if (aa->ports[i].ifindex == ifindex && !strcmp(aa->ports[i].port, port))
			return &aa->ports[i];
	return NULL;
}

static void remember(struct autoattach *aa, const char *bridge, const char *port, int ifindex,
		     const struct peer *peer)
{
	struct ns_names *names = aa->sink->names;
	struct attached_port *v, *p = find_port(aa, ifindex, port);

	if (!p) {	/* attached again after a release: the same record */
		v = realloc(aa->ports, (aa->nports + 1) * sizeof(*v));
		if (!v)
			return;
		aa->ports = v;
		p = &v[aa->nports++];
	}
	memset(p, 0, sizeof(*p));
	snprintf(p->bridge, sizeof(p->bridge), "%s", bridge);
	snprintf(p->port, sizeof(p->port), "%s", port);
	p->ifindex = ifindex;
	snprintf(p->lines[0], sizeof(p->lines[0]), "/host:%s:", port);
	snprintf(p->lines[1], sizeof(p->lines[1]), "keys %llu %d",
		 (unsigned long long)names->host_cookie, ifindex);
	snprintf(p->qdisc, sizeof(p->qdisc), "qdisc - %d", ifindex);
	snprintf(p->filter, sizeof(p->filter), "filter - %d ", ifindex);
	if (peer->netns && peer->info.ifindex)
		snprintf(p->lines[2], sizeof(p->lines[2]), "keys %llu %d",
			 (unsigned long long)peer->netns->cookie, peer->info.ifindex);
}

static void emit_attach(struct autoattach *aa, enum event_attach_action action,
			const char *bridge, const char *port, int ifindex, const struct peer *peer,
			const struct event_baseline *before)
{
	struct nsmon_event ev = { .type = EVENT_ATTACH, .time_us = sink_now_us(aa->sink) };

	ev.attach.action = action;
	ev.attach.bridge = bridge;
	ev.attach.port = port;
	ev.attach.ifindex = ifindex;
	if (peer && peer->info.ifindex) {
		ev.attach.peer = peer->info.name;
		ev.attach.peer_netns = peer->netns ? peer->netns->name : NULL;
	}
	if (before) {
		ev.attach.has_baseline = true;
		ev.attach.before = *before;
	}
	sink_emit(aa->sink, &ev);
}

void autoattach_port(struct autoattach *aa, int ifindex, const char *ifname, const char *master)
{
	struct waiting_port *v, *w;

	v = realloc(aa->waiting, (aa->nwaiting + 1) * sizeof(*v));
	if (!v)
		return;
	aa->waiting = v;
	w = &v[aa->nwaiting++];
	snprintf(w->bridge, sizeof(w->bridge), "%s", master);
	snprintf(w->port, sizeof(w->port), "%s", ifname);
	w->ifindex = ifindex;
	w->since_us = sink_now_us(aa->sink);
	w->due_us = w->since_us;
}

/*
 * What the kernel counted on the port up to now: the frames that crossed it
 * before the programs did (the port counts both ends of its veth pair).
 * Read right after attaching, so nothing slips between: a frame at that
 * very moment may be in both.
 */
static bool baseline(struct autoattach *aa, int ifindex, struct event_baseline *before)
{
	struct rtnl_link_stats64 st;

	if (link_get_stats(aa->nl, ifindex, &st))
		return false;
	before->rx_packets = st.rx_packets;
	before->rx_bytes = st.rx_bytes;
	before->tx_packets = st.tx_packets;
	before->tx_bytes = st.tx_bytes;
	return true;
}

/* Look at @w again a moment later. */
static void recheck(struct autoattach *aa, const struct waiting_port *w)
{
	struct waiting_port *v = realloc(aa->waiting, (aa->nwaiting + 1) * sizeof(*v));

	if (!v)
		return;
	aa->waiting = v;
	v[aa->nwaiting] = *w;
	v[aa->nwaiting++].due_us = sink_now_us(aa->sink) + RECHECK_US;
}

/*
 * Is another nsmon changing a lab in our namespace now (up, attach, down,
 * detach)? What it makes is its own to attach, and it will have by the time
 * it exits. (The lock each of those commands will take on its bridge is
 * the better answer, once there is one.)
 */
static bool nsmon_busy_here(struct autoattach *aa)
{
	static const char *const changers[] = { "up", "attach", "down", "detach" };
	char comm[16], cmdline[256], self[16], path[64 + NAME_MAX];
	bool busy = false;
	struct dirent *de;
	struct stat st;
	DIR *proc;

	proc = opendir("/proc");
	if (!proc)
		return false;
	snprintf(self, sizeof(self), "%d", (int)getpid());
	while (!busy && (de = readdir(proc))) {
		ssize_t n;
		int fd;

		if (de->d_name[0] < '0' || de->d_name[0] > '9' || !strcmp(de->d_name, self))
			continue;
		read_proc(de->d_name, "comm", comm, sizeof(comm));
		if (strcmp(comm, aa->comm))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", de->d_name);
		if (stat(path, &st) || st.st_ino != aa->host_inode)
			continue;
		/* The subcommand: the first argument after argv[0] that is not a global option. */
		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd >= 0 ? read(fd, cmdline, sizeof(cmdline) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n <= 0)
			continue;
		cmdline[n] = '\0';
		for (char *arg = cmdline + strlen(cmdline) + 1; arg < cmdline + n;
		     arg += strlen(arg) + 1) {
			if (arg[0] == '-')
				continue;
			for (size_t i = 0; i < sizeof(changers) / sizeof(changers[0]); i++)
				busy |= !strcmp(arg, changers[i]);
			break;
		}
	}
	closedir(proc);
	return busy;
}

/*
 * Attach to port @w and its @peer. A port that goes while this runs (a
 * script that enslaves and deletes at once) is no failure: its messages
 * are held back until it is known which it was.
 */
static int attach(struct autoattach *aa, const struct waiting_port *w, const struct peer *peer,
		  struct ledger *lg)
{
	struct datapath *dp;
	char *held = NULL;
	size_t len = 0;
	FILE *msgs = open_memstream(&held, &len);
	int err;

	if (msgs)
		log_capture(msgs);
	dp = datapath_for(aa, w->bridge, lg);
	err = dp ? datapath_attach_port(dp, aa->host_fd, w->port, w->ifindex) : -EINVAL;
	if (!err && peer->info.ifindex)
		err = datapath_attach_peer(dp, peer->netns ? peer->netns->name : NULL,
					   peer->netns ? peer->netns_fd : aa->host_fd,
					   peer->info.name, peer->info.ifindex, false);
	if (dp)
		dp->ledger = NULL;
	if (msgs) {
		log_capture(NULL);
		fclose(msgs);
		if (err && held && still_port_of(aa, w->ifindex, w->bridge))
			fputs(held, stderr);
		free(held);
	}
	return err;
}

static void decide(struct autoattach *aa, const struct waiting_port *w)
{
	struct event_baseline before;
	struct ledger *lg;
	struct peer peer;
	int err;

	if (ledger_open(w->bridge, &lg))
		return;		/* not a bridge nsmon monitors */
	if (!still_port_of(aa, w->ifindex, w->bridge)) {
		ledger_close(lg);
		return;		/* released already: autoattach_released() said so */
	}
	/* `nsmon up NS` and `nsmon attach` hook their ports as they make or find them. */
	if (has_hooks(lg, w->bridge, w->port, w->ifindex)) {
		ledger_close(lg);
		emit_attach(aa, EVENT_ATTACH_COUNTED, w->bridge, w->port, w->ifindex, NULL, NULL);
		return;
	}
	if (sink_now_us(aa->sink) - w->since_us < OWN_US && nsmon_busy_here(aa)) {
		ledger_close(lg);
		recheck(aa, w);
		return;
	}
	find_peer(aa, w->ifindex, &peer);
	err = attach(aa, w, &peer, lg);
	if (err) {
		if (still_port_of(aa, w->ifindex, w->bridge))
			pr_warn("cannot attach to new port %s of %s: %s", w->port, w->bridge,
				strerror(-err));
	} else {
		remember(aa, w->bridge, w->port, w->ifindex, &peer);
		emit_attach(aa, EVENT_ATTACH_ATTACHED, w->bridge, w->port, w->ifindex, &peer,
			    baseline(aa, w->ifindex, &before) ? &before : NULL);
	}
	if (peer.netns_fd >= 0)
		close(peer.netns_fd);
	ledger_close(lg);
}

void autoattach_tick(struct autoattach *aa)
{
	__u64 now = sink_now_us(aa->sink);

	for (size_t i = 0; i < aa->nwaiting;) {
		struct waiting_port w = aa->waiting[i];

		if (w.due_us > now) {
			i++;
			continue;
		}
		aa->waiting[i] = aa->waiting[--aa->nwaiting];
		decide(aa, &w);
	}
}

static bool is_port_line(const char *line, void *data)
{
	const struct attached_port *p = data;

	if (!strncmp(line, "keys ", 5))
		return !strcmp(line, p->lines[1]) || (p->lines[2][0] && !strcmp(line, p->lines[2]));
	return (!strncmp(line, "pin ", 4) && strstr(line, p->lines[0])) ||
	       !strcmp(line, p->qdisc) || !strncmp(line, p->filter, strlen(p->filter));
}

/* The ledger lines of a port's programs: its pins, or its clsact qdisc and filters. */
struct port_hooks {
	char pin[IF_NAMESIZE + 8];	/* "/host:PORT:" */
	char qdisc[32];			/* "qdisc - IFINDEX" */
	char filter[32];		/* "filter - IFINDEX " */
	int matched;
};

static bool is_hook_line(const char *line, void *data)
{
	struct port_hooks *h = data;
	bool hook = !strncmp(line, "pin ", 4) ? strstr(line, h->pin) != NULL :
		    !strcmp(line, h->qdisc) || !strncmp(line, h->filter, strlen(h->filter));

	h->matched += hook;
	return hook;
}

/* Is bridge @name gone (deleted, or its name taken by something else)? */
static bool bridge_gone(struct autoattach *aa, const char *name)
{
	struct link_info br;
	int err = link_get(aa->nl, name, &br);

	return err == -ENODEV || (!err && strcmp(br.kind, "bridge"));
}

void autoattach_released(struct autoattach *aa, int ifindex, const char *ifname,
			 const char *master)
{
	struct port_hooks h = {};
	struct ledger *lg;
	int err;

	/* Enslaved and released within the settling time: nothing to decide. */
	for (size_t i = 0; i < aa->nwaiting;) {
		if (aa->waiting[i].ifindex == ifindex && !strcmp(aa->waiting[i].bridge, master))
			aa->waiting[i] = aa->waiting[--aa->nwaiting];
		else
			i++;
	}
	if (ledger_open(master, &lg))
		return;		/* not a bridge nsmon monitors */
	snprintf(h.pin, sizeof(h.pin), "/host:%s:", ifname);
	snprintf(h.qdisc, sizeof(h.qdisc), "qdisc - %d", ifindex);
	snprintf(h.filter, sizeof(h.filter), "filter - %d ", ifindex);
	err = ledger_undo_if(lg, is_hook_line, &h);
	ledger_close(lg);
	/*
	 * A bridge that is deleted releases its ports first: what is left of
	 * its lab is `nsmon down`'s to undo, and nothing here went wrong.
	 */
	if (err && bridge_gone(aa, master))
		pr_debug("ports of %s, gone: %s left to nsmon down (%s)", master, ifname,
			 strerror(-err));
	else if (err)
		pr_warn("cannot take the programs off %s, released from %s: %s", ifname, master,
			strerror(-err));
	else if (h.matched)	/* its counters (and this process's record of it) stay */
		emit_attach(aa, EVENT_ATTACH_DETACHED, master, ifname, ifindex, NULL, NULL);
}

void autoattach_gone(struct autoattach *aa, int ifindex, const char *ifname)
{
	struct ledger *lg;

	/* Deleted before its decision: there is nothing to decide. */
	for (size_t i = 0; i < aa->nwaiting;) {
		if (aa->waiting[i].ifindex == ifindex && !strcmp(aa->waiting[i].port, ifname))
			aa->waiting[i] = aa->waiting[--aa->nwaiting];
		else
			i++;
	}
	for (size_t i = 0; i < aa->nports; i++) {
		struct attached_port *p = &aa->ports[i];

		if (p->ifindex != ifindex || strcmp(p->port, ifname))
			continue;
		/* The devices are gone, so are their programs: pins, filters and counters are left. */
		if (ledger_open(p->bridge, &lg) == 0) {
			ledger_undo_if(lg, is_port_line, p);
			ledger_close(lg);
		}
		emit_attach(aa, EVENT_ATTACH_RELEASED, p->bridge, ifname, ifindex, NULL, NULL);
		*p = aa->ports[--aa->nports];
		return;
	}
}

void autoattach_close(struct autoattach *aa)
{
	if (!aa)
		return;
	for (size_t i = 0; i < aa->nloaded; i++)
		if (aa->loaded[i].ok)
			datapath_close(&aa->loaded[i].dp);
	free(aa->loaded);
	nl_close(aa->nl);
	if (aa->host_fd >= 0)
		close(aa->host_fd);
	free(aa->ports);
	free(aa->waiting);
	free(aa);
}
