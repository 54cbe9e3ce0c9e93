// SPDX-License-Identifier: GPL-2.0
/*
 * Events as NDJSON and as human lines: see event_write.h. The NDJSON is
 * what jansson's JSON_COMPACT | JSON_PRESERVE_ORDER wrote before (the same
 * keys in the same order, the same escapes), the human lines what printf
 * wrote: both unchanged for every event type (tests/unit/test_event_write.c
 * holds the lines an earlier nsmon printed).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "events/event_write.h"

/* ---- the buffer ------------------------------------------------------------ */

void event_buf_init(struct event_buf *b)
{
	memset(b, 0, sizeof(*b));
	b->stamp_sec = -1;
}

void event_buf_free(struct event_buf *b)
{
	free(b->p);
	event_buf_init(b);
}

/* Grow for @n more bytes; false (and b->err) when there is no memory. */
static bool __attribute__((noinline)) grow_buf(struct event_buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->err)
		return false;
	cap = b->cap ? b->cap : 64 * 1024;
	while (cap < b->len + n)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->err = -ENOMEM;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

int event_buf_flush(struct event_buf *b, int fd)
{
	size_t off = 0;

	while (off < b->len) {
		ssize_t n = write(fd, b->p + off, b->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			b->len = 0;
			return err;
		}
		off += n;
	}
	b->len = 0;
	return b->err;
}

/*
 * Room for @n more bytes. Inline, and the growing out of line: an event is
 * some forty small pieces, and a call for each was most of its cost.
 */
static inline bool reserve(struct event_buf *b, size_t n)
{
	return __builtin_expect(b->len + n <= b->cap, 1) || grow_buf(b, n);
}

static inline void put(struct event_buf *b, const char *s, size_t n)
{
	if (reserve(b, n)) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
	}
}

void event_buf_put(struct event_buf *b, const char *s, size_t n)
{
	put(b, s, n);
}

/* A string literal, its length known at compile time. */
#define PUT_LIT(b, lit)	put((b), (lit), sizeof(lit) - 1)

static inline void put_str(struct event_buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static inline void put_char(struct event_buf *b, char c)
{
	if (reserve(b, 1))
		b->p[b->len++] = c;
}

static void put_u64(struct event_buf *b, unsigned long long v)
{
	char digits[20];
	int n = 0;

	do {
		digits[sizeof(digits) - ++n] = '0' + v % 10;
		v /= 10;
	} while (v);
	put(b, digits + sizeof(digits) - n, n);
}

static void put_s64(struct event_buf *b, long long v)
{
	if (v < 0) {
		put_char(b, '-');
		put_u64(b, -(unsigned long long)v);
	} else {
		put_u64(b, v);
	}
}

/* printf into the buffer, for the human lines' rarer parts. */
static void __attribute__((format(printf, 2, 3))) put_fmt(struct event_buf *b, const char *fmt,
							  ...)
{
	va_list ap;
	int n;

	if (!reserve(b, 128))
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		if (!reserve(b, n + 1))
			return;
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += n;
}

static const char hex[] = "0123456789abcdef";

static void put_mac(struct event_buf *b, const __u8 *mac)
{
	char text[17];

	for (int i = 0; i < 6; i++) {
		text[3 * i] = hex[mac[i] >> 4];
		text[3 * i + 1] = hex[mac[i] & 15];
		if (i < 5)
			text[3 * i + 2] = ':';
	}
	put(b, text, sizeof(text));
}

static void put_addr(struct event_buf *b, int family, const __u8 *addr)
{
	char text[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, text, sizeof(text));
	put_str(b, text);
}

/* "2026-11-25T15:04:05.123456Z": the date once a second, the microseconds each time. */
static void put_stamp(struct event_buf *b, __u64 time_us)
{
	time_t sec = time_us / 1000000;
	unsigned int us = time_us % 1000000;
	char frac[8];

	if (sec != b->stamp_sec) {
		struct tm tm;

		gmtime_r(&sec, &tm);
		strftime(b->stamp, sizeof(b->stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		b->stamp_sec = sec;
	}
	put_str(b, b->stamp);
	frac[0] = '.';
	for (int i = 6; i >= 1; i--, us /= 10)
		frac[i] = '0' + us % 10;
	frac[7] = 'Z';
	put(b, frac, sizeof(frac));
}

/* ---- JSON strings ---------------------------------------------------------- */

/*
 * The length of the valid UTF-8 sequence at @s (at most @n bytes), 0 if
 * there is none: the rules jansson checks a string by (no overlong forms,
 * no surrogates, nothing above U+10FFFF).
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned int cp, len, min;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, min = 0x80, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, min = 0x800, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, min = 0x10000, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (unsigned int i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * @s as a JSON string, escaped as jansson escapes: '"', '\\' and the
 * control characters (\b \f \n \r \t, else \u00XX), everything else as it
 * is. Names come from the kernel and from /run/netns and need not be UTF-8:
 * jansson refused those (and the event with them), here each byte that is
 * not UTF-8 becomes U+FFFD, so the line stays valid JSON.
 */
static void put_json_str(struct event_buf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str, *run = s;
	size_t n = strlen(str);
	char *out;

	/* The worst case, \uFFFD for every byte, at once: the loop below writes unchecked. */
	if (!reserve(b, 6 * n + 2))
		return;
	out = b->p + b->len;
	*out++ = '"';
	while (n) {
		const char *esc;
		size_t len;

		if (*s >= 0x20 && *s < 0x80 && *s != '"' && *s != '\\') {
			s++, n--;
			continue;
		}
		len = *s < 0x80 ? 1 : utf8_len(s, n);
		if (len > 1) {
			s += len, n -= len;
			continue;
		}
		memcpy(out, run, s - run);
		out += s - run;
		switch (*s) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			esc = NULL;
		}
		if (esc) {
			memcpy(out, esc, 2);
			out += 2;
		} else if (len) {	/* a control character: \u00XX, as jansson's "\\u%04X" */
			memcpy(out, "\\u00", 4);
			out[4] = "0123456789ABCDEF"[*s >> 4];
			out[5] = "0123456789ABCDEF"[*s & 15];
			out += 6;
		} else {
			memcpy(out, "\\uFFFD", 6);
			out += 6;
		}
		s++, n--;
		run = s;
	}
	memcpy(out, run, s - run);
	out += s - run;
	*out++ = '"';
	b->len = out - b->p;
}

/* ---- JSON fields: one writer per kind of value ------------------------------ */

/*
 * ,"key": in one piece (every event's object starts with "time", so each
 * field has a comma before it). Keys are string literals: their length is
 * known at compile time.
 */
#define KEY(b, name)	PUT_LIT((b), ",\"" name "\":")

#define field_str(b, name, value)	do { KEY(b, name); put_json_str(b, value); } while (0)
#define field_u64(b, name, value)	do { KEY(b, name); put_u64(b, value); } while (0)
#define field_s64(b, name, value)	do { KEY(b, name); put_s64(b, value); } while (0)
#define field_bool(b, name, value)	do { KEY(b, name); put_bool(b, value); } while (0)

/* A string, or null for NULL (and with @empty_null, for ""). */
#define field_str_or_null(b, name, value, empty_null) \
	do { KEY(b, name); put_json_str_or_null(b, value, empty_null); } while (0)

/* A number, or null for 0 (an ifindex, a pid, an inode that is not known). */
#define field_u64_or_null(b, name, value) \
	do { KEY(b, name); put_u64_or_null(b, value); } while (0)

#define field_mac(b, name, mac)	\
	do { KEY(b, name); put_char(b, '"'); put_mac(b, mac); put_char(b, '"'); } while (0)

#define field_addr(b, name, family, addr) \
	do { KEY(b, name); put_char(b, '"'); put_addr(b, family, addr); put_char(b, '"'); } while (0)

static void put_json_str_or_null(struct event_buf *b, const char *value, bool empty_null)
{
	if (!value || (empty_null && !value[0]))
		PUT_LIT(b, "null");
	else
		put_json_str(b, value);
}

static void put_u64_or_null(struct event_buf *b, unsigned long long value)
{
	if (value)
		put_u64(b, value);
	else
		PUT_LIT(b, "null");
}

static void put_bool(struct event_buf *b, bool value)
{
	if (value)
		PUT_LIT(b, "true");
	else
		PUT_LIT(b, "false");
}

/* "0xffffffff82137614": a kernel address, as "0x%llx". */
static void put_hex(struct event_buf *b, unsigned long long v)
{
	char digits[18];
	int n = 0;

	do {
		digits[sizeof(digits) - ++n] = hex[v & 15];
		v >>= 4;
	} while (v);
	digits[sizeof(digits) - ++n] = 'x';
	digits[sizeof(digits) - ++n] = '0';
	put(b, digits + sizeof(digits) - n, n);
}

/* "netns", "netns_inode", "ifname", "ifindex": where an interface-level event happened. */
static void fields_where(struct event_buf *b, const struct event_where *w)
{
	field_str_or_null(b, "netns", w->netns, false);
	field_u64(b, "netns_inode", w->netns_inode);
	field_str_or_null(b, "ifname", w->ifname, true);
	field_u64_or_null(b, "ifindex", w->ifindex);
}

/* ---- names of values ------------------------------------------------------- */

static const char *const netns_actions[] = { "added", "deleted" };
static const char *const ns_actions[] = { "created", "entered", "gone" };
static const char *const link_actions[] = {
	"added", "deleted", "moved", "up", "down", "enslaved", "released", "renamed",
};
static const char *const fdb_actions[] = { "learned", "moved", "deleted", "added" };
static const char *const attach_actions[] = { "attached", "counted", "detached", "released" };
static const char *const type_tags[EVENT_TYPE_MAX] = {
	"NETNS", "NS", "LINK", "ADDR", "NEIGH", "FDB", "DROP", "COUNTERS", "ATTACH", "LOST",
};

const char *event_netns_name(const struct nsmon_event *ev)
{
	switch (ev->type) {
	case EVENT_LINK:
		return ev->link.where.netns;
	case EVENT_ADDR:
		return ev->addr.where.netns;
	case EVENT_NEIGH:
		return ev->neigh.where.netns;
	case EVENT_FDB:
		return ev->fdb.where.netns;
	case EVENT_DROP:
		return ev->drop.where.netns;
	case EVENT_COUNTERS:
		return ev->counters.netns;
	default:
		return NULL;
	}
}

const char *event_fdb_action_name(enum event_fdb_action action)
{
	return fdb_actions[action];
}

const char *event_nud_name(__u8 state)
{
	static const char *const bits[] = {
		"INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "NOARP", "PERMANENT",
	};

	for (int i = 0; i < 8; i++)
		if (state & (1U << i))
			return bits[i];	/* the kernel sets one state bit at a time */
	return "NONE";
}

static const char *family_name(int family)
{
	return family == AF_INET6 ? "inet6" : "inet";
}

/* ---- NDJSON ----------------------------------------------------------------- */

static void json_ns(struct event_buf *b, const struct event_ns *ns)
{
	field_str(b, "action", ns_actions[ns->action]);
	field_str(b, "ns_type", ns->ns_type);
	field_u64(b, "inode", ns->inode);
	if (ns->action == EVENT_NS_GONE) {
		field_bool(b, "time_approximate", true);
		return;
	}
	field_u64(b, "parent_inode", ns->parent_inode);
	field_str(b, "syscall", ns->syscall);
	field_u64(b, "pid", ns->pid);
	field_str(b, "comm", ns->comm);
	field_u64_or_null(b, "child_pid", ns->child_pid);
}

static void json_link(struct event_buf *b, const struct event_link *l)
{
	fields_where(b, &l->where);
	field_str(b, "action", link_actions[l->action]);
	field_str(b, "kind", l->kind);
	field_bool(b, "up", l->up);
	field_str_or_null(b, "master", l->master, false);
	if (l->action == EVENT_LINK_MOVED) {
		field_str_or_null(b, "to_netns", l->to.netns, false);
		field_u64_or_null(b, "to_netns_inode", l->to.netns_inode);
		field_u64_or_null(b, "to_ifindex", l->to.ifindex);
	}
}

static void json_counters(struct event_buf *b, const struct event_counters *c)
{
	field_str(b, "netns", c->netns);
	field_str(b, "ifname", c->ifname);
	for (int d = 0; d < 2; d++) {
		const long long *v = d ? c->tx : c->rx;

		if (d)
			KEY(b, "tx");
		else
			KEY(b, "rx");
		put_char(b, '{');
		for (int i = 0; i < EVENT_DELTA_MAX; i++) {
			if (i)
				put_char(b, ',');
			put_char(b, '"');
			put_str(b, event_delta_names[i]);
			PUT_LIT(b, "\":");
			put_s64(b, v[i]);
		}
		put_char(b, '}');
	}
}

static void json_attach(struct event_buf *b, const struct event_attach *a)
{
	field_str(b, "action", attach_actions[a->action]);
	field_str(b, "bridge", a->bridge);
	field_str(b, "port", a->port);
	field_s64(b, "ifindex", a->ifindex);
	field_str_or_null(b, "peer", a->peer, false);
	field_str_or_null(b, "peer_netns", a->peer_netns, false);
	if (a->has_baseline) {
		KEY(b, "before_monitoring");
		PUT_LIT(b, "{\"rx\":{\"packets\":");
		put_u64(b, a->before.rx_packets);
		PUT_LIT(b, ",\"bytes\":");
		put_u64(b, a->before.rx_bytes);
		PUT_LIT(b, "},\"tx\":{\"packets\":");
		put_u64(b, a->before.tx_packets);
		PUT_LIT(b, ",\"bytes\":");
		put_u64(b, a->before.tx_bytes);
		PUT_LIT(b, "}}");
	}
}

void event_write_json(struct event_buf *b, const struct nsmon_event *ev)
{
	PUT_LIT(b, "{\"time\":\"");
	put_stamp(b, ev->time_us);
	PUT_LIT(b, "\",\"time_us\":");
	put_u64(b, ev->time_us);
	field_str(b, "type", event_type_names[ev->type]);
	switch (ev->type) {
	case EVENT_NETNS:
		field_str(b, "action", netns_actions[ev->netns.action]);
		field_str(b, "name", ev->netns.name);
		field_u64_or_null(b, "inode", ev->netns.inode);
		break;
	case EVENT_NS:
		json_ns(b, &ev->ns);
		break;
	case EVENT_LINK:
		json_link(b, &ev->link);
		break;
	case EVENT_ADDR:
		fields_where(b, &ev->addr.where);
		field_str(b, "action", ev->addr.added ? "added" : "removed");
		field_str(b, "family", family_name(ev->addr.family));
		if (ev->addr.has_address)
			field_addr(b, "address", ev->addr.family, ev->addr.address);
		else
			field_str(b, "address", "?");
		field_s64(b, "prefixlen", ev->addr.prefixlen);
		break;
	case EVENT_NEIGH:
		fields_where(b, &ev->neigh.where);
		field_str(b, "family", family_name(ev->neigh.family));
		field_addr(b, "address", ev->neigh.family, ev->neigh.address);
		field_mac(b, "lladdr", ev->neigh.lladdr);
		field_str(b, "old_state", ev->neigh.created ? "NONE" : event_nud_name(ev->neigh.old_state));
		field_str(b, "new_state", event_nud_name(ev->neigh.new_state));
		field_bool(b, "created", ev->neigh.created);
		break;
	case EVENT_FDB:
		fields_where(b, &ev->fdb.where);
		field_str(b, "action", fdb_actions[ev->fdb.action]);
		field_str(b, "bridge", ev->fdb.bridge);
		field_s64(b, "bridge_ifindex", ev->fdb.bridge_ifindex);
		field_mac(b, "mac", ev->fdb.mac);
		field_u64(b, "vlan", ev->fdb.vlan);
		if (ev->fdb.action == EVENT_FDB_MOVED)
			field_s64(b, "old_port_ifindex", ev->fdb.old_port_ifindex);
		break;
	case EVENT_DROP:
		fields_where(b, &ev->drop.where);
		field_str(b, "reason", ev->drop.reason_name);
		field_u64(b, "reason_code", ev->drop.reason);
		field_u64(b, "protocol", ev->drop.protocol);
		KEY(b, "location");
		put_char(b, '"');
		put_hex(b, ev->drop.location);
		put_char(b, '"');
		field_u64(b, "pid", ev->drop.pid);
		field_str(b, "comm", ev->drop.comm);
		break;
	case EVENT_COUNTERS:
		json_counters(b, &ev->counters);
		break;
	case EVENT_ATTACH:
		json_attach(b, &ev->attach);
		break;
	case EVENT_LOST:
		field_str(b, "source", ev->lost.source);
		field_u64(b, "lost", ev->lost.lost);
		field_u64(b, "lost_total", ev->lost.lost_total);
		break;
	case EVENT_TYPE_MAX:
		break;
	}
	PUT_LIT(b, "}\n");
}

/* ---- human lines ------------------------------------------------------------ */

/* "red", "host", "nsid:3", or "net:[4026532247]" for a namespace with no name. */
static void put_label(struct event_buf *b, const struct event_where *w)
{
	if (w->label)
		put_str(b, w->label);
	else
		put_fmt(b, "net:[%llu]", (unsigned long long)w->netns_inode);
}

static const char *dash_if_empty(const char *s)
{
	return s && s[0] ? s : "-";
}

static void text_ns(struct event_buf *b, const struct event_ns *ns)
{
	if (ns->action == EVENT_NS_GONE) {
		put_fmt(b, "gone %s:[%llu] (noticed within %u ms)", ns->ns_type,
			(unsigned long long)ns->inode, ns->within_ms);
		return;
	}
	put_fmt(b, "%s %s:[%llu] by %s[%u] via %s%s (was %s:[%llu])", ns_actions[ns->action],
		ns->ns_type, (unsigned long long)ns->inode, ns->comm,
		ns->child_pid ? ns->child_pid : ns->pid, ns->syscall,
		ns->child_pid ? " (child)" : "", ns->ns_type, (unsigned long long)ns->parent_inode);
}

/* "red 7: vz renamed from vy": what changed, and from or to what. */
static void text_link(struct event_buf *b, const struct event_link *l)
{
	put_label(b, &l->where);
	put_fmt(b, " %d: %s %s", l->where.ifindex, l->where.ifname, link_actions[l->action]);
	switch (l->action) {
	case EVENT_LINK_ADDED:
		if (l->kind[0])
			put_fmt(b, " type %s", l->kind);
		break;
	case EVENT_LINK_RENAMED:
	case EVENT_LINK_RELEASED:
		put_fmt(b, " from %s", l->from);
		break;
	case EVENT_LINK_ENSLAVED:
		put_fmt(b, " to %s", l->master);
		break;
	case EVENT_LINK_MOVED:
		put_fmt(b, " to %s", l->to.label ? l->to.label : "another namespace");
		break;
	default:
		break;
	}
}

static void text_attach(struct event_buf *b, const struct event_attach *a)
{
	put_fmt(b, "%s %s port %s", a->bridge, attach_actions[a->action], a->port);
	if (a->peer)
		put_fmt(b, " and its peer %s", a->peer);
	if (a->peer_netns)
		put_fmt(b, " in %s", a->peer_netns);
	if (a->has_baseline && a->before.rx_packets + a->before.tx_packets)
		put_fmt(b, " (before monitoring: %llu packets)",
			(unsigned long long)(a->before.rx_packets + a->before.tx_packets));
}

void event_write_text(struct event_buf *b, const struct nsmon_event *ev)
{
	event_write_text_tagged(b, ev, "", "");
}

void event_write_text_tagged(struct event_buf *b, const struct nsmon_event *ev,
			     const char *tag_on, const char *tag_off)
{
	const struct event_counters *c = &ev->counters;

	put_char(b, '[');
	put_stamp(b, ev->time_us);
	PUT_LIT(b, "] ");
	put_str(b, tag_on);
	put_char(b, '[');
	put_str(b, type_tags[ev->type]);
	put_char(b, ']');
	put_str(b, tag_off);
	put_char(b, ' ');
	switch (ev->type) {
	case EVENT_NETNS:
		put_fmt(b, "%s %s net:[%llu]", netns_actions[ev->netns.action], ev->netns.name,
			(unsigned long long)ev->netns.inode);
		break;
	case EVENT_NS:
		text_ns(b, &ev->ns);
		break;
	case EVENT_LINK:
		text_link(b, &ev->link);
		break;
	case EVENT_ADDR:
		put_label(b, &ev->addr.where);
		put_fmt(b, " %d: %s %s ", ev->addr.where.ifindex, ev->addr.where.ifname,
			ev->addr.added ? "added" : "removed");
		if (ev->addr.has_address)
			put_addr(b, ev->addr.family, ev->addr.address);
		else
			put_char(b, '?');
		put_fmt(b, "/%d", ev->addr.prefixlen);
		break;
	case EVENT_NEIGH:
		put_label(b, &ev->neigh.where);
		put_fmt(b, " dev %s ", ev->neigh.where.ifname ? ev->neigh.where.ifname : "");
		put_addr(b, ev->neigh.family, ev->neigh.address);
		PUT_LIT(b, " lladdr ");
		put_mac(b, ev->neigh.lladdr);
		if (ev->neigh.created)
			PUT_LIT(b, " created");
		else
			put_fmt(b, " %s -> %s", event_nud_name(ev->neigh.old_state),
				event_nud_name(ev->neigh.new_state));
		break;
	case EVENT_FDB:
		put_fmt(b, "%s %s ", dash_if_empty(ev->fdb.bridge), fdb_actions[ev->fdb.action]);
		put_mac(b, ev->fdb.mac);
		put_fmt(b, " vlan %u on %s (", ev->fdb.vlan, dash_if_empty(ev->fdb.where.ifname));
		put_label(b, &ev->fdb.where);
		put_char(b, ')');
		break;
	case EVENT_DROP:
		put_label(b, &ev->drop.where);
		put_fmt(b, " dev %s %s protocol 0x%04x", dash_if_empty(ev->drop.where.ifname),
			ev->drop.reason_name, ev->drop.protocol);
		break;
	case EVENT_COUNTERS:
		put_fmt(b, "%s %s rx %lld pkts %lld B, tx %lld pkts %lld B", c->netns, c->ifname,
			c->rx[EVENT_DELTA_PACKETS], c->rx[EVENT_DELTA_BYTES],
			c->tx[EVENT_DELTA_PACKETS], c->tx[EVENT_DELTA_BYTES]);
		break;
	case EVENT_ATTACH:
		text_attach(b, &ev->attach);
		break;
	case EVENT_LOST:
		put_fmt(b, "%s: %llu events lost (ring full), %llu in all", ev->lost.source,
			(unsigned long long)ev->lost.lost, (unsigned long long)ev->lost.lost_total);
		break;
	case EVENT_TYPE_MAX:
		break;
	}
	put_char(b, '\n');
}
