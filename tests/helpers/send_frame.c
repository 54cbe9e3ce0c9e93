// SPDX-License-Identifier: GPL-2.0
/*
 * send_frame IFNAME COUNT HEX: send the Ethernet frame HEX (hex bytes,
 * spaces allowed, from the destination MAC on) COUNT times out of IFNAME,
 * exactly as written, through a raw AF_PACKET socket. The integration tests
 * run it inside a namespace (ip netns exec) to put frames on the wire that
 * no tool there makes: 802.1Q and QinQ tagged frames, tags cut short, ARP.
 * Exits 0 when every frame was sent, 1 otherwise (saying why on stderr).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#define FRAME_MAX	1514

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The bytes of @hex into @frame; their count, or -1 when it is not hex. */
static int parse_hex(const char *hex, unsigned char *frame)
{
	int len = 0;

	while (*hex) {
		int hi, lo;

		if (*hex == ' ' || *hex == ':') {
			hex++;
			continue;
		}
		hi = hex_value(hex[0]);
		lo = hi < 0 ? -1 : hex_value(hex[1]);
		if (lo < 0 || len == FRAME_MAX)
			return -1;
		frame[len++] = hi << 4 | lo;
		hex += 2;
	}
	return len;
}

int main(int argc, char **argv)
{
	unsigned char frame[FRAME_MAX];
	struct sockaddr_ll to = { .sll_family = AF_PACKET };
	int fd, len, count;

	if (argc != 4) {
		fprintf(stderr, "usage: send_frame IFNAME COUNT HEX\n");
		return 2;
	}
	count = atoi(argv[2]);
	len = parse_hex(argv[3], frame);
	to.sll_ifindex = if_nametoindex(argv[1]);
	if (len < 0 || count < 1 || !to.sll_ifindex) {
		fprintf(stderr, "send_frame: bad interface, count or frame\n");
		return 2;
	}
	/*
	 * Protocol 0: the socket receives nothing, and the kernel reads the
	 * frame's EtherType from its data as the receiving end does.
	 */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		fprintf(stderr, "send_frame: socket: %s\n", strerror(errno));
		return 1;
	}
	for (int i = 0; i < count; i++) {
		if (sendto(fd, frame, len, 0, (struct sockaddr *)&to, sizeof(to)) != len) {
			fprintf(stderr, "send_frame: %s: %s\n", argv[1], strerror(errno));
			close(fd);
			return 1;
		}
	}
	close(fd);
	return 0;
}
