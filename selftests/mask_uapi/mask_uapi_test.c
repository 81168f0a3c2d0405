// SPDX-License-Identifier: GPL-2.0
/*
 * What userspace gets of DBGWCR.MASK after the series. The uapi header is
 * unchanged: a masked watchpoint is asked for with a bp_len that is a power
 * of two above 8 and a bp_addr aligned to it, the way powerpc takes larger
 * DAWR ranges. So:
 *  - perf_event_open() takes such a range on a user address, and the event
 *    counts the stores inside the range and none outside;
 *  - every length or address the architecture cannot honour is refused
 *    with EINVAL, the same table the arm64_hw_breakpoint KUnit suite walks
 *    in the kernel; __reserved_2 set is still refused;
 *  - ptrace has no such ABI: PTRACE_SETREGSET(NT_ARM_HW_WATCH) with MASK
 *    bits in an enabled slot fails with EINVAL (before the series the bits
 *    were silently dropped), while a disabled slot and NT_ARM_HW_BREAK,
 *    where the bits are RES0, are accepted as before.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <asm/ptrace.h>

#include "../../kselftest.h"

/* DBGWCR: E=1, PAC=EL0, LSC=store, BAS=0xff. */
#define WCR_STORE8_EL0	0x1ff5u
#define WCR_MASK(m)	((uint32_t)(m) << 24)
/* DBGBCR: E=1, PMC=EL0, BAS=0xf; bits 28:24 are RES0. */
#define BCR_EXEC_EL0	0x1e5u
#define BCR_RES0_28_24	(0x1fu << 24)

/* The largest range tested from userspace, and room to misalign in it. */
#define RANGE_MAX	(64 * 1024)
static uint8_t *area;		/* RANGE_MAX-aligned, 2 * RANGE_MAX bytes */

static pid_t start_tracee(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
			_exit(1);
		raise(SIGSTOP);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
		ksft_exit_fail_msg("cannot start a tracee: %s\n", strerror(errno));
	return pid;
}

static void stop_tracee(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* 0 or -errno from PTRACE_SETREGSET(@note) for slot 0. */
static int set_slot(pid_t pid, int note, uint64_t addr, uint32_t ctrl)
{
	struct user_hwdebug_state state = {};
	struct iovec iov = {
		.iov_base = &state,
		.iov_len = offsetof(struct user_hwdebug_state, dbg_regs) +
			   sizeof(state.dbg_regs[0]),
	};

	state.dbg_regs[0].addr = addr;
	state.dbg_regs[0].ctrl = ctrl;
	return ptrace(PTRACE_SETREGSET, pid, note, &iov) ? -errno : 0;
}

struct ptrace_case {
	const char *name;
	int note;
	uint32_t ctrl;
	int expect;
};

static const struct ptrace_case ptrace_cases[] = {
	{ "ptrace: 8-byte watchpoint, no mask", NT_ARM_HW_WATCH,
	  WCR_STORE8_EL0, 0 },
	{ "ptrace: MASK 12 refused", NT_ARM_HW_WATCH,
	  WCR_STORE8_EL0 | WCR_MASK(12), -EINVAL },
	{ "ptrace: MASK 31 refused", NT_ARM_HW_WATCH,
	  WCR_STORE8_EL0 | WCR_MASK(31), -EINVAL },
	{ "ptrace: MASK 3 on a disabled slot ignored", NT_ARM_HW_WATCH,
	  (WCR_STORE8_EL0 & ~1u) | WCR_MASK(3), 0 },
	{ "ptrace: disabled slot, no mask", NT_ARM_HW_WATCH, 0, 0 },
	{ "ptrace: breakpoint with bits 28:24 set (RES0) accepted",
	  NT_ARM_HW_BREAK, BCR_EXEC_EL0 | BCR_RES0_28_24, 0 },
};

struct perf_case {
	const char *name;
	uint64_t offset;	/* into area */
	uint64_t len;
	uint32_t type;
	uint16_t reserved_2;
	int expect;
};

static const struct perf_case perf_cases[] = {
	{ "perf_event_open: len 8", 8, 8, HW_BREAKPOINT_W, 0, 0 },
	{ "perf_event_open: len 16", 0, 16, HW_BREAKPOINT_W, 0, 0 },
	{ "perf_event_open: len 4096", 0, 4096, HW_BREAKPOINT_W, 0, 0 },
	{ "perf_event_open: len 65536, read-write", 0, RANGE_MAX,
	  HW_BREAKPOINT_RW, 0, 0 },
	{ "perf_event_open: len 24 refused", 0, 24, HW_BREAKPOINT_W, 0, -EINVAL },
	{ "perf_event_open: len 4096, address + 2048 refused", 2048, 4096,
	  HW_BREAKPOINT_W, 0, -EINVAL },
	{ "perf_event_open: len 2^32 refused", 0, 1ull << 32, HW_BREAKPOINT_W,
	  0, -EINVAL },
	{ "perf_event_open: len 4096, execute refused", 0, 4096,
	  HW_BREAKPOINT_X, 0, -EINVAL },
	{ "perf_event_open: __reserved_2 set refused", 8, 8, HW_BREAKPOINT_W,
	  12, -EINVAL },
};

static int open_breakpoint(const struct perf_case *c)
{
	struct perf_event_attr attr = {};
	int fd;

	attr.type = PERF_TYPE_BREAKPOINT;
	attr.size = sizeof(attr);
	attr.bp_type = c->type;
	attr.bp_addr = (uintptr_t)area + c->offset;
	attr.bp_len = c->len;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	attr.__reserved_2 = c->reserved_2;
	fd = syscall(__NR_perf_event_open, &attr, 0, -1, -1, 0);
	return fd < 0 ? -errno : fd;
}

static void store(uint64_t offset, uint64_t v)
{
	/* A real store the compiler keeps: what the watchpoint sees. */
	__atomic_store_n((uint64_t *)(area + offset), v, __ATOMIC_RELAXED);
}

/*
 * One watchpoint over the 4 KiB at the start of the area: its first and
 * last doublewords are counted, the doubleword after it is not.
 */
static void count_stores(void)
{
	static const struct perf_case c = {
		"count", 0, 4096, HW_BREAKPOINT_W, 0, 0
	};
	static const char name[] =
		"perf_event_open: len 4096 counts the stores inside the range";
	uint64_t count = 0;
	int fd = open_breakpoint(&c);

	if (fd < 0) {
		ksft_print_msg("%s: %s\n", name, strerror(-fd));
		ksft_test_result_fail("%s\n", name);
		return;
	}
	store(0, 1);
	store(4096 - 8, 2);
	store(4096, 3);
	if (read(fd, &count, sizeof(count)) != sizeof(count))
		count = UINT64_MAX;
	close(fd);
	ksft_print_msg("%s: %llu counted, expected 2\n", name,
		       (unsigned long long)count);
	ksft_test_result(count == 2, "%s\n", name);
}

int main(void)
{
	size_t i;
	pid_t pid;
	void *p;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(ptrace_cases) + ARRAY_SIZE(perf_cases) + 1);
	alarm(30);

	p = mmap(NULL, 3 * RANGE_MAX, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	area = (uint8_t *)(((uintptr_t)p + RANGE_MAX - 1) & ~(uintptr_t)(RANGE_MAX - 1));
	memset(area, 0, 2 * RANGE_MAX);

	pid = start_tracee();
	for (i = 0; i < ARRAY_SIZE(ptrace_cases); i++) {
		const struct ptrace_case *c = &ptrace_cases[i];
		uint64_t addr = c->note == NT_ARM_HW_WATCH ? (uintptr_t)area :
				(uintptr_t)start_tracee & ~(uintptr_t)3;

		ret = set_slot(pid, c->note, addr, c->ctrl);
		ksft_print_msg("%s: ctrl %#x %s\n", c->name, c->ctrl,
			       ret ? strerror(-ret) : "accepted");
		ksft_test_result(ret == c->expect, "%s\n", c->name);
	}
	stop_tracee(pid);

	for (i = 0; i < ARRAY_SIZE(perf_cases); i++) {
		const struct perf_case *c = &perf_cases[i];

		ret = open_breakpoint(c);
		if (ret >= 0) {
			close(ret);
			ret = 0;
		}
		ksft_print_msg("%s: %s\n", c->name, ret ? strerror(-ret) : "opened");
		ksft_test_result(ret == c->expect, "%s\n", c->name);
	}
	count_stores();

	munmap(p, 3 * RANGE_MAX);
	ksft_finished();
}
