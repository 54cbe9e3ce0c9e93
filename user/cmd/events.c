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

/* A whole number >= 0 from @text for option @name, or -1 after the error line. */
static long parse_count(const char *name, const char *text)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < 0) {
		pr_warn("invalid %s \"%s\": not a whole number >= 0", name, text);
		return -1;
	}
	return v;
}

int cmd_events(int argc, char **argv)
{
	const char *types = NULL, *count = "0", *timeout = "0", *interval = "1";
	const char *ring_kb = "0", *consume_ms = "0", *drop_rate = "100";
	bool json = false, counters = false, no_attach = false;
	const struct cli_opt opts[] = {
		{ "--json", NULL, &json },
		{ "-j", NULL, &json },
		{ "--counters", NULL, &counters },
		{ "--interval", &interval, NULL },
		{ "--type", &types, NULL },
		{ "--count", &count, NULL },
		{ "--timeout", &timeout, NULL },
		{ "--no-attach", NULL, &no_attach },
		{ "--drop-rate", &drop_rate, NULL },
		{ "--ring-kb", &ring_kb, NULL },
		{ "--consume-ms", &consume_ms, NULL },
		{ NULL },
	};
	struct printer printer = { .json = false };
	struct event_opts eo = {};
	struct event_stream *es = NULL;
	struct event_totals totals;
	long timeout_s, interval_s, values[4];
	__u64 deadline_ms = 0;
	char bad[64];
	int first, ret, err;

	ret = cli_parse(argc, argv, opts, 0, &first);
	if (ret)
		return ret;
	printer.json = json;
	if ((printer.count = parse_count("--count", count)) < 0 ||
	    (timeout_s = parse_count("--timeout", timeout)) < 0 ||
	    (interval_s = parse_count("--interval", interval)) < 0 ||
	    (values[0] = parse_count("--ring-kb", ring_kb)) < 0 ||
	    (values[1] = parse_count("--consume-ms", consume_ms)) < 0 ||
	    (values[2] = parse_count("--drop-rate", drop_rate)) < 0)
		return EXIT_USAGE;
	if (types && event_types_parse(types, &eo.types, bad, sizeof(bad))) {
		pr_warn("invalid event type \"%s\": use netns, ns, link, addr, neigh, fdb, drop, counters, attach or lost",
			bad);
		return EXIT_USAGE;
	}
	if (counters && interval_s == 0) {
		pr_warn("invalid --interval \"%s\": must be at least 1 second", interval);
		return EXIT_USAGE;
	}
	eo.counters_ms = counters ? interval_s * 1000 : 0;
	eo.auto_attach = !no_attach;
	eo.ring_kb = values[0];
	eo.consume_ms = values[1];
	eo.drops_per_sec = values[2];

	err = datapath_preflight();
	if (err)
		return cli_exit_code(err);
	err = event_stream_open(&eo, &es);
	if (err)
		return cli_exit_code(err);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, on_signal);
	if (timeout_s)
		deadline_ms = event_now_us() / 1000 + timeout_s * 1000;
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
