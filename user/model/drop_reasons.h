/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of the kernel's drop reasons, read at runtime from its BTF (enum
 * skb_drop_reason): the values change between kernels, the names do not.
 */
#ifndef NSMON_DROP_REASONS_H
#define NSMON_DROP_REASONS_H

#include <linux/types.h>

/* Read the names once. Return 0 or -errno; without them, reasons print as numbers. */
int drop_reasons_load(void);

/* "NO_SOCKET" (the SKB_DROP_REASON_ prefix dropped), or "REASON_42" if unknown. */
const char *drop_reason_name(__u32 reason);

#endif
