// SPDX-License-Identifier: GPL-2.0
/*
 * udpgen: the small-packet load of tools/bench/datapath.sh. Sends UDP
 * datagrams with an 18-byte payload (14 + 20 + 8 + 18 = 60 bytes on the wire,
 * a minimum Ethernet frame, "64-byte frames" with the FCS) to ADDR:PORT as
 * fast as sendmmsg allows, for SECONDS, then prints one JSON line:
 *   {"packets": N, "seconds": S, "pps": X, "errors": E, "cpu_s": C}
 * Usage: udpgen [-c CPU] [-t SECONDS] ADDR PORT
 *
 * On a veth the receive path runs in the sender's softirq, on the sender's
 * CPU, so the rate this reaches is the cost of the whole path red -> bridge
 * -> blue, and every hook on it shows up as fewer packets per second.
 * cpu_s is the CPU time this process was charged (user + system, which
 * includes the softirq work done in its context): cpu_s / packets is that
 * cost per packet even when other processes take turns on the CPU.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define PAYLOAD 18

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Pin to one CPU, so that the sink on the other one never competes with us. */
static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "udpgen: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
		return -1;
	}
	return 0;
}

/* CPU time charged to this process so far, in seconds. */
static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void usage(void)
{
	fprintf(stderr, "usage: udpgen [-c CPU] [-t SECONDS] ADDR PORT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static char payload[PAYLOAD];
	struct mmsghdr msgs[BATCH];
	struct iovec iov = { .iov_base = payload, .iov_len = PAYLOAD };
	struct sockaddr_in dst = { .sin_family = AF_INET };
	unsigned long long sent = 0, errors = 0;
	double seconds = 3, start, end, now, cpu0;
	int opt, cpu = -1, fd;

	while ((opt = getopt(argc, argv, "c:t:")) != -1) {
		switch (opt) {
		case 'c': cpu = atoi(optarg); break;
		case 't': seconds = atof(optarg); break;
		default: usage();
		}
	}
	if (argc - optind != 2 || seconds <= 0)
		usage();
	if (inet_pton(AF_INET, argv[optind], &dst.sin_addr) != 1) {
		fprintf(stderr, "udpgen: invalid IPv4 address \"%s\"\n", argv[optind]);
		return 2;
	}
	dst.sin_port = htons(atoi(argv[optind + 1]));
	if (cpu >= 0 && pin(cpu))
		return 1;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	/* Connected: the route is looked up once, not per datagram. */
	if (fd < 0 || connect(fd, (struct sockaddr *)&dst, sizeof(dst))) {
		fprintf(stderr, "udpgen: cannot connect to %s:%s: %s\n",
			argv[optind], argv[optind + 1], strerror(errno));
		return 1;
	}
	/* Every message of a batch sends the same payload. */
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	cpu0 = cpu_s();
	start = now_s();
	end = start + seconds;
	do {
		int n = sendmmsg(fd, msgs, BATCH, 0);

		/*
		 * A connected socket reports an ICMP error that came back (port
		 * unreachable from a port with no listener, say) as the error of
		 * the next send: count it and go on, the flood is the point.
		 */
		if (n > 0)
			sent += n;
		else
			errors++;
		now = now_s();
	} while (now < end);

	printf("{\"packets\": %llu, \"seconds\": %.3f, \"pps\": %.0f, \"errors\": %llu, \"cpu_s\": %.3f}\n",
	       sent, now - start, sent / (now - start), errors, cpu_s() - cpu0);
	return 0;
}
