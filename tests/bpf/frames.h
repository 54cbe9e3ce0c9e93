/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the BPF tests share: frames written as hex, and the cookie of the
 * namespace they run in (test_run counts on its loopback, keyed by it).
 */
#ifndef NSMON_TEST_FRAMES_H
#define NSMON_TEST_FRAMES_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/types.h>

#include "lab/netns.h"

#define FRAME_MAX	256

struct frame {
	__u8 data[FRAME_MAX];
	__u32 len;
};

static inline int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* @hex into @f, spaces ignored. A malformed frame is a bug in the test, not a failed case: exit. */
static inline void parse_frame(const char *hex, struct frame *f)
{
	f->len = 0;
	while (*hex) {
		int hi, lo;

		if (*hex == ' ') {
			hex++;
			continue;
		}
		hi = hex_value(hex[0]);
		lo = hi < 0 ? -1 : hex_value(hex[1]);
		if (lo < 0 || f->len == FRAME_MAX) {
			fprintf(stderr, "bad frame at \"%s\"\n", hex);
			exit(2);
		}
		f->data[f->len++] = hi << 4 | lo;
		hex += 2;
	}
}

/* The cookie of the namespace this test runs in. Return 0 or -errno. */
static inline int here_netns_cookie(__u64 *cookie)
{
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = netns_cookie(fd, cookie);
	close(fd);
	return err;
}

#endif
