// SPDX-License-Identifier: GPL-2.0
/*
 * nsmon ls: every namespace on the machine, as lsns finds them (through the
 * processes in /proc), plus the names `ip netns` gives network namespaces,
 * their interfaces and whether nsmon counts their traffic; with
 * --processes the processes in each (`ps -o pid,args` by namespace), with
 * -p PID only the namespaces PID is in (`ls -l /proc/PID/ns`, `ps -o
 * pid,pidns,netns,mntns,... -p PID`). The table is printed from the same
 * JSON model as --json, so the two cannot disagree.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/nsfs.h>
#include <jansson.h>

#include "cmd/cli.h"
#include "util/color.h"
#include "util/grow.h"
#include "lab/ledger.h"
#include "lab/link.h"
#include "util/log.h"
#include "lab/netns.h"

/* -t's choices: every type, or one of the types, whose order is the listing's. */
static const char *const type_choices[] = {
	"all", "net", "mnt", "pid", "uts", "ipc", "user", "cgroup", "time", NULL
};
static const char *const *const ns_types = type_choices + 1;

#define NS_NTYPES	(sizeof(type_choices) / sizeof(type_choices[0]) - 2)
#define NS_NET		0	/* index of "net" in ns_types */

struct ns_entry {
	int type;		/* index into ns_types */
	__u64 inode;
	int nprocs;
	int pid;		/* the lowest pid in it, 0 if none */
	char *name;		/* its /run/netns name, NULL if none */
	int *pids;		/* with --processes: all @nprocs of them, ascending */
};

struct ns_list {
	struct ns_entry *v;
	size_t n, cap;
	int only_type;		/* -t TYPE, or -1 for all */
	bool keep_pids;		/* --processes */
};

static int list_append(struct ns_list *l, int type, __u64 inode, int nprocs, int pid)
{
	struct ns_entry *v = grow(l->v, l->n, &l->cap, sizeof(*v), 256);

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = (struct ns_entry){ .type = type, .inode = inode, .nprocs = nprocs, .pid = pid };
	return 0;
}

static void list_free(struct ns_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].pids);
	}
	free(l->v);
}

/* By type, then inode, then pid: so that one process's sighting of a namespace leads its run. */
static int entry_cmp(const void *a, const void *b)
{
	const struct ns_entry *x = a, *y = b;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static bool is_pid(const char *name)
{
	for (const char *c = name; *c; c++)
		if (!isdigit((unsigned char)*c))
			return false;
	return *name;
}

/* One entry per (process, namespace) it is in; a process that vanished or hides adds none. */
static int add_process(struct ns_list *l, int pid)
{
	char path[64];
	struct stat st;
	int err;

	for (size_t t = 0; t < NS_NTYPES; t++) {
		if (l->only_type >= 0 && (int)t != l->only_type)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns_types[t]);
		if (stat(path, &st))
			continue;
		err = list_append(l, t, st.st_ino, 1, pid);
		if (err)
			return err;
	}
	return 0;
}

static int walk_processes(struct ns_list *l)
{
	DIR *proc = opendir("/proc");
	struct dirent *de;
	int err = 0;

	if (!proc) {
		err = -errno;
		pr_warn("cannot read /proc: %s", strerror(-err));
		return err;
	}
	while (!err && (de = readdir(proc)))
		if (is_pid(de->d_name))
			err = add_process(l, atoi(de->d_name));
	closedir(proc);
	if (err)
		pr_warn("cannot list namespaces: %s", strerror(-err));
	return err;
}

/* Every pid of the run of entries @first[0..@n) (one namespace's), ascending, into @first. */
static int keep_pids(struct ns_entry *first, size_t n)
{
	int *pids = malloc(n * sizeof(*pids));

	if (!pids)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		pids[i] = first[i].pid;
	first->pids = pids;
	return 0;
}

/*
 * Fold the sorted per-process entries into one per namespace, keeping the
 * lowest pid (and with --processes all of them).
 */
static int merge_processes(struct ns_list *l)
{
	size_t out = 0, run = 0;
	int err;

	qsort(l->v, l->n, sizeof(*l->v), entry_cmp);
	for (size_t i = 0; i <= l->n; i++) {
		if (i < l->n && i > run && l->v[run].type == l->v[i].type &&
		    l->v[run].inode == l->v[i].inode)
			continue;
		/* [run, i) is one namespace */
		if (i > run) {
			if (l->keep_pids) {
				err = keep_pids(&l->v[run], i - run);
				if (err)
					return err;
			}
			l->v[run].nprocs = i - run;
			l->v[out++] = l->v[run];
		}
		run = i;
	}
	l->n = out;
	return 0;
}

/*
 * -p PID: keep only the namespaces @pid is in, as /proc/PID/ns shows them
 * (read before the walk, so a namespace it left since is still its).
 */
static void keep_namespaces_of(struct ns_list *l, const __u64 *inodes)
{
	size_t out = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].inode == inodes[l->v[i].type]) {
			l->v[out++] = l->v[i];
		} else {
			free(l->v[i].name);
			free(l->v[i].pids);
		}
	}
	l->n = out;
}

/* The inode of each of @pid's namespaces (0 for a type it does not show). Return 0 or -errno. */
static int read_namespaces_of(int pid, __u64 *inodes)
{
	char path[64];
	struct stat st;
	int err = -ESRCH;

	for (size_t t = 0; t < NS_NTYPES; t++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns_types[t]);
		inodes[t] = 0;
		if (!stat(path, &st)) {
			inodes[t] = st.st_ino;
			err = 0;
		} else if (errno != ENOENT) {
			err = -errno;	/* EACCES: there, but hidden from us */
		}
	}
	if (err)
		pr_warn("cannot read the namespaces of pid %d: %s", pid,
			err == -ESRCH ? "no such process" : strerror(-err));
	return err;
}

static struct ns_entry *find_net(struct ns_list *l, __u64 inode)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].type == NS_NET && l->v[i].inode == inode)
			return &l->v[i];
	return NULL;
}

/*
 * The inode of the namespace /run/netns/NAME holds. A file there that is not
 * a namespace (ip netns add died half-way) is skipped: its own tmpfs inode
 * would look like a namespace nobody is in.
 */
static int named_netns_inode(const char *name, __u64 *inode)
{
	int fd = netns_open(name), err;

	if (fd < 0)
		return fd;
	err = ioctl(fd, NS_GET_NSTYPE) == CLONE_NEWNET ? netns_inode(fd, inode) : -EINVAL;
	close(fd);
	return err;
}

/* netns_foreach() callback: name the namespace, or add it if no process is in it. */
static int add_name(const char *name, void *data)
{
	struct ns_list *l = data;
	struct ns_entry *e;
	__u64 inode;
	int err;

	if (named_netns_inode(name, &inode)) {
		pr_debug("skipping %s/%s: not a network namespace", NETNS_RUN_DIR, name);
		return 0;
	}
	e = find_net(l, inode);
	if (!e) {
		err = list_append(l, NS_NET, inode, 0, 0);
		if (err)
			return err;
		e = &l->v[l->n - 1];
	}
	/* Two names for one namespace: the first in name order, as netns_foreach walks. */
	if (e->name)
		return 0;
	e->name = strdup(name);
	return e->name ? 0 : -ENOMEM;
}

static int add_names(struct ns_list *l)
{
	int err = netns_foreach(add_name, l);

	if (err)
		pr_warn("cannot read %s: %s", NETNS_RUN_DIR, strerror(-err));
	return err;
}

static json_t *command_json(int pid)
{
	char path[64], comm[64];
	FILE *f;

	if (!pid)
		return json_null();
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return json_null();	/* it has exited since we saw it */
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	return json_string(comm);
}

/*
 * What `ps -o args` shows for @pid: its command line, arguments separated by
 * spaces; "[comm]" for a process without one (a kernel thread, a zombie).
 */
static json_t *args_json(int pid)
{
	char path[64], *buf = NULL;
	size_t size = 0, n;
	json_t *args;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	f = fopen(path, "re");
	if (!f)
		return json_null();	/* it has exited since we saw it */
	n = getdelim(&buf, &size, EOF, f);
	fclose(f);
	if (n == (size_t)-1)
		n = 0;
	while (n && !buf[n - 1])
		n--;
	for (size_t i = 0; i < n; i++)
		if (!buf[i] || buf[i] == '\n')
			buf[i] = ' ';
	if (n) {
		args = json_stringn(buf, n);
	} else {
		json_t *comm = command_json(pid);

		args = json_is_string(comm) ? json_sprintf("[%s]", json_string_value(comm)) : json_null();
		json_decref(comm);
	}
	free(buf);
	/* jansson refuses a command line that is not UTF-8: say so, as null. */
	return args ? args : json_null();
}

/* --processes: every process in @e, each with its command line. */
static json_t *process_list_json(const struct ns_entry *e)
{
	json_t *list = json_array();

	for (int i = 0; e->pids && i < e->nprocs; i++)
		json_array_append_new(list, json_pack("{s:i, s:o}", "pid", e->pids[i],
						      "args", args_json(e->pids[i])));
	return list;
}

/*
 * An fd of the network namespace @e, from its name or its lowest process.
 * Return: the fd, or -errno when its name or its processes went away since the walk.
 */
static int open_netns(const struct ns_entry *e)
{
	char path[64];
	__u64 inode;
	int fd;

	if (e->name)
		return netns_open(e->name);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", e->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	/* The pid may have been reused by a process in another namespace since the walk. */
	if (netns_inode(fd, &inode) || inode != e->inode) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

/* The namespaces (by netns cookie) holding an interface some lab's ledger counts. */
struct counted {
	__u64 *cookies;
	size_t n, cap;
};

static int add_counted(struct counted *c, __u64 cookie)
{
	__u64 *grown = grow(c->cookies, c->n, &c->cap, sizeof(*grown), 64);

	if (!grown)
		return -ENOMEM;
	c->cookies = grown;
	c->cookies[c->n++] = cookie;
	return 0;
}

static int add_lab_counted(const char *bridge, void *data)
{
	const struct ledger_obj *objs;
	struct ledger *lg;
	size_t n;
	int err = 0;

	if (ledger_open(bridge, &lg))
		return 0;	/* taken down since it was listed */
	objs = ledger_objects(lg, &n);
	for (size_t i = 0; i < n && !err; i++)
		if (objs[i].rec.kind == LEDGER_KEYS)
			err = add_counted(data, objs[i].rec.keys.cookie);
	ledger_close(lg);
	return err;
}

static bool is_counted(const struct counted *c, __u64 cookie)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->cookies[i] == cookie)
			return true;
	return false;
}

struct net_details {
	json_t *interfaces;
	bool monitored;
};

/* The two keys only a network namespace has. */
static void set_net_fields(json_t *obj, json_t *interfaces, bool monitored)
{
	json_object_set_new(obj, "interfaces", interfaces);
	json_object_set_new(obj, "monitored", json_boolean(monitored));
}

static int add_interface(const struct link_info *info, void *data)
{
	struct net_details *d = data;

	json_array_append_new(d->interfaces, json_pack("{s:s, s:i, s:b}", "name", info->name,
						       "ifindex", info->ifindex,
						       "up", !!(info->flags & IFF_UP)));
	return 0;
}

/*
 * A dump the links changed under (NLM_F_DUMP_INTR, which libmnl reports as
 * EINTR) may have missed a link or shown one twice, and a namespace being
 * built or torn down (250 veths by nsmon up) changes under every dump that
 * spans several messages: try again for a while before giving up.
 */
#define DUMP_TRIES	250
#define DUMP_PAUSE_US	20000	/* so about 5 s in all */

/*
 * The interfaces of @netns_fd into @d, on a fresh socket each time: what
 * was left of an interrupted dump may still be queued on the old one.
 */
static int list_interfaces(int netns_fd, __u64 inode, struct net_details *d)
{
	struct nl_sock *nl;
	int err = -EINTR;

	for (int try = 0; try < DUMP_TRIES && err == -EINTR; try++) {
		if (try)
			usleep(DUMP_PAUSE_US);
		nl = nl_open_in(netns_fd);
		if (!nl) {
			err = -errno;
			pr_warn("cannot open rtnetlink in net:[%llu]: %s", (unsigned long long)inode,
				strerror(-err));
			return err;
		}
		json_array_clear(d->interfaces);
		err = link_foreach(nl, add_interface, d);
		if (err && err != -EINTR)
			pr_warn("cannot list the links of net:[%llu]: %s", (unsigned long long)inode,
				nl_strerror(nl, err));
		nl_close(nl);
	}
	if (err == -EINTR)
		pr_warn("cannot list the links of net:[%llu]: they kept changing during the dump",
			(unsigned long long)inode);
	return err;
}

/* "interfaces" and "monitored" of the network namespace @netns_fd, into @obj. */
static int add_net_details(json_t *obj, int netns_fd, __u64 inode, const struct counted *c)
{
	struct net_details d = { .interfaces = json_array() };
	__u64 cookie;
	int err = 0;

	if (c->n) {
		err = netns_cookie(netns_fd, &cookie);
		if (err)
			pr_warn("cannot read the netns cookie of net:[%llu]: %s",
				(unsigned long long)inode, strerror(-err));
		d.monitored = !err && is_counted(c, cookie);
	}
	if (!err)
		err = list_interfaces(netns_fd, inode, &d);
	set_net_fields(obj, d.interfaces, d.monitored);
	return err;
}

static json_t *entry_json(const struct ns_entry *e)
{
	return json_pack("{s:s, s:I, s:o, s:i, s:o, s:o}",
			 "type", ns_types[e->type], "inode", (json_int_t)e->inode,
			 "name", e->name ? json_string(e->name) : json_null(),
			 "processes", e->nprocs,
			 "pid", e->pid ? json_integer(e->pid) : json_null(),
			 "command", command_json(e->pid));
}

/* The "namespaces" array; NULL (the error printed, *err set) on a failure. */
static json_t *namespaces_json(const struct ns_list *l, const struct counted *c, int *err)
{
	json_t *arr = json_array();

	*err = 0;
	for (size_t i = 0; i < l->n && !*err; i++) {
		const struct ns_entry *e = &l->v[i];
		json_t *obj = entry_json(e);
		int fd;

		json_array_append_new(arr, obj);
		if (l->keep_pids)
			json_object_set_new(obj, "process_list", process_list_json(e));
		if (e->type != NS_NET)
			continue;
		fd = open_netns(e);
		if (fd < 0) {
			/* Gone since the walk: list it as it was, without what we can no longer see. */
			pr_debug("net:[%llu] is gone: %s", (unsigned long long)e->inode, strerror(-fd));
			set_net_fields(obj, json_array(), false);
			continue;
		}
		*err = add_net_details(obj, fd, e->inode, c);
		close(fd);
	}
	if (*err) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

static const char *or_dash(const json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : "-";
}

static void print_namespace(const json_t *ns)
{
	const json_t *pid = json_object_get(ns, "pid"), *monitored = json_object_get(ns, "monitored");
	char pidbuf[16] = "-";

	if (json_is_integer(pid))
		snprintf(pidbuf, sizeof(pidbuf), "%lld", (long long)json_integer_value(pid));
	printf("%-6s %10lld %-15s %6lld %7s %-15s %s\n",
	       json_string_value(json_object_get(ns, "type")),
	       (long long)json_integer_value(json_object_get(ns, "inode")),
	       or_dash(json_object_get(ns, "name")),
	       (long long)json_integer_value(json_object_get(ns, "processes")),
	       pidbuf, or_dash(json_object_get(ns, "command")),
	       !monitored ? "-" : json_is_true(monitored) ? "yes" : "no");
}

static void print_table(const json_t *doc)
{
	const json_t *namespaces = json_object_get(doc, "namespaces"), *ns, *ifc, *proc;
	size_t i, j;

	printf("%s%-6s %10s %-15s %6s %7s %-15s %s%s\n", color(stdout, COLOR_HEADER),
	       "TYPE", "INODE", "NAME", "NPROCS", "PID", "COMMAND", "MONITORED",
	       color(stdout, COLOR_RESET));
	json_array_foreach(namespaces, i, ns) {
		print_namespace(ns);
		/* A network namespace's interfaces on lines of their own, under its name. */
		json_array_foreach(json_object_get(ns, "interfaces"), j, ifc)
			printf("%18s%-15s ifindex %-6lld %s\n", "",
			       json_string_value(json_object_get(ifc, "name")),
			       (long long)json_integer_value(json_object_get(ifc, "ifindex")),
			       json_is_true(json_object_get(ifc, "up")) ? "up" : "down");
		/* --processes: each process on a line of its own, as ps -o pid,args. */
		json_array_foreach(json_object_get(ns, "process_list"), j, proc)
			printf("%18spid %-7lld %s\n", "",
			       (long long)json_integer_value(json_object_get(proc, "pid")),
			       or_dash(json_object_get(proc, "args")));
	}
}

struct ls_args {
	int type;		/* index in type_choices */
	bool json, processes;
	unsigned long pid;	/* -p: 0 for every process's */
};

static const struct cli_option ls_options[] = {
	CLI_OPTION("json", 'j', CLI_FLAG, struct ls_args, json, .help = "one JSON document"),
	CLI_OPTION("type", 't', CLI_ENUM, struct ls_args, type, .metavar = "TYPE", .def = "all",
		   .values = type_choices, .complete = CLI_COMPLETE_VALUES,
		   .help = "only this type"),
	CLI_OPTION("processes", 0, CLI_FLAG, struct ls_args, processes,
		   .help = "the processes in each namespace, with their command lines"),
	CLI_OPTION("pid", 'p', CLI_COUNT, struct ls_args, pid, .metavar = "PID", .min = 1,
		   .max = INT_MAX, .complete = CLI_COMPLETE_PID,
		   .help = "only the namespaces process PID is in (/proc/PID/ns)"),
	CLI_END
};

static int run_ls(const void *args, int noperands, char **operands)
{
	const struct ls_args *a = args;
	struct ns_list l = { .only_type = a->type - 1, .keep_pids = a->processes };	/* -1: all */
	bool json = a->json;
	json_t *namespaces = NULL, *doc;
	struct counted counted = {};
	__u64 pid_inodes[NS_NTYPES];
	int err;

	if (a->pid) {
		err = read_namespaces_of(a->pid, pid_inodes);
		if (err)
			return err == -ESRCH ? EXIT_FAIL : cli_exit_code(err);
	}
	err = ledger_foreach_bridge(add_lab_counted, &counted);
	if (err) {
		pr_warn("cannot read the labs' ledgers: %s", strerror(-err));
		goto out;
	}
	/* Walk /proc before entering any namespace: nsmon itself is one of the processes. */
	err = walk_processes(&l);
	if (!err)
		err = merge_processes(&l);
	if (err)
		goto out;
	if (l.only_type < 0 || l.only_type == NS_NET) {
		err = add_names(&l);
		if (err)
			goto out;
	}
	qsort(l.v, l.n, sizeof(*l.v), entry_cmp);
	if (a->pid)
		keep_namespaces_of(&l, pid_inodes);

	namespaces = namespaces_json(&l, &counted, &err);
	if (err)
		goto out;
	doc = json_pack("{s:O}", "namespaces", namespaces);
	if (a->pid)
		json_object_set_new(doc, "process", json_pack("{s:i, s:o}", "pid", (int)a->pid,
							      "args", args_json(a->pid)));
	cli_print_doc(doc, json, print_table);
	json_decref(doc);
out:
	json_decref(namespaces);
	list_free(&l);
	free(counted.cookies);
	return cli_exit_code(err);
}

const struct cli_command cmd_ls = {
	.name = "ls",
	.summary = "every namespace of the machine, with its names, processes and interfaces",
	.description = "Like lsns, with the names ip netns gives, the interfaces of each network\n"
		       "namespace and whether nsmon monitors it.",
	.options = ls_options,
	.args_size = sizeof(struct ls_args),
	.examples = "nsmon ls -t net\tthe network namespaces\n"
		    "nsmon ls -p $$\tthe namespaces this shell is in\n"
		    "nsmon ls -t net --processes\twho is in each network namespace\n"
		    "nsmon ls -j | jq '.namespaces[] | select(.monitored)'\tthe lab's",
	.run = run_ls,
};
