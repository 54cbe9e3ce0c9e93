// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon path: per-hop latency of the veth -> bridge -> veth path between two
 * namespaces, for the packets that match a filter: a histogram with
 * p50/p90/p99 for each segment and for the whole one-way path, both ways.
 * The programs keep the histograms in the kernel (bpf/path.bpf.c); this
 * polls one word a leg to know when --count is reached, and reads them once
 * at the end.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "cmd/cli.h"
#include "cmd/filter_options.h"
#include "cmd/scope_options.h"
#include "datapath/datapath.h"
#include "util/clock.h"
#include "util/log.h"
#include "datapath/path.h"
#include "model/path_hist.h"

#define POLL_MS		100
#define REPLY_WAIT_MS	1000	/* after the last request, for its reply */

static const char *const segment_names[NSMON_SEG_MAX] = {
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

/* What was traced, for the document. */
struct path_run {
	const char *from, *to, *proto, *filter;
	__u32 sample;
	__u64 count;
};

static json_t *segment_json(const struct nsmon_path_hist *h, int seg)
{
	const __u64 *count = h->count[seg];
	__u64 n = path_hist_total(count);
	json_t *buckets = json_array();

	for (__u32 b = 0; b < NSMON_PATH_BUCKETS; b++)
		if (count[b])
			json_array_append_new(buckets, json_pack("{s:I, s:I, s:I}",
				"from_ns", (json_int_t)nsmon_path_bucket_first(b),
				"to_ns", (json_int_t)path_hist_bucket_last(b),
				"count", (json_int_t)count[b]));
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
			 "segment", segment_names[seg],
			 "from_hook", seg == NSMON_SEG_TOTAL ? hop_names[0] : hop_names[seg],
			 "to_hook", seg == NSMON_SEG_TOTAL ? hop_names[NSMON_HOP_CONSUMED] :
							      hop_names[seg + 1],
			 "count", (json_int_t)n,
			 "p50_ns", (json_int_t)path_hist_percentile(count, 50),
			 "p90_ns", (json_int_t)path_hist_percentile(count, 90),
			 "p99_ns", (json_int_t)path_hist_percentile(count, 99),
			 "mean_ns", (json_int_t)(n ? h->sum_ns[seg] / n : 0),
			 "sum_ns", (json_int_t)h->sum_ns[seg], "buckets", buckets);
}

static json_t *leg_json(const struct path_run *run, int leg, const struct nsmon_path_hist *h,
			const struct nsmon_path_leg_stats *st)
{
	json_t *segs = json_array();
	__u64 ended = st->completed + st->evicted + st->discarded;

	for (int i = 0; i < NSMON_SEG_MAX; i++)
		json_array_append_new(segs, segment_json(h, i));
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
			 "leg", leg_names[leg], "from", leg ? run->to : run->from,
			 "to", leg ? run->from : run->to,
			 "samples", (json_int_t)path_hist_total(h->count[0]),
			 "started", (json_int_t)st->started,
			 "completed", (json_int_t)st->completed,
			 "evicted", (json_int_t)st->evicted,
			 "discarded", (json_int_t)st->discarded,
			 "in_flight", (json_int_t)(st->started > ended ? st->started - ended : 0),
			 "segments", segs);
}

static json_t *report_json(const struct path_run *run, const struct nsmon_path_hist *hist,
			   const struct nsmon_path_leg_stats *stats)
{
	json_t *legs = json_array();

	for (int leg = 0; leg < NSMON_LEG_MAX; leg++)
		json_array_append_new(legs, leg_json(run, leg, &hist[leg], &stats[leg]));
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:I, s:o}", "from", run->from, "to", run->to,
			 "proto", run->proto, "filter", run->filter, "sample", (int)run->sample,
			 "count", (json_int_t)run->count, "legs", legs);
}

static json_int_t integer(const json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

/*
 * The rows of the one-way histogram as people read it: the buckets grouped
 * 8 to a power of two (the finer 64 ns buckets below 512 ns stay as they
 * are), empty groups left out.
 */
static __u64 display_group(__u64 from_ns)
{
	__u32 k;

	if (from_ns < 512)
		return from_ns >> NSMON_PATH_LINEAR_SHIFT;
	k = nsmon_log2(from_ns);
	return (__u64)k << 3 | ((from_ns >> (k - 3)) & 7);
}

static void print_histogram(const json_t *buckets)
{
	json_int_t rows[NSMON_PATH_BUCKETS][3], max = 0;	/* from, to, count */
	const json_t *b;
	size_t i, n = 0;

	json_array_foreach(buckets, i, b) {
		if (n && display_group(rows[n - 1][0]) == display_group(integer(b, "from_ns"))) {
			rows[n - 1][1] = integer(b, "to_ns");
			rows[n - 1][2] += integer(b, "count");
		} else if (n < NSMON_PATH_BUCKETS) {
			rows[n][0] = integer(b, "from_ns");
			rows[n][1] = integer(b, "to_ns");
			rows[n++][2] = integer(b, "count");
		}
	}
	for (i = 0; i < n; i++)
		if (rows[i][2] > max)
			max = rows[i][2];
	printf("  one way, ns:\n");
	for (i = 0; i < n; i++) {
		int width = (int)((rows[i][2] * 30 + max - 1) / max);

		printf("  %10lld .. %-10lld %6lld |%.*s\n", rows[i][0], rows[i][1], rows[i][2], width,
		       "##############################");
	}
}

static void print_table(const json_t *doc)
{
	const json_t *leg, *seg;
	size_t i, j;

	json_array_foreach(json_object_get(doc, "legs"), i, leg) {
		const char *from = json_string_value(json_object_get(leg, "from"));
		const char *to = json_string_value(json_object_get(leg, "to"));
		json_int_t started = integer(leg, "started"), completed = integer(leg, "completed");

		printf("%s %s -> %s: %lld samples\n", json_string_value(json_object_get(leg, "leg")),
		       from, to, integer(leg, "samples"));
		if (!integer(leg, "samples"))
			continue;
		printf("  %-34s %7s %9s %9s %9s\n", "segment", "count", "p50 us", "p90 us", "p99 us");
		json_array_foreach(json_object_get(leg, "segments"), j, seg)
			printf("  %-34s %7lld %9.2f %9.2f %9.2f\n",
			       json_string_value(json_object_get(seg, "segment")), integer(seg, "count"),
			       integer(seg, "p50_ns") / 1000.0, integer(seg, "p90_ns") / 1000.0,
			       integer(seg, "p99_ns") / 1000.0);
		/* The whole path's histogram, as the one picture to look at. */
		seg = json_array_get(json_object_get(leg, "segments"), NSMON_SEG_TOTAL);
		print_histogram(json_object_get(seg, "buckets"));
		printf("  %lld traced leaving %s, %lld consumed in %s, %lld did not get there (yet)\n",
		       started, from, completed, to, started > completed ? started - completed : 0);
	}
}

static long long now_ms(void)
{
	return clock_monotonic_us() / 1000;
}

/*
 * Trace until --count requests are histogrammed (and their replies, for a
 * moment), the timeout, or a signal. The kernel stops histogramming at the
 * count, so what is read at the end is exactly that many, whatever came after.
 */
static int trace(struct path_tracer *pt, __u64 count, unsigned long timeout_ms)
{
	long long deadline = timeout_ms ? now_ms() + (long long)timeout_ms : 0, reply_by = 0;
	__u64 recorded[NSMON_LEG_MAX];
	int err;

	while (!stop && (!deadline || now_ms() < deadline)) {
		err = path_tracer_recorded(pt, recorded);
		if (err) {
			pr_warn("cannot read the path tracer's counts: %s", strerror(-err));
			return err;
		}
		if (recorded[NSMON_LEG_REQUEST] >= count) {
			if (recorded[NSMON_LEG_REPLY] >= count)
				break;
			if (!reply_by)
				reply_by = now_ms() + REPLY_WAIT_MS;
			else if (now_ms() >= reply_by)
				break;
		}
		poll(NULL, 0, reply_by ? POLL_MS / 10 : POLL_MS);
	}
	return 0;
}

/*
 * That the tracer is on, for a person at a terminal; under a script stderr
 * keeps to errors (-v shows it: what a test waits for before it sends).
 */
static void announce(const struct path_tracer *pt, const struct path_opts *po, const char *filter)
{
	char sample[48] = "";

	if (po->sample > 1)
		snprintf(sample, sizeof(sample), ", one packet in %u", po->sample);
	log_msg(isatty(STDERR_FILENO) ? LOG_INFO : LOG_DEBUG,
		"tracing %s -> %s (%s%s) across %s; waiting for %llu packet%s (Ctrl-C stops)",
		path_tracer_from(pt), path_tracer_to(pt), filter, sample, path_tracer_lab(pt),
		(unsigned long long)po->count, po->count == 1 ? "" : "s");
}

/*
 * The filter as the messages and the document say it: @proto the protocols
 * ("icmp", "arp,icmp", "any"), @text every option ("--proto icmp --host
 * 192.168.15.2"; "--proto any" for none).
 */
static void describe_filter(const struct nsmon_filter *f, char *proto, size_t proto_size,
			    char *text, size_t text_size)
{
	struct nsmon_filter protos_only = { .protos = f->protos };

	filter_format(&protos_only, proto, proto_size);
	if (proto[0])	/* "--proto icmp" -> "icmp" */
		memmove(proto, proto + strlen("--proto "), strlen(proto) - strlen("--proto ") + 1);
	else
		snprintf(proto, proto_size, "any");
	filter_format(f, text, text_size);
	if (!f->protos) {
		size_t len = strlen(text);

		snprintf(text + len, text_size - len, "%s--proto any", len ? " " : "");
	}
}

struct path_args {
	struct scope_args scope;
	const char *from, *to;
	struct nsmon_filter filter;
	unsigned long count, sample, timeout_ms;
	bool json;
};

static const struct cli_option path_options[] = {
	CLI_OPTION("from", 0, CLI_STRING, struct path_args, from, .metavar = "NS|ADDR",
		   .complete = CLI_COMPLETE_NETNS,
		   .help = "the sending namespace or its address (default: the lab's first)"),
	CLI_OPTION("to", 0, CLI_STRING, struct path_args, to, .metavar = "NS|ADDR",
		   .complete = CLI_COMPLETE_NETNS,
		   .help = "the receiving namespace or its address (default: the lab's second)"),
	FILTER_CLI_OPTIONS_PROTO(struct path_args, filter, "icmp"),
	CLI_OPTION("count", 'c', CLI_COUNT, struct path_args, count, .metavar = "N", .def = "10",
		   .min = 1, .help = "stop after N packets each way (exactly N in the histograms)"),
	CLI_OPTION("sample", 0, CLI_COUNT, struct path_args, sample, .metavar = "N", .def = "1",
		   .min = 1, .max = 1UL << 30,
		   .help = "trace one packet in N (an echo by its sequence: seq % N == 0)"),
	CLI_OPTION("timeout", 0, CLI_DURATION, struct path_args, timeout_ms, .metavar = "TIME",
		   .help = "stop after TIME (seconds, or N[ms|s|m]); nothing by then: exit 1"),
	SCOPE_CLI_BRIDGE(struct path_args, scope),
	CLI_OPTION("json", 'j', CLI_FLAG, struct path_args, json, .help = "one JSON document"),
	CLI_END
};

/* "2 s", "500 ms": a timeout as the user gave it. */
static const char *duration_text(unsigned long ms, char *buf, size_t size)
{
	if (ms % 1000)
		snprintf(buf, size, "%lu ms", ms);
	else
		snprintf(buf, size, "%lu s", ms / 1000);
	return buf;
}

static int run_path(const void *args, int noperands, char **operands)
{
	const struct path_args *a = args;
	struct path_opts po = { .scope = scope_of(&a->scope), .from = a->from, .to = a->to,
				.filter = a->filter, .sample = a->sample, .count = a->count };
	struct nsmon_path_hist *hist = NULL;
	struct nsmon_path_leg_stats stats[NSMON_LEG_MAX];
	struct path_tracer *pt = NULL;
	struct path_run run;
	char within[32], proto_text[96], filter_text[512];
	int err;
	json_t *doc;

	if (path_filter_check(&a->filter) || path_lab_check(&po))
		return EXIT_USAGE;
	describe_filter(&a->filter, proto_text, sizeof(proto_text), filter_text,
			sizeof(filter_text));
	err = datapath_preflight();
	if (err)
		return cli_exit_code(err);
	hist = calloc(NSMON_LEG_MAX, sizeof(*hist));
	if (!hist)
		return cli_exit_code(-ENOMEM);
	err = path_tracer_open(&po, &pt);
	if (err)
		goto out;
	announce(pt, &po, filter_text);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	err = trace(pt, po.count, a->timeout_ms);
	if (err)
		goto out;
	/* The programs off first: nothing adds to the histograms while they are read. */
	path_tracer_detach(pt);
	err = path_tracer_read(pt, hist, stats);
	if (err) {
		pr_warn("cannot read the path tracer's histograms: %s", strerror(-err));
		goto out;
	}
	if (!path_hist_total(hist[NSMON_LEG_REQUEST].count[0]) &&
	    !path_hist_total(hist[NSMON_LEG_REPLY].count[0])) {
		if (stop)
			pr_warn("no %s packet between %s and %s crossed %s before it was stopped",
				proto_text, path_tracer_from(pt), path_tracer_to(pt),
				path_tracer_lab(pt));
		else
			pr_warn("no %s packet between %s and %s crossed %s within %s", proto_text,
				path_tracer_from(pt), path_tracer_to(pt), path_tracer_lab(pt),
				duration_text(a->timeout_ms, within, sizeof(within)));
		err = -ETIMEDOUT;
		goto out;
	}
	run = (struct path_run){ .from = path_tracer_from(pt), .to = path_tracer_to(pt),
				 .proto = proto_text, .filter = filter_text, .sample = po.sample,
				 .count = po.count };
	doc = report_json(&run, hist, stats);
	cli_print_doc(doc, a->json, print_table);
	json_decref(doc);
out:
	path_tracer_close(pt);
	free(hist);
	return cli_exit_code(err);
}

const struct cli_command cmd_path = {
	.name = "path",
	.summary = "per-hop latency of the veth -> bridge -> veth path, both ways",
	.description = "A latency histogram with p50/p90/p99 for each segment of the path between two\n"
		       "namespaces and for the whole one-way path, for the IPv4 and ARP packets that\n"
		       "match --proto (default icmp; any: all), --host and --port, in the kernel. The\n"
		       "lab is the first of those nsmon monitors (or --bridge names) with both ends.",
	.options = path_options,
	.args_size = sizeof(struct path_args),
	.examples = "nsmon path\tthe next 10 pings red -> blue\n"
		    "nsmon path --to 192.168.15.2\tthe same, the receiver by its address\n"
		    "nsmon path --proto any --sample 100 -c 1000\tone packet in 100, any protocol\n"
		    "nsmon path --proto udp -c 1000 -j\tUDP, as JSON\n"
		    "nsmon path --proto tcp --port 80\tHTTP only",
	.run = run_path,
};
