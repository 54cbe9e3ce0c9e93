/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The filter options (user/util/filter.h) as every observing command
 * declares them in its option table: one declaration, so that --proto,
 * --host and --port read, complete and document the same everywhere.
 * @field is the command's struct nsmon_filter, zeroed (no filter) to start.
 */
#ifndef NSMON_FILTER_OPTIONS_H
#define NSMON_FILTER_OPTIONS_H

#include "cmd/cli.h"
#include "util/filter.h"

#define FILTER_CLI_OPTIONS(args_type, field)						\
	CLI_OPTION("proto", 0, CLI_CUSTOM, args_type, field, .metavar = "PROTO,...",	\
		   .parse = filter_option_proto, .values = filter_proto_names,		\
		   .complete = CLI_COMPLETE_VALUES,					\
		   .help = "only these protocols: arp, icmp, icmp6, tcp, udp, ipv4, ipv6"),	\
	CLI_OPTION("host", 0, CLI_CUSTOM, args_type, field, .metavar = "ADDR,...",	\
		   .parse = filter_option_host,						\
		   .help = "only frames to or from these IPv4/IPv6 addresses"),		\
	CLI_OPTION("port", 0, CLI_CUSTOM, args_type, field, .metavar = "PORT,...",	\
		   .parse = filter_option_port,						\
		   .help = "only TCP/UDP frames to or from these ports")

#endif
