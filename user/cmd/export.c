// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon export: the counters for Prometheus, over HTTP (libmicrohttpd) at
 * /metrics. Each scrape reads the labs and the maps afresh, as `nsmon
 * stats` does, so a namespace added or a lab taken down shows at the next
 * scrape; scrapes are answered one at a time, by libmicrohttpd's thread
 * (output/http.c).
 */
#define _GNU_SOURCE	/* asprintf */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>

#include "cmd/cli.h"
#include "cmd/scope_options.h"
#include "output/export_metrics.h"
#include "output/http.h"
#include "util/log.h"
#include "model/stats_model.h"

#define DEFAULT_LISTEN	"127.0.0.1:9465"
#define METRICS_PATH	"/metrics"
/* The exposition format Prometheus asks for when it scrapes text. */
#define METRICS_TYPE	"text/plain; version=0.0.4; charset=utf-8"
#define TEXT_TYPE	"text/plain; charset=utf-8"

static const char *const export_headers[] = {
	"X-Content-Type-Options", "nosniff",
	"Cache-Control", "no-store",
	NULL,
};

struct exporter {
	struct lab_scope scope;		/* the labs served */
	size_t room;			/* what the last scrape's text took, to start the next from */
};

/* The first scrape's room: what 100 interfaces take; 1,000 take ~4.6 MB. */
#define FIRST_ROOM	(512 * 1024)

/*
 * @m as text in a buffer big enough the first time almost always: an
 * open_memstream() grows by copying and zeroing, a fifth of a big scrape.
 * Return: 0 with *@text (malloc'ed) and *@len set, or -errno.
 */
static int render(const struct stats_model *m, struct exporter *ex, char **text, size_t *len)
{
	for (;;) {
		char *buf = malloc(ex->room);
		FILE *out = buf ? fmemopen(buf, ex->room, "w") : NULL;
		int err;

		if (!out) {
			free(buf);
			return -ENOMEM;
		}
		err = export_metrics_write(m, out);
		if (!err && fflush(out))
			err = -errno;
		*len = (size_t)ftell(out);
		fclose(out);
		if (!err) {
			*text = buf;
			ex->room = *len + *len / 4 + 1;	/* the lab may grow a little */
			return 0;
		}
		free(buf);
		if (err != -EIO && err != -ENOSPC)
			return err;
		ex->room *= 2;	/* it did not fit */
	}
}

/* "nsmon: cannot @what: reason" as a malloc'ed body (NULL, *@len 0: no memory). */
static char *failed(size_t *len, const char *what, int err)
{
	char *text;
	int n = asprintf(&text, "nsmon: cannot %s: %s\n", what, strerror(-err));

	*len = n < 0 ? 0 : (size_t)n;
	return n < 0 ? NULL : text;
}

/*
 * The model of the exporter's labs into *@m (each matrix left out:
 * export_metrics.c says why). Return: 0, or -errno with the reason in
 * *@why: the lines `nsmon stats` would print, for the scraper rather than
 * our stderr, once per scrape.
 */
static int read_model(const struct exporter *ex, struct stats_model **m, char **why, size_t *len)
{
	struct http_said said;
	char *said_text;
	int err;

	http_said_begin(&said);
	err = stats_model_read(&ex->scope, STATS_MODEL_MATRIX_NONE, m);
	said_text = http_said_end(&said, len);
	if (err) {
		*why = said_text ? said_text : failed(len, "read the counters", err);
		return err;
	}
	free(said_text);
	return 0;
}

/*
 * The metrics of every monitored bridge, as a malloc'ed text in *@text.
 * Return: 0, or -errno with the reason in *@text (read_model()).
 */
static int scrape(struct exporter *ex, char **text, size_t *len)
{
	struct stats_model *m;
	int err = read_model(ex, &m, text, len);

	if (err)
		return err;
	err = render(m, ex, text, len);
	stats_model_free(m);
	if (err)
		*text = failed(len, "write the metrics", err);
	return err;
}

static int answer(struct http_request *req, void *cls)
{
	struct exporter *ex = cls;
	char *body;
	size_t len;

	if (strcmp(http_request_path(req), METRICS_PATH))
		return http_reply_text(req, HTTP_NOT_FOUND, "nsmon export: the metrics are at %s",
				       METRICS_PATH);
	if (scrape(ex, &body, &len))
		return http_reply(req, HTTP_UNAVAILABLE, TEXT_TYPE, body, len);
	return http_reply(req, HTTP_OK, METRICS_TYPE, body, len);
}

/*
 * Say at start what scrapes will be told while there is nothing to serve:
 * an exporter may well start before its lab.
 */
static void say_if_empty(const struct exporter *ex)
{
	struct stats_model *m;
	size_t len;
	char *why = NULL;
	int err = read_model(ex, &m, &why, &len);

	if (!err) {
		stats_model_free(m);	/* only the reason matters here: no text is rendered */
		return;
	}
	if (why) {
		why[strcspn(why, "\n")] = '\0';
		pr_info("export: scrapes get 503 until there is a lab: %s",
			strncmp(why, "nsmon: ", 7) ? why : why + 7);
	}
	free(why);
}

struct export_args {
	const char *listen;
	struct scope_args scope;
};

static const struct cli_option export_options[] = {
	CLI_OPTION("listen", 0, CLI_STRING, struct export_args, listen, .metavar = "ADDR:PORT",
		   .def = DEFAULT_LISTEN, .help = "where to serve /metrics ([ADDR6]:PORT)"),
	SCOPE_CLI_OPTIONS(struct export_args, scope, SCOPE_ALL_LABS),
	CLI_END
};

static int run_export(const void *args, int noperands, char **operands)
{
	const struct export_args *a = args;
	struct exporter ex = { .room = FIRST_ROOM, .scope = scope_of(&a->scope) };
	struct http_server_opts opts = {
		.handler = answer,
		.ctx = &ex,
		.headers = export_headers,
	};
	struct http_listen where;
	struct http_server *srv;
	sigset_t stop;
	int err, sig;

	if (scope_check(&ex.scope) || http_listen_parse(a->listen, DEFAULT_LISTEN, &where))
		return EXIT_USAGE;
	/* Blocked before the server's thread starts, so that it inherits the mask: ours to wait for. */
	http_block_stop_signals(&stop);
	err = http_server_start(&where, a->listen, &opts, &srv);
	if (err)
		return cli_exit_code(err);
	pr_info("export: serving %s%s", http_server_url(srv), METRICS_PATH);
	say_if_empty(&ex);
	sigwait(&stop, &sig);
	http_server_stop(srv);
	return EXIT_OK;
}

const struct cli_command cmd_export = {
	.name = "export",
	.summary = "serve the counters for Prometheus at /metrics",
	.description = "The counters of every monitored lab (or those --bridge and -n name) in\n"
		       "Prometheus text format 0.0.4, read afresh at each scrape, until Ctrl-C;\n"
		       "while there is no lab, a scrape gets 503 and the reason.",
	.options = export_options,
	.args_size = sizeof(struct export_args),
	.examples = "nsmon export &\tthen: curl -s http://127.0.0.1:9465/metrics\n"
		    "nsmon export --listen [::1]:9465\tIPv6 loopback\n"
		    "nsmon export --bridge v-net-0 -n red\tonly red's interfaces and its port",
	/*
	 * It only reads (systemd/nsmon-export.service runs it with these two):
	 * CAP_NET_ADMIN to dump the links of other namespaces by nsid
	 * (IFLA_TARGET_NETNSID), CAP_BPF for the pinned maps where the kernel
	 * (before 6.5, with kernel.unprivileged_bpf_disabled) wants it for any bpf().
	 */
	.caps = CLI_CAP(CAP_NET_ADMIN) | CLI_CAP(CAP_BPF),
	.run = run_export,
};
