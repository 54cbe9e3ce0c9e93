// SPDX-License-Identifier: GPL-2.0
/* Reading every entry of a BPF map in a few syscalls: see map_read.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/map_read.h"

/*
 * Entries per batch: up to 1024, as long as their values fit in about
 * 64 KiB. Fresh memory is dear (a page faulted in costs ~10 us on a
 * paravirtualized guest), and a buffer this size is reused by the next read,
 * where a bigger one is mapped and unmapped each time.
 */
#define BATCH_MAX	1024
#define BATCH_MIN	64
#define BATCH_BYTES	65536
#define TOKEN_MAX	64	/* the batch position: a bucket or an index */
#define ENOTSUPP	524	/* the kernel's own, what an unsupported batch op returns */

size_t map_percpu_stride(size_t value_size)
{
	return (value_size + 7) & ~(size_t)7;
}

/* -EOPNOTSUPP when the kernel (or this map type) has no batch lookup, before any entry was read. */
static int read_batched(int fd, void *keys, size_t key_size, void *values, size_t value_len,
			__u32 batch, map_entry_cb cb, void *data)
{
	char in[TOKEN_MAX], out[TOKEN_MAX];
	bool first = true, last = false;
	__u32 count;
	int err;

	while (!last) {
		count = batch;
		err = bpf_map_lookup_batch(fd, first ? NULL : in, out, keys, values, &count, NULL);
		if (err) {
			err = -errno;
			if (first && (err == -EINVAL || err == -EOPNOTSUPP || err == -ENOTSUPP))
				return -EOPNOTSUPP;
			if (err != -ENOENT)	/* ENOENT: this is the last batch */
				return err;
			last = true;
		}
		first = false;
		memcpy(in, out, sizeof(in));
		for (__u32 i = 0; i < count; i++) {
			err = cb((char *)keys + i * key_size, (char *)values + i * value_len, data);
			if (err)
				return err;
		}
	}
	return 0;
}

static int read_one_by_one(int fd, void *key, void *value, map_entry_cb cb, void *data)
{
	bool first = true;
	int err;

	/* The kernel reads the key before it writes the next one: one buffer does. */
	while (!bpf_map_get_next_key(fd, first ? NULL : key, key)) {
		first = false;
		if (bpf_map_lookup_elem(fd, key, value)) {
			if (errno == ENOENT)
				continue;	/* deleted since we saw its key */
			return -errno;
		}
		err = cb(key, value, data);
		if (err)
			return err;
	}
	return errno == ENOENT ? 0 : -errno;	/* ENOENT: no key after the last */
}

int map_read_all(int fd, size_t key_size, size_t value_size, bool percpu, map_entry_cb cb,
		 void *data)
{
	int ncpus = percpu ? libbpf_num_possible_cpus() : 1;
	size_t value_len, batch;
	void *keys, *values;
	int err;

	if (ncpus < 0)
		return ncpus;
	value_len = percpu ? map_percpu_stride(value_size) * ncpus : value_size;
	batch = BATCH_BYTES / value_len;
	batch = batch < BATCH_MIN ? BATCH_MIN : batch > BATCH_MAX ? BATCH_MAX : batch;
	keys = malloc(batch * key_size);
	values = malloc(batch * value_len);
	err = keys && values ? read_batched(fd, keys, key_size, values, value_len, batch, cb, data) :
			       -ENOMEM;
	if (err == -EOPNOTSUPP)
		err = read_one_by_one(fd, keys, values, cb, data);
	free(keys);
	free(values);
	return err;
}
