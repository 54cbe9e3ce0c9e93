// SPDX-License-Identifier: GPL-2.0
/* Colours on a terminal only: see color.h. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/color.h"

const char *const color_mode_names[] = { "auto", "always", "never", NULL };

static enum color_mode mode = COLOR_AUTO;
static bool no_color;

/* SGR codes that read on dark and light backgrounds alike: bold, and the basic colours. */
static const char *const sequences[] = {
	[COLOR_RESET] = "\033[0m",
	[COLOR_HEADER] = "\033[1m",
	[COLOR_ERROR] = "\033[1;31m",
	[COLOR_GOOD] = "\033[32m",
	[COLOR_BAD] = "\033[31m",
	[COLOR_TAG_NS] = "\033[35m",
	[COLOR_TAG_LINK] = "\033[32m",
	[COLOR_TAG_NEIGH] = "\033[36m",
	[COLOR_TAG_FDB] = "\033[34m",
	[COLOR_TAG_DROP] = "\033[31m",
	[COLOR_TAG_OTHER] = "\033[33m",
};

void color_init(enum color_mode m)
{
	const char *env = getenv("NO_COLOR");

	mode = m;
	/* no-color.org: set and not empty. */
	no_color = env && *env;
}

static bool is_color_terminal(int fd)
{
	const char *term = getenv("TERM");

	return isatty(fd) && (!term || strcmp(term, "dumb"));
}

bool color_enabled(FILE *f)
{
	/* stdout and stderr are asked once per line of a stream of events: known once. */
	static signed char known[3] = { -1, -1, -1 };
	int fd = fileno(f);

	if (mode != COLOR_AUTO)
		return mode == COLOR_ALWAYS;
	if (no_color || fd < 0)
		return false;
	if (fd > 2)
		return is_color_terminal(fd);
	if (known[fd] < 0)
		known[fd] = is_color_terminal(fd);
	return known[fd];
}

const char *color(FILE *f, enum color_role role)
{
	return color_enabled(f) ? sequences[role] : "";
}
