// SPDX-License-Identifier: GPL-2.0
/* nsmon's messages and libbpf's, one line each: see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>

#include "util/color.h"
#include "util/log.h"

static enum log_level max_level = LOG_INFO;
static bool quiet;
/* Where this thread's messages go instead of stderr (log_capture()). */
static __thread FILE *captured;

static FILE *log_out(void)
{
	return captured ? captured : stderr;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	/* libbpf explains its failures at debug level too; we print our own one-liner. */
	if (max_level < LOG_DEBUG)
		return 0;
	return vfprintf(log_out(), fmt, args);
}

void log_init(bool verbose)
{
	max_level = verbose ? LOG_DEBUG : LOG_INFO;
	libbpf_set_print(libbpf_print);
}

bool log_quiet(bool on)
{
	bool was = quiet;

	quiet = on;
	return was;
}

void log_capture(FILE *to)
{
	captured = to;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[1024];
	FILE *out = log_out();
	va_list args;

	if (quiet || level > max_level)
		return;
	va_start(args, fmt);
	vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	/* One call per line: lines that threads print at once never mix. */
	if (level == LOG_WARN)
		fprintf(out, "%snsmon:%s %s\n", color(out, COLOR_ERROR), color(out, COLOR_RESET), line);
	else
		fprintf(out, "%s\n", line);
}
