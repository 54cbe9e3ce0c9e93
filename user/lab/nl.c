// SPDX-License-Identifier: GPL-2.0
/* rtnetlink requests over libmnl: see nl.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "lab/nl.h"
#include "lab/netns.h"

#define NL_BUF_SIZE	32768

struct nl_sock {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	char ext_ack[256];
	char reason[384];
	/* One request or one answer; the kernel sends dumps in up to 32 KiB. */
	char buf[NL_BUF_SIZE];
};

struct nl_sock *nl_open(void)
{
	struct nl_sock *nl = calloc(1, sizeof(*nl));
	int one = 1;

	if (!nl)
		return NULL;
	nl->sock = mnl_socket_open(NETLINK_ROUTE);
	if (!nl->sock)
		goto err;
	/* Best effort: without them we still work, just with plainer errors. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err;
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = time(NULL);
	return nl;
err:
	nl_close(nl);
	return NULL;
}

struct nl_sock *nl_open_in(int netns_fd)
{
	struct nl_sock *nl;
	int saved, err;

	/* A netlink socket belongs to the namespace it was created in. */
	saved = netns_enter(netns_fd);
	if (saved < 0) {
		errno = -saved;
		return NULL;
	}
	nl = nl_open();
	err = errno;
	netns_leave(saved);
	errno = err;
	return nl;
}

void nl_close(struct nl_sock *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl);
}

struct nlmsghdr *nl_msg_start(struct nl_sock *nl, __u16 type, __u16 flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	nlh->nlmsg_pid = 0;
	return nlh;
}

/* What the answer callbacks share: the socket and the caller's callback. */
struct answer_ctx {
	struct nl_sock *nl;
	mnl_cb_t cb;
	void *data;
};

/* Keep the kernel's NLMSGERR_ATTR_MSG of an NLMSG_ERROR, if it sent one. */
static void save_ext_ack(struct nl_sock *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	unsigned int off = sizeof(*e);
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* Without NLM_F_CAPPED the kernel echoed our request after the header. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	mnl_attr_for_each(attr, nlh, off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0) {
			snprintf(nl->ext_ack, sizeof(nl->ext_ack), "%s",
				 mnl_attr_get_str(attr));
			return;
		}
	}
}

/*
 * NLMSG_ERROR: 0 is the ACK that ends a request, anything else fails it.
 * libmnl's own handler drops the ext-ack; this one keeps it.
 */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct nl_sock *nl = ((struct answer_ctx *)data)->nl;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (e->error == 0)
		return MNL_CB_STOP;
	save_ext_ack(nl, nlh);
	errno = -e->error;
	return MNL_CB_ERROR;
}

/* The end of a dump; a dump that failed half-way says why in it. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
		int err = *(const int *)mnl_nlmsg_get_payload(nlh);

		if (err < 0) {
			errno = -err;
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_STOP;
}

/* mnl_cb_run2 hands one pointer to data and control callbacks alike. */
static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct answer_ctx *ctx = data;

	return ctx->cb ? ctx->cb(nlh, ctx->data) : MNL_CB_OK;
}

/* Does @buf hold the end of a dump (NLMSG_DONE, or an error that ends it)? */
static bool dump_ended(const char *buf, int len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
		if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR)
			return true;
	return false;
}

/* Send @req and run every answer through @cb until the ACK or NLMSG_DONE. */
static int exchange(struct nl_sock *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
	};
	struct answer_ctx ctx = { .nl = nl, .cb = cb, .data = data };
	/* Read before the answers overwrite the request: both live in nl->buf. */
	unsigned int seq = req->nlmsg_seq;
	bool dump = (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP, interrupted = false;
	int ret, len;

	nl->ext_ack[0] = '\0';
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (len < 0)
			return -errno;
		if (interrupted) {
			ret = dump_ended(nl->buf, len) ? MNL_CB_STOP : MNL_CB_OK;
			continue;
		}
		errno = 0;
		ret = mnl_cb_run2(nl->buf, len, seq, nl->portid, data_cb, &ctx,
				  ctl_cbs, NLMSG_MIN_TYPE);
		/*
		 * A dump the kernel marks inconsistent (objects came or went while
		 * it ran): libmnl stops at the mark; read the rest of it away, or it
		 * would answer the next request, and say EINTR (try again).
		 */
		if (ret == MNL_CB_ERROR && errno == EINTR && dump) {
			interrupted = true;
			ret = dump_ended(nl->buf, len) ? MNL_CB_STOP : MNL_CB_OK;
		}
	} while (ret > MNL_CB_STOP);
	if (interrupted)
		return -EINTR;
	if (ret < 0)
		return errno ? -errno : -EIO;
	return 0;
}

int nl_talk(struct nl_sock *nl, struct nlmsghdr *req)
{
	return nl_query(nl, req, NULL, NULL);
}

int nl_query(struct nl_sock *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	req->nlmsg_flags |= NLM_F_ACK;
	return exchange(nl, req, cb, data);
}

int nl_dump(struct nl_sock *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	req->nlmsg_flags |= NLM_F_DUMP;
	return exchange(nl, req, cb, data);
}

/*
 * Requests per datagram: their answers (a link is ~2 KiB, more in the
 * socket's accounting) must all fit in the receive buffer at once, since the
 * kernel answers a whole datagram before we read anything, and drops what
 * does not fit.
 */
#define BATCH_WINDOW	32
/* Room for one request of a batch: a header and a few attributes. */
#define BATCH_REQ_MAX	256

/* Hand each answer in @buf to the request it answers; count those in *@pending. */
static void batch_answers(struct nl_sock *nl, const char *buf, int len, unsigned int first,
			  size_t base, size_t count, nl_batch_answer_t answer, void *data,
			  size_t *pending)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		unsigned int i = nlh->nlmsg_seq - first;
		const struct nlmsgerr *e;

		if (nlh->nlmsg_pid != nl->portid && nlh->nlmsg_pid != 0)
			continue;
		if (i >= count || nlh->nlmsg_type == NLMSG_NOOP || nlh->nlmsg_type == NLMSG_DONE)
			continue;	/* not ours, or nothing to answer with */
		(*pending)--;
		if (nlh->nlmsg_type != NLMSG_ERROR) {
			answer(nlh, 0, base + i, data);
			continue;
		}
		e = mnl_nlmsg_get_payload(nlh);
		if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
			answer(NULL, -EBADMSG, base + i, data);
		else
			answer(NULL, e->error ? e->error : -ENOMSG, base + i, data);
	}
}

/* Throw away what is queued: the rest of a batch whose answers overflowed the socket. */
static void drain(struct nl_sock *nl)
{
	while (recv(mnl_socket_get_fd(nl->sock), nl->buf, sizeof(nl->buf), MSG_DONTWAIT) > 0)
		;
}

int nl_batch(struct nl_sock *nl, __u16 type, size_t n, nl_batch_build_t build,
	     nl_batch_answer_t answer, void *data)
{
	char req[BATCH_WINDOW * BATCH_REQ_MAX];

	for (size_t base = 0; base < n; base += BATCH_WINDOW) {
		size_t count = n - base < BATCH_WINDOW ? n - base : BATCH_WINDOW, pending = count;
		unsigned int first = nl->seq + 1;
		size_t len = 0;
		int ret;

		for (size_t i = 0; i < count; i++) {
			struct nlmsghdr *nlh = mnl_nlmsg_put_header(req + len);

			nlh->nlmsg_type = type;
			nlh->nlmsg_flags = NLM_F_REQUEST;
			nlh->nlmsg_seq = ++nl->seq;
			build(nlh, base + i, data);
			len += NLMSG_ALIGN(nlh->nlmsg_len);
		}
		if (mnl_socket_sendto(nl->sock, req, len) < 0)
			return -errno;
		/*
		 * Every answer is read, whatever it says, so that none is left
		 * on the socket for the next exchange to trip over. Each comes
		 * in a datagram of its own, as big as the one-request path's.
		 */
		while (pending) {
			ret = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
			if (ret < 0) {
				ret = -errno;	/* ENOBUFS: the kernel dropped answers */
				drain(nl);
				return ret;
			}
			batch_answers(nl, nl->buf, ret, first, base, count, answer, data, &pending);
		}
	}
	return 0;
}

const char *nl_ext_ack(const struct nl_sock *nl)
{
	return nl->ext_ack;
}

const char *nl_strerror(struct nl_sock *nl, int err)
{
	if (nl->ext_ack[0])
		snprintf(nl->reason, sizeof(nl->reason), "%s (kernel: %s)",
			 strerror(-err), nl->ext_ack);
	else
		snprintf(nl->reason, sizeof(nl->reason), "%s", strerror(-err));
	return nl->reason;
}
