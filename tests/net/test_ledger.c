// SPDX-License-Identifier: GPL-2.0
/*
 * The ledger undoes exactly what it records, in reverse order, and leaves
 * alone an object that took the name of one it recorded. Runs as root in
 * throwaway namespaces (tests/sandbox.sh).
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

#include "lab/ledger.h"
#include "lab/link.h"
#include "lab/netns.h"
#include "test.h"

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static __u64 inode_of(const char *name)
{
	__u64 inode = 0;
	int fd = netns_open(name);

	if (fd >= 0) {
		netns_inode(fd, &inode);
		close(fd);
	}
	return inode;
}

static int link_index(struct nl_sock *nl, const char *name)
{
	struct link_info info;

	return link_get(nl, name, &info) ? 0 : info.ifindex;
}

/* Objects recorded by one process are undone by another (down after up). */
static void test_undo_all(struct nl_sock *nl)
{
	const char *name = "ledger undoes what it records, from a fresh read";
	struct ledger *lg = NULL;

	TEST_BEGIN();
	if (!ASSERT_OK(name, ledger_create("br-t1", &lg)))
		goto out;
	ASSERT_EQ(name, ledger_create("br-t1", &(struct ledger *){ NULL }), -EEXIST);
	ASSERT_OK(name, netns_add("t1"));
	ASSERT_OK(name, ledger_add(lg, "netns t1 %llu", (unsigned long long)inode_of("t1")));
	ASSERT_OK(name, link_add_bridge(nl, "br-t1"));
	ASSERT_OK(name, ledger_add(lg, "link br-t1 %d", link_index(nl, "br-t1")));
	ledger_close(lg);
	lg = NULL;

	if (!ASSERT_OK(name, ledger_open("br-t1", &lg)))
		goto out;
	ASSERT_EQ(name, ledger_link_ifindex(lg, "br-t1"), link_index(nl, "br-t1"));
	ASSERT_TRUE(name, !ledger_has_attachments(lg));
	ASSERT_OK(name, ledger_undo(lg, false));
	ASSERT_EQ(name, link_index(nl, "br-t1"), 0);
	ASSERT_TRUE(name, !exists(NETNS_RUN_DIR "/t1"));
	ASSERT_TRUE(name, !exists(NSMON_RUN_DIR "/br-t1.lab"));
out:
	ledger_close(lg);
	TEST_END(name);
}

/* A namespace or link re-made under the recorded name is not ours any more. */
static void test_not_ours(struct nl_sock *nl)
{
	const char *name = "ledger leaves alone objects that are no longer its own";
	struct ledger *lg = NULL;

	TEST_BEGIN();
	if (!ASSERT_OK(name, ledger_create("br-t2", &lg)))
		goto out;
	ASSERT_OK(name, netns_add("t2"));
	ASSERT_OK(name, ledger_add(lg, "netns t2 %llu", (unsigned long long)inode_of("t2") + 1));
	ASSERT_OK(name, link_add_bridge(nl, "br-t2"));
	ASSERT_OK(name, ledger_add(lg, "link br-t2 %d", link_index(nl, "br-t2") + 1000));
	ASSERT_OK(name, ledger_add(lg, "pin /sys/fs/bpf/nsmon-test-gone"));
	ASSERT_OK(name, ledger_undo(lg, false));
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
	const char *name = "ledger undoes attachments only, and keeps the rest";
	struct ledger *lg = NULL;

	TEST_BEGIN();
	if (!ASSERT_OK(name, ledger_create("br-t3", &lg)))
		goto out;
	ASSERT_OK(name, link_add_bridge(nl, "br-t3"));
	ASSERT_OK(name, ledger_add(lg, "link br-t3 %d", link_index(nl, "br-t3")));
	ASSERT_OK(name, ledger_add(lg, "pin /sys/fs/bpf/nsmon-test-gone"));
	ASSERT_TRUE(name, ledger_has_attachments(lg));
	ASSERT_OK(name, ledger_undo(lg, true));
	ASSERT_TRUE(name, !ledger_has_attachments(lg));
	ASSERT_TRUE(name, link_index(nl, "br-t3") > 0);
	ledger_close(lg);
	lg = NULL;
	if (!ASSERT_OK(name, ledger_open("br-t3", &lg)))
		goto out;
	ASSERT_EQ(name, ledger_link_ifindex(lg, "br-t3"), link_index(nl, "br-t3"));
	ASSERT_OK(name, ledger_undo(lg, false));
	ASSERT_EQ(name, link_index(nl, "br-t3"), 0);
out:
	ledger_close(lg);
	TEST_END(name);
}

static int count_bridge(const char *bridge, void *data)
{
	(*(int *)data)++;
	return 0;
}

static void test_foreach(void)
{
	const char *name = "ledger lists the bridges that have one";
	struct ledger *a = NULL, *b = NULL;
	int n = 0;

	TEST_BEGIN();
	ASSERT_OK(name, ledger_foreach_bridge(count_bridge, &n));
	ASSERT_EQ(name, n, 0);
	ASSERT_OK(name, ledger_create("br-a", &a));
	ASSERT_OK(name, ledger_create("br-b", &b));
	n = 0;
	ASSERT_OK(name, ledger_foreach_bridge(count_bridge, &n));
	ASSERT_EQ(name, n, 2);
	ASSERT_OK(name, ledger_undo(a, false));
	ASSERT_OK(name, ledger_undo(b, false));
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
	test_foreach();
	nl_close(nl);
	return tests_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
