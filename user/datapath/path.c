// SPDX-License-Identifier: GPL-2.0
/* The path tracer on a lab: see path.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lab/lab.h"
#include "lab/ledger.h"
#include "lab/link.h"
#include "util/filter.h"
#include "util/log.h"
#include "lab/netns.h"
#include "nsmon.h"
#include "datapath/map_read.h"
#include "datapath/path.h"
#include "path.skel.h"
#include "datapath/tcx.h"

/* One end of the path in a namespace: its veth and the bridge port it pairs with. */
struct path_end {
	const struct lab_port *port;
	const struct lab_netns *netns;
};

#define PATH_LINKS	8

struct path_tracer {
	struct path_bpf *skel;
	struct ring_buffer *ring;	/* every_hop only */
	struct nl_sock *nl;
	struct lab lab;
	struct path_end from, to;
	int links[PATH_LINKS];
	int nlinks;
	/* The poll in progress. */
	path_hop_cb on_hop;
	void *data;
};

/* Whether @lp's veth has the address @text; 0 when @text is not an address at all. */
static int end_has_address(const struct lab_port *lp, const char *text)
{
	unsigned char addr[16];
	int family = inet_pton(AF_INET, text, addr) == 1 ? AF_INET :
		     inet_pton(AF_INET6, text, addr) == 1 ? AF_INET6 : 0;
	struct nl_sock *nl;
	int ret;

	if (!family)
		return 0;
	nl = nl_open_in(lp->netns->fd);
	if (!nl)
		return -errno;
	ret = addr_on_link(nl, lp->peer.ifindex, family, addr);
	nl_close(nl);
	return ret;
}

static bool is_address(const char *text)
{
	unsigned char addr[16];

	return inet_pton(AF_INET, text, addr) == 1 || inet_pton(AF_INET6, text, addr) == 1;
}

/*
 * The port whose peer is in namespace @what, or whose peer has the address
 * @what (NULL: the first that is not @other's). Return 0, -ENOENT or -errno.
 */
static int find_end(const struct lab *lab, const char *what, const struct path_end *other,
		    struct path_end *end)
{
	bool by_address = what && is_address(what);

	for (size_t i = 0; i < lab->nports; i++) {
		const struct lab_port *lp = &lab->ports[i];
		int match;

		if (!lp->netns || !lp->peer.ifindex || lp == other->port)
			continue;
		if (!what)
			match = 1;
		else if (by_address)
			match = end_has_address(lp, what);
		else
			match = !strcmp(lp->netns->name, what);
		if (match < 0)
			return match;
		if (match) {
			end->port = lp;
			end->netns = lp->netns;
			return 0;
		}
	}
	return -ENOENT;
}

/* Both ends in pt->lab; *@missing: the end that was not found (-ENOENT). */
static int find_ends(struct path_tracer *pt, const struct path_opts *opts, const char **missing)
{
	int err;

	memset(&pt->from, 0, sizeof(pt->from));
	memset(&pt->to, 0, sizeof(pt->to));
	*missing = opts->from;
	err = find_end(&pt->lab, opts->from, &pt->to, &pt->from);
	if (!err) {
		*missing = opts->to;
		err = find_end(&pt->lab, opts->to, &pt->from, &pt->to);
	}
	return err;
}

/* Looking through the scope's labs for the one that holds both ends. */
struct lab_search {
	struct path_tracer *pt;
	const struct path_opts *opts;
	const char *missing;	/* the end the last lab lacked */
	char labs[128];		/* the labs looked in, for the message */
	size_t len;
	int err;		/* -ENOENT until one holds both ends */
};

/* "a, b": the labs a search looked in, for its error line (as much as fits). */
static void note_lab(struct lab_search *ls, const char *bridge)
{
	if (ls->len < sizeof(ls->labs))
		ls->len += snprintf(ls->labs + ls->len, sizeof(ls->labs) - ls->len, "%s%s",
				    ls->len ? ", " : "", bridge);
}

static int try_lab(const char *bridge, void *data)
{
	struct lab_search *ls = data;
	struct path_tracer *pt = ls->pt;
	bool named = lab_scope_names_bridges(&ls->opts->scope);
	bool was_quiet = log_quiet(!named);
	int err;

	/* A monitored bridge that is gone is not an error here; one the user named is. */
	err = lab_discover(pt->nl, bridge, &pt->lab);
	log_quiet(was_quiet);
	if (err) {
		if (!named)
			return 0;
		ls->err = err;
		return err;
	}
	note_lab(ls, bridge);
	err = find_ends(pt, ls->opts, &ls->missing);
	if (!err) {
		ls->err = 0;
		return 1;	/* found: stop looking */
	}
	if (err != -ENOENT) {
		pr_warn("cannot read the addresses of %s's namespaces: %s", bridge, strerror(-err));
		ls->err = err;
	}
	lab_free(&pt->lab);
	memset(&pt->lab, 0, sizeof(pt->lab));
	return err == -ENOENT ? 0 : err;
}

static int count_lab(const char *bridge, void *data)
{
	struct lab_search *ls = data;

	note_lab(ls, bridge);
	ls->err++;
	return 0;
}

/*
 * Without an end named, "the lab's first two namespaces" must be of one
 * lab: of several, which one the user means is theirs to say.
 */
int path_lab_check(const struct path_opts *opts)
{
	struct lab_search ls = { .opts = opts };

	if (opts->from || opts->to || lab_scope_foreach_bridge(&opts->scope, count_lab, &ls) ||
	    ls.err <= 1)
		return 0;
	pr_warn("%d labs are monitored (%s): name one with --bridge, or an end with --from or --to",
		ls.err, ls.labs);
	return -EINVAL;
}

/* The lab that holds both ends into pt->lab; one error line naming what was not found. */
static int find_lab(struct path_tracer *pt, const struct path_opts *opts)
{
	struct lab_search ls = { .pt = pt, .opts = opts, .err = -ENOENT };
	int err = lab_scope_foreach_bridge(&opts->scope, try_lab, &ls);

	if (err < 0 && ls.err == -ENOENT) {
		pr_warn("cannot list the labs in %s: %s", NSMON_RUN_DIR, strerror(-err));
		return err;
	}
	if (ls.err != -ENOENT)
		return ls.err;
	if (!ls.len)
		pr_warn("no lab is monitored: nothing to trace (nsmon up, or --bridge NAME for a lab built by hand)");
	else if (ls.missing && is_address(ls.missing))
		pr_warn("no namespace of %s has the address %s", ls.labs, ls.missing);
	else
		pr_warn("cannot trace %s -> %s: %s %s no such pair of namespaces",
			opts->from ? opts->from : "(first)", opts->to ? opts->to : "(second)",
			ls.labs, strchr(ls.labs, ',') ? "have" : "has");
	return -ENOENT;
}

int path_filter_check(const struct nsmon_filter *f)
{
	const __u32 traced = NSMON_FILTER_ARP | NSMON_FILTER_ICMP | NSMON_FILTER_TCP |
			     NSMON_FILTER_UDP | NSMON_FILTER_IPV4;
	struct nsmon_filter_addr mapped;
	bool any_v4 = !f->nhosts;
	char text[256];

	for (int i = 0; i < f->nhosts; i++) {
		nsmon_filter_addr_from(&mapped, &f->hosts[i].w[3], 0);
		any_v4 = any_v4 || nsmon_filter_addr_eq(&mapped, &f->hosts[i]);
	}
	if ((!f->protos || (f->protos & traced)) && any_v4)
		return 0;
	filter_format(f, text, sizeof(text));
	pr_warn("%s matches nothing the path tracer follows: it traces IPv4 and ARP only", text);
	return -EINVAL;
}

/* Which program goes on which interface and direction: the roles, as bpf/path.bpf.c names them. */
enum end_side { FROM_VETH, FROM_PORT, TO_PORT, TO_VETH };

struct hook {
	enum end_side side;
	int egress;
	const char *prog;
};

static const struct hook hooks[PATH_LINKS] = {
	{ FROM_VETH, 1, "path_req_sender_tx" },	/* the request leaves the sender */
	{ FROM_PORT, 0, "path_req_bridge_in" },
	{ TO_PORT, 1, "path_req_bridge_out" },
	{ TO_VETH, 0, "path_req_receiver_rx" },
	{ TO_VETH, 1, "path_rep_sender_tx" },	/* the reply, the way back */
	{ TO_PORT, 0, "path_rep_bridge_in" },
	{ FROM_PORT, 1, "path_rep_bridge_out" },
	{ FROM_VETH, 0, "path_rep_receiver_rx" },
};

static int attach_hook(struct path_tracer *pt, const struct hook *h)
{
	const struct path_end *end = h->side <= FROM_PORT ? &pt->from : &pt->to;
	bool veth = h->side == FROM_VETH || h->side == TO_VETH;
	int ifindex = veth ? end->port->peer.ifindex : end->port->port.ifindex;
	struct bpf_program *prog = bpf_object__find_program_by_name(pt->skel->obj, h->prog);
	int saved, fd, err = 0;

	if (!prog)
		return -ENOENT;
	saved = netns_enter(veth ? end->netns->fd : pt->lab.host.fd);
	if (saved < 0)
		return saved;
	fd = bpf_link_create(bpf_program__fd(prog), ifindex,
			     h->egress ? NSMON_BPF_TCX_EGRESS : NSMON_BPF_TCX_INGRESS, NULL);
	if (fd < 0)
		err = -errno;
	else
		pt->links[pt->nlinks++] = fd;
	netns_leave(saved);
	return err;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct path_tracer *pt = ctx;

	if (size >= sizeof(struct nsmon_hop_event) && pt->on_hop)
		pt->on_hop(data, pt->data);
	return 0;
}

static int load(struct path_tracer *pt, const struct path_opts *opts)
{
	int err;

	pt->skel = path_bpf__open();
	if (!pt->skel)
		return -errno;
	pt->skel->rodata->filter = opts->filter;
	pt->skel->rodata->trace_every_hop = opts->every_hop;
	pt->skel->rodata->sample_every = opts->sample ? opts->sample : 1;
	pt->skel->rodata->count_limit = opts->count;
	/* path reads histograms, not records: a ring the size of a page will do. */
	if (!opts->every_hop)
		bpf_map__set_max_entries(pt->skel->maps.records, getpagesize());
	err = path_bpf__load(pt->skel);
	if (err)
		return err;
	/* The tracepoint only; the tc programs go on with attach_hook(). */
	pt->skel->links.path_consumed = bpf_program__attach(pt->skel->progs.path_consumed);
	if (!pt->skel->links.path_consumed)
		return -errno;
	if (!opts->every_hop)
		return 0;
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
		goto err_nolab;
	}
	err = find_lab(pt, opts);
	if (err)
		goto err_nolab;
	err = load(pt, opts);
	if (err) {
		pr_warn("cannot load the path tracer: %s (nsmon -v shows why)", strerror(-err));
		goto err;
	}
	for (int i = 0; i < PATH_LINKS && !err; i++)
		err = attach_hook(pt, &hooks[i]);
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

int path_tracer_recorded(const struct path_tracer *pt, __u64 recorded[NSMON_LEG_MAX])
{
	int fd = bpf_map__fd(pt->skel->maps.tickets);

	for (__u32 leg = 0; leg < NSMON_LEG_MAX; leg++)
		if (bpf_map_lookup_elem(fd, &leg, &recorded[leg]))
			return -errno;
	return 0;
}

void path_tracer_detach(struct path_tracer *pt)
{
	for (int i = 0; i < pt->nlinks; i++)
		close(pt->links[i]);
	pt->nlinks = 0;
	bpf_link__destroy(pt->skel->links.path_consumed);
	pt->skel->links.path_consumed = NULL;
}

/* Sum the per-CPU values of entry @key of @map into @sum, @words 64-bit words each. */
static int sum_percpu(const struct bpf_map *map, __u32 key, __u64 *sum, size_t words)
{
	int ncpus = libbpf_num_possible_cpus();
	size_t stride = map_percpu_stride(words * sizeof(__u64)) / sizeof(__u64);
	__u64 *all;
	int err = 0;

	if (ncpus < 0)
		return ncpus;
	all = calloc((size_t)ncpus * stride, sizeof(__u64));
	if (!all)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(map), &key, all)) {
		err = -errno;
		goto out;
	}
	memset(sum, 0, words * sizeof(__u64));
	for (int cpu = 0; cpu < ncpus; cpu++)
		for (size_t w = 0; w < words; w++)
			sum[w] += all[cpu * stride + w];
out:
	free(all);
	return err;
}

int path_tracer_read(const struct path_tracer *pt, struct nsmon_path_hist hist[NSMON_LEG_MAX],
		     struct nsmon_path_leg_stats stats[NSMON_LEG_MAX])
{
	int err = 0;

	for (__u32 leg = 0; leg < NSMON_LEG_MAX && !err; leg++)
		err = sum_percpu(pt->skel->maps.hists, leg, (__u64 *)&hist[leg],
				 sizeof(hist[leg]) / sizeof(__u64)) ?:
		      sum_percpu(pt->skel->maps.leg_stats, leg, (__u64 *)&stats[leg],
				 sizeof(stats[leg]) / sizeof(__u64));
	return err;
}

int path_tracer_poll(struct path_tracer *pt, int timeout_ms, path_hop_cb on_hop, void *data)
{
	int n;

	if (!pt->ring)
		return -EINVAL;
	pt->on_hop = on_hop;
	pt->data = data;
	n = ring_buffer__poll(pt->ring, timeout_ms);
	pt->on_hop = NULL;
	return n;
}

bool path_hop_matches(const struct nsmon_filter *f, const struct nsmon_hop_event *h)
{
	const struct nsmon_pkt_key *key = &h->key;
	struct nsmon_frame_keys k = { .has_addrs = 1 };

	if (nsmon_filter_is_empty(f))
		return true;
	nsmon_filter_addr_from(&k.saddr, &key->saddr, 0);
	nsmon_filter_addr_from(&k.daddr, &key->daddr, 0);
	if (!key->proto) {	/* ARP */
		k.protos = NSMON_FILTER_ARP;
		return nsmon_filter_match(f, &k);
	}
	k.protos = NSMON_FILTER_IPV4;
	if (key->proto == IPPROTO_ICMP)
		k.protos |= NSMON_FILTER_ICMP;
	if (key->proto == IPPROTO_TCP || key->proto == IPPROTO_UDP) {
		k.protos |= key->proto == IPPROTO_TCP ? NSMON_FILTER_TCP : NSMON_FILTER_UDP;
		k.sport = key->l4_a >> 16;
		k.dport = key->l4_a & 0xffff;
		k.has_ports = 1;
	}
	return nsmon_filter_match(f, &k);
}

const char *path_tracer_where(const struct path_tracer *pt, __u64 netns_cookie, __u32 ifindex,
			      char *buf, size_t size)
{
	const struct lab *lab = &pt->lab;

	for (size_t i = 0; i < lab->nports; i++) {
		const struct lab_port *lp = &lab->ports[i];

		if (netns_cookie == lab->host.cookie && (__u32)lp->port.ifindex == ifindex) {
			snprintf(buf, size, "%s %s", NETNS_HOST, lp->port.name);
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

const char *path_tracer_lab(const struct path_tracer *pt)
{
	return pt->lab.bridge.name;
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
