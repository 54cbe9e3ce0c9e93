/* SPDX-License-Identifier: GPL-2.0 */
/* Diagnostics to stderr (stdout carries data), after xdp-tools' logging.h. */
#ifndef NSMON_LOG_H
#define NSMON_LOG_H

#include <stdbool.h>
#include <stdio.h>

enum log_level { LOG_WARN, LOG_INFO, LOG_DEBUG };

/**
 * log_init() - set the verbosity and route libbpf's messages through ours.
 * @verbose: true shows pr_debug lines and libbpf's debug output (-v).
 */
void log_init(bool verbose);

/**
 * log_quiet() - silence (or restore) every message, for work repeated on a
 * timer whose failures the caller reports its own way. Return: the old setting.
 */
bool log_quiet(bool quiet);

/**
 * log_capture() - send the calling thread's messages (and libbpf's) to @to
 * instead of stderr; NULL sends them back. For work whose messages are
 * printed later, or elsewhere (an HTTP answer), or not at all.
 */
void log_capture(FILE *to);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* pr_warn lines are the one-line errors users read: "nsmon: cannot ...: reason". */
#define pr_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define pr_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
