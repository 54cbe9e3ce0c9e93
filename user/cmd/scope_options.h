/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scope options (lab/lab_scope.h) as every observing command declares
 * them in its option table: one declaration, so that --bridge, -n/--netns
 * and --all read, complete and document the same everywhere.
 *
 *   SCOPE_CLI_OPTIONS(struct stats_args, scope, SCOPE_ALL_LABS)
 *
 * @field is the command's struct scope_args; scope_of() turns it into the
 * struct lab_scope the layers below take. What --all widens to is the one
 * thing that differs: every monitored lab for the commands that read the
 * counters or attach to a lab (SCOPE_ALL_LABS), the whole machine for the
 * event stream (SCOPE_ALL_MACHINE). path and explain trace between two ends
 * of one lab: they take the --bridge option alone (SCOPE_CLI_BRIDGE).
 */
#ifndef NSMON_SCOPE_OPTIONS_H
#define NSMON_SCOPE_OPTIONS_H

#include "cmd/cli.h"
#include "lab/lab_scope.h"

struct scope_args {
	struct cli_list bridges;	/* --bridge, repeatable */
	struct cli_list netns;		/* -n, repeatable */
	bool all;			/* --all */
};

#define SCOPE_ALL_LABS		"every lab nsmon monitors (the default, said explicitly)"
#define SCOPE_ALL_MACHINE	"the whole machine: every namespace's lifecycle, other bridges, every drop"

#define SCOPE_CLI_BRIDGE(args_type, field)						\
	CLI_OPTION("bridge", 0, CLI_IFNAME, args_type, field.bridges, .metavar = "NAME",	\
		   .complete = CLI_COMPLETE_BRIDGE, .flags = CLI_REPEAT,			\
		   .help = "only the lab of bridge NAME (default: every lab nsmon monitors)")

#define SCOPE_CLI_OPTIONS(args_type, field, all_help)					\
	SCOPE_CLI_BRIDGE(args_type, field),						\
	CLI_OPTION("netns", 'n', CLI_NETNS, args_type, field.netns, .metavar = "NS",	\
		   .complete = CLI_COMPLETE_NETNS, .flags = CLI_REPEAT,			\
		   .help = "only namespace NS of the labs, and the bridge port that peers into it"), \
	CLI_OPTION("all", 0, CLI_FLAG, args_type, field.all, .help = (all_help))

/* The scope @a says, for the layers below (borrowing @a's lists). */
static inline struct lab_scope scope_of(const struct scope_args *a)
{
	return (struct lab_scope){
		.bridges = a->bridges.items, .nbridges = a->bridges.n,
		.netns = a->netns.items, .nnetns = a->netns.n,
		.all = a->all,
	};
}

/* scope_check() - EXIT_USAGE (after its one line) for a scope no one may ask for, else EXIT_OK. */
static inline int scope_check(const struct lab_scope *s)
{
	return lab_scope_check(s) ? EXIT_USAGE : EXIT_OK;
}

#endif
