#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What `make install` puts where, and that each piece works: the man page
# renders without a warning and documents every command and option; the
# installed binary runs and says its version (git describe, or VERSION from a
# tarball); the exporter's unit is valid, hardened, and enough for export:
# run with its capabilities only, read-only mounts and its system call
# filter, export serves the lab's counters.
. "$(dirname "$0")/../lib.sh"

tmp=$(mktemp -d)
export_pid=""
trap '[ -n "$export_pid" ] && kill $(ps -o pid= --ppid "$export_pid") "$export_pid" 2>/dev/null
	rm -rf "$tmp"; t_end' EXIT

UNIT_IN=$TOP/systemd/nsmon-export.service.in
doc=$("$NSMON" help --json) || fail "nsmon help --json failed"

t "install: the man page renders at 80 columns without a warning"
err=$(MANWIDTH=80 man --warnings -l "$TOP/.output/nsmon.8" 2>&1 >"$tmp/man.txt")
check_eq "man --warnings" "$err" ""
[ "$(wc -l <"$tmp/man.txt")" -gt 200 ] || fail "the page is $(wc -l <"$tmp/man.txt") lines"
width=$(awk '{ if (length > w) w = length } END { print w }' "$tmp/man.txt")
[ "$width" -le 80 ] || fail "a line is $width columns wide"

t "install: the man page has every command, option, exit code, file and NO_COLOR"
for c in $(echo "$doc" | jq -r '.commands[].name'); do
	grep -q "^   nsmon $c \[OPTIONS\]" "$tmp/man.txt" || fail "no section for $c"
	# Each option under its command's heading, as -s, --long METAVAR or --long.
	section=$(sed -n "/^   nsmon $c \[OPTIONS\]/,/^   nsmon /p" "$tmp/man.txt")
	while read -r opt; do
		echo "$section" | grep -qE "^       (-., )?$opt( |$)" || fail "nsmon $c: no $opt in the man page"
	done < <(echo "$doc" | jq -r --arg c "$c" '.commands[] | select(.name == $c) | .options[] |
		select(.hidden | not) | "--" + .name + (if .type != "flag" then " " + (.metavar // "VALUE") else "" end)')
done
for opt in $(echo "$doc" | jq -r '.global_options[] | "--" + .name'); do
	sed -n '/^GLOBAL OPTIONS/,/^COMMANDS/p' "$tmp/man.txt" | grep -qE -- "^       (-., )?$opt" ||
		fail "no global $opt"
done
for code in 0 1 2 3 4 5; do
	sed -n '/^EXIT STATUS/,/^ENVIRONMENT/p' "$tmp/man.txt" | grep -qE "^       $code " || fail "no exit code $code"
done
for file in /run/nsmon/BRIDGE.lab /sys/fs/bpf/nsmon/ /run/netns/NAME; do
	sed -n '/^FILES/,/^EXAMPLES/p' "$tmp/man.txt" | grep -qF "       $file" || fail "no file $file"
done
sed -n '/^ENVIRONMENT/,/^FILES/p' "$tmp/man.txt" | grep -q '^       NO_COLOR' || fail "no NO_COLOR"
for cmd in "nsmon up" "ip netns exec red ping -c 3 192.168.15.2" "brctl show v-net-0" "nsmon ls -p \$\$"; do
	sed -n '/^EXAMPLES/,/^SEE ALSO/p' "$tmp/man.txt" | grep -qxF "              $cmd" || fail "no example $cmd"
done

t "install: make install DESTDIR puts the binary, the page, the completion and the unit in PREFIX"
dest=$tmp/root
out=$(make -s -C "$TOP" install DESTDIR="$dest" 2>&1) || fail "make install: $out"
check_eq "files" "$(cd "$dest" && find . -type f | sort | tr '\n' ' ')" \
	"./usr/local/lib/systemd/system/nsmon-export.service ./usr/local/sbin/nsmon ./usr/local/share/bash-completion/completions/nsmon ./usr/local/share/man/man8/nsmon.8 "
check_eq "modes" "$(cd "$dest/usr/local" && stat -c '%a %n' sbin/nsmon share/man/man8/nsmon.8 \
	share/bash-completion/completions/nsmon lib/systemd/system/nsmon-export.service | tr '\n' ' ')" \
	"755 sbin/nsmon 644 share/man/man8/nsmon.8 644 share/bash-completion/completions/nsmon 644 lib/systemd/system/nsmon-export.service "
cmp -s "$dest/usr/local/share/man/man8/nsmon.8" "$TOP/.output/nsmon.8" || fail "the installed page is not the built one"
cmp -s "$dest/usr/local/share/bash-completion/completions/nsmon" "$TOP/.output/nsmon.bash" ||
	fail "the installed completion is not the built one"
check_eq "ExecStart" "$(grep '^ExecStart=' "$dest/usr/local/lib/systemd/system/nsmon-export.service")" \
	"ExecStart=/usr/local/sbin/nsmon export --listen 127.0.0.1:9465"

t "install: the installed binary says its version, the pinned-map ABI and libbpf's"
out=$("$dest/usr/local/sbin/nsmon" --version) || fail "nsmon --version failed"
check_eq "--version" "$out" "nsmon $("$TOP/tools/version.sh")
pinned-map ABI $(sed -n 's/^#define NSMON_ABI_VERSION[[:space:]]*\([0-9]*\).*/\1/p' "$TOP/include/nsmon.h")
libbpf $(pkg-config --modversion libbpf | cut -d. -f1,2)"
check_eq "-V" "$("$dest/usr/local/sbin/nsmon" -V)" "$out"
check_eq "version --json" "$("$dest/usr/local/sbin/nsmon" version --json | jq -r '"nsmon \(.version)\npinned-map ABI \(.abi)\nlibbpf \(.libbpf)"')" "$out"
case $out in "nsmon $(cat "$TOP/VERSION")"*) ;; *) fail "the version does not start with VERSION: $out" ;; esac
git -C "$TOP" describe --always --dirty --abbrev=7 >/dev/null 2>&1 && {
	case $(echo "$out" | head -1) in *"$(git -C "$TOP" describe --always --dirty --abbrev=7)") ;;
		*) fail "no git describe in: $out" ;; esac
}

t "install: from a tarball the version is VERSION, even unpacked inside another git tree"
mkdir -p "$tmp/outer/nsmon-x/tools"
git -C "$tmp/outer" init -q
cp "$TOP/VERSION" "$tmp/outer/nsmon-x/"
cp "$TOP/tools/version.sh" "$tmp/outer/nsmon-x/tools/"
check_eq "in another tree" "$("$tmp/outer/nsmon-x/tools/version.sh")" "$(cat "$TOP/VERSION")"
mv "$tmp/outer/nsmon-x" "$tmp/nsmon-x"
check_eq "alone" "$("$tmp/nsmon-x/tools/version.sh")" "$(cat "$TOP/VERSION")"

t "install: PREFIX moves everything, the unit's ExecStart too; uninstall removes it all"
dest2=$tmp/root2
out=$(make -s -C "$TOP" install DESTDIR="$dest2" PREFIX=/usr 2>&1) || fail "make install PREFIX=/usr: $out"
check_eq "files" "$(cd "$dest2" && find . -type f | sort | tr '\n' ' ')" \
	"./usr/lib/systemd/system/nsmon-export.service ./usr/sbin/nsmon ./usr/share/bash-completion/completions/nsmon ./usr/share/man/man8/nsmon.8 "
check_eq "ExecStart" "$(grep '^ExecStart=' "$dest2/usr/lib/systemd/system/nsmon-export.service")" \
	"ExecStart=/usr/sbin/nsmon export --listen 127.0.0.1:9465"
out=$(make -s -C "$TOP" uninstall DESTDIR="$dest2" PREFIX=/usr 2>&1) || fail "make uninstall: $out"
check_eq "left after uninstall" "$(find "$dest2" -type f)" ""
out=$(make -s -C "$TOP" uninstall DESTDIR="$dest" 2>&1) || fail "make uninstall: $out"
check_eq "left after uninstall" "$(find "$dest" -type f)" ""
out=$(make -s -C "$TOP" install DESTDIR="$dest" 2>&1) || fail "make install again: $out"

unit=$dest/usr/local/lib/systemd/system/nsmon-export.service
# unit_list KEY: the words of every KEY= line of the unit.
unit_list() { sed -n "s/^$1=//p" "$unit" | tr ' ' '\n' | sed '/^$/d'; }

t "install: the unit is valid, restarts on failure, listens on loopback, and is hardened"
# Checked against the installed binary: verify wants ExecStart's file to exist.
sed "s|^ExecStart=|ExecStart=$dest|" "$unit" >"$tmp/nsmon-export.service"
out=$(systemd-analyze verify --man=no "$tmp/nsmon-export.service" 2>&1) || fail "systemd-analyze verify: $out"
check_eq "Restart" "$(unit_list Restart)" on-failure
check_eq "ProtectSystem" "$(unit_list ProtectSystem)" strict
check_eq "NoNewPrivileges" "$(unit_list NoNewPrivileges)" yes
case $(unit_list ExecStart | tr '\n' ' ') in *"--listen 127.0.0.1:"*) ;; *) fail "not on loopback" ;; esac
# systemd's own score, 0 (locked down) to 10 (exposed), times ten here.
systemd-analyze security --offline=true --threshold=25 "$tmp/nsmon-export.service" >"$tmp/security" 2>&1 ||
	fail "exposure above 2.5: $(tail -1 "$tmp/security")"

t "install: the unit's capabilities are the ones nsmon export declares"
check_eq "CapabilityBoundingSet" "$(unit_list CapabilityBoundingSet | sort | tr '\n' ' ')" \
	"$(echo "$doc" | jq -r '.commands[] | select(.name == "export") | .capabilities[]' | sort | tr '\n' ' ')"
check_eq "AmbientCapabilities" "$(unit_list AmbientCapabilities | sort | tr '\n' ' ')" \
	"$(unit_list CapabilityBoundingSet | sort | tr '\n' ' ')"

# syscall_set @GROUP|NAME: the system calls it names, groups expanded.
syscall_set() {
	local x
	case $1 in
	@*) for x in $(systemd-analyze syscall-filter "$1" | awk '/^    /{ print $1 }'); do syscall_set "$x"; done ;;
	*) echo "$1" ;;
	esac
}

t "install: export serves the lab with the unit's capabilities, read-only mounts and system calls only"
check_cmd "nsmon up" "$NSMON" up
wait_links_up red blue || fail "links did not come up"
check_cmd "ping" ip netns exec red ping -c 2 -i 0.2 -W 2 -q 192.168.15.2
caps=$(unit_list CapabilityBoundingSet | sed 's/^CAP_//' | tr 'A-Z' 'a-z' | sed 's/^/+/' | paste -sd,)
# ProtectSystem=strict and ProtectKernelTunables=: /, /run and /sys/fs/bpf read-only.
# strace writes its trace through a pipe to fd 3, opened before / went read-only.
unshare --mount --propagation private sh -c '
	for m in / /run /sys /sys/fs/bpf; do mount -o remount,bind,ro "$m" || exit 1; done
	exec "$@"' sh \
	strace -f -qq -o '|cat >&3' \
	setpriv --inh-caps=-all,"$caps" --ambient-caps=-all,"$caps" --bounding-set=-all,"$caps" \
		--no-new-privs "$dest/usr/local/sbin/nsmon" export --listen 127.0.0.1:9465 \
	3>"$tmp/strace" 2>"$tmp/export.err" &
export_pid=$!
for i in $(seq 100); do
	curl -sf http://127.0.0.1:9465/metrics >"$tmp/metrics" 2>/dev/null && break
	sleep 0.1
done
metric='nsmon_interface_frames_total{netns="red",interface="veth-red",direction="rx",hook="tc",class="icmp_echo_reply"}'
check_eq "red's echo replies" "$(grep -F "$metric" "$tmp/metrics" | awk '{ print $2 }')" \
	"$(nsmon_stat red veth-red rx icmp_echo_reply)"
# strace outlives a SIGTERM of its own; it ends with the exporter it traces.
kill $(ps -o pid=,comm= --ppid "$export_pid" | awk '$2 == "nsmon" { print $1 }') "$export_pid"
wait "$export_pid" 2>/dev/null
export_pid=""
grep -q '^nsmon: ' "$tmp/export.err" && fail "export said: $(cat "$tmp/export.err")"
# SystemCallFilter= lines in order: the first allows, "~" takes away, later ones add back.
allowed=$(for line in $(sed -n 's/^SystemCallFilter=//p' "$unit" | tr ' ' ','); do
	case $line in ~*) echo "-${line#\~}" ;; *) echo "+$line" ;; esac
done | {
	declare -A set
	while read -r entry; do
		for item in $(echo "${entry:1}" | tr ',' ' '); do
			for sc in $(syscall_set "$item"); do
				[ "${entry:0:1}" = + ] && set[$sc]=1 || unset "set[$sc]"
			done
		done
	done
	printf '%s\n' "${!set[@]}"
} | sort -u)
used=$(sed -n 's/^[0-9]* *\([a-z0-9_]*\)(.*/\1/p' "$tmp/strace" | sort -u)
# Up to its execve, strace's child is setpriv.
after_exec=$(awk '/execve\(".*nsmon"/ { on = 1 } on' "$tmp/strace" | sed -n 's/^[0-9]* *\([a-z0-9_]*\)(.*/\1/p' | sort -u)
[ -n "$after_exec" ] || fail "strace saw no system call of nsmon"
check_eq "system calls the filter refuses" "$(comm -23 <(echo "$after_exec") <(echo "$allowed") | tr '\n' ' ')" ""
check_cmd "nsmon down" "$NSMON" down
check_nothing_left
