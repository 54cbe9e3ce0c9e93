/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Auto-attach: while `events` or `watch` runs, a veth that becomes a port of
 * a bridge nsmon monitors (by `nsmon up NS` or by hand with `ip`) is counted
 * at both ends (programs on the port, see datapath_attach_peer()), recorded
 * in that bridge's ledger, and an
 * "attach" event says so; when the port goes away, what was attached for it
 * is released. A port that leaves such a bridge but stays (`ip link set
 * PORT nomaster`) loses its programs, which would count its frames as the
 * bridge's drops; its counters stay.
 */
#ifndef NSMON_AUTOATTACH_H
#define NSMON_AUTOATTACH_H

#include "events/events_internal.h"

struct autoattach;

int autoattach_open(struct event_stream *es, struct autoattach **out);

/* rtnetlink saw root-namespace link @ifname become a port of @master: decide soon. */
void autoattach_port(struct event_stream *es, int ifindex, const char *ifname, const char *master);

/* Decide on the ports whose settling time is over; called from the stream's loop. */
void autoattach_tick(struct event_stream *es);

/* rtnetlink saw root-namespace link @ifname leave bridge @master. */
void autoattach_released(struct event_stream *es, int ifindex, const char *ifname,
			 const char *master);

/* rtnetlink saw root-namespace link @ifname deleted. */
void autoattach_gone(struct event_stream *es, int ifindex, const char *ifname);

void autoattach_close(struct autoattach *aa);

#endif
