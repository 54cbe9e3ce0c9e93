// SPDX-License-Identifier: GPL-2.0
/*
 * HTTP over libmicrohttpd: loading it, the --listen address, the listening
 * socket, answers.
 *
 * libmicrohttpd is loaded when a command that serves starts, not linked:
 * linked, it brings GnuTLS and eight more libraries into the start of every
 * nsmon command (~5 ms of each `nsmon up`, measured), for the one that
 * serves HTTP.
 */
#define _GNU_SOURCE	/* vasprintf */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "output/http.h"
#include "util/log.h"

/* Debian 12's libmicrohttpd12, whose microhttpd.h we build against. */
#define MHD_SONAME	"libmicrohttpd.so.12"

/* The libmicrohttpd functions we call, found in the library once loaded. */
static struct {
	typeof(MHD_start_daemon) *start_daemon;
	typeof(MHD_stop_daemon) *stop_daemon;
	typeof(MHD_create_response_from_buffer) *create_response_from_buffer;
	typeof(MHD_add_response_header) *add_response_header;
	typeof(MHD_queue_response) *queue_response;
	typeof(MHD_destroy_response) *destroy_response;
} mhd;

int http_load(void)
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

char *http_say(size_t *len, const char *fmt, ...)
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

enum MHD_Result http_reply(struct MHD_Connection *conn, unsigned int status, const char *type,
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

int http_parse_listen(const char *text, const char *example, struct addrinfo **ai)
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
		pr_warn("bad --listen \"%s\": want ADDR:PORT, like %s", text, example);
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

int http_listen_on(const struct addrinfo *ai, const char *text)
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

struct MHD_Daemon *http_serve(int fd, MHD_AccessHandlerCallback handler, void *ctx,
			      unsigned int timeout_s, unsigned int limit)
{
	return mhd.start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
				handler, ctx, MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_CONNECTION_TIMEOUT, timeout_s,
				MHD_OPTION_CONNECTION_LIMIT, limit, MHD_OPTION_END);
}

void http_stop(struct MHD_Daemon *daemon)
{
	mhd.stop_daemon(daemon);
}
