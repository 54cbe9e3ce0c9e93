# SPDX-License-Identifier: GPL-2.0
# nsmon: one top-level build, every product under .output/, the binary at ./nsmon.
# The BPF chain follows libbpf-bootstrap: clang -> bpftool gen object -> gen skeleton.
# `make V=1` shows the commands.

OUTPUT    := .output
CLANG     ?= clang
BPFTOOL   ?= bpftool
CC        ?= cc
PKG_CONFIG ?= pkg-config
ARCH      := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
VMLINUX   := vmlinux/$(ARCH)/vmlinux.h

LIBS      := libbpf libmnl libelf zlib jansson
# Headers only: user/output/http.c dlopen()s it when a command that serves starts.
DLOPEN_LIBS := libmicrohttpd

# Debian 12 packages that build, run and test nsmon (make deps installs the missing ones).
DEB_PKGS  := clang llvm bpftool libbpf-dev libmnl-dev libelf-dev zlib1g-dev libjansson-dev \
	     libmicrohttpd-dev curl xxd chromium python3 python3-websocket \
	     pkg-config make gcc iproute2 iputils-ping jq tcpdump iperf3 tmux util-linux procps time linux-perf \
	     tshark man-db bridge-utils strace systemd

WARNINGS  := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wno-unused-parameter
CFLAGS    ?= -g -O2
ALL_CFLAGS := $(CFLAGS) $(WARNINGS) -std=gnu11 -Iinclude -Iuser -I$(OUTPUT) -MMD -MP \
	      $(shell $(PKG_CONFIG) --cflags $(LIBS) $(DLOPEN_LIBS) 2>/dev/null)
LDLIBS    := $(shell $(PKG_CONFIG) --libs $(LIBS) 2>/dev/null) -pthread

# -target bpf drops the host's include directories, which the uapi headers
# need (asm/types.h): add them back after ours, as libbpf-bootstrap does.
CLANG_BPF_SYS_INCLUDES := $(shell $(CLANG) -v -E - </dev/null 2>&1 | \
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	      -Iinclude -I$(dir $(VMLINUX)) $(CLANG_BPF_SYS_INCLUDES) -MMD -MP

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.bpf.o,$(BPF_SRCS))
SKELS     := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))

# user/ has a folder per layer (DEVELOPERS.md); includes name the folder: "lab/netns.h".
USER_SRCS := $(wildcard user/*/*.c)
USER_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(USER_SRCS))
# The web page's files, compiled in (tools/embed-assets.sh; user/output/web_assets.h).
WEB_ASSETS := $(sort $(wildcard web/*))
USER_OBJS += $(OUTPUT)/web_assets.o
# Everything but main.o, so the tests link the same modules the binary runs.
LIB_OBJS  := $(filter-out $(OUTPUT)/user/cmd/main.o,$(USER_OBJS))

TEST_SRCS := $(wildcard tests/unit/*.c tests/bpf/*.c tests/net/*.c)
TEST_BINS := $(patsubst tests/%.c,$(OUTPUT)/tests/%,$(TEST_SRCS))

# The unit tests again under AddressSanitizer and UndefinedBehaviorSanitizer,
# against modules built the same way: parsers of what users and files hand
# nsmon (the ledger's, the validators) must not read a byte too far.
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# user/'s objects again; generated data (web_assets.o) as it is.
SAN_OBJS  := $(patsubst $(OUTPUT)/user/%,$(OUTPUT)/asan/user/%,$(LIB_OBJS))
UNIT_SRCS := $(wildcard tests/unit/*.c)
SAN_TEST_BINS := $(patsubst tests/%.c,$(OUTPUT)/asan/tests/%,$(UNIT_SRCS))

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
# Keep the BPF objects: tests and bpftool users want them, and make should not redo them.
.SECONDARY: $(BPF_OBJS) $(patsubst %.bpf.o,%.tmp.bpf.o,$(BPF_OBJS))
.PHONY: all deps run test test-stress tests-build clean bench-tools install uninstall

# Where `make install` puts things (DESTDIR in front of each, for packaging).
PREFIX    ?= /usr/local
SBINDIR   ?= $(PREFIX)/sbin
MANDIR    ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR   ?= $(PREFIX)/lib/systemd/system
INSTALL   ?= install

# The man page and the completion, made from the option tables (see below).
DOCS      := $(OUTPUT)/nsmon.8 $(OUTPUT)/nsmon.bash

all: nsmon $(DOCS)

nsmon: $(OUTPUT)/nsmon
	$(Q)cp $< $@.tmp && mv -f $@.tmp $@	# a rename works while ./nsmon runs

$(OUTPUT) $(OUTPUT)/tests/unit $(OUTPUT)/tests/bpf $(OUTPUT)/tests/net:
	$(Q)mkdir -p $@

# BPF objects: compile, then let bpftool link (it also checks the BTF), then the skeleton.
$(OUTPUT)/%.tmp.bpf.o: bpf/%.bpf.c $(VMLINUX) | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/%.bpf.o: $(OUTPUT)/%.tmp.bpf.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

# A userspace object depends on the skeletons it includes through -MMD's .d
# file; they are order-only here only so that a first build generates them
# before any compile (touching bpf/path.bpf.c then rebuilds what includes
# path.skel.h, not all of userspace).
$(OUTPUT)/user/%.o: user/%.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# The version (tools/version.sh) in a header, written as the Makefile is read
# and only when the version changed: so an unchanged tree has nothing to
# rebuild (make -q), and a commit or a tag recompiles version.o alone.
VERSION_H := $(OUTPUT)/nsmon_version.h
$(shell mkdir -p $(OUTPUT) && v=$$(./tools/version.sh) && \
	printf '#define NSMON_VERSION "%s"\n' "$$v" >$(VERSION_H).tmp && \
	if cmp -s $(VERSION_H).tmp $(VERSION_H); then rm -f $(VERSION_H).tmp; \
	else mv -f $(VERSION_H).tmp $(VERSION_H); fi)
$(OUTPUT)/user/cmd/version.o: $(VERSION_H)

$(OUTPUT)/web_assets.c: $(WEB_ASSETS) tools/embed-assets.sh | $(OUTPUT)
	$(call msg,EMBED,$@)
	$(Q)tools/embed-assets.sh $(WEB_ASSETS) > $@

$(OUTPUT)/web_assets.o: $(OUTPUT)/web_assets.c
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(OUTPUT)/nsmon: $(USER_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

# The option tables the parser reads, as JSON: the man page's OPTIONS and
# COMMANDS and the completion's table come from here, so they cannot drift.
$(OUTPUT)/help.json: $(OUTPUT)/nsmon
	$(call msg,GEN,$@)
	$(Q)$< help --json >$@

# man/nsmon.8.in's prose, its @GLOBAL_OPTIONS@ and @COMMANDS@ lines replaced.
$(OUTPUT)/nsmon.8: man/nsmon.8.in man/nsmon.jq $(OUTPUT)/help.json $(VERSION_H)
	$(call msg,GEN,$@)
	$(Q)jq -r --arg part global -f man/nsmon.jq $(OUTPUT)/help.json >$@.global
	$(Q)jq -r --arg part commands -f man/nsmon.jq $(OUTPUT)/help.json >$@.commands
	$(Q)v=$$(sed -n 's/^#define NSMON_VERSION "\(.*\)"$$/\1/p' $(VERSION_H)) && \
		sed -e "s|@VERSION@|$$v|" -e '/^@GLOBAL_OPTIONS@$$/{r $@.global' -e 'd;}' \
		    -e '/^@COMMANDS@$$/{r $@.commands' -e 'd;}' $< >$@
	$(Q)rm -f $@.global $@.commands

$(OUTPUT)/nsmon.bash: bash-completion/nsmon.in bash-completion/nsmon.jq $(OUTPUT)/help.json
	$(call msg,GEN,$@)
	$(Q)jq -r -f bash-completion/nsmon.jq $(OUTPUT)/help.json >$@.table
	$(Q)sed -e '/^@TABLE@$$/{r $@.table' -e 'd;}' $< >$@
	$(Q)rm -f $@.table

# The binary, the man page, the completion and the exporter's unit (its
# ExecStart names SBINDIR, so it is written here, not built).
install: all
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(UNITDIR)
	$(INSTALL) -m 0755 $(OUTPUT)/nsmon $(DESTDIR)$(SBINDIR)/nsmon
	$(INSTALL) -m 0644 $(OUTPUT)/nsmon.8 $(DESTDIR)$(MANDIR)/man8/nsmon.8
	$(INSTALL) -m 0644 $(OUTPUT)/nsmon.bash $(DESTDIR)$(BASHCOMPDIR)/nsmon
	sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/nsmon-export.service.in >$(OUTPUT)/nsmon-export.service
	$(INSTALL) -m 0644 $(OUTPUT)/nsmon-export.service $(DESTDIR)$(UNITDIR)/nsmon-export.service

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/nsmon $(DESTDIR)$(MANDIR)/man8/nsmon.8 \
	      $(DESTDIR)$(BASHCOMPDIR)/nsmon $(DESTDIR)$(UNITDIR)/nsmon-export.service

$(OUTPUT)/asan/user/%.o: user/%.c | $(SKELS)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c $< -o $@

# Test programs link the same modules as the binary (all of user/ but main.o).
.SECONDEXPANSION:
$(TEST_BINS): $(OUTPUT)/tests/%: tests/%.c $(LIB_OBJS) | $(SKELS) $$(@D)
	$(call msg,TEST,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Itests $< $(LIB_OBJS) $(LDLIBS) -o $@

$(SAN_TEST_BINS): $(OUTPUT)/asan/tests/%: tests/%.c $(SAN_OBJS) | $(SKELS)
	$(call msg,TEST-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -Itests $< $(SAN_OBJS) $(LDLIBS) -o $@

# Idempotent: installs only what is missing, so a prepared machine does no apt work.
deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

# Small programs the integration tests run (tests/helpers/*.c: a raw frame sender).
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPER_BINS := $(patsubst tests/%.c,$(OUTPUT)/tests/%,$(HELPER_SRCS))

$(HELPER_BINS): $(OUTPUT)/tests/helpers/%: tests/helpers/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(WARNINGS) -std=gnu11 $< -o $@

tests-build: nsmon $(DOCS) $(TEST_BINS) $(HELPER_BINS) $(SAN_TEST_BINS)

# The benchmarks' own programs (tools/bench/*.c: a UDP generator and sink, an
# empty tcx program for the hooks' own cost).
BENCH_SRCS := $(wildcard tools/bench/*.c)
BENCH_BINS := $(patsubst tools/bench/%.c,$(OUTPUT)/bench/%,$(BENCH_SRCS))

bench-tools: $(BENCH_BINS)

$(BENCH_BINS): $(OUTPUT)/bench/%: tools/bench/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(WARNINGS) -std=gnu11 $< $(LDLIBS) -o $@

# The main job: build, bring the seed lab up, ping red -> blue, show the counters live.
run: deps
	$(MAKE) --no-print-directory nsmon
	./tools/demo.sh

test: deps
	$(MAKE) --no-print-directory tests-build
	./tests/run.sh

# The same suite with two CPU hogs beside it (tests/stress.sh): what a busy CI machine does.
test-stress: deps
	$(MAKE) --no-print-directory tests-build
	./tests/stress.sh

clean:
	rm -rf $(OUTPUT) nsmon

-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/user/*/*.d $(OUTPUT)/tests/*/*.d \
	$(OUTPUT)/asan/user/*/*.d $(OUTPUT)/asan/tests/*/*.d)
