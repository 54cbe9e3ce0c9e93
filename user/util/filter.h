/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The filter options every observing command shares, parsed in one place:
 *
 *   --proto P[,P...]     arp, icmp, icmp6, tcp, udp, ipv4, ipv6; any: all of them
 *   --host ADDR[,ADDR]   an IPv4 or IPv6 address at either end (ARP: sender
 *                        or target protocol address)
 *   --port N[,N...]      a TCP or UDP port at either end, 0-65535
 *
 * Several values of one option are a comma list (any of them); the options
 * together must all hold. The result is struct nsmon_filter
 * (include/filter_abi.h), which a BPF program carries in its .rodata and
 * matches frames against with bpf/filter.bpf.h.
 */
#ifndef NSMON_FILTER_H
#define NSMON_FILTER_H

#include <stddef.h>

#include "filter_abi.h"

enum filter_option {
	FILTER_PROTO,
	FILTER_HOST,
	FILTER_PORT,
};

/**
 * filter_add() - add the comma-separated values @text of option @opt to @f
 * (so an option given twice adds to what it said first); "any" in a --proto
 * list lifts every protocol restriction.
 * Return: 0, or -EINVAL with @why (of @size bytes) saying what is wrong.
 */
int filter_add(struct nsmon_filter *f, enum filter_option opt, const char *text,
	       char *why, size_t size);

/**
 * filter_parse() - @f from the three options as given (NULL: not given).
 * Prints one line naming the option, its value and what is wrong:
 *   invalid --proto "sctp": use arp, icmp, icmp6, tcp, udp, ipv4 or ipv6
 * Return: 0 or -EINVAL (a usage error).
 */
int filter_parse(struct nsmon_filter *f, const char *proto, const char *host, const char *port);

/* The names --proto takes, NULL-terminated (for completion). */
extern const char *const filter_proto_names[];

/*
 * The three options' parsers, in the shape of the declared command line's
 * custom parsers (cmd/filter_options.h): each adds @text's values to the
 * struct nsmon_filter at @dest, --proto's replacing the protocols a default
 * gave. Return: NULL, or why @text is refused.
 */
const char *filter_option_proto(const char *text, void *dest);
const char *filter_option_host(const char *text, void *dest);
const char *filter_option_port(const char *text, void *dest);

/**
 * filter_format() - @f as the options that say it ("--proto icmp --host
 * 192.168.15.2"), "" when it lets everything through.
 */
void filter_format(const struct nsmon_filter *f, char *buf, size_t size);

#endif
