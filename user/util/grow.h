/* SPDX-License-Identifier: GPL-2.0 */
/* Growing an array one element at a time, by doubling. */
#ifndef NSMON_GROW_H
#define NSMON_GROW_H

#include <stddef.h>

/**
 * grow() - room for one more element in the array @v of @n used and *@cap
 * allocated elements of @size bytes: @v itself while there is room, else
 * @v reallocated to twice its capacity (to @first the first time), with
 * *@cap updated.
 * Return: the array, or NULL when out of memory (@v and *@cap unchanged).
 */
void *grow(void *v, size_t n, size_t *cap, size_t size, size_t first);

#endif
