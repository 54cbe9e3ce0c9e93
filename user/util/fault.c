// SPDX-License-Identifier: GPL-2.0
/* Fault injection for the tests: see fault.h. */
#include <signal.h>
#include <stdlib.h>

#include "util/fault.h"

void fault_point(void)
{
	static long left = -1;	/* -1: not read yet; 0: no fault asked for */

	if (left < 0) {
		const char *at = getenv("NSMON_TEST_KILL_AT");

		left = at ? strtol(at, NULL, 10) : 0;
		if (left < 0)
			left = 0;
	}
	if (left && !--left)
		raise(SIGKILL);
}
