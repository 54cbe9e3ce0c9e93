// SPDX-License-Identifier: GPL-2.0
/* Loading the datapath programs, attaching and pinning them: see datapath.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/counters.h"
#include "datapath/datapath.h"
#include "datapath/features.h"
#include "datapath.skel.h"
#include "xdp.skel.h"
#include "util/log.h"
#include "lab/netns.h"
#include "datapath/tcx.h"

#define BPF_FS_MAGIC_NUMBER	0xcafe4a11

#ifndef CAP_BPF
#define CAP_BPF			39
#endif

static const struct tc_dir {
	const char *name;		/* as the ledger and pin names say it */
	int tcx_type;
	enum bpf_tc_attach_point tc_point;
} tc_dirs[] = {
	{ "ingress", NSMON_BPF_TCX_INGRESS, BPF_TC_INGRESS },
	{ "egress", NSMON_BPF_TCX_EGRESS, BPF_TC_EGRESS },
};

const char *const tc_mode_names[] = { "auto", "tcx", "clsact", NULL };

int datapath_preflight(void)
{
	const char *why;

	if (!feature_probe(FEATURE_BTF, &why)) {
		pr_warn("kernel BTF is missing: %s", why);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Pins need a bpffs; mount one where the distribution did not, as bpftool does. */
static int ensure_bpffs(void)
{
	struct statfs st;

	if (!statfs("/sys/fs/bpf", &st) && st.f_type == BPF_FS_MAGIC_NUMBER)
		return 0;
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
		pr_warn("cannot mount bpffs on /sys/fs/bpf: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static int make_dir(const char *path)
{
	if (mkdir(path, 0700) && errno != EEXIST) {
		pr_warn("cannot create %s: %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * A map pinned by another version of nsmon (for a lab it left up) may have
 * another shape, which libbpf refuses with a bare EINVAL: name it and say
 * what to do. Return 0 or -EEXIST.
 */
static int check_pinned_maps(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		const char *path = bpf_map__pin_path(map);
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		int fd, err;

		if (!path)
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;	/* not pinned yet: ours to create */
		err = bpf_obj_get_info_by_fd(fd, &info, &len);
		close(fd);
		if (err)
			continue;	/* libbpf will say what is wrong */
		if (info.type != bpf_map__type(map) || info.key_size != bpf_map__key_size(map) ||
		    info.value_size != bpf_map__value_size(map) ||
		    info.max_entries != bpf_map__max_entries(map) ||
		    info.map_flags != bpf_map__map_flags(map)) {
			pr_warn("%s was pinned by another version of nsmon: take its labs down with that version first",
				path);
			return -EEXIST;
		}
	}
	return 0;
}

/*
 * Every CLI run and every lab shares one counters map: libbpf reuses the
 * pin. The bridge maps too: a frame may enter by a port one run attached
 * and leave by a port another run attached (auto-attach, nsmon up NS). So
 * every map of ours (not .rodata and the like) lives at
 * NSMON_PIN_ROOT/NAME, whichever object declares it.
 */
static int share_maps(struct bpf_object *obj)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	int err;

	bpf_object__for_each_map(map, obj) {
		if (bpf_map__is_internal(map))
			continue;
		snprintf(path, sizeof(path), "%s/%s", NSMON_PIN_ROOT, bpf_map__name(map));
		err = bpf_map__set_pin_path(map, path);
		if (err)
			return err;
	}
	return check_pinned_maps(obj);
}

#define ABI_PIN		NSMON_PIN_ROOT "/abi"
/* In /run/nsmon: the lock of the maps all labs share. */
#define MAPS_LOCK	"maps.lock"

/*
 * Maps pinned by a build of another NSMON_ABI_VERSION (builds before the
 * mark have none) may have our shapes and another meaning: refuse them, as
 * check_pinned_maps() refuses other shapes. Return 0 or -EEXIST.
 */
static int check_abi(void)
{
	__u32 zero = 0, version = 1;
	int fd = bpf_obj_get(ABI_PIN);

	if (fd < 0 && access(NSMON_COUNTERS_PIN, F_OK))
		return 0;	/* nothing pinned yet: ours to create */
	if (fd >= 0) {
		if (bpf_map_lookup_elem(fd, &zero, &version))
			version = 0;
		close(fd);
	}
	if (version == NSMON_ABI_VERSION)
		return 0;
	pr_warn("the maps in %s were pinned by another version of nsmon: take its labs down with that version first",
		NSMON_PIN_ROOT);
	return -EEXIST;
}

/* Mark the maps as this build's, once they are pinned. */
static int pin_abi(void)
{
	__u32 zero = 0, version = NSMON_ABI_VERSION;
	int fd, err = 0;

	if (!access(ABI_PIN, F_OK))
		return 0;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "nsmon_abi", sizeof(zero), sizeof(version), 1, NULL);
	if (fd < 0)
		return -errno;
	if (bpf_map_update_elem(fd, &zero, &version, BPF_ANY) ||
	    (bpf_obj_pin(fd, ABI_PIN) && errno != EEXIST))	/* another run was first: fine */
		err = -errno;
	close(fd);
	return err;
}

static int load_tc(struct datapath *dp, __u64 netns_cookie)
{
	int err;

	dp->skel = datapath_bpf__open();
	if (!dp->skel)
		return -errno;
	dp->skel->rodata->bridge_netns_cookie = netns_cookie;
	err = share_maps(dp->skel->obj);
	if (!err)
		err = check_abi();
	if (!err)
		err = datapath_bpf__load(dp->skel);
	return err ? err : pin_abi();
}

static int load_xdp(struct datapath *dp)
{
	int err;

	dp->xdp_skel = xdp_bpf__open();
	if (!dp->xdp_skel)
		return -errno;
	err = share_maps(dp->xdp_skel->obj);
	return err ? err : xdp_bpf__load(dp->xdp_skel);
}

int datapath_open(struct datapath *dp, const char *bridge, int netns_fd, enum tc_mode mode,
		  bool xdp, struct ledger *lg)
{
	int err;

	memset(dp, 0, sizeof(*dp));
	dp->mode = mode;
	dp->ledger = lg;
	dp->maps_lock = -1;
	snprintf(dp->bridge, sizeof(dp->bridge), "%s", bridge);

	/*
	 * The maps all labs share are unpinned by the down of the last lab:
	 * not while this command is between reusing them and recording its lab.
	 */
	err = datapath_lock_maps(dp);
	if (err)
		return err;

	err = netns_cookie(netns_fd, &dp->netns_cookie);
	if (err) {
		pr_warn("cannot read the netns cookie of bridge %s's namespace: %s", bridge,
			strerror(-err));
		return err;
	}
	err = ensure_bpffs();
	if (!err)
		err = make_dir(NSMON_PIN_ROOT);
	if (!err) {
		char dir[PATH_MAX];

		datapath_pin_path(dir, sizeof(dir), bridge, NULL, NULL, NULL);
		err = make_dir(dir);
	}
	if (err)
		return err;

	err = load_tc(dp, dp->netns_cookie);
	if (!err && xdp)
		err = load_xdp(dp);
	dp->pins_foreign = err == -EEXIST;	/* check_pinned_maps() or check_abi() */
	if (err && err != -EEXIST)	/* check_pinned_maps() or check_abi() said why */
		pr_warn("cannot load the datapath programs: %s (nsmon -v shows the verifier's log)",
			strerror(-err));
	if (err)
		datapath_close(dp);
	return err;
}

void datapath_unlock_maps(struct datapath *dp)
{
	if (dp->maps_lock >= 0)
		close(dp->maps_lock);
	dp->maps_lock = -1;
}

int datapath_lock_maps(struct datapath *dp)
{
	int err = dp->maps_lock >= 0 ? 0 : ledger_lock_file(MAPS_LOCK, false, &dp->maps_lock);

	if (err)
		pr_warn("cannot lock %s/%s: %s", NSMON_RUN_DIR, MAPS_LOCK, strerror(-err));
	return err;
}

void datapath_close(struct datapath *dp)
{
	datapath_unlock_maps(dp);
	xdp_bpf__destroy(dp->xdp_skel);
	dp->xdp_skel = NULL;
	datapath_bpf__destroy(dp->skel);
	dp->skel = NULL;
}

static __u32 map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) ? info.id : 0;
}

bool datapath_maps_current(const struct datapath *dp)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, dp->skel->obj) {
		int pinned;
		bool same;

		if (bpf_map__is_internal(map))
			continue;
		pinned = bpf_obj_get(bpf_map__pin_path(map));
		same = pinned >= 0 && map_id(pinned) == map_id(bpf_map__fd(map));
		if (pinned >= 0)
			close(pinned);
		if (!same)
			return false;
	}
	return true;
}

int datapath_pin_path(char *path, size_t size, const char *bridge, const char *netns,
		      const char *ifname, const char *what)
{
	int n;

	if (ifname)
		n = snprintf(path, size, "%s/%s/%s:%s:%s", NSMON_PIN_ROOT, bridge,
			     netns ? netns : NETNS_HOST, ifname, what);
	else
		n = snprintf(path, size, "%s/%s", NSMON_PIN_ROOT, bridge);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* The namespace of a record (a pin's, a clsact's): LEDGER_NETNS_OURS for ours. */
static void label_of(const char *netns, char *label, size_t size)
{
	snprintf(label, size, "%s", netns ? netns : LEDGER_NETNS_OURS);
}

/*
 * Record the pin @what of a link about to be made on @ifname (@ifindex, in
 * @netns, NULL: ours), so that the ledger names it before it exists; its
 * path (datapath_pin_path()) into @path. Return 0 or -errno (a path too
 * long for a record said here).
 */
static int intend_pin(struct datapath *dp, const char *netns, const char *ifname, int ifindex,
		      const char *what, char path[PATH_MAX], struct ledger_rec *rec)
{
	int err = datapath_pin_path(path, PATH_MAX, dp->bridge, netns, ifname, what);

	*rec = (struct ledger_rec){ .kind = LEDGER_PIN, .pin.ifindex = ifindex };
	label_of(netns, rec->pin.netns, sizeof(rec->pin.netns));
	if (!err && snprintf(rec->pin.path, sizeof(rec->pin.path), "%s", path) >=
			    (int)sizeof(rec->pin.path))
		err = -ENAMETOOLONG;
	if (err) {
		pr_warn("cannot pin the link of %s: %s is too long", ifname, path);
		return err;
	}
	return ledger_intend(dp->ledger, rec);
}

/*
 * Pin the new link @link_fd at @path (recorded by intend_pin()); the pin is
 * what holds it attached once we exit. A failure cancels the record: the
 * link goes with its fd. Return 0 or -errno.
 */
static int pin_link(struct datapath *dp, int link_fd, const char *ifname, const char *path,
		    unsigned int id)
{
	int err;

	if (bpf_obj_pin(link_fd, path)) {
		err = -errno;
		pr_warn("cannot pin the link of %s at %s: %s", ifname, path, strerror(-err));
		ledger_cancel(dp->ledger, id);
		return err;
	}
	return ledger_done(dp->ledger, id);
}

static int attach_tcx(struct datapath *dp, const char *netns, const char *ifname, int ifindex,
		      const struct tc_dir *dir, int prog_fd)
{
	char what[32], path[PATH_MAX];
	struct ledger_rec rec;
	int fd, err;

	snprintf(what, sizeof(what), "tcx_%s", dir->name);
	err = intend_pin(dp, netns, ifname, ifindex, what, path, &rec);
	if (err)
		return err;
	fd = feature_tcx_link(prog_fd, ifindex, dir->tcx_type);
	if (fd < 0) {
		ledger_cancel(dp->ledger, rec.id);
		return fd;	/* attach_tc() says why, or falls back to clsact */
	}
	err = pin_link(dp, fd, ifname, path, rec.id);
	close(fd);
	return err;
}

/* nsmon's clsact filters sit at this priority, or the next free one after it. */
#define TC_PRIO_BASE	0x4e53	/* "NS" */
#define TC_PRIO_TRIES	16

/*
 * A clsact qdisc on @ifindex, recorded first. One that is there already
 * (someone's, which stays, or ours) cancels the record. Return 0 or -errno.
 */
static int add_clsact(struct datapath *dp, const char *netns, const char *ifname, int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	struct ledger_rec rec = { .kind = LEDGER_QDISC, .qdisc.ifindex = ifindex };
	int err;

	label_of(netns, rec.qdisc.netns, sizeof(rec.qdisc.netns));
	err = ledger_intend(dp->ledger, &rec);
	if (err)
		return err;
	err = bpf_tc_hook_create(&hook);
	if (err == -EEXIST)
		return ledger_cancel(dp->ledger, rec.id);
	if (err) {
		pr_warn("cannot add a clsact qdisc to %s: %s", ifname, strerror(-err));
		ledger_cancel(dp->ledger, rec.id);
		return err;
	}
	return ledger_done(dp->ledger, rec.id);
}

/*
 * A direct-action filter, at a handle and priority chosen before it is made
 * so that its record names it exactly: the first priority from
 * TC_PRIO_BASE on where handle 1 is free. Return 0 or -errno.
 */
static int attach_clsact(struct datapath *dp, const char *netns, const char *ifname, int ifindex,
			 const struct tc_dir *dir, int prog_fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = dir->tc_point);
	struct ledger_rec rec = { .kind = LEDGER_FILTER };
	int err = dir == &tc_dirs[0] ? add_clsact(dp, netns, ifname, ifindex) : 0;

	for (int i = 0; !err && i < TC_PRIO_TRIES; i++) {
		LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .handle = 1,
			    .priority = TC_PRIO_BASE + i);

		rec = (struct ledger_rec){ .kind = LEDGER_FILTER,
			.filter = { .ifindex = ifindex, .egress = dir->tc_point == BPF_TC_EGRESS,
				    .handle = opts.handle, .prio = opts.priority } };
		label_of(netns, rec.filter.netns, sizeof(rec.filter.netns));
		err = ledger_intend(dp->ledger, &rec);
		if (err)
			return err;
		err = bpf_tc_attach(&hook, &opts);
		if (!err)
			return ledger_done(dp->ledger, rec.id);
		ledger_cancel(dp->ledger, rec.id);
		if (err == -EEXIST)
			err = 0;	/* someone's filter there: the next priority */
		else
			break;
	}
	if (!err)
		err = -EEXIST;
	pr_warn("cannot attach a tc %s filter to %s: %s", dir->name, ifname, strerror(-err));
	return err;
}

/*
 * auto on a device this run made itself (datapath.devices_ours): clsact.
 * Each tcx attachment waits for an RCU grace period under RTNL, 10-25 ms
 * apiece on this machine's kernel, while a clsact filter goes on in well
 * under a millisecond; on a device no other tool has touched yet, what tcx
 * adds (an attachment that cannot be taken off by hand, ordering among
 * several owners) is not needed, and the programs count the same either way
 * (README, Attachment modes). Anything nsmon did not make keeps tcx links.
 */
static enum tc_mode mode_for(const struct datapath *dp)
{
	if (dp->mode == TC_MODE_AUTO && dp->devices_ours)
		return TC_MODE_CLSACT;
	return dp->mode;
}

static int attach_tc(struct datapath *dp, const char *netns, const char *ifname, int ifindex,
		     const struct tc_dir *dir, int prog_fd)
{
	int err;

	if (mode_for(dp) != TC_MODE_CLSACT) {
		err = attach_tcx(dp, netns, ifname, ifindex, dir, prog_fd);
		/* A kernel without tcx: feature_tcx_link() says EOPNOTSUPP. */
		if (err != -EOPNOTSUPP || dp->mode == TC_MODE_TCX) {
			if (err == -EOPNOTSUPP)
				pr_warn("cannot attach tcx %s to %s: the kernel has no tcx (Linux < 6.6); try --tc-mode clsact",
					dir->name, ifname);
			else if (err && err != -ENOENT && err != -ENAMETOOLONG)
				pr_warn("cannot attach tcx %s to %s: %s", dir->name, ifname, strerror(-err));
			return err;
		}
		pr_info("kernel has no tcx: falling back to clsact filters");
		dp->mode = TC_MODE_CLSACT;
	}
	dp->used_clsact = true;
	return attach_clsact(dp, netns, ifname, ifindex, dir, prog_fd);
}

static int attach_xdp(struct datapath *dp, const char *netns, const char *ifname, int ifindex)
{
	char path[PATH_MAX];
	struct ledger_rec rec;
	int fd, err;

	if (!dp->xdp_skel) {
		pr_warn("cannot attach XDP to %s: the XDP program was not loaded", ifname);
		return -EINVAL;
	}
	err = intend_pin(dp, netns, ifname, ifindex, "xdp", path, &rec);
	if (err)
		return err;
	/* Native mode only: generic XDP would count a different (slower) path. */
	fd = feature_xdp_link(bpf_program__fd(dp->xdp_skel->progs.xdp_rx), ifindex,
			      XDP_FLAGS_DRV_MODE);
	if (fd < 0) {
		ledger_cancel(dp->ledger, rec.id);
		pr_warn("cannot attach native XDP to %s: %s", ifname, strerror(-fd));
		return fd;
	}
	err = pin_link(dp, fd, ifname, path, rec.id);
	close(fd);
	return err;
}

/*
 * A fast slot for the tc counters of an interface about to be hooked (see
 * nsmon.h). Without one the hash counts it, only slower: a warning, not a
 * failure.
 */
static void give_slot(struct datapath *dp, __u64 cookie, int ifindex)
{
	const struct counters_maps m = {
		.hash = bpf_map__fd(dp->skel->maps.counters),
		.slots = bpf_map__fd(dp->skel->maps.counter_slots),
		.fast = bpf_map__fd(dp->skel->maps.counters_fast),
		.owners = bpf_map__fd(dp->skel->maps.slot_owners),
		.matrix = bpf_map__fd(dp->skel->maps.bridge_matrix),
		.places = bpf_map__fd(dp->skel->maps.bridge_places),
		.flows = bpf_map__fd(dp->skel->maps.bridge_flows),
		.state = bpf_map__fd(dp->skel->maps.bridge_state),
	};
	int err = counters_give_slot(&m, cookie, ifindex);

	if (err)
		pr_warn("cannot give ifindex %d a counters slot: %s (its counters go to the hash)",
			ifindex, strerror(-err));
}

/*
 * Record @ifname's counters with the lab, then hook it: tc in both
 * directions with the programs @tc_progs (NULL for none), native XDP with
 * @xdp.
 */
static int attach(struct datapath *dp, const char *netns, int netns_fd, const char *ifname,
		  int ifindex, const struct bpf_program *const *tc_progs, bool xdp)
{
	/* The bridge and its ports share its namespace, read at datapath_open(). */
	__u64 cookie = dp->netns_cookie;
	struct ledger_rec keys;
	int saved, err;

	if (!tc_progs) {
		err = netns_cookie(netns_fd, &cookie);
		if (err) {
			pr_warn("cannot read the netns cookie of %s: %s",
				netns ? netns : NETNS_HOST, strerror(-err));
			return err;
		}
	}
	/* Recorded first: the counters of this interface go with the lab. */
	keys = (struct ledger_rec){ .kind = LEDGER_KEYS, .keys = { .cookie = cookie,
								  .ifindex = ifindex } };
	label_of(netns, keys.keys.netns, sizeof(keys.keys.netns));
	err = ledger_intend(dp->ledger, &keys);
	if (err)
		return err;
	if (tc_progs)
		give_slot(dp, cookie, ifindex);
	err = ledger_done(dp->ledger, keys.id);
	if (err || (!tc_progs && !xdp))
		return err;

	/* tcx, clsact and XDP resolve the ifindex in the caller's namespace. */
	saved = netns_enter(netns_fd);
	if (saved < 0) {
		pr_warn("cannot enter namespace %s: %s", netns ? netns : NETNS_HOST,
			strerror(-saved));
		return saved;
	}
	for (size_t i = 0; tc_progs && i < 2 && !err; i++)
		err = attach_tc(dp, netns, ifname, ifindex, &tc_dirs[i],
				bpf_program__fd(tc_progs[i]));
	if (!err && xdp)
		err = attach_xdp(dp, netns, ifname, ifindex);
	netns_leave(saved);
	return err;
}

int datapath_attach_bridge(struct datapath *dp, int netns_fd, const char *ifname, int ifindex)
{
	const struct bpf_program *progs[] = { dp->skel->progs.bridge_ingress,
					      dp->skel->progs.bridge_egress };

	return attach(dp, NULL, netns_fd, ifname, ifindex, progs, false);
}

int datapath_attach_port(struct datapath *dp, int netns_fd, const char *ifname, int ifindex)
{
	const struct bpf_program *progs[] = { dp->skel->progs.port_ingress,
					      dp->skel->progs.port_egress };

	return attach(dp, NULL, netns_fd, ifname, ifindex, progs, false);
}

int datapath_attach_peer(struct datapath *dp, const char *netns, int netns_fd,
			 const char *ifname, int ifindex, bool xdp)
{
	return attach(dp, netns, netns_fd, ifname, ifindex, NULL, xdp);
}

/* Run @fn inside the namespace the ledger calls @netns (LEDGER_NETNS_OURS: ours). */
static int in_netns(const char *netns, int (*fn)(void *arg), void *arg)
{
	int fd, saved, err;

	if (ledger_netns_ours(netns))
		return fn(arg);
	fd = netns_open(netns);
	if (fd == -ENOENT)
		return 0;	/* the namespace and all in it are gone */
	if (fd < 0)
		return fd;
	saved = netns_enter(fd);
	close(fd);
	if (saved < 0)
		return saved;
	err = fn(arg);
	netns_leave(saved);
	return err;
}

/* The device may be gone (with the namespace, or deleted by hand): fine. */
static int gone_is_fine(int err)
{
	return err == -ENOENT || err == -ENODEV || err == -EINVAL ? 0 : err;
}

struct tc_undo {
	struct bpf_tc_hook *hook;
	struct bpf_tc_opts *opts;
};

static int do_del_filter(void *arg)
{
	struct tc_undo *u = arg;

	return gone_is_fine(bpf_tc_detach(u->hook, u->opts));
}

int datapath_del_filter(const char *netns, int ifindex, bool egress, __u32 handle, __u32 prio)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle, .priority = prio);
	struct tc_undo u = { &hook, &opts };

	return in_netns(netns, do_del_filter, &u);
}

static int do_del_qdisc(void *arg)
{
	return gone_is_fine(bpf_tc_hook_destroy(arg));
}

int datapath_del_qdisc(const char *netns, int ifindex)
{
	/* Both points together name the clsact qdisc itself. */
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);

	return in_netns(netns, do_del_qdisc, &hook);
}

bool datapath_pin_path_ours(const char *path)
{
	static const char root[] = NSMON_PIN_ROOT "/";
	const char *c;

	if (strncmp(path, root, sizeof(root) - 1))
		return false;
	/* No way out of the directory: no "." or ".." component, no empty one. */
	for (c = path + sizeof(root) - 1; *c;) {
		size_t n = strcspn(c, "/");

		if (!n || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += n + (c[n] == '/');
	}
	return c[-1] != '/';
}

int datapath_unpin(const char *path)
{
	if (!datapath_pin_path_ours(path))
		return -EPERM;
	return unlink(path) && errno != ENOENT ? -errno : 0;
}

bool datapath_pin_defunct(const char *path)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);
	bool defunct;

	if (fd < 0)
		return errno == ENOENT;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		close(fd);
		return false;
	}
	/* A link whose device went away stays pinned, attached to nothing. */
	if (info.type == NSMON_BPF_LINK_TYPE_TCX || info.type == BPF_LINK_TYPE_XDP)
		defunct = !info.xdp.ifindex;	/* tcx.ifindex, the same place (tcx.h) */
	else
		defunct = false;
	close(fd);
	return defunct;
}

static int count_lab(const char *bridge, void *data)
{
	(*(int *)data)++;
	return 0;
}

bool datapath_last_lab(const char *bridge, int *maps_lock)
{
	int labs = 0;

	*maps_lock = -1;
	ledger_foreach_bridge(count_lab, &labs);
	if (labs != 1 || ledger_lock_file(MAPS_LOCK, true, maps_lock))
		return false;
	labs = 0;
	ledger_foreach_bridge(count_lab, &labs);	/* again, under the lock */
	if (labs == 1)
		return true;
	close(*maps_lock);
	*maps_lock = -1;
	return false;
}

void datapath_release_pins(const char *bridge, bool shared, int maps_lock)
{
	char path[PATH_MAX];
	int labs = 0, lock = maps_lock;

	/* rmdir, not a recursive delete: a pin that is left is someone's (or a bug) to see. */
	datapath_pin_path(path, sizeof(path), bridge, NULL, NULL, NULL);
	rmdir(path);
	if (lock < 0 && ledger_lock_file(MAPS_LOCK, true, &lock))
		return;
	ledger_foreach_bridge(count_lab, &labs);
	if (labs) {
		close(lock);
		return;
	}
	if (!shared)
		goto out;
	unlink(NSMON_COUNTERS_PIN);
	unlink(NSMON_COUNTER_SLOTS_PIN);
	unlink(NSMON_COUNTERS_FAST_PIN);
	unlink(NSMON_SLOT_OWNERS_PIN);
	unlink(NSMON_BRIDGE_FLOWS_PIN);
	unlink(NSMON_BRIDGE_STATE_PIN);
	unlink(NSMON_BRIDGE_MATRIX_PIN);
	unlink(NSMON_BRIDGE_PLACES_PIN);
	unlink(ABI_PIN);
	rmdir(NSMON_PIN_ROOT);
out:
	snprintf(path, sizeof(path), "%s/%s", NSMON_RUN_DIR, MAPS_LOCK);
	unlink(path);	/* still held: a command waiting for it locks a new one */
	rmdir(NSMON_RUN_DIR);
	close(lock);
}
