// SPDX-License-Identifier: GPL-2.0
/*
 * What userspace can do with DBGWCR.MASK after the series: nothing, and it
 * is told so. Address-masked watchpoints are for in-kernel users
 * (perf_event_attr::bp_mask, a kernel-only name for __reserved_2):
 *  - PTRACE_SETREGSET(NT_ARM_HW_WATCH) with MASK bits fails with EINVAL
 *    (before the series the bits were silently dropped);
 *  - perf_event_open() with __reserved_2 set fails with EINVAL.
 * The same requests without a mask still work.
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

/* Only its address is used: the watchpoints are set, never hit. */
static uint64_t watched __attribute__((aligned(4096)));

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

/* 0 or -errno from PTRACE_SETREGSET(NT_ARM_HW_WATCH) for slot 0. */
static int set_watch(pid_t pid, uint64_t addr, uint32_t ctrl)
{
	struct user_hwdebug_state state = {};
	struct iovec iov = {
		.iov_base = &state,
		.iov_len = offsetof(struct user_hwdebug_state, dbg_regs) +
			   sizeof(state.dbg_regs[0]),
	};

	state.dbg_regs[0].addr = addr;
	state.dbg_regs[0].ctrl = ctrl;
	return ptrace(PTRACE_SETREGSET, pid, NT_ARM_HW_WATCH, &iov) ? -errno : 0;
}

struct ptrace_case {
	const char *name;
	uint32_t ctrl;
	int expect;
};

static const struct ptrace_case ptrace_cases[] = {
	{ "ptrace: 8-byte watchpoint, no mask", WCR_STORE8_EL0, 0 },
	{ "ptrace: MASK 12 refused", WCR_STORE8_EL0 | WCR_MASK(12), -EINVAL },
	{ "ptrace: MASK 31 refused", WCR_STORE8_EL0 | WCR_MASK(31), -EINVAL },
	{ "ptrace: MASK 3 on a disabled slot refused",
	  (WCR_STORE8_EL0 & ~1u) | WCR_MASK(3), -EINVAL },
	{ "ptrace: disabled slot, no mask", 0, 0 },
};

static const char * const perf_names[] = {
	"perf_event_open: 8-byte watchpoint",
	"perf_event_open: mask in __reserved_2 refused",
};

static int open_breakpoint(uint16_t reserved_2)
{
	struct perf_event_attr attr = {};
	int fd;

	attr.type = PERF_TYPE_BREAKPOINT;
	attr.size = sizeof(attr);
	attr.bp_type = HW_BREAKPOINT_W;
	attr.bp_addr = (uintptr_t)&watched;
	attr.bp_len = HW_BREAKPOINT_LEN_8;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	/* The kernel's bp_mask; userspace only has the reserved name. */
	attr.__reserved_2 = reserved_2;
	fd = syscall(__NR_perf_event_open, &attr, 0, -1, -1, 0);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int main(void)
{
	size_t i;
	pid_t pid;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	ksft_set_plan(ARRAY_SIZE(ptrace_cases) + ARRAY_SIZE(perf_names));
	alarm(30);

	pid = start_tracee();
	for (i = 0; i < ARRAY_SIZE(ptrace_cases); i++) {
		const struct ptrace_case *c = &ptrace_cases[i];

		ret = set_watch(pid, (uintptr_t)&watched, c->ctrl);
		ksft_print_msg("%s: ctrl %#x %s\n", c->name, c->ctrl,
			       ret ? strerror(-ret) : "accepted");
		ksft_test_result(ret == c->expect, "%s\n", c->name);
	}
	stop_tracee(pid);

	ret = open_breakpoint(0);
	ksft_print_msg("%s: %s\n", perf_names[0], ret ? strerror(-ret) : "opened");
	ksft_test_result(ret == 0, "%s\n", perf_names[0]);
	ret = open_breakpoint(12);
	ksft_print_msg("%s: %s\n", perf_names[1], ret ? strerror(-ret) : "opened");
	ksft_test_result(ret == -EINVAL, "%s\n", perf_names[1]);

	ksft_finished();
}
