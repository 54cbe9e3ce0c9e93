// SPDX-License-Identifier: GPL-2.0
/*
 * capture_inject_vlan: send COUNT broadcast frames, each an 802.1Q-tagged
 * (VID) IPv4 UDP datagram SRC:7777 -> DST:7777, out of IFNAME through a raw
 * AF_PACKET socket, so that the tag is in the frame's bytes as it leaves
 * and the kernel takes it into the skb at the other end of the veth
 * (tests/integration/capture.sh: nsmon must write it back).
 * Usage: capture_inject_vlan IFNAME VID SRC DST [COUNT]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define PORT	7777

static __u16 ip_checksum(const __u8 *p, size_t n)
{
	__u32 sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

int main(int argc, char **argv)
{
	__u8 frame[64] = {}, *ip = frame + 18, *udp = ip + 20;
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = 6 };
	struct ifreq ifr = {};
	int fd, count = argc > 5 ? atoi(argv[5]) : 1, vid;
	__u16 sum;

	if (argc < 5) {
		fprintf(stderr, "usage: %s IFNAME VID SRC DST [COUNT]\n", argv[0]);
		return 2;
	}
	vid = atoi(argv[2]);
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		perror(argv[1]);
		return 1;
	}
	memset(frame, 0xff, 6);					/* broadcast: flooded everywhere */
	memcpy(frame + 6, ifr.ifr_hwaddr.sa_data, 6);
	frame[12] = 0x81, frame[13] = 0x00;			/* 802.1Q */
	frame[14] = (vid >> 8) & 0x0f, frame[15] = vid & 0xff;
	frame[16] = 0x08, frame[17] = 0x00;			/* IPv4 */
	ip[0] = 0x45;
	ip[3] = 20 + 8 + 18;					/* total length */
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	if (inet_pton(AF_INET, argv[3], ip + 12) != 1 || inet_pton(AF_INET, argv[4], ip + 16) != 1) {
		fprintf(stderr, "bad address\n");
		return 2;
	}
	sum = ip_checksum(ip, 20);
	ip[10] = sum >> 8, ip[11] = sum & 0xff;
	udp[0] = PORT >> 8, udp[1] = PORT & 0xff, udp[2] = PORT >> 8, udp[3] = PORT & 0xff;
	udp[5] = 8 + 18;					/* length; checksum 0: none */
	to.sll_ifindex = if_nametoindex(argv[1]);
	memset(to.sll_addr, 0xff, 6);
	for (int i = 0; i < count; i++) {
		if (sendto(fd, frame, sizeof(frame), 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
			perror("sendto");
			return 1;
		}
	}
	close(fd);
	return 0;
}
