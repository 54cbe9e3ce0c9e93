// SPDX-License-Identifier: GPL-2.0
/* Names and subnets a user may give: see validate.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "util/validate.h"

#define VETH_BR_OVERHEAD (sizeof("veth-") - 1 + sizeof("-br") - 1)

const char *ifname_check(const char *name)
{
	if (!*name)
		return "is empty";
	if (strlen(name) >= IF_NAMESIZE)
		return "is longer than 15 bytes";
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "is reserved";
	for (const char *c = name; *c; c++) {
		if (*c == '/' || *c == ':' || isspace((unsigned char)*c))
			return "contains '/', ':' or white space";
		if (iscntrl((unsigned char)*c))
			return "contains a control character";
	}
	return NULL;
}

const char *netns_name_check(const char *name)
{
	const char *why = ifname_check(name);

	if (why)
		return why;
	/* `ip netns exec -x` would take it for an option: no tool could name it. */
	if (name[0] == '-')
		return "starts with '-'";
	if (strlen(name) + VETH_BR_OVERHEAD >= IF_NAMESIZE)
		return "is too long: veth-NAME-br must fit in 15 bytes, so at most 7 bytes";
	return NULL;
}

/* One decimal octet with no sign, no leading '+' and no trailing junk. */
static bool parse_uint(const char *s, const char *end, unsigned long max, unsigned long *out)
{
	char *stop;

	if (s == end || !isdigit((unsigned char)*s) || end - s > 3)
		return false;
	errno = 0;
	*out = strtoul(s, &stop, 10);
	return !errno && stop == end && *out <= max;
}

const char *subnet_parse(const char *text, struct subnet *out)
{
	const char *slash = strchr(text, '/'), *p = text;
	unsigned long octet, len;
	__u32 addr = 0;

	if (!slash)
		return "is not in CIDR form A.B.C.D/LEN";
	for (int i = 0; i < 4; i++) {
		const char *end = i < 3 ? memchr(p, '.', slash - p) : slash;

		if (!end || !parse_uint(p, end, 255, &octet))
			return "is not in CIDR form A.B.C.D/LEN";
		addr = addr << 8 | octet;
		p = end + 1;
	}
	if (!parse_uint(slash + 1, slash + 1 + strlen(slash + 1), 32, &len))
		return "has a prefix length that is not 0..32";
	if (len < 32 && (addr & (0xffffffffu >> len)))
		return "has host bits set (give the network address)";
	out->network = addr;
	out->prefixlen = (int)len;
	return NULL;
}

/* Ranges no lab belongs in, and why: what a user of `ip` would call absurd. */
static const struct {
	__u32 network;
	int prefixlen;
	const char *why;
} refused[] = {
	{ 0x00000000, 8, "overlaps 0.0.0.0/8 (\"this network\", not an address to give)" },
	{ 0x7f000000, 8, "overlaps loopback 127.0.0.0/8" },
	{ 0xa9fe0000, 16, "overlaps link-local 169.254.0.0/16 (autoconfiguration only)" },
	{ 0xe0000000, 4, "overlaps multicast 224.0.0.0/4" },
	{ 0xf0000000, 4, "overlaps reserved 240.0.0.0/4 (and broadcast)" },
};

static __u32 mask(int prefixlen)
{
	return prefixlen ? 0xffffffffu << (32 - prefixlen) : 0;
}

const char *subnet_check(const struct subnet *s)
{
	if (s->prefixlen == 0)
		return "is /0: every address there is";
	if (s->prefixlen < 8)
		return "is wider than a /8: no lab needs that many addresses";
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		/* Two prefixes overlap when they agree on the shorter one's bits. */
		int len = s->prefixlen < refused[i].prefixlen ? s->prefixlen : refused[i].prefixlen;

		if (!((s->network ^ refused[i].network) & mask(len)))
			return refused[i].why;
	}
	return NULL;
}

__u64 subnet_hosts(const struct subnet *s)
{
	__u64 size = 1ull << (32 - s->prefixlen);

	/* /31 and /32 leave no room once the network and broadcast are excluded. */
	return size > 2 ? size - 2 : 0;
}

__u32 subnet_host(const struct subnet *s, unsigned int i)
{
	return s->network + i;
}
