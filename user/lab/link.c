// SPDX-License-Identifier: GPL-2.0
/* Links and addresses as rtnetlink requests: see link.h. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "lab/link.h"
#include "util/grow.h"

static struct ifinfomsg *link_msg(struct nlmsghdr *nlh, int ifindex)
{
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return ifi;
}

int link_add_bridge(struct nl_sock *nl, const char *name, int ifindex)
{
	struct nlmsghdr *nlh = nl_msg_start(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *linkinfo;

	link_msg(nlh, ifindex);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, linkinfo);
	return nl_talk(nl, nlh);
}

int link_add_veth(struct nl_sock *nl, const char *name, int ifindex, const char *peer,
		  int peer_netns_fd, int master_ifindex)
{
	struct nlmsghdr *nlh = nl_msg_start(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *linkinfo, *data, *peer_info;

	link_msg(nlh, ifindex);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (master_ifindex)
		mnl_attr_put_u32(nlh, IFLA_MASTER, master_ifindex);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* The peer is a whole link request of its own: ifinfomsg, then attributes. */
	peer_info = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	link_msg(nlh, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	if (peer_netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, peer_netns_fd);
	mnl_attr_nest_end(nlh, peer_info);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nl_talk(nl, nlh);
}

int link_set_up(struct nl_sock *nl, int ifindex)
{
	struct nlmsghdr *nlh = nl_msg_start(nl, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = link_msg(nlh, ifindex);

	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = IFF_UP;
	return nl_talk(nl, nlh);
}

int link_del(struct nl_sock *nl, int ifindex)
{
	struct nlmsghdr *nlh = nl_msg_start(nl, RTM_DELLINK, 0);

	link_msg(nlh, ifindex);
	return nl_talk(nl, nlh);
}

static int linkinfo_attr_cb(const struct nlattr *attr, void *data)
{
	struct link_info *info = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    mnl_attr_validate(attr, MNL_TYPE_STRING) == 0)
		snprintf(info->kind, sizeof(info->kind), "%.*s",
			 (int)mnl_attr_get_payload_len(attr), mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/* IFLA_STATS64: as long as the kernel's struct is, which grows at its end. */
static void link_stats_parse(const struct nlattr *attr, struct link_info *info)
{
	struct rtnl_link_stats64 st = { 0 };
	size_t len = mnl_attr_get_payload_len(attr);

	if (len < offsetof(struct rtnl_link_stats64, tx_dropped) + sizeof(st.tx_dropped))
		return;
	memcpy(&st, mnl_attr_get_payload(attr), len < sizeof(st) ? len : sizeof(st));
	info->stats = (struct link_stats){
		.rx_packets = st.rx_packets, .rx_bytes = st.rx_bytes, .rx_dropped = st.rx_dropped,
		.tx_packets = st.tx_packets, .tx_bytes = st.tx_bytes, .tx_dropped = st.tx_dropped,
	};
	info->has_stats = true;
}

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	struct link_info *info = data;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_STATS64:
		link_stats_parse(attr, info);
		break;
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(info->name, sizeof(info->name), "%s", mnl_attr_get_str(attr));
		break;
	case IFLA_MASTER:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			info->master = mnl_attr_get_u32(attr);
		break;
	case IFLA_LINK:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			info->peer_ifindex = mnl_attr_get_u32(attr);
		break;
	case IFLA_LINK_NETNSID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			info->peer_netnsid = (int)mnl_attr_get_u32(attr);
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			mnl_attr_parse_nested(attr, linkinfo_attr_cb, info);
		break;
	}
	return MNL_CB_OK;
}

int link_parse(const struct nlmsghdr *nlh, struct link_info *info)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return -EPROTO;
	memset(info, 0, sizeof(*info));
	info->ifindex = ifi->ifi_index;
	info->flags = ifi->ifi_flags;
	info->peer_netnsid = -1;
	mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, info);
	/* A link is its own IFLA_LINK when it has no other (loopback, bridge). */
	if (info->peer_ifindex == info->ifindex && info->peer_netnsid < 0)
		info->peer_ifindex = 0;
	return 0;
}

static int one_link_cb(const struct nlmsghdr *nlh, void *data)
{
	return link_parse(nlh, data) ? MNL_CB_ERROR : MNL_CB_OK;
}

/* @nsid >= 0: the link lives in the namespace that @nl's namespace numbers @nsid. */
static int link_query(struct nl_sock *nl, int nsid, int ifindex, const char *name,
		      struct link_info *info)
{
	struct nlmsghdr *nlh = nl_msg_start(nl, RTM_GETLINK, 0);
	int err;

	link_msg(nlh, ifindex);
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (nsid >= 0)
		mnl_attr_put_u32(nlh, IFLA_TARGET_NETNSID, nsid);
	info->ifindex = 0;
	err = nl_query(nl, nlh, one_link_cb, info);
	if (err == 0 && info->ifindex == 0)
		err = -ENODEV;
	return err;
}

int link_get(struct nl_sock *nl, const char *name, struct link_info *info)
{
	return link_query(nl, -1, 0, name, info);
}

int link_get_index(struct nl_sock *nl, int ifindex, struct link_info *info)
{
	return link_query(nl, -1, ifindex, NULL, info);
}

struct stats_reply {
	struct rtnl_link_stats64 *stats;
	bool found;
};

static int stats_attr_cb(const struct nlattr *attr, void *data)
{
	struct stats_reply *r = data;

	if (mnl_attr_get_type(attr) == IFLA_STATS64 &&
	    mnl_attr_get_payload_len(attr) >= sizeof(*r->stats)) {
		memcpy(r->stats, mnl_attr_get_payload(attr), sizeof(*r->stats));
		r->found = true;
	}
	return MNL_CB_OK;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWLINK)
		mnl_attr_parse(nlh, sizeof(struct ifinfomsg), stats_attr_cb, data);
	return MNL_CB_OK;
}

int link_get_stats(struct nl_sock *nl, int ifindex, struct rtnl_link_stats64 *stats)
{
	struct nlmsghdr *nlh = nl_msg_start(nl, RTM_GETLINK, 0);
	struct stats_reply r = { .stats = stats };
	int err;

	link_msg(nlh, ifindex);
	err = nl_query(nl, nlh, stats_cb, &r);
	return err ?: r.found ? 0 : -ENODEV;
}

int link_get_index_in(struct nl_sock *nl, int nsid, int ifindex, struct link_info *info)
{
	return link_query(nl, nsid, ifindex, NULL, info);
}

struct foreach_ctx {
	int (*cb)(const struct link_info *info, void *data);
	void *data;
	int ret;
};

static int foreach_link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct foreach_ctx *ctx = data;
	struct link_info info;

	/*
	 * Once the caller has stopped, read the dump to its end anyway: what
	 * was left in the socket would answer the next request.
	 */
	if (ctx->ret || link_parse(nlh, &info))
		return MNL_CB_OK;
	ctx->ret = ctx->cb(&info, ctx->data);
	return MNL_CB_OK;
}

int link_foreach(struct nl_sock *nl, int (*cb)(const struct link_info *info, void *data),
		 void *data)
{
	struct nlmsghdr *nlh = nl_msg_start(nl, RTM_GETLINK, 0);
	struct foreach_ctx ctx = { .cb = cb, .data = data };
	int err;

	link_msg(nlh, 0);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);	/* nothing reads them */
	err = nl_dump(nl, nlh, foreach_link_cb, &ctx);
	return err ? err : ctx.ret;
}

static int keep_link(const struct link_info *info, void *data)
{
	struct link_list *l = data;
	struct link_info *v = grow(l->v, l->n, &l->cap, sizeof(*v), 64);

	if (!v)
		return -ENOMEM;
	l->v = v;
	v[l->n++] = *info;
	return 0;
}

int link_list_read(struct nl_sock *nl, struct link_list *l)
{
	int err, tries = 0;

	/* A dump the kernel marks inconsistent (links came or went meanwhile: EINTR) is read again. */
	do {
		l->n = 0;
		err = link_foreach(nl, keep_link, l);
	} while (err == -EINTR && ++tries < 100);
	return err;
}

const struct link_info *link_list_find(const struct link_list *l, int ifindex)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].ifindex == ifindex)
			return &l->v[i];
	return NULL;
}

void link_list_free(struct link_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int max_index_cb(const struct link_info *info, void *data)
{
	int *max = data;

	if (info->ifindex > *max)
		*max = info->ifindex;
	return 0;
}

int link_max_ifindex(struct nl_sock *nl, int *max)
{
	int err, tries = 0;

	do {	/* EINTR: links came or went during the dump */
		*max = 0;
		err = link_foreach(nl, max_index_cb, max);
	} while (err == -EINTR && ++tries < 100);
	return err;
}

/*
 * The kernel dumps only the links with this master (and says so with
 * NLM_F_DUMP_FILTERED); statistics too, unless asked for.
 */
int link_foreach_port(struct nl_sock *nl, int master_ifindex, bool with_stats,
		      int (*cb)(const struct link_info *info, void *data), void *data)
{
	struct nlmsghdr *nlh = nl_msg_start(nl, RTM_GETLINK, 0);
	struct foreach_ctx ctx = { .cb = cb, .data = data };
	int err;

	link_msg(nlh, 0);
	mnl_attr_put_u32(nlh, IFLA_MASTER, master_ifindex);
	if (!with_stats)
		mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	err = nl_dump(nl, nlh, foreach_link_cb, &ctx);
	return err ? err : ctx.ret;
}

struct many_links {
	const struct link_ref *refs;
	bool with_stats;
	struct link_info *info;
	int *err;
};

static void build_link_get(struct nlmsghdr *nlh, size_t i, void *data)
{
	const struct many_links *m = data;

	link_msg(nlh, m->refs[i].ifindex);
	if (!m->with_stats)
		mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if (m->refs[i].nsid >= 0)
		mnl_attr_put_u32(nlh, IFLA_TARGET_NETNSID, m->refs[i].nsid);
}

static void take_link(const struct nlmsghdr *nlh, int err, size_t i, void *data)
{
	const struct many_links *m = data;

	if (!err)
		err = link_parse(nlh, &m->info[i]);
	if (!err && !m->info[i].ifindex)
		err = -ENODEV;
	m->err[i] = err;
}

int link_get_many(struct nl_sock *nl, const struct link_ref *refs, size_t n, bool with_stats,
		  struct link_info *info, int *err)
{
	struct many_links m = { .refs = refs, .with_stats = with_stats, .info = info, .err = err };

	/* What no answer came back for (the exchange failed half-way) stays failed. */
	for (size_t i = 0; i < n; i++)
		err[i] = -EIO;
	return nl_batch(nl, RTM_GETLINK, n, build_link_get, take_link, &m);
}

int addr_add_v4(struct nl_sock *nl, int ifindex, __u32 addr, int prefixlen)
{
	struct nlmsghdr *nlh = nl_msg_start(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = prefixlen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(addr), &addr);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(addr), &addr);
	return nl_talk(nl, nlh);
}

static int nsid_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == NETNSA_NSID &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		*(int *)data = (int)mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static int nsid_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWNSID)
		mnl_attr_parse(nlh, sizeof(struct rtgenmsg), nsid_attr_cb, data);
	return MNL_CB_OK;
}

int netnsid_of(struct nl_sock *nl, int netns_fd)
{
	struct nlmsghdr *nlh = nl_msg_start(nl, RTM_GETNSID, 0);
	struct rtgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	int nsid = NETNSA_NSID_NOT_ASSIGNED;
	int err;

	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, netns_fd);
	err = nl_query(nl, nlh, nsid_cb, &nsid);
	if (err)
		return err;
	return nsid < 0 ? -ENOENT : nsid;
}

struct many_nsids {
	const int *fd;
	int *nsid;
};

static void build_nsid_get(struct nlmsghdr *nlh, size_t i, void *data)
{
	const struct many_nsids *m = data;
	struct rtgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, m->fd[i]);
}

static void take_nsid(const struct nlmsghdr *nlh, int err, size_t i, void *data)
{
	const struct many_nsids *m = data;
	int nsid = NETNSA_NSID_NOT_ASSIGNED;

	if (!err)
		nsid_cb(nlh, &nsid);
	m->nsid[i] = err ? err : nsid < 0 ? -ENOENT : nsid;
}

int netnsid_of_many(struct nl_sock *nl, const int *netns_fd, size_t n, int *nsid)
{
	struct many_nsids m = { .fd = netns_fd, .nsid = nsid };

	for (size_t i = 0; i < n; i++)
		nsid[i] = -EIO;
	return nl_batch(nl, RTM_GETNSID, n, build_nsid_get, take_nsid, &m);
}

int netnsid_assign(struct nl_sock *nl, int netns_fd)
{
	struct nlmsghdr *nlh = nl_msg_start(nl, RTM_NEWNSID, 0);
	struct rtgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, netns_fd);
	mnl_attr_put_u32(nlh, NETNSA_NSID, NETNSA_NSID_NOT_ASSIGNED);	/* the kernel picks */
	return nl_talk(nl, nlh);
}

struct first_v4 {
	int ifindex;
	__u32 addr;
};

static int first_v4_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct first_v4 *f = data;
	const struct nlattr *attr;

	if (f->addr || ifa->ifa_family != AF_INET || (int)ifa->ifa_index != f->ifindex)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa))
		if (mnl_attr_get_type(attr) == IFA_LOCAL &&
		    mnl_attr_get_payload_len(attr) == sizeof(__u32))
			f->addr = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

int addr_first_v4(struct nl_sock *nl, int ifindex, __u32 *addr)
{
	struct nlmsghdr *nlh = nl_msg_start(nl, RTM_GETADDR, 0);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	struct first_v4 f = { .ifindex = ifindex };
	int err;

	ifa->ifa_family = AF_INET;
	err = nl_dump(nl, nlh, first_v4_cb, &f);
	if (err)
		return err;
	*addr = f.addr;
	return f.addr ? 0 : -EADDRNOTAVAIL;
}

struct addr_match {
	int ifindex;
	int family;
	const void *addr;
	bool found;
};

static int addr_match_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct addr_match *m = data;
	size_t len = m->family == AF_INET ? 4 : 16;
	const struct nlattr *attr;

	if (ifa->ifa_family != m->family || (int)ifa->ifa_index != m->ifindex)
		return MNL_CB_OK;
	/* IFA_LOCAL is the interface's own address; IPv6 gives IFA_ADDRESS only. */
	mnl_attr_for_each(attr, nlh, sizeof(*ifa))
		if ((mnl_attr_get_type(attr) == IFA_LOCAL || mnl_attr_get_type(attr) == IFA_ADDRESS) &&
		    mnl_attr_get_payload_len(attr) == len &&
		    !memcmp(mnl_attr_get_payload(attr), m->addr, len))
			m->found = true;
	return MNL_CB_OK;
}

int addr_on_link(struct nl_sock *nl, int ifindex, int family, const void *addr)
{
	struct nlmsghdr *nlh = nl_msg_start(nl, RTM_GETADDR, 0);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	struct addr_match m = { .ifindex = ifindex, .family = family, .addr = addr };
	int err;

	ifa->ifa_family = family;
	err = nl_dump(nl, nlh, addr_match_cb, &m);
	return err ? err : m.found;
}

int neigh_del_v4(struct nl_sock *nl, int ifindex, __u32 addr)
{
	struct nlmsghdr *nlh = nl_msg_start(nl, RTM_DELNEIGH, 0);
	struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));

	nd->ndm_family = AF_INET;
	nd->ndm_ifindex = ifindex;
	mnl_attr_put(nlh, NDA_DST, sizeof(addr), &addr);
	return nl_talk(nl, nlh);
}

int bridge_fdb_flush(struct nl_sock *nl, int ifindex)
{
	struct nlmsghdr *nlh = nl_msg_start(nl, RTM_NEWLINK, 0);
	struct nlattr *linkinfo, *data;

	link_msg(nlh, ifindex);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put(nlh, IFLA_BR_FDB_FLUSH, 0, NULL);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nl_talk(nl, nlh);
}
