// SPDX-License-Identifier: GPL-2.0
/* The path tracer on a lab: see path.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lab/lab.h"
#include "util/log.h"
#include "lab/netns.h"
#include "nsmon.h"
#include "datapath/path.h"
#include "path.skel.h"
#include "datapath/tcx.h"

/* One end of the path in a namespace: its veth and the bridge port it pairs with. */
struct path_end {
	const struct lab_port *port;
	const struct lab_netns *netns;
};

struct path_tracer {
	struct path_bpf *skel;
	struct ring_buffer *ring;
	struct nl_sock *nl;
	struct lab lab;
	struct path_end from, to;
	int links[16];
	int nlinks;
	/* The poll in progress. */
	path_sample_cb on_sample;
	path_hop_cb on_hop;
	void *data;
};

/* The port whose peer is in namespace @name (NULL: the first that is not @other's). */
static int find_end(const struct lab *lab, const char *name, const struct path_end *other,
		    struct path_end *end)
{
	for (size_t i = 0; i < lab->nports; i++) {
		const struct lab_port *lp = &lab->ports[i];

		if (!lp->netns || !lp->peer.ifindex || lp == other->port)
			continue;
		if (!name || !strcmp(lp->netns->name, name)) {
			end->port = lp;
			end->netns = lp->netns;
			return 0;
		}
	}
	return -ENOENT;
}

static int set_role(struct path_tracer *pt, __u64 cookie, int ifindex, int direction,
		    enum nsmon_leg leg, enum nsmon_hop hop)
{
	struct nsmon_hook_key key = { .netns_cookie = cookie, .ifindex = ifindex,
				      .direction = direction };
	struct nsmon_hook_role role = { .leg = leg, .hop = hop };

	return bpf_map_update_elem(bpf_map__fd(pt->skel->maps.roles), &key, &role, BPF_ANY);
}

/* The four hooks of one leg, from @a's namespace to @b's. */
static int set_leg(struct path_tracer *pt, const struct path_end *a, const struct path_end *b,
		   enum nsmon_leg leg)
{
	__u64 host = pt->lab.host.cookie;

	return set_role(pt, a->netns->cookie, a->port->peer.ifindex, NSMON_DIR_TX, leg,
			NSMON_HOP_SENDER_TX) ?:
	       set_role(pt, host, a->port->port.ifindex, NSMON_DIR_RX, leg, NSMON_HOP_BRIDGE_IN) ?:
	       set_role(pt, host, b->port->port.ifindex, NSMON_DIR_TX, leg, NSMON_HOP_BRIDGE_OUT) ?:
	       set_role(pt, b->netns->cookie, b->port->peer.ifindex, NSMON_DIR_RX, leg,
			NSMON_HOP_RECEIVER_RX);
}

/* Both tc directions of @ifindex in namespace @netns_fd. */
static int attach_iface(struct path_tracer *pt, int netns_fd, int ifindex)
{
	int saved, err = 0;

	saved = netns_enter(netns_fd);
	if (saved < 0)
		return saved;
	for (int i = 0; i < 2 && !err; i++) {
		const struct bpf_program *prog = i ? pt->skel->progs.path_egress :
						     pt->skel->progs.path_ingress;
		int fd = bpf_link_create(bpf_program__fd(prog), ifindex,
					 i ? NSMON_BPF_TCX_EGRESS : NSMON_BPF_TCX_INGRESS, NULL);

		if (fd < 0)
			err = -errno;
		else
			pt->links[pt->nlinks++] = fd;
	}
	netns_leave(saved);
	return err;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct path_tracer *pt = ctx;
	const struct nsmon_path_rec *rec = data;

	if (size < sizeof(*rec))
		return 0;
	if (rec->type == NSMON_REC_SAMPLE && pt->on_sample)
		pt->on_sample(&rec->sample, pt->data);
	else if (rec->type == NSMON_REC_HOP && pt->on_hop)
		pt->on_hop(&rec->hop, pt->data);
	return 0;
}

static int load(struct path_tracer *pt, const struct path_opts *opts)
{
	int err;

	pt->skel = path_bpf__open();
	if (!pt->skel)
		return -errno;
	pt->skel->rodata->proto_filter = opts->proto;
	pt->skel->rodata->trace_every_hop = opts->every_hop;
	err = path_bpf__load(pt->skel);
	if (!err)
		err = set_leg(pt, &pt->from, &pt->to, NSMON_LEG_REQUEST) ?:
		      set_leg(pt, &pt->to, &pt->from, NSMON_LEG_REPLY);
	if (err)
		return err;
	/* The tracepoint only; the tc programs go on with attach_iface(). */
	pt->skel->links.path_consumed = bpf_program__attach(pt->skel->progs.path_consumed);
	if (!pt->skel->links.path_consumed)
		return -errno;
	pt->ring = ring_buffer__new(bpf_map__fd(pt->skel->maps.records), on_record, pt, NULL);
	return pt->ring ? 0 : -errno;
}

int path_tracer_open(const struct path_opts *opts, struct path_tracer **out)
{
	struct path_tracer *pt = calloc(1, sizeof(*pt));
	int err;

	if (!pt)
		return -ENOMEM;
	pt->nl = nl_open();
	if (!pt->nl) {
		err = -errno;
		pr_warn("cannot open rtnetlink: %s", strerror(-err));
		goto err;
	}
	err = lab_discover(pt->nl, opts->bridge, &pt->lab);
	if (err)
		goto err_nolab;
	if (find_end(&pt->lab, opts->from, &pt->to, &pt->from) ||
	    find_end(&pt->lab, opts->to, &pt->from, &pt->to)) {
		pr_warn("cannot trace %s -> %s: %s has no such pair of namespaces",
			opts->from ? opts->from : "(first)", opts->to ? opts->to : "(second)",
			opts->bridge);
		err = -ENOENT;
		goto err;
	}
	err = load(pt, opts);
	if (err) {
		pr_warn("cannot load the path tracer: %s (nsmon -v shows why)", strerror(-err));
		goto err;
	}
	err = attach_iface(pt, pt->from.netns->fd, pt->from.port->peer.ifindex) ?:
	      attach_iface(pt, pt->lab.host.fd, pt->from.port->port.ifindex) ?:
	      attach_iface(pt, pt->lab.host.fd, pt->to.port->port.ifindex) ?:
	      attach_iface(pt, pt->to.netns->fd, pt->to.port->peer.ifindex);
	if (err) {
		pr_warn("cannot attach the path tracer (tcx): %s", strerror(-err));
		goto err;
	}
	*out = pt;
	return 0;
err:
	path_tracer_close(pt);
	return err;
err_nolab:
	nl_close(pt->nl);
	free(pt);
	return err;
}

int path_tracer_poll(struct path_tracer *pt, int timeout_ms, path_sample_cb on_sample,
		     path_hop_cb on_hop, void *data)
{
	int n;

	pt->on_sample = on_sample;
	pt->on_hop = on_hop;
	pt->data = data;
	n = ring_buffer__poll(pt->ring, timeout_ms);
	pt->on_sample = NULL;
	pt->on_hop = NULL;
	return n;
}

const char *path_tracer_where(const struct path_tracer *pt, __u64 netns_cookie, __u32 ifindex,
			      char *buf, size_t size)
{
	const struct lab *lab = &pt->lab;

	for (size_t i = 0; i < lab->nports; i++) {
		const struct lab_port *lp = &lab->ports[i];

		if (netns_cookie == lab->host.cookie && (__u32)lp->port.ifindex == ifindex) {
			snprintf(buf, size, "host %s", lp->port.name);
			return buf;
		}
		if (lp->netns && lp->netns->cookie == netns_cookie &&
		    (__u32)lp->peer.ifindex == ifindex) {
			snprintf(buf, size, "%s %s", lp->netns->name, lp->peer.name);
			return buf;
		}
	}
	snprintf(buf, size, "ifindex %u", ifindex);
	return buf;
}

const char *path_tracer_from(const struct path_tracer *pt)
{
	return pt->from.netns->name;
}

const char *path_tracer_to(const struct path_tracer *pt)
{
	return pt->to.netns->name;
}

static void end_info(const struct path_end *end, struct path_end_info *info)
{
	info->netns = end->netns->name;
	info->netns_fd = end->netns->fd;
	info->veth = end->port->peer.name;
	info->veth_ifindex = end->port->peer.ifindex;
	info->port = end->port->port.name;
}

void path_tracer_ends(const struct path_tracer *pt, struct path_end_info *from,
		      struct path_end_info *to)
{
	end_info(&pt->from, from);
	end_info(&pt->to, to);
}

int path_tracer_bridge(const struct path_tracer *pt, struct nl_sock **nl)
{
	*nl = pt->nl;
	return pt->lab.bridge.ifindex;
}

void path_tracer_close(struct path_tracer *pt)
{
	if (!pt)
		return;
	for (int i = 0; i < pt->nlinks; i++)
		close(pt->links[i]);
	ring_buffer__free(pt->ring);
	path_bpf__destroy(pt->skel);
	lab_free(&pt->lab);
	nl_close(pt->nl);
	free(pt);
}
