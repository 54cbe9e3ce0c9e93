// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon watch: the counters as rates, refreshed every interval, above the
 * latest events. On a terminal it is a full screen drawn with plain ANSI
 * escapes (an 80x24 table needs no ncurses, and one dependency less);
 * otherwise it prints a plain snapshot per interval, for pipes and tests.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "cmd/cli.h"
#include "cmd/filter_options.h"
#include "cmd/scope_options.h"
#include "events/event_write.h"
#include "events/events.h"
#include "util/clock.h"
#include "util/color.h"
#include "model/stats_delta.h"
#include "model/stats_model.h"

#define EVENTS_KEPT	50	/* more than any terminal shows under the table */
#define KEY_WAIT_MS	100	/* how long a 'q' may wait to be seen */
#define REDRAW_GAP	0.1	/* seconds: a burst of events redraws at most this often */

static volatile sig_atomic_t exiting;
static volatile sig_atomic_t resized;

/* Beyond this many places (ports and the bridge) no screen shows the matrix: it is not read. */
#define MATRIX_PLACES	16

struct watch {
	double interval;		/* seconds */
	unsigned long count;		/* refreshes to show, 0: no limit */
	struct lab_scope scope;		/* the labs shown: every monitored one by default */
	struct nsmon_filter filter;	/* of the events pane */
	unsigned int types;		/* of the events pane, 0: all */
	bool tty;			/* full screen, else plain snapshots */
	bool keyboard;			/* stdin is a terminal in non-canonical mode */

	struct stats_model *model;	/* the latest good model */
	struct stats_model *before;	/* the one before; NULL: none */
	struct stats_delta *delta;	/* what @model's interfaces counted since @before; NULL: none */
	__u64 *drops;			/* what the event stream counted for each; NULL: none */
	double model_at, span;		/* monotonic time of the model, seconds since @before */
	time_t refreshed;		/* wall clock of the latest refresh, for the header */
	int model_err;			/* the latest build failed (-errno): say so */

	struct event_stream *es;	/* NULL: unavailable, @events_note says why */
	char events_note[160];
	char *events[EVENTS_KEPT];	/* a ring: event number n is at n % EVENTS_KEPT */
	struct event_buf line;		/* where an event becomes its line */
	unsigned long long events_seen, events_printed;	/* _printed: by plain snapshots */
	double drawn_at;
};

/* ---- the counters model and its rates ------------------------------------ */

/* Seconds on the monotonic clock: the refresh loop's arithmetic is in seconds. */
static double monotonic(void)
{
	return clock_monotonic_us() / 1e6;
}

/* The model of the labs shown, read without an error line: a failure is shown on the screen. */
static int read_model(const struct watch *w, struct stats_model **m)
{
	return stats_model_read_quiet(&w->scope, MATRIX_PLACES, m);
}

/* What the event stream counted for each interface of @m: NULL without a stream (or memory). */
static __u64 *read_drops(const struct watch *w, const struct stats_model *m)
{
	struct event_drops *d = NULL;
	__u64 *drops;

	if (!w->es)
		return NULL;
	drops = calloc(m->nifaces ?: 1, sizeof(*drops));
	if (drops && event_stream_drops(w->es, &d)) {
		free(drops);
		return NULL;
	}
	for (size_t i = 0; drops && i < m->nifaces; i++)
		drops[i] = event_drops_of(d, m->ifaces[i].netns_cookie, m->ifaces[i].ifindex);
	event_drops_free(d);
	return drops;
}

/* Read the counters again; the model they replace becomes the base of the rates. */
static void refresh(struct watch *w)
{
	double now = monotonic();
	struct stats_model *model;

	w->refreshed = time(NULL);
	w->model_err = read_model(w, &model);
	if (w->model_err)
		return;		/* keep the last good model as the base for when it recovers */
	free(w->delta);
	w->delta = stats_model_delta(model, w->model);
	free(w->drops);
	w->drops = read_drops(w, model);
	stats_model_free(w->before);
	w->before = w->model;
	w->model = model;
	w->span = now - w->model_at;
	w->model_at = now;
}

static double counter(const struct stats_iface *e, int dir, enum nsmon_stat s)
{
	return (double)e->tc[dir].stat[s];
}

/* @v in at most 5 characters (7, 2.5, 812, 4.70k, 12.3M), so the columns stay put. */
static const char *human(double v, char buf[8])
{
	static const char suffix[] = " kMGTPE";
	int i = 0;

	for (; v >= 999.5 && i < 6; i++)
		v /= 1000;
	if (i == 0)
		snprintf(buf, 8, v < 99.95 && v != (double)(long long)v ? "%.1f" : "%.0f", v);
	else
		snprintf(buf, 8, v < 9.995 ? "%.2f%c" : v < 99.95 ? "%.1f%c" : "%.0f%c", v, suffix[i]);
	return buf;
}

/*
 * "-" where there is no rate: the first frame, an interface new since then,
 * or a counter that went back (re-created).
 */
static const char *rate(const struct watch *w, const struct stats_delta *d, int dir,
			enum nsmon_stat s, double scale, char buf[8])
{
	if (!d || !d->seen || w->span <= 0 || d->tc[dir][s] < 0)
		return "-";
	return human((double)d->tc[dir][s] * scale / w->span, buf);
}

/* ---- the frame ----------------------------------------------------------- */

/* One frame, composed in memory and written at once, so that it never flickers. */
struct frame {
	const struct watch *w;
	FILE *f;
	char *buf;
	size_t len;
	int width, height;	/* 0: no limit (plain snapshots) */
	int rows;
};

static bool frame_full(const struct frame *fr)
{
	return fr->height && fr->rows >= fr->height;
}

/*
 * One line, cut to the width, between the escape sequences @on and @off.
 * Control characters become '?': an interface may be named "\033[2J", and a
 * name must not drive the terminal. Each UTF-8 sequence counts as one column
 * (the header's dashes are).
 */
static void frame_styled(struct frame *fr, const char *text, const char *on, const char *off)
{
	int cols = 0;

	if (frame_full(fr))
		return;
	/* No newline after a terminal's last row: it would scroll the screen. */
	if (fr->rows++ && fr->height)
		fputc('\n', fr->f);
	fputs(on, fr->f);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if ((*p & 0xc0) != 0x80 && fr->width && cols++ == fr->width)
			break;
		fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, fr->f);
	}
	fputs(off, fr->f);
	if (!fr->height)
		fputc('\n', fr->f);
}

static void frame_text(struct frame *fr, const char *text)
{
	frame_styled(fr, text, "", "");
}

/* One formatted line, in the headings' colour with @heading (where stdout takes colours). */
static void frame_vline(struct frame *fr, bool heading, const char *fmt, va_list args)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, args);
	if (heading)
		frame_styled(fr, line, color(stdout, COLOR_HEADER), color(stdout, COLOR_RESET));
	else
		frame_text(fr, line);
}

static void frame_line(struct frame *fr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void frame_line(struct frame *fr, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	frame_vline(fr, false, fmt, args);
	va_end(args);
}

static void frame_heading(struct frame *fr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void frame_heading(struct frame *fr, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	frame_vline(fr, true, fmt, args);
	va_end(args);
}

/* 78 columns: values are at most 5 characters (see human()). */
#define ROW_FMT		"%-8s %-15s %6s %6s %6s %6s %7s %5s %5s %5s"

/* Interface @i of the model: its rates since the model before, its totals, its drops. */
static void iface_row(struct frame *fr, size_t i)
{
	const struct watch *w = fr->w;
	const struct stats_iface *e = &w->model->ifaces[i];
	const struct stats_delta *d = w->delta ? &w->delta[i] : NULL;
	char b[8][8];

	frame_line(fr, ROW_FMT, e->where, e->name,
		   rate(w, d, NSMON_DIR_RX, NSMON_STAT_PACKETS, 1, b[0]),
		   rate(w, d, NSMON_DIR_RX, NSMON_STAT_BYTES, 8, b[1]),
		   rate(w, d, NSMON_DIR_TX, NSMON_STAT_PACKETS, 1, b[2]),
		   rate(w, d, NSMON_DIR_TX, NSMON_STAT_BYTES, 8, b[3]),
		   human(counter(e, NSMON_DIR_RX, NSMON_STAT_PACKETS) +
			 counter(e, NSMON_DIR_TX, NSMON_STAT_PACKETS), b[4]),
		   human(counter(e, NSMON_DIR_RX, NSMON_STAT_ARP_REQUEST) +
			 counter(e, NSMON_DIR_RX, NSMON_STAT_ARP_REPLY) +
			 counter(e, NSMON_DIR_TX, NSMON_STAT_ARP_REQUEST) +
			 counter(e, NSMON_DIR_TX, NSMON_STAT_ARP_REPLY), b[5]),
		   human(counter(e, NSMON_DIR_RX, NSMON_STAT_ICMP) +
			 counter(e, NSMON_DIR_TX, NSMON_STAT_ICMP), b[6]),
		   /* Drop counters are younger than this view: none before the first refresh. */
		   human(w->drops ? (double)w->drops[i] : 0, b[7]));
}

static void draw_header(struct frame *fr)
{
	const struct watch *w = fr->w;
	char clock[16], bridges[256] = "";
	size_t len = 0;
	struct tm tm;

	strftime(clock, sizeof(clock), "%H:%M:%S", localtime_r(&w->refreshed, &tm));
	if (!w->tty) {
		frame_line(fr, "--- %s", clock);
		return;
	}
	for (size_t i = 0; i < w->model->nbridges; i++)
		if (len < sizeof(bridges))
			len += snprintf(bridges + len, sizeof(bridges) - len, "%s%s", i ? ", " : "",
					w->model->bridges[i].lab.bridge.name);
	frame_heading(fr, "nsmon watch — %s — %s — q quits", len ? bridges : "no bridge", clock);
}

static void draw_counters(struct frame *fr)
{
	const struct watch *w = fr->w;

	/* -ENOENT: the pinned map or the ledger went, i.e. someone ran `nsmon down`. */
	if (w->model_err)
		frame_line(fr, "counters unavailable: %s (showing the last ones read)",
			   w->model_err == -ENOENT ? "no longer monitored" : strerror(-w->model_err));
	frame_line(fr, "%-24s %13s %13s %25s", "", "rx per second", "tx per second",
		   "total, rx + tx");
	frame_heading(fr, ROW_FMT, "NETNS", "INTERFACE", "pkt/s", "bit/s", "pkt/s", "bit/s",
		      "packets", "arp", "icmp", "drops");
	for (size_t i = 0; i < w->model->nifaces; i++)
		iface_row(fr, i);
}

/*
 * The forwarding matrix of each bridge, compactly: a row per place frames
 * came from, a column per place they left by (the namespace a port peers
 * into names it, the bridge device is "local"); frames per second over the
 * last interval, then, where the width allows, the totals. With three
 * namespaces it takes 74 columns and 6 rows.
 */
#define MATRIX_LABEL	"%-8.8s"
#define MATRIX_CELL	" %7.7s"
#define MATRIX_CELL_W	8

/* A place of the matrix: its place in the bridge's model, and its label on the screen. */
struct place {
	size_t place;
	const char *label;
};

/* The ports shown in lab order, labelled by the namespace they peer into, then the bridge device. */
static struct place *matrix_places(const struct stats_bridge *br, size_t *n)
{
	const struct lab *lab = &br->lab;
	struct place *places;

	*n = 0;
	places = calloc(lab->nports + 1, sizeof(*places));
	if (!places)
		return NULL;
	for (size_t i = 0; i < lab->nports; i++) {
		const struct lab_port *lp = &lab->ports[i];

		if (!br->shown[i])
			continue;
		places[*n].place = i;
		places[(*n)++].label = lp->netns ? lp->netns->name : lp->port.name;
	}
	places[*n].place = lab->nports;
	places[(*n)++].label = "local";
	return places;
}

/* The cell from place @from to @to of bridge @b: frames per second (@total false) or in all. */
static const char *matrix_cell(const struct watch *w, size_t b, size_t from, size_t to,
			       bool total, char buf[8])
{
	long long delta;

	if (total)
		return human((double)stats_bridge_frames(&w->model->bridges[b], from, to), buf);
	if (!w->before || w->span <= 0)
		return "-";
	delta = stats_model_pair_delta(w->model, b, from, to, w->before);
	return delta < 0 ? "-" : human((double)delta / w->span, buf);
}

static void draw_bridge_matrix(struct frame *fr, size_t b)
{
	const struct stats_bridge *br = &fr->w->model->bridges[b];
	const char *bridge = br->lab.bridge.name;
	char line[512], buf[8];
	struct place *places;
	bool totals;
	size_t n, len;

	if (!br->matrix_shown) {
		frame_line(fr, "%s: %zu ports, too many for a matrix here (nsmon stats --json has it)",
			   bridge, br->n - 1);
		return;
	}
	places = matrix_places(br, &n);
	if (!places)
		return;
	/* Label, rates, " |", totals: the totals only where they fit whole. */
	totals = !fr->width || 8 + 2 * n * MATRIX_CELL_W + 2 <= (size_t)fr->width;
	frame_line(fr, "%s: frames from row to column, per second%s", bridge,
		   totals ? " | in all" : "");
	/* Row 0 is the header; a line longer than the buffer is cut, as the screen would. */
	for (size_t row = 0; row <= n && !frame_full(fr); row++) {
		const struct place *from = row ? &places[row - 1] : NULL;

		len = snprintf(line, sizeof(line), MATRIX_LABEL, from ? from->label : "from\\to");
		for (int part = 0; part <= totals && len < sizeof(line); part++) {
			if (part)
				len += snprintf(line + len, sizeof(line) - len, " |");
			for (size_t col = 0; col < n && len < sizeof(line); col++)
				len += snprintf(line + len, sizeof(line) - len, MATRIX_CELL,
						from ? matrix_cell(fr->w, b, from->place,
								   places[col].place, part, buf) :
						       places[col].label);
		}
		frame_text(fr, line);
	}
	free(places);
}

static void draw_matrix(struct frame *fr)
{
	for (size_t b = 0; b < fr->w->model->nbridges; b++) {
		frame_text(fr, "");
		draw_bridge_matrix(fr, b);
	}
}

/* The latest events that fit; plain snapshots print only those not printed before. */
static void draw_events(struct frame *fr, unsigned long long since)
{
	const struct watch *w = fr->w;
	unsigned long long first = w->events_seen > EVENTS_KEPT ? w->events_seen - EVENTS_KEPT : 0;
	int room;

	frame_text(fr, "");
	frame_heading(fr, "EVENTS");
	if (w->events_note[0])
		frame_text(fr, w->events_note);
	if (first < since)
		first = since;
	else if (!w->tty && first > since)
		frame_line(fr, "(%llu earlier events came and went)", first - since);
	room = fr->height ? fr->height - fr->rows : EVENTS_KEPT;
	if (room <= 0)
		return;
	if (w->events_seen - first > (unsigned long long)room)
		first = w->events_seen - room;
	for (unsigned long long n = first; n < w->events_seen; n++)
		if (w->events[n % EVENTS_KEPT])
			frame_text(fr, w->events[n % EVENTS_KEPT]);
}

static void terminal_size(int *width, int *height)
{
	struct winsize ws;

	*width = 80;
	*height = 24;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col && ws.ws_row) {
		*width = ws.ws_col;
		*height = ws.ws_row;
	}
}

static void draw(struct watch *w)
{
	struct frame fr = { .w = w };

	fr.f = open_memstream(&fr.buf, &fr.len);
	if (!fr.f)
		return;
	if (w->tty) {
		terminal_size(&fr.width, &fr.height);
		fputs("\033[H\033[2J", fr.f);
	}
	draw_header(&fr);
	draw_counters(&fr);
	draw_matrix(&fr);
	draw_events(&fr, w->tty ? 0 : w->events_printed);
	fclose(fr.f);
	fwrite(fr.buf, 1, fr.len, stdout);
	fflush(stdout);
	free(fr.buf);
	w->events_printed = w->events_seen;
	w->drawn_at = monotonic();
}

/* ---- events -------------------------------------------------------------- */

static void keep_event(const struct nsmon_event *ev, void *data)
{
	struct watch *w = data;
	char **slot = &w->events[w->events_seen++ % EVENTS_KEPT];

	free(*slot);
	event_buf_clear(&w->line);
	event_write_text(&w->line, ev);
	*slot = w->line.len ? strndup(w->line.p, w->line.len - 1) : NULL;	/* its '\n' off */
}

static void open_events(struct watch *w)
{
	/*
	 * The events of the labs shown (all monitored ones by default; --all:
	 * the whole machine's), of the types and passing the filter asked for.
	 */
	const struct event_opts opts = {
		.types = w->types, .counters_ms = 0, .auto_attach = true, .drops_per_sec = 100,
		.scope = w->scope, .filter = w->filter,
	};
	int err;

	/* Its error line lands before the screen is up, so it stays readable after. */
	err = event_stream_open(&opts, &w->es);
	if (err) {
		w->es = NULL;
		snprintf(w->events_note, sizeof(w->events_note), "events unavailable: %s",
			 strerror(-err));
	}
}

static void take_events(struct watch *w, int timeout_ms)
{
	int n = event_stream_poll(w->es, timeout_ms, keep_event, w);

	if (n < 0 && n != -EINTR) {
		snprintf(w->events_note, sizeof(w->events_note), "events stopped: %s", strerror(-n));
		event_stream_close(w->es);
		w->es = NULL;
	}
}

/* ---- the terminal -------------------------------------------------------- */

struct terminal {
	struct termios saved;
	FILE *stderr_log;	/* what went to stderr while the screen was up */
	int stderr_fd;		/* the real stderr, meanwhile */
};

static void on_signal(int sig)
{
	if (sig == SIGWINCH)
		resized = 1;
	else
		exiting = 1;
}

static void catch_signals(void)
{
	/* No SA_RESTART: a signal must cut the wait short. */
	struct sigaction sa = { .sa_handler = on_signal };
	const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

static void terminal_enter(struct watch *w, struct terminal *t)
{
	struct termios raw;

	/* Keys one at a time and unechoed; ISIG stays, so Ctrl-C is still SIGINT. */
	if (!tcgetattr(STDIN_FILENO, &t->saved)) {
		raw = t->saved;
		raw.c_lflag &= ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		w->keyboard = !tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	/*
	 * A warning printed over the screen would be wiped by the next frame, and
	 * the alternate screen takes it along on exit: keep them for afterwards.
	 */
	fflush(stderr);
	t->stderr_fd = -1;
	t->stderr_log = tmpfile();
	if (t->stderr_log) {
		t->stderr_fd = dup(STDERR_FILENO);
		dup2(fileno(t->stderr_log), STDERR_FILENO);
	}
	fputs("\033[?1049h\033[?25l", stdout);	/* alternate screen, no cursor */
	fflush(stdout);
}

static void terminal_leave(struct watch *w, struct terminal *t)
{
	char buf[4096];
	size_t n;

	fputs("\033[?25h\033[?1049l", stdout);
	fflush(stdout);
	if (w->keyboard)
		tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
	if (t->stderr_fd < 0)
		return;
	fflush(stderr);
	dup2(t->stderr_fd, STDERR_FILENO);
	close(t->stderr_fd);
	rewind(t->stderr_log);
	while ((n = fread(buf, 1, sizeof(buf), t->stderr_log)))
		fwrite(buf, 1, n, stderr);
	fclose(t->stderr_log);
}

/* Read what was typed; 'q' quits. */
static void read_keys(struct watch *w)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	char c;

	while (w->keyboard && poll(&pfd, 1, 0) > 0) {
		if (read(STDIN_FILENO, &c, 1) != 1) {
			w->keyboard = false;	/* hung up: leave quitting to signals */
			return;
		}
		if (c == 'q' || c == 'Q')
			exiting = 1;
	}
}

/* ---- the loop ------------------------------------------------------------ */

/* Until @deadline (monotonic), take events and keys, redrawing the screen for them. */
static void wait_until(struct watch *w, double deadline)
{
	unsigned long long seen = w->events_seen;
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	double left;
	int ms;

	while (!exiting && (left = deadline - monotonic()) > 0) {
		ms = (int)(left * 1000) + 1;
		if (w->keyboard && ms > KEY_WAIT_MS)
			ms = KEY_WAIT_MS;
		if (w->es)
			take_events(w, ms);
		else	/* with no keyboard, a poll of no fd is a sleep a signal cuts short */
			poll(&pfd, w->keyboard, ms);
		read_keys(w);
		if (!w->tty || exiting)
			continue;
		if (resized || (w->events_seen != seen && monotonic() - w->drawn_at >= REDRAW_GAP)) {
			resized = 0;
			seen = w->events_seen;
			draw(w);
		}
	}
}

static void run(struct watch *w)
{
	double next = w->model_at + w->interval;
	unsigned long shown = 0;

	/* A terminal gets the screen at once; a plain snapshot waits until it has rates. */
	if (w->tty)
		draw(w);
	for (;;) {
		wait_until(w, next);
		if (exiting)
			break;
		refresh(w);
		draw(w);
		if (w->count && ++shown >= w->count)
			break;
		/* On schedule, without drift; after a stall, from now. */
		next += w->interval;
		if (next < monotonic())
			next = monotonic() + w->interval;
	}
}

struct watch_args {
	struct scope_args scope;
	struct nsmon_filter filter;
	unsigned int types;
	unsigned long interval_ms, count;
};

static const struct cli_option watch_options[] = {
	CLI_OPTION("interval", 'i', CLI_DURATION, struct watch_args, interval_ms, .metavar = "TIME",
		   .def = "1", .min = 100, .max = 3600 * 1000,
		   .help = "between refreshes (seconds, or N[ms|s|m]; 0.1 s to 1 h)"),
	CLI_OPTION("count", 'c', CLI_COUNT, struct watch_args, count, .metavar = "N",
		   .min = 1, .help = "stop after N refreshes"),
	SCOPE_CLI_OPTIONS(struct watch_args, scope,
			  "every monitored lab's counters, and the whole machine's events"),
	EVENT_TYPES_CLI_OPTION(struct watch_args, types),
	FILTER_CLI_OPTIONS(struct watch_args, filter),
	CLI_END
};

static int run_watch(const void *args, int noperands, char **operands)
{
	const struct watch_args *a = args;
	struct watch w = { .interval = a->interval_ms / 1000.0, .count = a->count,
			   .scope = scope_of(&a->scope), .filter = a->filter, .types = a->types,
			   .tty = isatty(STDOUT_FILENO) };
	struct terminal term;
	int ret;

	if (scope_check(&w.scope) || event_types_check(w.types, false, &w.filter))
		return EXIT_USAGE;
	/* Nothing monitored is an error before the screen is taken; a read again says why. */
	ret = read_model(&w, &w.model);
	if (ret) {
		struct stats_model *m;

		if (stats_model_read(&w.scope, MATRIX_PLACES, &m) == 0)
			stats_model_free(m);
		return cli_exit_code(ret);
	}
	w.model_at = monotonic();
	w.refreshed = time(NULL);
	event_buf_init(&w.line);
	open_events(&w);
	catch_signals();	/* after the event sources, so that ours are the handlers */

	if (w.tty)
		terminal_enter(&w, &term);
	run(&w);
	if (w.tty)
		terminal_leave(&w, &term);

	if (w.es)
		event_stream_close(w.es);
	for (size_t i = 0; i < EVENTS_KEPT; i++)
		free(w.events[i]);
	event_buf_free(&w.line);
	free(w.delta);
	free(w.drops);
	stats_model_free(w.before);
	stats_model_free(w.model);
	return EXIT_OK;
}

const struct cli_command cmd_watch = {
	.name = "watch",
	.summary = "the counters as rates, live, beside the events",
	.description = "A screen that refreshes every --interval: each interface's packets/s by kind,\n"
		       "the bridge's forwarding, and the latest events (q quits). Through a pipe, plain\n"
		       "snapshots instead. --bridge and -n narrow both to those labs and namespaces;\n"
		       "--type, --proto, --host and --port narrow the events, as in nsmon events.",
	.options = watch_options,
	.args_size = sizeof(struct watch_args),
	.examples = "nsmon watch\tlive, until q or Ctrl-C\n"
		    "nsmon watch -n red\tonly red: its veth, its port, its events\n"
		    "nsmon watch --proto arp\tevents: only ARP (neighbour entries, drops)\n"
		    "nsmon watch -i 0.5 -c 10 | less\tten plain snapshots",
	.run = run_watch,
};
