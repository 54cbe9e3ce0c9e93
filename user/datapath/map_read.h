/* SPDX-License-Identifier: GPL-2.0 */
/* Reading every entry of a BPF map in a few syscalls. */
#ifndef NSMON_MAP_READ_H
#define NSMON_MAP_READ_H

#include <stdbool.h>
#include <stddef.h>

typedef int (*map_entry_cb)(const void *key, const void *value, void *data);

/**
 * map_read_all() - call @cb for every entry of the map @fd, read up to 1024
 * at a time with BPF_MAP_LOOKUP_BATCH (one by one on a kernel without it). A
 * @percpu map's value is every possible CPU's, each @value_size rounded up
 * to 8 bytes, as the kernel lays them out.
 * Return: 0, the first non-zero return of @cb, or -errno.
 */
int map_read_all(int fd, size_t key_size, size_t value_size, bool percpu, map_entry_cb cb,
		 void *data);

/* What map_read_all() hands @cb for one value of a per-CPU map: bytes per CPU. */
size_t map_percpu_stride(size_t value_size);

#endif
