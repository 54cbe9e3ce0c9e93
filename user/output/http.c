// SPDX-License-Identifier: GPL-2.0
/*
 * The HTTP server of `nsmon export` and `nsmon web`: libmicrohttpd, one
 * thread of its own polling every connection (epoll), so a connection that
 * idles costs a socket, not a thread; requests answered one at a time.
 *
 * libmicrohttpd is loaded when a command that serves starts, not linked:
 * linked, it brings GnuTLS and eight more libraries into the start of every
 * nsmon command (~5 ms of each `nsmon up`, measured), for the ones that
 * serve HTTP.
 */
#define _GNU_SOURCE	/* vasprintf */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include "output/http.h"
#include "output/http_mhd.h"
#include "util/log.h"
#include "util/number.h"

/* Debian 12's libmicrohttpd12, whose microhttpd.h we build against. */
#define MHD_SONAME	"libmicrohttpd.so.12"

struct http_mhd http_mhd;

/* Load libmicrohttpd into http_mhd. Return: 0, or -ENOENT after saying why. */
static int http_load(void)
{
	static int loaded;
	void *lib;
	const struct {
		const char *name;
		void **fn;
	} syms[] = {
		{ "MHD_start_daemon", (void **)&http_mhd.start_daemon },
		{ "MHD_stop_daemon", (void **)&http_mhd.stop_daemon },
		{ "MHD_create_response_from_buffer", (void **)&http_mhd.create_response_from_buffer },
		{ "MHD_create_response_from_callback",
		  (void **)&http_mhd.create_response_from_callback },
		{ "MHD_add_response_header", (void **)&http_mhd.add_response_header },
		{ "MHD_queue_response", (void **)&http_mhd.queue_response },
		{ "MHD_destroy_response", (void **)&http_mhd.destroy_response },
		{ "MHD_lookup_connection_value", (void **)&http_mhd.lookup_connection_value },
		{ "MHD_get_connection_values", (void **)&http_mhd.get_connection_values },
		{ "MHD_suspend_connection", (void **)&http_mhd.suspend_connection },
		{ "MHD_resume_connection", (void **)&http_mhd.resume_connection },
	};

	if (loaded)
		return 0;
	lib = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
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
	loaded = 1;	/* for the life of the process */
	return 0;
}

/* ---- where to listen ----------------------------------------------------- */

int http_listen_parse(const char *text, const char *example, struct http_listen *out)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_PASSIVE };
	const char *colon = strrchr(text, ':'), *host = text, *why;
	size_t hostlen = colon ? (size_t)(colon - text) : 0;
	unsigned long port;
	struct addrinfo *ai;
	char buf[256];
	int err;

	if (hostlen >= 2 && text[0] == '[' && text[hostlen - 1] == ']') {
		host++;
		hostlen -= 2;
	}
	if (!colon || !hostlen || hostlen >= sizeof(buf) || !colon[1]) {
		pr_warn("bad --listen \"%s\": want ADDR:PORT, like %s", text, example);
		return -EINVAL;
	}
	/* Port 0 would bind whatever port is free, and 99999 wrap to another one. */
	why = number_parse(colon + 1, 1, 65535, &port);
	if (why) {
		pr_warn("bad --listen \"%s\": the port %s (1 to 65535)", text, why);
		return -EINVAL;
	}
	memcpy(buf, host, hostlen);
	buf[hostlen] = '\0';
	err = getaddrinfo(buf, NULL, &hints, &ai);
	if (err) {
		pr_warn("bad --listen \"%s\": %s", text, gai_strerror(err));
		return -EINVAL;
	}
	memcpy(&out->addr, ai->ai_addr, ai->ai_addrlen);
	out->len = ai->ai_addrlen;
	freeaddrinfo(ai);
	if (out->addr.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&out->addr)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)&out->addr)->sin_port = htons(port);
	return 0;
}

/* A socket listening on @where (--listen @text). Return: the fd, or -errno after saying why. */
static int listen_on(const struct http_listen *where, const char *text)
{
	int fd, one = 1, err;

	fd = socket(where->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
			bind(fd, (const struct sockaddr *)&where->addr, where->len) ||
			listen(fd, 128))) {
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

/* ---- the server ------------------------------------------------------------ */

#define HOST_MAX	(INET6_ADDRSTRLEN + 16)

struct http_server {
	struct http_server_opts opts;
	struct MHD_Daemon *daemon;
	char url[HOST_MAX + 8];
	/* The Host values a loopback server answers; empty: any. */
	char hosts[3][HOST_MAX];
	int nhosts;
};

/* "ADDR:PORT" of @fd as the kernel bound it ("[ADDR6]:PORT"), and whether it is loopback. */
static int bound_address(int fd, char *out, size_t size, unsigned int *port, bool *loopback)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[INET6_ADDRSTRLEN];

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -errno;
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, addr, sizeof(addr));
		*port = ntohs(in6->sin6_port);
		*loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
		snprintf(out, size, "[%s]:%u", addr, *port);
	} else {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &in->sin_addr, addr, sizeof(addr));
		*port = ntohs(in->sin_port);
		*loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
		snprintf(out, size, "%s:%u", addr, *port);
	}
	return 0;
}

static bool host_allowed(const struct http_server *srv, struct MHD_Connection *conn)
{
	const char *host;

	if (!srv->nhosts)
		return true;
	host = http_mhd.lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (!host)
		return true;	/* HTTP/1.0 and tools; every browser names the host */
	for (int i = 0; i < srv->nhosts; i++)
		if (!strcasecmp(host, srv->hosts[i]))
			return true;
	return false;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **req_cls)
{
	struct http_server *srv = cls;
	struct http_request req = { .conn = conn, .srv = srv, .path = url };
	int ret;

	req.head = !strcmp(method, MHD_HTTP_METHOD_HEAD);
	if (strcmp(method, MHD_HTTP_METHOD_GET) && !req.head) {
		/* Nothing served here changes anything. */
		http_request_header(&req, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
		ret = http_reply_text(&req, HTTP_METHOD_NOT_ALLOWED, "nsmon: only GET and HEAD");
	} else if (!host_allowed(srv, conn)) {
		ret = http_reply_text(&req, HTTP_MISDIRECTED, "nsmon: this server answers as http://%s/ only",
				      srv->hosts[0]);
	} else {
		ret = srv->opts.handler(&req, srv->opts.ctx);
	}
	return ret ? MHD_NO : MHD_YES;
}

void http_block_stop_signals(sigset_t *stop)
{
	sigemptyset(stop);
	sigaddset(stop, SIGINT);
	sigaddset(stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, stop, NULL);
}

int http_server_start(const struct http_listen *where, const char *text,
		      const struct http_server_opts *opts, struct http_server **out)
{
	struct http_server *srv;
	char bound[HOST_MAX];
	unsigned int port = 0;
	bool loopback = false;
	int fd, err;

	err = http_load();
	if (err)
		return err;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->opts = *opts;
	fd = listen_on(where, text);
	if (fd < 0) {
		free(srv);
		return fd;
	}
	err = bound_address(fd, bound, sizeof(bound), &port, &loopback);
	if (err) {
		pr_warn("cannot listen on %s: %s", text, strerror(-err));
		close(fd);
		free(srv);
		return err;
	}
	snprintf(srv->url, sizeof(srv->url), "http://%s", bound);
	if (opts->loopback_host_only && loopback) {
		snprintf(srv->hosts[srv->nhosts++], HOST_MAX, "%s", bound);
		snprintf(srv->hosts[srv->nhosts++], HOST_MAX, "localhost:%u", port);
	}
	/* The daemon owns the socket from here, and closes it even when it fails to start. */
	srv->daemon = http_mhd.start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
					    MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL,
					    answer, srv, MHD_OPTION_LISTEN_SOCKET, fd,
					    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_IDLE_TIMEOUT_S,
					    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_CONNECTION_LIMIT,
					    MHD_OPTION_END);
	if (!srv->daemon) {
		pr_warn("cannot serve HTTP on %s: libmicrohttpd refused to start", text);
		free(srv);
		return -EIO;
	}
	*out = srv;
	return 0;
}

const char *http_server_url(const struct http_server *srv)
{
	return srv->url;
}

void http_server_stop(struct http_server *srv)
{
	if (!srv)
		return;
	http_mhd.stop_daemon(srv->daemon);	/* closes the socket with the daemon */
	free(srv);
}

/* ---- requests and answers -------------------------------------------------- */

const char *http_request_path(const struct http_request *req)
{
	return req->path;
}

struct args_walk {
	int (*cb)(const char *name, const char *value, void *data);
	void *data;
	int ret;
};

static enum MHD_Result arg_cb(void *cls, enum MHD_ValueKind kind, const char *name,
			      const char *value)
{
	struct args_walk *w = cls;

	w->ret = w->cb(name, value, w->data);
	return w->ret ? MHD_NO : MHD_YES;
}

int http_request_args(struct http_request *req,
		      int (*cb)(const char *name, const char *value, void *data), void *data)
{
	struct args_walk w = { .cb = cb, .data = data };

	http_mhd.get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, arg_cb, &w);
	return w.ret;
}

void http_request_header(struct http_request *req, const char *name, const char *value)
{
	if (req->nextra < HTTP_EXTRA_HEADERS) {
		req->extra[req->nextra].name = name;
		req->extra[req->nextra++].value = value;
	}
}

int http_queue(struct http_request *req, unsigned int status, struct MHD_Response *resp,
	       const char *type)
{
	const char *const *h = req->srv->opts.headers;
	enum MHD_Result ret;

	if (!resp)
		return -1;
	http_mhd.add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	for (; h && h[0]; h += 2)
		http_mhd.add_response_header(resp, h[0], h[1]);
	for (int i = 0; i < req->nextra; i++)
		http_mhd.add_response_header(resp, req->extra[i].name, req->extra[i].value);
	ret = http_mhd.queue_response(req->conn, status, resp);
	http_mhd.destroy_response(resp);
	return ret == MHD_YES ? 0 : -1;
}

int http_reply(struct http_request *req, unsigned int status, const char *type, char *body,
	       size_t len)
{
	struct MHD_Response *resp;

	if (!body)
		return -1;
	/* Ours to free: libmicrohttpd frees it (free()) with the response. */
	resp = http_mhd.create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp)
		free(body);
	return http_queue(req, status, resp, type);
}

int http_reply_static(struct http_request *req, unsigned int status, const char *type,
		      const void *body, size_t len)
{
	return http_queue(req, status,
			  http_mhd.create_response_from_buffer(len, (void *)body,
							       MHD_RESPMEM_PERSISTENT), type);
}

int http_reply_text(struct http_request *req, unsigned int status, const char *fmt, ...)
{
	va_list args;
	char *line, *text;
	int n;

	va_start(args, fmt);
	n = vasprintf(&line, fmt, args);
	va_end(args);
	if (n < 0)
		return -1;
	n = asprintf(&text, "%s\n", line);
	free(line);
	if (n < 0)
		return -1;
	return http_reply(req, status, "text/plain; charset=utf-8", text, n);
}

/* ---- messages for an answer ------------------------------------------------ */

void http_said_begin(struct http_said *s)
{
	s->text = NULL;
	s->len = 0;
	s->out = open_memstream(&s->text, &s->len);
	log_capture(s->out);	/* NULL (no memory): they go to stderr as usual */
}

char *http_said_end(struct http_said *s, size_t *len)
{
	log_capture(NULL);
	if (s->out)
		fclose(s->out);
	if (!s->len) {
		free(s->text);
		s->text = NULL;
	}
	*len = s->len;
	return s->text;
}
