// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon path: per-hop latency of the veth -> bridge -> veth path between two
 * namespaces, for the packets that match a filter: a log2 histogram with
 * p50/p90/p99 for each segment and for the whole one-way path, both ways.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "cmd/cli.h"
#include "datapath/datapath.h"
#include "util/log.h"
#include "datapath/path.h"
#include "util/validate.h"

#define MAX_SAMPLES	100000
#define BUCKETS		40		/* log2 of ns: up to ~18 minutes */

/* The segments of a leg: hop i to hop i + 1, then the whole path. */
#define SEGMENTS	(NSMON_HOP_MAX - 1 + 1)
#define SEG_TOTAL	(NSMON_HOP_MAX - 1)

static const char *const segment_names[SEGMENTS] = {
	"sender veth -> bridge port in",
	"bridge port in -> bridge port out",
	"bridge port out -> receiver veth",
	"receiver veth -> consumed",
	"one way, sender veth -> consumed",
};

static const char *const hop_names[NSMON_HOP_MAX] = {
	"tc egress", "tc ingress", "tc egress", "tc ingress", "skb:consume_skb",
};

static const char *const leg_names[NSMON_LEG_MAX] = { "request", "reply" };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

struct segment {
	__u64 *ns;		/* durations, in arrival order */
	size_t n;
};

struct collect {
	struct segment seg[NSMON_LEG_MAX][SEGMENTS];
	size_t samples[NSMON_LEG_MAX];
	long count;
};

static void add(struct segment *s, __u64 ns)
{
	if (s->n < MAX_SAMPLES)
		s->ns[s->n++] = ns;
}

static void on_sample(const struct nsmon_path_sample *sm, void *data)
{
	struct collect *c = data;
	int leg = sm->leg < NSMON_LEG_MAX ? sm->leg : 0;

	/* A leg counts when every hop saw it; a partial one is a different path. */
	for (int h = 0; h < NSMON_HOP_MAX; h++)
		if (!sm->ts[h])
			return;
	for (int h = 0; h + 1 < NSMON_HOP_MAX; h++)
		add(&c->seg[leg][h], sm->ts[h + 1] - sm->ts[h]);
	add(&c->seg[leg][SEG_TOTAL], sm->ts[NSMON_HOP_CONSUMED] - sm->ts[NSMON_HOP_SENDER_TX]);
	c->samples[leg]++;
}

static int by_value(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted @v. */
static __u64 percentile(const __u64 *v, size_t n, int p)
{
	size_t rank = (n * p + 99) / 100;

	return n ? v[rank ? rank - 1 : 0] : 0;
}

static json_t *segment_json(struct segment *s, int index)
{
	json_t *buckets = json_array();
	size_t counts[BUCKETS] = {};

	qsort(s->ns, s->n, sizeof(*s->ns), by_value);
	for (size_t i = 0; i < s->n; i++) {
		int b = 0;

		while (b + 1 < BUCKETS && s->ns[i] >= (1ULL << (b + 1)))
			b++;
		counts[b]++;
	}
	for (int b = 0; b < BUCKETS; b++)
		if (counts[b])
			json_array_append_new(buckets, json_pack("{s:I, s:I, s:I}",
				"from_ns", (json_int_t)(b ? 1ULL << b : 0),
				"to_ns", (json_int_t)((1ULL << (b + 1)) - 1), "count", (json_int_t)counts[b]));
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:o}", "segment", segment_names[index],
			 "from_hook", index == SEG_TOTAL ? hop_names[0] : hop_names[index],
			 "to_hook", index == SEG_TOTAL ? hop_names[NSMON_HOP_MAX - 1] : hop_names[index + 1],
			 "count", (json_int_t)s->n,
			 "p50_ns", (json_int_t)percentile(s->ns, s->n, 50),
			 "p90_ns", (json_int_t)percentile(s->ns, s->n, 90),
			 "p99_ns", (json_int_t)percentile(s->ns, s->n, 99), "buckets", buckets);
}

static json_t *report_json(struct collect *c, const char *from, const char *to, const char *proto)
{
	json_t *legs = json_array();

	for (int leg = 0; leg < NSMON_LEG_MAX; leg++) {
		json_t *segs = json_array();

		for (int i = 0; i < SEGMENTS; i++)
			json_array_append_new(segs, segment_json(&c->seg[leg][i], i));
		json_array_append_new(legs, json_pack("{s:s, s:s, s:s, s:I, s:o}", "leg",
			leg_names[leg], "from", leg ? to : from, "to", leg ? from : to,
			"samples", (json_int_t)c->samples[leg], "segments", segs));
	}
	return json_pack("{s:s, s:s, s:s, s:o}", "from", from, "to", to, "proto", proto,
			 "legs", legs);
}

static void print_bar(size_t count, size_t max)
{
	int width = max ? (int)((count * 30 + max - 1) / max) : 0;

	for (int i = 0; i < width; i++)
		putchar('#');
}

static void print_table(const json_t *doc)
{
	const json_t *leg, *seg, *b;
	size_t i, j, k, max;

	json_array_foreach(json_object_get(doc, "legs"), i, leg) {
		printf("%s %s -> %s: %lld samples\n", json_string_value(json_object_get(leg, "leg")),
		       json_string_value(json_object_get(leg, "from")),
		       json_string_value(json_object_get(leg, "to")),
		       json_integer_value(json_object_get(leg, "samples")));
		if (!json_integer_value(json_object_get(leg, "samples")))
			continue;
		printf("  %-34s %7s %9s %9s %9s\n", "segment", "count", "p50 us", "p90 us", "p99 us");
		json_array_foreach(json_object_get(leg, "segments"), j, seg)
			printf("  %-34s %7lld %9.1f %9.1f %9.1f\n",
			       json_string_value(json_object_get(seg, "segment")),
			       json_integer_value(json_object_get(seg, "count")),
			       json_integer_value(json_object_get(seg, "p50_ns")) / 1000.0,
			       json_integer_value(json_object_get(seg, "p90_ns")) / 1000.0,
			       json_integer_value(json_object_get(seg, "p99_ns")) / 1000.0);
		/* The whole path's histogram, as the one picture to look at. */
		seg = json_array_get(json_object_get(leg, "segments"), SEG_TOTAL);
		max = 0;
		json_array_foreach(json_object_get(seg, "buckets"), k, b)
			if ((size_t)json_integer_value(json_object_get(b, "count")) > max)
				max = json_integer_value(json_object_get(b, "count"));
		printf("  one way, ns:\n");
		json_array_foreach(json_object_get(seg, "buckets"), k, b) {
			printf("  %10lld .. %-10lld %6lld |", json_integer_value(json_object_get(b, "from_ns")),
			       json_integer_value(json_object_get(b, "to_ns")),
			       json_integer_value(json_object_get(b, "count")));
			print_bar(json_integer_value(json_object_get(b, "count")), max);
			putchar('\n');
		}
	}
}

/* --proto's names, indexed by enum nsmon_path_proto. */
static const char *const proto_names[] = { "any", "icmp", "tcp", "udp", "arp", NULL };

struct path_args {
	const char *bridge, *from, *to;
	int proto;
	unsigned long count, timeout_ms;
	bool json;
};

static const struct cli_option path_options[] = {
	CLI_OPTION("from", 0, CLI_NETNS, struct path_args, from, .metavar = "NS",
		   .complete = CLI_COMPLETE_NETNS, .help = "the sending namespace (default: the lab's first)"),
	CLI_OPTION("to", 0, CLI_NETNS, struct path_args, to, .metavar = "NS",
		   .complete = CLI_COMPLETE_NETNS, .help = "the receiving namespace (default: the lab's second)"),
	CLI_OPTION("proto", 0, CLI_ENUM, struct path_args, proto, .metavar = "PROTO", .def = "icmp",
		   .values = proto_names, .complete = CLI_COMPLETE_VALUES,
		   .help = "which packets to trace"),
	CLI_OPTION("count", 'c', CLI_COUNT, struct path_args, count, .metavar = "N", .def = "10",
		   .min = 1, .help = "stop after N packets"),
	CLI_OPTION("timeout", 0, CLI_DURATION, struct path_args, timeout_ms, .metavar = "TIME",
		   .help = "stop after TIME (seconds, or N[ms|s|m])"),
	CLI_OPTION("bridge", 0, CLI_IFNAME, struct path_args, bridge, .metavar = "NAME",
		   .def = DEFAULT_BRIDGE, .complete = CLI_COMPLETE_BRIDGE, .help = "the lab's bridge"),
	CLI_OPTION("json", 'j', CLI_FLAG, struct path_args, json, .help = "one JSON document"),
	CLI_END
};

static int run_path(const void *args, int noperands, char **operands)
{
	const struct path_args *a = args;
	const char *proto_text = proto_names[a->proto];
	struct path_opts po = { .bridge = a->bridge, .from = a->from, .to = a->to,
				.proto = a->proto };
	bool json = a->json;
	struct collect c = { .count = a->count };
	struct path_tracer *pt = NULL;
	time_t deadline = 0;
	int ret, err;
	json_t *doc;

	err = datapath_preflight();
	if (err)
		return cli_exit_code(err);
	for (int l = 0; l < NSMON_LEG_MAX; l++)
		for (int i = 0; i < SEGMENTS; i++) {
			c.seg[l][i].ns = calloc(MAX_SAMPLES, sizeof(__u64));
			if (!c.seg[l][i].ns)
				return cli_exit_code(-ENOMEM);
		}
	err = path_tracer_open(&po, &pt);
	if (err)
		goto out;
	if (!json)
		fprintf(stderr, "tracing %s -> %s (%s) across %s; waiting for %ld packet%s (Ctrl-C stops)\n",
			path_tracer_from(pt), path_tracer_to(pt), proto_text, po.bridge, c.count,
			c.count == 1 ? "" : "s");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (a->timeout_ms)
		deadline = time(NULL) + (a->timeout_ms + 999) / 1000;
	while (!stop && c.samples[NSMON_LEG_REQUEST] < (size_t)c.count &&
	       (!deadline || time(NULL) < deadline)) {
		ret = path_tracer_poll(pt, 100, on_sample, NULL, &c);
		if (ret < 0 && ret != -EINTR) {
			err = ret;
			pr_warn("cannot read the path samples: %s", strerror(-err));
			break;
		}
	}
	/* Replies to the last requests are on their way: give them a moment. */
	path_tracer_poll(pt, 200, on_sample, NULL, &c);
	doc = report_json(&c, path_tracer_from(pt), path_tracer_to(pt), proto_text);
	cli_print_doc(doc, json, print_table);
	json_decref(doc);
out:
	path_tracer_close(pt);
	for (int l = 0; l < NSMON_LEG_MAX; l++)
		for (int i = 0; i < SEGMENTS; i++)
			free(c.seg[l][i].ns);
	return cli_exit_code(err);
}

const struct cli_command cmd_path = {
	.name = "path",
	.summary = "per-hop latency of the veth -> bridge -> veth path, both ways",
	.description = "A latency histogram with p50/p90/p99 for each segment of the path between two\n"
		       "namespaces and for the whole one-way path, for the packets that match --proto.",
	.options = path_options,
	.args_size = sizeof(struct path_args),
	.examples = "nsmon path\tthe next 10 pings red -> blue\n"
		    "nsmon path --proto udp -c 1000 -j\tUDP, as JSON",
	.run = run_path,
};
