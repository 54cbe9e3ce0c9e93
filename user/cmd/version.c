// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon version [--json] and nsmon --version: the version the build was
 * made from (tools/version.sh: `git describe`, or the VERSION file of a
 * tarball), NSMON_ABI_VERSION, which decides whether maps another nsmon
 * pinned can be shared (exit code 4 when they cannot), and the libbpf this
 * process runs with.
 */
#include <bpf/libbpf.h>
#include <jansson.h>

#include "cmd/cli.h"
#include "cmd/version.h"
#include "nsmon.h"
#include "nsmon_version.h"	/* generated: NSMON_VERSION */

int version_print(FILE *out, bool json)
{
	char libbpf[32];

	snprintf(libbpf, sizeof(libbpf), "%u.%u", libbpf_major_version(), libbpf_minor_version());
	if (json) {
		json_t *doc = json_pack("{s:s, s:i, s:s}", "version", NSMON_VERSION,
					"abi", NSMON_ABI_VERSION, "libbpf", libbpf);

		cli_print_doc(doc, true, NULL);
		json_decref(doc);
		return EXIT_OK;
	}
	fprintf(out, "nsmon %s\npinned-map ABI %d\nlibbpf %s\n", NSMON_VERSION, NSMON_ABI_VERSION,
		libbpf);
	return EXIT_OK;
}

struct version_args {
	bool json;
};

static const struct cli_option version_options[] = {
	CLI_OPTION("json", 'j', CLI_FLAG, struct version_args, json,
		   .help = "one JSON object: version, abi, libbpf"),
	CLI_END
};

static int run_version(const void *args, int noperands, char **operands)
{
	const struct version_args *a = args;

	return version_print(stdout, a->json);
}

const struct cli_command cmd_version = {
	.name = "version",
	.summary = "the version, the pinned-map ABI and libbpf's version (as nsmon --version)",
	.description = "The version nsmon was built from (git describe, or the VERSION file of a\n"
		       "tarball), the ABI version of the maps it pins under /sys/fs/bpf/nsmon (an\n"
		       "nsmon of another ABI refuses to share them: exit code 4) and the libbpf\n"
		       "it runs with.",
	.options = version_options,
	.args_size = sizeof(struct version_args),
	.examples = "nsmon --version\tthe same three lines\n"
		    "nsmon version -j | jq -r .abi\tthe ABI, for scripts",
	.unprivileged = true,
	.run = run_version,
};
