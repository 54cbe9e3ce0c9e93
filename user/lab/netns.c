// SPDX-License-Identifier: GPL-2.0
/* Named network namespaces, the iproute2 way: see netns.h. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "lab/netns.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE	71	/* Linux 5.14; Debian 12's libc headers predate it */
#endif
#ifndef NS_GET_ID
#define NS_GET_ID	_IOR(0xb7, 13, __u64)	/* Linux 6.18; newer than Debian 12's headers */
#endif

static void netns_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", NETNS_RUN_DIR, name);
}

/*
 * What `ip netns add` does first: make /run/netns a shared mount point of
 * its own, so a namespace's bind mount propagates to every mount namespace
 * that can see /run/netns (and `ip netns del` elsewhere reaches it).
 */
static int prepare_run_dir(void)
{
	if (mkdir(NETNS_RUN_DIR, 0755) && errno != EEXIST)
		return -errno;
	if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	/* EINVAL: not a mount point yet. Bind it onto itself, then share it. */
	if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL))
		return -errno;
	if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL))
		return -errno;
	return 0;
}

int netns_new(int *netns_fd)
{
	int saved, fd, err = 0, ret;

	saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved < 0)
		return -errno;
	if (unshare(CLONE_NEWNET)) {
		err = -errno;
		close(saved);
		return err;
	}
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		err = -errno;
	/* Back home whatever happened; the new namespace lives on in @fd. */
	ret = netns_leave(saved);
	err = err ?: ret;
	if (err) {
		if (fd >= 0)
			close(fd);
		return err;
	}
	*netns_fd = fd;
	return 0;
}

int netns_name(int netns_fd, const char *name)
{
	char path[PATH_MAX], source[64];
	int fd, err;

	err = prepare_run_dir();
	if (err)
		return err;
	netns_path(path, sizeof(path), name);
	/* O_EXCL: the file is the name's claim, as in iproute2. */
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	close(fd);
	snprintf(source, sizeof(source), "/proc/self/fd/%d", netns_fd);
	if (mount(source, path, "none", MS_BIND, NULL)) {
		err = -errno;
		unlink(path);
		return err;
	}
	return 0;
}

int netns_add(const char *name)
{
	int fd, err;

	err = netns_new(&fd);
	if (err)
		return err;
	err = netns_name(fd, name);
	close(fd);
	return err;
}

int netns_del(const char *name)
{
	char path[PATH_MAX];

	netns_path(path, sizeof(path), name);
	/* EINVAL: not mounted (a half-made entry); still ours to unlink. */
	if (umount2(path, MNT_DETACH) && errno != EINVAL)
		return -errno;
	if (unlink(path))
		return -errno;
	return 0;
}

int netns_open(const char *name)
{
	char path[PATH_MAX];
	int fd;

	netns_path(path, sizeof(path), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int netns_del_claim(const char *name)
{
	char path[PATH_MAX];
	struct statfs fs;
	struct stat st;

	netns_path(path, sizeof(path), name);
	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	/* A bind-mounted namespace reads as nsfs; the claim alone as /run's own empty file. */
	if (statfs(path, &fs))
		return -errno;
	if (fs.f_type == NSFS_MAGIC || !S_ISREG(st.st_mode) || st.st_size)
		return -EEXIST;
	return unlink(path) && errno != ENOENT ? -errno : 0;
}

int netns_enter(int netns_fd)
{
	int saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int err;

	if (saved < 0)
		return -errno;
	if (setns(netns_fd, CLONE_NEWNET)) {
		err = -errno;
		close(saved);
		return err;
	}
	return saved;
}

int netns_leave(int saved_fd)
{
	int err = 0;

	if (setns(saved_fd, CLONE_NEWNET))
		err = -errno;
	close(saved_fd);
	return err;
}

int netns_inode(int netns_fd, __u64 *inode)
{
	struct stat st;

	if (fstat(netns_fd, &st))
		return -errno;
	*inode = st.st_ino;
	return 0;
}

/* The cookie of the namespace a socket is created in: the one the calling thread is in. */
static int cookie_here(__u64 *cookie)
{
	socklen_t len = sizeof(*cookie);
	int sock, err = 0;

	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -errno;
	if (getsockopt(sock, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len))
		err = -errno;
	close(sock);
	return err;
}

/*
 * Since Linux 6.18 a network namespace's cookie is its namespace id, which
 * NS_GET_ID reads from the nsfs file itself: no setns() there and back (a
 * `stats` of 500 namespaces spent a tenth of its time doing that). That the
 * two are the same is the kernel's choice, not its promise, so it is checked
 * once on our own namespace; without it (an older kernel says ENOTTY) the
 * cookie comes from a socket made inside the namespace, as before.
 */
static bool ns_id_is_cookie(void)
{
	static int known;	/* 0: not checked yet, 1: yes, -1: no */
	__u64 id, cookie;
	int fd;

	if (known)
		return known > 0;
	known = -1;
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (!ioctl(fd, NS_GET_ID, &id) && !cookie_here(&cookie) && id == cookie)
		known = 1;
	close(fd);
	return known > 0;
}

int netns_cookie(int netns_fd, __u64 *cookie)
{
	int saved, err;

	if (ns_id_is_cookie() && !ioctl(netns_fd, NS_GET_ID, cookie))
		return 0;
	/* A socket reports the cookie of the namespace it was created in. */
	saved = netns_enter(netns_fd);
	if (saved < 0)
		return saved;
	err = cookie_here(cookie);
	netns_leave(saved);
	return err;
}

int netns_foreach(int (*cb)(const char *name, void *data), void *data)
{
	struct dirent **names;
	int n, i, ret = 0;

	n = scandir(NETNS_RUN_DIR, &names, NULL, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	for (i = 0; i < n; i++) {
		if (!ret && names[i]->d_name[0] != '.')
			ret = cb(names[i]->d_name, data);
		free(names[i]);
	}
	free(names);
	return ret;
}
