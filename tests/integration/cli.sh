#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The command line is declared once (user/cmd/*.c option tables): every
# command answers -h/--help, every declared option is accepted, the README
# documents every option and names none that is not accepted, numbers are
# checked for range and junk, and every command needs the same privileges.
. "$(dirname "$0")/../lib.sh"

TMPDIR_T=$(mktemp -d)
trap 'rm -rf "$TMPDIR_T"; t_end' EXIT

doc=$("$NSMON" help --json) || fail "nsmon help --json failed"
commands=$(echo "$doc" | jq -r '.commands[].name')

t "cli: nsmon --help lists every command of the table"
listed=$("$NSMON" --help | sed -n 's/^  \([a-z]\+\) .*/\1/p' | sort | tr '\n' ' ')
check_eq "commands" "$listed" "$(echo "$commands" | sort | tr '\n' ' ')"

t "cli: every command answers -h and --help on stdout, exit 0, as nsmon help CMD does"
for c in $commands; do
	for h in -h --help; do
		out=$("$NSMON" "$c" "$h" 2>"$TMPDIR_T/err"); rc=$?
		check_eq "$c $h exit code" "$rc" 0
		check_eq "$c $h stderr" "$(cat "$TMPDIR_T/err")" ""
		check_eq "$c $h first line" "$(echo "$out" | head -1 | cut -d' ' -f1-3)" "Usage: nsmon $c"
	done
	check_eq "nsmon help $c" "$("$NSMON" help "$c")" "$out"
done

# sample_value COMMAND OPTION-JSON: a value the option takes.
sample_value() {
	echo "$2" | jq -r '.default // (.values[0]? // empty) //
		(if .type == "count" then "1" elif .type == "duration" then "1"
		 elif .type == "ifname" then "v-net-0" elif .type == "netns" then "red"
		 elif .metavar == "ADDR,..." then "192.168.15.2" elif .metavar == "PORT,..." then "53"
		 else "red" end)'
}

t "cli: every declared option is accepted, long and short, with a value of its type"
for c in $commands; do
	while read -r opt; do
		name=$(echo "$opt" | jq -r .name)
		short=$(echo "$opt" | jq -r '.short // empty')
		args=(--"$name")
		sargs=(${short:+-"$short"})
		if [ "$(echo "$opt" | jq -r .type)" != flag ]; then
			v=$(sample_value "$c" "$opt")
			args+=("$v")
			[ -n "$short" ] && sargs+=("$v")
		fi
		out=$("$NSMON" "$c" "${args[@]}" --help 2>&1 >/dev/null) ||
			fail "nsmon $c ${args[*]} refused: $out"
		if [ -n "$short" ]; then
			out=$("$NSMON" "$c" "${sargs[@]}" --help 2>&1 >/dev/null) ||
				fail "nsmon $c ${sargs[*]} refused: $out"
		fi
	done < <(echo "$doc" | jq -c --arg c "$c" '.commands[] | select(.name == $c) | .options[]')
done

t "cli: the README documents every option, and every option it gives a command is accepted"
while read -r c opt; do
	grep -q -- "--$opt\b" "$TOP/README.md" || fail "README.md does not mention $c --$opt"
done < <(echo "$doc" | jq -r '(.commands[] | .name as $c | .options[] | select(.hidden | not) | "\($c) \(.name)"),
	(.global_options[] | "nsmon \(.name)")')
# The README's synopses: `nsmon CMD [--opt ...] ...`.
while read -r c rest; do
	for opt in $(echo "$rest" | grep -o -- '--[a-z][a-z-]*'); do
		echo "$doc" | jq -e --arg c "$c" --arg o "${opt#--}" \
			'.commands[] | select(.name == $c) | .options[] | select(.name == $o)' >/dev/null ||
			fail "README.md gives nsmon $c $opt, which nsmon $c does not accept"
	done
done < <(grep -o '`nsmon [a-z]* \[[^`]*`' "$TOP/README.md" | tr -d '`' | cut -d' ' -f2-)

# usage CODE NEEDLE ARGS...: exit CODE, one line on stderr naming NEEDLE, nothing on stdout.
usage() {
	local code=$1 needle=$2 out err rc
	shift 2
	out=$("$NSMON" "$@" 2>"$TMPDIR_T/err"); rc=$?
	err=$(cat "$TMPDIR_T/err")
	check_eq "nsmon $* exit code" "$rc" "$code"
	check_eq "nsmon $* stderr lines" "$(echo "$err" | wc -l)" 1
	case "$err" in *"$needle"*) ;; *) fail "nsmon $*: '$err' does not name '$needle'";; esac
	check_eq "nsmon $* stdout" "$out" ""
}

t "cli: numbers are checked for range, overflow and junk, as usage errors"
usage 2 99999999999999999999 path --count 99999999999999999999
usage 2 4294967296 events --consume-ms 4294967296
usage 2 4194304 events --ring-kb 4194304
usage 2 '"3"' events --ring-kb 3
usage 2 '"-1"' watch --count -1
usage 2 '"0"' path --count 0
usage 2 '"1x"' events --timeout 1x
usage 2 '"0.05"' watch --interval 0.05
usage 2 --count path --count
usage 2 '"--json"' stats --json=yes
usage 2 'given twice' watch --interval 1 --interval 2
usage 2 '"-x"' stats -x
usage 2 '"sctp"' path --proto sctp
usage 2 '"frob"' events --type neigh,frob

t "cli: the scope and the filters refuse what contradicts itself, as usage errors"
for c in stats watch export capture events; do
	usage 2 'takes no --bridge or -n' $c --all --bridge v-net-0
	usage 2 'takes no --bridge or -n' $c -n red --all
done
usage 2 '"lots"' events --host lots
usage 2 'fdb events carry no packet or address' events --host 192.168.15.2 -t neigh,fdb
usage 2 'counters events carry no packet or address' events --proto arp --counters
usage 2 'link events carry no packet or address' watch --port 53 -t link
usage 2 'IPv4 and ARP only' path --proto icmp6
usage 2 'IPv4 and ARP only' path --proto any --host fd00::2
usage 2 '"sctp"' explain --proto sctp

t "cli: global options come before the command, parsed as a command's are"
usage 2 '"-x"' -x stats
usage 2 '"--colour"' --colour=never stats
usage 2 'use auto, always or never' --color sometimes stats
usage 2 '"--color"' --color
usage 2 'unknown command "bogus"' --color never bogus
out=$("$NSMON" 2>&1 >/dev/null); rc=$?
check_eq "no command" "$rc" 2
check_eq "no command: the usage on stderr" "$(echo "$out" | head -1)" "Usage: nsmon [GLOBAL OPTIONS] COMMAND [OPTIONS]"
check_eq "-h" "$("$NSMON" --color=never -h | head -1)" "Usage: nsmon [GLOBAL OPTIONS] COMMAND [OPTIONS]"
check_eq "-V" "$("$NSMON" -V | head -1 | cut -d' ' -f1)" nsmon
check_eq "-V is --version is version" "$("$NSMON" --version)$("$NSMON" -V)" "$("$NSMON" version)$("$NSMON" version)"

t "cli: options may follow the operands, and -- ends them"
usage 2 '"--nope"' up red --nope
usage 2 '"-x"' up -- -x

t "cli: every privileged command refuses an unprivileged user, naming the capabilities it declares, before doing anything"
for c in $(echo "$doc" | jq -r '.commands[] | select(.privileged) | .name'); do
	caps=$(echo "$doc" | jq -r --arg c "$c" '.commands[] | select(.name == $c) | .capabilities |
		if length > 1 then (.[:-1] | join(", ")) + " and " + .[-1] else .[0] end')
	err=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$NSMON" "$c" 2>&1 >/dev/null); rc=$?
	check_eq "$c exit code" "$rc" 3
	check_eq "$c message" "$err" "nsmon: must run as root: needs $caps"
done
check_eq "commands that need all three" \
	"$(echo "$doc" | jq -r '[.commands[] | select(.capabilities == ["CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_BPF"]) | .name] | length')" \
	"$(echo "$doc" | jq -r '[.commands[] | select(.privileged and .name != "export")] | length')"
check_eq "export's" "$(echo "$doc" | jq -c '.commands[] | select(.name == "export") | .capabilities')" \
	'["CAP_NET_ADMIN","CAP_BPF"]'
for c in $(echo "$doc" | jq -r '.commands[] | select(.privileged | not) | .name'); do
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$NSMON" "$c" >/dev/null 2>&1 ||
		fail "nsmon $c refused an unprivileged user"
done
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$NSMON" stats --help) ||
	fail "stats --help refused to an unprivileged user"
check_nothing_left
