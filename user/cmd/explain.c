// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon explain [--to NS|ADDR]: one ping's whole story as a ladder, one line per real hook,
 * in time order: the ARP request leaving red and flooded by the bridge, the
 * FDB learning red's MAC, blue's neighbour entry, the ARP reply, red's
 * neighbour going INCOMPLETE -> REACHABLE, then the echo request and reply
 * through every hop. Each line names the kernel hook it came from, so a
 * student can find it in the kernel source.
 */
#define _GNU_SOURCE		/* setns */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/wait.h>

#include "cmd/cli.h"
#include "cmd/filter_options.h"
#include "cmd/scope_options.h"
#include "datapath/datapath.h"
#include "events/event_write.h"
#include "events/events.h"
#include "lab/lab.h"
#include "lab/link.h"
#include "util/clock.h"
#include "util/log.h"
#include "lab/netns.h"
#include "datapath/path.h"

#define MAX_STEPS	512
#define SETTLE_MS	300	/* after the echo reply is consumed, for stragglers */

static const char *const hop_hooks[NSMON_HOP_MAX] = {
	"tc egress", "tc ingress", "tc egress", "tc ingress", "skb:consume_skb",
};

static const char *const kind_names[] = {
	[NSMON_PKT_OTHER] = "packet",
	[NSMON_PKT_ARP_REQUEST] = "ARP request",
	[NSMON_PKT_ARP_REPLY] = "ARP reply",
	[NSMON_PKT_ECHO_REQUEST] = "ICMP echo request",
	[NSMON_PKT_ECHO_REPLY] = "ICMP echo reply",
	[NSMON_PKT_TCP] = "TCP segment",
	[NSMON_PKT_UDP] = "UDP datagram",
};

/* One line of the ladder. */
struct step {
	__u64 time_ns;		/* CLOCK_REALTIME */
	char where[48];		/* "red veth-red", "host v-net-0" */
	char hook[32];
	char what[160];
	char kind[24];		/* "hop", "neigh", "fdb" */
};

struct story {
	struct path_tracer *pt;
	struct nsmon_filter filter;	/* the steps shown (the story is followed whole) */
	struct path_end_info from, to;
	struct step steps[MAX_STEPS];
	int n;
	__s64 mono_to_real_ns;
	__u64 start_ns;		/* CLOCK_REALTIME: what came before (our own cleaning) is not the story */
	char from_addr[INET_ADDRSTRLEN], to_addr[INET_ADDRSTRLEN];	/* the neighbours of the story */
	bool echo_request_seen;		/* leaving --from: there is a story to tell */
	bool echo_reply_consumed;	/* back in --from: the story is complete */
};

static struct step *new_step(struct story *s, __u64 time_ns)
{
	struct step *st;

	if (time_ns < s->start_ns || s->n >= MAX_STEPS)
		return NULL;
	st = memset(&s->steps[s->n++], 0, sizeof(struct step));
	st->time_ns = time_ns;
	return st;
}

static void describe_packet(const struct nsmon_hop_event *h, char *buf, size_t size)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	const char *kind = h->key.kind < sizeof(kind_names) / sizeof(kind_names[0]) ?
			   kind_names[h->key.kind] : "packet";

	inet_ntop(AF_INET, &h->key.saddr, a, sizeof(a));
	inet_ntop(AF_INET, &h->key.daddr, b, sizeof(b));
	switch (h->key.kind) {
	case NSMON_PKT_ARP_REQUEST:
		snprintf(buf, size, "%s who-has %s tell %s", kind, b, a);
		break;
	case NSMON_PKT_ARP_REPLY:
		snprintf(buf, size, "%s %s is-at (to %s)", kind, a, b);
		break;
	case NSMON_PKT_ECHO_REQUEST:
	case NSMON_PKT_ECHO_REPLY:
		snprintf(buf, size, "%s %s > %s id %u seq %u", kind, a, b, h->key.l4_a >> 16,
			 h->key.l4_a & 0xffff);
		break;
	default:
		snprintf(buf, size, "%s %s > %s", kind, a, b);
	}
}

/* What the hop means for the packet, in the words of the seed course. */
static const char *hop_meaning(const struct nsmon_hop_event *h)
{
	switch (h->hop) {
	case NSMON_HOP_SENDER_TX: return "leaves the namespace";
	case NSMON_HOP_BRIDGE_IN: return "enters the bridge";
	case NSMON_HOP_BRIDGE_OUT:
		return h->l2 == 1 ? "flooded out of this port (broadcast)" :
		       h->l2 == 2 ? "flooded out of this port (multicast)" : "forwarded out of this port";
	case NSMON_HOP_RECEIVER_RX: return "arrives in the namespace";
	case NSMON_HOP_CONSUMED: return "consumed by the stack";
	}
	return "";
}

static void on_hop(const struct nsmon_hop_event *h, void *data)
{
	struct story *s = data;
	struct step *st;
	char pkt[96];

	/* The story ends with the echo reply, shown or not. */
	if (h->leg == NSMON_LEG_REQUEST && h->key.kind == NSMON_PKT_ECHO_REQUEST)
		s->echo_request_seen = true;
	if (h->hop == NSMON_HOP_CONSUMED && h->key.kind == NSMON_PKT_ECHO_REPLY)
		s->echo_reply_consumed = true;
	if (!path_hop_matches(&s->filter, h))
		return;
	st = new_step(s, h->ts + s->mono_to_real_ns);
	if (!st)
		return;
	if (h->hop == NSMON_HOP_CONSUMED) {
		/* Where the stack consumed it: the receiver of its leg. */
		const struct path_end_info *end = h->leg == NSMON_LEG_REQUEST ? &s->to : &s->from;

		snprintf(st->where, sizeof(st->where), "%s %s", end->netns, end->veth);
	} else {
		path_tracer_where(s->pt, h->netns_cookie, h->ifindex, st->where, sizeof(st->where));
	}
	snprintf(st->hook, sizeof(st->hook), "%s", hop_hooks[h->hop < NSMON_HOP_MAX ? h->hop : 0]);
	snprintf(st->kind, sizeof(st->kind), "hop");
	describe_packet(h, pkt, sizeof(pkt));
	snprintf(st->what, sizeof(st->what), "%s: %s", pkt, hop_meaning(h));
}

/* Neighbour and FDB events of the lab's namespaces and bridge become steps too. */
static void on_event(const struct nsmon_event *ev, void *data)
{
	const struct event_neigh *n = &ev->neigh;
	const struct event_fdb *f = &ev->fdb;
	struct story *s = data;
	char addr[INET6_ADDRSTRLEN] = "?", mac[18];
	const char *netns = "-", *ifname = "-";
	const __u8 *ll;
	struct step *st;

	if (ev->type == EVENT_NEIGH) {
		netns = n->where.netns ? n->where.netns : "-";
		inet_ntop(n->family, n->address, addr, sizeof(addr));
		if (!(!strcmp(netns, s->from.netns) && !strcmp(addr, s->to_addr)) &&
		    !(!strcmp(netns, s->to.netns) && !strcmp(addr, s->from_addr)))
			return;
	} else if (ev->type == EVENT_FDB) {
		ifname = f->where.ifname && f->where.ifname[0] ? f->where.ifname : "-";
		if (strcmp(ifname, s->from.port) && strcmp(ifname, s->to.port))
			return;
	} else {
		return;
	}
	st = new_step(s, ev->time_us * 1000);
	if (!st)
		return;
	ll = ev->type == EVENT_NEIGH ? n->lladdr : f->mac;
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
		 ll[0], ll[1], ll[2], ll[3], ll[4], ll[5]);
	if (ev->type == EVENT_NEIGH) {
		snprintf(st->where, sizeof(st->where), "%s %s", netns,
			 n->where.ifname && n->where.ifname[0] ? n->where.ifname : "-");
		snprintf(st->hook, sizeof(st->hook), "%s", n->created ? "neigh:neigh_create" :
			 "neigh:neigh_update");
		snprintf(st->kind, sizeof(st->kind), "neigh");
		if (n->created)
			snprintf(st->what, sizeof(st->what), "neighbour entry for %s created", addr);
		else
			snprintf(st->what, sizeof(st->what), "neighbour %s %s -> %s (lladdr %s)",
				 addr, event_nud_name(n->old_state), event_nud_name(n->new_state),
				 mac);
	} else {
		snprintf(st->where, sizeof(st->where), "%s %s", NETNS_HOST,
			 f->bridge[0] ? f->bridge : "-");
		snprintf(st->hook, sizeof(st->hook), "bridge:br_fdb_update");
		snprintf(st->kind, sizeof(st->kind), "fdb");
		snprintf(st->what, sizeof(st->what), "FDB %s %s on port %s",
			 event_fdb_action_name(f->action), mac, ifname);
	}
}

/* Forget what would spoil the story: both neighbour entries and the bridge's learned MACs. */
static void start_clean(struct story *s, __u32 from_addr, __u32 to_addr)
{
	struct nl_sock *host, *nl;
	int bridge = path_tracer_bridge(s->pt, &host);

	nl = nl_open_in(s->from.netns_fd);
	if (nl)
		neigh_del_v4(nl, s->from.veth_ifindex, to_addr);
	nl_close(nl);
	nl = nl_open_in(s->to.netns_fd);
	if (nl)
		neigh_del_v4(nl, s->to.veth_ifindex, from_addr);
	nl_close(nl);
	bridge_fdb_flush(host, bridge);
}

/* `ip netns exec FROM ping -c 1 TO`, without a shell. */
static pid_t start_ping(const struct story *s, __u32 to_addr)
{
	char addr[INET_ADDRSTRLEN];
	pid_t pid;

	inet_ntop(AF_INET, &to_addr, addr, sizeof(addr));
	pid = fork();
	if (pid == 0) {
		if (setns(s->from.netns_fd, 0) == 0) {
			freopen("/dev/null", "w", stdout);
			execlp("ping", "ping", "-c", "1", "-W", "2", addr, (char *)NULL);
		}
		_exit(127);
	}
	return pid;
}

static int by_time(const void *a, const void *b)
{
	const struct step *x = a, *y = b;

	return x->time_ns < y->time_ns ? -1 : x->time_ns > y->time_ns;
}

static void print_story(struct story *s, bool json)
{
	__u64 t0;

	qsort(s->steps, s->n, sizeof(s->steps[0]), by_time);
	t0 = s->n ? s->steps[0].time_ns : 0;
	if (!json)
		printf("%10s  %-20s %-22s %s\n", "+us", "where", "hook", "what");
	for (int i = 0; i < s->n; i++) {
		const struct step *st = &s->steps[i];
		double rel_us = (st->time_ns - t0) / 1000.0;

		if (json) {
			json_t *o = json_pack("{s:i, s:f, s:s, s:s, s:s, s:s}", "step", i + 1,
					      "t_us", rel_us, "where", st->where, "hook", st->hook,
					      "kind", st->kind, "what", st->what);
			char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

			puts(text);
			free(text);
			json_decref(o);
		} else {
			printf("%10.1f  %-20s %-22s %s\n", rel_us, st->where, st->hook, st->what);
		}
	}
}

struct explain_args {
	struct scope_args scope;
	const char *from, *to;
	struct nsmon_filter filter;
	unsigned long timeout_ms;
	bool ping, json;
};

static const struct cli_option explain_options[] = {
	CLI_OPTION("from", 0, CLI_STRING, struct explain_args, from, .metavar = "NS|ADDR",
		   .complete = CLI_COMPLETE_NETNS,
		   .help = "the pinging namespace or its address (default: the lab's first)"),
	CLI_OPTION("to", 0, CLI_STRING, struct explain_args, to, .metavar = "NS|ADDR",
		   .complete = CLI_COMPLETE_NETNS,
		   .help = "the pinged namespace or its address (default: the second)"),
	CLI_OPTION("ping", 0, CLI_FLAG, struct explain_args, ping,
		   .help = "send the ping (neighbours and FDB flushed first), not wait for one"),
	CLI_OPTION("timeout", 0, CLI_DURATION, struct explain_args, timeout_ms, .metavar = "TIME",
		   .def = "10", .min = 1000,
		   .help = "give up after TIME (seconds, or N[ms|s|m]; >= 1 s); no ping by then: exit 1"),
	SCOPE_CLI_BRIDGE(struct explain_args, scope),
	FILTER_CLI_OPTIONS(struct explain_args, filter),
	CLI_OPTION("json", 'j', CLI_FLAG, struct explain_args, json, .help = "one JSON object per step"),
	CLI_END
};

static int run_explain(const void *args, int noperands, char **operands)
{
	const struct explain_args *a = args;
	/* Every hop of every packet: the filter picks the steps shown, not the story followed. */
	struct path_opts po = { .scope = scope_of(&a->scope), .from = a->from, .to = a->to,
				.every_hop = true };
	/*
	 * Its lab's neighbours and FDB only (below: the bridge's), not the
	 * machine's; a filter keeps the neighbour entries it matches (an FDB
	 * entry is a MAC address: no filter keeps it).
	 */
	struct event_opts eo = { .types = 1U << EVENT_NEIGH | 1U << EVENT_FDB,
				 .filter = a->filter, .scope.nbridges = 1 };
	const char *lab;
	bool json = a->json, ping = a->ping;
	long timeout = (a->timeout_ms + 999) / 1000;
	struct story *s = calloc(1, sizeof(*s));
	struct event_stream *es = NULL;
	struct nl_sock *nl;
	__u32 from_addr = 0, to_addr = 0;
	time_t deadline;
	pid_t pinger = -1;
	int ret, err;

	if (path_lab_check(&po)) {
		free(s);
		return EXIT_USAGE;
	}
	if (!s)
		return cli_exit_code(-ENOMEM);
	s->filter = a->filter;
	err = datapath_preflight();
	if (!err)
		err = path_tracer_open(&po, &s->pt);
	if (!err) {
		lab = path_tracer_lab(s->pt);
		eo.scope.bridges = &lab;
		err = event_stream_open(&eo, &es);
	}
	if (err)
		goto out;
	path_tracer_ends(s->pt, &s->from, &s->to);
	s->mono_to_real_ns = clock_mono_to_real_ns();
	nl = nl_open_in(s->from.netns_fd);
	err = nl ? addr_first_v4(nl, s->from.veth_ifindex, &from_addr) : -errno;
	nl_close(nl);
	nl = nl_open_in(s->to.netns_fd);
	if (!err)
		err = nl ? addr_first_v4(nl, s->to.veth_ifindex, &to_addr) : -errno;
	nl_close(nl);
	if (err) {
		pr_warn("cannot find the IPv4 addresses of %s and %s: %s", s->from.veth, s->to.veth,
			strerror(-err));
		goto out;
	}
	inet_ntop(AF_INET, &from_addr, s->from_addr, sizeof(s->from_addr));
	inet_ntop(AF_INET, &to_addr, s->to_addr, sizeof(s->to_addr));
	if (ping) {
		start_clean(s, from_addr, to_addr);
		/* The flushes are done (netlink acked them): their own events are not the story. */
		s->start_ns = clock_realtime_us() * 1000;
		pinger = start_ping(s, to_addr);
	} else {
		/* For a person at a terminal; under a script stderr keeps to errors. */
		log_msg(isatty(STDERR_FILENO) && !json ? LOG_INFO : LOG_DEBUG,
			"waiting for the next ping %s -> %s (or use --ping)", s->from.netns,
			s->to.netns);
	}
	deadline = time(NULL) + timeout;
	while (!s->echo_reply_consumed && time(NULL) < deadline) {
		path_tracer_poll(s->pt, 10, on_hop, s);
		event_stream_poll(es, 10, on_event, s);
	}
	/* Late neighbour updates (blue's STALE -> DELAY ...) belong to the story too. */
	for (int i = 0; i < SETTLE_MS / 20; i++) {
		path_tracer_poll(s->pt, 10, on_hop, s);
		event_stream_poll(es, 10, on_event, s);
	}
	if (pinger > 0)
		waitpid(pinger, NULL, 0);
	/*
	 * No ping at all: nothing on stdout (not even the header), as `path`
	 * does. One that went out and never came back: its ladder shows how far
	 * it got, and the exit code says it is not the whole story.
	 */
	if (!s->echo_request_seen) {
		pr_warn("no ping %s -> %s within %ld s", s->from.netns, s->to.netns, timeout);
		err = -ETIMEDOUT;
		goto out;
	}
	if (!s->echo_reply_consumed) {
		pr_warn("the ping %s -> %s did not come back within %ld s", s->from.netns, s->to.netns,
			timeout);
		err = -ETIMEDOUT;
	}
	print_story(s, json);
out:
	event_stream_close(es);
	path_tracer_close(s->pt);
	ret = cli_exit_code(err);
	free(s);
	return ret;
}

const struct cli_command cmd_explain = {
	.name = "explain",
	.summary = "one ping's way through the kernel, step by step",
	.description = "The ladder of one ping: the ARP request flooded, the neighbour states, the\n"
		       "bridge learning, each hop of the echo request and reply, with times. The lab\n"
		       "is the first of those nsmon monitors (or --bridge names) with both ends;\n"
		       "--proto, --host, --port keep the steps whose packet or neighbour matches.",
	.options = explain_options,
	.args_size = sizeof(struct explain_args),
	.examples = "nsmon explain --ping\tred pings blue, explained\n"
		    "nsmon explain --ping --to 192.168.15.2 -j\tby address, as JSON\n"
		    "nsmon explain --ping --proto arp\tonly the ARP exchange and the neighbours",
	.run = run_explain,
};
