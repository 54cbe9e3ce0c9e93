// SPDX-License-Identifier: GPL-2.0
/*
 * Events written straight from the typed record (event_write.c) are byte
 * for byte what an earlier nsmon printed through jansson and printf: each
 * expected line below was printed by nsmon built from dffe472 on a lab
 * (`events --json` and `events`, recorded side by side; a human line's
 * stamp is its JSON twin's), and the event is built from that line's
 * values. Three kinds that recording had none of are written from the
 * format the old code printed them with (an FDB move, a drop with no
 * device) or are new: moved links name where they went (keys after the old
 * ones), an attach says what passed before the programs did, and a name
 * that is not UTF-8 (jansson refused it, and the event with it).
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "events/event_write.h"
#include "test.h"

#define T0	1796286253290909ULL	/* 2026-12-03T08:24:13.290909Z */

struct golden {
	const char *name;
	struct nsmon_event ev;
	const char *json;
	const char *text;
};

static void v4(__u8 *addr, const char *text)
{
	inet_pton(AF_INET, text, addr);
}

static void v6(__u8 *addr, const char *text)
{
	inet_pton(AF_INET6, text, addr);
}

static const __u8 mac_reachable[6] = { 0xfe, 0xfd, 0x61, 0xda, 0xd6, 0x24 };
static const __u8 mac_fdb[6] = { 0x02, 0, 0, 0, 0, 0x09 };
static const __u8 mac_gone[6] = { 0x6a, 0x7e, 0xcb, 0x71, 0x9c, 0xf0 };

static struct golden goldens[] = {
	{ "netns added, a name with a quote and a backslash",
	  { .type = EVENT_NETNS, .time_us = 1796286254854805ULL,
	    .netns = { EVENT_NETNS_ADDED, "we\"ird\\ns", 4026532909ULL } },
	  "{\"time\":\"2026-12-03T08:24:14.854805Z\",\"time_us\":1796286254854805,\"type\":\"netns\",\"action\":\"added\",\"name\":\"we\\\"ird\\\\ns\",\"inode\":4026532909}",
	  "[2026-12-03T08:24:14.854805Z] [NETNS] added we\"ird\\ns net:[4026532909]" },
	{ "netns deleted",
	  { .type = EVENT_NETNS, .time_us = 1796286260758058ULL,
	    .netns = { EVENT_NETNS_DELETED, "green", 4026532844ULL } },
	  "{\"time\":\"2026-12-03T08:24:20.758058Z\",\"time_us\":1796286260758058,\"type\":\"netns\",\"action\":\"deleted\",\"name\":\"green\",\"inode\":4026532844}",
	  "[2026-12-03T08:24:20.758058Z] [NETNS] deleted green net:[4026532844]" },
	{ "netns added, inode unknown",
	  { .type = EVENT_NETNS, .time_us = T0, .netns = { EVENT_NETNS_ADDED, "x", 0 } },
	  "{\"time\":\"2026-12-03T08:24:13.290909Z\",\"time_us\":1796286253290909,\"type\":\"netns\",\"action\":\"added\",\"name\":\"x\",\"inode\":null}",
	  "[2026-12-03T08:24:13.290909Z] [NETNS] added x net:[0]" },
	{ "ns created by unshare, a comm with a quote",
	  { .type = EVENT_NS, .time_us = 1796286256352060ULL,
	    .ns = { .action = EVENT_NS_CREATED, .ns_type = "uts", .inode = 4026532975ULL,
		    .parent_inode = 4026531838ULL, .syscall = "unshare", .pid = 30630,
		    .comm = "un\"sh" } },
	  "{\"time\":\"2026-12-03T08:24:16.352060Z\",\"time_us\":1796286256352060,\"type\":\"ns\",\"action\":\"created\",\"ns_type\":\"uts\",\"inode\":4026532975,\"parent_inode\":4026531838,\"syscall\":\"unshare\",\"pid\":30630,\"comm\":\"un\\\"sh\",\"child_pid\":null}",
	  "[2026-12-03T08:24:16.352060Z] [NS] created uts:[4026532975] by un\"sh[30630] via unshare (was uts:[4026531838])" },
	{ "ns created by clone, the child's",
	  { .type = EVENT_NS, .time_us = 1796286256359620ULL,
	    .ns = { .action = EVENT_NS_CREATED, .ns_type = "uts", .inode = 4026532975ULL,
		    .parent_inode = 4026531838ULL, .syscall = "clone", .pid = 30632,
		    .comm = "perl", .child_pid = 30633 } },
	  "{\"time\":\"2026-12-03T08:24:16.359620Z\",\"time_us\":1796286256359620,\"type\":\"ns\",\"action\":\"created\",\"ns_type\":\"uts\",\"inode\":4026532975,\"parent_inode\":4026531838,\"syscall\":\"clone\",\"pid\":30632,\"comm\":\"perl\",\"child_pid\":30633}",
	  "[2026-12-03T08:24:16.359620Z] [NS] created uts:[4026532975] by perl[30633] via clone (child) (was uts:[4026531838])" },
	{ "ns entered",
	  { .type = EVENT_NS, .time_us = 1796286256354788ULL,
	    .ns = { .action = EVENT_NS_ENTERED, .ns_type = "net", .inode = 4026532377ULL,
		    .parent_inode = 4026532239ULL, .syscall = "setns", .pid = 30631,
		    .comm = "nsenter" } },
	  "{\"time\":\"2026-12-03T08:24:16.354788Z\",\"time_us\":1796286256354788,\"type\":\"ns\",\"action\":\"entered\",\"ns_type\":\"net\",\"inode\":4026532377,\"parent_inode\":4026532239,\"syscall\":\"setns\",\"pid\":30631,\"comm\":\"nsenter\",\"child_pid\":null}",
	  "[2026-12-03T08:24:16.354788Z] [NS] entered net:[4026532377] by nsenter[30631] via setns (was net:[4026532239])" },
	{ "ns gone",
	  { .type = EVENT_NS, .time_us = 1796286254171414ULL,
	    .ns = { .action = EVENT_NS_GONE, .ns_type = "mnt", .inode = 4026532645ULL,
		    .within_ms = 1000 } },
	  "{\"time\":\"2026-12-03T08:24:14.171414Z\",\"time_us\":1796286254171414,\"type\":\"ns\",\"action\":\"gone\",\"ns_type\":\"mnt\",\"inode\":4026532645,\"time_approximate\":true}",
	  "[2026-12-03T08:24:14.171414Z] [NS] gone mnt:[4026532645] (noticed within 1000 ms)" },
	{ "link added in our namespace",
	  { .type = EVENT_LINK, .time_us = 1796286254856984ULL,
	    .link = { .where = { NULL, "host", 4026532239ULL, "vy", 7 },
		      .action = EVENT_LINK_ADDED, .kind = "veth" } },
	  "{\"time\":\"2026-12-03T08:24:14.856984Z\",\"time_us\":1796286254856984,\"type\":\"link\",\"netns\":null,\"netns_inode\":4026532239,\"ifname\":\"vy\",\"ifindex\":7,\"action\":\"added\",\"kind\":\"veth\",\"up\":false,\"master\":null}",
	  "[2026-12-03T08:24:14.856984Z] [LINK] host 7: vy added type veth" },
	{ "link renamed in a named namespace",
	  { .type = EVENT_LINK, .time_us = 1796286254882356ULL,
	    .link = { .where = { "red", "red", 4026532377ULL, "vz", 7 },
		      .action = EVENT_LINK_RENAMED, .kind = "veth", .from = "vy" } },
	  "{\"time\":\"2026-12-03T08:24:14.882356Z\",\"time_us\":1796286254882356,\"type\":\"link\",\"netns\":\"red\",\"netns_inode\":4026532377,\"ifname\":\"vz\",\"ifindex\":7,\"action\":\"renamed\",\"kind\":\"veth\",\"up\":false,\"master\":null}",
	  "[2026-12-03T08:24:14.882356Z] [LINK] red 7: vz renamed from vy" },
	{ "link enslaved, a name with a control character, a quote and a backslash",
	  { .type = EVENT_LINK, .time_us = 1796286254930069ULL,
	    .link = { .where = { NULL, "host", 4026532239ULL, "q\x01\"\\", 10 },
		      .action = EVENT_LINK_ENSLAVED, .kind = "veth", .master = "v-net-0" } },
	  "{\"time\":\"2026-12-03T08:24:14.930069Z\",\"time_us\":1796286254930069,\"type\":\"link\",\"netns\":null,\"netns_inode\":4026532239,\"ifname\":\"q\\u0001\\\"\\\\\",\"ifindex\":10,\"action\":\"enslaved\",\"kind\":\"veth\",\"up\":false,\"master\":\"v-net-0\"}",
	  "[2026-12-03T08:24:14.930069Z] [LINK] host 10: q\x01\"\\ enslaved to v-net-0" },
	{ "link up",
	  { .type = EVENT_LINK, .time_us = 1796286254932428ULL,
	    .link = { .where = { NULL, "host", 4026532239ULL, "vx", 8 },
		      .action = EVENT_LINK_UP, .kind = "veth", .up = true, .master = "v-net-0" } },
	  "{\"time\":\"2026-12-03T08:24:14.932428Z\",\"time_us\":1796286254932428,\"type\":\"link\",\"netns\":null,\"netns_inode\":4026532239,\"ifname\":\"vx\",\"ifindex\":8,\"action\":\"up\",\"kind\":\"veth\",\"up\":true,\"master\":\"v-net-0\"}",
	  "[2026-12-03T08:24:14.932428Z] [LINK] host 8: vx up" },
	{ "link released",
	  { .type = EVENT_LINK, .time_us = 1796286254982525ULL,
	    .link = { .where = { NULL, "host", 4026532239ULL, "vx", 8 },
		      .action = EVENT_LINK_RELEASED, .kind = "veth", .up = true, .from = "v-net-0" } },
	  "{\"time\":\"2026-12-03T08:24:14.982525Z\",\"time_us\":1796286254982525,\"type\":\"link\",\"netns\":null,\"netns_inode\":4026532239,\"ifname\":\"vx\",\"ifindex\":8,\"action\":\"released\",\"kind\":\"veth\",\"up\":true,\"master\":null}",
	  "[2026-12-03T08:24:14.982525Z] [LINK] host 8: vx released from v-net-0" },
	{ "link deleted",
	  { .type = EVENT_LINK, .time_us = 1796286254985798ULL,
	    .link = { .where = { "blue", "blue", 4026532508ULL, "vz", 7 },
		      .action = EVENT_LINK_DELETED, .kind = "veth" } },
	  "{\"time\":\"2026-12-03T08:24:14.985798Z\",\"time_us\":1796286254985798,\"type\":\"link\",\"netns\":\"blue\",\"netns_inode\":4026532508,\"ifname\":\"vz\",\"ifindex\":7,\"action\":\"deleted\",\"kind\":\"veth\",\"up\":false,\"master\":null}",
	  "[2026-12-03T08:24:14.985798Z] [LINK] blue 7: vz deleted" },
	{ "link moved: from our namespace to a named one, both named",
	  { .type = EVENT_LINK, .time_us = 1796286254878487ULL,
	    .link = { .where = { NULL, "host", 4026532239ULL, "vy", 7 },
		      .action = EVENT_LINK_MOVED, .kind = "veth",
		      .to = { "red", "red", 4026532377ULL, "vy", 7 } } },
	  "{\"time\":\"2026-12-03T08:24:14.878487Z\",\"time_us\":1796286254878487,\"type\":\"link\",\"netns\":null,\"netns_inode\":4026532239,\"ifname\":\"vy\",\"ifindex\":7,\"action\":\"moved\",\"kind\":\"veth\",\"up\":false,\"master\":null,\"to_netns\":\"red\",\"to_netns_inode\":4026532377,\"to_ifindex\":7}",
	  "[2026-12-03T08:24:14.878487Z] [LINK] host 7: vy moved to red" },
	{ "link moved where nothing names it",
	  { .type = EVENT_LINK, .time_us = 1796286254922727ULL,
	    .link = { .where = { "red", "red", 4026532377ULL, "vz", 7 },
		      .action = EVENT_LINK_MOVED, .kind = "veth" } },
	  "{\"time\":\"2026-12-03T08:24:14.922727Z\",\"time_us\":1796286254922727,\"type\":\"link\",\"netns\":\"red\",\"netns_inode\":4026532377,\"ifname\":\"vz\",\"ifindex\":7,\"action\":\"moved\",\"kind\":\"veth\",\"up\":false,\"master\":null,\"to_netns\":null,\"to_netns_inode\":null,\"to_ifindex\":null}",
	  "[2026-12-03T08:24:14.922727Z] [LINK] red 7: vz moved to another namespace" },
	{ "addr added, IPv4",
	  { .type = EVENT_ADDR, .time_us = 1796286254974885ULL,
	    .addr = { .where = { NULL, "host", 4026532239ULL, "vx", 8 }, .added = true,
		      .family = AF_INET, .has_address = true, .prefixlen = 24 } },
	  "{\"time\":\"2026-12-03T08:24:14.974885Z\",\"time_us\":1796286254974885,\"type\":\"addr\",\"netns\":null,\"netns_inode\":4026532239,\"ifname\":\"vx\",\"ifindex\":8,\"action\":\"added\",\"family\":\"inet\",\"address\":\"10.9.9.9\",\"prefixlen\":24}",
	  "[2026-12-03T08:24:14.974885Z] [ADDR] host 8: vx added 10.9.9.9/24" },
	{ "addr removed, IPv6",
	  { .type = EVENT_ADDR, .time_us = 1796286254985350ULL,
	    .addr = { .where = { NULL, "host", 4026532239ULL, "vx", 8 }, .added = false,
		      .family = AF_INET6, .has_address = true, .prefixlen = 64 } },
	  "{\"time\":\"2026-12-03T08:24:14.985350Z\",\"time_us\":1796286254985350,\"type\":\"addr\",\"netns\":null,\"netns_inode\":4026532239,\"ifname\":\"vx\",\"ifindex\":8,\"action\":\"removed\",\"family\":\"inet6\",\"address\":\"fd00::9\",\"prefixlen\":64}",
	  "[2026-12-03T08:24:14.985350Z] [ADDR] host 8: vx removed fd00::9/64" },
	{ "neigh created, IPv6",
	  { .type = EVENT_NEIGH, .time_us = 1796286253635254ULL,
	    .neigh = { .where = { "red", "red", 4026532377ULL, "veth-red", 4 },
		       .family = AF_INET6, .created = true } },
	  "{\"time\":\"2026-12-03T08:24:13.635254Z\",\"time_us\":1796286253635254,\"type\":\"neigh\",\"netns\":\"red\",\"netns_inode\":4026532377,\"ifname\":\"veth-red\",\"ifindex\":4,\"family\":\"inet6\",\"address\":\"ff02::1:ff6e:5159\",\"lladdr\":\"00:00:00:00:00:00\",\"old_state\":\"NONE\",\"new_state\":\"NONE\",\"created\":true}",
	  "[2026-12-03T08:24:13.635254Z] [NEIGH] red dev veth-red ff02::1:ff6e:5159 lladdr 00:00:00:00:00:00 created" },
	{ "neigh INCOMPLETE -> REACHABLE",
	  { .type = EVENT_NEIGH, .time_us = 1796286255019420ULL,
	    .neigh = { .where = { "red", "red", 4026532377ULL, "veth-red", 4 },
		       .family = AF_INET, .old_state = 0x01, .new_state = 0x02 } },
	  "{\"time\":\"2026-12-03T08:24:15.019420Z\",\"time_us\":1796286255019420,\"type\":\"neigh\",\"netns\":\"red\",\"netns_inode\":4026532377,\"ifname\":\"veth-red\",\"ifindex\":4,\"family\":\"inet\",\"address\":\"192.168.15.2\",\"lladdr\":\"fe:fd:61:da:d6:24\",\"old_state\":\"INCOMPLETE\",\"new_state\":\"REACHABLE\",\"created\":false}",
	  "[2026-12-03T08:24:15.019420Z] [NEIGH] red dev veth-red 192.168.15.2 lladdr fe:fd:61:da:d6:24 INCOMPLETE -> REACHABLE" },
	{ "fdb added (bridge fdb add: no bridge in the tracepoint)",
	  { .type = EVENT_FDB, .time_us = 1796286256345712ULL,
	    .fdb = { .where = { NULL, "host", 4026532239ULL, "veth-red-br", 3 },
		     .action = EVENT_FDB_ADDED, .bridge = "" } },
	  "{\"time\":\"2026-12-03T08:24:16.345712Z\",\"time_us\":1796286256345712,\"type\":\"fdb\",\"netns\":null,\"netns_inode\":4026532239,\"ifname\":\"veth-red-br\",\"ifindex\":3,\"action\":\"added\",\"bridge\":\"\",\"bridge_ifindex\":0,\"mac\":\"02:00:00:00:00:09\",\"vlan\":0}",
	  "[2026-12-03T08:24:16.345712Z] [FDB] - added 02:00:00:00:00:09 vlan 0 on veth-red-br (host)" },
	{ "fdb deleted, no port, an unnamed namespace",
	  { .type = EVENT_FDB, .time_us = 1796286253394642ULL,
	    .fdb = { .where = { NULL, NULL, 4026532507ULL, "", 0 },
		     .action = EVENT_FDB_DELETED, .bridge = "v-net-0", .bridge_ifindex = 2 } },
	  "{\"time\":\"2026-12-03T08:24:13.394642Z\",\"time_us\":1796286253394642,\"type\":\"fdb\",\"netns\":null,\"netns_inode\":4026532507,\"ifname\":null,\"ifindex\":null,\"action\":\"deleted\",\"bridge\":\"v-net-0\",\"bridge_ifindex\":2,\"mac\":\"6a:7e:cb:71:9c:f0\",\"vlan\":0}",
	  "[2026-12-03T08:24:13.394642Z] [FDB] v-net-0 deleted 6a:7e:cb:71:9c:f0 vlan 0 on - (net:[4026532507])" },
	{ "fdb moved, with the port it was on",
	  { .type = EVENT_FDB, .time_us = T0,
	    .fdb = { .where = { NULL, "host", 4026532239ULL, "veth-blue-br", 4 },
		     .action = EVENT_FDB_MOVED, .bridge = "v-net-0", .bridge_ifindex = 2,
		     .vlan = 5, .old_port_ifindex = 3 } },
	  "{\"time\":\"2026-12-03T08:24:13.290909Z\",\"time_us\":1796286253290909,\"type\":\"fdb\",\"netns\":null,\"netns_inode\":4026532239,\"ifname\":\"veth-blue-br\",\"ifindex\":4,\"action\":\"moved\",\"bridge\":\"v-net-0\",\"bridge_ifindex\":2,\"mac\":\"02:00:00:00:00:09\",\"vlan\":5,\"old_port_ifindex\":3}",
	  "[2026-12-03T08:24:13.290909Z] [FDB] v-net-0 moved 02:00:00:00:00:09 vlan 5 on veth-blue-br (host)" },
	{ "drop in a named namespace",
	  { .type = EVENT_DROP, .time_us = 1796286253510351ULL,
	    .drop = { .where = { "blue", "blue", 4026532508ULL, "veth-blue", 6 }, .reason = 2,
		      .reason_name = "NOT_SPECIFIED", .protocol = 34525,
		      .location = 0xffffffff82137614ULL, .pid = 25, .comm = "kworker/1:0" } },
	  "{\"time\":\"2026-12-03T08:24:13.510351Z\",\"time_us\":1796286253510351,\"type\":\"drop\",\"netns\":\"blue\",\"netns_inode\":4026532508,\"ifname\":\"veth-blue\",\"ifindex\":6,\"reason\":\"NOT_SPECIFIED\",\"reason_code\":2,\"protocol\":34525,\"location\":\"0xffffffff82137614\",\"pid\":25,\"comm\":\"kworker/1:0\"}",
	  "[2026-12-03T08:24:13.510351Z] [DROP] blue dev veth-blue NOT_SPECIFIED protocol 0x86dd" },
	{ "drop in an unnamed namespace, no device",
	  { .type = EVENT_DROP, .time_us = T0,
	    .drop = { .where = { NULL, NULL, 4026532512ULL, "", 0 }, .reason = 3,
		      .reason_name = "NO_SOCKET", .protocol = 2048, .location = 0xffffffff820d1113ULL,
		      .pid = 32696, .comm = "ping" } },
	  "{\"time\":\"2026-12-03T08:24:13.290909Z\",\"time_us\":1796286253290909,\"type\":\"drop\",\"netns\":null,\"netns_inode\":4026532512,\"ifname\":null,\"ifindex\":null,\"reason\":\"NO_SOCKET\",\"reason_code\":3,\"protocol\":2048,\"location\":\"0xffffffff820d1113\",\"pid\":32696,\"comm\":\"ping\"}",
	  "[2026-12-03T08:24:13.290909Z] [DROP] net:[4026532512] dev - NO_SOCKET protocol 0x0800" },
	{ "counters",
	  { .type = EVENT_COUNTERS, .time_us = 1796286254167385ULL,
	    .counters = { "red", "veth-red", { 7, 626, 0, 0, 0, 0 }, { 1, 86, 0, 0, 0, 0 } } },
	  "{\"time\":\"2026-12-03T08:24:14.167385Z\",\"time_us\":1796286254167385,\"type\":\"counters\",\"netns\":\"red\",\"ifname\":\"veth-red\",\"rx\":{\"packets\":7,\"bytes\":626,\"arp_request\":0,\"arp_reply\":0,\"icmp_echo_request\":0,\"icmp_echo_reply\":0},\"tx\":{\"packets\":1,\"bytes\":86,\"arp_request\":0,\"arp_reply\":0,\"icmp_echo_request\":0,\"icmp_echo_reply\":0}}",
	  "[2026-12-03T08:24:14.167385Z] [COUNTERS] red veth-red rx 7 pkts 626 B, tx 1 pkts 86 B" },
	{ "attach: attached, nothing passed before",
	  { .type = EVENT_ATTACH, .time_us = 1796286257630574ULL,
	    .attach = { EVENT_ATTACH_ATTACHED, "v-net-0", "veth-green-br", 11, "veth-green",
			"green", true, { 0, 0, 0, 0 } } },
	  "{\"time\":\"2026-12-03T08:24:17.630574Z\",\"time_us\":1796286257630574,\"type\":\"attach\",\"action\":\"attached\",\"bridge\":\"v-net-0\",\"port\":\"veth-green-br\",\"ifindex\":11,\"peer\":\"veth-green\",\"peer_netns\":\"green\",\"before_monitoring\":{\"rx\":{\"packets\":0,\"bytes\":0},\"tx\":{\"packets\":0,\"bytes\":0}}}",
	  "[2026-12-03T08:24:17.630574Z] [ATTACH] v-net-0 attached port veth-green-br and its peer veth-green in green" },
	{ "attach: attached after frames passed",
	  { .type = EVENT_ATTACH, .time_us = 1796286257630574ULL,
	    .attach = { EVENT_ATTACH_ATTACHED, "v-net-0", "veth-green-br", 11, "veth-green",
			"green", true, { 3, 266, 5, 430 } } },
	  "{\"time\":\"2026-12-03T08:24:17.630574Z\",\"time_us\":1796286257630574,\"type\":\"attach\",\"action\":\"attached\",\"bridge\":\"v-net-0\",\"port\":\"veth-green-br\",\"ifindex\":11,\"peer\":\"veth-green\",\"peer_netns\":\"green\",\"before_monitoring\":{\"rx\":{\"packets\":3,\"bytes\":266},\"tx\":{\"packets\":5,\"bytes\":430}}}",
	  "[2026-12-03T08:24:17.630574Z] [ATTACH] v-net-0 attached port veth-green-br and its peer veth-green in green (before monitoring: 8 packets)" },
	{ "attach: counted",
	  { .type = EVENT_ATTACH, .time_us = 1796286281182646ULL,
	    .attach = { EVENT_ATTACH_COUNTED, "v-net-0", "veth-orange-br", 9 } },
	  "{\"time\":\"2026-12-03T08:24:41.182646Z\",\"time_us\":1796286281182646,\"type\":\"attach\",\"action\":\"counted\",\"bridge\":\"v-net-0\",\"port\":\"veth-orange-br\",\"ifindex\":9,\"peer\":null,\"peer_netns\":null}",
	  "[2026-12-03T08:24:41.182646Z] [ATTACH] v-net-0 counted port veth-orange-br" },
	{ "attach: detached",
	  { .type = EVENT_ATTACH, .time_us = 1796286258727378ULL,
	    .attach = { EVENT_ATTACH_DETACHED, "v-net-0", "veth-green-br", 11 } },
	  "{\"time\":\"2026-12-03T08:24:18.727378Z\",\"time_us\":1796286258727378,\"type\":\"attach\",\"action\":\"detached\",\"bridge\":\"v-net-0\",\"port\":\"veth-green-br\",\"ifindex\":11,\"peer\":null,\"peer_netns\":null}",
	  "[2026-12-03T08:24:18.727378Z] [ATTACH] v-net-0 detached port veth-green-br" },
	{ "attach: released",
	  { .type = EVENT_ATTACH, .time_us = 1796286259234798ULL,
	    .attach = { EVENT_ATTACH_RELEASED, "v-net-0", "veth-green-br", 11 } },
	  "{\"time\":\"2026-12-03T08:24:19.234798Z\",\"time_us\":1796286259234798,\"type\":\"attach\",\"action\":\"released\",\"bridge\":\"v-net-0\",\"port\":\"veth-green-br\",\"ifindex\":11,\"peer\":null,\"peer_netns\":null}",
	  "[2026-12-03T08:24:19.234798Z] [ATTACH] v-net-0 released port veth-green-br" },
	{ "lost",
	  { .type = EVENT_LOST, .time_us = 1796286279870679ULL, .lost = { "drop", 12, 20 } },
	  "{\"time\":\"2026-12-03T08:24:39.870679Z\",\"time_us\":1796286279870679,\"type\":\"lost\",\"source\":\"drop\",\"lost\":12,\"lost_total\":20}",
	  "[2026-12-03T08:24:39.870679Z] [LOST] drop: 12 events lost (ring full), 20 in all" },
	/* New: what jansson refused; and the escapes it made. */
	{ "a name that is not UTF-8 stays valid JSON; tabs and newlines escaped",
	  { .type = EVENT_NETNS, .time_us = T0,
	    .netns = { EVENT_NETNS_ADDED, "a\xff\tb\n\xc3\xa9\xe2\x82", 1 } },
	  "{\"time\":\"2026-12-03T08:24:13.290909Z\",\"time_us\":1796286253290909,\"type\":\"netns\",\"action\":\"added\",\"name\":\"a\\uFFFD\\tb\\n\xc3\xa9\\uFFFD\\uFFFD\",\"inode\":1}",
	  "[2026-12-03T08:24:13.290909Z] [NETNS] added a\xff\tb\n\xc3\xa9\xe2\x82 net:[1]" },
};

static void check(const char *name, const char *what, struct event_buf *b, const char *want)
{
	size_t len = strlen(want);

	if (b->len != len + 1 || memcmp(b->p, want, len) || b->p[len] != '\n')
		TEST_FAIL(name, "%s:\n got  %.*s\n want %s", what, (int)b->len, b->p, want);
}

int main(void)
{
	struct event_buf b;

	/* The values the lines above hold that the initialisers cannot spell. */
	for (size_t i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		struct nsmon_event *ev = &goldens[i].ev;

		if (ev->type == EVENT_ADDR)
			(ev->addr.family == AF_INET ? v4 : v6)(ev->addr.address,
				ev->addr.family == AF_INET ? "10.9.9.9" : "fd00::9");
		if (ev->type == EVENT_NEIGH && ev->neigh.created)
			v6(ev->neigh.address, "ff02::1:ff6e:5159");
		if (ev->type == EVENT_NEIGH && !ev->neigh.created) {
			v4(ev->neigh.address, "192.168.15.2");
			memcpy(ev->neigh.lladdr, mac_reachable, 6);
		}
		if (ev->type == EVENT_FDB)
			memcpy(ev->fdb.mac, ev->fdb.action == EVENT_FDB_DELETED ? mac_gone : mac_fdb, 6);
	}
	event_buf_init(&b);
	for (size_t i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		char name[160];

		snprintf(name, sizeof(name), "event_write: %s", goldens[i].name);
		TEST_BEGIN();
		event_buf_clear(&b);
		event_write_json(&b, &goldens[i].ev);
		check(name, "NDJSON", &b, goldens[i].json);
		event_buf_clear(&b);
		event_write_text(&b, &goldens[i].ev);
		check(name, "text", &b, goldens[i].text);
		TEST_END(name);
	}
	event_buf_free(&b);
	return tests_failed ? 1 : 0;
}
