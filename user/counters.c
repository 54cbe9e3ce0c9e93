// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "counters.h"

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

int counters_open(void)
{
	int fd = bpf_obj_get(NSMON_COUNTERS_PIN);

	return fd < 0 ? -errno : fd;
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

int counters_read(int map_fd, __u64 netns_cookie, int ifindex, int dir, int hook,
		  struct nsmon_counters *sum)
{
	struct nsmon_if_key key = make_key(netns_cookie, ifindex, dir, hook);
	int ncpus = libbpf_num_possible_cpus();
	struct nsmon_counters *percpu;
	int err = 0;

	memset(sum, 0, sizeof(*sum));
	if (ncpus < 0)
		return ncpus;
	percpu = calloc(ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(map_fd, &key, percpu)) {
		err = -errno;
		goto out;
	}
	for (int cpu = 0; cpu < ncpus; cpu++)
		for (int i = 0; i < NSMON_STAT_MAX; i++)
			sum->stat[i] += percpu[cpu].stat[i];
out:
	free(percpu);
	return err;
}

bool counters_exist(int map_fd, __u64 netns_cookie, int ifindex, int hook)
{
	struct nsmon_counters sum;

	for (int dir = 0; dir < NSMON_DIR_MAX; dir++)
		if (!counters_read(map_fd, netns_cookie, ifindex, dir, hook, &sum))
			return true;
	return false;
}

int counters_forget(int map_fd, __u64 netns_cookie, int ifindex)
{
	for (int dir = 0; dir < NSMON_DIR_MAX; dir++) {
		for (int hook = 0; hook < NSMON_HOOK_MAX; hook++) {
			struct nsmon_if_key key = make_key(netns_cookie, ifindex, dir, hook);

			if (bpf_map_delete_elem(map_fd, &key) && errno != ENOENT)
				return -errno;
		}
	}
	return 0;
}
