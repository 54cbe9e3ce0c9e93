/* SPDX-License-Identifier: GPL-2.0 */
/* What this nsmon is: its version, the pinned maps' ABI, the libbpf it runs with. */
#ifndef NSMON_CMD_VERSION_H
#define NSMON_CMD_VERSION_H

#include <stdbool.h>
#include <stdio.h>

/**
 * version_print() - `nsmon --version`: three lines, or with @json one object.
 * Return: the exit code.
 */
int version_print(FILE *out, bool json);

#endif
