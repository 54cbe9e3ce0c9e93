// SPDX-License-Identifier: GPL-2.0
/* The pinned counters maps, read and given out: see counters.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/counters.h"
#include "util/grow.h"
#include "datapath/map_read.h"

const char *const nsmon_stat_names[NSMON_STAT_MAX] = {
	[NSMON_STAT_PACKETS]		= "packets",
	[NSMON_STAT_BYTES]		= "bytes",
	[NSMON_STAT_ARP_REQUEST]	= "arp_request",
	[NSMON_STAT_ARP_REPLY]		= "arp_reply",
	[NSMON_STAT_ICMP_ECHO_REQUEST]	= "icmp_echo_request",
	[NSMON_STAT_ICMP_ECHO_REPLY]	= "icmp_echo_reply",
	[NSMON_STAT_IPV4]		= "ipv4",
	[NSMON_STAT_IPV6]		= "ipv6",
	[NSMON_STAT_TCP]		= "tcp",
	[NSMON_STAT_UDP]		= "udp",
	[NSMON_STAT_ICMP]		= "icmp",
	[NSMON_STAT_OTHER]		= "other",
	[NSMON_STAT_BROADCAST]		= "broadcast",
	[NSMON_STAT_MULTICAST]		= "multicast",
	[NSMON_STAT_UNICAST]		= "unicast",
	[NSMON_STAT_ARP]		= "arp",
	[NSMON_STAT_L4_OTHER]		= "l4_other",
	[NSMON_STAT_VLAN]		= "vlan",
	[NSMON_STAT_TRUNCATED]		= "truncated",
	[NSMON_STAT_SKBS]		= "skbs",
};

const enum nsmon_stat nsmon_stat_order[NSMON_STAT_MAX] = {
	NSMON_STAT_PACKETS, NSMON_STAT_BYTES,
	NSMON_STAT_ARP_REQUEST, NSMON_STAT_ARP_REPLY,
	NSMON_STAT_ICMP_ECHO_REQUEST, NSMON_STAT_ICMP_ECHO_REPLY,
	NSMON_STAT_IPV4, NSMON_STAT_IPV6, NSMON_STAT_TCP, NSMON_STAT_UDP, NSMON_STAT_ICMP,
	NSMON_STAT_OTHER, NSMON_STAT_BROADCAST, NSMON_STAT_MULTICAST, NSMON_STAT_UNICAST,
	NSMON_STAT_ARP, NSMON_STAT_L4_OTHER, NSMON_STAT_VLAN, NSMON_STAT_TRUNCATED,
	NSMON_STAT_SKBS,
};

/* The pin at @path, -1 when it is not there (a datapath from before that map). */
static int open_pin(const char *path, int *fd)
{
	*fd = bpf_obj_get(path);
	return *fd < 0 && errno != ENOENT ? -errno : 0;
}

int counters_open(struct counters_maps *m)
{
	int err;

	m->slots = m->fast = m->owners = m->matrix = m->places = m->flows = m->state = -1;
	m->hash = bpf_obj_get(NSMON_COUNTERS_PIN);
	if (m->hash < 0)
		return -errno;
	err = open_pin(NSMON_COUNTER_SLOTS_PIN, &m->slots);
	if (!err)
		err = open_pin(NSMON_COUNTERS_FAST_PIN, &m->fast);
	if (!err)
		err = open_pin(NSMON_SLOT_OWNERS_PIN, &m->owners);
	if (!err)
		err = open_pin(NSMON_BRIDGE_MATRIX_PIN, &m->matrix);
	if (!err)
		err = open_pin(NSMON_BRIDGE_PLACES_PIN, &m->places);
	if (!err)
		err = open_pin(NSMON_BRIDGE_FLOWS_PIN, &m->flows);
	if (!err)
		err = open_pin(NSMON_BRIDGE_STATE_PIN, &m->state);
	if (err)
		counters_close(m);
	return err;
}

void counters_close(struct counters_maps *m)
{
	int *fds[] = { &m->hash, &m->slots, &m->fast, &m->owners, &m->matrix, &m->places,
		       &m->flows, &m->state };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

static struct nsmon_if_key make_key(__u64 cookie, int ifindex, int dir, int hook)
{
	struct nsmon_if_key key;

	/* Zero the padding too: the kernel hashes every byte of the key. */
	memset(&key, 0, sizeof(key));
	key.netns_cookie = cookie;
	key.ifindex = ifindex;
	key.direction = dir;
	key.hook = hook;
	return key;
}

/* Does the index entry @s give the interface (@cookie, @ifindex) a fast slot? */
static bool slot_is_of(const struct nsmon_slot *s, __u64 cookie, int ifindex)
{
	return s->netns_cookie == cookie && s->ifindex == (__u32)ifindex &&
	       s->slot < NSMON_FAST_SLOTS;
}

/* The fast slot of the interface, or -ENOENT when it has none. */
static int fast_slot_of(const struct counters_maps *m, __u64 cookie, int ifindex)
{
	__u32 index = (__u32)ifindex % NSMON_SLOT_INDEX;
	struct nsmon_slot s;

	if (m->slots < 0 || m->fast < 0 || bpf_map_lookup_elem(m->slots, &index, &s) ||
	    !slot_is_of(&s, cookie, ifindex))
		return -ENOENT;
	return (int)s.slot;
}

static void add_counters(struct nsmon_counters *sum, const struct nsmon_counters *c)
{
	for (int i = 0; i < NSMON_STAT_MAX; i++)
		sum->stat[i] += c->stat[i];
}

struct hash_entry {
	struct nsmon_if_key key;
	struct nsmon_counters sum;
};

struct counters_snapshot {
	int ncpus;
	bool have_fast;				/* the fast-slot maps are pinned */
	struct nsmon_slot slots[NSMON_SLOT_INDEX];
	struct nsmon_counters fast[NSMON_FAST_SLOTS * NSMON_DIR_MAX];
	bool have_places;			/* the place sums are pinned */
	struct nsmon_place_counters places[NSMON_FAST_SLOTS];
	struct hash_entry *hash;		/* sorted by key */
	size_t nhash, cap;
};

/* Where keep_slot() puts struct nsmon_slot values: by their __u32 key, below @n. */
struct slot_array {
	struct nsmon_slot *v;
	__u32 n;
};

static int keep_slot(const void *key, const void *value, void *data)
{
	const struct slot_array *a = data;
	__u32 i = *(const __u32 *)key;

	if (i < a->n)
		a->v[i] = *(const struct nsmon_slot *)value;
	return 0;
}

static int keep_fast(const void *key, const void *percpu, void *data)
{
	struct counters_snapshot *s = data;
	__u32 at = *(const __u32 *)key;

	for (int cpu = 0; at < NSMON_FAST_SLOTS * NSMON_DIR_MAX && cpu < s->ncpus; cpu++)
		add_counters(&s->fast[at], (const struct nsmon_counters *)percpu + cpu);
	return 0;
}

/* The place sums are so many __u64s, added up as such. */
#define PLACE_SUMS_WORDS	(sizeof(struct nsmon_place_counters) / sizeof(__u64))
_Static_assert(sizeof(struct nsmon_place_counters) % sizeof(__u64) == 0,
	       "struct nsmon_place_counters holds __u64s only");

static int keep_place_sums(const void *key, const void *percpu, void *data)
{
	struct counters_snapshot *s = data;
	__u32 slot = *(const __u32 *)key;

	for (int cpu = 0; slot < NSMON_FAST_SLOTS && cpu < s->ncpus; cpu++) {
		const __u64 *from = (const __u64 *)((const struct nsmon_place_counters *)percpu + cpu);
		__u64 *to = (__u64 *)&s->places[slot];

		for (size_t i = 0; i < PLACE_SUMS_WORDS; i++)
			to[i] += from[i];
	}
	return 0;
}

static int keep_hash_entry(const void *key, const void *percpu, void *data)
{
	struct counters_snapshot *s = data;
	struct hash_entry *e, *grown;

	grown = grow(s->hash, s->nhash, &s->cap, sizeof(*grown), 64);
	if (!grown)
		return -ENOMEM;
	s->hash = grown;
	e = &s->hash[s->nhash++];
	memset(e, 0, sizeof(*e));
	memcpy(&e->key, key, sizeof(e->key));
	for (int cpu = 0; cpu < s->ncpus; cpu++)
		add_counters(&e->sum, (const struct nsmon_counters *)percpu + cpu);
	return 0;
}

static int by_key(const void *a, const void *b)
{
	return memcmp(&((const struct hash_entry *)a)->key, &((const struct hash_entry *)b)->key,
		      sizeof(struct nsmon_if_key));
}

int counters_snapshot(const struct counters_maps *m, struct counters_snapshot **out)
{
	struct counters_snapshot *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus < 0) {
		err = s->ncpus;
		free(s);
		return err;
	}
	s->have_fast = m->slots >= 0 && m->fast >= 0;
	err = !s->have_fast ? 0 : map_read_all(m->slots, sizeof(__u32), sizeof(struct nsmon_slot),
					       false, keep_slot,
					       &(struct slot_array){ s->slots, NSMON_SLOT_INDEX });
	/*
	 * The sums before the counters: a frame is counted before the bridge
	 * step sums it, so read this way round no sum runs ahead of its skbs.
	 */
	s->have_places = s->have_fast && m->places >= 0;
	if (!err && s->have_places)
		err = map_read_all(m->places, sizeof(__u32), sizeof(struct nsmon_place_counters), true,
				   keep_place_sums, s);
	if (!err && s->have_fast)
		err = map_read_all(m->fast, sizeof(__u32), sizeof(struct nsmon_counters), true,
				   keep_fast, s);
	if (!err)
		err = map_read_all(m->hash, sizeof(struct nsmon_if_key), sizeof(struct nsmon_counters),
				   true, keep_hash_entry, s);
	if (err) {
		counters_snapshot_free(s);
		return err;
	}
	qsort(s->hash, s->nhash, sizeof(*s->hash), by_key);
	*out = s;
	return 0;
}

void counters_snapshot_free(struct counters_snapshot *s)
{
	if (!s)
		return;
	free(s->hash);
	free(s);
}

int counters_read(const struct counters_snapshot *s, __u64 netns_cookie, int ifindex, int dir,
		  int hook, struct nsmon_counters *sum)
{
	const struct nsmon_slot *slot = &s->slots[(__u32)ifindex % NSMON_SLOT_INDEX];
	struct hash_entry want = { .key = make_key(netns_cookie, ifindex, dir, hook) };
	const struct hash_entry *e;
	bool found = false;

	memset(sum, 0, sizeof(*sum));
	if (hook == NSMON_HOOK_TC && s->have_fast && slot_is_of(slot, netns_cookie, ifindex)) {
		add_counters(sum, &s->fast[slot->slot * NSMON_DIR_MAX + dir]);
		found = true;
	}
	/* The hash too: what was counted there before the slot was given. */
	e = bsearch(&want, s->hash, s->nhash, sizeof(*s->hash), by_key);
	if (e) {
		add_counters(sum, &e->sum);
		found = true;
	}
	return found ? 0 : -ENOENT;
}

int counters_place_sums(const struct counters_snapshot *s, __u64 netns_cookie, int ifindex,
			struct nsmon_place_counters *sum)
{
	const struct nsmon_slot *slot = &s->slots[(__u32)ifindex % NSMON_SLOT_INDEX];

	if (!s->have_places || !slot_is_of(slot, netns_cookie, ifindex))
		return -ENOENT;
	*sum = s->places[slot->slot];
	return 0;
}

bool counters_exist(const struct counters_snapshot *s, __u64 netns_cookie, int ifindex, int hook)
{
	struct nsmon_counters sum;

	for (int dir = 0; dir < NSMON_DIR_MAX; dir++)
		if (!counters_read(s, netns_cookie, ifindex, dir, hook, &sum))
			return true;
	return false;
}

/* Zero entries @keys (@count of them) of the per-CPU array @fd, on every CPU, in one batch. */
static int zero_percpu(int fd, const __u32 *keys, __u32 count, size_t value_size)
{
	int ncpus = libbpf_num_possible_cpus();
	void *zeros;
	int err = 0;

	if (ncpus < 0)
		return ncpus;
	zeros = calloc((size_t)count * ncpus, map_percpu_stride(value_size));
	if (!zeros)
		return -ENOMEM;
	if (bpf_map_update_batch(fd, keys, zeros, &count, NULL))
		err = -errno;
	free(zeros);
	return err;
}

/* Zero both directions of fast slot @slot. */
static int zero_fast_slot(const struct counters_maps *m, __u32 slot)
{
	__u32 keys[NSMON_DIR_MAX];

	for (__u32 dir = 0; dir < NSMON_DIR_MAX; dir++)
		keys[dir] = slot * NSMON_DIR_MAX + dir;
	return zero_percpu(m->fast, keys, NSMON_DIR_MAX, sizeof(struct nsmon_counters));
}

/* Zero the bridge matrix row and column of fast slot @slot. */
static int zero_matrix_cross(const struct counters_maps *m, __u32 slot)
{
	__u32 keys[NSMON_MATRIX_COLUMNS + NSMON_MATRIX_SLOTS], count = 0;

	if (m->matrix < 0 || slot >= NSMON_MATRIX_SLOTS)
		return 0;
	for (__u32 col = 0; col < NSMON_MATRIX_COLUMNS; col++)
		keys[count++] = slot * NSMON_MATRIX_COLUMNS + col;
	for (__u32 row = 0; row < NSMON_MATRIX_SLOTS; row++)
		if (row != slot)
			keys[count++] = row * NSMON_MATRIX_COLUMNS + slot;
	return zero_percpu(m->matrix, keys, count, sizeof(struct nsmon_bridge_counters));
}

/* Has the hash counted the interface at tc, in either direction? */
static bool counted_in_hash(const struct counters_maps *m, __u64 netns_cookie, int ifindex)
{
	struct nsmon_counters *percpu;
	int ncpus = libbpf_num_possible_cpus();
	bool found = false;

	percpu = ncpus > 0 ? calloc(ncpus, sizeof(*percpu)) : NULL;
	for (int dir = 0; percpu && !found && dir < NSMON_DIR_MAX; dir++) {
		struct nsmon_if_key key = make_key(netns_cookie, ifindex, dir, NSMON_HOOK_TC);

		found = !bpf_map_lookup_elem(m->hash, &key, percpu);
	}
	free(percpu);
	return found;
}

/* Set once a claim found every fast slot given: later attaches of this run skip the search. */
static bool slots_all_given;
/* Where this run's next search for a free slot starts. */
static __u32 next_slot;

int counters_give_slot(const struct counters_maps *m, __u64 netns_cookie, int ifindex)
{
	struct nsmon_slot owner = { .netns_cookie = netns_cookie, .ifindex = ifindex }, now;
	__u32 index = (__u32)ifindex % NSMON_SLOT_INDEX, slot = 0, tries;
	int err;

	if (m->slots < 0 || m->fast < 0 || m->owners < 0)
		return 0;
	if (bpf_map_lookup_elem(m->slots, &index, &now))
		return -errno;
	if (now.netns_cookie || slots_all_given)
		return 0;	/* another interface's (or ours already); or none left */
	/*
	 * Counted in the hashes already (attached while no slot was free): it
	 * goes on there, since the sums its flows make there would not follow
	 * it into a slot.
	 */
	if (counted_in_hash(m, netns_cookie, ifindex))
		return 0;
	/*
	 * Claim a slot: the insert succeeds for one nsmon run only. The search
	 * starts after the slot this run claimed last: from 0 each time, `up` of
	 * 250 namespaces tried ~31,000 taken slots, a third of its time.
	 */
	for (tries = 0; tries < NSMON_FAST_SLOTS; tries++) {
		slot = (next_slot + tries) % NSMON_FAST_SLOTS;
		owner.slot = slot;
		if (!bpf_map_update_elem(m->owners, &slot, &owner, BPF_NOEXIST))
			break;
		if (errno != EEXIST)
			return -errno;
	}
	if (tries == NSMON_FAST_SLOTS) {
		slots_all_given = true;	/* this run need not try again: the hash counts the rest */
		return 0;
	}
	next_slot = slot + 1;
	/* Zeroed before the programs can find it: nothing else writes it yet. */
	err = zero_fast_slot(m, slot);
	if (!err)
		err = zero_matrix_cross(m, slot);
	if (!err && m->places >= 0)
		err = zero_percpu(m->places, &slot, 1, sizeof(struct nsmon_place_counters));
	if (!err && bpf_map_update_elem(m->slots, &index, &owner, BPF_ANY))
		err = -errno;
	/*
	 * Given back on any failure, and when another run gave that index entry
	 * to an interface of its own at the same time (readers trust the entry).
	 */
	if (err || bpf_map_lookup_elem(m->slots, &index, &now) || memcmp(&now, &owner, sizeof(now)))
		bpf_map_delete_elem(m->owners, &slot);
	return err;
}

/* Free the interface's fast slot, if it has one: index entry first, so the programs stop using it. */
static int release_fast_slot(const struct counters_maps *m, __u64 netns_cookie, int ifindex)
{
	__u32 index = (__u32)ifindex % NSMON_SLOT_INDEX, slot;
	struct nsmon_slot none = {};
	int found = fast_slot_of(m, netns_cookie, ifindex);

	if (found < 0)
		return 0;
	slot = found;
	if (bpf_map_update_elem(m->slots, &index, &none, BPF_ANY))
		return -errno;
	return bpf_map_delete_elem(m->owners, &slot) && errno != ENOENT ? -errno : 0;
}

int counters_forget(const struct counters_maps *m, __u64 netns_cookie, int ifindex)
{
	for (int dir = 0; dir < NSMON_DIR_MAX; dir++) {
		for (int hook = 0; hook < NSMON_HOOK_MAX; hook++) {
			struct nsmon_if_key key = make_key(netns_cookie, ifindex, dir, hook);

			if (bpf_map_delete_elem(m->hash, &key) && errno != ENOENT)
				return -errno;
		}
	}
	return m->owners >= 0 ? release_fast_slot(m, netns_cookie, ifindex) : 0;
}

/*
 * Every CPU's bridge state into *@st, *@ncpus of them (the caller frees
 * *@st; NULL when there is none). Return: 0 (no state map is no state), or -errno.
 */
static int read_bridge_states(const struct counters_maps *m, struct nsmon_bridge_state **st,
			      int *ncpus)
{
	__u32 zero = 0;

	*st = NULL;
	*ncpus = libbpf_num_possible_cpus();
	if (*ncpus < 0)
		return *ncpus;
	if (m->state < 0)
		return 0;
	*st = calloc(*ncpus, sizeof(**st));
	if (!*st)
		return -ENOMEM;
	return bpf_map_lookup_elem(m->state, &zero, *st) ? -errno : 0;
}

int bridge_flows_uncounted(const struct counters_maps *m, __u64 *count)
{
	struct nsmon_bridge_state *st;
	int ncpus, err;

	*count = 0;
	err = read_bridge_states(m, &st, &ncpus);
	for (int cpu = 0; !err && st && cpu < ncpus; cpu++)
		*count += st[cpu].uncounted;
	free(st);
	return err;
}

int bridge_drops_pending_foreach(const struct counters_maps *m, __u64 cookie, bridge_flow_cb cb,
				 void *data)
{
	struct nsmon_bridge_state *st;
	int ncpus, err;

	err = read_bridge_states(m, &st, &ncpus);
	/* Each CPU's frame that left by nowhere, as long as no next frame has said so. */
	for (int cpu = 0; !err && st && cpu < ncpus; cpu++) {
		struct bridge_flow f = { .from = st[cpu].from, .to = NSMON_BR_NOWHERE };

		if (!st[cpu].from || st[cpu].fanout || st[cpu].netns_cookie != cookie)
			continue;
		f.stat[NSMON_BR_DROPPED] = 1;
		err = cb(&f, data);
	}
	free(st);
	return err;
}

struct flow_reader {
	int ncpus;
	__u64 cookie;
	bridge_flow_cb cb;
	void *data;
};

/* (@from, @to) summed over @percpu's CPUs to the reader's callback, unless it counted nothing. */
static int add_flow(struct flow_reader *rd, __u32 from, __u32 to,
		    const struct nsmon_bridge_counters *percpu)
{
	struct bridge_flow sum = { .from = from, .to = to };
	__u64 any = 0;

	for (int cpu = 0; cpu < rd->ncpus; cpu++)
		for (int i = 0; i < NSMON_BR_STAT_MAX; i++)
			sum.stat[i] += percpu[cpu].stat[i];
	for (int i = 0; i < NSMON_BR_STAT_MAX; i++)
		any |= sum.stat[i];
	return any ? rd->cb(&sum, rd->data) : 0;
}

/* A map_read_all() callback over bridge_flows: the flow, if it is the bridge's. */
static int keep_flow(const void *key_, const void *percpu, void *data)
{
	const struct nsmon_bridge_key *key = key_;
	struct flow_reader *rd = data;

	if (key->netns_cookie != rd->cookie)
		return 0;
	return add_flow(rd, key->from, key->to, percpu);
}

/*
 * The bridge matrix, read with the owner of each fast slot (cookie 0: free)
 * as the index confirms it: a claim that was never published (a run that
 * died half-way) owns no cells.
 */
struct matrix_reader {
	struct flow_reader *rd;
	struct nsmon_slot owners[NSMON_FAST_SLOTS];
	struct nsmon_slot index[NSMON_SLOT_INDEX];
};

static void confirm_owners(struct matrix_reader *mr)
{
	for (__u32 slot = 0; slot < NSMON_FAST_SLOTS; slot++) {
		struct nsmon_slot *o = &mr->owners[slot];

		if (memcmp(o, &mr->index[o->ifindex % NSMON_SLOT_INDEX], sizeof(*o)))
			memset(o, 0, sizeof(*o));
	}
}

/* A map_read_all() callback over bridge_matrix: the cell's flow, if both places are the bridge's. */
static int keep_cell(const void *key, const void *percpu, void *data)
{
	struct matrix_reader *mr = data;
	__u32 cell = *(const __u32 *)key;
	__u32 from = cell / NSMON_MATRIX_COLUMNS, to = cell % NSMON_MATRIX_COLUMNS;
	__u64 cookie = mr->rd->cookie;

	if (from >= NSMON_MATRIX_SLOTS || mr->owners[from].netns_cookie != cookie ||
	    (to < NSMON_MATRIX_SLOTS && mr->owners[to].netns_cookie != cookie))
		return 0;
	return add_flow(mr->rd, mr->owners[from].ifindex,
			to < NSMON_MATRIX_SLOTS ? mr->owners[to].ifindex : NSMON_BR_NOWHERE, percpu);
}

/* The matrix's flows into @rd; nothing when it is not pinned (an older datapath). */
static int read_matrix(const struct counters_maps *m, struct flow_reader *rd)
{
	struct matrix_reader *mr;
	int err;

	if (m->owners < 0 || m->slots < 0 || m->matrix < 0)
		return 0;
	mr = calloc(1, sizeof(*mr));
	if (!mr)
		return -ENOMEM;
	mr->rd = rd;
	err = map_read_all(m->owners, sizeof(__u32), sizeof(struct nsmon_slot), false, keep_slot,
			   &(struct slot_array){ mr->owners, NSMON_FAST_SLOTS });
	if (!err)
		err = map_read_all(m->slots, sizeof(__u32), sizeof(struct nsmon_slot), false,
				   keep_slot, &(struct slot_array){ mr->index, NSMON_SLOT_INDEX });
	if (!err) {
		confirm_owners(mr);
		err = map_read_all(m->matrix, sizeof(__u32), sizeof(struct nsmon_bridge_counters),
				   true, keep_cell, mr);
	}
	free(mr);
	return err;
}

int bridge_flows_foreach(const struct counters_maps *m, __u64 cookie, bridge_flow_cb cb,
			 void *data)
{
	struct flow_reader rd = { .cookie = cookie, .ncpus = libbpf_num_possible_cpus(),
				  .cb = cb, .data = data };
	int err;

	if (rd.ncpus < 0)
		return rd.ncpus;
	if (m->flows < 0)
		return 0;
	err = map_read_all(m->flows, sizeof(struct nsmon_bridge_key),
			   sizeof(struct nsmon_bridge_counters), true, keep_flow, &rd);
	return err ? err : read_matrix(m, &rd);
}

/*
 * The flows map's keys, read once per undo (until bridge_flows_forget_done()),
 * and the map they are deleted from (the caller's fd):
 * `down` forgets the flows of every interface of a lab, one call each, and
 * walking the whole map for each would be quadratic (tens of seconds for 250
 * namespaces). The keys are read in batches, the doomed ones collected and
 * deleted in batches at the end: a 250-namespace lab's ~63,000 flows were
 * ~120,000 syscalls, 1.4 s of its down.
 */
static struct nsmon_bridge_key *flow_keys, *doomed;
static size_t nflow_keys, flow_cap, ndoomed, doomed_cap;
static int flows_fd = -1;

static int keep_key(const void *key, const void *value, void *data)
{
	struct nsmon_bridge_key *grown = grow(flow_keys, nflow_keys, &flow_cap, sizeof(*grown), 256);

	if (!grown)
		return -ENOMEM;
	flow_keys = grown;
	flow_keys[nflow_keys++] = *(const struct nsmon_bridge_key *)key;
	return 0;
}

static int delete_doomed(void)
{
	size_t done = 0;
	int err = 0;

	while (done < ndoomed && !err) {
		__u32 count = ndoomed - done < 4096 ? ndoomed - done : 4096;

		if (!bpf_map_delete_batch(flows_fd, doomed + done, &count, NULL)) {
			done += count;
			continue;
		}
		/* ENOENT: one of them went meanwhile; EINVAL: a kernel without batches. One by one. */
		for (; done < ndoomed; done++)
			if (bpf_map_delete_elem(flows_fd, &doomed[done]) && errno != ENOENT)
				err = -errno;
	}
	return err;
}

int bridge_flows_forget_done(void)
{
	int err = flows_fd >= 0 ? delete_doomed() : 0;

	flows_fd = -1;
	free(flow_keys);
	free(doomed);
	flow_keys = doomed = NULL;
	nflow_keys = flow_cap = ndoomed = doomed_cap = 0;
	return err;
}

int bridge_flows_forget(const struct counters_maps *m, __u64 cookie, int ifindex)
{
	int err = 0;

	if (m->flows < 0)
		return 0;
	if (flows_fd < 0) {
		flows_fd = m->flows;
		err = map_read_all(flows_fd, sizeof(struct nsmon_bridge_key),
				   sizeof(struct nsmon_bridge_counters), true, keep_key, NULL);
	}
	for (size_t i = 0; i < nflow_keys && !err;) {
		const struct nsmon_bridge_key *k = &flow_keys[i];
		struct nsmon_bridge_key *grown;

		if (k->netns_cookie != cookie ||
		    (k->from != (__u32)ifindex && k->to != (__u32)ifindex)) {
			i++;
			continue;
		}
		grown = grow(doomed, ndoomed, &doomed_cap, sizeof(*grown), 256);
		if (!grown)
			return -ENOMEM;
		doomed = grown;
		doomed[ndoomed++] = *k;
		flow_keys[i] = flow_keys[--nflow_keys];
	}
	return err;
}
