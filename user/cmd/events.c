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
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/filter_options.h"
#include "cmd/scope_options.h"
#include "datapath/datapath.h"
#include "events/event_write.h"
#include "events/events.h"
#include "util/clock.h"
#include "util/color.h"
#include "util/log.h"
#include "util/number.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/* Written out when a poll is done, or sooner past this much: a flood costs a write per 256 KiB. */
#define FLUSH_BYTES	(256 * 1024)

struct printer {
	bool json;
	long count;		/* events to print before stopping, 0: no limit */
	long printed;
	struct event_buf out;
	int err;		/* writing stdout failed: -EPIPE when the reader left */
};

static void flush(struct printer *p)
{
	int err = event_buf_flush(&p->out, STDOUT_FILENO);

	if (err && !p->err)
		p->err = err;
}

/* The colour of each type's [TAG], so that a reader finds the kind of event they follow. */
static enum color_role tag_color(enum event_type type)
{
	switch (type) {
	case EVENT_NETNS:
	case EVENT_NS:
		return COLOR_TAG_NS;
	case EVENT_LINK:
	case EVENT_ADDR:
		return COLOR_TAG_LINK;
	case EVENT_NEIGH:
		return COLOR_TAG_NEIGH;
	case EVENT_FDB:
		return COLOR_TAG_FDB;
	case EVENT_DROP:
	case EVENT_LOST:
		return COLOR_TAG_DROP;
	default:
		return COLOR_TAG_OTHER;
	}
}

static void print_event(const struct nsmon_event *ev, void *data)
{
	struct printer *p = data;

	if (p->count && p->printed >= p->count)
		return;
	if (p->json)
		event_write_json(&p->out, ev);
	else	/* color() is "" when stdout takes no colours */
		event_write_text_tagged(&p->out, ev, color(stdout, tag_color(ev->type)),
					color(stdout, COLOR_RESET));
	p->printed++;
	if (p->out.len >= FLUSH_BYTES)
		flush(p);
}

/*
 * One poll's events at once, even into a pipe: consumers (jq, tests) read
 * them as they happen, and a flood costs one write per drain, not per event.
 */
static int poll_and_print(struct event_stream *es, int wait_ms, struct printer *p)
{
	int ret = event_stream_poll(es, wait_ms, print_event, p);

	flush(p);
	return ret;
}

/* --drop-rate: "unlimited", or how many drops a second per CPU (0: none streamed). */
static const char *parse_drop_rate(const char *text, void *dest)
{
	unsigned long v;
	const char *why;

	if (!strcmp(text, "unlimited")) {
		*(unsigned int *)dest = EVENT_DROPS_UNLIMITED;
		return NULL;
	}
	why = number_parse(text, 0, EVENT_DROPS_UNLIMITED - 1, &v);
	if (!why)
		*(unsigned int *)dest = v;
	return why;
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
	unsigned int types, drop_rate;
	struct scope_args scope;
	struct nsmon_filter filter;
	unsigned long count, timeout_ms, interval_ms, ring_kb, consume_ms;
};

static const struct cli_option events_options[] = {
	CLI_OPTION("json", 'j', CLI_FLAG, struct events_args, json,
		   .help = "one JSON object per line (NDJSON)"),
	EVENT_TYPES_CLI_OPTION(struct events_args, types),
	SCOPE_CLI_OPTIONS(struct events_args, scope, SCOPE_ALL_MACHINE),
	FILTER_CLI_OPTIONS(struct events_args, filter),
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
	CLI_OPTION("drop-rate", 0, CLI_CUSTOM, struct events_args, drop_rate, .metavar = "N",
		   .parse = parse_drop_rate, .def = "100",
		   .help = "drop records per second per CPU, or unlimited (0: none; all are counted)"),
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
		.scope = scope_of(&a->scope),
		.filter = a->filter,
	};
	struct event_stream *es = NULL;
	struct event_totals totals;
	__u64 deadline_ms = 0;
	int ret, err;

	if (scope_check(&eo.scope) || event_types_check(a->types, a->counters, &a->filter))
		return EXIT_USAGE;
	/* Before the sources start (a second or so): a stop asked meanwhile is not lost. */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);	/* a reader that leaves is -EPIPE from write() */
	err = datapath_preflight();
	if (!err)
		err = event_stream_open(&eo, &es);
	if (err)
		return cli_exit_code(err);

	event_buf_init(&printer.out);
	if (a->timeout_ms)
		deadline_ms = clock_realtime_us() / 1000 + a->timeout_ms;
	while (!stop && !printer.err && (!printer.count || printer.printed < printer.count)) {
		int wait_ms = 100;

		if (deadline_ms) {
			__u64 now_ms = clock_realtime_us() / 1000;

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
	flush(&printer);
	event_stream_totals(es, &totals);
	fprintf(stderr, "events: submitted %llu, delivered %llu, lost %llu, suppressed %llu\n",
		(unsigned long long)totals.submitted, (unsigned long long)totals.delivered,
		(unsigned long long)totals.lost, (unsigned long long)totals.suppressed);
	event_stream_close(es);
	event_buf_free(&printer.out);
	/* The reader leaving is how a pipe ends (`events | head`), not a failure. */
	if (printer.err && printer.err != -EPIPE && !err) {
		pr_warn("cannot write events: %s", strerror(-printer.err));
		err = printer.err;
	}
	return cli_exit_code(err);
}

const struct cli_command cmd_events = {
	.name = "events",
	.summary = "stream namespace, link, neighbour, FDB and drop events as they happen",
	.description = "One line per event (ip monitor style, with a [TYPE] prefix), or NDJSON with\n"
		       "--json, until Ctrl-C, --count events or --timeout, about the labs nsmon\n"
		       "monitors (--bridge, -n narrow it, --all is the whole machine); --proto,\n"
		       "--host, --port keep the drops and neighbour entries (and addresses) that\n"
		       "match, in the kernel. At the end, one line on stderr says how many events\n"
		       "the sources sent, delivered and lost.",
	.options = events_options,
	.args_size = sizeof(struct events_args),
	.examples = "nsmon events\tthe lab's events, as lines\n"
		    "nsmon events -n red\tonly red's, and its bridge port's\n"
		    "nsmon events -t neigh,fdb\tARP/neighbour states and bridge learning\n"
		    "nsmon events --proto arp\tonly ARP: IPv4 neighbour entries, ARP drops\n"
		    "nsmon events --host 192.168.15.2\tonly what concerns 192.168.15.2\n"
		    "nsmon events --all -t ns,netns\tevery namespace made or entered on the machine\n"
		    "nsmon events -j --counters | jq .\twith counter deltas, for tools",
	.run = run_events,
};
