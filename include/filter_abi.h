/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one filter of every observing command (--proto, --host, --port):
 * what userspace parses it into (user/util/filter.c), what a BPF program
 * carries in its .rodata, and the one rule that decides whether a frame
 * matches, shared by the programs (bpf/filter.bpf.h reads the frame) and
 * userspace, as place_sums.h shares its rule.
 *
 * Within an option the values are alternatives, across options all must
 * hold: `--proto tcp,udp --host 192.168.15.2 --port 53` is
 * (tcp or udp) and (either end 192.168.15.2) and (either port 53).
 */
#ifndef NSMON_FILTER_ABI_H
#define NSMON_FILTER_ABI_H

#ifndef __bpf__
#include <linux/types.h>
#endif

/* What a frame is, one bit each; --proto names a set of them. */
enum nsmon_filter_proto {
	NSMON_FILTER_ARP	= 1U << 0,	/* EtherType ARP */
	NSMON_FILTER_ICMP	= 1U << 1,	/* IPv4, protocol 1 */
	NSMON_FILTER_ICMP6	= 1U << 2,	/* IPv6, next header 58 after the skipped extensions */
	NSMON_FILTER_TCP	= 1U << 3,	/* IPv4 or IPv6 */
	NSMON_FILTER_UDP	= 1U << 4,	/* IPv4 or IPv6 */
	NSMON_FILTER_IPV4	= 1U << 5,	/* EtherType IPv4 */
	NSMON_FILTER_IPV6	= 1U << 6,	/* EtherType IPv6 */
};

#define NSMON_FILTER_HOSTS	8
#define NSMON_FILTER_PORTS	8

/*
 * An address as the filter compares it: IPv6 as is, IPv4 mapped
 * (::ffff:a.b.c.d), so that one comparison serves both and an IPv4 --host
 * never matches an IPv6 frame's native addresses.
 */
struct nsmon_filter_addr {
	__u32 w[4];			/* network byte order */
};

struct nsmon_filter {
	__u32 protos;			/* enum nsmon_filter_proto bits; 0: any */
	__u8 nhosts;			/* 0: any address */
	__u8 nports;			/* 0: any port */
	__u16 pad;
	struct nsmon_filter_addr hosts[NSMON_FILTER_HOSTS];
	__u16 ports[NSMON_FILTER_PORTS];	/* host byte order */
};

/*
 * What the filter needs of a frame, read by whoever can read it (a tc
 * program from the skb, a tracepoint from the kernel's skb, userspace from
 * a copy). ARP's addresses are its sender and target protocol addresses
 * (as tcpdump's `host` matches ARP); ports are TCP's and UDP's only.
 */
struct nsmon_frame_keys {
	__u32 protos;			/* enum nsmon_filter_proto bits the frame has */
	struct nsmon_filter_addr saddr;
	struct nsmon_filter_addr daddr;
	__u16 sport, dport;		/* host byte order */
	__u8 has_addrs;
	__u8 has_ports;
	__u8 pad[2];
};

/*
 * @a as the filter compares it: the IPv6 address at @addr (16 bytes) with
 * @is_v6, else the IPv4 one (4 bytes), mapped. Byte by byte: it needs no
 * byte-order helper, so BPF and userspace share it.
 */
static inline void nsmon_filter_addr_from(struct nsmon_filter_addr *a, const void *addr,
					  int is_v6)
{
	__u8 *b = (__u8 *)a->w;

	if (is_v6) {
		__builtin_memcpy(a->w, addr, 16);
		return;
	}
	a->w[0] = 0;
	a->w[1] = 0;
	b[8] = 0;
	b[9] = 0;
	b[10] = 0xff;
	b[11] = 0xff;
	__builtin_memcpy(&a->w[3], addr, 4);
}

/* Is the filter empty (everything matches)? */
static inline int nsmon_filter_is_empty(const struct nsmon_filter *f)
{
	return !f->protos && !f->nhosts && !f->nports;
}

static inline int nsmon_filter_addr_eq(const struct nsmon_filter_addr *a,
				       const struct nsmon_filter_addr *b)
{
	return a->w[0] == b->w[0] && a->w[1] == b->w[1] && a->w[2] == b->w[2] &&
	       a->w[3] == b->w[3];
}

/**
 * nsmon_filter_match() - does the frame @k describes pass @f? Any of the
 * protocols, and any of the hosts at either end, and any of the ports at
 * either end; an option not given lets everything through.
 */
static inline int nsmon_filter_match(const struct nsmon_filter *f, const struct nsmon_frame_keys *k)
{
	int hit;

	if (f->protos && !(f->protos & k->protos))
		return 0;
	if (f->nhosts) {
		hit = 0;
		if (!k->has_addrs)
			return 0;
		for (int i = 0; i < NSMON_FILTER_HOSTS; i++) {
			if (i >= f->nhosts)
				break;
			if (nsmon_filter_addr_eq(&f->hosts[i], &k->saddr) ||
			    nsmon_filter_addr_eq(&f->hosts[i], &k->daddr)) {
				hit = 1;
				break;
			}
		}
		if (!hit)
			return 0;
	}
	if (f->nports) {
		hit = 0;
		if (!k->has_ports)
			return 0;
		for (int i = 0; i < NSMON_FILTER_PORTS; i++) {
			if (i >= f->nports)
				break;
			if (f->ports[i] == k->sport || f->ports[i] == k->dport) {
				hit = 1;
				break;
			}
		}
		if (!hit)
			return 0;
	}
	return 1;
}

#endif
