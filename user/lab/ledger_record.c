// SPDX-License-Identifier: GPL-2.0
/* The ledger's one writer and one parser of a record line: see ledger_record.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lab/ledger_record.h"
#include "util/validate.h"

static const char *const kind_names[LEDGER_NKINDS] = {
	[LEDGER_BEGIN] = "begin",	[LEDGER_COMMIT] = "commit",
	[LEDGER_SUBNET] = "subnet",	[LEDGER_NETNS] = "netns",
	[LEDGER_LINK] = "link",		[LEDGER_PIN] = "pin",
	[LEDGER_QDISC] = "qdisc",	[LEDGER_FILTER] = "filter",
	[LEDGER_KEYS] = "keys",		[LEDGER_DONE] = "done",
	[LEDGER_CANCEL] = "cancel",
};

static const char *const op_names[LEDGER_NOPS] = {
	[LEDGER_OP_UP] = "up",		[LEDGER_OP_ATTACH] = "attach",
	[LEDGER_OP_DETACH] = "detach",	[LEDGER_OP_DOWN] = "down",
	[LEDGER_OP_AUTOATTACH] = "auto-attach",
};

bool ledger_kind_is_object(enum ledger_kind kind)
{
	return kind >= LEDGER_NETNS && kind <= LEDGER_KEYS;
}

/* Objects, done and cancel carry an id, always the second field. */
static bool kind_has_id(enum ledger_kind kind)
{
	return ledger_kind_is_object(kind) || kind == LEDGER_DONE || kind == LEDGER_CANCEL;
}

bool ledger_kind_is_attachment(enum ledger_kind kind)
{
	return kind == LEDGER_PIN || kind == LEDGER_QDISC || kind == LEDGER_FILTER ||
	       kind == LEDGER_KEYS;
}

const char *ledger_op_name(enum ledger_op op)
{
	return op < LEDGER_NOPS ? op_names[op] : "?";
}

/* ---- the writer ------------------------------------------------------------ */

struct out {
	char *buf;
	size_t size, len;
	bool overflow;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list args;
	int n;

	if (o->overflow)
		return;
	va_start(args, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, args);
	va_end(args);
	if (n < 0 || (size_t)n >= o->size - o->len)
		o->overflow = true;
	else
		o->len += n;
}

static bool plain(unsigned char c)
{
	return c > ' ' && c <= '~' && c != '%';
}

/* A text field: "-" for an empty one, else each byte as itself or %XX. */
static void put_text(struct out *o, const char *text)
{
	put(o, " ");
	if (!*text || !strcmp(text, "-")) {
		put(o, *text ? "%%2D" : "-");
		return;
	}
	for (const unsigned char *c = (const unsigned char *)text; *c; c++)
		put(o, plain(*c) ? "%c" : "%%%02X", *c);
}

int ledger_rec_format(const struct ledger_rec *r, char *buf, size_t size)
{
	struct out o = { .buf = buf, .size = size < LEDGER_LINE_MAX ? size : LEDGER_LINE_MAX };
	char addr[INET_ADDRSTRLEN];

	if (r->kind >= LEDGER_NKINDS || !size)
		return -EINVAL;
	put(&o, "%s", kind_names[r->kind]);
	if (kind_has_id(r->kind))
		put(&o, " %u", r->id);
	switch (r->kind) {
	case LEDGER_BEGIN:
		if (r->op >= LEDGER_NOPS)
			return -EINVAL;
		put(&o, " %s", op_names[r->op]);
		break;
	case LEDGER_SUBNET:
		inet_ntop(AF_INET, &(__u32){ htonl(r->subnet.network) }, addr, sizeof(addr));
		put(&o, " %s/%d", addr, r->subnet.prefixlen);
		break;
	case LEDGER_NETNS:
		put_text(&o, r->netns.name);
		put(&o, " %llu %llu %u", (unsigned long long)r->netns.inode,
		    (unsigned long long)r->netns.cookie, r->netns.host);
		break;
	case LEDGER_LINK:
		put_text(&o, r->link.name);
		put(&o, " %d", r->link.ifindex);
		break;
	case LEDGER_PIN:
		put_text(&o, r->pin.netns);
		put(&o, " %d", r->pin.ifindex);
		put_text(&o, r->pin.path);
		break;
	case LEDGER_QDISC:
		put_text(&o, r->qdisc.netns);
		put(&o, " %d", r->qdisc.ifindex);
		break;
	case LEDGER_FILTER:
		put_text(&o, r->filter.netns);
		put(&o, " %d %s %u %u", r->filter.ifindex, r->filter.egress ? "egress" : "ingress",
		    r->filter.handle, r->filter.prio);
		break;
	case LEDGER_KEYS:
		put_text(&o, r->keys.netns);
		put(&o, " %llu %d", (unsigned long long)r->keys.cookie, r->keys.ifindex);
		break;
	default:
		break;
	}
	return o.overflow ? -ENAMETOOLONG : (int)o.len;
}

/* ---- the parser ------------------------------------------------------------ */

#define MAX_FIELDS	8

struct field {
	const char *p;
	size_t len;
};

/* Split @line at single spaces; an empty field (two spaces, or one at an end) is an error. */
static int split(const char *line, size_t len, struct field *f)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != ' ')
			continue;
		if (i == start || n == MAX_FIELDS)
			return -1;
		f[n++] = (struct field){ line + start, i - start };
		start = i + 1;
	}
	return (int)n;
}

static bool is(const struct field *f, const char *word)
{
	return f->len == strlen(word) && !memcmp(f->p, word, f->len);
}

/* Decimal, digits only, at most @max. */
static bool get_u64(const struct field *f, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (!f->len || f->len > 20)
		return false;
	for (size_t i = 0; i < f->len; i++) {
		unsigned int d = (unsigned char)f->p[i] - '0';

		if (d > 9 || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static bool get_u32(const struct field *f, unsigned int min, unsigned int max, unsigned int *out)
{
	unsigned long long v;

	if (!get_u64(f, max, &v) || v < min)
		return false;
	*out = (unsigned int)v;
	return true;
}

static bool get_ifindex(const struct field *f, int *out)
{
	unsigned int v;

	if (!get_u32(f, 1, INT_MAX, &v))
		return false;
	*out = (int)v;
	return true;
}

static int hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A text field back into @out (NUL-terminated, shorter than @size); no NUL byte inside. */
static bool get_text(const struct field *f, char *out, size_t size)
{
	size_t n = 0;

	if (f->len == 1 && f->p[0] == '-') {
		*out = '\0';
		return true;
	}
	for (size_t i = 0; i < f->len; i++) {
		unsigned char c = f->p[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= f->len)
				return false;
			hi = hex(f->p[i + 1]);
			lo = hex(f->p[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return false;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else if (!plain(c)) {
			return false;
		}
		if (n + 1 >= size)
			return false;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return n > 0;
}

static bool netns_name_ok(const char *name)
{
	return *name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

/* A namespace label: "" (ours) or a name under /run/netns. */
static bool get_netns_label(const struct field *f, char *out)
{
	return get_text(f, out, LEDGER_NETNS_MAX) && (!*out || netns_name_ok(out));
}

static bool get_subnet(const struct field *f, struct ledger_rec *r)
{
	char text[32];
	struct subnet sn;

	if (f->len >= sizeof(text))
		return false;
	memcpy(text, f->p, f->len);
	text[f->len] = '\0';
	if (subnet_parse(text, &sn))
		return false;
	r->subnet.network = sn.network;
	r->subnet.prefixlen = sn.prefixlen;
	return true;
}

/* How many fields each kind has, its name first. */
static const int nfields[LEDGER_NKINDS] = {
	[LEDGER_BEGIN] = 2,	[LEDGER_COMMIT] = 1,	[LEDGER_SUBNET] = 2,
	[LEDGER_NETNS] = 6,	[LEDGER_LINK] = 4,	[LEDGER_PIN] = 5,
	[LEDGER_QDISC] = 4,	[LEDGER_FILTER] = 7,	[LEDGER_KEYS] = 5,
	[LEDGER_DONE] = 2,	[LEDGER_CANCEL] = 2,
};

static bool parse_fields(const struct field *f, struct ledger_rec *r)
{
	unsigned long long inode, cookie;
	unsigned int n;

	switch (r->kind) {
	case LEDGER_BEGIN:
		for (n = 0; n < LEDGER_NOPS; n++) {
			if (is(&f[1], op_names[n])) {
				r->op = (enum ledger_op)n;
				return true;
			}
		}
		return false;
	case LEDGER_COMMIT:
		return true;
	case LEDGER_SUBNET:
		return get_subnet(&f[1], r);
	case LEDGER_NETNS:
		if (!get_text(&f[2], r->netns.name, sizeof(r->netns.name)) ||
		    !netns_name_ok(r->netns.name) || !get_u64(&f[3], ~0ull, &inode) ||
		    !get_u64(&f[4], ~0ull, &cookie) || !get_u32(&f[5], 1, ~0u, &r->netns.host))
			return false;
		r->netns.inode = inode;
		r->netns.cookie = cookie;
		return true;
	case LEDGER_LINK:
		return get_text(&f[2], r->link.name, sizeof(r->link.name)) &&
		       !ifname_check(r->link.name) && get_ifindex(&f[3], &r->link.ifindex);
	case LEDGER_PIN:
		return get_netns_label(&f[2], r->pin.netns) && get_ifindex(&f[3], &r->pin.ifindex) &&
		       get_text(&f[4], r->pin.path, sizeof(r->pin.path)) && r->pin.path[0] == '/';
	case LEDGER_QDISC:
		return get_netns_label(&f[2], r->qdisc.netns) && get_ifindex(&f[3], &r->qdisc.ifindex);
	case LEDGER_FILTER:
		if (!is(&f[4], "ingress") && !is(&f[4], "egress"))
			return false;
		r->filter.egress = is(&f[4], "egress");
		return get_netns_label(&f[2], r->filter.netns) &&
		       get_ifindex(&f[3], &r->filter.ifindex) &&
		       get_u32(&f[5], 0, ~0u, &r->filter.handle) &&
		       get_u32(&f[6], 1, 0xffff, &r->filter.prio);
	case LEDGER_KEYS:
		if (!get_netns_label(&f[2], r->keys.netns) || !get_u64(&f[3], ~0ull, &cookie) ||
		    !get_ifindex(&f[4], &r->keys.ifindex))
			return false;
		r->keys.cookie = cookie;
		return true;
	case LEDGER_DONE:
	case LEDGER_CANCEL:
		return true;
	default:
		return false;
	}
}

int ledger_rec_parse(const char *line, size_t len, struct ledger_rec *r)
{
	struct field f[MAX_FIELDS];
	int n = len < LEDGER_LINE_MAX ? split(line, len, f) : -1;
	int kind;

	memset(r, 0, sizeof(*r));
	if (n < 1)
		return -EINVAL;
	for (kind = 0; kind < LEDGER_NKINDS; kind++)
		if (is(&f[0], kind_names[kind]))
			break;
	if (kind == LEDGER_NKINDS || n != nfields[kind])
		return -EINVAL;
	r->kind = (enum ledger_kind)kind;
	if (kind_has_id(r->kind) && !get_u32(&f[1], 1, ~0u - 1, &r->id))
		return -EINVAL;
	return parse_fields(f, r) ? 0 : -EINVAL;
}

void ledger_escape(const char *text, size_t len, char *buf, size_t size)
{
	size_t n = 0;

	if (size < 4) {		/* not even room for "..." */
		if (size)
			*buf = '\0';
		return;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = text[i];
		size_t need = c >= ' ' && c <= '~' && c != '\\' ? 1 : 4;

		if (n + need + 4 > size) {	/* room for "..." and the NUL */
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		if (need == 1)
			buf[n++] = (char)c;
		else
			n += snprintf(buf + n, size - n, "\\x%02x", c);
	}
	buf[n] = '\0';
}
