// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon attach: monitor a lab someone built by hand with `ip` (the seed
 * script): every port of the bridge, each port's veth peer in its named
 * namespace, and the bridge itself.
 */
#include <errno.h>
#include <string.h>

#include "cmd/cli.h"
#include "datapath/datapath.h"
#include "lab/lab.h"
#include "lab/ledger.h"
#include "undo/undo.h"
#include "util/log.h"

static int attach_lab(struct datapath *dp, const struct lab *lab, bool xdp)
{
	int err;

	err = datapath_attach_bridge(dp, lab->host.fd, lab->bridge.name, lab->bridge.ifindex);
	for (size_t i = 0; !err && i < lab->nports; i++) {
		const struct lab_port *lp = &lab->ports[i];

		err = datapath_attach_port(dp, lab->host.fd, lp->port.name, lp->port.ifindex);
		if (err || !lp->peer.ifindex) {
			if (lp->peer_unnamed)
				pr_info("%s: its peer is in a namespace with no name in /run/netns: counting the bridge side only",
					lp->port.name);
			continue;
		}
		if (lp->netns)
			err = datapath_attach_peer(dp, lp->netns->name, lp->netns->fd, lp->peer.name,
						   lp->peer.ifindex, xdp);
		else	/* both ends in our namespace */
			err = datapath_attach_peer(dp, NULL, lab->host.fd, lp->peer.name,
						   lp->peer.ifindex, false);
	}
	return err;
}

struct attach_args {
	const char *bridge;
	int mode;
	bool xdp;
};

static const struct cli_option attach_options[] = {
	CLI_OPTION("bridge", 0, CLI_IFNAME, struct attach_args, bridge, .metavar = "NAME",
		   .def = DEFAULT_BRIDGE, .complete = CLI_COMPLETE_BRIDGE,
		   .help = "the hand-built lab's bridge"),
	CLI_OPTION("tc-mode", 0, CLI_ENUM, struct attach_args, mode, .metavar = "MODE",
		   .def = "auto", .values = tc_mode_names, .complete = CLI_COMPLETE_VALUES,
		   .help = "auto: tcx where the kernel has it"),
	CLI_OPTION("xdp", 0, CLI_FLAG, struct attach_args, xdp,
		   .help = "also count with XDP in the namespaces (halves TCP throughput)"),
	CLI_END
};

static int run_attach(const void *args, int noperands, char **operands)
{
	const struct attach_args *a = args;
	const char *bridge = a->bridge;
	enum tc_mode mode = a->mode;
	bool xdp = a->xdp;
	struct datapath dp = {};
	struct ledger *lg = NULL;
	struct nl_sock *nl = NULL;
	struct lab lab;
	size_t mark = 0;
	int err;

	err = datapath_preflight();
	if (err)
		return cli_exit_code(err);

	nl = nl_open();
	if (!nl) {
		err = -errno;
		pr_warn("cannot open rtnetlink: %s", strerror(-err));
		return cli_exit_code(err);
	}
	/* Waits for any other command on this bridge; finishes what a killed one left. */
	err = undo_open(bridge, 0, false, &lg);
	if (err)
		goto out_nl;
	err = lab_discover(nl, bridge, &lab);
	if (err) {
		ledger_close(lg);
		goto out_nl;
	}
	if (ledger_lost(lg) || ledger_damage(lg, NULL, NULL, 0)) {
		pr_warn("the ledger %s is %s: nsmon down --force --bridge %s first", ledger_path(lg),
			ledger_lost(lg) ? "empty" : "damaged", bridge);
		err = -EIO;
	} else if (ledger_has_attachments(lg)) {
		/* A lab `up` built and `detach` left unwatched has a ledger without attachments. */
		pr_warn("bridge \"%s\" is already monitored (nsmon detach --bridge %s stops it)",
			bridge, bridge);
		err = -EEXIST;
	}
	if (!err)
		err = datapath_open(&dp, bridge, lab.host.fd, mode, xdp, lg);
	if (!err) {
		ledger_objects(lg, &mark);
		err = ledger_begin(lg, LEDGER_OP_ATTACH);
	}
	if (!err)
		err = attach_lab(&dp, &lab, xdp);
	if (!err)
		err = ledger_commit(lg);
	if (!err) {
		printf("%s: counting %zu port%s and %zu namespace%s with %s%s\n", bridge, lab.nports,
		       lab.nports == 1 ? "" : "s", lab.nnetns, lab.nnetns == 1 ? "" : "s",
		       dp.used_clsact ? "clsact filters" : "tcx links", xdp ? " and native XDP" : "");
	} else if (dp.skel) {	/* begun: roll back what this run attached */
		undo_since(lg, mark);
		ledger_rewrite(lg);
	}
	datapath_close(&dp);
	ledger_close(lg);
	if (err)
		datapath_release_pins(bridge, !dp.pins_foreign, -1);
	lab_free(&lab);
out_nl:
	nl_close(nl);
	return cli_exit_code(err);
}

const struct cli_command cmd_attach = {
	.name = "attach",
	.summary = "monitor a lab built by hand (the seed script's, or your own)",
	.description = "Find the bridge's ports, each port's veth peer and the named namespace that\n"
		       "holds it, and attach the programs to all of them.",
	.options = attach_options,
	.args_size = sizeof(struct attach_args),
	.examples = "nsmon attach\tthe lab of v-net-0, built with ip\n"
		    "nsmon attach --bridge br1 --tc-mode clsact\tanother bridge, clsact filters",
	.run = run_attach,
};
