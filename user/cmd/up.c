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
	unsigned int hosts_before;	/* joining a lab: the host addresses already given out */
	bool joining;
};

static int check_spec(struct lab_spec *spec, const char *subnet)
{
	const char *why;

	why = subnet_parse(subnet, &spec->subnet);
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

static int add_namespace(struct build *b, const char *name, int *fd)
{
	__u64 inode, cookie;
	int err;

	err = netns_add(name);
	if (err) {
		pr_warn("cannot create namespace \"%s\": %s", name, strerror(-err));
		return err;
	}
	*fd = netns_open(name);
	if (*fd < 0)
		return *fd;
	err = netns_inode(*fd, &inode) ?: netns_cookie(*fd, &cookie);
	if (!err)
		err = ledger_add(b->lg, "netns %s %llu %llu", name, (unsigned long long)inode,
				 (unsigned long long)cookie);
	return err;
}

/* Create a root-namespace link with @create, then record it by name and ifindex. */
static int record_link(struct build *b, const char *name, int *ifindex)
{
	struct link_info info;
	int err = link_get(b->nl, name, &info);

	if (err) {
		pr_warn("cannot find \"%s\" after creating it: %s", name, nl_strerror(b->nl, err));
		return err;
	}
	*ifindex = info.ifindex;
	return ledger_add(b->lg, "link %s %d", name, info.ifindex);
}

static int add_bridge(struct build *b)
{
	int err = link_add_bridge(b->nl, b->spec->bridge);

	if (err) {
		pr_warn("cannot create bridge \"%s\": %s", b->spec->bridge, nl_strerror(b->nl, err));
		return err;
	}
	err = record_link(b, b->spec->bridge, &b->bridge_ifindex);
	if (!err)
		err = datapath_attach_bridge(&b->dp, b->host_fd, b->spec->bridge,
				      b->bridge_ifindex);
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
	err = link_add_veth(b->nl, port, peer, ns_fd, b->bridge_ifindex);
	if (err) {
		pr_warn("cannot create veth pair \"%s\"/\"%s\": %s", port, peer, nl_strerror(b->nl, err));
		return err;
	}
	err = record_link(b, port, &port_ifindex);
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

	err = check_free(b);
	if (!err)
		err = datapath_open(&b->dp, spec->bridge, b->host_fd, spec->mode, spec->xdp, b->lg);
	if (!err && !b->joining)
		err = ledger_add(b->lg, "subnet %s/%d",
				 inet_ntoa((struct in_addr){ htonl(spec->subnet.network) }),
				 spec->subnet.prefixlen);
	for (int i = 0; !err && i < spec->count; i++)
		err = add_namespace(b, spec->names[i], &ns_fds[i]);
	if (!err && !b->joining)
		err = add_bridge(b);
	for (int i = 0; !err && i < spec->count; i++)
		err = add_member(b, spec->names[i], ns_fds[i], b->hosts_before + i + 1);
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
	       b->dp.mode == TC_MODE_CLSACT ? "clsact filters" : "tcx links",
	       spec->xdp ? " and native XDP" : "");
	for (int i = 0; i < spec->count; i++)
		printf("  %-8s veth-%s %s/%d\n", spec->names[i], spec->names[i],
		       inet_ntoa((struct in_addr){ htonl(subnet_host(&spec->subnet,
								 b->hosts_before + i + 1)) }),
		       spec->subnet.prefixlen);
}

/*
 * `nsmon up green` on a lab that `nsmon up` built: add the namespaces to it,
 * numbered after the ones it has, in its subnet. Sets up @b to join, or
 * prints why not. Return: 0 or -errno.
 */
static int join_lab(struct build *b, struct lab_spec *spec, const char *subnet_given)
{
	const char *recorded;
	struct subnet sn;
	int err;

	err = ledger_open(spec->bridge, &b->lg);
	if (err)
		return err;
	recorded = ledger_value(b->lg, "subnet");
	b->bridge_ifindex = ledger_link_ifindex(b->lg, spec->bridge);
	if (!recorded || !b->bridge_ifindex || subnet_parse(recorded, &sn)) {
		pr_warn("bridge \"%s\" is monitored but not a lab nsmon built: nsmon up cannot add to it",
			spec->bridge);
		return -EEXIST;
	}
	if (subnet_given && (sn.network != spec->subnet.network ||
			     sn.prefixlen != spec->subnet.prefixlen)) {
		pr_warn("invalid subnet \"%s\": lab \"%s\" is on %s", subnet_given, spec->bridge,
			recorded);
		return -EINVAL;
	}
	spec->subnet = sn;
	b->hosts_before = ledger_count(b->lg, "netns");
	if ((__u64)b->hosts_before + spec->count > subnet_hosts(&sn)) {
		pr_warn("subnet \"%s\" is too small: %llu host addresses, %u in use, %d more asked",
			recorded, (unsigned long long)subnet_hosts(&sn), b->hosts_before, spec->count);
		return -ENOSPC;
	}
	b->joining = true;
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
		   .help = "auto: tcx where the kernel has it"),
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

	err = ledger_create(spec.bridge, &b.lg);
	if (err == -EEXIST && noperands) {
		err = join_lab(&b, &spec, subnet_given ? a->subnet : NULL);
		if (err == -EINVAL || err == -ENOSPC) {
			ledger_close(b.lg);
			return EXIT_USAGE;
		}
	} else if (err == -EEXIST) {
		pr_warn("lab on bridge \"%s\" is already up (nsmon down --bridge %s removes it; nsmon up NS adds to it)",
			spec.bridge, spec.bridge);
	} else if (err) {
		pr_warn("cannot create the ledger in %s: %s", NSMON_RUN_DIR, strerror(-err));
	}
	if (err) {
		ledger_close(b.lg);
		return cli_exit_code(err);
	}
	mark = ledger_mark(b.lg);
	ns_fds = malloc(spec.count * sizeof(*ns_fds));
	b.nl = nl_open();
	b.host_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (!ns_fds || !b.nl || b.host_fd < 0) {
		err = -errno;
		pr_warn("cannot start: %s", strerror(-err));
	} else {
		memset(ns_fds, -1, spec.count * sizeof(*ns_fds));
		err = build(&b, ns_fds);
	}

	if (err)
		ledger_undo_since(b.lg, mark);	/* roll back all this run created */
	else
		print_summary(&b);
	datapath_close(&b.dp);
	ledger_close(b.lg);
	if (err)
		datapath_release_pins(spec.bridge, !b.dp.pins_foreign);
	for (int i = 0; ns_fds && i < spec.count; i++)
		if (ns_fds[i] >= 0)
			close(ns_fds[i]);
	free(ns_fds);
	if (b.host_fd >= 0)
		close(b.host_fd);
	nl_close(b.nl);
	return cli_exit_code(err);
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
