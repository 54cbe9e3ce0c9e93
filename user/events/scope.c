// SPDX-License-Identifier: GPL-2.0
/* The labs an event stream is about: see scope.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "events_abi.h"
#include "events/scope.h"
#include "util/grow.h"
#include "util/log.h"

struct scope_bridge {
	char name[IF_NAMESIZE];
	int ifindex;		/* 0: not there (yet, or any more) */
};

struct scope_port {
	char name[IF_NAMESIZE];
	int ifindex;
	int bridge_ifindex;
	__u64 peer_cookie;	/* 0: no namespace known */
	char peer_netns[NAME_MAX + 1];	/* "": none */
	int peer_ifindex;
};

struct event_scope {
	struct lab_scope asked;		/* the caller's --bridge, -n, --all (its lists borrowed) */
	__u64 host_cookie;
	struct scope_bridge *bridges;
	size_t nbridges, bridges_cap;
	struct scope_port *ports;
	size_t nports, ports_cap;
	/* What the map holds, sorted. */
	struct nsmon_scope_key *keys;
	size_t nkeys;
	int map_fd;
};

struct event_scope *scope_new(const struct event_opts *opts, __u64 host_cookie)
{
	struct event_scope *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->asked = opts->scope;
	s->host_cookie = host_cookie;
	s->map_fd = -1;
	return s;
}

bool scope_all(const struct event_scope *s)
{
	return s->asked.all;
}

bool scope_wants_bridge(const struct event_scope *s, const char *name)
{
	return lab_scope_wants_bridge(&s->asked, name);
}

int scope_foreach_wanted(const struct event_scope *s, int (*cb)(const char *bridge, void *data),
			 void *data)
{
	return lab_scope_foreach_bridge(&s->asked, cb, data);
}

bool scope_port_allowed(const struct event_scope *s, const char *netns)
{
	return lab_scope_wants_netns(&s->asked, netns);
}

static struct scope_bridge *bridge_by_name(const struct event_scope *s, const char *name)
{
	for (size_t i = 0; i < s->nbridges; i++)
		if (!strcmp(s->bridges[i].name, name))
			return &s->bridges[i];
	return NULL;
}

static const struct scope_bridge *bridge_by_index(const struct event_scope *s, int ifindex)
{
	for (size_t i = 0; ifindex && i < s->nbridges; i++)
		if (s->bridges[i].ifindex == ifindex)
			return &s->bridges[i];
	return NULL;
}

static struct scope_port *port_by_index(const struct event_scope *s, int ifindex)
{
	for (size_t i = 0; i < s->nports; i++)
		if (s->ports[i].ifindex == ifindex)
			return &s->ports[i];
	return NULL;
}

/* ---- the map ---------------------------------------------------------------- */

static int key_cmp(const void *a, const void *b)
{
	const struct nsmon_scope_key *x = a, *y = b;

	if (x->netns_cookie != y->netns_cookie)
		return x->netns_cookie < y->netns_cookie ? -1 : 1;
	return x->ifindex < y->ifindex ? -1 : x->ifindex > y->ifindex;
}

static bool add_key(struct nsmon_scope_key **keys, size_t *n, size_t *cap, __u64 cookie,
		    int ifindex)
{
	struct nsmon_scope_key *v = grow(*keys, *n, cap, sizeof(*v), 16);

	if (!v)
		return false;
	*keys = v;
	v[(*n)++] = (struct nsmon_scope_key){ .netns_cookie = cookie, .ifindex = ifindex };
	return true;
}

/* The keys the scope stands for now, sorted, duplicates out. */
static int wanted_keys(const struct event_scope *s, struct nsmon_scope_key **out, size_t *count)
{
	struct nsmon_scope_key *keys = NULL;
	size_t n = 0, cap = 0, kept = 0;
	bool ok = true;

	for (size_t i = 0; ok && !lab_scope_names_netns(&s->asked) && i < s->nbridges; i++)
		if (s->bridges[i].ifindex)
			ok = add_key(&keys, &n, &cap, s->host_cookie, s->bridges[i].ifindex);
	for (size_t i = 0; ok && i < s->nports; i++) {
		const struct scope_port *p = &s->ports[i];

		if (!bridge_by_index(s, p->bridge_ifindex) ||
		    !scope_port_allowed(s, p->peer_netns[0] ? p->peer_netns : NULL))
			continue;
		ok = add_key(&keys, &n, &cap, s->host_cookie, p->ifindex);
		/* A lab's namespace is in it whole; ours only by its lab's interfaces. */
		if (ok && p->peer_cookie == s->host_cookie)
			ok = add_key(&keys, &n, &cap, s->host_cookie, p->peer_ifindex);
		else if (ok && p->peer_cookie)
			ok = add_key(&keys, &n, &cap, p->peer_cookie, 0);
	}
	if (!ok) {
		free(keys);
		return -ENOMEM;
	}
	if (n)
		qsort(keys, n, sizeof(*keys), key_cmp);
	for (size_t i = 0; i < n; i++)
		if (!kept || key_cmp(&keys[kept - 1], &keys[i]))
			keys[kept++] = keys[i];
	*out = keys;
	*count = kept;
	return 0;
}

/* Bring the map (and s->keys) to what the scope stands for now: the difference only. */
static void sync_map(struct event_scope *s)
{
	struct nsmon_scope_key *keys;
	size_t n, i = 0, j = 0;
	__u8 one = 1;

	if (s->asked.all || wanted_keys(s, &keys, &n))
		return;
	while (s->map_fd >= 0 && (i < s->nkeys || j < n)) {
		int c = i == s->nkeys ? 1 : j == n ? -1 : key_cmp(&s->keys[i], &keys[j]);

		if (c < 0 && bpf_map_delete_elem(s->map_fd, &s->keys[i]) && errno != ENOENT)
			pr_debug("scope: cannot forget a key: %s", strerror(errno));
		if (c > 0 && bpf_map_update_elem(s->map_fd, &keys[j], &one, BPF_ANY))
			pr_warn("cannot add to the events' scope: %s", strerror(errno));
		i += c <= 0;
		j += c >= 0;
	}
	free(s->keys);
	s->keys = keys;
	s->nkeys = n;
}

int scope_bind_map(struct event_scope *s, int fd)
{
	s->map_fd = fd;
	free(s->keys);	/* the map starts empty */
	s->keys = NULL;
	s->nkeys = 0;
	sync_map(s);
	return 0;
}

/* ---- changes ---------------------------------------------------------------- */

void scope_bridge_seen(struct event_scope *s, const char *name, int ifindex)
{
	struct scope_bridge *b = bridge_by_name(s, name);

	if (!b) {
		b = grow(s->bridges, s->nbridges, &s->bridges_cap, sizeof(*b), 4);
		if (!b)
			return;
		s->bridges = b;
		b = &s->bridges[s->nbridges++];
		snprintf(b->name, sizeof(b->name), "%s", name);
	}
	b->ifindex = ifindex;
	sync_map(s);
}

static void set_peer(struct scope_port *p, const struct scope_peer *peer)
{
	p->peer_cookie = peer ? peer->cookie : 0;
	snprintf(p->peer_netns, sizeof(p->peer_netns), "%s", peer && peer->netns ? peer->netns : "");
	p->peer_ifindex = peer ? peer->ifindex : 0;
}

static void join(struct event_scope *s, int bridge_ifindex, int ifindex, const char *name,
		 const struct scope_peer *peer)
{
	struct scope_port *p = port_by_index(s, ifindex);

	if (!p) {
		p = grow(s->ports, s->nports, &s->ports_cap, sizeof(*p), 16);
		if (!p)
			return;
		s->ports = p;
		p = &s->ports[s->nports++];
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->ifindex = ifindex;
	p->bridge_ifindex = bridge_ifindex;
	set_peer(p, peer);
}

void scope_port_joined(struct event_scope *s, int bridge_ifindex, int ifindex, const char *name,
		       const struct scope_peer *peer)
{
	join(s, bridge_ifindex, ifindex, name, peer);
	sync_map(s);
}

void scope_add_lab(struct event_scope *s, const struct lab *lab)
{
	for (size_t i = 0; i < lab->nports; i++) {
		const struct lab_port *lp = &lab->ports[i];
		struct scope_peer peer = { .ifindex = lp->peer.ifindex };

		if (lp->netns) {
			peer.cookie = lp->netns->cookie;
			peer.netns = lp->netns->name;
		} else if (lp->peer.ifindex && lp->link_netnsid < 0) {
			peer.cookie = s->host_cookie;
		}
		join(s, lab->bridge.ifindex, lp->port.ifindex, lp->port.name, &peer);
	}
	scope_bridge_seen(s, lab->bridge.name, lab->bridge.ifindex);	/* syncs */
}

void scope_link_left(struct event_scope *s, int ifindex)
{
	struct scope_port *p = port_by_index(s, ifindex);

	if (p)
		*p = s->ports[--s->nports];
	for (size_t i = 0; i < s->nbridges; i++)
		if (s->bridges[i].ifindex == ifindex)
			s->bridges[i].ifindex = 0;	/* its ports leave by their own events */
	sync_map(s);
}

void scope_link_moved(struct event_scope *s, __u64 cookie, int ifindex,
		      const struct scope_peer *to)
{
	bool changed = false;

	for (size_t i = 0; i < s->nports; i++) {
		struct scope_port *p = &s->ports[i];

		if (p->peer_ifindex != ifindex || !p->peer_cookie || p->peer_cookie != cookie)
			continue;
		set_peer(p, to);
		changed = true;
	}
	if (changed)
		sync_map(s);
}

/* ---- questions -------------------------------------------------------------- */

bool scope_has(const struct event_scope *s, __u64 cookie, int ifindex)
{
	struct nsmon_scope_key key = { .netns_cookie = cookie };

	if (s->asked.all)
		return true;
	if (!cookie)
		return false;
	if (bsearch(&key, s->keys, s->nkeys, sizeof(key), key_cmp))
		return true;
	key.ifindex = ifindex;
	return ifindex && bsearch(&key, s->keys, s->nkeys, sizeof(key), key_cmp);
}

bool scope_has_netns(const struct event_scope *s, const char *name)
{
	if (s->asked.all)
		return true;
	/* Named by -n: its lifecycle is news before it joins a lab, too. */
	if (lab_scope_names_netns(&s->asked))
		return lab_scope_wants_netns(&s->asked, name);
	for (size_t i = 0; i < s->nports; i++)
		if (!strcmp(s->ports[i].peer_netns, name) && bridge_by_index(s, s->ports[i].bridge_ifindex))
			return true;
	return false;
}

bool scope_has_host_link(const struct event_scope *s, const char *name)
{
	if (s->asked.all)
		return true;
	for (size_t i = 0; i < s->nports; i++)
		if (!strcmp(s->ports[i].name, name))
			return scope_has(s, s->host_cookie, s->ports[i].ifindex);
	for (size_t i = 0; i < s->nbridges; i++)
		if (!strcmp(s->bridges[i].name, name))
			return scope_has(s, s->host_cookie, s->bridges[i].ifindex);
	return false;
}

bool scope_has_bridge(const struct event_scope *s, const char *name)
{
	const struct scope_bridge *b;

	if (s->asked.all)
		return true;
	b = bridge_by_name(s, name);
	return b && b->ifindex;
}

void scope_free(struct event_scope *s)
{
	if (!s)
		return;
	free(s->bridges);
	free(s->ports);
	free(s->keys);
	free(s);
}
