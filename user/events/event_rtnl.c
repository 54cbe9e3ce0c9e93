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

/* What we last knew of a link, to say what changed. */
struct known_link {
	int nsid;		/* -1: our namespace */
	int ifindex;
	char name[IF_NAMESIZE];
	unsigned int flags;
	int master;
	bool moving_in;		/* announced as moved here: its RTM_NEWLINK is not "added" */
};

struct event_rtnl {
	struct event_stream *es;
	struct mnl_socket *sock;
	struct rtnl_hooks hooks;
	struct known_link *links;
	size_t nlinks, cap;
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
	char label[NETNS_LABEL_SIZE];
};

static void resolve_origin(struct event_rtnl *er, struct origin *o)
{
	struct ns_names *names = event_stream_names(er->es);
	const struct ns_name *n;

	if (o->nsid < 0) {
		o->inode = names->host_inode;
		snprintf(o->label, sizeof(o->label), "host");
		return;
	}
	n = ns_names_by_nsid(names, o->nsid);
	o->inode = n ? n->inode : 0;
	if (n)
		snprintf(o->label, sizeof(o->label), "%s", n->name);
	else
		snprintf(o->label, sizeof(o->label), "nsid:%d", o->nsid);
}

static json_t *link_fields(struct event_rtnl *er, const struct origin *o, const char *action,
			   const struct link_info *info)
{
	json_t *f = event_where_json(event_stream_names(er->es), o->inode, info->name,
				     info->ifindex);

	json_object_set_new(f, "action", json_string(action));
	json_object_set_new(f, "kind", json_string(info->kind));
	json_object_set_new(f, "up", json_boolean(info->flags & IFF_UP));
	json_object_set_new(f, "master", info->master ?
			    json_string(link_name(er, o->nsid, info->master)) : json_null());
	return f;
}

static void emit_link(struct event_rtnl *er, const struct origin *o, const char *action,
		      const struct link_info *info, const char *detail)
{
	event_emit(er->es, EVENT_LINK, event_now_us(), link_fields(er, o, action, info),
		   "%s %d: %s %s%s%s", o->label, info->ifindex, info->name, action,
		   detail[0] ? " " : "", detail);
}

static void on_newlink(struct event_rtnl *er, const struct origin *o, const struct link_info *info)
{
	struct known_link *l = find_link(er, o->nsid, info->ifindex);
	char detail[64] = "";

	if (!l) {
		l = add_link(er, o->nsid, info->ifindex);
		if (!l)
			return;
		snprintf(l->name, sizeof(l->name), "%s", info->name);
		l->flags = info->flags;
		l->master = info->master;
		snprintf(detail, sizeof(detail), "%s%s", info->kind[0] ? "type " : "", info->kind);
		emit_link(er, o, "added", info, detail);
		if (info->master && o->nsid < 0 && er->hooks.port_added)
			er->hooks.port_added(er->es, info->ifindex, info->name,
					     link_name(er, -1, info->master));
		return;
	}
	if (strcmp(l->name, info->name)) {
		snprintf(detail, sizeof(detail), "from %s", l->name);
		snprintf(l->name, sizeof(l->name), "%s", info->name);
		emit_link(er, o, "renamed", info, detail);
	}
	if (l->moving_in) {
		l->moving_in = false;
		l->flags = info->flags;
		l->master = info->master;
		return;
	}
	if ((l->flags ^ info->flags) & IFF_UP)
		emit_link(er, o, info->flags & IFF_UP ? "up" : "down", info, "");
	if (l->master != info->master) {
		if (l->master) {
			snprintf(detail, sizeof(detail), "from %s", link_name(er, o->nsid, l->master));
			emit_link(er, o, "released", info, detail);
			if (o->nsid < 0 && er->hooks.port_released)
				er->hooks.port_released(er->es, info->ifindex, info->name,
							link_name(er, -1, l->master));
		}
		if (info->master) {
			snprintf(detail, sizeof(detail), "to %s", link_name(er, o->nsid, info->master));
			emit_link(er, o, "enslaved", info, detail);
			if (o->nsid < 0 && er->hooks.port_added)
				er->hooks.port_added(er->es, info->ifindex, info->name,
						     link_name(er, -1, info->master));
		}
	}
	l->flags = info->flags;
	l->master = info->master;
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

static void on_dellink(struct event_rtnl *er, const struct origin *o, const struct link_info *info,
		       const struct nlmsghdr *nlh)
{
	struct known_link *l = find_link(er, o->nsid, info->ifindex);
	struct move m = { .nsid = -2, .ifindex = 0 };
	struct origin to = { .nsid = -2 };
	char detail[NETNS_LABEL_SIZE + 8];

	mnl_attr_parse(nlh, sizeof(struct ifinfomsg), move_attr_cb, &m);
	if (l)
		forget_link(er, l);
	if (m.nsid == -2) {
		emit_link(er, o, "deleted", info, "");
		if (o->nsid < 0 && er->hooks.link_deleted)
			er->hooks.link_deleted(er->es, info->ifindex, info->name);
		return;
	}
	/* The new nsid is as the old namespace numbers it; ours differ unless it is us. */
	to.nsid = o->nsid < 0 ? m.nsid : -1;
	if (o->nsid >= 0 && m.nsid >= 0) {
		to.nsid = -2;
		snprintf(to.label, sizeof(to.label), "another namespace");
	} else {
		resolve_origin(er, &to);
	}
	snprintf(detail, sizeof(detail), "to %s", to.label);
	emit_link(er, o, "moved", info, detail);
	if (to.nsid >= -1 && m.ifindex) {
		l = add_link(er, to.nsid, m.ifindex);
		if (l) {
			snprintf(l->name, sizeof(l->name), "%s", info->name);
			l->moving_in = true;
		}
	}
}

struct addr_msg {
	char ifname[IF_NAMESIZE];
	char addr[INET6_ADDRSTRLEN];
};

static int addr_attr_cb(const struct nlattr *attr, void *data)
{
	struct addr_msg *a = data;

	if (mnl_attr_get_type(attr) == IFA_LABEL && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(a->ifname, sizeof(a->ifname), "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static void on_addr(struct event_rtnl *er, const struct origin *o, const struct nlmsghdr *nlh)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct addr_msg a = { .addr = "?" };
	const struct nlattr *attr;
	const char *action = nlh->nlmsg_type == RTM_NEWADDR ? "added" : "removed";
	json_t *f;

	mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, &a);
	/* IFA_LOCAL is the address itself where there is one (IPv4), else IFA_ADDRESS. */
	mnl_attr_for_each(attr, nlh, sizeof(*ifa)) {
		int type = mnl_attr_get_type(attr);

		if ((type == IFA_LOCAL || (type == IFA_ADDRESS && !strcmp(a.addr, "?"))) &&
		    mnl_attr_get_payload_len(attr) >= (ifa->ifa_family == AF_INET6 ? 16u : 4u))
			inet_ntop(ifa->ifa_family, mnl_attr_get_payload(attr), a.addr, sizeof(a.addr));
	}
	if (!a.ifname[0])
		snprintf(a.ifname, sizeof(a.ifname), "%s", link_name(er, o->nsid, ifa->ifa_index));
	f = event_where_json(event_stream_names(er->es), o->inode, a.ifname, ifa->ifa_index);
	json_object_update_new(f, json_pack("{s:s, s:s, s:s, s:i}", "action", action,
		"family", ifa->ifa_family == AF_INET6 ? "inet6" : "inet", "address", a.addr,
		"prefixlen", ifa->ifa_prefixlen));
	event_emit(er->es, EVENT_ADDR, event_now_us(), f, "%s %d: %s %s %s/%d", o->label,
		   ifa->ifa_index, a.ifname, action, a.addr, ifa->ifa_prefixlen);
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
		event_stream_refresh_names(d->er->es);
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
		event_stream_refresh_names(er->es);
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
	struct ns_names *names = event_stream_names(er->es);
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

int event_rtnl_open(struct event_stream *es, const struct rtnl_hooks *hooks,
		    struct event_rtnl **out)
{
	static unsigned int groups[] = {	/* libmnl takes a non-const pointer */
		RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_NSID,
	};
	struct event_rtnl *er = calloc(1, sizeof(*er));
	struct ns_names *names = event_stream_names(es);
	int one = 1, err;

	if (!er)
		return -ENOMEM;
	er->es = es;
	if (hooks)
		er->hooks = *hooks;
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
	free(er);
}
