/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing events: NDJSON (one object per line, the keys in the README's
 * order) and human lines (`ip monitor -ts` style with a [TYPE] prefix),
 * each straight from the typed event into a growing buffer that the caller
 * writes out in batches. No JSON tree: a flood of drops is formatted at a
 * few hundred ns per event, not microseconds.
 */
#ifndef NSMON_EVENT_WRITE_H
#define NSMON_EVENT_WRITE_H

#include <stddef.h>
#include <time.h>

#include "events/event.h"

struct event_buf {
	char *p;
	size_t len, cap;
	int err;		/* -ENOMEM once growing failed: what follows is dropped */
	/* "YYYY-MM-DDTHH:MM:SS" of @stamp_sec: events come in bursts within a second */
	time_t stamp_sec;
	char stamp[24];
};

void event_buf_init(struct event_buf *b);
void event_buf_free(struct event_buf *b);

/* Drop what the buffer holds (after it was written out). */
static inline void event_buf_clear(struct event_buf *b)
{
	b->len = 0;
}

/**
 * event_buf_flush() - write what @b holds to @fd (all of it, through short
 * writes and EINTR) and empty it. Return: 0 or -errno (-EPIPE: the reader left).
 */
int event_buf_flush(struct event_buf *b, int fd);

/* Append @n bytes of @s as they are (a prefix a protocol puts around a record). */
void event_buf_put(struct event_buf *b, const char *s, size_t n);

/* Append @ev as one NDJSON line, '\n' included. */
void event_write_json(struct event_buf *b, const struct nsmon_event *ev);

/* Append @ev as one human line, '\n' included: "[2026-11-25T15:04:05.123456Z] [NEIGH] ...". */
void event_write_text(struct event_buf *b, const struct nsmon_event *ev);

/* The same with the [TYPE] tag between @tag_on and @tag_off (a terminal's colour codes). */
void event_write_text_tagged(struct event_buf *b, const struct nsmon_event *ev,
			     const char *tag_on, const char *tag_off);

/*
 * The namespace @ev is about, as its NDJSON's "netns" says (NULL where it
 * says null or has none): to route or filter events by it without a document.
 */
const char *event_netns_name(const struct nsmon_event *ev);

/* The names values are written with: "REACHABLE" (NONE for 0), "learned". */
const char *event_nud_name(__u8 state);
const char *event_fdb_action_name(enum event_fdb_action action);

#endif
