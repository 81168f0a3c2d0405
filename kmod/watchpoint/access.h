/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The accesses watchpoint.ko makes on request (access.c), shared with its
 * KUnit suite (kunit.c), which makes the same ones under a watchpoint of
 * its own: a store or load of 1, 2, 4 or 8 bytes, never optimised away.
 */
#ifndef WPSUITE_WATCHPOINT_ACCESS_H
#define WPSUITE_WATCHPOINT_ACCESS_H

#include <linux/compiler.h>
#include <linux/types.h>

static inline void wp_store(unsigned long addr, unsigned int width, u64 v)
{
	switch (width) {
	case 1:
		WRITE_ONCE(*(u8 *)addr, (u8)v);
		break;
	case 2:
		WRITE_ONCE(*(u16 *)addr, (u16)v);
		break;
	case 4:
		WRITE_ONCE(*(u32 *)addr, (u32)v);
		break;
	default:
		WRITE_ONCE(*(u64 *)addr, v);
		break;
	}
}

/* READ_ONCE(): volatile, so no load is optimised away. */
static inline u64 wp_load(unsigned long addr, unsigned int width)
{
	switch (width) {
	case 1:
		return READ_ONCE(*(u8 *)addr);
	case 2:
		return READ_ONCE(*(u16 *)addr);
	case 4:
		return READ_ONCE(*(u32 *)addr);
	default:
		return READ_ONCE(*(u64 *)addr);
	}
}

#endif /* WPSUITE_WATCHPOINT_ACCESS_H */
