// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>

#include "log.h"

static enum log_level max_level = LOG_INFO;
static bool quiet;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	/* libbpf explains its failures at debug level too; we print our own one-liner. */
	if (max_level < LOG_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
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

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list args;

	if (quiet || level > max_level)
		return;
	va_start(args, fmt);
	if (level == LOG_WARN)
		fputs("nsmon: ", stderr);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fputc('\n', stderr);
}
