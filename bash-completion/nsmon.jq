# SPDX-License-Identifier: GPL-2.0
# The completion's table in bash, from `nsmon help --json`: the commands, each
# command's options and what each option's value is, as nsmon parses them.

# A word list for bash, quoted.
def words: map(@sh) | join(" ");

# What follows OPTION: "" (a flag: nothing), or how to complete its value:
# netns, bridge, file, pid, none, "values V...", "list V..." (comma-separated).
def kind: if .type == "flag" then ""
	elif .values and ((.metavar // "") | endswith(",...")) then "list " + (.values | join(" "))
	elif .values then "values " + (.values | join(" "))
	else (.complete // "none") end;

# The case arms of one option table: "CMD --name|CMD -n) echo KIND ;;".
def arms($cmd): .[] | select(kind != "") |
	"\t\(["\($cmd) --\(.name)"] + (if .short then ["\($cmd) -\(.short)"] else [] end) |
		map(@sh) | join("|"))) echo \(kind | @sh) ;;";

"_nsmon_commands=\(@sh "\([.commands[].name] | join(" "))")",
"_nsmon_global_options=\(@sh "\([.global_options[] | select(.hidden | not) |
	"--" + .name, (.short // empty | "-" + .)] + ["-h", "--help"] | join(" "))")",
"",
"# _nsmon_options CMD: the options CMD lists in its --help.",
"_nsmon_options()",
"{",
"\tcase $1 in",
(.commands[] | "\t\(.name | @sh)) echo \(@sh "\([.options[] | select(.hidden | not) |
	"--" + .name, (.short // empty | "-" + .)] + ["-h", "--help"] | join(" "))") ;;"),
"\tesac",
"}",
"",
"# _nsmon_value CMD OPTION: what OPTION's value is (CMD \"\" for the global",
"# options); nothing for a flag or an unknown option.",
"_nsmon_value()",
"{",
"\tcase \"$1 $2\" in",
(.global_options | arms("")),
(.commands[] | .name as $c | .options | arms($c)),
"\tesac",
"}"
