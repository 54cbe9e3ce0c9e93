/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault injection for the tests: with NSMON_TEST_KILL_AT=N in the
 * environment, the Nth call of fault_point() in this process kills it with
 * SIGKILL, as `kill -9` would at that instruction. The ledger calls it before
 * and after each record is synced (before the object is made) and before each
 * "done" (after it was made), the undo layer after each object undone, so a
 * test can stop `up` and `down` at every step (tests/integration/faults_*.sh). Without
 * the variable it costs one getenv() per process.
 */
#ifndef NSMON_FAULT_H
#define NSMON_FAULT_H

void fault_point(void);

#endif
