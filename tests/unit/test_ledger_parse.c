// SPDX-License-Identifier: GPL-2.0
/*
 * The ledger's one writer and one parser (ledger_record.c, ledger_parse()):
 * every record the writer makes reads back the same; random and mutated
 * input (seeded, so a failure reproduces) never crashes the parser, never
 * yields a record the writer could not have written, and is never echoed
 * raw in a message. `make test` also runs this under AddressSanitizer and
 * UndefinedBehaviorSanitizer (.output/asan/tests/unit/).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab/ledger.h"
#include "test.h"

#define SEED		0x6e736d6f6eull	/* "nsmon" */
#define ROUNDS		100000

static uint64_t rng = SEED;

/* xorshift64*: small, and the same sequence everywhere. */
static uint64_t next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static unsigned int below(unsigned int n)
{
	return (unsigned int)(next() % n);
}

/* A name of any bytes but NUL (and '/' where a namespace name cannot have one), @size >= 2. */
static void random_name(char *buf, size_t size, bool no_slash)
{
	size_t len = 1 + below(size - 1);

	for (size_t i = 0; i < len; i++) {
		char c;

		do
			c = (char)below(256);
		while (!c || (no_slash && c == '/'));
		buf[i] = c;
	}
	buf[len] = '\0';
	if (no_slash && (!strcmp(buf, ".") || !strcmp(buf, "..")))
		strcpy(buf, "x");
}

static void random_ifname(char *buf)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789-_.";
	size_t len = 1 + below(IF_NAMESIZE - 1);

	for (size_t i = 0; i < len; i++)
		buf[i] = chars[below(sizeof(chars) - 1)];
	buf[len] = '\0';
	if (!strcmp(buf, ".") || !strcmp(buf, ".."))
		strcpy(buf, "y");
}

static void random_label(char *buf)
{
	if (below(3))
		random_name(buf, LEDGER_NETNS_MAX, true);
	else
		*buf = '\0';
}

/* A record the writer may be handed, every field in its range. */
static void random_rec(struct ledger_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = (enum ledger_kind)below(LEDGER_NKINDS);
	r->id = 1 + below(1000000);
	switch (r->kind) {
	case LEDGER_BEGIN:
		r->op = (enum ledger_op)below(LEDGER_NOPS);
		break;
	case LEDGER_SUBNET:
		r->subnet.prefixlen = below(33);
		r->subnet.network = (__u32)next() &
				    (r->subnet.prefixlen ? 0xffffffffu << (32 - r->subnet.prefixlen) : 0);
		break;
	case LEDGER_NETNS:
		random_name(r->netns.name, 2 + below(LEDGER_NETNS_MAX - 2), true);
		r->netns.inode = next();
		r->netns.cookie = next();
		r->netns.host = 1 + below(0xfffffffe);
		break;
	case LEDGER_LINK:
		random_ifname(r->link.name);
		r->link.ifindex = 1 + below(0x7ffffffe);
		break;
	case LEDGER_PIN:
		random_label(r->pin.netns);
		r->pin.ifindex = 1 + below(1000);
		r->pin.path[0] = '/';
		random_name(r->pin.path + 1, 2 + below(200), false);
		break;
	case LEDGER_QDISC:
		random_label(r->qdisc.netns);
		r->qdisc.ifindex = 1 + below(1000);
		break;
	case LEDGER_FILTER:
		random_label(r->filter.netns);
		r->filter.ifindex = 1 + below(1000);
		r->filter.egress = below(2);
		r->filter.handle = (__u32)next();
		r->filter.prio = 1 + below(0xffff);
		break;
	case LEDGER_KEYS:
		random_label(r->keys.netns);
		r->keys.cookie = next();
		r->keys.ifindex = 1 + below(1000);
		break;
	default:
		break;
	}
	if (!ledger_kind_is_object(r->kind) && r->kind != LEDGER_DONE && r->kind != LEDGER_CANCEL)
		r->id = 0;
}

static bool same(const struct ledger_rec *a, const struct ledger_rec *b)
{
	/* Both zeroed first, so the union's unused bytes agree. */
	return !memcmp(a, b, sizeof(*a));
}

static void test_roundtrip(void)
{
	const char *name = "ledger record: every record the writer makes reads back the same";
	char line[LEDGER_LINE_MAX + 1];
	struct ledger_rec a, b;

	TEST_BEGIN();
	for (int i = 0; i < ROUNDS && !test_failed_here; i++) {
		int len;

		random_rec(&a);
		len = ledger_rec_format(&a, line, sizeof(line));
		if (!ASSERT_TRUE(name, len > 0))
			break;
		if (!ASSERT_EQ(name, memchr(line, '\n', len) == NULL, 1) ||
		    !ASSERT_OK(name, ledger_rec_parse(line, len, &b)) || !ASSERT_TRUE(name, same(&a, &b)))
			printf("# round %d: \"%.*s\"\n", i, len, line);
	}
	TEST_END(name);
}

static void test_known_lines(void)
{
	const char *name = "ledger record: lines as the README shows them, and near misses";
	static const struct { const char *line; bool ok; } cases[] = {
		{ "netns 1 red 4026532247 4099 1", true },
		{ "link 3 v-net-0 2", true },
		{ "pin 4 - 2 /sys/fs/bpf/nsmon/v-net-0/host:v-net-0:tcx_ingress", true },
		{ "filter 6 - 2 ingress 1 20051", true },
		{ "keys 9 red%20x 3022 2", true },
		{ "begin up", true },
		{ "commit", true },
		{ "done 7", true },
		{ "subnet 192.168.15.0/24", true },
		{ "netns 1 red 4026532247 4099", false },	/* a field short */
		{ "netns 1 red 4026532247 4099 1 x", false },	/* one too many */
		{ "netns 0 red 1 1 1", false },			/* id 0 */
		{ "netns 1 red 1 1 0", false },			/* host 0 */
		{ "netns 1 a/b 1 1 1", false },
		{ "netns 1 red 18446744073709551616 1 1", false },	/* 2^64 */
		{ "netns 1 red -1 1 1", false },
		{ "link 1 v-net-0 0", false },
		{ "link 1 v-net-0 2147483648", false },
		{ "link 1 abcdefghijklmnop 2", false },		/* 16 bytes */
		{ "link  1 v-net-0 2", false },			/* two spaces */
		{ "link 1 v-net-0 2 ", false },
		{ "pin 4 - 2 relative/path", false },
		{ "keys 9 red%00 1 2", false },			/* an escaped NUL */
		{ "keys 9 red%2 1 2", false },
		{ "keys 9 red%zz 1 2", false },
		{ "keys 9 r\x1b[2J 1 2", false },		/* a raw control byte */
		{ "filter 6 - 2 sideways 1 20051", false },
		{ "filter 6 - 2 ingress 1 65536", false },
		{ "begin sideways", false },
		{ "subnet 192.168.15.1/24", false },
		{ "frobnicate 1", false },
		{ "", false },
	};
	struct ledger_rec r;

	TEST_BEGIN();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!ASSERT_EQ(name, ledger_rec_parse(cases[i].line, strlen(cases[i].line), &r) == 0,
			       cases[i].ok))
			printf("# \"%s\"\n", cases[i].line);
	TEST_END(name);
}

/* A ledger as the writer would leave it, some records deep. */
static size_t random_ledger(char *buf, size_t size)
{
	size_t len = (size_t)snprintf(buf, size, "nsmon-ledger 1\n");
	int n = below(12);

	for (int i = 0; i < n; i++) {
		struct ledger_rec r;
		int l;

		random_rec(&r);
		l = ledger_rec_format(&r, buf + len, size - len - 1);
		if (l < 0)
			break;
		len += l;
		buf[len++] = '\n';
	}
	return len;
}

/* Flip, drop, duplicate, overwrite, cut: what a disk, an editor or a hand does. */
static size_t mutate(char *buf, size_t len, size_t size)
{
	int n = 1 + below(8);

	for (int i = 0; i < n && len; i++) {
		size_t at = below(len);

		switch (below(6)) {
		case 0:
			buf[at] ^= (char)(1u << below(8));
			break;
		case 1:
			buf[at] = (char)below(256);
			break;
		case 2:
			memmove(buf + at, buf + at + 1, len - at - 1);
			len--;
			break;
		case 3:
			if (len + 16 < size) {
				memmove(buf + at + 16, buf + at, len - at);
				for (int k = 0; k < 16; k++)
					buf[at + k] = (char)below(256);
				len += 16;
			}
			break;
		case 4:
			len = at;	/* truncated */
			break;
		default:
			buf[at] = below(2) ? '\n' : ' ';
			break;
		}
	}
	return len;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s > '~')
			return false;
	return true;
}

static void check_parsed(const char *name, const struct ledger *lg, size_t lines)
{
	char excerpt[64], line[LEDGER_LINE_MAX + 1];
	const struct ledger_obj *objs;
	size_t n, first, bad;

	bad = ledger_damage(lg, &first, excerpt, sizeof(excerpt));
	ASSERT_TRUE(name, bad <= lines);
	ASSERT_TRUE(name, !bad || (first >= 1 && first <= lines));
	ASSERT_TRUE(name, printable(excerpt));
	objs = ledger_objects(lg, &n);
	ASSERT_TRUE(name, n <= lines);
	for (size_t i = 0; i < n && !test_failed_here; i++) {
		struct ledger_rec back;
		int len;

		/* Whatever was read is a record the writer can write, and reads back the same. */
		ASSERT_TRUE(name, ledger_kind_is_object(objs[i].rec.kind));
		len = ledger_rec_format(&objs[i].rec, line, sizeof(line));
		if (ASSERT_TRUE(name, len > 0) && ASSERT_OK(name, ledger_rec_parse(line, len, &back)))
			ASSERT_TRUE(name, same(&objs[i].rec, &back));
	}
}

/* Each line on its own, in a buffer of exactly its length: no byte after it to stop a scan. */
static void parse_lines_alone(const char *name, const char *buf, size_t len)
{
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - buf - pos) : len - pos;
		char *exact = malloc(n ?: 1);
		struct ledger_rec r;

		memcpy(exact, buf + pos, n);
		if (!ledger_rec_parse(exact, n, &r))
			ASSERT_TRUE(name, r.kind < LEDGER_NKINDS);
		free(exact);
		pos += n + 1;
	}
}

static void test_fuzz(void)
{
	const char *name = "ledger parser: 100000 random and mutated ledgers, seeded";
	static char buf[64 * 1024];

	TEST_BEGIN();
	for (int i = 0; i < ROUNDS && !test_failed_here; i++) {
		struct ledger *lg;
		size_t len, lines = 0;

		if (below(4) == 0) {	/* noise */
			len = below(2048);
			for (size_t k = 0; k < len; k++)
				buf[k] = (char)below(256);
		} else {
			len = random_ledger(buf, sizeof(buf) / 2);
			if (below(8))
				len = mutate(buf, len, sizeof(buf));
		}
		for (size_t k = 0; k < len; k++)
			lines += buf[k] == '\n';
		lines += len && buf[len - 1] != '\n';
		/* A copy of exactly @len bytes: ASan sees any read past its end. */
		{
			char *exact = malloc(len ?: 1);

			memcpy(exact, buf, len);
			if (!ASSERT_OK(name, ledger_parse(exact, len, &lg))) {
				free(exact);
				break;
			}
			free(exact);
		}
		check_parsed(name, lg, lines);
		parse_lines_alone(name, buf, len);
		if (test_failed_here)
			printf("# round %d (seed %#llx)\n", i, (unsigned long long)SEED);
		ledger_close(lg);
	}
	TEST_END(name);
}

static void test_escape(void)
{
	const char *name = "ledger escape: any bytes come out printable, cut to size";
	char text[300], out[64];

	TEST_BEGIN();
	for (int i = 0; i < ROUNDS / 10 && !test_failed_here; i++) {
		size_t len = below(sizeof(text)), size = below(sizeof(out) + 1);

		for (size_t k = 0; k < len; k++)
			text[k] = (char)below(256);
		memset(out, 'Z', sizeof(out));
		ledger_escape(text, len, out, size);
		if (size) {
			ASSERT_TRUE(name, memchr(out, '\0', size) != NULL);
			ASSERT_TRUE(name, printable(out));
		}
	}
	TEST_END(name);
}

int main(void)
{
	test_roundtrip();
	test_known_lines();
	test_fuzz();
	test_escape();
	return tests_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
