// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon events: one line per event as it happens (`ip monitor -ts` style
 * with a [TYPE] prefix), or NDJSON with --json, until Ctrl-C, --count
 * events or --timeout seconds. At the end, one line on stderr says how many
 * events the sources sent, delivered and lost.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "datapath/datapath.h"
#include "events/events.h"
#include "util/log.h"
#include "util/number.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

struct printer {
	bool json;
	long count;		/* events to print before stopping, 0: no limit */
	long printed;
};

static void print_event(const struct nsmon_event *ev, void *data)
{
	struct printer *p = data;

	if (p->count && p->printed >= p->count)
		return;
	if (p->json) {
		char *text = json_dumps(ev->json, JSON_COMPACT | JSON_PRESERVE_ORDER);

		if (text)
			puts(text);
		free(text);
	} else {
		puts(ev->line);
	}
	p->printed++;
}

/*
 * One poll's events at once, even into a pipe: consumers (jq, tests) read
 * them as they happen, and a flood costs one write per drain, not per event.
 */
static int poll_and_print(struct event_stream *es, int wait_ms, struct printer *p)
{
	int ret = event_stream_poll(es, wait_ms, print_event, p);

	fflush(stdout);
	return ret;
}

/* --type netns,neigh: a mask of (1 << EVENT_*). */
static const char *parse_types(const char *text, void *dest)
{
	static __thread char reason[160];
	char bad[64];

	if (!event_types_parse(text, dest, bad, sizeof(bad)))
		return NULL;
	snprintf(reason, sizeof(reason), "\"%s\" is not a type: use netns, ns, link, addr, neigh, fdb, drop, counters, attach or lost",
		 bad);
	return reason;
}

/* --ring-kb: the kernel takes a power of two of pages for a ring buffer. */
static const char *parse_ring_kb(const char *text, void *dest)
{
	unsigned long *kb = dest;
	const char *why = number_parse(text, 4, 1024 * 1024, kb);

	if (why)
		return why;
	if (*kb & (*kb - 1))
		return "is not a power of two (4, 8, ... 1048576 KiB)";
	return NULL;
}

struct events_args {
	bool json, counters, no_attach;
	unsigned int types;
	unsigned long count, timeout_ms, interval_ms, ring_kb, consume_ms, drop_rate;
};

static const struct cli_option events_options[] = {
	CLI_OPTION("json", 'j', CLI_FLAG, struct events_args, json,
		   .help = "one JSON object per line (NDJSON)"),
	CLI_OPTION("type", 't', CLI_CUSTOM, struct events_args, types, .metavar = "TYPE,...",
		   .parse = parse_types, .values = event_type_names, .complete = CLI_COMPLETE_VALUES,
		   .help = "only these event types"),
	CLI_OPTION("count", 'c', CLI_COUNT, struct events_args, count, .metavar = "N",
		   .help = "stop after N events"),
	CLI_OPTION("timeout", 0, CLI_DURATION, struct events_args, timeout_ms, .metavar = "TIME",
		   .help = "stop after TIME (seconds, or N[ms|s|m])"),
	CLI_OPTION("counters", 0, CLI_FLAG, struct events_args, counters,
		   .help = "also each interface's counter deltas every --interval"),
	CLI_OPTION("interval", 0, CLI_DURATION, struct events_args, interval_ms, .metavar = "TIME",
		   .def = "1", .min = 1000, .max = 3600 * 1000,
		   .help = "how often --counters reports (at least 1 s)"),
	CLI_OPTION("no-attach", 0, CLI_FLAG, struct events_args, no_attach,
		   .help = "do not attach the programs to ports that join a monitored bridge"),
	CLI_OPTION("drop-rate", 0, CLI_COUNT, struct events_args, drop_rate, .metavar = "N",
		   .def = "100", .help = "drop events streamed per second per CPU (0: all)"),
	CLI_OPTION("ring-kb", 0, CLI_CUSTOM, struct events_args, ring_kb, .metavar = "KIB",
		   .parse = parse_ring_kb, .def = "256", .help = "the ring buffer's size, a power of two"),
	CLI_OPTION("consume-ms", 0, CLI_COUNT, struct events_args, consume_ms, .metavar = "MS",
		   .def = "5", .min = 1, .max = 1000, .help = "how often the ring is drained"),
	CLI_END
};

static int run_events(const void *args, int noperands, char **operands)
{
	const struct events_args *a = args;
	struct printer printer = { .json = a->json, .count = a->count };
	struct event_opts eo = {
		.types = a->types,
		.counters_ms = a->counters ? a->interval_ms : 0,
		.auto_attach = !a->no_attach,
		.ring_kb = a->ring_kb,
		.consume_ms = a->consume_ms,
		.drops_per_sec = a->drop_rate,
	};
	struct event_stream *es = NULL;
	struct event_totals totals;
	__u64 deadline_ms = 0;
	int ret, err;

	err = datapath_preflight();
	if (err)
		return cli_exit_code(err);
	err = event_stream_open(&eo, &es);
	if (err)
		return cli_exit_code(err);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, on_signal);
	if (a->timeout_ms)
		deadline_ms = event_now_us() / 1000 + a->timeout_ms;
	while (!stop && (!printer.count || printer.printed < printer.count)) {
		int wait_ms = 100;

		if (deadline_ms) {
			__u64 now_ms = event_now_us() / 1000;

			if (now_ms >= deadline_ms)
				break;
			if (deadline_ms - now_ms < (__u64)wait_ms)
				wait_ms = deadline_ms - now_ms;
		}
		ret = poll_and_print(es, wait_ms, &printer);
		if (ret < 0 && ret != -EINTR) {
			pr_warn("cannot read events: %s", strerror(-ret));
			err = ret;
			break;
		}
	}
	/* Stop the sources and drain the ring, so that delivered + lost adds up. */
	event_stream_stop(es);
	poll_and_print(es, 0, &printer);
	event_stream_report_lost(es, print_event, &printer);
	fflush(stdout);
	event_stream_totals(es, &totals);
	fprintf(stderr, "events: submitted %llu, delivered %llu, lost %llu, suppressed %llu\n",
		(unsigned long long)totals.submitted, (unsigned long long)totals.delivered,
		(unsigned long long)totals.lost, (unsigned long long)totals.suppressed);
	event_stream_close(es);
	return cli_exit_code(err);
}

const struct cli_command cmd_events = {
	.name = "events",
	.summary = "stream namespace, link, neighbour, FDB and drop events as they happen",
	.description = "One line per event (ip monitor style, with a [TYPE] prefix), or NDJSON with\n"
		       "--json, until Ctrl-C, --count events or --timeout. At the end, one line on\n"
		       "stderr says how many events the sources sent, delivered and lost.",
	.options = events_options,
	.args_size = sizeof(struct events_args),
	.examples = "nsmon events\tevery event, as lines\n"
		    "nsmon events -t neigh,fdb\tARP/neighbour states and bridge learning\n"
		    "nsmon events -j --counters | jq .\twith counter deltas, for tools",
	.run = run_events,
};
