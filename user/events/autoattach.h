/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Auto-attach: while `events` or `watch` runs, a veth that becomes a port of
 * a bridge nsmon monitors (by `nsmon up NS` or by hand with `ip`) is counted
 * at both ends (programs on the port, see datapath_attach_peer()), recorded
 * in that bridge's ledger, and an "attach" event says so, with what the
 * kernel counted on the port before (frames that passed uncounted); when
 * the port goes away, what was attached for it is released. A port that
 * leaves such a bridge but stays (`ip link set PORT nomaster`) loses its
 * programs, which would count its frames as the bridge's drops; its
 * counters stay.
 */
#ifndef NSMON_AUTOATTACH_H
#define NSMON_AUTOATTACH_H

#include <stdbool.h>

#include "events/sink.h"

struct autoattach;

int autoattach_open(struct event_sink *sink, struct autoattach **out);

/*
 * Root-namespace link @ifname became a port of @master. Decided at the next
 * autoattach_tick(), or, while another nsmon changes a lab here (`nsmon up
 * NS` attaches to its own ports), once it is done.
 */
void autoattach_port(struct autoattach *aa, int ifindex, const char *ifname, const char *master);

/* Decide on the ports that are due; called from the stream's loop. */
void autoattach_tick(struct autoattach *aa);

/* Root-namespace link @ifname left bridge @master (it still exists). */
void autoattach_released(struct autoattach *aa, int ifindex, const char *ifname,
			 const char *master);

/* Root-namespace link @ifname was deleted. */
void autoattach_gone(struct autoattach *aa, int ifindex, const char *ifname);

void autoattach_close(struct autoattach *aa);

#endif
