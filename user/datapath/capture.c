// SPDX-License-Identifier: GPL-2.0
/*
 * The capture programs on a set of labs: see capture.h.
 *
 * A namespace's end of a veth pair gets no program of its own: its copies
 * are its port's, mirrored. A veth hands the skb it transmits to its peer
 * unchanged (veth_xmit -> __dev_forward_skb: the same bytes, an offloaded
 * VLAN tag still offloaded), so what `red/veth-red` sends is byte for byte
 * what `host/veth-red-br` receives, and what it receives what the port
 * sends; that is also how nsmon's counters and the kernel's own veth
 * statistics count a namespace end (README, "Where it is counted"). Each
 * port record so makes two copies: the namespace end's, outbound, written
 * just before the port's inbound one; the port's outbound one just before
 * the namespace end's inbound one. Against a program inside each
 * namespace, that halves the programs a frame runs across the bridge and
 * the bytes through the ring (the benchmark's case: four copies from two
 * records), and attaching needs no setns. What it gives up, and the README
 * says so:
 * - a namespace end's copy carries its port's time: what tcpdump on
 *   veth-red stamps a few microseconds before the port's copy, and on
 *   veth-blue a few after (the frame waits in the CPU's backlog queue in
 *   between, so a flood's local copy on the bridge can come before blue's
 *   in time, and comes after it in the file);
 * - a frame the veth drops between its two ends (the peer went down, or a
 *   full backlog queue: the port's tx_dropped) still shows on the end it
 *   never reached, as the counters count it there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture_abi.h"
#include "datapath/capture.h"
#include "datapath/tcx.h"
#include "lab/lab.h"
#include "lab/ledger.h"
#include "lab/netns.h"
#include "util/grow.h"
#include "util/log.h"
#include "capture.skel.h"

#define ETH_ADDRS	12	/* destination and source MAC: a tag goes after them */
#define VLAN_TAG	4

/* A hooked interface (in the bridge's namespace): its copies' interfaces. */
struct hook {
	int ifindex;
	__u32 iface;		/* its own */
	int peer;		/* the mirrored namespace end, -1: none */
};

struct capture {
	struct capture_bpf *skel;
	struct ring_buffer *ring;
	struct lab *labs;
	size_t nlabs;
	struct capture_iface *ifaces;
	size_t nifaces, ifaces_cap;
	struct hook *hooks;		/* by ifindex */
	size_t nhooks, hooks_cap;
	int *links;
	size_t nlinks;
	__u32 snaplen;
	__u8 *scratch;			/* a frame with its tag put back */
	/* The consume in progress. */
	capture_copy_cb cb;
	void *data;
};

/* --- Which interfaces ------------------------------------------------------ */

struct bridge_list {
	char (*names)[IF_NAMESIZE];
	size_t n, cap;
};

static int add_bridge(const char *bridge, void *data)
{
	struct bridge_list *l = data;
	char (*names)[IF_NAMESIZE] = grow(l->names, l->n, &l->cap, sizeof(*l->names), 4);

	if (!names)
		return -ENOMEM;
	l->names = names;
	snprintf(l->names[l->n++], IF_NAMESIZE, "%s", bridge);
	return 0;
}

/* A bridge the scope names must be monitored: the capture is of nsmon's labs. */
static int add_named_bridge(const char *bridge, void *data)
{
	struct ledger *lg;
	int err = ledger_open(bridge, &lg);

	if (err == -ENOENT) {
		pr_warn("bridge \"%s\" is not monitored (nsmon attach --bridge %s first)", bridge,
			bridge);
		return err;
	}
	if (err) {
		pr_warn("cannot read the ledger of bridge \"%s\": %s", bridge, strerror(-err));
		return err;
	}
	ledger_close(lg);
	return add_bridge(bridge, data);
}

/* The bridges to capture: those the scope names, or every monitored one. */
static int list_bridges(const struct capture_opts *o, struct bridge_list *l)
{
	int err;

	if (lab_scope_names_bridges(&o->scope))
		return lab_scope_foreach_bridge(&o->scope, add_named_bridge, l);
	err = lab_scope_foreach_bridge(&o->scope, add_bridge, l);
	if (err) {
		pr_warn("cannot list the labs in %s: %s", NSMON_RUN_DIR, strerror(-err));
		return err;
	}
	if (!l->n) {
		pr_warn("no lab is monitored: nothing to capture (nsmon up, or nsmon attach a lab built by hand)");
		return -ENOENT;
	}
	return 0;
}

static struct capture_iface *add_iface(struct capture *cap, const struct lab *lab,
				       const struct lab_netns *ns, const struct lab_iface *li,
				       enum capture_hook hook)
{
	struct capture_iface *ifs = grow(cap->ifaces, cap->nifaces, &cap->ifaces_cap,
					 sizeof(*ifs), 8);
	struct capture_iface *ci;

	if (!ifs)
		return NULL;
	cap->ifaces = ifs;
	ci = &cap->ifaces[cap->nifaces++];
	memset(ci, 0, sizeof(*ci));
	snprintf(ci->netns, sizeof(ci->netns), "%s", ns == &lab->host ? NETNS_HOST : ns->name);
	ci->netns_inode = ns->inode;
	snprintf(ci->ifname, sizeof(ci->ifname), "%s", li->name);
	snprintf(ci->name, sizeof(ci->name), "%s/%s", ci->netns, ci->ifname);
	ci->ifindex = li->ifindex;
	ci->hook = hook;
	snprintf(ci->bridge, sizeof(ci->bridge), "%s", lab->bridge.name);
	return ci;
}

static int add_hook(struct capture *cap, int ifindex, __u32 iface, int peer)
{
	struct hook *hooks = grow(cap->hooks, cap->nhooks, &cap->hooks_cap, sizeof(*hooks), 8);

	if (!hooks)
		return -ENOMEM;
	cap->hooks = hooks;
	cap->hooks[cap->nhooks++] = (struct hook){ .ifindex = ifindex, .iface = iface, .peer = peer };
	return 0;
}

/*
 * A lab's interfaces in the order a user reads a path: each port's
 * namespace end, then the port, then the bridge itself (left out with -n:
 * it belongs to no namespace).
 */
static int add_lab(struct capture *cap, const struct capture_opts *o, const struct lab *lab)
{
	struct capture_iface *port, *peer;
	int err;

	for (size_t i = 0; i < lab->nports; i++) {
		const struct lab_port *lp = &lab->ports[i];
		bool has_peer = lp->netns && lp->peer.ifindex;

		if (!lab_scope_wants_port(&o->scope, lp))
			continue;
		peer = has_peer ? add_iface(cap, lab, lp->netns, &lp->peer, CAPTURE_AT_PEER) : NULL;
		if (has_peer && !peer)
			return -ENOMEM;
		if (peer)
			snprintf(peer->port, sizeof(peer->port), "%s", lp->port.name);
		port = add_iface(cap, lab, &lab->host, &lp->port, CAPTURE_AT_PORT);
		if (!port)
			return -ENOMEM;
		err = add_hook(cap, lp->port.ifindex, cap->nifaces - 1,
			       peer ? (int)(cap->nifaces - 2) : -1);
		if (err)
			return err;
	}
	if (lab_scope_names_netns(&o->scope))
		return 0;
	if (!add_iface(cap, lab, &lab->host, &lab->bridge, CAPTURE_AT_BRIDGE))
		return -ENOMEM;
	return add_hook(cap, lab->bridge.ifindex, cap->nifaces - 1, -1);
}

/* Every -n must name a namespace of the labs. */
static int check_netns(const struct capture *cap, const struct capture_opts *o)
{
	for (size_t i = 0; i < o->scope.nnetns; i++) {
		bool found = false;

		for (size_t j = 0; j < cap->nifaces && !found; j++)
			found = cap->ifaces[j].hook == CAPTURE_AT_PEER &&
				!strcmp(cap->ifaces[j].netns, o->scope.netns[i]);
		if (!found) {
			pr_warn("namespace \"%s\" is not in a monitored lab", o->scope.netns[i]);
			return -ENOENT;
		}
	}
	return 0;
}

static int by_ifindex(const void *a, const void *b)
{
	const struct hook *x = a, *y = b;

	return x->ifindex - y->ifindex;
}

static int find_interfaces(struct capture *cap, const struct capture_opts *o)
{
	struct bridge_list bridges = {};
	struct nl_sock *nl;
	int err;

	err = list_bridges(o, &bridges);
	if (err)
		goto out;
	cap->labs = calloc(bridges.n, sizeof(*cap->labs));
	nl = nl_open();
	if (!cap->labs || !nl) {
		err = -errno;
		pr_warn("cannot discover the labs: %s", strerror(-err));
		nl_close(nl);
		goto out;
	}
	for (size_t i = 0; i < bridges.n && !err; i++) {
		err = lab_discover(nl, bridges.names[i], &cap->labs[i]);
		if (!err) {
			cap->nlabs++;
			err = add_lab(cap, o, &cap->labs[i]);
			if (err)
				pr_warn("cannot list the interfaces of %s: %s", bridges.names[i],
					strerror(-err));
		}
	}
	nl_close(nl);
	if (!err)
		err = check_netns(cap, o);
	qsort(cap->hooks, cap->nhooks, sizeof(*cap->hooks), by_ifindex);
out:
	free(bridges.names);
	return err;
}

/* --- The ring --------------------------------------------------------------- */

static const struct hook *hook_of(const struct capture *cap, __u32 ifindex)
{
	struct hook key = { .ifindex = ifindex };

	return bsearch(&key, cap->hooks, cap->nhooks, sizeof(key), by_ifindex);
}

/* The frame as it was on the wire: an outer tag the kernel moved into the skb put back after the MACs. */
static void frame_of(struct capture *cap, const struct nsmon_cap_rec *rec, struct capture_copy *c)
{
	__u8 *f = cap->scratch;

	c->len = rec->len;
	c->caplen = rec->caplen;
	c->frame = rec->data;
	if (!(rec->flags & NSMON_CAP_VLAN) || rec->caplen < ETH_ADDRS)
		return;
	memcpy(f, rec->data, ETH_ADDRS);
	memcpy(f + ETH_ADDRS, &rec->vlan_proto, 2);
	f[ETH_ADDRS + 2] = rec->vlan_tci >> 8;
	f[ETH_ADDRS + 3] = rec->vlan_tci & 0xff;
	memcpy(f + ETH_ADDRS + VLAN_TAG, rec->data + ETH_ADDRS, rec->caplen - ETH_ADDRS);
	c->frame = f;
	c->len += VLAN_TAG;
	c->caplen += VLAN_TAG;
	if (c->caplen > cap->snaplen)
		c->caplen = cap->snaplen;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct capture *cap = ctx;
	const struct nsmon_cap_rec *rec = data;
	struct capture_copy c;
	const struct hook *h;
	int stop = 0;

	if (size < sizeof(*rec) || size < sizeof(*rec) + rec->caplen)
		return 0;
	h = hook_of(cap, rec->ifindex);
	if (!h)
		return 0;
	c.mono_ns = rec->ts_ns;
	frame_of(cap, rec, &c);
	/* The namespace end sent it before its port received it... */
	if (h->peer >= 0 && rec->direction == NSMON_DIR_RX) {
		c.iface = h->peer;
		c.dir = NSMON_DIR_TX;
		stop = cap->cb(&c, cap->data);
	}
	c.iface = h->iface;
	c.dir = rec->direction;
	stop |= cap->cb(&c, cap->data);
	/* ...and received it after its port sent it. */
	if (h->peer >= 0 && rec->direction == NSMON_DIR_TX) {
		c.iface = h->peer;
		c.dir = NSMON_DIR_RX;
		stop |= cap->cb(&c, cap->data);
	}
	/* libbpf stops at a negative return, this record consumed. */
	return stop ? -ECANCELED : 0;
}

int capture_consume(struct capture *cap, capture_copy_cb cb, void *data)
{
	int n;

	cap->cb = cb;
	cap->data = data;
	n = ring_buffer__consume(cap->ring);
	cap->cb = NULL;
	return n;
}

/* --- Loading and attaching ---------------------------------------------------- */

/* The ring's size: a power of two of at least a page, as the kernel wants it. */
static __u32 ring_bytes(__u32 kb)
{
	__u32 want = (kb ? kb : NSMON_CAP_RING_KB_DEFAULT) * 1024, bytes = getpagesize();

	while (bytes < want)
		bytes <<= 1;
	return bytes;
}

static int load(struct capture *cap, const struct capture_opts *o)
{
	int ncpus = libbpf_num_possible_cpus(), err;

	cap->skel = capture_bpf__open();
	if (!cap->skel)
		return -errno;
	cap->skel->rodata->filter = o->filter;
	cap->skel->rodata->snaplen = o->snaplen;
	err = bpf_map__set_max_entries(cap->skel->maps.frames, ring_bytes(o->ring_kb)) ?:
	      capture_bpf__load(cap->skel);
	if (err)
		return err;
	/* Every hooked interface has its loss counter before the first frame. */
	for (size_t i = 0; i < cap->nhooks; i++) {
		__u64 zero[ncpus > 0 ? ncpus : 1];
		__u32 key = cap->hooks[i].ifindex;

		memset(zero, 0, sizeof(zero));
		if (bpf_map_update_elem(bpf_map__fd(cap->skel->maps.lost), &key, zero, BPF_ANY))
			return -errno;
	}
	cap->ring = ring_buffer__new(bpf_map__fd(cap->skel->maps.frames), on_record, cap, NULL);
	return cap->ring ? 0 : -errno;
}

/* Both directions of every hooked interface; all of them live in our namespace. */
static int attach(struct capture *cap)
{
	cap->links = calloc(cap->nhooks * 2, sizeof(*cap->links));
	if (!cap->links)
		return -ENOMEM;
	for (size_t i = 0; i < cap->nhooks; i++) {
		for (int dir = 0; dir < 2; dir++) {
			const struct bpf_program *prog = dir ? cap->skel->progs.capture_egress :
							       cap->skel->progs.capture_ingress;
			int fd = bpf_link_create(bpf_program__fd(prog), cap->hooks[i].ifindex,
						 dir ? NSMON_BPF_TCX_EGRESS : NSMON_BPF_TCX_INGRESS,
						 NULL);

			if (fd < 0)
				return -errno;
			cap->links[cap->nlinks++] = fd;
		}
	}
	return 0;
}

int capture_open(const struct capture_opts *o, struct capture **out)
{
	struct capture *cap = calloc(1, sizeof(*cap));
	int err;

	if (!cap)
		return -ENOMEM;
	cap->snaplen = o->snaplen;
	cap->scratch = malloc(NSMON_CAP_DATA_MAX + VLAN_TAG);
	if (!cap->scratch) {
		err = -ENOMEM;
		pr_warn("cannot start the capture: %s", strerror(-err));
		goto err;
	}
	err = find_interfaces(cap, o);
	if (err)
		goto err;
	err = load(cap, o);
	if (err) {
		pr_warn("cannot load the capture programs: %s (nsmon -v shows why)", strerror(-err));
		goto err;
	}
	err = attach(cap);
	if (err) {
		pr_warn("cannot attach the capture programs (tcx): %s", strerror(-err));
		goto err;
	}
	*out = cap;
	return 0;
err:
	capture_close(cap);
	return err;
}

const struct capture_iface *capture_ifaces(const struct capture *cap, size_t *n)
{
	*n = cap->nifaces;
	return cap->ifaces;
}

void capture_detach(struct capture *cap)
{
	for (size_t i = 0; i < cap->nlinks; i++)
		close(cap->links[i]);
	cap->nlinks = 0;
}

__u64 capture_lost(const struct capture *cap, __u32 iface)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 per_cpu[ncpus > 0 ? ncpus : 1], sum = 0;

	/* A namespace end loses what its port loses: the same records. */
	for (size_t i = 0; i < cap->nhooks; i++) {
		const struct hook *h = &cap->hooks[i];
		__u32 key = h->ifindex;

		if (h->iface != iface && h->peer != (int)iface)
			continue;
		if (bpf_map_lookup_elem(bpf_map__fd(cap->skel->maps.lost), &key, per_cpu))
			return 0;
		for (int cpu = 0; cpu < ncpus; cpu++)
			sum += per_cpu[cpu];
	}
	return sum;
}

void capture_close(struct capture *cap)
{
	if (!cap)
		return;
	capture_detach(cap);
	free(cap->links);
	ring_buffer__free(cap->ring);
	capture_bpf__destroy(cap->skel);
	for (size_t i = 0; i < cap->nlabs; i++)
		lab_free(&cap->labs[i]);
	free(cap->labs);
	free(cap->ifaces);
	free(cap->hooks);
	free(cap->scratch);
	free(cap);
}
