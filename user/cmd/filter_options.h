/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The filter options (user/util/filter.h) as every observing command
 * declares them in its option table: one declaration, so that --proto,
 * --host and --port read, complete and document the same everywhere.
 * @field is the command's struct nsmon_filter, zeroed (no filter) to start.
 * FILTER_CLI_OPTIONS_PROTO gives --proto a default (path's icmp), which
 * what the user types replaces; "any" lifts it.
 *
 * --type, the kinds of event a stream shows, is declared here too: the
 * commands that show events (events, watch) take it beside the filters.
 */
#ifndef NSMON_FILTER_OPTIONS_H
#define NSMON_FILTER_OPTIONS_H

#include "cmd/cli.h"
#include "events/events.h"
#include "util/filter.h"

#define FILTER_CLI_OPTIONS_PROTO(args_type, field, proto_default)			\
	CLI_OPTION("proto", 0, CLI_CUSTOM, args_type, field, .metavar = "PROTO,...",	\
		   .parse = filter_option_proto, .values = filter_proto_names,		\
		   .complete = CLI_COMPLETE_VALUES, .def = (proto_default),		\
		   .help = "only these protocols: arp, icmp, icmp6, tcp, udp, ipv4, ipv6 (any: all)"), \
	CLI_OPTION("host", 0, CLI_CUSTOM, args_type, field, .metavar = "ADDR,...",	\
		   .parse = filter_option_host,						\
		   .help = "only frames to or from these IPv4/IPv6 addresses"),		\
	CLI_OPTION("port", 0, CLI_CUSTOM, args_type, field, .metavar = "PORT,...",	\
		   .parse = filter_option_port,						\
		   .help = "only TCP/UDP frames to or from these ports")

#define FILTER_CLI_OPTIONS(args_type, field) FILTER_CLI_OPTIONS_PROTO(args_type, field, NULL)

/* @field: an unsigned int mask of (1 << EVENT_*), 0: every type. */
#define EVENT_TYPES_CLI_OPTION(args_type, field)					\
	CLI_OPTION("type", 't', CLI_CUSTOM, args_type, field, .metavar = "TYPE,...",	\
		   .parse = event_types_option, .values = event_type_names,		\
		   .complete = CLI_COMPLETE_VALUES,					\
		   .help = "only these event types (\"lost\" records come whatever this says)")

#endif
