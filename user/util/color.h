/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Colours on a terminal, and only there: stdout that goes to a file or a
 * pipe stays byte for byte what it is without them. NO_COLOR (no-color.org)
 * turns them off; --color=always or never (the global option) overrides both.
 */
#ifndef NSMON_COLOR_H
#define NSMON_COLOR_H

#include <stdbool.h>
#include <stdio.h>

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

/* --color's values, indexed by enum color_mode, NULL-terminated. */
extern const char *const color_mode_names[];

enum color_role {
	COLOR_RESET,
	COLOR_HEADER,		/* a table's column headings */
	COLOR_ERROR,		/* the "nsmon:" of an error line */
	COLOR_GOOD,		/* yes, available */
	COLOR_BAD,		/* no, missing */
	COLOR_TAG_NS,		/* the event types' tags, by how often a reader looks for them */
	COLOR_TAG_LINK,
	COLOR_TAG_NEIGH,
	COLOR_TAG_FDB,
	COLOR_TAG_DROP,
	COLOR_TAG_OTHER,
};

/* Set the mode (the --color option); NO_COLOR is read here. */
void color_init(enum color_mode mode);

/* Whether what is written to @f gets colours: always, never, or (auto) @f is a terminal. */
bool color_enabled(FILE *f);

/* The escape sequence of @role for @f: "" when @f gets no colours. */
const char *color(FILE *f, enum color_role role);

#endif
