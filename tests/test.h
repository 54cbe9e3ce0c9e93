/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ASSERT_* for C tests, after the kernel's selftests/bpf test_progs.h.
 * Each test prints "PASS: name", "FAIL: name: what differed" or
 * "SKIP: name: why"; tests/run.sh counts those lines.
 */
#ifndef NSMON_TEST_H
#define NSMON_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int test_failed_here;
static int tests_failed;

#define TEST_BEGIN() (test_failed_here = 0)

#define TEST_END(name)						\
	do {							\
		if (test_failed_here) {				\
			tests_failed++;				\
		} else {					\
			printf("PASS: %s\n", (name));		\
		}						\
		fflush(stdout);					\
	} while (0)

#define TEST_SKIP(name, why) printf("SKIP: %s: %s\n", (name), (why))

#define TEST_FAIL(name, fmt, ...)					\
	do {								\
		printf("FAIL: %s: " fmt " (%s:%d)\n", (name), ##__VA_ARGS__, \
		       __FILE__, __LINE__);				\
		test_failed_here = 1;					\
	} while (0)

/* Each ASSERT returns its truth so a test can `goto out` on the first failure. */
#define ASSERT_EQ(name, got, want)					\
	({								\
		long long __g = (long long)(got), __w = (long long)(want); \
		if (__g != __w)						\
			TEST_FAIL(name, "%s = %lld, want %lld", #got, __g, __w); \
		__g == __w;						\
	})

#define ASSERT_OK(name, err)						\
	({								\
		long long __e = (long long)(err);			\
		if (__e)						\
			TEST_FAIL(name, "%s = %lld (%s)", #err, __e,	\
				  __e < 0 ? strerror((int)-__e) : "non-zero"); \
		__e == 0;						\
	})

#define ASSERT_TRUE(name, cond)						\
	({								\
		int __c = !!(cond);					\
		if (!__c)						\
			TEST_FAIL(name, "%s is false", #cond);		\
		__c;							\
	})

#define ASSERT_STREQ(name, got, want)					\
	({								\
		const char *__g = (got), *__w = (want);			\
		int __ok = __g && __w && !strcmp(__g, __w);		\
		if (!__ok)						\
			TEST_FAIL(name, "%s = \"%s\", want \"%s\"", #got, \
				  __g ? __g : "(null)", __w ? __w : "(null)"); \
		__ok;							\
	})

/*
 * Tests that build links, namespaces or BPF attachments run only inside
 * tests/sandbox.sh: run by hand, one re-executes itself there, so it can
 * never touch the machine's own interfaces. The binary is
 * TOP/.output/tests/KIND/NAME, the sandbox TOP/tests/sandbox.sh.
 */
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

static inline void test_require_sandbox(void)
{
	char exe[PATH_MAX], sandbox[PATH_MAX + 32];
	ssize_t len;
	char *out;

	if (getenv("NSMON_SANDBOXED") && !strcmp(getenv("NSMON_SANDBOXED"), "1"))
		return;
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len < 0)
		exit(1);
	exe[len] = '\0';
	out = strstr(exe, "/.output/tests/");
	if (!out)
		exit(1);
	*out = '\0';
	snprintf(sandbox, sizeof(sandbox), "%s/tests/sandbox.sh", exe);
	*out = '/';
	execv(sandbox, (char *[]){ sandbox, exe, NULL });
	perror(sandbox);
	exit(1);
}

#endif
