// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon web: the lab as a web page (web/, compiled in), over the HTTP
 * server `export` uses (output/http.c):
 *
 *   /               the page: HTML, SVG and plain JavaScript, nothing fetched
 *                   from elsewhere
 *   /api/v1/stats   the `stats --json` document; ?bridge=, ?netns= (each
 *                   repeatable), ?all, ?matrix as stats' --bridge, -n, --all,
 *                   --matrix
 *   /api/v1/events  Server-Sent Events: one `events --json` record per
 *                   message; ?type=, ?netns= as events' --type and a
 *                   namespace's name
 *
 * A command of its own rather than more of `export`: the page's event
 * stream loads tracepoint programs, which an exporter has no use for; and
 * an exporter is left running for Prometheus where a page is looked at.
 * Read-only: only GET and HEAD reach a handler (http.c), no endpoint makes,
 * attaches or flushes anything (the event stream runs without auto-attach,
 * and `explain --ping` is not offered: it flushes neighbours and pings; the
 * page draws a ladder from the file `explain --json` writes).
 */
#define _GNU_SOURCE	/* asprintf */
#include <errno.h>
#include <pthread.h>
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
#include "model/stats_model.h"
#include "output/stats_write.h"
#include "output/http.h"
#include "output/http_feed.h"
#include "output/web_assets.h"
#include "util/clock.h"
#include "util/log.h"

#define DEFAULT_LISTEN		"127.0.0.1:9466"
/* Events kept for a page that falls behind (a burst of drops); past that it is told it lost some. */
#define EVENTS_KEPT		4096
/* An SSE comment this often: a page gone without a word is found out when it fails. */
#define KEEPALIVE_MS		15000
/* The event stream stays open so long after the last page left: a reload does not reload the programs. */
#define LINGER_MS		10000

/*
 * Scripts, styles and images from this server only, no inline script or
 * style, no frames, forms or plugins: the page is ours, and a lab's names
 * (a namespace may be called "<img src=x>") are only ever text in it.
 */
#define CSP "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " \
	    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

static const char *const web_headers[] = {
	"Content-Security-Policy", CSP,
	"X-Content-Type-Options", "nosniff",
	"Referrer-Policy", "no-referrer",
	"Cache-Control", "no-store",
	NULL,
};

#define JSON_TYPE	"application/json"
#define SSE_TYPE	"text/event-stream; charset=utf-8"

struct web {
	struct http_feed *feed;
	volatile bool stopping;
	pthread_t events_thread;
	bool events_started;
	struct event_buf event_msg;	/* the events thread's: where an event becomes its message */
};

/* ---- /api/v1/stats ------------------------------------------------------- */

/* stats' own options, as query parameters (declared and parsed as stats declares them). */
struct stats_query {
	struct scope_args scope;
	bool matrix;
};

static const struct cli_option stats_params[] = {
	SCOPE_CLI_OPTIONS(struct stats_query, scope, SCOPE_ALL_LABS),
	CLI_OPTION("matrix", 0, CLI_FLAG, struct stats_query, matrix),
	CLI_END
};

struct events_query {
	unsigned int types;
	const char *netns;
};

static const struct cli_option events_params[] = {
	EVENT_TYPES_CLI_OPTION(struct events_query, types),
	CLI_OPTION("netns", 0, CLI_NETNS, struct events_query, netns),
	CLI_END
};

struct query {
	const struct cli_option *params;
	void *args;
	char why[256];		/* the first refusal */
};

static int take_param(const char *name, const char *value, void *data)
{
	struct query *q = data;
	const char *why = cli_param_set(q->params, name, value, q->args);

	if (why)
		snprintf(q->why, sizeof(q->why), "invalid parameter \"%s%s%s\": %s", name,
			 value ? "=" : "", value ? value : "", why);
	return !!why;
}

/* Fill @args from @req's query. Return: 0, or -1 with a 400 answer queued (in *@ret). */
static int read_query(struct http_request *req, const struct cli_option *params, void *args,
		      int *ret)
{
	struct query q = { .params = params, .args = args };

	if (!http_request_args(req, take_param, &q))
		return 0;
	*ret = http_reply_text(req, HTTP_BAD_REQUEST, "nsmon: %s", q.why);
	return -1;
}

/* {"error": @text's first line} */
static int reply_error(struct http_request *req, unsigned int status, char *text)
{
	json_t *obj;
	char *body;

	if (text)
		text[strcspn(text, "\n")] = '\0';
	obj = json_pack("{s:s}", "error", text ? text : "nsmon: cannot read the counters");
	free(text);
	body = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	json_decref(obj);
	return http_reply(req, status, JSON_TYPE, body, body ? strlen(body) : 0);
}

static int api_stats(struct http_request *req)
{
	struct stats_query q = { 0 };
	struct stats_model *m;
	struct lab_scope scope;
	struct http_said said;
	char when[24], *why, *body;
	json_t *doc = NULL;
	size_t len;
	__u64 read_us;
	int err, ret;

	if (read_query(req, stats_params, &q, &ret)) {
		cli_free_lists(stats_params, &q);
		return ret;
	}
	scope = scope_of(&q.scope);
	/* When the counters were read: the page's rates divide by the time between two reads. */
	read_us = clock_monotonic_us();
	http_said_begin(&said);
	err = lab_scope_check(&scope) ?:
	      stats_model_read(&scope, q.matrix ? STATS_MODEL_MATRIX_ALL : STATS_MODEL_MATRIX_PLACES,
			       &m);
	if (!err) {
		doc = stats_write_json(m);
		stats_model_free(m);
		err = doc ? 0 : -ENOMEM;
	}
	why = http_said_end(&said, &len);
	cli_free_lists(stats_params, &q);
	if (err == -EINVAL)	/* ?all with ?bridge or ?netns */
		return reply_error(req, HTTP_BAD_REQUEST, why);
	if (err)
		return reply_error(req, HTTP_UNAVAILABLE, why);
	free(why);
	body = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	snprintf(when, sizeof(when), "%llu", (unsigned long long)read_us);
	http_request_header(req, "Nsmon-Read-Time-Us", when);
	return http_reply(req, HTTP_OK, JSON_TYPE, body, body ? strlen(body) : 0);
}

/* ---- /api/v1/events ------------------------------------------------------ */

static int api_events(struct http_request *req, struct web *w)
{
	struct events_query q = { 0 };
	int ret;

	if (read_query(req, events_params, &q, &ret))
		return ret;
	return http_feed_reply(req, w->feed, SSE_TYPE, q.types ? q.types : EVENT_ALL_TYPES, q.netns);
}

/* @ev as one message into @b: "data: {...}\n\n", the line events --json writes. */
static void write_message(struct event_buf *b, const struct nsmon_event *ev)
{
	event_buf_clear(b);
	event_buf_put(b, "data: ", 6);
	event_write_json(b, ev);	/* its line's '\n' and one more end the message */
	event_buf_put(b, "\n", 1);
}

/*
 * One event as one message, about its namespace (a "netns" event's is the
 * one it names); losses to every page, whatever it asked for.
 */
static void publish_event(const struct nsmon_event *ev, void *data)
{
	struct web *w = data;
	const char *netns = ev->type == EVENT_NETNS ? ev->netns.name : event_netns_name(ev);

	write_message(&w->event_msg, ev);
	if (w->event_msg.err)
		return;
	http_feed_publish(w->feed, ev->type == EVENT_LOST ? HTTP_FEED_EVERYONE : ev->type, netns,
			  w->event_msg.p, w->event_msg.len);
}

/* What a page that fell behind is told: one of the stream's own "lost" records, from "web". */
static size_t lost_record(char *buf, size_t size, unsigned long long lost,
			  unsigned long long total)
{
	const struct nsmon_event ev = {
		.type = EVENT_LOST,
		.time_us = clock_realtime_us(),
		.lost = { .source = "web", .lost = lost, .lost_total = total },
	};
	struct event_buf b;
	size_t n = 0;

	event_buf_init(&b);
	write_message(&b, &ev);
	if (!b.err && b.len < size) {
		memcpy(buf, b.p, b.len);
		n = b.len;
	}
	event_buf_free(&b);
	return n;
}

/*
 * The event stream, open only while a page listens (and LINGER_MS after):
 * it loads tracepoint programs and walks /proc every second, which nobody
 * should pay for while no one looks. Runs in a thread of its own.
 */
static void *events_main(void *data)
{
	struct web *w = data;
	/*
	 * events' default drop rate; no auto-attach. The whole machine, as
	 * before the events' scope: each page asks for its namespace (?netns=).
	 */
	struct event_opts eo = { .drops_per_sec = 100, .scope.all = true };
	static const char keepalive[] = ": keep-alive\n\n";

	event_buf_init(&w->event_msg);
	while (!w->stopping) {
		struct event_stream *es;
		__u64 last_page, last_keepalive;

		if (!http_feed_wait_clients(w->feed, 1000))
			continue;
		if (event_stream_open(&eo, &es)) {
			/* Said once on stderr; the pages wait, and we try again in a while. */
			for (int i = 0; i < 30 && !w->stopping; i++)
				sleep(1);
			continue;
		}
		http_feed_set_open(w->feed, true);
		last_page = last_keepalive = clock_monotonic_us();
		while (!w->stopping) {
			__u64 now;
			int ret = event_stream_poll(es, 250, publish_event, w);

			if (ret < 0 && ret != -EINTR) {
				pr_warn("web: cannot read events: %s", strerror(-ret));
				break;
			}
			now = clock_monotonic_us();
			if (now - last_keepalive >= KEEPALIVE_MS * 1000ULL) {
				http_feed_publish(w->feed, HTTP_FEED_EVERYONE, NULL, keepalive,
						  sizeof(keepalive) - 1);
				last_keepalive = now;
			}
			if (http_feed_wait_clients(w->feed, 0))
				last_page = now;
			else if (now - last_page >= LINGER_MS * 1000ULL)
				break;
		}
		http_feed_set_open(w->feed, false);
		event_stream_close(es);
	}
	event_buf_free(&w->event_msg);
	return NULL;
}

/* ---- the page ------------------------------------------------------------- */

static const char *type_of(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ndjson", "application/x-ndjson" },
	};
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static int answer(struct http_request *req, void *ctx)
{
	struct web *w = ctx;
	const char *path = http_request_path(req);

	if (!strcmp(path, "/api/v1/stats"))
		return api_stats(req);
	if (!strcmp(path, "/api/v1/events"))
		return api_events(req, w);
	if (!strcmp(path, "/"))
		path = "/index.html";
	for (const struct web_asset *a = web_assets; a->path; a++)
		if (!strcmp(path, a->path))
			return http_reply_static(req, HTTP_OK, type_of(path), a->data, a->len);
	return http_reply_text(req, HTTP_NOT_FOUND, "nsmon web: no %s here: the page is at /, the API at /api/v1/stats and /api/v1/events",
			       http_request_path(req));
}

/* ---- the command ---------------------------------------------------------- */

struct web_args {
	const char *listen;
};

static const struct cli_option web_options[] = {
	CLI_OPTION("listen", 0, CLI_STRING, struct web_args, listen, .metavar = "ADDR:PORT",
		   .def = DEFAULT_LISTEN,
		   .help = "where to serve the page ([ADDR6]:PORT; loopback unless you say otherwise)"),
	CLI_END
};

static int run_web(const void *args, int noperands, char **operands)
{
	const struct web_args *a = args;
	struct http_feed_opts fo = {
		.keep = EVENTS_KEPT,
		.hello = "retry: 2000\n: nsmon events\n\n",
		.lost = lost_record,
	};
	struct web w = { 0 };
	struct http_server_opts opts = {
		.handler = answer,
		.ctx = &w,
		.headers = web_headers,
		.loopback_host_only = true,
	};
	struct http_listen where;
	struct http_server *srv = NULL;
	sigset_t stop;
	int err, sig;

	if (http_listen_parse(a->listen, DEFAULT_LISTEN, &where))
		return EXIT_USAGE;
	err = datapath_preflight();
	if (!err)
		err = http_feed_new(&fo, &w.feed);
	if (err)
		return cli_exit_code(err);
	/* Blocked before any thread starts, so that each inherits the mask: ours to wait for. */
	http_block_stop_signals(&stop);
	signal(SIGPIPE, SIG_IGN);
	err = http_server_start(&where, a->listen, &opts, &srv);
	if (!err) {
		err = -pthread_create(&w.events_thread, NULL, events_main, &w);
		w.events_started = !err;
		if (err)
			pr_warn("web: cannot start the events thread: %s", strerror(-err));
	}
	if (!err) {
		pr_info("web: serving %s/", http_server_url(srv));
		sigwait(&stop, &sig);
	}
	w.stopping = true;
	http_feed_close(w.feed);
	if (w.events_started)
		pthread_join(w.events_thread, NULL);
	http_server_stop(srv);
	http_feed_free(w.feed);
	return cli_exit_code(err);
}

const struct cli_command cmd_web = {
	.name = "web",
	.summary = "the lab as a live web page: topology, rates on the wires, matrix, events",
	.description = "Serves a page (compiled in, nothing fetched from elsewhere) that draws every\n"
		       "monitored lab with the packets per second on each wire, each place's counters,\n"
		       "the forwarding matrix as a heat map, the events as they come, and the ladder of\n"
		       "a ping from `nsmon explain --json`; and its data: /api/v1/stats (the stats\n"
		       "--json document) and /api/v1/events (Server-Sent Events). Read-only.",
	.options = web_options,
	.args_size = sizeof(struct web_args),
	.examples = "nsmon web &\tthen open http://127.0.0.1:9466/\n"
		    "curl -s 'http://127.0.0.1:9466/api/v1/stats?netns=red' | jq .\tstats -n red -j\n"
		    "curl -s 'http://127.0.0.1:9466/api/v1/stats?bridge=v-net-0&bridge=br2'\ttwo labs\n"
		    "curl -sN http://127.0.0.1:9466/api/v1/events?type=neigh,fdb\tevents -j -t neigh,fdb",
	.run = run_web,
};
