// SPDX-License-Identifier: GPL-2.0
/* A captured frame as text: see frame_text.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "output/frame_text.h"

#define TCP_FIN	0x01
#define TCP_SYN	0x02
#define TCP_RST	0x04
#define TCP_PSH	0x08
#define TCP_ACK	0x10
#define TCP_URG	0x20
#define TCP_ECE	0x40
#define TCP_CWR	0x80

/* Text appended to a fixed buffer, cut at its end. */
struct text {
	char *buf;
	size_t size, len;
};

static void __attribute__((format(printf, 2, 3))) add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len >= t->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += n;
}

static void mac_text(const __u8 *m, char *buf, size_t size)
{
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void addr_text(const struct frame_info *fi, const __u8 *a, char *buf, size_t size)
{
	if (!inet_ntop(fi->family, a, buf, size))
		snprintf(buf, size, "?");
}

/* tcpdump's letters, in its order: SYN-ACK is [S.]. */
static void tcp_flags_text(__u8 flags, char *buf)
{
	static const struct { __u8 bit; char c; } names[] = {
		{ TCP_FIN, 'F' }, { TCP_SYN, 'S' }, { TCP_RST, 'R' }, { TCP_PSH, 'P' },
		{ TCP_ACK, '.' }, { TCP_URG, 'U' }, { TCP_ECE, 'E' }, { TCP_CWR, 'W' },
	};
	int n = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit)
			buf[n++] = names[i].c;
	if (!n)
		buf[n++] = 'n';		/* tcpdump's "none" */
	buf[n] = '\0';
}

static const char *icmp6_name(__u8 type)
{
	switch (type) {
	case 128: return "echo request";
	case 129: return "echo reply";
	case 133: return "router solicitation";
	case 134: return "router advertisement";
	case 135: return "neighbor solicitation";
	case 136: return "neighbor advertisement";
	case 143: return "multicast listener report v2";
	}
	return NULL;
}

static void add_icmp(struct text *t, const struct frame_info *fi)
{
	bool v6 = fi->proto == IPPROTO_ICMPV6;
	const char *name = v6 ? icmp6_name(fi->icmp_type) :
			   fi->icmp_type == 8 ? "echo request" :
			   fi->icmp_type == 0 ? "echo reply" : NULL;
	bool echo = v6 ? fi->icmp_type == 128 || fi->icmp_type == 129 :
		    fi->icmp_type == 8 || fi->icmp_type == 0;

	add(t, v6 ? "ICMP6, " : "ICMP ");
	if (name)
		add(t, "%s", name);
	else
		add(t, "type %u, code %u", fi->icmp_type, fi->icmp_code);
	if (echo)
		add(t, ", id %u, seq %u", fi->icmp_id, fi->icmp_seq);
	add(t, ", length %u", fi->l3_payload);
}

static void add_ip(struct text *t, const struct frame_info *fi)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], flags[9];
	bool ports = fi->has_l4 && (fi->proto == IPPROTO_TCP || fi->proto == IPPROTO_UDP);

	addr_text(fi, fi->src, src, sizeof(src));
	addr_text(fi, fi->dst, dst, sizeof(dst));
	add(t, "%s %s", fi->family == AF_INET6 ? "IP6" : "IP", src);
	if (ports)
		add(t, ".%u", fi->sport);
	add(t, " > %s", dst);
	if (ports)
		add(t, ".%u", fi->dport);
	add(t, ": ");
	if (fi->has_l4 && fi->proto == IPPROTO_TCP) {
		tcp_flags_text(fi->tcp_flags, flags);
		add(t, "Flags [%s], seq %u", flags, fi->tcp_seq);
		if (fi->tcp_flags & TCP_ACK)
			add(t, ", ack %u", fi->tcp_ack);
		add(t, ", win %u, length %u", fi->tcp_win, fi->l4_payload);
	} else if (fi->has_l4 && fi->proto == IPPROTO_UDP) {
		add(t, "UDP, length %u", fi->l4_payload);
	} else if (fi->has_l4) {
		add_icmp(t, fi);
	} else if (fi->fragment) {
		add(t, "ip-proto-%u fragment, length %u", fi->proto, fi->l3_payload);
	} else {
		add(t, "ip-proto-%u, length %u", fi->proto, fi->l3_payload);
	}
}

static void add_arp(struct text *t, const struct frame_info *fi)
{
	char sha[18], spa[INET_ADDRSTRLEN], tpa[INET_ADDRSTRLEN];

	if (fi->family != AF_INET) {
		add(t, "ARP, op %u, length %u", fi->arp_op, fi->l3_payload);
		return;
	}
	mac_text(fi->arp_sha, sha, sizeof(sha));
	addr_text(fi, fi->src, spa, sizeof(spa));
	addr_text(fi, fi->dst, tpa, sizeof(tpa));
	if (fi->arp_op == 1)
		add(t, "ARP, Request who-has %s tell %s, length %u", tpa, spa, fi->l3_payload);
	else if (fi->arp_op == 2)
		add(t, "ARP, Reply %s is-at %s, length %u", spa, sha, fi->l3_payload);
	else
		add(t, "ARP, op %u, length %u", fi->arp_op, fi->l3_payload);
}

void frame_text_summary(const struct frame_info *fi, char *buf, size_t size)
{
	struct text t = { .buf = buf, .size = size };

	buf[0] = '\0';
	for (int i = 0; i < fi->nvlan; i++)
		add(&t, "vlan %u, p %u, ", fi->vlan_id[i], fi->vlan_pcp[i]);
	if (fi->l3 == FRAME_L3_ARP)
		add_arp(&t, fi);
	else if (fi->family)
		add_ip(&t, fi);
	else if (fi->l3 == FRAME_L3_OTHER && !fi->truncated)
		add(&t, "ethertype 0x%04x, length %u", fi->ethertype, fi->l3_payload);
	if (fi->truncated)
		add(&t, "%s[|truncated]", t.len ? " " : "");
}

static const char *proto_name(const struct frame_info *fi)
{
	if (fi->l3 == FRAME_L3_ARP)
		return "arp";
	if (!fi->family)
		return NULL;
	switch (fi->proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmp6";
	}
	return fi->family == AF_INET6 ? "ipv6" : "ipv4";
}

json_t *frame_text_json(const struct frame_info *fi)
{
	char mac[18], addr[INET6_ADDRSTRLEN];
	const char *proto = proto_name(fi);
	json_t *o = json_object(), *vlan;

	mac_text(fi->eth_src, mac, sizeof(mac));
	json_object_set_new(o, "eth_src", json_string(mac));
	mac_text(fi->eth_dst, mac, sizeof(mac));
	json_object_set_new(o, "eth_dst", json_string(mac));
	if (fi->nvlan) {
		vlan = json_array();
		for (int i = 0; i < fi->nvlan; i++)
			json_array_append_new(vlan, json_integer(fi->vlan_id[i]));
		json_object_set_new(o, "vlan", vlan);
	}
	json_object_set_new(o, "ethertype", json_integer(fi->ethertype));
	if (proto)
		json_object_set_new(o, "proto", json_string(proto));
	if (fi->family) {
		addr_text(fi, fi->src, addr, sizeof(addr));
		json_object_set_new(o, "src", json_string(addr));
		addr_text(fi, fi->dst, addr, sizeof(addr));
		json_object_set_new(o, "dst", json_string(addr));
	}
	if (fi->l3 == FRAME_L3_ARP)
		json_object_set_new(o, "arp_op", json_integer(fi->arp_op));
	if (fi->has_l4 && (fi->proto == IPPROTO_TCP || fi->proto == IPPROTO_UDP)) {
		json_object_set_new(o, "sport", json_integer(fi->sport));
		json_object_set_new(o, "dport", json_integer(fi->dport));
	} else if (fi->has_l4) {
		json_object_set_new(o, "icmp_type", json_integer(fi->icmp_type));
		json_object_set_new(o, "icmp_code", json_integer(fi->icmp_code));
		json_object_set_new(o, "icmp_id", json_integer(fi->icmp_id));
		json_object_set_new(o, "icmp_seq", json_integer(fi->icmp_seq));
	}
	return o;
}
