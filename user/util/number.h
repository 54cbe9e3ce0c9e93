/* SPDX-License-Identifier: GPL-2.0 */
/* Numbers and durations as users type them: one strict parser for each. */
#ifndef NSMON_NUMBER_H
#define NSMON_NUMBER_H

/**
 * number_parse() - a whole decimal number in [@min, @max]: digits only (no
 * sign, no white space, no trailing junk), no overflow.
 * Return: NULL if valid (@out set), else the reason ("is not a whole number").
 */
const char *number_parse(const char *text, unsigned long min, unsigned long max,
			 unsigned long *out);

/**
 * duration_parse() - a duration in [@min_ms, @max_ms]: a decimal number of
 * seconds ("2", "0.5") or one with a unit ("250ms", "2s", "1m").
 * Return: NULL if valid (@out_ms set, rounded to the millisecond), else the reason.
 */
const char *duration_parse(const char *text, unsigned long min_ms, unsigned long max_ms,
			   unsigned long *out_ms);

#endif
