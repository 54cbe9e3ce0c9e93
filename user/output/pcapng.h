/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A pcap-ng writer (draft-ietf-opsawg-pcapng), just what a capture of
 * several interfaces needs: one section; an Interface Description Block per
 * interface (Ethernet, nanosecond timestamps, name, description, filter);
 * an Enhanced Packet Block per frame with its direction (epb_flags); an
 * Interface Statistics Block per interface at the end (received, dropped).
 *
 * Why not a library: libpcap (1.10, Debian 12) writes only pcap: one link
 * type per file, no interfaces, no flags. libwiretap-dev (Wireshark 4.0's
 * wiretap) writes pcap-ng, but it brings glib and an internal ABI whose
 * soname changes with each Wireshark release, and it writes through
 * buffered file wrappers that leave a half block on a full disk; Wireshark's
 * own capture program, dumpcap, does not use it for live captures either
 * but writes blocks with a small writer of its own (writecap/pcapio.c), as
 * this is. The format is a handful of fixed blocks.
 *
 * Blocks are built whole in a buffer and written whole: a reader sees a
 * file that ends at a block boundary whenever nsmon stops (a signal, a pipe
 * closed), and after a failed write (a full disk) the file is cut back to
 * its last whole block, so it stays readable up to there.
 */
#ifndef NSMON_PCAPNG_H
#define NSMON_PCAPNG_H

#include <stddef.h>
#include <sys/uio.h>
#include <linux/types.h>

struct pcapng;

enum pcapng_direction {
	PCAPNG_INBOUND = 1,	/* epb_flags bits 0-1 */
	PCAPNG_OUTBOUND = 2,
};

/**
 * pcapng_open() - start a pcap-ng file on @fd (not closed by the writer):
 * its Section Header Block, naming @appl as the application that wrote it.
 * Return: 0 with *@out set, or -errno.
 */
int pcapng_open(int fd, const char *appl, struct pcapng **out);

/**
 * pcapng_add_interface() - describe one more interface: Ethernet frames cut
 * at @snaplen, @name (if_name), @description (if_description), @filter
 * (if_filter, NULL: none), timestamps in nanoseconds.
 * Return: its interface id (0, 1, ... in the order added), or -errno.
 */
int pcapng_add_interface(struct pcapng *w, const char *name, const char *description,
			 const char *filter, __u32 snaplen);

/**
 * pcapng_write_packet() - one frame seen on interface @iface at @ts_ns
 * (nanoseconds since the epoch), @orig_len bytes long on the wire, of which
 * the bytes in @parts (concatenated) were captured.
 * Return: 0 or -errno (the write failed: see pcapng_flush()).
 */
int pcapng_write_packet(struct pcapng *w, __u32 iface, __u64 ts_ns, __u32 orig_len,
			const struct iovec *parts, int nparts, enum pcapng_direction dir);

/* What an Interface Statistics Block says of one interface. */
struct pcapng_stats {
	__u64 start_ns, end_ns;	/* the capture's start and end (isb_starttime, isb_endtime) */
	__u64 received;		/* frames that passed the filter (isb_ifrecv) */
	__u64 dropped;		/* of those, lost before they were written (isb_ifdrop) */
	__u64 delivered;	/* written to this file (isb_usrdeliv) */
};

/* pcapng_write_stats() - the Interface Statistics Block of @iface, stamped @s->end_ns. */
int pcapng_write_stats(struct pcapng *w, __u32 iface, const struct pcapng_stats *s);

/**
 * pcapng_flush() - write out the buffered blocks. On a failed write, a
 * regular file is cut back to the end of its last whole block, and every
 * later call fails with the same error.
 * Return: 0 or -errno (-EPIPE: the reader went away).
 */
int pcapng_flush(struct pcapng *w);

/* pcapng_close() - flush and free (the error is pcapng_flush()'s). */
int pcapng_close(struct pcapng *w);

#endif
