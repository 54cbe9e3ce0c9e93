// SPDX-License-Identifier: GPL-2.0
/* Counts and durations as users type them, strictly: see number.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/number.h"

/* The reasons quote the limits, so they are built in one buffer per call site's thread. */
static __thread char reason[96];

static const char *out_of_range(unsigned long min, unsigned long max, const char *unit)
{
	snprintf(reason, sizeof(reason), "is out of range (%lu..%lu%s)", min, max, unit);
	return reason;
}

const char *number_parse(const char *text, unsigned long min, unsigned long max,
			 unsigned long *out)
{
	unsigned long v;
	char *end;

	/* strtoul() would take " 7", "+7" and "-1" (as ULONG_MAX): insist on digits. */
	if (!isdigit((unsigned char)text[0]))
		return "is not a whole number";
	errno = 0;
	v = strtoul(text, &end, 10);
	if (*end)
		return "is not a whole number";
	if (errno == ERANGE || v < min || v > max)
		return out_of_range(min, max, "");
	*out = v;
	return NULL;
}

const char *duration_parse(const char *text, unsigned long min_ms, unsigned long max_ms,
			   unsigned long *out_ms)
{
	static const struct { const char *suffix; double ms; } units[] = {
		{ "", 1000 }, { "s", 1000 }, { "ms", 1 }, { "m", 60000 },
	};
	double v, ms;
	char *end;

	if (!isdigit((unsigned char)text[0]))
		return "is not a duration (seconds, or a number with ms, s or m)";
	errno = 0;
	v = strtod(text, &end);
	if (errno == ERANGE)
		return out_of_range(min_ms, max_ms, " ms");
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suffix))
			continue;
		ms = v * units[i].ms + 0.5;
		if (ms < min_ms || ms > max_ms)
			return out_of_range(min_ms, max_ms, " ms");
		*out_ms = (unsigned long)ms;
		return NULL;
	}
	return "is not a duration (seconds, or a number with ms, s or m)";
}
