// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon export: the counters for Prometheus, over HTTP (libmicrohttpd) at
 * /metrics. Each scrape reads the labs and the maps afresh, as `nsmon
 * stats` does, so a namespace added or a lab taken down shows at the next
 * scrape; scrapes are answered one at a time, by libmicrohttpd's thread
 * (output/http.c).
 */
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "output/export_metrics.h"
#include "output/http.h"
#include "util/log.h"
#include "model/stats_model.h"

#define DEFAULT_LISTEN	"127.0.0.1:9465"
#define METRICS_PATH	"/metrics"
/*
 * A scraper that connects and sends nothing is let go after this; and so
 * many at once are all the daemon takes: served one at a time anyway,
 * more would only wait, and idle ones could crowd out Prometheus.
 */
#define CONNECTION_TIMEOUT_S	10
#define CONNECTION_LIMIT	16
/* The exposition format Prometheus asks for when it scrapes text. */
#define METRICS_TYPE	"text/plain; version=0.0.4; charset=utf-8"

struct exporter {
	const char *bridge;		/* NULL: every monitored bridge */
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

/*
 * The metrics of every monitored bridge, as a malloc'ed text in *@text.
 * Return: 0, or -errno with the reason in *@text: the lines `nsmon stats`
 * would print, for the scraper rather than our stderr, once per scrape.
 */
static int scrape(struct exporter *ex, char **text, size_t *len)
{
	struct stats_model *m;
	char *why = NULL;
	size_t why_len = 0;
	FILE *said = open_memstream(&why, &why_len);
	int err;

	/* The model leaves each matrix out: export_metrics.c says why. */
	log_capture(said);
	err = stats_model_read(ex->bridge, NULL, STATS_MODEL_NO_MATRIX, &m);
	log_capture(NULL);
	if (said)
		fclose(said);
	if (err) {
		if (why_len) {
			*text = why;
			*len = why_len;
		} else {
			free(why);
			*text = http_say(len, "nsmon: cannot read the counters: %s\n", strerror(-err));
		}
		return err;
	}
	free(why);
	err = render(m, ex, text, len);
	stats_model_free(m);
	if (err)
		*text = http_say(len, "nsmon: cannot write the metrics: %s\n", strerror(-err));
	return err;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **req_cls)
{
	struct exporter *ex = cls;
	char *body = NULL;
	size_t len = 0;
	int err;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		body = http_say(&len, "nsmon export: only GET and HEAD\n");
		return http_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", body, len);
	}
	if (strcmp(url, METRICS_PATH)) {
		body = http_say(&len, "nsmon export: the metrics are at %s\n", METRICS_PATH);
		return http_reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", body, len);
	}
	err = scrape(ex, &body, &len);
	if (err)
		return http_reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", body, len);
	return http_reply(conn, MHD_HTTP_OK, METRICS_TYPE, body, len);
}

struct export_args {
	const char *listen, *bridge;
};

static const struct cli_option export_options[] = {
	CLI_OPTION("listen", 0, CLI_STRING, struct export_args, listen, .metavar = "ADDR:PORT",
		   .def = DEFAULT_LISTEN, .help = "where to serve /metrics ([ADDR6]:PORT)"),
	CLI_OPTION("bridge", 0, CLI_IFNAME, struct export_args, bridge, .metavar = "NAME",
		   .complete = CLI_COMPLETE_BRIDGE, .help = "only the lab of bridge NAME"),
	CLI_END
};

static int run_export(const void *args, int noperands, char **operands)
{
	const struct export_args *a = args;
	const char *listen_at = a->listen;
	struct exporter ex = { .room = FIRST_ROOM, .bridge = a->bridge };
	struct stats_model *m;
	struct MHD_Daemon *daemon;
	struct addrinfo *ai;
	sigset_t stop;
	int fd, err, sig;

	if (http_parse_listen(listen_at, DEFAULT_LISTEN, &ai))
		return EXIT_USAGE;
	/* Refuse at once what every scrape would refuse: nothing, or no such bridge, monitored. */
	err = stats_model_read(ex.bridge, NULL, STATS_MODEL_NO_MATRIX, &m);
	if (!err) {
		stats_model_free(m);
		err = http_load();
	}
	fd = err ? err : http_listen_on(ai, listen_at);
	freeaddrinfo(ai);
	if (fd < 0)
		return cli_exit_code(fd);

	/* Blocked before the daemon's thread starts, so that it inherits the mask: ours to wait for. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	/* The daemon owns the socket from here, and closes it even when it fails to start. */
	daemon = http_serve(fd, answer, &ex, CONNECTION_TIMEOUT_S, CONNECTION_LIMIT);
	if (!daemon) {
		pr_warn("cannot serve HTTP on %s: libmicrohttpd refused to start", listen_at);
		return EXIT_FAIL;
	}
	pr_info("export: serving http://%s%s", listen_at, METRICS_PATH);
	sigwait(&stop, &sig);
	http_stop(daemon);	/* closes fd with the daemon */
	return EXIT_OK;
}

const struct cli_command cmd_export = {
	.name = "export",
	.summary = "serve the counters for Prometheus at /metrics",
	.description = "The counters of every monitored lab (or one) in Prometheus text format 0.0.4,\n"
		       "read afresh at each scrape, until Ctrl-C.",
	.options = export_options,
	.args_size = sizeof(struct export_args),
	.examples = "nsmon export &\tthen: curl -s http://127.0.0.1:9465/metrics\n"
		    "nsmon export --listen [::1]:9465\tIPv6 loopback",
	.run = run_export,
};
