# SPDX-License-Identifier: GPL-2.0
# The man page's GLOBAL OPTIONS ($part "global") and COMMANDS ($part
# "commands") in roff, from `nsmon help --json`: the option tables the
# parser reads, so the page cannot drift from what nsmon accepts.

# Text as roff: backslashes, hyphens as \- (so that names and options copy
# as typed), and a line that would start with a control character.
def roff: gsub("\\\\"; "\\e") | gsub("-"; "\\-") | split("\n") |
	map(if test("^[.']") then "\\&" + . else . end) | join("\n");

# "-n, --netns NS" in bold and italics.
def synopsis: (if .short then "\\fB\\-\(.short)\\fR, " else "" end) +
	"\\fB\\-\\-\(.name | roff)\\fR" +
	(if .type != "flag" then " \\fI\(.metavar // "VALUE" | roff)\\fR" else "" end);

# " (auto|tcx|clsact; default auto)", as `nsmon CMD --help` says it.
def notes: [(.values // empty | join("|")), (select(.repeatable) | "repeatable"),
	(.default // empty | "default \(.)")] |
	if length > 0 then " (" + join("; ") + ")" else "" end;

def options: (.[] | select(.hidden | not) | ".TP\n\(synopsis)\n\(.help + notes | roff)"),
	".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nthis help";

# "nsmon stats -n red<TAB>only red" lines as a tagged list.
def examples: split("\n")[] | select(length > 0) | split("\t") |
	".TP\n\\fB\(.[0] | roff)\\fR\n\(.[1] // "" | roff)";

def privileges: if .privileged then "Runs as root with " + (.capabilities |
	if length > 1 then (.[:-1] | join(", ")) + " and " + .[-1] else .[0] end) + "."
	else "Runs as any user." end;

if $part == "global" then
	.global_options | options
else
	.commands[] |
	".SS \"nsmon \(.name) [OPTIONS]\(if .operands then " " + .operands else "" end | roff)\"",
	(.description // .summary | roff), ".PP", privileges,
	(.options | options),
	(if .examples then ".PP\nExamples:", (.examples | examples) else empty end)
end
