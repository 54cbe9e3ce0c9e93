// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "datapath/counters.h"
#include "datapath/datapath.h"
#include "lab/ledger.h"
#include "lab/link.h"
#include "util/log.h"
#include "lab/netns.h"

#define LEDGER_SUFFIX	".lab"
#define LINE_MAX_LEN	(PATH_MAX + 64)

struct ledger {
	char path[PATH_MAX];
	char **lines;
	size_t nlines;
	int fd;			/* open for appending while we build, else -1 */
	struct nl_sock *nl;	/* root-namespace rtnetlink, opened on first need */
};

static void ledger_path(const char *bridge, char *path, size_t size)
{
	snprintf(path, size, "%s/%s%s", NSMON_RUN_DIR, bridge, LEDGER_SUFFIX);
}

static struct ledger *ledger_new(const char *bridge)
{
	struct ledger *lg = calloc(1, sizeof(*lg));

	if (!lg)
		return NULL;
	ledger_path(bridge, lg->path, sizeof(lg->path));
	lg->fd = -1;
	return lg;
}

static int remember(struct ledger *lg, const char *line)
{
	char **lines = realloc(lg->lines, (lg->nlines + 1) * sizeof(*lines));

	if (!lines)
		return -ENOMEM;
	lg->lines = lines;
	lg->lines[lg->nlines] = strdup(line);
	if (!lg->lines[lg->nlines])
		return -ENOMEM;
	lg->nlines++;
	return 0;
}

int ledger_create(const char *bridge, struct ledger **out)
{
	struct ledger *lg = ledger_new(bridge);
	int err;

	if (!lg)
		return -ENOMEM;
	if (mkdir(NSMON_RUN_DIR, 0755) && errno != EEXIST) {
		err = -errno;
		goto fail;
	}
	/* O_EXCL makes the ledger the lock: a second `up` on this bridge stops here. */
	lg->fd = open(lg->path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
	if (lg->fd < 0) {
		err = -errno;
		goto fail;
	}
	*out = lg;
	return 0;
fail:
	free(lg);
	return err;
}

int ledger_open(const char *bridge, struct ledger **out)
{
	struct ledger *lg = ledger_new(bridge);
	char line[LINE_MAX_LEN];
	FILE *f;
	int err = 0;

	if (!lg)
		return -ENOMEM;
	f = fopen(lg->path, "re");
	if (!f) {
		err = -errno;
		free(lg);
		return err;
	}
	while (!err && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (*line)
			err = remember(lg, line);
	}
	fclose(f);
	if (err) {
		ledger_close(lg);
		return err;
	}
	*out = lg;
	return 0;
}

int ledger_add(struct ledger *lg, const char *fmt, ...)
{
	char line[LINE_MAX_LEN];
	va_list args;
	int len;

	va_start(args, fmt);
	len = vsnprintf(line, sizeof(line) - 1, fmt, args);
	va_end(args);
	if (len < 0 || len >= (int)sizeof(line) - 1)
		return -ENAMETOOLONG;
	if (lg->fd < 0) {
		lg->fd = open(lg->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (lg->fd < 0)
			return -errno;
	}
	/* One write per line: a crash leaves whole lines, which down can undo. */
	line[len] = '\n';
	if (write(lg->fd, line, len + 1) != len + 1)
		return -errno;
	line[len] = '\0';
	return remember(lg, line);
}

static const char *const attachment_kinds[] = { "pin ", "qdisc ", "filter ", "keys " };

static bool is_attachment(const char *line)
{
	for (size_t i = 0; i < sizeof(attachment_kinds) / sizeof(attachment_kinds[0]); i++)
		if (!strncmp(line, attachment_kinds[i], strlen(attachment_kinds[i])))
			return true;
	return false;
}

bool ledger_has_attachments(const struct ledger *lg)
{
	for (size_t i = 0; i < lg->nlines; i++)
		if (is_attachment(lg->lines[i]))
			return true;
	return false;
}

int ledger_link_ifindex(const struct ledger *lg, const char *name)
{
	char got[IF_NAMESIZE + 1];
	int ifindex;

	for (size_t i = 0; i < lg->nlines; i++)
		if (sscanf(lg->lines[i], "link %16s %d", got, &ifindex) == 2 && !strcmp(got, name))
			return ifindex;
	return 0;
}

/* A namespace is ours only while /run/netns/NAME is still the one we made. */
/*
 * The namespace is ours if both its inode and its cookie are the ones
 * recorded: the kernel reuses inode numbers of freed namespaces, never
 * cookies. (A ledger line without a cookie is checked by inode alone.)
 */
static int undo_netns(const char *name, unsigned long long inode, unsigned long long cookie)
{
	__u64 now, now_cookie = 0;
	int fd, err;

	fd = netns_open(name);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	err = netns_inode(fd, &now);
	if (!err && cookie)
		err = netns_cookie(fd, &now_cookie);
	close(fd);
	if (err)
		return err;
	if (now != inode || now_cookie != cookie) {
		pr_warn("namespace \"%s\" is no longer the one nsmon created: left alone", name);
		return 0;
	}
	err = netns_del(name);
	return err == -ENOENT ? 0 : err;
}

/* Deleting one veth end deletes its peer too, wherever it lives. */
static int undo_link(struct ledger *lg, const char *name, int ifindex)
{
	struct link_info info;
	int err;

	if (!lg->nl) {
		lg->nl = nl_open();
		if (!lg->nl)
			return -errno;
	}
	err = link_get(lg->nl, name, &info);
	if (err == -ENODEV)
		return 0;
	if (err)
		return err;
	if (info.ifindex != ifindex) {
		pr_warn("link \"%s\" is no longer the one nsmon created: left alone", name);
		return 0;
	}
	err = link_del(lg->nl, ifindex);
	return err == -ENODEV ? 0 : err;
}

static int undo_line(struct ledger *lg, const char *line)
{
	char a[LINE_MAX_LEN], b[32];
	unsigned long long num, cookie;
	unsigned int handle, prio;
	int ifindex;

	if (!strncmp(line, "subnet ", 7))
		return 0;	/* a note for `up` joining the lab, nothing to undo */
	cookie = 0;
	if (sscanf(line, "netns %s %llu %llu", a, &num, &cookie) >= 2)
		return undo_netns(a, num, cookie);
	if (sscanf(line, "link %s %d", a, &ifindex) == 2)
		return undo_link(lg, a, ifindex);
	if (sscanf(line, "pin %s", a) == 1)
		return datapath_unpin(a);
	if (sscanf(line, "qdisc %s %d", a, &ifindex) == 2)
		return datapath_del_qdisc(a, ifindex);
	if (sscanf(line, "filter %s %d %31s %u %u", a, &ifindex, b, &handle, &prio) == 5)
		return datapath_del_filter(a, ifindex, b, handle, prio);
	if (sscanf(line, "keys %llu %d", &num, &ifindex) == 2)
		return datapath_forget_counters(num, ifindex);
	pr_warn("%s: cannot read line \"%s\": left alone", lg->path, line);
	return -EINVAL;
}

static int rewrite(struct ledger *lg)
{
	char tmp[PATH_MAX + 8];
	FILE *f;

	if (lg->fd >= 0) {
		close(lg->fd);
		lg->fd = -1;
	}
	if (!lg->nlines)
		return unlink(lg->path) && errno != ENOENT ? -errno : 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", lg->path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	for (size_t i = 0; i < lg->nlines; i++)
		fprintf(f, "%s\n", lg->lines[i]);
	if (fclose(f) || rename(tmp, lg->path))
		return -errno;
	return 0;
}

/* Undo lines [@from, end) that @match accepts (NULL: all), newest first. */
static int undo_range(struct ledger *lg, size_t from,
		      bool (*match)(const char *line, void *data), void *data)
{
	size_t kept = 0;
	int err = 0;

	/* Reverse order: programs before links, links before their namespaces. */
	for (size_t i = lg->nlines; i-- > from;) {
		int ret;

		if (match && !match(lg->lines[i], data))
			continue;
		ret = undo_line(lg, lg->lines[i]);
		if (ret) {
			/* Kept, so that a later down can try again. */
			pr_warn("cannot undo \"%s\": %s", lg->lines[i], strerror(-ret));
			err = err ?: ret;
			continue;
		}
		free(lg->lines[i]);
		lg->lines[i] = NULL;
	}
	bridge_flows_forget_done();
	for (size_t i = 0; i < lg->nlines; i++)
		if (lg->lines[i])
			lg->lines[kept++] = lg->lines[i];
	lg->nlines = kept;
	return rewrite(lg) ?: err;
}

int ledger_undo_if(struct ledger *lg, bool (*match)(const char *line, void *data), void *data)
{
	return undo_range(lg, 0, match, data);
}

size_t ledger_mark(const struct ledger *lg)
{
	return lg->nlines;
}

int ledger_undo_since(struct ledger *lg, size_t mark)
{
	return undo_range(lg, mark, NULL, NULL);
}

/* What follows "@kind " in @line, or NULL when @line is of another kind. */
static const char *rest_of(const char *line, const char *kind)
{
	size_t n = strlen(kind);

	return !strncmp(line, kind, n) && line[n] == ' ' ? line + n + 1 : NULL;
}

size_t ledger_count(const struct ledger *lg, const char *kind)
{
	size_t n = 0;

	for (size_t i = 0; i < lg->nlines; i++)
		n += rest_of(lg->lines[i], kind) != NULL;
	return n;
}

const char *ledger_value(const struct ledger *lg, const char *kind)
{
	const char *rest;

	for (size_t i = 0; i < lg->nlines; i++)
		if ((rest = rest_of(lg->lines[i], kind)))
			return rest;
	return NULL;
}

int ledger_foreach(const struct ledger *lg, const char *kind,
		   int (*cb)(const char *rest, void *data), void *data)
{
	const char *rest;
	int ret;

	for (size_t i = 0; i < lg->nlines; i++)
		if ((rest = rest_of(lg->lines[i], kind)) && (ret = cb(rest, data)))
			return ret;
	return 0;
}

static bool match_attachment(const char *line, void *data)
{
	return is_attachment(line);
}

int ledger_undo(struct ledger *lg, bool attachments_only)
{
	return ledger_undo_if(lg, attachments_only ? match_attachment : NULL, NULL);
}

void ledger_close(struct ledger *lg)
{
	if (!lg)
		return;
	for (size_t i = 0; i < lg->nlines; i++)
		free(lg->lines[i]);
	free(lg->lines);
	if (lg->fd >= 0)
		close(lg->fd);
	nl_close(lg->nl);
	free(lg);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int ledger_foreach_bridge(int (*cb)(const char *bridge, void *data), void *data)
{
	struct dirent **names;
	int n, err = 0;

	n = scandir(NSMON_RUN_DIR, &names, NULL, by_name);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		char *name = names[i]->d_name;
		size_t len = strlen(name), slen = strlen(LEDGER_SUFFIX);

		if (!err && len > slen && !strcmp(name + len - slen, LEDGER_SUFFIX)) {
			name[len - slen] = '\0';
			err = cb(name, data);
		}
		free(names[i]);
	}
	free(names);
	return err;
}
