// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon export: the counters for Prometheus, over HTTP (libmicrohttpd) at
 * /metrics. Each scrape reads the labs and the maps afresh, as `nsmon
 * stats` does, so a namespace added or a lab taken down shows at the next
 * scrape; scrapes are answered one at a time, by libmicrohttpd's thread.
 *
 * libmicrohttpd is loaded when export starts, not linked: linked, it brings
 * GnuTLS and eight more libraries into the start of every nsmon command
 * (~5 ms of each `nsmon up`, measured), for the one that serves HTTP.
 */
#define _GNU_SOURCE	/* vasprintf */
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <microhttpd.h>

#include "cmd/cli.h"
#include "output/export_metrics.h"
#include "util/log.h"
#include "model/stats_model.h"

/* Debian 12's libmicrohttpd12, whose microhttpd.h we build against. */
#define MHD_SONAME	"libmicrohttpd.so.12"

/* The libmicrohttpd functions export calls, found in the library once loaded. */
static struct {
	typeof(MHD_start_daemon) *start_daemon;
	typeof(MHD_stop_daemon) *stop_daemon;
	typeof(MHD_create_response_from_buffer) *create_response_from_buffer;
	typeof(MHD_add_response_header) *add_response_header;
	typeof(MHD_queue_response) *queue_response;
	typeof(MHD_destroy_response) *destroy_response;
} mhd;

/* Load libmicrohttpd into @mhd. Return: 0, or -ENOENT after saying why. */
static int load_mhd(void)
{
	void *lib = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	const struct {
		const char *name;
		void **fn;
	} syms[] = {
		{ "MHD_start_daemon", (void **)&mhd.start_daemon },
		{ "MHD_stop_daemon", (void **)&mhd.stop_daemon },
		{ "MHD_create_response_from_buffer", (void **)&mhd.create_response_from_buffer },
		{ "MHD_add_response_header", (void **)&mhd.add_response_header },
		{ "MHD_queue_response", (void **)&mhd.queue_response },
		{ "MHD_destroy_response", (void **)&mhd.destroy_response },
	};

	if (!lib) {
		pr_warn("cannot load %s: %s (make deps installs it)", MHD_SONAME, dlerror());
		return -ENOENT;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		*syms[i].fn = dlsym(lib, syms[i].name);
		if (!*syms[i].fn) {
			pr_warn("cannot load %s: it has no %s", MHD_SONAME, syms[i].name);
			return -ENOENT;
		}
	}
	return 0;	/* loaded for the life of the process */
}

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

/* A one-line message as a malloc'ed body (NULL, *@len 0, when out of memory). */
static char *say(size_t *len, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *say(size_t *len, const char *fmt, ...)
{
	va_list args;
	char *text;
	int n;

	va_start(args, fmt);
	n = vasprintf(&text, fmt, args);
	va_end(args);
	*len = n < 0 ? 0 : (size_t)n;
	return n < 0 ? NULL : text;
}

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
			*text = say(len, "nsmon: cannot read the counters: %s\n", strerror(-err));
		}
		return err;
	}
	free(why);
	err = render(m, ex, text, len);
	stats_model_free(m);
	if (err)
		*text = say(len, "nsmon: cannot write the metrics: %s\n", strerror(-err));
	return err;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, const char *type,
			     char *body, size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	/* Ours to free: libmicrohttpd frees it (free()) with the response. */
	resp = mhd.create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	mhd.add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		mhd.add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = mhd.queue_response(conn, status, resp);
	mhd.destroy_response(resp);
	return ret;
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
		body = say(&len, "nsmon export: only GET and HEAD\n");
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", body, len);
	}
	if (strcmp(url, METRICS_PATH)) {
		body = say(&len, "nsmon export: the metrics are at %s\n", METRICS_PATH);
		return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", body, len);
	}
	err = scrape(ex, &body, &len);
	if (err)
		return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", body, len);
	return reply(conn, MHD_HTTP_OK, METRICS_TYPE, body, len);
}

/*
 * The address of --listen @text ("ADDR:PORT", "[ADDR6]:PORT") in *@ai
 * (freeaddrinfo() it). Return: 0, or -EINVAL after saying why.
 */
static int parse_listen(const char *text, struct addrinfo **ai)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE };
	const char *colon = strrchr(text, ':'), *host = text;
	size_t hostlen = colon ? (size_t)(colon - text) : 0;
	char buf[256];
	int err;

	if (hostlen >= 2 && text[0] == '[' && text[hostlen - 1] == ']') {
		host++;
		hostlen -= 2;
	}
	if (!colon || !hostlen || hostlen >= sizeof(buf) || !colon[1]) {
		pr_warn("bad --listen \"%s\": want ADDR:PORT, like %s", text, DEFAULT_LISTEN);
		return -EINVAL;
	}
	memcpy(buf, host, hostlen);
	buf[hostlen] = '\0';
	err = getaddrinfo(buf, colon + 1, &hints, ai);
	if (err) {
		pr_warn("bad --listen \"%s\": %s", text, gai_strerror(err));
		return -EINVAL;
	}
	return 0;
}

/* A socket listening on @ai (--listen @text). Return: the fd, or -errno after saying why. */
static int listen_on(const struct addrinfo *ai, const char *text)
{
	int fd, one = 1, err;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
			bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64))) {
		err = -errno;
		close(fd);
		fd = err;
	} else if (fd < 0) {
		fd = -errno;
	}
	if (fd < 0)
		pr_warn("cannot listen on %s: %s", text, strerror(-fd));
	return fd;
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

	if (parse_listen(listen_at, &ai))
		return EXIT_USAGE;
	/* Refuse at once what every scrape would refuse: nothing, or no such bridge, monitored. */
	err = stats_model_read(ex.bridge, NULL, STATS_MODEL_NO_MATRIX, &m);
	if (!err) {
		stats_model_free(m);
		err = load_mhd();
	}
	fd = err ? err : listen_on(ai, listen_at);
	freeaddrinfo(ai);
	if (fd < 0)
		return cli_exit_code(fd);

	/* Blocked before the daemon's thread starts, so that it inherits the mask: ours to wait for. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	/* The daemon owns the socket from here, and closes it even when it fails to start. */
	daemon = mhd.start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
				  answer, &ex, MHD_OPTION_LISTEN_SOCKET, fd,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONNECTION_TIMEOUT_S,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONNECTION_LIMIT,
				  MHD_OPTION_END);
	if (!daemon) {
		pr_warn("cannot serve HTTP on %s: libmicrohttpd refused to start", listen_at);
		return EXIT_FAIL;
	}
	pr_info("export: serving http://%s%s", listen_at, METRICS_PATH);
	sigwait(&stop, &sig);
	mhd.stop_daemon(daemon);	/* closes fd with the daemon */
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
