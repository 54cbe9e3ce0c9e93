/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command line, declared once. Each subcommand declares its options in a
 * table (name, type, metavar, default, help) over a struct of its own, after
 * xdp-tools' DEFINE_OPTION; from that table come the parsing (one typed
 * parser per argument type, shared by every command), `nsmon CMD --help`,
 * `nsmon --help` and `nsmon help --json`, which the man page, the shell
 * completion and the documentation test are made from.
 */
#ifndef NSMON_CLI_H
#define NSMON_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

enum nsmon_exit {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* a runtime failure: netlink, BPF, file system */
	EXIT_USAGE = 2,		/* bad arguments: unknown flag, missing value, invalid name or subnet */
	EXIT_PERM = 3,		/* not root / missing capability */
	EXIT_CONFLICT = 4,	/* an object exists that is not nsmon's, or the lab is already up */
	EXIT_UNSUPPORTED = 5,	/* the kernel lacks what is needed (BTF, tc, XDP) */
};

/* What an option's value is, and so how it is parsed and where it is stored. */
enum cli_type {
	CLI_FLAG,		/* no value; bool */
	CLI_STRING,		/* any text; const char * */
	CLI_IFNAME,		/* an interface name the kernel accepts; const char * */
	CLI_NETNS,		/* a named namespace (a file name in /run/netns); const char * */
	CLI_COUNT,		/* a whole number in [min, max]; unsigned long */
	CLI_DURATION,		/* seconds or N[ms|s|m], in [min, max] ms; unsigned long (ms) */
	CLI_ENUM,		/* one of .values; int (its index) */
	CLI_CUSTOM,		/* parsed by .parse; whatever it stores */
};

/* What the shell completion offers for a value. */
enum cli_complete {
	CLI_COMPLETE_NONE,
	CLI_COMPLETE_NETNS,	/* names in /run/netns */
	CLI_COMPLETE_BRIDGE,	/* bridges nsmon monitors */
	CLI_COMPLETE_FILE,
	CLI_COMPLETE_VALUES,	/* .values */
	CLI_COMPLETE_PID,	/* the processes in /proc */
};

/* Every value of a repeatable option (CLI_REPEAT) of a string type. */
struct cli_list {
	const char **items;
	size_t n;
};

#define CLI_REPEAT	0x1	/* may be given more than once: stored in a struct cli_list */
#define CLI_HIDDEN	0x2	/* accepted, not listed (an old spelling) */

struct cli_option {
	const char *name;		/* long name without "--" */
	char short_name;		/* 'n' for -n, or 0 */
	enum cli_type type;
	size_t offset;			/* where in the command's argument struct */
	const char *metavar;		/* "NAME" in "--bridge NAME" */
	const char *help;		/* one line */
	const char *def;		/* the default, as a user would type it; NULL: none */
	const char *const *values;	/* CLI_ENUM's names, NULL-terminated */
	unsigned long min, max;		/* CLI_COUNT / CLI_DURATION (ms) limits; max 0: none */
	/* CLI_CUSTOM: store @text at @dest, or return the reason it is refused. */
	const char *(*parse)(const char *text, void *dest);
	enum cli_complete complete;
	unsigned int flags;		/* CLI_REPEAT, CLI_HIDDEN */
};

/* A capability in struct cli_command's caps: CLI_CAP(CAP_NET_ADMIN). */
#define CLI_CAP(cap)	(1ULL << (cap))

/* CLI_OPTION("bridge", 0, CLI_IFNAME, struct up_args, bridge, .help = "...") */
#define CLI_OPTION(lname, sname, ty, args_type, field, ...) \
	{ .name = (lname), .short_name = (sname), .type = (ty), \
	  .offset = offsetof(args_type, field), __VA_ARGS__ }
#define CLI_END		{ .name = NULL }

struct cli_command {
	const char *name;
	const char *summary;		/* one line for `nsmon --help` */
	const char *description;	/* a paragraph for `nsmon CMD --help` and the man page */
	const char *operands;		/* "[NS ...]", or NULL for none */
	int max_operands;
	const struct cli_option *options;
	size_t args_size;		/* the struct the options fill, zeroed, then defaults */
	const char *examples;		/* "nsmon stats -n red\tonly red's counters\n..." */
	bool unprivileged;		/* runs without CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_BPF */
	/* CLI_CAP()s it needs (of those three); 0: all three. */
	unsigned long long caps;
	/* @args: the filled struct; @operands: what followed the options. */
	int (*run)(const void *args, int noperands, char **operands);
};

/* The subcommands, in the order `nsmon --help` lists them (NULL-terminated). */
extern const struct cli_command *const cli_commands[];

extern const struct cli_command cmd_up, cmd_down, cmd_attach, cmd_detach, cmd_stats,
	cmd_export, cmd_events, cmd_watch, cmd_web, cmd_ls, cmd_path, cmd_explain, cmd_capture,
	cmd_features, cmd_version, cmd_help;

/* The options before the command. */
struct cli_globals {
	bool verbose;		/* -v */
	int color;		/* --color: enum color_mode */
	bool version;		/* -V */
};

/**
 * cli_parse_global() - the global options of @argv (argv[0] is the program),
 * up to the command's name, whose index is set in @argi (@argc when there is
 * none); -h/--help sets @help. Return: the exit code (EXIT_USAGE after one
 * line saying what is wrong).
 */
int cli_parse_global(int argc, char **argv, struct cli_globals *globals, int *argi, bool *help);

/**
 * cli_run() - parse @argv (argv[0] is the subcommand's name) against @cmd's
 * options, check privileges, then run it. "--name VALUE", "--name=VALUE",
 * "-n VALUE" all work; "-h"/"--help" prints the command's help.
 * Return: the exit code.
 */
int cli_run(const struct cli_command *cmd, int argc, char **argv);

/**
 * cli_param_set() - one name=value pair (an HTTP query's: @value NULL for a
 * bare name) into @args, by @opts' long names and the command line's own
 * parsers: a flag takes no value, anything else one.
 * Return: NULL, or the reason it is refused.
 */
const char *cli_param_set(const struct cli_option *opts, const char *name, const char *value,
			  void *args);

/* Free the lists @opts' repeatable options hold in @args (cli_param_set() allocated them). */
void cli_free_lists(const struct cli_option *opts, void *args);

/* nsmon --help: the command list. */
void cli_usage(FILE *out);

/* nsmon CMD --help. */
void cli_command_help(const struct cli_command *cmd, FILE *out);

/* Every command and option as JSON (`nsmon help --json`), for the man page and completion. */
json_t *cli_describe(void);

/* The command named @name, or NULL. */
const struct cli_command *cli_find_command(const char *name);

/**
 * cli_check_privilege() - does this process have the capabilities @needs
 * (CLI_CAP()s; 0: CAP_SYS_ADMIN, CAP_NET_ADMIN and CAP_BPF), CAP_SYS_ADMIN
 * standing in for CAP_BPF? Prints the one line that says what is needed.
 * Return: 0 or -EPERM.
 */
int cli_check_privilege(unsigned long long needs);

/*
 * Print @doc as indented JSON (the contract) or with @print_table (for
 * people; a caller that always prints JSON passes NULL).
 */
void cli_print_doc(const json_t *doc, bool json, void (*print_table)(const json_t *doc));

/* Map a -errno to the documented exit code. */
int cli_exit_code(int err);

/* The exit codes, one line, as help texts end. */
#define CLI_EXIT_CODES "Exit codes: 0 ok, 1 failure, 2 usage, 3 not permitted, 4 conflict, 5 unsupported kernel"

/* The default bridge of the seed lab. */
#define DEFAULT_BRIDGE	"v-net-0"

#endif
