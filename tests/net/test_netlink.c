// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink and namespace layer on its own: namespaces as iproute2 makes
 * them, a veth created straight into another namespace, what a link dump
 * says about it, and the kernel's extended-ack text in error messages.
 * Runs as root in throwaway namespaces (tests/sandbox.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>

#include "lab/link.h"
#include "lab/netns.h"
#include "test.h"

static void test_netns_lifecycle(void)
{
	const char *name = "netns: add, open, identify, delete";
	__u64 inode = 0, cookie = 0, here_cookie = 0;
	struct stat st;
	int fd, here;

	TEST_BEGIN();
	if (!ASSERT_OK(name, netns_add("tn1")))
		goto out;
	ASSERT_EQ(name, netns_add("tn1"), -EEXIST);
	fd = netns_open("tn1");
	if (ASSERT_TRUE(name, fd >= 0)) {
		ASSERT_OK(name, netns_inode(fd, &inode));
		ASSERT_OK(name, stat(NETNS_RUN_DIR "/tn1", &st));
		ASSERT_EQ(name, inode, st.st_ino);
		here = open("/proc/self/ns/net", O_RDONLY);
		ASSERT_OK(name, netns_cookie(fd, &cookie));
		ASSERT_OK(name, netns_cookie(here, &here_cookie));
		ASSERT_TRUE(name, cookie != 0 && cookie != here_cookie);
		close(here);
		close(fd);
	}
	ASSERT_OK(name, netns_del("tn1"));
	ASSERT_EQ(name, netns_open("tn1"), -ENOENT);
	ASSERT_EQ(name, netns_del("tn1"), -ENOENT);
out:
	TEST_END(name);
}

static int count_cb(const char *ns, void *data)
{
	(*(int *)data)++;
	return strcmp(ns, "tn-b") ? 0 : 7;	/* stop at the second */
}

static void test_netns_foreach(void)
{
	const char *name = "netns: foreach walks in name order and stops on request";
	int seen = 0;

	TEST_BEGIN();
	ASSERT_OK(name, netns_add("tn-c"));
	ASSERT_OK(name, netns_add("tn-a"));
	ASSERT_OK(name, netns_add("tn-b"));
	ASSERT_EQ(name, netns_foreach(count_cb, &seen), 7);
	ASSERT_EQ(name, seen, 2);
	netns_del("tn-a");
	netns_del("tn-b");
	netns_del("tn-c");
	TEST_END(name);
}

static void test_veth_into_namespace(struct nl_sock *nl)
{
	const char *name = "link: a veth made into a namespace, enslaved, addressed";
	struct link_info br, port, peer;
	struct nl_sock *inner = NULL;
	int fd = -1, nsid;

	TEST_BEGIN();
	if (!ASSERT_OK(name, netns_add("tn2")))
		goto out;
	fd = netns_open("tn2");
	inner = nl_open_in(fd);
	if (!ASSERT_TRUE(name, inner))
		goto out;
	ASSERT_OK(name, link_add_bridge(nl, "br-tn2", 0));
	if (!ASSERT_OK(name, link_get(nl, "br-tn2", &br)))
		goto out;
	ASSERT_STREQ(name, br.kind, "bridge");
	ASSERT_OK(name, link_add_veth(nl, "veth-tn2-br", 0, "veth-tn2", fd, br.ifindex));
	if (!ASSERT_OK(name, link_get(nl, "veth-tn2-br", &port)) ||
	    !ASSERT_OK(name, link_get(inner, "veth-tn2", &peer)))
		goto out;
	ASSERT_STREQ(name, port.kind, "veth");
	ASSERT_EQ(name, port.master, br.ifindex);
	ASSERT_EQ(name, port.peer_ifindex, peer.ifindex);
	ASSERT_EQ(name, peer.peer_ifindex, port.ifindex);
	ASSERT_EQ(name, port.flags & IFF_UP, 0);
	nsid = netnsid_of(nl, fd);
	ASSERT_TRUE(name, nsid >= 0);
	ASSERT_EQ(name, port.peer_netnsid, nsid);
	ASSERT_EQ(name, link_get(inner, "veth-tn2-br", &port), -ENODEV);

	ASSERT_OK(name, addr_add_v4(inner, peer.ifindex, inet_addr("10.3.0.1"), 24));
	ASSERT_EQ(name, addr_add_v4(inner, peer.ifindex, inet_addr("10.3.0.1"), 24), -EEXIST);
	ASSERT_OK(name, link_set_up(inner, peer.ifindex));
	ASSERT_OK(name, link_get_index(inner, peer.ifindex, &peer));
	ASSERT_TRUE(name, peer.flags & IFF_UP);
	ASSERT_STREQ(name, peer.name, "veth-tn2");
out:
	if (link_get(nl, "veth-tn2-br", &port) == 0)
		link_del(nl, port.ifindex);
	if (link_get(nl, "br-tn2", &br) == 0)
		link_del(nl, br.ifindex);
	nl_close(inner);
	if (fd >= 0)
		close(fd);
	netns_del("tn2");
	TEST_END(name);
}

static int find_cb(const struct link_info *info, void *data)
{
	return !strcmp(info->name, data) ? info->ifindex : 0;
}

static void test_foreach_and_errors(struct nl_sock *nl)
{
	const char *name = "link: foreach finds links; errors carry the kernel's reason";
	struct link_info info;
	int err;

	TEST_BEGIN();
	ASSERT_EQ(name, link_foreach(nl, find_cb, "lo"), 1);
	ASSERT_EQ(name, link_foreach(nl, find_cb, "nonesuch"), 0);
	/* A stopped walk must not leave answers behind for the next request. */
	ASSERT_OK(name, link_get(nl, "lo", &info));
	ASSERT_EQ(name, link_get(nl, "nonesuch", &info), -ENODEV);

	ASSERT_OK(name, link_add_bridge(nl, "br-tn3", 0));
	err = link_add_bridge(nl, "br-tn3", 0);
	ASSERT_EQ(name, err, -EEXIST);
	ASSERT_TRUE(name, !strncmp(nl_strerror(nl, err), "File exists", 11));
	/* A name longer than IFNAMSIZ fails the kernel's policy, which says so. */
	err = link_add_bridge(nl, "br-name-much-too-long", 0);
	ASSERT_EQ(name, err, -ERANGE);
	ASSERT_STREQ(name, nl_ext_ack(nl), "Attribute failed policy validation");
	ASSERT_STREQ(name, nl_strerror(nl, err),
		     "Numerical result out of range (kernel: Attribute failed policy validation)");
	if (link_get(nl, "br-tn3", &info) == 0)
		link_del(nl, info.ifindex);
	ASSERT_EQ(name, link_get(nl, "veth-tn3", &info), -ENODEV);
	TEST_END(name);
}

int main(void)
{
	struct nl_sock *nl;

	test_require_sandbox();
	nl = nl_open();

	if (!nl) {
		printf("FAIL: netlink: cannot open a socket: %s\n", strerror(errno));
		return 1;
	}
	test_netns_lifecycle();
	test_netns_foreach();
	test_veth_into_namespace(nl);
	test_foreach_and_errors(nl);
	nl_close(nl);
	return tests_failed ? 1 : 0;
}
