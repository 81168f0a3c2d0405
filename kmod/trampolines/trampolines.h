/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The table trampolines.ko exports for watchpoint.ko to watch.
 *
 * watchpoint.ko includes this header for the constants only and finds the
 * table itself with __symbol_get() at run time, so it does not link against
 * trampolines.ko: loading it first must fail cleanly with -ENXIO.
 *
 * The kselftests (selftests/watchpoint) include it too, for the same
 * constants: run_tests.sh grafts it into the kselftest tree next to them
 * (tools/testing/selftests/wpsuite/include/). Only the declarations of the
 * tables themselves are the kernel's.
 */
#ifndef WPSUITE_TRAMPOLINES_H
#define WPSUITE_TRAMPOLINES_H

#define TRAMPOLINE_SYMBOL	"trampolines"

/* Entries (u64) in the table, and its size in bytes: 4 KiB. */
#define TRAMPOLINE_LEN		512
#define TRAMPOLINE_BYTES	(TRAMPOLINE_LEN * 8UL)

/* What every entry holds at load time: two AArch64 NOPs (0xd503201f). */
#define TRAMPOLINE_PATTERN	0xd503201fd503201fULL

/*
 * Stores by watchpoint.ko's tl_writer put this tag in the upper half
 * (0xd61f0000 is "br x0", the value the original design wrote) and a
 * sequence number in the lower half, so every store is recognisable.
 */
#define TRAMPOLINE_WRITER_TAG	0xd61f000000000000ULL

/*
 * A larger table for the DBGWCR.MASK sweep (selftests/watchpoint
 * mask_table_test): masks up to 16 cover 64 KiB, and a sweep has to start
 * past the end of the watched range to see where it ends. A module section
 * is only guaranteed page alignment (module_alloc() gives no more), so the
 * sweep watches the 2^mask-aligned window inside this table.
 */
#define TRAMPOLINE_SWEEP_SYMBOL	"trampolines_sweep"
#define TRAMPOLINE_SWEEP_LEN	16384
#define TRAMPOLINE_SWEEP_BYTES	(TRAMPOLINE_SWEEP_LEN * 8UL)

#ifdef __KERNEL__
#include <linux/types.h>

extern u64 trampolines[TRAMPOLINE_LEN];
extern u64 trampolines_sweep[TRAMPOLINE_SWEEP_LEN];
#endif

#endif /* WPSUITE_TRAMPOLINES_H */
