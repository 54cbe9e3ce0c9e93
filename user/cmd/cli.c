// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"
#include "util/log.h"

static const struct cli_opt *find_opt(const struct cli_opt *opts, const char *arg, size_t len)
{
	for (; opts->name; opts++)
		if (strlen(opts->name) == len && !strncmp(opts->name, arg, len))
			return opts;
	return NULL;
}

int cli_parse(int argc, char **argv, const struct cli_opt *opts, int max_operands, int *first)
{
	int i = 1, operands;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *arg = argv[i], *eq = strchr(arg, '=');
		size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
		const struct cli_opt *opt;

		if (!strcmp(arg, "--")) {
			i++;
			break;
		}
		opt = find_opt(opts, arg, len);
		if (!opt) {
			pr_warn("%s: unknown option \"%.*s\"", argv[0], (int)len, arg);
			return EXIT_USAGE;
		}
		if (opt->flag) {
			if (eq) {
				pr_warn("%s: option \"%s\" takes no value", argv[0], opt->name);
				return EXIT_USAGE;
			}
			*opt->flag = true;
		} else if (eq) {
			*opt->value = eq + 1;
		} else if (i + 1 < argc) {
			*opt->value = argv[++i];
		} else {
			pr_warn("%s: option \"%s\" needs a value", argv[0], opt->name);
			return EXIT_USAGE;
		}
	}
	operands = argc - i;
	if (operands > max_operands) {
		pr_warn("%s: unexpected argument \"%s\"", argv[0], argv[i + max_operands]);
		return EXIT_USAGE;
	}
	*first = i;
	return EXIT_OK;
}

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

/*
 * jansson hands the text over a token at a time: json_dumpf() makes a
 * locked stdio call of each, a tenth of a 1,000-interface `stats --json`.
 * Only this thread prints.
 */
static int write_unlocked(const char *buffer, size_t size, void *data)
{
	return fwrite_unlocked(buffer, 1, size, data) == size ? 0 : -1;
}

void cli_print_doc(const json_t *doc, bool json, void (*print_table)(const json_t *doc))
{
	if (json) {
		json_dump_callback(doc, write_unlocked, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		print_table(doc);
	}
}
