/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HTTP for the commands that serve (export), over libmicrohttpd, which is
 * loaded when one starts rather than linked: see http.c.
 */
#ifndef NSMON_HTTP_H
#define NSMON_HTTP_H

#include <stddef.h>
#include <netdb.h>
#include <microhttpd.h>

/**
 * http_load() - load libmicrohttpd. Return: 0, or -ENOENT after saying why.
 */
int http_load(void);

/* A one-line message as a malloc'ed body (NULL, *@len 0, when out of memory). */
char *http_say(size_t *len, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * http_parse_listen() - the address of --listen @text ("ADDR:PORT",
 * "[ADDR6]:PORT") in *@ai (freeaddrinfo() it); @example is shown when the
 * shape is wrong. Return: 0, or -EINVAL after saying why.
 */
int http_parse_listen(const char *text, const char *example, struct addrinfo **ai);

/* A socket listening on @ai (--listen @text). Return: the fd, or -errno after saying why. */
int http_listen_on(const struct addrinfo *ai, const char *text);

/* Answer @conn with @body (malloc'ed, ours to free: freed with the response). */
enum MHD_Result http_reply(struct MHD_Connection *conn, unsigned int status, const char *type,
			   char *body, size_t len);

/**
 * http_serve() - serve @fd (closed with the daemon, even when it fails to
 * start) from a thread of libmicrohttpd's, calling @handler with @ctx.
 * @timeout_s: how long a connection may send nothing; @limit: connections
 * held at once. Return: the daemon (http_stop() it), or NULL.
 */
struct MHD_Daemon *http_serve(int fd, MHD_AccessHandlerCallback handler, void *ctx,
			      unsigned int timeout_s, unsigned int limit);

void http_stop(struct MHD_Daemon *daemon);

#endif
