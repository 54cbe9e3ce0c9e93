// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon capture: every hop of the labs in one capture. With -w, a pcap-ng
 * file (one interface per namespace end, port and bridge, inbound/outbound
 * per frame, the loss per interface at the end) for tshark and Wireshark;
 * without, one line per copy like tcpdump -n's, or NDJSON with --json.
 * Stops at Ctrl-C, SIGTERM, --count copies or --timeout seconds; one line
 * on stderr then says how many copies were captured and lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture_abi.h"
#include "cmd/cli.h"
#include "datapath/capture.h"
#include "events/events.h"
#include "lab/netns.h"
#include "model/frame_info.h"
#include "output/frame_text.h"
#include "output/pcapng.h"
#include "cmd/filter_options.h"
#include "cmd/scope_options.h"
#include "util/clock.h"
#include "util/log.h"

/* How often the ring is drained: records are submitted without a wake-up. */
#define CONSUME_MS	5

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

/* Where copies go, and what became of them per interface. */
struct sink {
	struct pcapng *pcapng;		/* -w */
	bool json;
	__s64 mono_to_real_ns;
	const struct capture_iface *ifaces;
	__u64 *received;		/* per interface: copies read from the ring */
	__u64 *written;			/* per interface: copies written or printed */
	__u64 total, count;		/* copies written; the most to write (0: no limit) */
	int err;			/* the first failed write */
	__u64 deadline_ns;		/* --timeout, CLOCK_REALTIME; 0: none */
	bool last_drain;		/* after the programs came off: read all that is left */
};

static void format_time(__u64 ns, char *buf, size_t size)
{
	time_t sec = ns / 1000000000;
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%09lluZ", (unsigned long long)(ns % 1000000000));
}

static void print_copy(struct sink *s, const struct capture_copy *c, __u64 ts)
{
	const struct capture_iface *ci = &s->ifaces[c->iface];
	const char *dir = c->dir == NSMON_DIR_RX ? "In" : "Out";
	char when[40], summary[256];
	struct frame_info fi;
	json_t *o;
	char *text;

	format_time(ts, when, sizeof(when));
	frame_info_read(c->frame, c->caplen, c->len, &fi);
	frame_text_summary(&fi, summary, sizeof(summary));
	if (!s->json) {
		printf("%s %s %s %s\n", when, ci->name, dir, summary);
		return;
	}
	o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:i, s:i, s:s}", "time", when,
		      "time_ns", (json_int_t)ts, "interface", ci->name, "namespace", ci->netns,
		      "ifname", ci->ifname, "direction", c->dir == NSMON_DIR_RX ? "in" : "out",
		      "length", (int)c->len, "caplen", (int)c->caplen, "summary", summary);
	json_object_update_new(o, frame_text_json(&fi));
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text)
		puts(text);
	free(text);
	json_decref(o);
}

/*
 * Stop draining: --count reached, a write failed, or (but in the last
 * drain) a signal came or --timeout passed (looked at every 1024 copies).
 */
static int done(const struct sink *s)
{
	if ((s->count && s->total >= s->count) || s->err)
		return 1;
	if (s->last_drain)
		return 0;
	return stop || (s->deadline_ns && !(s->total & 1023) && clock_realtime_ns() >= s->deadline_ns);
}

static int on_copy(const struct capture_copy *c, void *data)
{
	struct sink *s = data;
	__u64 ts = c->mono_ns + s->mono_to_real_ns;
	struct iovec frame = { .iov_base = (void *)c->frame, .iov_len = c->caplen };

	s->received[c->iface]++;
	if ((s->count && s->total >= s->count) || s->err)
		return done(s);
	if (s->pcapng)
		s->err = pcapng_write_packet(s->pcapng, c->iface, ts, c->len, &frame, 1,
					     c->dir == NSMON_DIR_RX ? PCAPNG_INBOUND :
								      PCAPNG_OUTBOUND);
	else
		print_copy(s, c, ts);
	if (!s->err) {
		s->written[c->iface]++;
		s->total++;
	}
	return done(s);
}

/* Drain the ring into @s, then hand the copies on: one write per drain, not per copy. */
static int drain(struct capture *cap, struct sink *s)
{
	int n = capture_consume(cap, on_copy, s);

	if (n == -ECANCELED)
		n = 0;

	if (s->pcapng && !s->err)
		s->err = pcapng_flush(s->pcapng);
	if (!s->pcapng && fflush(stdout) == EOF && !s->err)
		s->err = -errno;
	return n;
}

static void describe(const struct capture_iface *ci, char *buf, size_t size)
{
	switch (ci->hook) {
	case CAPTURE_AT_PEER:
		snprintf(buf, size, "netns %s (inode %llu), %s: the copies of the tc ingress and egress of its veth peer %s (%s), port of bridge %s, mirrored",
			 ci->netns, (unsigned long long)ci->netns_inode, ci->ifname, ci->port,
			 NETNS_HOST, ci->bridge);
		break;
	case CAPTURE_AT_PORT:
		snprintf(buf, size, "netns %s (inode %llu), %s: tc ingress and egress (tcx), port of bridge %s",
			 ci->netns, (unsigned long long)ci->netns_inode, ci->ifname, ci->bridge);
		break;
	case CAPTURE_AT_BRIDGE:
		snprintf(buf, size, "netns %s (inode %llu), %s: tc ingress and egress (tcx) of the bridge device",
			 ci->netns, (unsigned long long)ci->netns_inode, ci->ifname);
		break;
	}
}

static int start_file(struct sink *s, int fd, const struct capture_iface *ifs, size_t n,
		      const struct nsmon_filter *filter, __u32 snaplen)
{
	char description[512], filter_text[512];
	int err = pcapng_open(fd, "nsmon capture", &s->pcapng);

	filter_format(filter, filter_text, sizeof(filter_text));
	for (size_t i = 0; i < n && !err; i++) {
		describe(&ifs[i], description, sizeof(description));
		err = pcapng_add_interface(s->pcapng, ifs[i].name, description, filter_text, snaplen);
		err = err < 0 ? err : 0;
	}
	return err ?: pcapng_flush(s->pcapng);
}

/* The Interface Statistics Blocks: what each interface received and lost. */
static int end_file(struct sink *s, struct capture *cap, size_t n, __u64 start_ns, __u64 end_ns)
{
	struct pcapng_stats st = { .start_ns = start_ns, .end_ns = end_ns };
	int err = s->err;

	for (size_t i = 0; i < n && !err; i++) {
		st.dropped = capture_lost(cap, i);
		st.received = s->received[i] + st.dropped;
		st.delivered = s->written[i];
		err = pcapng_write_stats(s->pcapng, i, &st);
	}
	return err ?: pcapng_flush(s->pcapng);
}

struct capture_args {
	struct scope_args scope;
	struct nsmon_filter filter;
	const char *file;
	unsigned long snaplen, count, timeout_ms, ring_kb;
	bool json;
};

static const struct cli_option capture_options[] = {
	SCOPE_CLI_OPTIONS(struct capture_args, scope, SCOPE_ALL_LABS),
	FILTER_CLI_OPTIONS(struct capture_args, filter),
	CLI_OPTION("write", 'w', CLI_STRING, struct capture_args, file, .metavar = "FILE",
		   .complete = CLI_COMPLETE_FILE,
		   .help = "write pcap-ng to FILE (- for stdout) instead of printing lines"),
	CLI_OPTION("snaplen", 0, CLI_COUNT, struct capture_args, snaplen, .metavar = "N",
		   .def = "262144", .min = 1, .max = NSMON_CAP_SNAPLEN_DEFAULT,
		   .help = "keep at most N bytes of each frame"),
	CLI_OPTION("count", 'c', CLI_COUNT, struct capture_args, count, .metavar = "N",
		   .help = "stop after N copies"),
	CLI_OPTION("timeout", 0, CLI_DURATION, struct capture_args, timeout_ms, .metavar = "TIME",
		   .help = "stop after TIME (seconds, or N[ms|s|m])"),
	CLI_OPTION("ring-kb", 0, CLI_COUNT, struct capture_args, ring_kb, .metavar = "KIB",
		   .def = "8192", .min = 4, .max = 1024 * 1024,
		   .help = "the ring buffer's size (rounded up to a power of two)"),
	CLI_OPTION("json", 'j', CLI_FLAG, struct capture_args, json,
		   .help = "one JSON object per copy (NDJSON), not lines"),
	CLI_END
};

static int run_capture(const void *args, int noperands, char **operands)
{
	const struct capture_args *a = args;
	struct capture_opts co = {
		.scope = scope_of(&a->scope),
		.filter = a->filter, .snaplen = a->snaplen, .ring_kb = a->ring_kb,
	};
	struct capture *cap = NULL;
	struct sink s = { .json = a->json, .count = a->count };
	const struct capture_iface *ifs;
	__u64 start_ns, lost = 0;
	int fd = -1, ret, err;
	size_t nifs;

	if (scope_check(&co.scope))
		return EXIT_USAGE;
	if (a->file && a->json) {
		pr_warn("capture: -w writes a pcap-ng file and --json prints lines: choose one");
		return EXIT_USAGE;
	}
	err = capture_open(&co, &cap);
	if (err)
		goto out;
	ifs = capture_ifaces(cap, &nifs);
	s.ifaces = ifs;
	s.received = calloc(nifs ?: 1, sizeof(*s.received));
	s.written = calloc(nifs ?: 1, sizeof(*s.written));
	if (!s.received || !s.written) {
		err = -ENOMEM;
		pr_warn("cannot start the capture: %s", strerror(-err));
		goto out;
	}
	if (a->file) {
		fd = strcmp(a->file, "-") ?
		     open(a->file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : STDOUT_FILENO;
		if (fd < 0) {
			err = -errno;
			pr_warn("cannot open \"%s\": %s", a->file, strerror(-err));
			goto out;
		}
		err = start_file(&s, fd, ifs, nifs, &a->filter, a->snaplen);
		if (err) {
			pr_warn("cannot write \"%s\": %s", a->file, strerror(-err));
			goto out;
		}
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);	/* a reader that goes away is a write error: EPIPE */
	s.mono_to_real_ns = clock_mono_to_real_ns();
	start_ns = clock_realtime_ns();
	if (a->timeout_ms)
		s.deadline_ns = start_ns + a->timeout_ms * 1000000ULL;
	fprintf(stderr, "capturing on %zu interface%s (Ctrl-C stops)\n", nifs, nifs == 1 ? "" : "s");

	while (!stop && !s.err && (!s.count || s.total < s.count) &&
	       (!s.deadline_ns || clock_realtime_ns() < s.deadline_ns)) {
		poll(NULL, 0, CONSUME_MS);
		ret = drain(cap, &s);
		if (ret < 0 && ret != -EINTR) {
			err = ret;
			pr_warn("cannot read the capture ring: %s", strerror(-err));
			break;
		}
	}
	/* Off the hooks first, then what is still in the ring: received + lost then adds up. */
	capture_detach(cap);
	s.last_drain = true;
	drain(cap, &s);
	for (size_t i = 0; i < nifs; i++)
		lost += capture_lost(cap, i);
	if (s.pcapng && !s.err)
		s.err = end_file(&s, cap, nifs, start_ns, clock_realtime_ns());
	if (s.err && s.err != -EPIPE) {
		err = s.err;
		pr_warn("cannot write \"%s\": %s", a->file ? a->file : "stdout", strerror(-err));
	}
	fprintf(stderr, "capture: %llu cop%s %s on %zu interface%s, lost %llu (ring full)\n",
		(unsigned long long)s.total, s.total == 1 ? "y" : "ies", a->file ? "written" : "printed",
		nifs, nifs == 1 ? "" : "s", (unsigned long long)lost);
out:
	pcapng_close(s.pcapng);
	if (fd > STDOUT_FILENO)
		close(fd);
	capture_close(cap);
	free(s.received);
	free(s.written);
	return cli_exit_code(err);
}

const struct cli_command cmd_capture = {
	.name = "capture",
	.summary = "every hop of the labs in one pcap-ng file, or as lines",
	.description = "Copies of the frames the labs' bridges, ports and namespace ends receive and\n"
		       "send, each on its own interface (NS/IFNAME) in the order the frame met them,\n"
		       "filtered in the kernel: pcap-ng for tshark and Wireshark with -w, else one\n"
		       "line per copy like tcpdump -n's (--json: NDJSON). Stops at Ctrl-C, --count\n"
		       "or --timeout; stderr then says how many copies were captured and lost.",
	.options = capture_options,
	.args_size = sizeof(struct capture_args),
	.examples = "nsmon capture --proto arp,icmp -c 17 -w ping.pcapng\tthe first ping, every hop\n"
		    "nsmon capture -w - | tshark -r -\tinto tshark as it happens\n"
		    "nsmon capture -n red --host 192.168.15.2\tred's frames to or from blue, as lines",
	.run = run_capture,
};
