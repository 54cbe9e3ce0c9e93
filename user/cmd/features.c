// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon features [--json]: what this kernel offers, each probed for real by
 * datapath/features.c (through the functions up and attach attach by, so
 * the answer here is the one they get), what nsmon uses it for, and what it
 * does without it.
 */
#include <sys/utsname.h>
#include <jansson.h>

#include "cmd/cli.h"
#include "datapath/features.h"
#include "util/color.h"

/* What each feature is for in nsmon, and what happens on a kernel without it. */
static const struct {
	const char *uses;
	const char *without;
} roles[FEATURE_MAX] = {
	[FEATURE_BTF] = { "checked before any program loads; CO-RE in events, path, XDP",
			  "nothing loads: up, attach, events, path, explain refuse (exit 5)" },
	[FEATURE_TCX] = { "attach's tc hooks, up's with --tc-mode tcx, path, explain",
			  "up and attach use clsact filters; path and explain cannot run" },
	[FEATURE_CLSACT] = { "up's own devices (auto), --tc-mode clsact, auto without tcx",
			     "--tc-mode clsact fails; tcx serves" },
	[FEATURE_XDP_NATIVE_VETH] = { "--xdp of up and attach (native mode only)",
				      "--xdp fails and what it built is undone (exit 5)" },
	[FEATURE_XDP_GENERIC_VETH] = { "not used: it runs on another path than native XDP counts",
				       "nothing" },
	[FEATURE_RINGBUF] = { "events, watch's event lines, path, explain",
			      "those cannot run; stats and export still count" },
	[FEATURE_TP_BTF] = { "events (ns, neigh, fdb, drop), path and explain (consume_skb)",
			     "events keeps netns, link, addr, counters; path, explain cannot run" },
	[FEATURE_TC_NETNS_COOKIE] = { "not used: tc programs get their bridge's cookie at load",
				      "nothing" },
	[FEATURE_KPROBES] = { "not used: tracepoints and tp_btf instead",
			      "nothing" },
	[FEATURE_FENTRY] = { "not used: tracepoints and tp_btf instead",
			     "nothing" },
	[FEATURE_NETNS_COOKIE] = { "the key of each namespace's counters, read by userspace",
				   "up, attach and stats cannot tell namespaces apart: they fail" },
	[FEATURE_NETLINK_ALL_NSID] = { "events' and watch's link and addr events, every namespace",
				       "events and watch cannot start their rtnetlink source" },
};

struct features_args {
	bool json;
};

static const struct cli_option features_options[] = {
	CLI_OPTION("json", 'j', CLI_FLAG, struct features_args, json,
		   .help = "one JSON document: every probe, true or false"),
	CLI_END
};

static json_t *features_json(void)
{
	json_t *features = json_object();
	struct utsname uts;

	for (int f = 0; f < FEATURE_MAX; f++) {
		const char *why;
		bool there = feature_probe(f, &why);

		json_object_set_new(features, feature_names[f],
				    json_pack("{s:b, s:s, s:s, s:o}", "available", there,
					      "uses", roles[f].uses, "without", roles[f].without,
					      "why_not", there ? json_null() : json_string(why)));
	}
	uname(&uts);
	return json_pack("{s:s, s:o, s:{s:s, s:b}}", "kernel", uts.release, "features", features,
			 "choices", "tc_mode", feature_probe(FEATURE_TCX, NULL) ? "tcx" : "clsact",
			 "xdp", feature_probe(FEATURE_XDP_NATIVE_VETH, NULL));
}

static void print_table(const json_t *doc)
{
	const json_t *features = json_object_get(doc, "features"), *f;
	const json_t *choices = json_object_get(doc, "choices");
	const char *name;

	printf("kernel %s: tc hooks by %s, --xdp %s\n\n",
	       json_string_value(json_object_get(doc, "kernel")),
	       json_string_value(json_object_get(choices, "tc_mode")),
	       json_is_true(json_object_get(choices, "xdp")) ? "available" : "unavailable");
	printf("%s%-17s %-4s %s%s\n", color(stdout, COLOR_HEADER), "FEATURE", "HAS",
	       "WHAT NSMON USES IT FOR", color(stdout, COLOR_RESET));
	json_object_foreach((json_t *)features, name, f) {
		bool there = json_is_true(json_object_get(f, "available"));

		printf("%-17s %s%-4s%s %s\n", name, color(stdout, there ? COLOR_GOOD : COLOR_BAD),
		       there ? "yes" : "no", color(stdout, COLOR_RESET),
		       json_string_value(json_object_get(f, "uses")));
		if (!there)
			printf("%-22s without it: %s\n%-22s why not: %s\n", "",
			       json_string_value(json_object_get(f, "without")), "",
			       json_string_value(json_object_get(f, "why_not")));
	}
}

static int run_features(const void *args, int noperands, char **operands)
{
	const struct features_args *a = args;
	json_t *doc = features_json();

	if (!doc)
		return EXIT_FAIL;
	cli_print_doc(doc, a->json, print_table);
	json_decref(doc);
	return EXIT_OK;
}

const struct cli_command cmd_features = {
	.name = "features",
	.summary = "what this kernel offers nsmon (tcx, XDP, BTF, ...), each probed for real",
	.description = "Each feature is tried for real, leaving nothing behind: a tiny program loaded,\n"
		       "a tcx link, a clsact filter and XDP made in a private network namespace.\n"
		       "For each: what nsmon uses it for and, where it is missing, what nsmon does\n"
		       "without it. up and attach attach through the same functions: the\n"
		       "kernel's answer there chooses tcx or clsact.",
	.options = features_options,
	.args_size = sizeof(struct features_args),
	.examples = "nsmon features\tthe table\n"
		    "nsmon features -j | jq .features.tcx.available\tone probe, for scripts",
	.run = run_features,
};
