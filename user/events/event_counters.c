// SPDX-License-Identifier: GPL-2.0
/* Counter deltas as events: see event_counters.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/event_counters.h"
#include "model/stats_model.h"

/* The deltas reported, per direction. */
static const char *const delta_keys[] = {
	"packets", "bytes", "arp_request", "arp_reply", "icmp_echo_request", "icmp_echo_reply",
};

struct event_counters {
	json_t *prev;		/* {"where/name": {"rx": {...}, "tx": {...}}} of the last tick */
};

struct event_counters *event_counters_new(void)
{
	return calloc(1, sizeof(struct event_counters));
}

struct tick {
	struct event_stream *es;
	json_t *prev, *now;
	__u64 time_us;
};

static json_int_t counter(const json_t *iface, const char *dir, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(iface, dir), key));
}

static void on_iface(const char *where, const char *name, const json_t *iface, void *data)
{
	struct tick *t = data;
	const json_t *before;
	json_t *fields;
	char key[2 * 256];
	json_int_t moved = 0;

	snprintf(key, sizeof(key), "%s/%s", where, name);
	json_object_set(t->now, key, (json_t *)iface);
	before = json_object_get(t->prev, key);
	if (!before)
		return;		/* the first sight is the baseline */
	fields = json_pack("{s:s, s:s}", "netns", where, "ifname", name);
	for (int d = 0; d < 2; d++) {
		const char *dir = d ? "tx" : "rx";
		json_t *delta = json_object();

		for (size_t k = 0; k < sizeof(delta_keys) / sizeof(delta_keys[0]); k++) {
			json_int_t v = counter(iface, dir, delta_keys[k]) -
				       counter(before, dir, delta_keys[k]);

			json_object_set_new(delta, delta_keys[k], json_integer(v));
			moved |= v;
		}
		json_object_set_new(fields, dir, delta);
	}
	if (!moved) {
		json_decref(fields);
		return;
	}
	event_emit(t->es, EVENT_COUNTERS, t->time_us, fields,
		   "%s %s rx %lld pkts %lld B, tx %lld pkts %lld B", where, name,
		   (long long)(counter(iface, "rx", "packets") - counter(before, "rx", "packets")),
		   (long long)(counter(iface, "rx", "bytes") - counter(before, "rx", "bytes")),
		   (long long)(counter(iface, "tx", "packets") - counter(before, "tx", "packets")),
		   (long long)(counter(iface, "tx", "bytes") - counter(before, "tx", "bytes")));
}

void event_counters_tick(struct event_counters *ec, struct event_stream *es)
{
	struct tick t = { .es = es, .prev = ec->prev, .now = json_object(),
			  .time_us = event_now_us() };
	json_t *doc;

	/* Nothing monitored (yet) is no deltas, not an error line every interval; no matrix. */
	if (stats_model_build_quiet(NULL, 1, &doc) == 0) {
		stats_model_foreach_iface(doc, on_iface, &t);
		json_decref(doc);
	}
	json_decref(ec->prev);
	ec->prev = t.now;
}

void event_counters_free(struct event_counters *ec)
{
	if (!ec)
		return;
	json_decref(ec->prev);
	free(ec);
}
