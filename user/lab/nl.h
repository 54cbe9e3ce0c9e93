/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtnetlink over libmnl, after iproute2's lib/mnl_utils.c: one socket per
 * network namespace, extended ACK on, NLMSG_ERROR mapped to -errno with the
 * kernel's ext-ack text kept for the error message.
 */
#ifndef NSMON_NL_H
#define NSMON_NL_H

#include <libmnl/libmnl.h>

struct nl_sock;

/**
 * nl_open() - open an rtnetlink socket in the caller's network namespace.
 * Return: the socket, or NULL with errno set.
 */
struct nl_sock *nl_open(void);

/**
 * nl_open_in() - open an rtnetlink socket inside the namespace @netns_fd.
 * The socket stays bound to that namespace; the caller's namespace is restored.
 * Return: the socket, or NULL with errno set.
 */
struct nl_sock *nl_open_in(int netns_fd);

void nl_close(struct nl_sock *nl);

/**
 * nl_msg_start() - start a request in the socket's buffer.
 * Sets NLM_F_REQUEST (plus @flags), the sequence number and the port id.
 */
struct nlmsghdr *nl_msg_start(struct nl_sock *nl, __u16 type, __u16 flags);

/**
 * nl_talk() - send @req (NLM_F_ACK is added) and wait for the kernel's answer.
 * Return: 0, or -errno from NLMSG_ERROR; nl_ext_ack() then holds the kernel's text.
 */
int nl_talk(struct nl_sock *nl, struct nlmsghdr *req);

/**
 * nl_query() - nl_talk() for a request the kernel answers with data before
 * its ACK (RTM_GETLINK by name, RTM_GETNSID): @cb sees every answer.
 */
int nl_query(struct nl_sock *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data);

/**
 * nl_dump() - send a NLM_F_DUMP request and call @cb on every message of the answer.
 * Return: 0, -errno, or the negative value @cb returned as MNL_CB_ERROR with errno set.
 */
int nl_dump(struct nl_sock *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data);

/* Builds request @i of a batch in @nlh (type, flags and sequence number set), in 256 bytes. */
typedef void (*nl_batch_build_t)(struct nlmsghdr *nlh, size_t i, void *data);

/* Takes the answer to request @i: @nlh on success, else @err (-errno) and @nlh NULL. */
typedef void (*nl_batch_answer_t)(const struct nlmsghdr *nlh, int err, size_t i, void *data);

/**
 * nl_batch() - @n requests of @type, for requests the kernel answers with
 * exactly one message (a get of one object: RTM_GETLINK by index,
 * RTM_GETNSID), sent 32 to a datagram, rather than a request and its wait
 * each (a few microseconds apiece on a paravirtualized guest, times 500
 * namespaces). Every request is answered through @answer, in any order.
 * Return: 0, or -errno when the exchange itself failed (answers may be missing).
 */
int nl_batch(struct nl_sock *nl, __u16 type, size_t n, nl_batch_build_t build,
	     nl_batch_answer_t answer, void *data);

/* The kernel's extended-ack message for the last failed request, or "". */
const char *nl_ext_ack(const struct nl_sock *nl);

/**
 * nl_strerror() - "reason" for a failed request: strerror(-err), plus the
 * kernel's ext-ack text when there is one ("File exists (kernel: ...)").
 * Return: a buffer owned by @nl, valid until its next request.
 */
const char *nl_strerror(struct nl_sock *nl, int err);

#endif
