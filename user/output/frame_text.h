/* SPDX-License-Identifier: GPL-2.0 */
/* A captured frame for people (a tcpdump -n summary) and for jq (JSON fields). */
#ifndef NSMON_FRAME_TEXT_H
#define NSMON_FRAME_TEXT_H

#include <stddef.h>
#include <jansson.h>

#include "model/frame_info.h"

/**
 * frame_text_summary() - @fi as tcpdump -n says it, e.g.
 *   ARP, Request who-has 192.168.15.2 tell 192.168.15.1, length 28
 *   IP 192.168.15.1 > 192.168.15.2: ICMP echo request, id 7, seq 1, length 64
 *   IP 192.168.15.1.40000 > 192.168.15.2.9000: UDP, length 18
 * with "vlan ID, p PCP, " before it for each tag.
 */
void frame_text_summary(const struct frame_info *fi, char *buf, size_t size);

/*
 * frame_text_json() - @fi's fields: "eth_src", "eth_dst", "vlan" (ids),
 * "ethertype", "proto", "src", "dst", "sport", "dport", "icmp_type",
 * "icmp_id", "icmp_seq", "arp_op" as they apply.
 */
json_t *frame_text_json(const struct frame_info *fi);

#endif
