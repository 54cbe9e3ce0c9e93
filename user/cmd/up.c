// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon up: build what ../shared/lab/seed-lab.sh builds by hand, over
 * netlink, with the programs attached before any link comes up. Any failure
 * rolls back everything this run created (the ledger's undo).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "datapath/datapath.h"
#include "lab/ledger.h"
#include "undo/undo.h"
#include "lab/link.h"
#include "util/log.h"
#include "lab/netns.h"
#include "util/validate.h"

static char *default_namespaces[] = { "red", "blue" };

#define DEFAULT_SUBNET	"192.168.15.0/24"

struct lab_spec {
	const char *bridge;
	struct subnet subnet;
	char **names;
	int count;
	bool xdp;
	enum tc_mode mode;
};

struct build {
	const struct lab_spec *spec;
	struct nl_sock *nl;
	struct ledger *lg;
	struct datapath dp;
	int host_fd;
	int bridge_ifindex;
	int next_ifindex;	/* the next one to try for a link of ours */
	unsigned int *hosts;	/* each namespace's host address in the subnet, 1-based */
	bool joining;
};

static int check_spec(struct lab_spec *spec, const char *subnet)
{
	const char *why;

	why = subnet_parse(subnet, &spec->subnet) ?: subnet_check(&spec->subnet);
	if (why) {
		pr_warn("invalid subnet \"%s\": %s", subnet, why);
		return EXIT_USAGE;
	}
	for (int i = 0; i < spec->count; i++) {
		why = netns_name_check(spec->names[i]);
		if (why) {
			pr_warn("invalid namespace name \"%s\": %s", spec->names[i], why);
			return EXIT_USAGE;
		}
		for (int j = 0; j < i; j++) {
			if (!strcmp(spec->names[i], spec->names[j])) {
				pr_warn("namespace \"%s\" is named twice", spec->names[i]);
				return EXIT_USAGE;
			}
		}
	}
	if ((__u64)spec->count > subnet_hosts(&spec->subnet)) {
		pr_warn("subnet \"%s\" is too small: %llu host addresses for %d namespaces",
			subnet, (unsigned long long)subnet_hosts(&spec->subnet), spec->count);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* Refuse before creating anything when the lab's identity is taken. */
static int check_free(struct build *b)
{
	struct link_info info;
	int fd;

	if (!b->joining && !link_get(b->nl, b->spec->bridge, &info)) {
		pr_warn("cannot create bridge \"%s\": it already exists and is not nsmon's",
			b->spec->bridge);
		return -EEXIST;
	}
	for (int i = 0; i < b->spec->count; i++) {
		fd = netns_open(b->spec->names[i]);
		if (fd >= 0) {
			close(fd);
			pr_warn("cannot create namespace \"%s\": it already exists", b->spec->names[i]);
			return -EEXIST;
		}
	}
	return 0;
}

/*
 * The namespace is made first with no name, so that its record can name its
 * inode and cookie before /run/netns/NAME exists; the name comes last.
 */
static int add_namespace(struct build *b, const char *name, unsigned int host, int *fd)
{
	struct ledger_rec rec = { .kind = LEDGER_NETNS, .netns.host = host };
	int err;

	err = netns_new(fd);
	if (!err)
		err = netns_inode(*fd, &rec.netns.inode) ?: netns_cookie(*fd, &rec.netns.cookie);
	if (err) {
		pr_warn("cannot create namespace \"%s\": %s", name, strerror(-err));
		return err;
	}
	snprintf(rec.netns.name, sizeof(rec.netns.name), "%s", name);
	err = ledger_intend(b->lg, &rec);
	if (err)
		return err;
	err = netns_name(*fd, name);
	if (err) {
		ledger_cancel(b->lg, rec.id);
		pr_warn("cannot create namespace \"%s\": %s", name,
			err == -EEXIST ? "it already exists" : strerror(-err));
		return err;
	}
	return ledger_done(b->lg, rec.id);
}

typedef int (*make_link_t)(struct build *b, const char *name, int ifindex, void *arg);

/*
 * Make root-namespace link @name with @make under an ifindex chosen first,
 * so that its record names it exactly before it exists (the name alone
 * could be someone else's by then). An ifindex taken meanwhile: the next.
 */
static int add_link(struct build *b, const char *name, make_link_t make, void *arg, int *ifindex)
{
	struct ledger_rec rec = { .kind = LEDGER_LINK };
	int err = -EBUSY;

	snprintf(rec.link.name, sizeof(rec.link.name), "%s", name);
	for (int tries = 0; err == -EBUSY && tries < 64; tries++) {
		rec.link.ifindex = b->next_ifindex++;
		err = ledger_intend(b->lg, &rec);
		if (err)
			return err;
		err = make(b, name, rec.link.ifindex, arg);
		if (err)
			ledger_cancel(b->lg, rec.id);
	}
	if (err)
		return err;
	*ifindex = rec.link.ifindex;
	return ledger_done(b->lg, rec.id);
}

static int make_bridge(struct build *b, const char *name, int ifindex, void *arg)
{
	int err = link_add_bridge(b->nl, name, ifindex);

	if (err && err != -EBUSY)
		pr_warn("cannot create bridge \"%s\": %s", name, nl_strerror(b->nl, err));
	return err;
}

static int add_bridge(struct build *b)
{
	int err = add_link(b, b->spec->bridge, make_bridge, NULL, &b->bridge_ifindex);

	if (!err)
		err = datapath_attach_bridge(&b->dp, b->host_fd, b->spec->bridge,
					     b->bridge_ifindex);
	return err;
}

struct veth {
	const char *peer;
	int ns_fd;
};

static int make_veth(struct build *b, const char *port, int ifindex, void *arg)
{
	const struct veth *v = arg;
	int err = link_add_veth(b->nl, port, ifindex, v->peer, v->ns_fd, b->bridge_ifindex);

	if (err && err != -EBUSY)
		pr_warn("cannot create veth pair \"%s\"/\"%s\": %s", port, v->peer,
			nl_strerror(b->nl, err));
	return err;
}

/* veth-NS-br on the bridge, veth-NS in NS with host address @i of the subnet. */
static int add_member(struct build *b, const char *name, int ns_fd, unsigned int i)
{
	const struct lab_spec *spec = b->spec;
	char port[IF_NAMESIZE], peer[IF_NAMESIZE];
	struct link_info ns_if, lo;
	struct nl_sock *ns_nl;
	int port_ifindex, err;
	__u32 addr;

	snprintf(port, sizeof(port), "veth-%s-br", name);
	snprintf(peer, sizeof(peer), "veth-%s", name);
	err = add_link(b, port, make_veth, &(struct veth){ peer, ns_fd }, &port_ifindex);
	if (err)
		return err;

	ns_nl = nl_open_in(ns_fd);
	if (!ns_nl) {
		err = -errno;
		pr_warn("cannot open netlink in namespace \"%s\": %s", name, strerror(-err));
		return err;
	}
	err = link_get(ns_nl, peer, &ns_if);
	if (!err)
		err = link_get(ns_nl, "lo", &lo);
	if (err) {
		pr_warn("cannot find \"%s\" in namespace \"%s\": %s", peer, name, nl_strerror(ns_nl, err));
		goto out;
	}
	err = datapath_attach_port(&b->dp, b->host_fd, port, port_ifindex);
	if (!err)
		err = datapath_attach_peer(&b->dp, name, ns_fd, peer, ns_if.ifindex, spec->xdp);
	if (err)
		goto out;

	addr = htonl(subnet_host(&spec->subnet, i));
	err = addr_add_v4(ns_nl, ns_if.ifindex, addr, spec->subnet.prefixlen);
	if (err) {
		char text[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &addr, text, sizeof(text));
		pr_warn("cannot add address %s/%d to \"%s\" in \"%s\": %s", text,
			spec->subnet.prefixlen, peer, name, nl_strerror(ns_nl, err));
		goto out;
	}
	/* Counted from here on: the programs are in place before the first packet. */
	err = link_set_up(ns_nl, lo.ifindex);
	if (!err)
		err = link_set_up(ns_nl, ns_if.ifindex);
	if (err) {
		pr_warn("cannot set links up in namespace \"%s\": %s", name, nl_strerror(ns_nl, err));
		goto out;
	}
	err = link_set_up(b->nl, port_ifindex);
	if (err)
		pr_warn("cannot set \"%s\" up: %s", port, nl_strerror(b->nl, err));
out:
	nl_close(ns_nl);
	return err;
}

static int build(struct build *b, int *ns_fds)
{
	const struct lab_spec *spec = b->spec;
	int err;

	err = link_max_ifindex(b->nl, &b->next_ifindex);
	if (err)
		pr_warn("cannot list the links: %s", nl_strerror(b->nl, err));
	b->next_ifindex++;
	for (int i = 0; !err && i < spec->count; i++)
		err = add_namespace(b, spec->names[i], b->hosts[i], &ns_fds[i]);
	if (!err && !b->joining)
		err = add_bridge(b);
	for (int i = 0; !err && i < spec->count; i++)
		err = add_member(b, spec->names[i], ns_fds[i], b->hosts[i]);
	if (!err) {
		err = link_set_up(b->nl, b->bridge_ifindex);
		if (err)
			pr_warn("cannot set \"%s\" up: %s", spec->bridge, nl_strerror(b->nl, err));
	}
	return err;
}

static void print_summary(const struct build *b)
{
	const struct lab_spec *spec = b->spec;

	printf("%s %s: %d namespace%s on %s/%d, counting with %s%s\n", spec->bridge,
	       b->joining ? "grew" : "up", spec->count, spec->count == 1 ? "" : "s",
	       inet_ntoa((struct in_addr){ htonl(spec->subnet.network) }), spec->subnet.prefixlen,
	       b->dp.used_clsact ? "clsact filters" : "tcx links",
	       spec->xdp ? " and native XDP" : "");
	for (int i = 0; i < spec->count; i++)
		printf("  %-8s veth-%s %s/%d\n", spec->names[i], spec->names[i],
		       inet_ntoa((struct in_addr){ htonl(subnet_host(&spec->subnet, b->hosts[i])) }),
		       spec->subnet.prefixlen);
}

/*
 * The host addresses for the new namespaces: the lowest ones no namespace of
 * the lab holds (one deleted by hand frees its own, undo_compact()).
 */
static int pick_hosts(struct build *b, const char *subnet_text)
{
	const struct lab_spec *spec = b->spec;
	const struct ledger_obj *objs;
	unsigned int host = 0, used = 0;
	size_t n;

	objs = ledger_objects(b->lg, &n);
	for (size_t i = 0; i < n; i++)
		used += objs[i].rec.kind == LEDGER_NETNS;
	if ((__u64)used + spec->count > subnet_hosts(&spec->subnet)) {
		pr_warn("subnet \"%s\" is too small: %llu host addresses, %u in use, %d more asked",
			subnet_text, (unsigned long long)subnet_hosts(&spec->subnet), used, spec->count);
		return -ENOSPC;
	}
	for (int k = 0; k < spec->count; k++) {
		bool taken;

		do {
			host++;
			taken = false;
			for (size_t i = 0; i < n && !taken; i++)
				taken = objs[i].rec.kind == LEDGER_NETNS && objs[i].rec.netns.host == host;
		} while (taken);
		b->hosts[k] = host;
	}
	return 0;
}

/*
 * `nsmon up green` on a lab that `nsmon up` built: add the namespaces to it,
 * in its subnet. Sets up @b to join, or prints why not. Return: 0 or -errno.
 */
static int join_lab(struct build *b, struct lab_spec *spec, const char *subnet_given)
{
	char recorded[INET_ADDRSTRLEN + 4];
	struct subnet sn;

	b->bridge_ifindex = ledger_link_ifindex(b->lg, spec->bridge);
	if (!ledger_subnet(b->lg, &sn.network, &sn.prefixlen) || !b->bridge_ifindex) {
		pr_warn("bridge \"%s\" is monitored but not a lab nsmon built (or its bridge is gone): nsmon up cannot add to it",
			spec->bridge);
		return -EEXIST;
	}
	snprintf(recorded, sizeof(recorded), "%s/%d",
		 inet_ntoa((struct in_addr){ htonl(sn.network) }), sn.prefixlen);
	if (subnet_given && (sn.network != spec->subnet.network ||
			     sn.prefixlen != spec->subnet.prefixlen)) {
		pr_warn("invalid subnet \"%s\": lab \"%s\" is on %s", subnet_given, spec->bridge,
			recorded);
		return -EINVAL;
	}
	spec->subnet = sn;
	b->joining = true;
	return pick_hosts(b, recorded);
}

/* Can `up` build on this ledger? A lost or damaged one must be cleared first. */
static int check_ledger(struct build *b, bool names_given)
{
	const char *bridge = b->spec->bridge;
	char excerpt[64];
	size_t line, n;

	if (ledger_lost(b->lg)) {
		undo_say_lost(b->lg, bridge);
		return -EIO;
	}
	n = ledger_damage(b->lg, &line, excerpt, sizeof(excerpt));
	if (n) {
		pr_warn("%s: %zu unreadable record%s (line %zu: \"%s\"): nsmon down --force --bridge %s first",
			ledger_path(b->lg), n, n == 1 ? "" : "s", line, excerpt, bridge);
		return -EIO;
	}
	if (ledger_exists(b->lg) && !names_given) {
		pr_warn("lab on bridge \"%s\" is already up (nsmon down --bridge %s removes it; nsmon up NS adds to it)",
			bridge, bridge);
		return -EEXIST;
	}
	return 0;
}

struct up_args {
	const char *bridge, *subnet;
	int mode;
	bool xdp;
};

static const struct cli_option up_options[] = {
	CLI_OPTION("bridge", 0, CLI_IFNAME, struct up_args, bridge, .metavar = "NAME",
		   .def = DEFAULT_BRIDGE, .complete = CLI_COMPLETE_BRIDGE,
		   .help = "the lab's bridge"),
	CLI_OPTION("subnet", 0, CLI_STRING, struct up_args, subnet, .metavar = "CIDR",
		   .def = DEFAULT_SUBNET,
		   .help = "host i of CIDR for the i-th namespace"),
	CLI_OPTION("tc-mode", 0, CLI_ENUM, struct up_args, mode, .metavar = "MODE",
		   .def = "auto", .values = tc_mode_names, .complete = CLI_COMPLETE_VALUES,
		   .help = "auto: clsact on the devices up makes, tcx elsewhere"),
	CLI_OPTION("xdp", 0, CLI_FLAG, struct up_args, xdp,
		   .help = "also count with XDP in the namespaces (halves TCP throughput)"),
	CLI_END
};

static int run_up(const void *args, int noperands, char **operands)
{
	const struct up_args *a = args;
	struct lab_spec spec = { .bridge = a->bridge, .xdp = a->xdp, .mode = a->mode };
	struct build b = { .spec = &spec, .host_fd = -1 };
	int *ns_fds = NULL, ret, err;
	bool subnet_given;
	size_t mark;

	subnet_given = strcmp(a->subnet, DEFAULT_SUBNET) != 0;
	spec.names = noperands ? operands : default_namespaces;
	spec.count = noperands ? noperands : 2;
	ret = check_spec(&spec, a->subnet);
	if (ret)
		return ret;
	err = datapath_preflight();
	if (err)
		return cli_exit_code(err);

	/* Waits for any other command on this bridge; finishes what a killed one left. */
	err = undo_open(spec.bridge, 0, noperands > 0, &b.lg);
	if (err)
		return cli_exit_code(err);
	ns_fds = malloc(spec.count * sizeof(*ns_fds));
	b.hosts = calloc(spec.count, sizeof(*b.hosts));
	b.nl = nl_open();
	b.host_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (!ns_fds || !b.hosts || !b.nl || b.host_fd < 0) {
		err = -errno;
		pr_warn("cannot start: %s", strerror(-err));
		goto out;
	}
	memset(ns_fds, -1, spec.count * sizeof(*ns_fds));
	err = check_ledger(&b, noperands > 0);
	if (!err && ledger_exists(b.lg))
		err = join_lab(&b, &spec, subnet_given ? a->subnet : NULL);
	else if (!err)
		err = pick_hosts(&b, a->subnet);
	if (err == -EINVAL || err == -ENOSPC) {
		ret = EXIT_USAGE;
		goto out;
	}
	if (!err)
		err = check_free(&b);
	if (!err)
		err = datapath_open(&b.dp, spec.bridge, b.host_fd, spec.mode, spec.xdp, b.lg);
	if (err)
		goto out;
	b.dp.devices_ours = true;	/* every device this up hooks, it makes */

	ledger_objects(b.lg, &mark);
	err = ledger_begin(b.lg, LEDGER_OP_UP);
	if (!err && !b.joining)
		err = ledger_note_subnet(b.lg, spec.subnet.network, spec.subnet.prefixlen);
	if (!err)
		err = build(&b, ns_fds);
	if (!err)
		err = ledger_commit(b.lg);
	if (err) {
		undo_since(b.lg, mark);	/* roll back all this run created */
		ledger_rewrite(b.lg);
	} else {
		print_summary(&b);
	}
out:
	datapath_close(&b.dp);
	ledger_close(b.lg);
	if (err)
		datapath_release_pins(spec.bridge, !b.dp.pins_foreign, -1);
	for (int i = 0; ns_fds && i < spec.count; i++)
		if (ns_fds[i] >= 0)
			close(ns_fds[i]);
	free(ns_fds);
	free(b.hosts);
	if (b.host_fd >= 0)
		close(b.host_fd);
	nl_close(b.nl);
	return ret ?: cli_exit_code(err);
}

const struct cli_command cmd_up = {
	.name = "up",
	.summary = "build the lab (namespaces, veths, bridge) and attach the programs",
	.description = "Build what the seed lab script builds with ip, for any number of namespaces\n"
		       "(red and blue by default): namespace NS, veth-NS inside it with host i of the\n"
		       "subnet, its peer veth-NS-br on the bridge, everything up, the programs attached\n"
		       "before any link comes up. NS operands on a lab that is up add to it. A failure\n"
		       "half-way removes what this run created.",
	.operands = "[NS ...]",
	.max_operands = INT_MAX,
	.options = up_options,
	.args_size = sizeof(struct up_args),
	.examples = "nsmon up\tred and blue on v-net-0, 192.168.15.0/24\n"
		    "nsmon up green\tadd green to the lab that is up\n"
		    "nsmon up --bridge br1 --subnet 10.0.0.0/24 a b c\ta second lab",
	.run = run_up,
};
