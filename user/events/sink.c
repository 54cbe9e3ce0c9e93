// SPDX-License-Identifier: GPL-2.0
/* What the event sources share: see sink.h. */
#include "events/sink.h"
#include "lab/netns.h"

void sink_where(const struct event_sink *sink, struct event_where *w, __u64 inode,
		const char *ifname, int ifindex)
{
	const struct ns_name *n = ns_names_by_inode(sink->names, inode);

	w->netns = n ? n->name : NULL;
	w->label = n ? n->name : inode && inode == sink->names->host_inode ? NETNS_HOST : NULL;
	w->netns_inode = inode;
	w->ifname = ifname;
	w->ifindex = ifindex;
}
