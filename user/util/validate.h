/* SPDX-License-Identifier: GPL-2.0 */
/* Checks of what users type: names and subnets, before anything is created. */
#ifndef NSMON_VALIDATE_H
#define NSMON_VALIDATE_H

#include <stdbool.h>
#include <linux/types.h>

struct subnet {
	__u32 network;		/* host byte order */
	int prefixlen;
};

/**
 * ifname_check() - is @name a name the kernel accepts for an interface
 * (dev_valid_name: 1..15 bytes, not "." or "..", no '/', ':' or white space)?
 * We also refuse control characters, which no user means.
 * Return: NULL if valid, else the reason ("is longer than 15 bytes").
 */
const char *ifname_check(const char *name);

/**
 * netns_name_check() - can @name be a lab namespace: a valid interface-name
 * token whose bridge-side veth "veth-NAME-br" still fits in 15 bytes?
 * Return: NULL if valid, else the reason.
 */
const char *netns_name_check(const char *name);

/**
 * subnet_parse() - parse "A.B.C.D/LEN" strictly: four decimal octets,
 * prefix 0..32, no host bits set.
 * Return: NULL if valid (@out filled), else the reason.
 */
const char *subnet_parse(const char *text, struct subnet *out);

/**
 * subnet_check() - is @s a subnet for a lab: not /0 nor wider than a /8,
 * and clear of loopback, multicast, link-local, 0.0.0.0/8 and 240.0.0.0/4?
 * Return: NULL if so, else the reason ("overlaps loopback 127.0.0.0/8").
 */
const char *subnet_check(const struct subnet *s);

/* How many host addresses @s offers (network and broadcast excluded). */
__u64 subnet_hosts(const struct subnet *s);

/* The i-th host address of @s (1-based), host byte order. */
__u32 subnet_host(const struct subnet *s, unsigned int i);

#endif
