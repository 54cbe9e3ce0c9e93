// SPDX-License-Identifier: GPL-2.0
/*
 * A feed streamed to HTTP clients (Server-Sent Events). The producer
 * publishes into a ring of the last opts.keep messages; each client reads
 * the ring from where it is, in libmicrohttpd's thread, through a content
 * reader. A client with nothing left to read is suspended (it holds no
 * thread, and libmicrohttpd stops polling it); the next publish resumes it.
 * libmicrohttpd resumes connections only from its own list, so a client is
 * resumed only while our flag says it is suspended, under the feed's lock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "output/http_feed.h"
#include "output/http_mhd.h"

struct message {
	unsigned int kind;
	char *scope;		/* NULL: about nothing in particular */
	char *text;
	size_t len;
};

struct client {
	struct client *next;
	struct http_feed *feed;
	struct MHD_Connection *conn;
	unsigned int kinds;
	char *scope;
	unsigned long long seq;	/* the next message to send */
	size_t off;		/* of it, already sent */
	unsigned long long lost;
	bool hello_sent, suspended;
};

struct http_feed {
	struct http_feed_opts opts;
	pthread_mutex_t lock;
	pthread_cond_t came;		/* a client came */
	struct message *ring;		/* opts.keep of them, message seq at seq % keep */
	unsigned long long head;	/* the next message's seq */
	struct client *clients;
	size_t nclients;
	size_t hello_len;
	bool open, closed;
};

int http_feed_new(const struct http_feed_opts *opts, struct http_feed **out)
{
	struct http_feed *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->opts = *opts;
	f->ring = calloc(opts->keep, sizeof(*f->ring));
	if (!f->ring) {
		free(f);
		return -ENOMEM;
	}
	f->hello_len = opts->hello ? strlen(opts->hello) : 0;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->came, NULL);
	*out = f;
	return 0;
}

static unsigned long long oldest(const struct http_feed *f)
{
	return f->head > f->opts.keep ? f->head - f->opts.keep : 0;
}

static bool wanted(const struct client *c, const struct message *m)
{
	if (m->kind == HTTP_FEED_EVERYONE)
		return true;
	if (m->kind >= 32 || !(c->kinds & (1U << m->kind)))
		return false;
	return !c->scope || (m->scope && !strcmp(c->scope, m->scope));
}

/* Copy what fits of @c's next messages into @buf. Under the lock. */
static size_t fill(struct http_feed *f, struct client *c, char *buf, size_t max)
{
	size_t n = 0;

	if (!c->hello_sent && f->hello_len <= max) {
		memcpy(buf, f->opts.hello, f->hello_len);
		n = f->hello_len;
		c->hello_sent = true;
	}
	if (c->seq < oldest(f)) {
		unsigned long long skipped = oldest(f) - c->seq;
		size_t len = f->opts.lost ? f->opts.lost(buf + n, max - n, skipped, c->lost + skipped) : 0;

		if (f->opts.lost && !len && n)
			return n;	/* the lost record first, in the next call */
		c->lost += skipped;
		c->seq = oldest(f);
		c->off = 0;
		n += len;
	}
	for (; c->seq < f->head && n < max; c->seq++, c->off = 0) {
		const struct message *m = &f->ring[c->seq % f->opts.keep];
		size_t take = m->len - c->off;

		if (!wanted(c, m))
			continue;
		if (take > max - n) {
			if (n)
				break;	/* whole messages where they fit */
			take = max - n;
		}
		memcpy(buf + n, m->text + c->off, take);
		n += take;
		c->off += take;
		if (c->off < m->len)
			break;
	}
	return n;
}

static ssize_t read_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct client *c = cls;
	struct http_feed *f = c->feed;
	size_t n = 0;

	pthread_mutex_lock(&f->lock);
	if (f->closed) {
		pthread_mutex_unlock(&f->lock);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	if (f->open)
		n = fill(f, c, buf, max);
	if (!n) {
		/* Nothing to send: wait, without a thread, for http_feed_publish(). */
		c->suspended = true;
		http_mhd.suspend_connection(c->conn);
	}
	pthread_mutex_unlock(&f->lock);
	return n;
}

static void free_cb(void *cls)
{
	struct client *c = cls, **p;
	struct http_feed *f = c->feed;

	pthread_mutex_lock(&f->lock);
	for (p = &f->clients; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			f->nclients--;
			break;
		}
	}
	pthread_mutex_unlock(&f->lock);
	free(c->scope);
	free(c);
}

int http_feed_reply(struct http_request *req, struct http_feed *f, const char *type,
		    unsigned int kinds, const char *scope)
{
	struct MHD_Response *resp;
	struct client *c;

	if (req->head)	/* the headers only: no stream to hold open */
		return http_reply_static(req, HTTP_OK, type, "", 0);
	c = calloc(1, sizeof(*c));
	if (!c || (scope && !(c->scope = strdup(scope)))) {
		free(c);
		return -1;
	}
	c->feed = f;
	c->conn = req->conn;
	c->kinds = kinds;
	pthread_mutex_lock(&f->lock);
	if (f->closed) {
		pthread_mutex_unlock(&f->lock);
		free(c->scope);
		free(c);
		return http_reply_text(req, HTTP_UNAVAILABLE, "nsmon: shutting down");
	}
	c->seq = f->head;
	c->next = f->clients;
	f->clients = c;
	f->nclients++;
	pthread_cond_broadcast(&f->came);
	pthread_mutex_unlock(&f->lock);
	/* From here libmicrohttpd owns @c: free_cb() when the connection is done. */
	resp = http_mhd.create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, read_cb, c,
						      free_cb);
	if (!resp)
		free_cb(c);
	return http_queue(req, HTTP_OK, resp, type);
}

/* Let every waiting client read again. Under the lock. */
static void wake_all(struct http_feed *f)
{
	for (struct client *c = f->clients; c; c = c->next) {
		if (c->suspended) {
			c->suspended = false;
			http_mhd.resume_connection(c->conn);
		}
	}
}

void http_feed_publish(struct http_feed *f, unsigned int kind, const char *scope,
		       const char *text, size_t len)
{
	struct message m = { .kind = kind, .len = len };

	m.text = malloc(len);
	m.scope = scope ? strdup(scope) : NULL;
	if (!m.text || (scope && !m.scope)) {
		free(m.text);
		free(m.scope);
		return;		/* lost to every client alike: there is no memory for it */
	}
	memcpy(m.text, text, len);
	pthread_mutex_lock(&f->lock);
	{
		struct message *slot = &f->ring[f->head % f->opts.keep];

		free(slot->text);
		free(slot->scope);
		*slot = m;
		f->head++;
	}
	wake_all(f);
	pthread_mutex_unlock(&f->lock);
}

void http_feed_set_open(struct http_feed *f, bool open)
{
	pthread_mutex_lock(&f->lock);
	f->open = open;
	if (open)
		wake_all(f);
	pthread_mutex_unlock(&f->lock);
}

size_t http_feed_wait_clients(struct http_feed *f, int timeout_ms)
{
	struct timespec until;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&f->lock);
	while (!f->nclients && !f->closed &&
	       pthread_cond_timedwait(&f->came, &f->lock, &until) != ETIMEDOUT)
		;
	n = f->nclients;
	pthread_mutex_unlock(&f->lock);
	return n;
}

void http_feed_close(struct http_feed *f)
{
	pthread_mutex_lock(&f->lock);
	f->closed = true;
	wake_all(f);	/* each reads END_OF_STREAM */
	pthread_cond_broadcast(&f->came);
	pthread_mutex_unlock(&f->lock);
}

void http_feed_free(struct http_feed *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->opts.keep; i++) {
		free(f->ring[i].text);
		free(f->ring[i].scope);
	}
	free(f->ring);
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->came);
	free(f);
}
