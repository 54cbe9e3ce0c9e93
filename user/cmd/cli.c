// SPDX-License-Identifier: GPL-2.0
/*
 * The command line: parsing each subcommand's declared options into its
 * argument struct, its help, and the whole table as JSON for the man page
 * and the shell completion. One typed parser per argument type serves every
 * command, so "--count" means the same thing wherever it appears.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "cmd/cli.h"
#include "util/color.h"
#include "util/log.h"
#include "util/number.h"
#include "util/validate.h"

static const char *const type_names[] = {
	[CLI_FLAG] = "flag",		[CLI_STRING] = "string",
	[CLI_IFNAME] = "ifname",	[CLI_NETNS] = "netns",
	[CLI_COUNT] = "count",		[CLI_DURATION] = "duration",
	[CLI_ENUM] = "enum",		[CLI_CUSTOM] = "custom",
};

static const char *const complete_names[] = {
	[CLI_COMPLETE_NONE] = NULL,		[CLI_COMPLETE_NETNS] = "netns",
	[CLI_COMPLETE_BRIDGE] = "bridge",	[CLI_COMPLETE_FILE] = "file",
	[CLI_COMPLETE_VALUES] = "values",	[CLI_COMPLETE_PID] = "pid",
};

const struct cli_command *const cli_commands[] = {
	&cmd_up, &cmd_down, &cmd_attach, &cmd_detach, &cmd_stats, &cmd_export, &cmd_events,
	&cmd_watch, &cmd_web, &cmd_ls, &cmd_explain, &cmd_path, &cmd_capture, &cmd_features,
	&cmd_version, &cmd_help, NULL,
};

/* The options before the command: `nsmon [-v] [--color WHEN] COMMAND ...`, `nsmon -V`. */
static const struct cli_option global_options[] = {
	CLI_OPTION("verbose", 'v', CLI_FLAG, struct cli_globals, verbose,
		   .help = "debug output, including libbpf's and the verifier's"),
	CLI_OPTION("color", 0, CLI_ENUM, struct cli_globals, color, .metavar = "WHEN",
		   .def = "auto", .values = color_mode_names, .complete = CLI_COMPLETE_VALUES,
		   .help = "colours: on a terminal unless NO_COLOR is set, always, never"),
	CLI_OPTION("version", 'V', CLI_FLAG, struct cli_globals, version,
		   .help = "the version, the pinned-map ABI and libbpf's version"),
	CLI_END
};

/* The global options as a command without a name, so that one parser reads them. */
static const struct cli_command global_command = {
	.options = global_options,
	.args_size = sizeof(struct cli_globals),
};

const struct cli_command *cli_find_command(const char *name)
{
	for (const struct cli_command *const *c = cli_commands; *c; c++)
		if (!strcmp((*c)->name, name))
			return *c;
	return NULL;
}

/* ---- values ----------------------------------------------------------------- */

/* "up: " before a command's usage errors; nothing before the global options'. */
static const char *where(const struct cli_command *cmd)
{
	static __thread char prefix[32];

	if (!cmd->name)
		return "";
	snprintf(prefix, sizeof(prefix), "%s: ", cmd->name);
	return prefix;
}

/* "nsmon up --help", or "nsmon --help" for the global options. */
static const char *try_help(const struct cli_command *cmd)
{
	static __thread char text[48];

	snprintf(text, sizeof(text), "nsmon %s%s--help", cmd->name ? cmd->name : "",
		 cmd->name ? " " : "");
	return text;
}

static const char *netns_check(const char *name)
{
	if (!*name)
		return "is empty";
	if (strlen(name) > NAME_MAX)
		return "is longer than a file name may be";
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "is reserved";
	if (strchr(name, '/'))
		return "contains '/'";
	return NULL;
}

static const char *enum_parse(const struct cli_option *opt, const char *text, int *out)
{
	static __thread char reason[160];
	size_t len = 0;

	for (int i = 0; opt->values[i]; i++) {
		if (!strcmp(text, opt->values[i])) {
			*out = i;
			return NULL;
		}
	}
	len = snprintf(reason, sizeof(reason), "use ");
	for (int i = 0; opt->values[i] && len < sizeof(reason); i++)
		len += snprintf(reason + len, sizeof(reason) - len, "%s%s",
				i == 0 ? "" : opt->values[i + 1] ? ", " : " or ", opt->values[i]);
	return reason;
}

/* Add @text to the repeatable option's list at @dest. */
static int list_add(struct cli_list *list, const char *text)
{
	const char **items = realloc(list->items, (list->n + 1) * sizeof(*items));

	if (!items)
		return -ENOMEM;
	items[list->n++] = text;
	list->items = items;
	return 0;
}

static const char *store_text(const struct cli_option *opt, void *dest, const char *text)
{
	if (opt->flags & CLI_REPEAT)
		return list_add(dest, text) ? "cannot be stored: out of memory" : NULL;
	*(const char **)dest = text;
	return NULL;
}

/* Parse @text as @opt's type into @args. Return: NULL or the reason it is refused. */
static const char *parse_value(const struct cli_option *opt, const char *text, void *args)
{
	void *dest = (char *)args + opt->offset;
	unsigned long max = opt->max ? opt->max : ULONG_MAX;
	const char *why = NULL;

	switch (opt->type) {
	case CLI_FLAG:
		*(bool *)dest = true;
		return NULL;
	case CLI_STRING:
		break;
	case CLI_IFNAME:
		why = ifname_check(text);
		break;
	case CLI_NETNS:
		why = netns_check(text);
		break;
	case CLI_COUNT:
		return number_parse(text, opt->min, max, dest);
	case CLI_DURATION:
		return duration_parse(text, opt->min, max, dest);
	case CLI_ENUM:
		return enum_parse(opt, text, dest);
	case CLI_CUSTOM:
		return opt->parse(text, dest);
	}
	return why ? why : store_text(opt, dest, text);
}

/* ---- parsing --------------------------------------------------------------- */

static const struct cli_option *find_long(const struct cli_option *opts, const char *name,
					  size_t len)
{
	for (; opts->name; opts++)
		if (strlen(opts->name) == len && !strncmp(opts->name, name, len))
			return opts;
	return NULL;
}

static const struct cli_option *find_short(const struct cli_option *opts, char c)
{
	for (; opts->name; opts++)
		if (opts->short_name == c)
			return opts;
	return NULL;
}

const char *cli_param_set(const struct cli_option *opts, const char *name, const char *value,
			  void *args)
{
	const struct cli_option *opt = find_long(opts, name, strlen(name));

	if (!opt)
		return "is not a parameter here";
	if (opt->type == CLI_FLAG && value && *value)
		return "takes no value";
	if (opt->type != CLI_FLAG && !value)
		return "needs a value";
	return parse_value(opt, value ? value : "", args);
}

/* Defaults go through the same parsers as what users type, so help shows what is applied. */
static int apply_defaults(const struct cli_command *cmd, void *args)
{
	for (const struct cli_option *opt = cmd->options; opt->name; opt++) {
		const char *why;

		if (!opt->def)
			continue;
		why = parse_value(opt, opt->def, args);
		if (why) {	/* a bug in the table, not the user's doing */
			pr_warn("%sthe default of --%s \"%s\" %s", where(cmd), opt->name, opt->def, why);
			return EXIT_FAIL;
		}
	}
	return EXIT_OK;
}

/*
 * One option at @argv[*i]: its value is after '=' (@inline_value), glued to a
 * short name, or the next argument. A repeated option that is not
 * repeatable is refused: the user meant one of the two, and we cannot know which.
 */
static int take_option(const struct cli_command *cmd, const struct cli_option *opt,
		       const char *spelled, const char *inline_value, int argc, char **argv,
		       int *i, void *args, unsigned char *seen)
{
	const char *value = inline_value, *why;
	size_t index = opt - cmd->options;

	if (seen[index] && !(opt->flags & CLI_REPEAT) && opt->type != CLI_FLAG) {
		pr_warn("%soption \"%s\" given twice", where(cmd), spelled);
		return EXIT_USAGE;
	}
	seen[index] = 1;
	if (opt->type == CLI_FLAG) {
		if (value) {
			pr_warn("%soption \"%s\" takes no value", where(cmd), spelled);
			return EXIT_USAGE;
		}
		return parse_value(opt, "", args) ? EXIT_USAGE : EXIT_OK;
	}
	if (!value) {
		if (*i + 1 >= argc) {
			pr_warn("%soption \"%s\" needs a value (%s)", where(cmd), spelled,
				opt->metavar ? opt->metavar : "a value");
			return EXIT_USAGE;
		}
		value = argv[++*i];
	}
	why = parse_value(opt, value, args);
	if (why) {
		pr_warn("%sinvalid %s \"%s\": %s", where(cmd), spelled, value, why);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/*
 * Options may come before, between or after the operands (`nsmon up red
 * --xdp`), as with getopt's permutation; "--" ends them. Operands are moved
 * to the front of @argv + 1, in order; their count is returned in @noperands.
 * The global options (a command without a name) end at the first operand,
 * the command's name, which is left in place: @noperands is its index.
 */
static int parse_args(const struct cli_command *cmd, int argc, char **argv, void *args,
		      int *noperands, bool *help)
{
	size_t nopts = 0;
	unsigned char *seen;
	int n = 0, ret = EXIT_OK;
	bool only_operands = false;

	while (cmd->options[nopts].name)
		nopts++;
	seen = calloc(nopts + 1, 1);
	if (!seen)
		return EXIT_FAIL;
	for (int i = 1; i < argc && ret == EXIT_OK; i++) {
		char *arg = argv[i];
		const struct cli_option *opt;

		if (!cmd->name && (arg[0] != '-' || !arg[1])) {
			n = i;
			break;
		}
		if (only_operands || arg[0] != '-' || !arg[1]) {
			argv[1 + n++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			only_operands = true;
		} else if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			*help = true;
		} else if (arg[1] == '-') {
			const char *eq = strchr(arg, '=');
			size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);

			opt = find_long(cmd->options, arg + 2, len);
			if (!opt) {
				pr_warn("%sunknown option \"%.*s\" (try %s)", where(cmd),
					(int)len + 2, arg, try_help(cmd));
				ret = EXIT_USAGE;
				break;
			}
			char spelled[48];

			snprintf(spelled, sizeof(spelled), "--%s", opt->name);
			ret = take_option(cmd, opt, spelled, eq ? eq + 1 : NULL, argc, argv, &i, args, seen);
		} else {
			char spelled[3] = { '-', arg[1], 0 };

			opt = find_short(cmd->options, arg[1]);
			if (!opt) {
				pr_warn("%sunknown option \"%s\" (try %s)", where(cmd), arg,
					try_help(cmd));
				ret = EXIT_USAGE;
				break;
			}
			/* "-nred" as getopt takes it; a flag takes nothing glued on. */
			ret = take_option(cmd, opt, spelled, arg[2] ? arg + 2 : NULL, argc, argv, &i,
					  args, seen);
		}
	}
	free(seen);
	if (!cmd->name) {
		*noperands = n ? n : argc;	/* no command: past the end */
		return ret;
	}
	if (ret == EXIT_OK && !*help && n > cmd->max_operands) {
		pr_warn("%s: unexpected argument \"%s\"", cmd->name, argv[1 + cmd->max_operands]);
		ret = EXIT_USAGE;
	}
	*noperands = n;
	return ret;
}

/* Repeatable options hold lists the parser allocated. */
void cli_free_lists(const struct cli_option *opts, void *args)
{
	for (const struct cli_option *opt = opts; opt->name; opt++)
		if (opt->flags & CLI_REPEAT)
			free(((struct cli_list *)((char *)args + opt->offset))->items);
}

static void free_args(const struct cli_command *cmd, void *args)
{
	if (!args)
		return;
	cli_free_lists(cmd->options, args);
	free(args);
}

int cli_run(const struct cli_command *cmd, int argc, char **argv)
{
	void *args = calloc(1, cmd->args_size ? cmd->args_size : 1);
	bool help = false;
	int noperands = 0, ret;

	if (!args)
		return EXIT_FAIL;
	ret = apply_defaults(cmd, args);
	if (ret == EXIT_OK)
		ret = parse_args(cmd, argc, argv, args, &noperands, &help);
	if (ret == EXIT_OK && help) {
		cli_command_help(cmd, stdout);
	} else if (ret == EXIT_OK) {
		/* One check, before any command touches a pin, a map or rtnetlink. */
		if (!cmd->unprivileged && cli_check_privilege(cmd->caps))
			ret = EXIT_PERM;
		else
			ret = cmd->run(args, noperands, argv + 1);
	}
	free_args(cmd, args);
	return ret;
}

int cli_parse_global(int argc, char **argv, struct cli_globals *globals, int *argi, bool *help)
{
	int ret;

	memset(globals, 0, sizeof(*globals));
	*help = false;
	ret = apply_defaults(&global_command, globals);
	if (ret == EXIT_OK)
		ret = parse_args(&global_command, argc, argv, globals, argi, help);
	return ret;
}

/* ---- privileges ------------------------------------------------------------- */

static bool has_cap(const struct __user_cap_data_struct *caps, int cap)
{
	return caps[cap / 32].effective & (1u << (cap % 32));
}

#define CLI_CAPS_DEFAULT	(CLI_CAP(CAP_SYS_ADMIN) | CLI_CAP(CAP_NET_ADMIN) | CLI_CAP(CAP_BPF))

/* The capabilities a command may ask for, in the order its message names them. */
static const struct {
	int cap;
	const char *name;
} cap_names[] = {
	{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN" }, { CAP_NET_ADMIN, "CAP_NET_ADMIN" }, { CAP_BPF, "CAP_BPF" },
};

int cli_check_privilege(unsigned long long needs)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3] = {};
	const size_t ncaps = sizeof(cap_names) / sizeof(cap_names[0]);
	char names[96] = "";
	size_t len = 0, listed = 0, wanted = 0;
	bool ok;

	if (!needs)
		needs = CLI_CAPS_DEFAULT;
	ok = !syscall(SYS_capget, &hdr, caps);
	for (size_t i = 0; i < ncaps; i++) {
		int cap = cap_names[i].cap;

		if (!(needs & CLI_CAP(cap)))
			continue;
		wanted++;
		/* CAP_SYS_ADMIN stands in for CAP_BPF, as the kernel lets it. */
		if (!has_cap(caps, cap) && !(cap == CAP_BPF && has_cap(caps, CAP_SYS_ADMIN)))
			ok = false;
	}
	if (ok)
		return 0;
	for (size_t i = 0; i < ncaps && len < sizeof(names); i++) {
		if (!(needs & CLI_CAP(cap_names[i].cap)))
			continue;
		listed++;
		len += snprintf(names + len, sizeof(names) - len, "%s%s",
				listed == 1 ? "" : listed == wanted ? " and " : ", ",
				cap_names[i].name);
	}
	pr_warn("must run as root: needs %s", names);
	return -EPERM;
}

/* ---- help ------------------------------------------------------------------ */

/* "-n, --netns NS" as the help's left column shows it. */
static void option_synopsis(const struct cli_option *opt, char *buf, size_t size)
{
	int len;

	if (opt->short_name)
		len = snprintf(buf, size, "-%c, --%s", opt->short_name, opt->name);
	else
		len = snprintf(buf, size, "    --%s", opt->name);
	if (opt->type != CLI_FLAG && len >= 0 && (size_t)len < size)
		snprintf(buf + len, size - len, " %s", opt->metavar ? opt->metavar : "VALUE");
}

/* " (auto|tcx|clsact; default auto)": an option's choices, default, repeatability. */
static void print_option_notes(const struct cli_option *opt, FILE *out)
{
	const char *sep = " (";

	if (opt->type == CLI_ENUM) {
		for (int i = 0; opt->values[i]; i++)
			fprintf(out, "%s%s", i ? "|" : sep, opt->values[i]);
		sep = "; ";
	}
	if (opt->flags & CLI_REPEAT) {
		fprintf(out, "%srepeatable", sep);
		sep = "; ";
	}
	if (opt->def) {
		fprintf(out, "%sdefault %s", sep, opt->def);
		sep = "; ";
	}
	if (strcmp(sep, " ("))
		fputc(')', out);
}

/* One line per listed option, then -h. */
static void print_options(const struct cli_option *opts, FILE *out)
{
	char left[64];

	for (const struct cli_option *opt = opts; opt->name; opt++) {
		if (opt->flags & CLI_HIDDEN)
			continue;
		option_synopsis(opt, left, sizeof(left));
		fprintf(out, "  %-26s %s", left, opt->help);
		print_option_notes(opt, out);
		fputc('\n', out);
	}
	fprintf(out, "  %-26s %s\n", "-h, --help", "this help");
}

void cli_usage(FILE *out)
{
	fprintf(out, "Usage: nsmon [GLOBAL OPTIONS] COMMAND [OPTIONS]\n"
		     "       nsmon COMMAND --help    (a command's options and examples)\n\n"
		     "Commands:\n");
	for (const struct cli_command *const *c = cli_commands; *c; c++)
		fprintf(out, "  %-9s %s\n", (*c)->name, (*c)->summary);
	fprintf(out, "\nGlobal options:\n");
	print_options(global_options, out);
	fprintf(out, "\n%s\n", CLI_EXIT_CODES);
}

void cli_command_help(const struct cli_command *cmd, FILE *out)
{
	fprintf(out, "Usage: nsmon %s [OPTIONS]%s%s\n", cmd->name, cmd->operands ? " " : "",
		cmd->operands ? cmd->operands : "");
	fprintf(out, "%s\n", cmd->description ? cmd->description : cmd->summary);
	fprintf(out, "\nOptions:\n");
	print_options(cmd->options, out);
	if (cmd->examples) {
		const char *line = cmd->examples;

		fprintf(out, "\nExamples:\n");
		while (*line) {
			const char *nl = line + strcspn(line, "\n"), *tab = memchr(line, '\t', nl - line);

			if (tab)
				fprintf(out, "  %-36.*s # %.*s\n", (int)(tab - line), line,
					(int)(nl - tab - 1), tab + 1);
			else
				fprintf(out, "  %.*s\n", (int)(nl - line), line);
			line = *nl ? nl + 1 : nl;
		}
	}
	fprintf(out, "\n%s\n", CLI_EXIT_CODES);
}

static json_t *option_json(const struct cli_option *opt)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:b}", "name", opt->name,
			      "type", type_names[opt->type], "help", opt->help,
			      "repeatable", !!(opt->flags & CLI_REPEAT),
			      "hidden", !!(opt->flags & CLI_HIDDEN));

	if (!o)
		return NULL;
	if (opt->short_name)
		json_object_set_new(o, "short", json_sprintf("%c", opt->short_name));
	if (opt->metavar)
		json_object_set_new(o, "metavar", json_string(opt->metavar));
	if (opt->def)
		json_object_set_new(o, "default", json_string(opt->def));
	if (opt->values) {
		json_t *values = json_array();

		for (int i = 0; opt->values[i]; i++)
			json_array_append_new(values, json_string(opt->values[i]));
		json_object_set_new(o, "values", values);
	}
	if (complete_names[opt->complete])
		json_object_set_new(o, "complete", json_string(complete_names[opt->complete]));
	return o;
}

/* The capabilities @cmd needs, by name: what cli_check_privilege() checks. */
static json_t *caps_json(const struct cli_command *cmd)
{
	unsigned long long needs = cmd->caps ? cmd->caps : CLI_CAPS_DEFAULT;
	json_t *caps = json_array();

	if (cmd->unprivileged)
		return caps;
	for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (needs & CLI_CAP(cap_names[i].cap))
			json_array_append_new(caps, json_string(cap_names[i].name));
	return caps;
}

/* An option table as a JSON array. */
static json_t *options_json(const struct cli_option *opts)
{
	json_t *options = json_array();

	for (const struct cli_option *opt = opts; opt->name; opt++)
		json_array_append_new(options, option_json(opt));
	return options;
}

json_t *cli_describe(void)
{
	json_t *commands = json_array();

	for (const struct cli_command *const *c = cli_commands; *c; c++) {
		const struct cli_command *cmd = *c;
		json_t *options = options_json(cmd->options);

		json_array_append_new(commands, json_pack("{s:s, s:s, s:s?, s:s?, s:o, s:s?, s:b, s:o}",
			"name", cmd->name, "summary", cmd->summary,
			"description", cmd->description, "operands", cmd->operands,
			"options", options, "examples", cmd->examples,
			"privileged", !cmd->unprivileged, "capabilities", caps_json(cmd)));
	}
	return json_pack("{s:o, s:o, s:s}", "global_options", options_json(global_options),
			 "commands", commands, "exit_codes", CLI_EXIT_CODES);
}

/* ---- exit codes and documents --------------------------------------------- */

int cli_exit_code(int err)
{
	switch (err) {
	case 0:
		return EXIT_OK;
	case -EPERM:
	case -EACCES:
		return EXIT_PERM;
	case -EEXIST:
	case -EBUSY:
	case -EADDRINUSE:
		return EXIT_CONFLICT;
	case -EOPNOTSUPP:
		return EXIT_UNSUPPORTED;
	default:
		return EXIT_FAIL;
	}
}

void cli_print_doc(const json_t *doc, bool json, void (*print_table)(const json_t *doc))
{
	if (json) {
		/*
		 * jansson hands a stream the text a token at a time: one stdio
		 * call each was a tenth of a 1,000-interface `stats --json`.
		 * Into its own buffer, then one write.
		 */
		char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		if (text) {
			fputs(text, stdout);
			free(text);
		} else {
			json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		}
		putchar('\n');
	} else {
		print_table(doc);
	}
}
