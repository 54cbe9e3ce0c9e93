// SPDX-License-Identifier: GPL-2.0
/*
 * udpsink: the receiving end of udpgen. Binds UDP PORT (any address), counts
 * datagrams for SECONDS from the first one, then prints one JSON line:
 *   {"packets": N, "seconds": S, "pps": X}
 * Usage: udpsink [-c CPU] [-t SECONDS] [-w WAIT] PORT
 * Gives up with "packets": 0 when nothing arrives within WAIT seconds (10).
 *
 * It busy-polls: non-blocking recvmmsg in a tight loop, never sleeping. A
 * sink that sleeps in recv makes this 2-vCPU VM bistable (about 270 k or
 * about 500 k pps from one run to the next), which would drown the few
 * percent a monitor costs. Pinned to the CPU the generator does not use, it
 * keeps that CPU to itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define BUFSZ 64	/* the payload is 18 bytes; anything longer is cut, still counted */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: udpsink [-c CPU] [-t SECONDS] [-w WAIT] PORT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static char bufs[BATCH][BUFSZ];
	struct mmsghdr msgs[BATCH];
	struct iovec iovs[BATCH];
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = INADDR_ANY };
	unsigned long long packets = 0;
	double seconds = 3, wait = 10, first = 0, end, now;
	int opt, cpu = -1, fd, rcvbuf = 4 << 20;

	while ((opt = getopt(argc, argv, "c:t:w:")) != -1) {
		switch (opt) {
		case 'c': cpu = atoi(optarg); break;
		case 't': seconds = atof(optarg); break;
		case 'w': wait = atof(optarg); break;
		default: usage();
		}
	}
	if (argc - optind != 1 || seconds <= 0)
		usage();
	addr.sin_port = htons(atoi(argv[optind]));
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "udpsink: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
			return 1;
		}
	}

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		fprintf(stderr, "udpsink: cannot bind port %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	/* Room for a few ms of a burst; capped by net.core.rmem_max, which is fine. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		iovs[i].iov_base = bufs[i];
		iovs[i].iov_len = BUFSZ;
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	/* Until the first datagram, the deadline is the WAIT for it. */
	end = now_s() + wait;
	do {
		int n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);

		now = now_s();
		if (n > 0) {
			if (!first) {
				/* The window starts at the first datagram: the
				 * generator's start-up does not dilute the rate. */
				first = now;
				end = first + seconds;
			}
			packets += n;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			fprintf(stderr, "udpsink: recvmmsg: %s\n", strerror(errno));
			return 1;
		}
	} while (now < end);

	if (!first) {
		printf("{\"packets\": 0, \"seconds\": 0, \"pps\": 0}\n");
		return 0;
	}
	printf("{\"packets\": %llu, \"seconds\": %.3f, \"pps\": %.0f}\n",
	       packets, now - first, packets / (now - first));
	return 0;
}
