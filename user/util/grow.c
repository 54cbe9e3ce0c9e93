// SPDX-License-Identifier: GPL-2.0
/* Growing an array by doubling: see grow.h. */
#include <stdlib.h>

#include "util/grow.h"

void *grow(void *v, size_t n, size_t *cap, size_t size, size_t first)
{
	size_t want = *cap ? 2 * *cap : first;

	if (n < *cap)
		return v;
	v = realloc(v, want * size);
	if (v)
		*cap = want;
	return v;
}
