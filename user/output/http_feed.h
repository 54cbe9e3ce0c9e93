/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A feed: messages one producer thread publishes, streamed to any number of
 * HTTP clients as they come (Server-Sent Events), each client filtered by
 * kind and scope. A client that waits holds no thread: its connection is
 * suspended until the next message. A client too slow for the messages the
 * feed keeps skips the oldest and is told how many (the lost record).
 */
#ifndef NSMON_HTTP_FEED_H
#define NSMON_HTTP_FEED_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "output/http.h"

/* A message of this kind reaches every client, whatever its filter (keep-alives, losses). */
#define HTTP_FEED_EVERYONE	UINT_MAX

struct http_feed_opts {
	size_t keep;		/* messages kept for clients that lag (a power of two) */
	const char *hello;	/* what each client gets first, once the feed is open */
	/*
	 * Write into @buf (@size bytes) the message that tells a client it
	 * skipped @lost messages (@total since it came); return its length
	 * (0: none, or it did not fit).
	 */
	size_t (*lost)(char *buf, size_t size, unsigned long long lost, unsigned long long total);
};

struct http_feed;

/* Return: 0 with *@out set, or -ENOMEM. */
int http_feed_new(const struct http_feed_opts *opts, struct http_feed **out);

/*
 * Answer @req with the feed as a stream of @type: the messages published
 * from now on whose kind is in @kinds (a mask of 1 << kind; kinds past 31
 * reach nobody but HTTP_FEED_EVERYONE's) and, when @scope is not NULL,
 * whose scope is @scope. Nothing is sent until the feed is open.
 */
int http_feed_reply(struct http_request *req, struct http_feed *feed, const char *type,
		    unsigned int kinds, const char *scope);

/*
 * http_feed_publish() - one message (@text, @len bytes, copied) of @kind,
 * about @scope (NULL: none), to every client that wants it. Thread-safe.
 */
void http_feed_publish(struct http_feed *feed, unsigned int kind, const char *scope,
		       const char *text, size_t len);

/* Open: clients get the hello and the messages; closed: they wait. */
void http_feed_set_open(struct http_feed *feed, bool open);

/*
 * Wait up to @timeout_ms for a client to come (for a producer that works
 * only while someone listens). Return: the number of clients.
 */
size_t http_feed_wait_clients(struct http_feed *feed, int timeout_ms);

/* End every client's stream, and refuse new ones (503): before http_server_stop(). */
void http_feed_close(struct http_feed *feed);

/* After http_server_stop(): no client is left. */
void http_feed_free(struct http_feed *feed);

#endif
