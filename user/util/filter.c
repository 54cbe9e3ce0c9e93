// SPDX-License-Identifier: GPL-2.0
/* The shared filter options: see filter.h. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "util/filter.h"
#include "util/log.h"

static const struct {
	const char *name;
	__u32 bit;
} protos[] = {
	{ "arp", NSMON_FILTER_ARP },
	{ "icmp", NSMON_FILTER_ICMP },
	{ "icmp6", NSMON_FILTER_ICMP6 },
	{ "tcp", NSMON_FILTER_TCP },
	{ "udp", NSMON_FILTER_UDP },
	{ "ipv4", NSMON_FILTER_IPV4 },
	{ "ipv6", NSMON_FILTER_IPV6 },
};

#define NPROTOS	(sizeof(protos) / sizeof(protos[0]))

static const char *const option_names[] = { "--proto", "--host", "--port" };

const char *const filter_proto_names[] = {
	"arp", "icmp", "icmp6", "tcp", "udp", "ipv4", "ipv6", "any", NULL,
};

/* @item into @f; "any" sets *@any: every protocol, whatever else the list says. */
static int add_proto(struct nsmon_filter *f, const char *item, bool *any, char *why, size_t size)
{
	if (!strcmp(item, "any")) {
		*any = true;
		return 0;
	}
	for (size_t i = 0; i < NPROTOS; i++) {
		if (!strcmp(item, protos[i].name)) {
			f->protos |= protos[i].bit;
			return 0;
		}
	}
	snprintf(why, size, "\"%s\" is not one of arp, icmp, icmp6, tcp, udp, ipv4, ipv6, any", item);
	return -EINVAL;
}

static int add_host(struct nsmon_filter *f, const char *item, char *why, size_t size)
{
	struct nsmon_filter_addr a;
	struct in_addr in;

	if (inet_pton(AF_INET, item, &in) == 1) {
		nsmon_filter_addr_from(&a, &in, 0);
	} else if (inet_pton(AF_INET6, item, a.w) != 1) {
		snprintf(why, size, "\"%s\" is not an IPv4 or IPv6 address", item);
		return -EINVAL;
	}
	for (int i = 0; i < f->nhosts; i++)
		if (nsmon_filter_addr_eq(&f->hosts[i], &a))
			return 0;
	if (f->nhosts >= NSMON_FILTER_HOSTS) {
		snprintf(why, size, "more than %d addresses", NSMON_FILTER_HOSTS);
		return -EINVAL;
	}
	f->hosts[f->nhosts++] = a;
	return 0;
}

static int add_port(struct nsmon_filter *f, const char *item, char *why, size_t size)
{
	unsigned long port;
	char *end;

	errno = 0;
	port = strtoul(item, &end, 10);
	if (!isdigit((unsigned char)item[0]) || *end || errno || port > 65535) {
		snprintf(why, size, "\"%s\" is not a port number 0-65535", item);
		return -EINVAL;
	}
	for (int i = 0; i < f->nports; i++)
		if (f->ports[i] == port)
			return 0;
	if (f->nports >= NSMON_FILTER_PORTS) {
		snprintf(why, size, "more than %d ports", NSMON_FILTER_PORTS);
		return -EINVAL;
	}
	f->ports[f->nports++] = port;
	return 0;
}

int filter_add(struct nsmon_filter *f, enum filter_option opt, const char *text,
	       char *why, size_t size)
{
	char *copy = strdup(text), *item, *rest;
	bool any = false;
	int err = 0;

	if (!copy) {
		snprintf(why, size, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	/* strsep, not strtok: "tcp,,udp" and a trailing comma are mistakes to report. */
	rest = copy;
	while (!err && (item = strsep(&rest, ",")) != NULL) {
		if (!*item) {
			snprintf(why, size, "an empty item in the list");
			err = -EINVAL;
		} else if (opt == FILTER_PROTO) {
			err = add_proto(f, item, &any, why, size);
		} else if (opt == FILTER_HOST) {
			err = add_host(f, item, why, size);
		} else {
			err = add_port(f, item, why, size);
		}
	}
	free(copy);
	if (!err && any)
		f->protos = 0;
	return err;
}

int filter_parse(struct nsmon_filter *f, const char *proto, const char *host, const char *port)
{
	const char *texts[] = { proto, host, port };
	char why[96];

	memset(f, 0, sizeof(*f));
	for (int opt = FILTER_PROTO; opt <= FILTER_PORT; opt++) {
		if (!texts[opt])
			continue;
		if (filter_add(f, opt, texts[opt], why, sizeof(why))) {
			pr_warn("invalid %s \"%s\": %s", option_names[opt], texts[opt], why);
			return -EINVAL;
		}
	}
	return 0;
}

static const char *option(enum filter_option opt, const char *text, void *dest)
{
	static __thread char why[96];

	return filter_add(dest, opt, text, why, sizeof(why)) ? why : NULL;
}

const char *filter_option_proto(const char *text, void *dest)
{
	struct nsmon_filter *f = dest;
	__u32 before = f->protos;
	const char *why;

	/* What the user types replaces a command's default (path's icmp), not adds to it. */
	f->protos = 0;
	why = option(FILTER_PROTO, text, dest);
	if (why)
		f->protos = before;
	return why;
}

const char *filter_option_host(const char *text, void *dest)
{
	return option(FILTER_HOST, text, dest);
}

const char *filter_option_port(const char *text, void *dest)
{
	return option(FILTER_PORT, text, dest);
}

/* Append @text to @buf (of @size, holding @len bytes), never past its end. */
static size_t append(char *buf, size_t size, size_t len, const char *text)
{
	int n;

	if (len >= size)
		return len;
	n = snprintf(buf + len, size - len, "%s", text);
	return n < 0 ? len : len + n;
}

static void format_addr(const struct nsmon_filter_addr *a, char *buf, size_t size)
{
	if (!a->w[0] && !a->w[1] && a->w[2] == htonl(0xffff))
		inet_ntop(AF_INET, &a->w[3], buf, size);
	else
		inet_ntop(AF_INET6, a->w, buf, size);
}

void filter_format(const struct nsmon_filter *f, char *buf, size_t size)
{
	char item[INET6_ADDRSTRLEN];
	const char *sep = " --proto ";
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NPROTOS; i++) {
		if (!(f->protos & protos[i].bit))
			continue;
		len = append(buf, size, len, sep);
		len = append(buf, size, len, protos[i].name);
		sep = ",";
	}
	for (int i = 0; i < f->nhosts; i++) {
		format_addr(&f->hosts[i], item, sizeof(item));
		len = append(buf, size, len, i ? "," : " --host ");
		len = append(buf, size, len, item);
	}
	for (int i = 0; i < f->nports; i++) {
		snprintf(item, sizeof(item), "%u", f->ports[i]);
		len = append(buf, size, len, i ? "," : " --port ");
		len = append(buf, size, len, item);
	}
	/* Drop the leading space. */
	if (buf[0] == ' ')
		memmove(buf, buf + 1, strlen(buf));
}
