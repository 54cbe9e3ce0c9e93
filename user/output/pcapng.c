// SPDX-License-Identifier: GPL-2.0
/* A pcap-ng writer: see pcapng.h. Blocks in host byte order, as the format allows. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "output/pcapng.h"

#define BLOCK_SHB	0x0A0D0D0A
#define BLOCK_IDB	0x00000001
#define BLOCK_ISB	0x00000005
#define BLOCK_EPB	0x00000006
#define BYTE_ORDER_MAGIC 0x1A2B3C4D

#define OPT_END		0
#define SHB_HARDWARE	2
#define SHB_OS		3
#define SHB_USERAPPL	4
#define IF_NAME		2
#define IF_DESCRIPTION	3
#define IF_TSRESOL	9
#define IF_FILTER	11
#define EPB_FLAGS	2
#define ISB_STARTTIME	2
#define ISB_ENDTIME	3
#define ISB_IFRECV	4
#define ISB_IFDROP	5
#define ISB_USRDELIV	8

#define LINKTYPE_ETHERNET 1
/* if_tsresol 9: timestamps count nanoseconds (10^-9 s). */
#define TSRESOL_NS	9

/* Large enough that a flush is one write of many frames; a 64 KiB frame still fits. */
#define BUFFER_SIZE	(1 << 20)

struct pcapng {
	int fd;
	bool regular;		/* a regular file: can be cut back after a failed write */
	int err;		/* sticky: the first failed write */
	__u64 offset;		/* bytes of whole blocks in the file */
	__u32 ninterfaces;
	__u8 *buf;
	size_t len;		/* bytes buffered, whole blocks only */
	size_t block;		/* where the block being built starts */
};

static inline size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static void put(struct pcapng *w, const void *data, size_t n)
{
	memcpy(w->buf + w->len, data, n);
	w->len += n;
}

static void put32(struct pcapng *w, __u32 v)
{
	put(w, &v, sizeof(v));
}

static void put16(struct pcapng *w, __u16 v)
{
	put(w, &v, sizeof(v));
}

static void put_padding(struct pcapng *w)
{
	while (w->len & 3)
		w->buf[w->len++] = 0;
}

static void put_option(struct pcapng *w, __u16 code, const void *value, size_t n)
{
	put16(w, code);
	put16(w, n);
	put(w, value, n);
	put_padding(w);
}

static void put_option_string(struct pcapng *w, __u16 code, const char *text)
{
	if (text && *text)
		put_option(w, code, text, strlen(text));
}

static void put_option64(struct pcapng *w, __u16 code, __u64 v)
{
	put_option(w, code, &v, sizeof(v));
}

/* A timestamp as EPBs, ISBs and their options carry it: the high 32 bits first. */
static void put_option_time(struct pcapng *w, __u16 code, __u64 ts)
{
	__u32 v[2] = { ts >> 32, (__u32)ts };

	put_option(w, code, v, sizeof(v));
}

/* The option area's worst case for a string option. */
static size_t option_size(const char *text)
{
	return text ? 4 + pad4(strlen(text)) : 0;
}

/*
 * Make room for a block of at most @size bytes, flushing first if need be,
 * and open it: type, and a length patched by end_block().
 */
static int begin_block(struct pcapng *w, __u32 type, size_t size)
{
	int err;

	if (w->err)
		return w->err;
	if (size > BUFFER_SIZE)
		return -EMSGSIZE;
	if (w->len + size > BUFFER_SIZE) {
		err = pcapng_flush(w);
		if (err)
			return err;
	}
	w->block = w->len;
	put32(w, type);
	put32(w, 0);
	return 0;
}

static void end_block(struct pcapng *w)
{
	__u32 total;

	put16(w, OPT_END);
	put16(w, 0);
	total = w->len - w->block + 4;
	put32(w, total);
	memcpy(w->buf + w->block + 4, &total, sizeof(total));
}

/* The end of the last whole block within the first @n bytes of the buffer. */
static size_t whole_blocks(const struct pcapng *w, size_t n)
{
	size_t at = 0;
	__u32 total;

	while (at + 8 <= w->len) {
		memcpy(&total, w->buf + at + 4, sizeof(total));
		if (at + total > n)
			break;
		at += total;
	}
	return at;
}

int pcapng_flush(struct pcapng *w)
{
	size_t done = 0;
	ssize_t n;

	if (w->err)
		return w->err;
	while (done < w->len) {
		n = write(w->fd, w->buf + done, w->len - done);
		if (n > 0) {
			done += n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		w->err = n < 0 ? -errno : -EIO;
		/*
		 * Part of a block may be on disk: cut the file back to the last
		 * whole one, so a reader meets a clean end, not a torn block.
		 */
		if (w->regular)
			if (ftruncate(w->fd, w->offset + whole_blocks(w, done))) {
				/* The write error is the one to report. */
			}
		return w->err;
	}
	w->offset += w->len;
	w->len = 0;
	return 0;
}

static void put_shb(struct pcapng *w, const char *appl)
{
	struct utsname u;
	char os[2 * sizeof(u.release) + 2] = "";

	if (!uname(&u))
		snprintf(os, sizeof(os), "%s %s", u.sysname, u.release);
	/* The first block of an empty buffer: room is not in question. */
	begin_block(w, BLOCK_SHB, 0);
	put32(w, BYTE_ORDER_MAGIC);
	put16(w, 1);			/* major */
	put16(w, 0);			/* minor */
	put32(w, 0xffffffff);		/* section length: not given (-1) */
	put32(w, 0xffffffff);
	put_option_string(w, SHB_OS, os);
	put_option_string(w, SHB_USERAPPL, appl);
	end_block(w);
}

int pcapng_open(int fd, const char *appl, struct pcapng **out)
{
	struct pcapng *w = calloc(1, sizeof(*w));
	struct stat st;

	if (!w)
		return -ENOMEM;
	w->buf = malloc(BUFFER_SIZE);
	if (!w->buf) {
		free(w);
		return -ENOMEM;
	}
	w->fd = fd;
	w->regular = !fstat(fd, &st) && S_ISREG(st.st_mode);
	if (w->regular) {
		off_t at = lseek(fd, 0, SEEK_CUR);

		w->offset = at > 0 ? at : 0;
	}
	put_shb(w, appl);
	*out = w;
	return 0;
}

int pcapng_add_interface(struct pcapng *w, const char *name, const char *description,
			 const char *filter, __u32 snaplen)
{
	size_t filter_len = filter && *filter ? strlen(filter) : 0;
	__u8 tsresol = TSRESOL_NS;
	int err;

	err = begin_block(w, BLOCK_IDB, 8 + 8 + option_size(name) + option_size(description) +
			  4 + pad4(1 + filter_len) + 8 + 8);
	if (err)
		return err;
	put16(w, LINKTYPE_ETHERNET);
	put16(w, 0);
	put32(w, snaplen);
	put_option_string(w, IF_NAME, name);
	put_option_string(w, IF_DESCRIPTION, description);
	put_option(w, IF_TSRESOL, &tsresol, 1);
	if (filter_len) {
		/* Code 0: a filter as text; Wireshark shows it as the capture filter. */
		put16(w, IF_FILTER);
		put16(w, 1 + filter_len);
		w->buf[w->len++] = 0;
		put(w, filter, filter_len);
		put_padding(w);
	}
	end_block(w);
	return w->ninterfaces++;
}

int pcapng_write_packet(struct pcapng *w, __u32 iface, __u64 ts_ns, __u32 orig_len,
			const struct iovec *parts, int nparts, enum pcapng_direction dir)
{
	size_t caplen = 0;
	__u32 flags = dir;
	int err;

	for (int i = 0; i < nparts; i++)
		caplen += parts[i].iov_len;
	err = begin_block(w, BLOCK_EPB, 8 + 20 + pad4(caplen) + 8 + 4 + 4);
	if (err)
		return err;
	put32(w, iface);
	put32(w, ts_ns >> 32);
	put32(w, (__u32)ts_ns);
	put32(w, caplen);
	put32(w, orig_len);
	for (int i = 0; i < nparts; i++)
		put(w, parts[i].iov_base, parts[i].iov_len);
	put_padding(w);
	put_option(w, EPB_FLAGS, &flags, sizeof(flags));
	end_block(w);
	return 0;
}

int pcapng_write_stats(struct pcapng *w, __u32 iface, const struct pcapng_stats *s)
{
	int err = begin_block(w, BLOCK_ISB, 8 + 12 + 5 * 12 + 4 + 4);

	if (err)
		return err;
	put32(w, iface);
	put32(w, s->end_ns >> 32);
	put32(w, (__u32)s->end_ns);
	put_option_time(w, ISB_STARTTIME, s->start_ns);
	put_option_time(w, ISB_ENDTIME, s->end_ns);
	put_option64(w, ISB_IFRECV, s->received);
	put_option64(w, ISB_IFDROP, s->dropped);
	put_option64(w, ISB_USRDELIV, s->delivered);
	end_block(w);
	return 0;
}

int pcapng_close(struct pcapng *w)
{
	int err;

	if (!w)
		return 0;
	err = pcapng_flush(w);
	free(w->buf);
	free(w);
	return err;
}
