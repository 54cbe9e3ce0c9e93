// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the numbers and durations users type (every --count, --timeout ...). */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "test.h"
#include "util/number.h"

static const struct number_case {
	const char *text;
	unsigned long min, max;
	bool ok;
	unsigned long want;
} number_cases[] = {
	{ "0", 0, ULONG_MAX, true, 0 },
	{ "10", 1, 100, true, 10 },
	{ "100", 1, 100, true, 100 },
	{ "101", 1, 100, false, 0 },
	{ "0", 1, 100, false, 0 },
	{ "18446744073709551615", 0, ULONG_MAX, true, ULONG_MAX },
	{ "99999999999999999999", 0, ULONG_MAX, false, 0 },	/* ERANGE, not ULONG_MAX */
	{ "4294967296", 1, 1000, false, 0 },
	{ "-1", 0, ULONG_MAX, false, 0 },			/* strtoul would wrap it */
	{ "+1", 0, ULONG_MAX, false, 0 },
	{ " 1", 0, ULONG_MAX, false, 0 },
	{ "1 ", 0, ULONG_MAX, false, 0 },
	{ "1x", 0, ULONG_MAX, false, 0 },
	{ "0x10", 0, ULONG_MAX, false, 0 },
	{ "", 0, ULONG_MAX, false, 0 },
	{ "1.5", 0, ULONG_MAX, false, 0 },
};

static const struct duration_case {
	const char *text;
	unsigned long min_ms, max_ms;
	bool ok;
	unsigned long want_ms;
} duration_cases[] = {
	{ "2", 0, ULONG_MAX, true, 2000 },
	{ "0.5", 0, ULONG_MAX, true, 500 },
	{ "0", 0, ULONG_MAX, true, 0 },
	{ "250ms", 0, ULONG_MAX, true, 250 },
	{ "2s", 0, ULONG_MAX, true, 2000 },
	{ "1m", 0, ULONG_MAX, true, 60000 },
	{ "0.1", 100, 3600000, true, 100 },
	{ "0.05", 100, 3600000, false, 0 },
	{ "3601", 100, 3600000, false, 0 },
	{ "1h", 0, ULONG_MAX, false, 0 },
	{ "-1", 0, ULONG_MAX, false, 0 },
	{ "nan", 0, ULONG_MAX, false, 0 },
	{ "inf", 0, ULONG_MAX, false, 0 },
	{ "1e400", 0, ULONG_MAX, false, 0 },
	{ "", 0, ULONG_MAX, false, 0 },
	{ "s", 0, ULONG_MAX, false, 0 },
	{ "2 s", 0, ULONG_MAX, false, 0 },
};

int main(void)
{
	char name[96];

	for (size_t i = 0; i < sizeof(number_cases) / sizeof(number_cases[0]); i++) {
		const struct number_case *c = &number_cases[i];
		unsigned long got = 12345;
		const char *why;

		snprintf(name, sizeof(name), "number \"%s\" in %lu..%lu", c->text, c->min, c->max);
		TEST_BEGIN();
		why = number_parse(c->text, c->min, c->max, &got);
		if (ASSERT_EQ(name, why == NULL, c->ok) && c->ok)
			ASSERT_TRUE(name, got == c->want);
		if (!c->ok)
			ASSERT_TRUE(name, got == 12345);	/* untouched when refused */
		TEST_END(name);
	}
	for (size_t i = 0; i < sizeof(duration_cases) / sizeof(duration_cases[0]); i++) {
		const struct duration_case *c = &duration_cases[i];
		unsigned long got = 12345;
		const char *why;

		snprintf(name, sizeof(name), "duration \"%s\"", c->text);
		TEST_BEGIN();
		why = duration_parse(c->text, c->min_ms, c->max_ms, &got);
		if (ASSERT_EQ(name, why == NULL, c->ok) && c->ok)
			ASSERT_TRUE(name, got == c->want_ms);
		TEST_END(name);
	}
	return tests_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
