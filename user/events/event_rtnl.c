// SPDX-License-Identifier: GPL-2.0
/* rtnetlink link and address events from every namespace: see event_rtnl.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "events/event_rtnl.h"
#include "util/grow.h"
#include "lab/link.h"
#include "util/log.h"
#include "lab/netns.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* "red", "host", "nsid:3" */
#define NETNS_LABEL_SIZE	(NAME_MAX + 16)

/* What we last knew of a link, to say what changed. */
struct known_link {
	int nsid;		/* -1: our namespace */
	int ifindex;
	char name[IF_NAMESIZE];
	unsigned int flags;
	int master;
	bool moving_in;		/* announced as moved here: its RTM_NEWLINK is not "added" */
};

/*
 * A link that left a namespace other than ours, until it shows up at its
 * destination (event_rtnl_tick()): see event_rtnl.h.
 */
struct pending_move {
	struct origin_copy {
		int nsid;
		__u64 inode, cookie;
		char label[NETNS_LABEL_SIZE];
	} from;
	struct link_info info;
	int new_ifindex;
	__u64 time_us;
};

#define MOVE_WAIT_US	50000

struct event_rtnl {
	struct event_sink *sink;
	struct mnl_socket *sock;
	struct known_link *links;
	size_t nlinks, cap;
	struct pending_move *moves;
	size_t nmoves, moves_cap;
	char buf[32768];
};

static struct known_link *find_link(struct event_rtnl *er, int nsid, int ifindex)
{
	for (size_t i = 0; i < er->nlinks; i++)
		if (er->links[i].nsid == nsid && er->links[i].ifindex == ifindex)
			return &er->links[i];
	return NULL;
}

static struct known_link *add_link(struct event_rtnl *er, int nsid, int ifindex)
{
	struct known_link *l = grow(er->links, er->nlinks, &er->cap, sizeof(*l), 64);

	if (!l)
		return NULL;
	er->links = l;
	l = &er->links[er->nlinks++];
	memset(l, 0, sizeof(*l));
	l->nsid = nsid;
	l->ifindex = ifindex;
	return l;
}

static void forget_link(struct event_rtnl *er, struct known_link *l)
{
	*l = er->links[--er->nlinks];
}

static const char *link_name(struct event_rtnl *er, int nsid, int ifindex)
{
	struct known_link *l = find_link(er, nsid, ifindex);

	return l ? l->name : "?";
}

/* The namespace of a message: its nsid here, -1 for ours. */
struct origin {
	int nsid;
	__u64 inode;
	__u64 cookie;
	char label[NETNS_LABEL_SIZE];
};

static void resolve_origin(struct event_rtnl *er, struct origin *o)
{
	struct ns_names *names = er->sink->names;
	const struct ns_name *n;

	if (o->nsid < 0) {
		o->inode = names->host_inode;
		o->cookie = names->host_cookie;
		snprintf(o->label, sizeof(o->label), "%s", NETNS_HOST);
		return;
	}
	n = ns_names_by_nsid(names, o->nsid);
	o->inode = n ? n->inode : 0;
	o->cookie = n ? n->cookie : 0;
	if (n)
		snprintf(o->label, sizeof(o->label), "%s", n->name);
	else
		snprintf(o->label, sizeof(o->label), "nsid:%d", o->nsid);
}

/* Where a link event of @o happened, for @info. */
static void link_where(struct event_rtnl *er, const struct origin *o, const struct link_info *info,
		       struct event_where *w)
{
	const struct ns_name *n = ns_names_by_inode(er->sink->names, o->inode);

	w->netns = n ? n->name : NULL;
	w->label = o->label;
	w->netns_inode = o->inode;
	w->ifname = info->name;
	w->ifindex = info->ifindex;
}

/* A link event of @info in @o, ready but for what the action adds. */
static void link_event(struct event_rtnl *er, const struct origin *o, enum event_link_action action,
		       const struct link_info *info, struct nsmon_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = EVENT_LINK;
	ev->time_us = sink_now_us(er->sink);
	link_where(er, o, info, &ev->link.where);
	ev->link.action = action;
	ev->link.kind = info->kind;
	ev->link.up = info->flags & IFF_UP;
	ev->link.master = info->master ? link_name(er, o->nsid, info->master) : NULL;
	ev->link.netns_cookie = o->cookie;
	ev->link.master_ifindex = info->master;
	ev->link.peer_ifindex = info->peer_ifindex;
	ev->link.peer_nsid = info->peer_netnsid;
}

static void emit_link(struct event_rtnl *er, const struct origin *o, enum event_link_action action,
		      const struct link_info *info, const char *from)
{
	struct nsmon_event ev;

	link_event(er, o, action, info, &ev);
	ev.link.from = from;
	sink_emit(er->sink, &ev);
}

static void emit_moved(struct event_rtnl *er, const struct origin *from, const struct origin *to,
		       const struct link_info *info, int new_ifindex, __u64 time_us)
{
	struct nsmon_event ev;

	link_event(er, from, EVENT_LINK_MOVED, info, &ev);
	ev.time_us = time_us;
	if (to) {
		const struct ns_name *n = ns_names_by_inode(er->sink->names, to->inode);

		ev.link.to.netns = n ? n->name : NULL;
		ev.link.to.label = to->label;
		ev.link.to.netns_inode = to->inode;
		ev.link.to.ifname = info->name;
		ev.link.to.ifindex = new_ifindex;
		ev.link.to_cookie = to->cookie;
	}
	sink_emit(er->sink, &ev);
}

/* Is @info in @o the link a pending move waits for? Then it has arrived: say so. */
static bool arrived(struct event_rtnl *er, const struct origin *o, const struct link_info *info)
{
	for (size_t i = 0; i < er->nmoves; i++) {
		struct pending_move m = er->moves[i];
		struct origin from = { .nsid = m.from.nsid, .inode = m.from.inode,
				       .cookie = m.from.cookie };

		if (m.new_ifindex != info->ifindex || strcmp(m.info.name, info->name))
			continue;
		er->moves[i] = er->moves[--er->nmoves];
		snprintf(from.label, sizeof(from.label), "%s", m.from.label);
		emit_moved(er, &from, o, &m.info, info->ifindex, m.time_us);
		return true;
	}
	return false;
}

static void on_newlink(struct event_rtnl *er, const struct origin *o, const struct link_info *info)
{
	struct known_link *l = find_link(er, o->nsid, info->ifindex);
	char old[IF_NAMESIZE];

	if (!l) {
		bool moved_in = arrived(er, o, info);

		l = add_link(er, o->nsid, info->ifindex);
		if (!l)
			return;
		snprintf(l->name, sizeof(l->name), "%s", info->name);
		l->flags = info->flags;
		l->master = info->master;
		if (!moved_in)
			emit_link(er, o, EVENT_LINK_ADDED, info, NULL);
		return;
	}
	if (strcmp(l->name, info->name)) {
		snprintf(old, sizeof(old), "%s", l->name);
		snprintf(l->name, sizeof(l->name), "%s", info->name);
		emit_link(er, o, EVENT_LINK_RENAMED, info, old);
	}
	if (l->moving_in) {
		l->moving_in = false;
		l->flags = info->flags;
		l->master = info->master;
		return;
	}
	if ((l->flags ^ info->flags) & IFF_UP)
		emit_link(er, o, info->flags & IFF_UP ? EVENT_LINK_UP : EVENT_LINK_DOWN, info, NULL);
	if (l->master != info->master) {
		if (l->master)
			emit_link(er, o, EVENT_LINK_RELEASED, info, link_name(er, o->nsid, l->master));
		if (info->master)
			emit_link(er, o, EVENT_LINK_ENSLAVED, info, NULL);
	}
	/* The events above may have looked the link up again: @l may have moved in the array. */
	l = find_link(er, o->nsid, info->ifindex);
	if (l) {
		l->flags = info->flags;
		l->master = info->master;
	}
}

/* IFLA_NEW_NETNSID / IFLA_NEW_IFINDEX: a RTM_DELLINK that is a move. */
struct move {
	int nsid;
	int ifindex;
};

static int move_attr_cb(const struct nlattr *attr, void *data)
{
	struct move *m = data;

	if (mnl_attr_get_type(attr) == IFLA_NEW_NETNSID)
		m->nsid = (int)mnl_attr_get_u32(attr);
	else if (mnl_attr_get_type(attr) == IFLA_NEW_IFINDEX)
		m->ifindex = (int)mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static void wait_for_arrival(struct event_rtnl *er, const struct origin *o,
			     const struct link_info *info, int new_ifindex)
{
	struct pending_move *m = grow(er->moves, er->nmoves, &er->moves_cap, sizeof(*m), 4);

	if (!m) {
		emit_moved(er, o, NULL, info, new_ifindex, sink_now_us(er->sink));
		return;
	}
	er->moves = m;
	m = &er->moves[er->nmoves++];
	m->from.nsid = o->nsid;
	m->from.inode = o->inode;
	m->from.cookie = o->cookie;
	snprintf(m->from.label, sizeof(m->from.label), "%s", o->label);
	m->info = *info;
	m->new_ifindex = new_ifindex;
	m->time_us = sink_now_us(er->sink);
}

static void on_dellink(struct event_rtnl *er, const struct origin *o, const struct link_info *info,
		       const struct nlmsghdr *nlh)
{
	struct known_link *l = find_link(er, o->nsid, info->ifindex);
	struct move m = { .nsid = -2, .ifindex = 0 };
	struct origin to = { .nsid = -2 };

	mnl_attr_parse(nlh, sizeof(struct ifinfomsg), move_attr_cb, &m);
	if (l)
		forget_link(er, l);
	if (m.nsid == -2) {
		emit_link(er, o, EVENT_LINK_DELETED, info, NULL);
		return;
	}
	/*
	 * The new nsid is as the old namespace numbers it: ours only when the
	 * link leaves us. From elsewhere, the link's arrival (with an nsid of
	 * ours, or in our namespace) says where it went.
	 */
	if (o->nsid >= 0 || m.nsid < 0 || !m.ifindex) {
		if (m.ifindex)
			wait_for_arrival(er, o, info, m.ifindex);
		else
			emit_moved(er, o, NULL, info, 0, sink_now_us(er->sink));
		return;
	}
	to.nsid = m.nsid;
	resolve_origin(er, &to);
	if (!to.inode) {	/* an nsid we have no name for yet; maybe it just got one */
		er->sink->refresh_names(er->sink);
		resolve_origin(er, &to);
	}
	emit_moved(er, o, &to, info, m.ifindex, sink_now_us(er->sink));
	l = add_link(er, to.nsid, m.ifindex);
	if (l) {
		snprintf(l->name, sizeof(l->name), "%s", info->name);
		l->moving_in = true;
	}
}

void event_rtnl_tick(struct event_rtnl *er)
{
	__u64 now = sink_now_us(er->sink);

	for (size_t i = 0; i < er->nmoves;) {
		struct pending_move m = er->moves[i];
		struct origin from = { .nsid = m.from.nsid, .inode = m.from.inode,
				       .cookie = m.from.cookie };

		if (now - m.time_us < MOVE_WAIT_US) {
			i++;
			continue;
		}
		er->moves[i] = er->moves[--er->nmoves];
		snprintf(from.label, sizeof(from.label), "%s", m.from.label);
		emit_moved(er, &from, NULL, &m.info, 0, m.time_us);
	}
}

/* IFA_LABEL: the interface's name, into @data (IF_NAMESIZE bytes). */
static int addr_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == IFA_LABEL && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(data, IF_NAMESIZE, "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static void on_addr(struct event_rtnl *er, const struct origin *o, const struct nlmsghdr *nlh)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct nsmon_event ev = { .type = EVENT_ADDR, .time_us = sink_now_us(er->sink) };
	struct event_addr *a = &ev.addr;
	char ifname[IF_NAMESIZE] = "";
	const struct nlattr *attr;
	const struct ns_name *n;

	mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, ifname);
	a->family = ifa->ifa_family;
	/* IFA_LOCAL is the address itself where there is one (IPv4), else IFA_ADDRESS. */
	mnl_attr_for_each(attr, nlh, sizeof(*ifa)) {
		int type = mnl_attr_get_type(attr);
		size_t len = ifa->ifa_family == AF_INET6 ? 16 : 4;

		if ((type == IFA_LOCAL || (type == IFA_ADDRESS && !a->has_address)) &&
		    mnl_attr_get_payload_len(attr) >= len) {
			memcpy(a->address, mnl_attr_get_payload(attr), len);
			a->has_address = true;
		}
	}
	if (!ifname[0])
		snprintf(ifname, sizeof(ifname), "%s", link_name(er, o->nsid, ifa->ifa_index));
	n = ns_names_by_inode(er->sink->names, o->inode);
	a->where.netns = n ? n->name : NULL;
	a->where.label = o->label;
	a->where.netns_inode = o->inode;
	a->where.ifname = ifname;
	a->where.ifindex = ifa->ifa_index;
	a->added = nlh->nlmsg_type == RTM_NEWADDR;
	a->prefixlen = ifa->ifa_prefixlen;
	a->netns_cookie = o->cookie;
	sink_emit(er->sink, &ev);
}

struct dispatch {
	struct event_rtnl *er;
	struct origin origin;
};

static int on_message(const struct nlmsghdr *nlh, void *data)
{
	struct dispatch *d = data;
	struct link_info info;

	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		/*
		 * AF_BRIDGE ones are a bridge's news about its ports (what
		 * `bridge monitor link` prints): its RTM_DELLINK says a port
		 * left it, not that the link is gone.
		 */
		if (((const struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_family == AF_BRIDGE)
			break;
		if (link_parse(nlh, &info))
			break;
		if (nlh->nlmsg_type == RTM_NEWLINK)
			on_newlink(d->er, &d->origin, &info);
		else
			on_dellink(d->er, &d->origin, &info, nlh);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		on_addr(d->er, &d->origin, nlh);
		break;
	case RTM_NEWNSID:
	case RTM_DELNSID:
		/* A namespace got (or lost) its id here: learn which. */
		d->er->sink->refresh_names(d->er->sink);
		break;
	}
	return MNL_CB_OK;
}

int event_rtnl_read(struct event_rtnl *er)
{
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { er->buf, sizeof(er->buf) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct dispatch d = { .er = er };
	struct cmsghdr *cmsg;
	ssize_t len;

	len = recvmsg(mnl_socket_get_fd(er->sock), &msg, MSG_DONTWAIT);
	if (len < 0)
		return errno == EAGAIN ? 0 : -errno;
	/* No NETLINK_LISTEN_ALL_NSID control message: the message is from our namespace. */
	d.origin.nsid = -1;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg))
		if (cmsg->cmsg_level == SOL_NETLINK && cmsg->cmsg_type == NETLINK_LISTEN_ALL_NSID)
			memcpy(&d.origin.nsid, CMSG_DATA(cmsg), sizeof(int));
	resolve_origin(er, &d.origin);
	if (d.origin.nsid >= 0 && !d.origin.inode) {
		/* A namespace we have no name for yet; maybe it just got one. */
		er->sink->refresh_names(er->sink);
		resolve_origin(er, &d.origin);
	}
	mnl_cb_run(er->buf, len, 0, 0, on_message, &d);
	return 0;
}

struct learn_ctx {
	struct event_rtnl *er;
	int nsid;
};

static int learn_cb(const struct link_info *info, void *data)
{
	struct learn_ctx *c = data;
	struct known_link *l;

	if (find_link(c->er, c->nsid, info->ifindex))
		return 0;
	l = add_link(c->er, c->nsid, info->ifindex);
	if (l) {
		snprintf(l->name, sizeof(l->name), "%s", info->name);
		l->flags = info->flags;
		l->master = info->master;
	}
	return 0;
}

static void learn(struct event_rtnl *er, int netns_fd, int nsid)
{
	struct learn_ctx c = { .er = er, .nsid = nsid };
	struct nl_sock *nl = netns_fd >= 0 ? nl_open_in(netns_fd) : nl_open();

	if (nl)
		link_foreach(nl, learn_cb, &c);
	nl_close(nl);
}

void event_rtnl_learn(struct event_rtnl *er, const char *netns)
{
	const struct ns_name *n = NULL;
	struct ns_names *names = er->sink->names;
	int fd;

	for (size_t i = 0; i < names->n; i++)
		if (!strcmp(names->v[i].name, netns))
			n = &names->v[i];
	if (!n || n->nsid < 0)
		return;
	fd = netns_open(netns);
	if (fd >= 0) {
		learn(er, fd, n->nsid);
		close(fd);
	}
}

int event_rtnl_open(struct event_sink *sink, struct event_rtnl **out)
{
	static unsigned int groups[] = {	/* libmnl takes a non-const pointer */
		RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_NSID,
	};
	struct event_rtnl *er = calloc(1, sizeof(*er));
	struct ns_names *names = sink->names;
	int one = 1, err;

	if (!er)
		return -ENOMEM;
	er->sink = sink;
	er->sock = mnl_socket_open(NETLINK_ROUTE);
	if (!er->sock || mnl_socket_bind(er->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err;
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (mnl_socket_setsockopt(er->sock, NETLINK_ADD_MEMBERSHIP, &groups[i],
					  sizeof(groups[i])) < 0)
			goto err;
	if (mnl_socket_setsockopt(er->sock, NETLINK_LISTEN_ALL_NSID, &one, sizeof(one)) < 0)
		goto err;
	/* What exists now is the baseline: events are about what changes. */
	learn(er, -1, -1);
	for (size_t i = 0; i < names->n; i++)
		event_rtnl_learn(er, names->v[i].name);
	*out = er;
	return 0;
err:
	err = -errno;
	pr_warn("cannot listen to rtnetlink: %s", strerror(-err));
	event_rtnl_close(er);
	return err;
}

int event_rtnl_fd(const struct event_rtnl *er)
{
	return mnl_socket_get_fd(er->sock);
}

void event_rtnl_close(struct event_rtnl *er)
{
	if (!er)
		return;
	if (er->sock)
		mnl_socket_close(er->sock);
	free(er->links);
	free(er->moves);
	free(er);
}
