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
#include "datapath/datapath.h"
#include "events/event_write.h"
#include "events/events.h"
#include "util/log.h"

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

static void print_event(const struct nsmon_event *ev, void *data)
{
	struct printer *p = data;

	if (p->count && p->printed >= p->count)
		return;
	if (p->json)
		event_write_json(&p->out, ev);
	else
		event_write_text(&p->out, ev);
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

/* --drop-rate: "unlimited", or drops a second per CPU (0: none streamed). */
static int parse_drop_rate(const char *text, unsigned int *rate)
{
	long v;

	if (!strcmp(text, "unlimited")) {
		*rate = EVENT_DROPS_UNLIMITED;
		return 0;
	}
	v = parse_count("--drop-rate", text);
	if (v < 0 || v >= EVENT_DROPS_UNLIMITED) {
		if (v >= 0)
			pr_warn("invalid --drop-rate \"%s\": too large (unlimited streams every drop)",
				text);
		return -EINVAL;
	}
	*rate = v;
	return 0;
}

/*
 * Every value of a repeatable option (--bridge, -n), in order: cli_parse()
 * keeps only the last. Until the declared option table takes this over.
 */
static int collect(int argc, char **argv, const char *name, const char ***list, size_t *n)
{
	size_t len = strlen(name);

	for (int i = 1; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++) {
		const char *value = NULL, **v;

		if (!strcmp(argv[i], name) && i + 1 < argc)
			value = argv[++i];
		else if (!strncmp(argv[i], name, len) && argv[i][len] == '=')
			value = argv[i] + len + 1;
		else if (!strcmp(argv[i], "--interval") || !strcmp(argv[i], "--type") ||
			 !strcmp(argv[i], "--count") || !strcmp(argv[i], "--timeout") ||
			 !strcmp(argv[i], "--drop-rate") || !strcmp(argv[i], "--ring-kb") ||
			 !strcmp(argv[i], "--consume-ms") || !strcmp(argv[i], "--bridge") ||
			 !strcmp(argv[i], "-n"))
			i++;	/* another option's value, whatever it looks like */
		if (!value)
			continue;
		v = realloc(*list, (*n + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		v[(*n)++] = value;
		*list = v;
	}
	return 0;
}

int cmd_events(int argc, char **argv)
{
	const char *types = NULL, *count = "0", *timeout = "0", *interval = "1";
	const char *ring_kb = "0", *consume_ms = "0", *drop_rate = "100";
	const char *bridge = NULL, *netns = NULL;
	bool json = false, counters = false, no_attach = false, all = false;
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
		{ "--bridge", &bridge, NULL },
		{ "-n", &netns, NULL },
		{ "--all", NULL, &all },
		{ NULL },
	};
	struct printer printer = { .json = false };
	const char **bridges = NULL, **namespaces = NULL;
	struct event_opts eo = {};
	struct event_stream *es = NULL;
	struct event_totals totals;
	long timeout_s, interval_s, values[3];
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
	    parse_drop_rate(drop_rate, &eo.drops_per_sec))
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
	if (all && (bridge || netns)) {
		pr_warn("--all is the whole machine: it takes no --bridge or -n");
		return EXIT_USAGE;
	}
	if (collect(argc, argv, "--bridge", &bridges, &eo.nbridges) ||
	    collect(argc, argv, "-n", &namespaces, &eo.nnetns)) {
		err = -ENOMEM;
		goto out;
	}
	eo.bridges = bridges;
	eo.netns = namespaces;
	eo.all = all;
	eo.counters_ms = counters ? interval_s * 1000 : 0;
	eo.auto_attach = !no_attach;
	eo.ring_kb = values[0];
	eo.consume_ms = values[1];

	/* Before the sources start (a second or so): a stop asked meanwhile is not lost. */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);	/* a reader that leaves is -EPIPE from write() */
	err = datapath_preflight();
	if (!err)
		err = event_stream_open(&eo, &es);
	if (err)
		goto out;

	event_buf_init(&printer.out);
	if (timeout_s)
		deadline_ms = event_now_us() / 1000 + timeout_s * 1000;
	while (!stop && !printer.err && (!printer.count || printer.printed < printer.count)) {
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
out:
	free(bridges);
	free(namespaces);
	return cli_exit_code(err);
}
