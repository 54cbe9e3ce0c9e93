// SPDX-License-Identifier: GPL-2.0
/*
 * The ledger and its undo against the kernel: what is recorded before it is
 * made is undone, from a fresh read, in any state a killed process leaves;
 * objects that took the name of a recorded one are left alone; a command
 * that never committed is undone by the next; the lock is exclusive; the
 * files are root's only. Runs as root in throwaway namespaces
 * (tests/sandbox.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

#include "lab/ledger.h"
#include "lab/link.h"
#include "lab/netns.h"
#include "nsmon.h"
#include "undo/undo.h"
#include "test.h"

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static int link_index(struct nl_sock *nl, const char *name)
{
	struct link_info info;

	return link_get(nl, name, &info) ? 0 : info.ifindex;
}

/* Record namespace @name, then make it: what `up` does. Return its record's id, or 0. */
static unsigned int add_netns(struct ledger *lg, const char *name, unsigned int host, bool done)
{
	struct ledger_rec rec = { .kind = LEDGER_NETNS, .netns.host = host };
	int fd;

	if (netns_new(&fd))
		return 0;
	netns_inode(fd, &rec.netns.inode);
	netns_cookie(fd, &rec.netns.cookie);
	snprintf(rec.netns.name, sizeof(rec.netns.name), "%s", name);
	if (ledger_intend(lg, &rec) || netns_name(fd, name) || (done && ledger_done(lg, rec.id)))
		rec.id = 0;
	close(fd);
	return rec.id;
}

/* Record a bridge under an ifindex chosen first, then make it. */
static int add_bridge(struct nl_sock *nl, struct ledger *lg, const char *name, int ifindex)
{
	struct ledger_rec rec = { .kind = LEDGER_LINK, .link.ifindex = ifindex };

	snprintf(rec.link.name, sizeof(rec.link.name), "%s", name);
	return ledger_intend(lg, &rec) ?: link_add_bridge(nl, name, ifindex) ?:
	       ledger_done(lg, rec.id);
}

static int add_pin(struct ledger *lg, const char *path)
{
	struct ledger_rec rec = { .kind = LEDGER_PIN, .pin.ifindex = 1 };

	snprintf(rec.pin.path, sizeof(rec.pin.path), "%s", path);
	return ledger_intend(lg, &rec);
}

static size_t count(const struct ledger *lg)
{
	size_t n;

	ledger_objects(lg, &n);
	return n;
}

/* Objects recorded by one process are undone by another (down after up). */
static void test_undo_all(struct nl_sock *nl)
{
	const char *name = "ledger: undoes what it records, from a fresh read; files are root's only";
	struct ledger *lg = NULL;
	struct stat st;

	TEST_BEGIN();
	if (!ASSERT_OK(name, ledger_open_write("br-t1", 0, &lg)))
		goto out;
	ASSERT_TRUE(name, !ledger_exists(lg));
	ASSERT_OK(name, ledger_begin(lg, LEDGER_OP_UP));
	ASSERT_TRUE(name, add_netns(lg, "t1", 1, true) > 0);
	ASSERT_OK(name, add_bridge(nl, lg, "br-t1", 4242));
	ASSERT_OK(name, ledger_commit(lg));
	ledger_close(lg);
	lg = NULL;
	ASSERT_EQ(name, link_index(nl, "br-t1"), 4242);	/* the ifindex chosen first */
	ASSERT_OK(name, stat(NSMON_RUN_DIR "/br-t1.lab", &st));
	ASSERT_EQ(name, st.st_mode & 0777, 0600);
	ASSERT_OK(name, stat(NSMON_RUN_DIR, &st));
	ASSERT_EQ(name, st.st_mode & 0777, 0700);

	if (!ASSERT_OK(name, ledger_open("br-t1", &lg)))
		goto out;
	ASSERT_EQ(name, count(lg), 2);
	ASSERT_EQ(name, ledger_link_ifindex(lg, "br-t1"), 4242);
	ASSERT_TRUE(name, !ledger_has_attachments(lg) && !ledger_pending(lg, NULL));
	ledger_close(lg);
	if (!ASSERT_OK(name, ledger_open_write("br-t1", LEDGER_EXISTING, &lg)))
		goto out;
	ASSERT_OK(name, undo_objects(lg, NULL, NULL));
	ASSERT_OK(name, ledger_rewrite(lg));
	ledger_close(lg);
	lg = NULL;
	ASSERT_EQ(name, link_index(nl, "br-t1"), 0);
	ASSERT_TRUE(name, !exists(NETNS_RUN_DIR "/t1"));
	ASSERT_TRUE(name, !exists(NSMON_RUN_DIR "/br-t1.lab"));
	ASSERT_TRUE(name, !exists(NSMON_RUN_DIR "/br-t1.lock"));
	ASSERT_EQ(name, ledger_open("br-t1", &lg), -ENOENT);
out:
	ledger_close(lg);
	TEST_END(name);
}

/* A namespace or link re-made under the recorded name is not ours any more. */
static void test_not_ours(struct nl_sock *nl)
{
	const char *name = "ledger: objects that are no longer its own are left alone";
	struct ledger *lg = NULL;

	TEST_BEGIN();
	if (!ASSERT_OK(name, ledger_open_write("br-t2", 0, &lg)))
		goto out;
	ASSERT_OK(name, ledger_begin(lg, LEDGER_OP_UP));
	ASSERT_TRUE(name, add_netns(lg, "t2", 1, true) > 0);
	ASSERT_OK(name, add_bridge(nl, lg, "br-t2", 4343));
	ASSERT_OK(name, ledger_commit(lg));
	/* Both deleted by hand and made again by someone else. */
	ASSERT_OK(name, netns_del("t2"));
	ASSERT_OK(name, netns_add("t2"));
	ASSERT_OK(name, link_del(nl, 4343));
	ASSERT_OK(name, link_add_bridge(nl, "br-t2", 0));
	ASSERT_OK(name, undo_objects(lg, NULL, NULL));
	ASSERT_OK(name, ledger_rewrite(lg));
	ASSERT_TRUE(name, link_index(nl, "br-t2") > 0);
	ASSERT_TRUE(name, exists(NETNS_RUN_DIR "/t2"));
	ASSERT_TRUE(name, !exists(NSMON_RUN_DIR "/br-t2.lab"));
out:
	ledger_close(lg);
	link_del(nl, link_index(nl, "br-t2"));
	netns_del("t2");
	TEST_END(name);
}

/* detach: programs and counters go, the lab's own objects stay recorded. */
static void test_attachments_only(struct nl_sock *nl)
{
	const char *name = "ledger: detach undoes the attachments only, and keeps the rest";
	struct ledger *lg = NULL;

	TEST_BEGIN();
	if (!ASSERT_OK(name, ledger_open_write("br-t3", 0, &lg)))
		goto out;
	ASSERT_OK(name, ledger_begin(lg, LEDGER_OP_UP));
	ASSERT_OK(name, add_bridge(nl, lg, "br-t3", 4444));
	ASSERT_OK(name, add_pin(lg, NSMON_PIN_ROOT "/br-t3/host:br-t3:tcx_ingress"));
	ASSERT_OK(name, ledger_commit(lg));
	ASSERT_TRUE(name, ledger_has_attachments(lg));
	ASSERT_OK(name, undo_attachments(lg));
	ASSERT_OK(name, ledger_rewrite(lg));
	ASSERT_TRUE(name, !ledger_has_attachments(lg));
	ASSERT_EQ(name, link_index(nl, "br-t3"), 4444);
	ledger_close(lg);
	lg = NULL;
	if (!ASSERT_OK(name, ledger_open_write("br-t3", LEDGER_EXISTING, &lg)))
		goto out;
	ASSERT_EQ(name, count(lg), 1);
	ASSERT_OK(name, undo_objects(lg, NULL, NULL));
	ASSERT_OK(name, ledger_rewrite(lg));
	ASSERT_EQ(name, link_index(nl, "br-t3"), 0);
out:
	ledger_close(lg);
	TEST_END(name);
}

/*
 * What a process killed half-way leaves: records without their done (a
 * namespace claimed but not mounted, a bridge recorded but never made), and
 * no commit. The next command that opens the ledger undoes it all.
 */
static void test_interrupted(struct nl_sock *nl)
{
	const char *name = "ledger: an up that never committed is undone by the next command";
	struct ledger *lg = NULL;
	int fd;

	TEST_BEGIN();
	if (!ASSERT_OK(name, ledger_open_write("br-t4", 0, &lg)))
		goto out;
	ASSERT_OK(name, ledger_begin(lg, LEDGER_OP_UP));
	ASSERT_TRUE(name, add_netns(lg, "t4a", 1, true) > 0);
	ASSERT_TRUE(name, add_netns(lg, "t4b", 2, false) > 0);	/* made, not marked */
	/* Recorded and claimed, then killed before the mount: an empty file in /run/netns. */
	fd = open(NETNS_RUN_DIR "/t4c", O_RDONLY | O_CREAT | O_EXCL, 0);
	ASSERT_TRUE(name, fd >= 0);
	close(fd);
	ASSERT_OK(name, ledger_intend(lg, &(struct ledger_rec){ .kind = LEDGER_NETNS,
		.netns = { .name = "t4c", .inode = 1, .cookie = 1, .host = 3 } }));
	ASSERT_OK(name, ledger_intend(lg, &(struct ledger_rec){ .kind = LEDGER_LINK,
		.link = { .name = "br-t4", .ifindex = 4545 } }));
	ledger_close(lg);	/* no commit: as if killed */
	lg = NULL;

	if (!ASSERT_OK(name, ledger_open("br-t4", &lg)))
		goto out;
	ASSERT_TRUE(name, ledger_pending(lg, NULL));
	ASSERT_EQ(name, count(lg), 4);
	ledger_close(lg);
	lg = NULL;
	ASSERT_OK(name, undo_open("br-t4", 0, false, &lg));
	ASSERT_TRUE(name, !exists(NETNS_RUN_DIR "/t4a"));
	ASSERT_TRUE(name, !exists(NETNS_RUN_DIR "/t4b"));
	ASSERT_TRUE(name, !exists(NETNS_RUN_DIR "/t4c"));
	ASSERT_TRUE(name, !ledger_exists(lg));
out:
	ledger_close(lg);
	ASSERT_TRUE(name, !exists(NSMON_RUN_DIR "/br-t4.lab"));
	TEST_END(name);
}

static void test_pin_outside(void)
{
	const char *name = "ledger: a pin path outside /sys/fs/bpf/nsmon is refused and kept";
	char path[] = "/tmp/nsmon-test-pin.XXXXXX";
	struct ledger *lg = NULL;
	int fd = mkstemp(path);

	TEST_BEGIN();
	if (!ASSERT_TRUE(name, fd >= 0) || !ASSERT_OK(name, ledger_open_write("br-t5", 0, &lg)))
		goto out;
	close(fd);
	ASSERT_OK(name, ledger_begin(lg, LEDGER_OP_UP));
	ASSERT_OK(name, add_pin(lg, path));
	ASSERT_OK(name, add_pin(lg, NSMON_PIN_ROOT "/br-t5/../../../../tmp/x"));
	ASSERT_OK(name, ledger_commit(lg));
	ASSERT_EQ(name, undo_objects(lg, NULL, NULL), -EINVAL);
	ASSERT_TRUE(name, exists(path));
	ASSERT_EQ(name, count(lg), 2);
	ledger_forget(lg, 1);
	ledger_forget(lg, 0);
	ASSERT_OK(name, ledger_rewrite(lg));
out:
	ledger_close(lg);
	unlink(path);
	TEST_END(name);
}

static void test_compact(struct nl_sock *nl)
{
	const char *name = "ledger: a namespace deleted by hand is forgotten, with its veth's record";
	struct ledger *lg = NULL;
	const struct ledger_obj *objs;
	size_t n;

	TEST_BEGIN();
	if (!ASSERT_OK(name, ledger_open_write("br-t6", 0, &lg)))
		goto out;
	ASSERT_OK(name, ledger_begin(lg, LEDGER_OP_UP));
	ASSERT_TRUE(name, add_netns(lg, "t6a", 1, true) > 0);
	ASSERT_TRUE(name, add_netns(lg, "t6b", 2, true) > 0);
	ASSERT_OK(name, add_bridge(nl, lg, "br-t6", 4646));
	ASSERT_OK(name, ledger_intend(lg, &(struct ledger_rec){ .kind = LEDGER_LINK,
		.link = { .name = "gone-t6", .ifindex = 4647 } }));
	ASSERT_OK(name, ledger_commit(lg));
	ASSERT_OK(name, netns_del("t6a"));
	ASSERT_OK(name, undo_compact(lg));
	objs = ledger_objects(lg, &n);
	if (ASSERT_EQ(name, n, 2)) {
		ASSERT_STREQ(name, objs[0].rec.netns.name, "t6b");
		ASSERT_STREQ(name, objs[1].rec.link.name, "br-t6");
	}
	ASSERT_OK(name, undo_objects(lg, NULL, NULL));
	ASSERT_OK(name, ledger_rewrite(lg));
	ASSERT_TRUE(name, !exists(NETNS_RUN_DIR "/t6b"));
out:
	ledger_close(lg);
	TEST_END(name);
}

static void test_lock(void)
{
	const char *name = "ledger: one writer at a time per bridge, readers wait for it";
	struct ledger *a = NULL, *b = NULL;

	TEST_BEGIN();
	if (!ASSERT_OK(name, ledger_open_write("br-t7", 0, &a)))
		goto out;
	ASSERT_EQ(name, ledger_open_write("br-t7", LEDGER_NOWAIT, &b), -EWOULDBLOCK);
	ASSERT_OK(name, ledger_open_write("br-t8", LEDGER_NOWAIT, &b));	/* another bridge */
	ledger_close(b);
	b = NULL;
	ASSERT_OK(name, ledger_begin(a, LEDGER_OP_UP));
	ledger_close(a);
	a = NULL;
	ASSERT_OK(name, ledger_open_write("br-t7", LEDGER_NOWAIT | LEDGER_EXISTING, &b));
	ASSERT_OK(name, ledger_rewrite(b));	/* nothing in it: removed */
	ledger_close(b);
	b = NULL;
	ASSERT_EQ(name, ledger_open_write("br-t7", LEDGER_EXISTING, &b), -ENOENT);
	ASSERT_TRUE(name, !exists(NSMON_RUN_DIR "/br-t7.lock"));
out:
	ledger_close(a);
	ledger_close(b);
	TEST_END(name);
}

static int count_bridge(const char *bridge, void *data)
{
	(*(int *)data)++;
	return 0;
}

static void test_foreach(void)
{
	const char *name = "ledger: lists the bridges that have one";
	struct ledger *a = NULL, *b = NULL;
	int n = 0;

	TEST_BEGIN();
	ASSERT_OK(name, ledger_foreach_bridge(count_bridge, &n));
	ASSERT_EQ(name, n, 0);
	ASSERT_OK(name, ledger_open_write("br-a", 0, &a));
	ASSERT_OK(name, ledger_open_write("br-b", 0, &b));
	ASSERT_OK(name, ledger_begin(a, LEDGER_OP_UP));
	ASSERT_OK(name, ledger_begin(b, LEDGER_OP_UP));
	n = 0;
	ASSERT_OK(name, ledger_foreach_bridge(count_bridge, &n));
	ASSERT_EQ(name, n, 2);
	ASSERT_OK(name, ledger_rewrite(a));
	ASSERT_OK(name, ledger_rewrite(b));
	n = 0;
	ASSERT_OK(name, ledger_foreach_bridge(count_bridge, &n));
	ASSERT_EQ(name, n, 0);
	ledger_close(a);
	ledger_close(b);
	TEST_END(name);
}

int main(void)
{
	struct nl_sock *nl;

	test_require_sandbox();
	nl = nl_open();
	if (!nl) {
		printf("FAIL: ledger: cannot open rtnetlink: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	test_undo_all(nl);
	test_not_ours(nl);
	test_attachments_only(nl);
	test_interrupted(nl);
	test_pin_outside();
	test_compact(nl);
	test_lock();
	test_foreach();
	nl_close(nl);
	return tests_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
