// SPDX-License-Identifier: GPL-2.0
/* The ledger, a write-ahead journal per bridge: see ledger.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "lab/ledger.h"
#include "util/fault.h"
#include "util/grow.h"
#include "util/log.h"

#define LEDGER_SUFFIX	".lab"
#define LOCK_SUFFIX	".lock"
/* The first line, so that a later format can tell itself from this one. */
#define LEDGER_HEADER	"nsmon-ledger 1"

/* A line that could not be read, kept as it was so that a rewrite loses nothing. */
struct bad_line {
	char *text;
	size_t len;
};

struct ledger {
	char path[PATH_MAX];
	char lock_path[PATH_MAX];
	int lock_fd;		/* -1: no lock held */
	bool writer;
	int fd;			/* open for appending, -1 until the first append */
	int write_err;		/* the first failed write: every later one fails so */
	bool exists, lost;

	struct ledger_obj *objs;
	size_t nobjs, cap;
	unsigned int next_id;

	bool has_subnet;
	__u32 network;
	int prefixlen;

	bool pending;		/* a begin without its commit */
	enum ledger_op pending_op;
	size_t pending_from;	/* its first object */
	bool own_txn;		/* the pending begin is this process's */

	struct bad_line *bad;
	size_t nbad, bad_cap, first_bad_line;
};

/* ---- the parsed state ------------------------------------------------------ */

static struct ledger *ledger_alloc(void)
{
	struct ledger *lg = calloc(1, sizeof(*lg));

	if (lg) {
		lg->lock_fd = -1;
		lg->fd = -1;
		lg->next_id = 1;
	}
	return lg;
}

static int add_object(struct ledger *lg, const struct ledger_rec *rec)
{
	struct ledger_obj *v = grow(lg->objs, lg->nobjs, &lg->cap, sizeof(*v), 16);

	if (!v)
		return -ENOMEM;
	lg->objs = v;
	v[lg->nobjs++] = (struct ledger_obj){ .rec = *rec, .pending = lg->pending };
	if (rec->id >= lg->next_id)
		lg->next_id = rec->id + 1;
	return 0;
}

static struct ledger_obj *find_object(struct ledger *lg, unsigned int id, size_t *index)
{
	for (size_t i = lg->nobjs; i-- > 0;) {
		if (lg->objs[i].rec.id == id) {
			if (index)
				*index = i;
			return &lg->objs[i];
		}
	}
	return NULL;
}

static void remove_object(struct ledger *lg, size_t i)
{
	memmove(&lg->objs[i], &lg->objs[i + 1], (lg->nobjs - i - 1) * sizeof(lg->objs[0]));
	lg->nobjs--;
	if (lg->pending && lg->pending_from > i)
		lg->pending_from--;
}

static int add_bad(struct ledger *lg, const char *line, size_t len, size_t lineno)
{
	struct bad_line *v = grow(lg->bad, lg->nbad, &lg->bad_cap, sizeof(*v), 4);
	char *copy = malloc(len + 1);

	if (!v || !copy) {
		free(copy);
		if (v)
			lg->bad = v;
		return -ENOMEM;
	}
	memcpy(copy, line, len);
	copy[len] = '\0';
	lg->bad = v;
	v[lg->nbad++] = (struct bad_line){ copy, len };
	if (lg->nbad == 1)
		lg->first_bad_line = lineno;
	return 0;
}

/* Fold one record into the state: marks change the objects they name. */
static int apply(struct ledger *lg, const struct ledger_rec *rec)
{
	struct ledger_obj *obj;
	size_t i;

	switch (rec->kind) {
	case LEDGER_BEGIN:
		/* A begin inside a begin: the first one was never finished, keep its start. */
		if (!lg->pending) {
			lg->pending = true;
			lg->pending_op = rec->op;
			lg->pending_from = lg->nobjs;
		}
		return 0;
	case LEDGER_COMMIT:
		for (i = lg->pending_from; lg->pending && i < lg->nobjs; i++)
			lg->objs[i].pending = false;
		lg->pending = false;
		return 0;
	case LEDGER_SUBNET:
		lg->has_subnet = true;
		lg->network = rec->subnet.network;
		lg->prefixlen = rec->subnet.prefixlen;
		return 0;
	case LEDGER_DONE:
		obj = find_object(lg, rec->id, NULL);
		if (obj)
			obj->done = true;
		return 0;
	case LEDGER_CANCEL:
		if (find_object(lg, rec->id, &i))
			remove_object(lg, i);
		return 0;
	default:
		return add_object(lg, rec);
	}
}

int ledger_parse(const char *buf, size_t len, struct ledger **out)
{
	struct ledger *lg = ledger_alloc();
	size_t pos = 0, lineno = 0;
	int err = 0;

	if (!lg)
		return -ENOMEM;
	while (!err && pos < len) {
		const char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		struct ledger_rec rec;

		pos += n + (nl != NULL);
		lineno++;
		if (lineno == 1 && n == strlen(LEDGER_HEADER) && !memcmp(line, LEDGER_HEADER, n))
			continue;
		/* A last line without its newline was cut short: never trust it. */
		if (nl && !ledger_rec_parse(line, n, &rec)) {
			/* An object id seen twice is not a ledger this writer wrote. */
			if (ledger_kind_is_object(rec.kind) && find_object(lg, rec.id, NULL))
				err = add_bad(lg, line, n, lineno);
			else
				err = apply(lg, &rec);
		} else {
			err = add_bad(lg, line, n, lineno);
		}
	}
	lg->lost = !lineno || (lineno == 1 && !lg->nbad && !lg->nobjs && !lg->pending);
	if (err) {
		ledger_close(lg);
		return err;
	}
	*out = lg;
	return 0;
}

/* ---- reading and locking --------------------------------------------------- */

static int read_file(const char *path, char **buf, size_t *len)
{
	size_t cap = 0, n = 0;
	char *b = NULL;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t got;

		if (n == cap) {
			char *v = realloc(b, cap ? 2 * cap : 8192);

			if (!v) {
				err = -ENOMEM;
				break;
			}
			b = v;
			cap = cap ? 2 * cap : 8192;
		}
		got = read(fd, b + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			err = -errno;
		if (got <= 0)
			break;
		n += got;
	}
	close(fd);
	if (err) {
		free(b);
		return err;
	}
	*buf = b;
	*len = n;
	return 0;
}

static int make_run_dir(void)
{
	/* 0700: the ledger names namespaces, inodes and cookies, for root only. */
	if (mkdir(NSMON_RUN_DIR, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * flock @path. The command that takes a lab down removes the lock file as
 * it finishes, while another may be waiting on it: that one then holds a
 * lock on a file nobody else will open, so it checks that the path still
 * names what it locked, and locks afresh if not.
 */
static int take_lock(const char *path, int how, bool create, int *out)
{
	for (;;) {
		struct stat locked, now;
		int fd = open(path, O_RDONLY | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
		int err;

		if (fd < 0 && errno == ENOENT && create) {
			err = make_run_dir();	/* removed by a down of the last lab */
			if (err)
				return err;
			continue;
		}
		if (fd < 0)
			return -errno;
		if (flock(fd, how)) {
			err = -errno;
			close(fd);
			if (err == -EINTR)
				continue;
			return err;
		}
		if (!fstat(fd, &locked) && !stat(path, &now) && locked.st_ino == now.st_ino &&
		    locked.st_dev == now.st_dev) {
			*out = fd;
			return 0;
		}
		close(fd);
		if (!create)
			return -ENOENT;
	}
}

int ledger_lock_file(const char *name, bool exclusive, int *fd)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", NSMON_RUN_DIR, name);
	return take_lock(path, exclusive ? LOCK_EX : LOCK_SH, true, fd);
}

/* /run/nsmon/BRIDGE@suffix: the ledger (LEDGER_SUFFIX) or its lock (LOCK_SUFFIX). */
static void bridge_file(char path[PATH_MAX], const char *bridge, const char *suffix)
{
	snprintf(path, PATH_MAX, "%s/%s%s", NSMON_RUN_DIR, bridge, suffix);
}

/* Read the ledger at @path into a new state carrying @lock_fd. -ENOENT: no ledger. */
static int load(const char *bridge, int lock_fd, bool writer, struct ledger **out)
{
	char path[PATH_MAX];
	struct ledger *lg;
	char *buf = NULL;
	size_t len = 0;
	bool exists;
	int err;

	bridge_file(path, bridge, LEDGER_SUFFIX);
	err = read_file(path, &buf, &len);
	exists = !err;
	if (err == -ENOENT && writer)
		err = ledger_parse("", 0, &lg);
	else if (!err)
		err = ledger_parse(buf, len, &lg);
	free(buf);
	if (err)
		return err;
	lg->exists = exists;
	if (!lg->exists)
		lg->lost = false;
	bridge_file(lg->path, bridge, LEDGER_SUFFIX);
	bridge_file(lg->lock_path, bridge, LOCK_SUFFIX);
	lg->lock_fd = lock_fd;
	lg->writer = writer;
	*out = lg;
	return 0;
}

int ledger_open(const char *bridge, struct ledger **out)
{
	char lock_path[PATH_MAX];
	int lock_fd = -1, err;

	bridge_file(lock_path, bridge, LOCK_SUFFIX);
	err = take_lock(lock_path, LOCK_SH, false, &lock_fd);
	if (err && err != -ENOENT)
		return err;
	/* No lock file: a ledger is read as it is (or there is none). */
	err = load(bridge, lock_fd, false, out);
	if (err && lock_fd >= 0)
		close(lock_fd);
	return err;
}

int ledger_open_write(const char *bridge, unsigned int flags, struct ledger **out)
{
	char lock_path[PATH_MAX];
	struct ledger *lg;
	int lock_fd, err;

	bridge_file(lock_path, bridge, LOCK_SUFFIX);
	if (flags & LEDGER_EXISTING) {
		char path[PATH_MAX];

		/* Not even a lock file for a bridge nsmon holds nothing on. */
		bridge_file(path, bridge, LEDGER_SUFFIX);
		if (access(path, F_OK))
			return -ENOENT;
	}
	err = take_lock(lock_path, LOCK_EX | (flags & LEDGER_NOWAIT ? LOCK_NB : 0), true,
			&lock_fd);
	if (err) {
		if (err != -EWOULDBLOCK)
			pr_warn("cannot lock %s: %s", lock_path, strerror(-err));
		return err;
	}
	err = load(bridge, lock_fd, true, &lg);
	if (err) {
		pr_warn("cannot read the ledger of bridge \"%s\": %s", bridge, strerror(-err));
		close(lock_fd);
		return err;
	}
	if ((flags & LEDGER_EXISTING) && !lg->exists) {
		ledger_close(lg);	/* taken down while we waited */
		return -ENOENT;
	}
	*out = lg;
	return 0;
}

bool ledger_exists(const struct ledger *lg)
{
	return lg->exists;
}

bool ledger_lost(const struct ledger *lg)
{
	return lg->exists && lg->lost;
}

const char *ledger_path(const struct ledger *lg)
{
	return lg->path;
}

size_t ledger_damage(const struct ledger *lg, size_t *first_line, char *excerpt, size_t size)
{
	if (first_line)
		*first_line = lg->first_bad_line;
	if (excerpt && size)
		ledger_escape(lg->nbad ? lg->bad[0].text : "", lg->nbad ? lg->bad[0].len : 0,
			      excerpt, size);
	return lg->nbad;
}

const struct ledger_obj *ledger_objects(const struct ledger *lg, size_t *n)
{
	*n = lg->nobjs;
	return lg->objs;
}

bool ledger_pending(const struct ledger *lg, enum ledger_op *op)
{
	if (lg->pending && !lg->own_txn && op)
		*op = lg->pending_op;
	return lg->pending && !lg->own_txn;
}

bool ledger_subnet(const struct ledger *lg, __u32 *network, int *prefixlen)
{
	*network = lg->network;
	*prefixlen = lg->prefixlen;
	return lg->has_subnet;
}

int ledger_link_ifindex(const struct ledger *lg, const char *name)
{
	for (size_t i = 0; i < lg->nobjs; i++)
		if (lg->objs[i].rec.kind == LEDGER_LINK && !strcmp(lg->objs[i].rec.link.name, name))
			return lg->objs[i].rec.link.ifindex;
	return 0;
}

bool ledger_has_attachments(const struct ledger *lg)
{
	for (size_t i = 0; i < lg->nobjs; i++)
		if (ledger_kind_is_attachment(lg->objs[i].rec.kind))
			return true;
	return false;
}

/* ---- writing --------------------------------------------------------------- */

static int sync_dir(void)
{
	int fd = open(NSMON_RUN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd))
		err = -errno;
	close(fd);
	return err;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		len -= n;
	}
	return 0;
}

static int write_failed(struct ledger *lg, int err)
{
	if (!lg->write_err)
		pr_warn("cannot write the ledger %s: %s", lg->path, strerror(-err));
	lg->write_err = err;
	return err;
}

/* Append @text (whole lines) in one write and sync it. */
static int append(struct ledger *lg, const char *text, size_t len)
{
	bool created = false;
	int err;

	if (lg->write_err)
		return lg->write_err;
	if (!lg->writer)
		return -EBADF;
	if (lg->fd < 0) {
		err = make_run_dir();
		if (err)
			return write_failed(lg, err);
		lg->fd = open(lg->path, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (lg->fd < 0 && errno == ENOENT) {
			lg->fd = open(lg->path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC,
				      0600);
			created = lg->fd >= 0;
		}
		if (lg->fd < 0)
			return write_failed(lg, -errno);
	}
	if (created) {
		static const char header[] = LEDGER_HEADER "\n";

		err = write_all(lg->fd, header, sizeof(header) - 1);
		if (!err)
			err = sync_dir();
		if (err)
			return write_failed(lg, err);
		lg->exists = true;
	}
	err = write_all(lg->fd, text, len);
	if (!err && fdatasync(lg->fd))
		err = -errno;
	if (err)
		return write_failed(lg, err);
	lg->lost = false;
	return 0;
}

static int append_rec(struct ledger *lg, const struct ledger_rec *rec)
{
	char line[LEDGER_LINE_MAX + 1];
	int len = ledger_rec_format(rec, line, sizeof(line) - 1);

	if (len < 0)
		return len;
	line[len++] = '\n';
	return append(lg, line, len);
}

/* @rec written to the file, then applied to the state in memory (the records that make no object). */
static int append_apply(struct ledger *lg, const struct ledger_rec *rec)
{
	int err = append_rec(lg, rec);

	return err ? err : apply(lg, rec);
}

int ledger_begin(struct ledger *lg, enum ledger_op op)
{
	struct ledger_rec rec = { .kind = LEDGER_BEGIN, .op = op };
	int err = append_rec(lg, &rec);

	if (!err) {
		apply(lg, &rec);
		lg->own_txn = true;
	}
	return err;
}

int ledger_commit(struct ledger *lg)
{
	struct ledger_rec rec = { .kind = LEDGER_COMMIT };
	int err = append_rec(lg, &rec);

	if (!err) {
		apply(lg, &rec);
		lg->own_txn = false;
	}
	return err;
}

int ledger_note_subnet(struct ledger *lg, __u32 network, int prefixlen)
{
	struct ledger_rec rec = { .kind = LEDGER_SUBNET,
				  .subnet = { .network = network, .prefixlen = prefixlen } };

	return append_apply(lg, &rec);
}

int ledger_intend(struct ledger *lg, struct ledger_rec *rec)
{
	int err;

	if (!ledger_kind_is_object(rec->kind))
		return -EINVAL;
	fault_point();		/* about to record: nothing of it may exist yet */
	rec->id = lg->next_id;
	err = append_rec(lg, rec);
	if (!err)
		err = add_object(lg, rec);
	if (!err)
		fault_point();	/* recorded, not made */
	return err;
}

int ledger_done(struct ledger *lg, unsigned int id)
{
	struct ledger_rec rec = { .kind = LEDGER_DONE, .id = id };

	fault_point();		/* made, not marked */
	return append_apply(lg, &rec);
}

int ledger_cancel(struct ledger *lg, unsigned int id)
{
	struct ledger_rec rec = { .kind = LEDGER_CANCEL, .id = id };

	return append_apply(lg, &rec);
}

void ledger_forget(struct ledger *lg, size_t i)
{
	if (i < lg->nobjs)
		remove_object(lg, i);
}

void ledger_forget_damage(struct ledger *lg)
{
	for (size_t i = 0; i < lg->nbad; i++)
		free(lg->bad[i].text);
	lg->nbad = 0;
}

/* Everything the ledger holds, as the lines of a fresh file, into a new buffer. */
static int render(const struct ledger *lg, char **out, size_t *out_len)
{
	size_t cap = 64 + lg->nobjs * 160 + 64, len = 0;
	char *buf = malloc(cap);
	int n;

	if (!buf)
		return -ENOMEM;
	len = snprintf(buf, cap, "%s\n", LEDGER_HEADER);
	if (lg->has_subnet) {
		struct ledger_rec rec = { .kind = LEDGER_SUBNET,
					  .subnet = { lg->network, lg->prefixlen } };

		n = ledger_rec_format(&rec, buf + len, cap - len);
		if (n >= 0)
			buf[len + n] = '\n', len += n + 1;
	}
	for (size_t i = 0; i < lg->nobjs + lg->nbad; i++) {
		const struct ledger_obj *o = i < lg->nobjs ? &lg->objs[i] : NULL;
		size_t need = o ? 2 * LEDGER_LINE_MAX : lg->bad[i - lg->nobjs].len + 1;

		if (len + need + 1 > cap) {
			char *v = realloc(buf, 2 * cap + need);

			if (!v) {
				free(buf);
				return -ENOMEM;
			}
			buf = v;
			cap = 2 * cap + need;
		}
		if (!o) {
			memcpy(buf + len, lg->bad[i - lg->nobjs].text, need - 1);
			buf[len + need - 1] = '\n';
			len += need;
			continue;
		}
		n = ledger_rec_format(&o->rec, buf + len, LEDGER_LINE_MAX);
		if (n < 0)
			continue;	/* parsed or made by us: it fits */
		buf[len + n] = '\n';
		len += n + 1;
		if (o->done) {
			struct ledger_rec done = { .kind = LEDGER_DONE, .id = o->rec.id };

			n = ledger_rec_format(&done, buf + len, LEDGER_LINE_MAX);
			buf[len + n] = '\n';
			len += n + 1;
		}
	}
	*out = buf;
	*out_len = len;
	return 0;
}

int ledger_rewrite(struct ledger *lg)
{
	char tmp[PATH_MAX + 8];
	size_t len;
	char *buf;
	int fd, err;

	if (!lg->writer)
		return -EBADF;
	if (lg->fd >= 0) {
		close(lg->fd);	/* the next append opens the new file */
		lg->fd = -1;
	}
	lg->pending = false;
	lg->own_txn = false;
	for (size_t i = 0; i < lg->nobjs; i++)
		lg->objs[i].pending = false;
	fault_point();
	if (!lg->nobjs && !lg->nbad) {
		if (unlink(lg->path) && errno != ENOENT) {
			err = -errno;
			if (!lg->write_err)	/* else said already */
				pr_warn("cannot remove the ledger %s: %s", lg->path, strerror(-err));
			return err;
		}
		lg->exists = false;
		lg->lost = false;
		return 0;
	}
	err = render(lg, &buf, &len);
	if (err)
		return err;
	snprintf(tmp, sizeof(tmp), "%s.tmp", lg->path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		err = -errno;
	} else {
		err = write_all(fd, buf, len);
		if (!err && fsync(fd))
			err = -errno;
		close(fd);
		if (!err && rename(tmp, lg->path))
			err = -errno;
		if (!err)
			err = sync_dir();
		if (err)
			unlink(tmp);
	}
	free(buf);
	if (err) {
		if (!lg->write_err)
			pr_warn("cannot rewrite the ledger %s: %s", lg->path, strerror(-err));
		return err;
	}
	lg->exists = true;
	lg->lost = false;
	return 0;
}

void ledger_close(struct ledger *lg)
{
	if (!lg)
		return;
	/* Still under the lock: a lab that is gone takes its lock file along. */
	if (lg->writer && lg->lock_fd >= 0 && access(lg->path, F_OK) && errno == ENOENT)
		unlink(lg->lock_path);
	if (lg->fd >= 0)
		close(lg->fd);
	if (lg->lock_fd >= 0)
		close(lg->lock_fd);
	ledger_forget_damage(lg);
	free(lg->bad);
	free(lg->objs);
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
