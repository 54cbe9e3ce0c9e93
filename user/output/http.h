/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one HTTP server of the commands that serve (`nsmon export`, `nsmon
 * web`), over libmicrohttpd, which is loaded when one starts rather than
 * linked (http.c says why). Read-only by construction: only GET and HEAD
 * reach a handler, anything else is answered 405 here.
 */
#ifndef NSMON_HTTP_H
#define NSMON_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>

/* An address --listen named: a port in 1..65535, a numeric host. */
struct http_listen {
	struct sockaddr_storage addr;
	socklen_t len;
};

/**
 * http_listen_parse() - --listen @text ("ADDR:PORT", "[ADDR6]:PORT") into
 * @out; @example is shown when the shape is wrong.
 * Return: 0, or -EINVAL after saying why.
 */
int http_listen_parse(const char *text, const char *example, struct http_listen *out);

/* One request, valid during the handler's call. */
struct http_request;

/*
 * Answer @req with one of http_reply*() or http_feed_reply(), and return
 * what it returned.
 */
typedef int (*http_handler)(struct http_request *req, void *ctx);

struct http_server_opts {
	http_handler handler;
	void *ctx;
	/* Header name, value, ... NULL: added to every answer. */
	const char *const *headers;
	/*
	 * Answer only requests whose Host names the server as it is reached
	 * on loopback (127.0.0.1:PORT, localhost:PORT, [::1]:PORT), when it
	 * listens on loopback: a web page elsewhere that rebinds its DNS name
	 * to 127.0.0.1 cannot read the answers (421 for it).
	 */
	bool loopback_host_only;
};

/*
 * A connection that sends and takes nothing for this long is closed, and so
 * many are held at once: enough that the idle sockets any local user may
 * open (50 in the tests) leave room for Prometheus or a page, and short
 * enough that they do not stay. A scrape is a connection that talks at once;
 * a page polls every second over one; an event stream waits suspended, and
 * no timeout applies to it then.
 */
#define HTTP_IDLE_TIMEOUT_S	3
#define HTTP_CONNECTION_LIMIT	256

struct http_server;

/*
 * http_block_stop_signals() - block SIGINT and SIGTERM in this thread, and
 * so in the server's and any other thread started after: the command's to
 * sigwait() for in @stop, so that Ctrl-C stops it cleanly.
 */
void http_block_stop_signals(sigset_t *stop);

/**
 * http_server_start() - listen on @where (--listen @text) and serve it from
 * a thread of libmicrohttpd's, loading the library first.
 * Return: 0 with *@out set, or -errno after saying why (-EADDRINUSE: the
 * port is taken; -ENOENT: no libmicrohttpd).
 */
int http_server_start(const struct http_listen *where, const char *text,
		      const struct http_server_opts *opts, struct http_server **out);

/* "http://127.0.0.1:9465": where the server listens, as the kernel bound it (getsockname). */
const char *http_server_url(const struct http_server *srv);

/* Stop serving; every connection is closed (end every feed first: http_feed_close()). */
void http_server_stop(struct http_server *srv);

/* The path of @req, without its query ("/api/v1/stats"). */
const char *http_request_path(const struct http_request *req);

/*
 * Call @cb on each query argument of @req ("?netns=red&matrix": value NULL
 * for a name without '='), in order, until it returns non-zero.
 * Return: what @cb returned last, or 0.
 */
int http_request_args(struct http_request *req,
		      int (*cb)(const char *name, const char *value, void *data), void *data);

/* Add a header to the answer @req gets next (at most a few per answer). */
void http_request_header(struct http_request *req, const char *name, const char *value);

/* Answer @req with @body, malloc'ed and ours from here (NULL: out of memory). */
int http_reply(struct http_request *req, unsigned int status, const char *type, char *body,
	       size_t len);

/* Answer @req with @body, which outlives the server (compiled in). */
int http_reply_static(struct http_request *req, unsigned int status, const char *type,
		      const void *body, size_t len);

/* Answer @req with one line of text/plain, a newline added. */
int http_reply_text(struct http_request *req, unsigned int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * This thread's messages (pr_warn ...), kept rather than printed, for an
 * answer that carries them: http_said_begin(), the work, http_said_end().
 */
struct http_said {
	FILE *out;
	char *text;
	size_t len;
};

void http_said_begin(struct http_said *s);

/* Return: what was said (malloc'ed, free() it; NULL when nothing was). */
char *http_said_end(struct http_said *s, size_t *len);

/* HTTP status codes we answer with. */
enum {
	HTTP_OK = 200,
	HTTP_BAD_REQUEST = 400,
	HTTP_NOT_FOUND = 404,
	HTTP_METHOD_NOT_ALLOWED = 405,
	HTTP_MISDIRECTED = 421,
	HTTP_UNAVAILABLE = 503,
};

#endif
