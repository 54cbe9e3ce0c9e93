/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands and the exit codes they share (documented in README.md). */
#ifndef NSMON_CLI_H
#define NSMON_CLI_H

enum nsmon_exit {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* a runtime failure: netlink, BPF, file system */
	EXIT_USAGE = 2,		/* bad arguments: unknown flag, missing value, invalid name or subnet */
	EXIT_PERM = 3,		/* not root / missing capability */
	EXIT_CONFLICT = 4,	/* an object exists that is not nsmon's, or the lab is already up */
	EXIT_UNSUPPORTED = 5,	/* the kernel lacks what is needed (BTF, tc, XDP) */
};

/* Each subcommand parses its own arguments (argv[0] is its name) and returns an exit code. */
int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_path(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_capture(int argc, char **argv);

#include <stdbool.h>
#include <jansson.h>

/* One option of a subcommand: a flag (@flag set) or an option with a value (@value set). */
struct cli_opt {
	const char *name;	/* "--bridge", "-n" */
	const char **value;
	bool *flag;
};

/**
 * cli_parse() - parse @argv (argv[0] is the subcommand) against @opts;
 * "--name VALUE" and "--name=VALUE" both work. Operands are left in
 * @argv[*first .. argc-1]; @max_operands limits how many are allowed.
 * Prints its own error line. Return: EXIT_OK or EXIT_USAGE.
 */
int cli_parse(int argc, char **argv, const struct cli_opt *opts, int max_operands, int *first);

/*
 * Print @doc as indented JSON (the contract) or with @print_table (for
 * people; a caller that always prints JSON passes NULL).
 */
void cli_print_doc(const json_t *doc, bool json, void (*print_table)(const json_t *doc));

/* Map a -errno to the documented exit code. */
int cli_exit_code(int err);

/* The default bridge of the seed lab. */
#define DEFAULT_BRIDGE	"v-net-0"

#endif
