/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcx attach types (Linux 6.6). Debian 12's uapi headers predate them, and
 * libbpf 1.1 has no bpf_program__attach_tcx(), but its bpf_link_create()
 * passes unknown attach types through to the kernel unchanged.
 */
#ifndef NSMON_TCX_H
#define NSMON_TCX_H

#define NSMON_BPF_TCX_INGRESS	46
#define NSMON_BPF_TCX_EGRESS	47
/*
 * bpf_link_info's type of a tcx link. Its tcx.ifindex is the union's first
 * __u32, where xdp.ifindex is too: 0 once the device is gone.
 */
#define NSMON_BPF_LINK_TYPE_TCX	11

#endif
