// SPDX-License-Identifier: GPL-2.0
/*
 * The original experiment's mask table, reproduced: for each mask, arm one
 * masked watchpoint and store to every u64 of a table from its end toward
 * its start, one store per entry; report the first (highest) entry whose
 * store fires and the byte range that fires. The architecture says a mask
 * covers 2^mask bytes, so the first firing entry is 2^mask / 8 - 1 and
 * exactly 2^mask / 8 stores fire.
 *
 * The original notes report entries 127, 255 and 511 for masks 9, 10 and
 * 11, twice 2^mask bytes for a u64 table. The last cases sweep the same
 * windows with 4-byte stores, one per AArch64 instruction slot (the notes'
 * writer stores 0xd61f0000, one 32-bit "br x0"): the first firing slot
 * is then 2^mask / 4 - 1, exactly the notes' numbers.
 *
 * The table is trampolines.ko's 128 KiB trampolines_sweep. A module section
 * is only page aligned, so the watchpoint sits on the 2^mask-aligned window
 * in it (offset= below) and entries are counted from that window's start.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../kselftest.h"
#include "../result.h"
#include "wp_common.h"

#define SWEEP_SYM	"trampolines_sweep"
#define SWEEP_TIMEOUT	120	/* seconds for one sweep of 16384 stores */

static const int masks[] = { 3, 9, 10, 11, 12, 16 };
static const int slot_masks[] = { 9, 10, 11 };	/* the notes' 127/255/511 */

struct sweep {
	long long stores, hits, first, last;
};

static int run_sweep(long long hi, int width, struct sweep *s)
{
	char cmd[64], *text;
	int ret;

	snprintf(cmd, sizeof(cmd), "%lld 0 %d", hi, width);
	alarm(SWEEP_TIMEOUT);
	ret = write_text(WP_DIR "sweep", cmd);
	alarm(0);
	if (ret)
		return ret;
	text = debugfs_read(WP_DIR "sweep");
	if (!text)
		return -errno;
	if (debugfs_s64(text, "stores", &s->stores) || debugfs_s64(text, "hits", &s->hits) ||
	    debugfs_s64(text, "first", &s->first) || debugfs_s64(text, "last", &s->last))
		ret = -EIO;
	free(text);
	return ret;
}

/* The "address" of "info": kernel addresses need unsigned. */
static unsigned long long info_address(void)
{
	unsigned long long v;

	return debugfs_get_u64(WP_DIR "info", "address", &v) ? 0 : v;
}

/* The table's address and size, from watchpoint.ko's "info". */
static int table_geometry(unsigned long long *addr, long long *size)
{
	int ret = kmod_load(WP_MOD, "ksym=" SWEEP_SYM);

	if (ret)
		return ret;
	*addr = info_address();
	*size = wp_info("size");
	kmod_unload(WP_MOD);
	return *addr && *size > 0 ? 0 : -EIO;
}

/* The table's row and the figures the verdict is on, for a sweep that ran. */
static void print_sweep(const char *name, int mask, int width, long long off,
			const struct sweep *s)
{
	const char *unit = width == 8 ? "u64 entry" : "u32 slot";
	long long span = 1LL << mask;

	ksft_print_msg("mask %2d | %s | first %5lld | %5lld of %5lld fire | [%lld, %lld) = %lld\n",
		       mask, unit, s->first >= 0 ? (s->first - off) / width : -1,
		       s->hits, s->stores, s->last >= 0 ? s->last - off : -1,
		       s->first >= 0 ? s->first - off + width : -1,
		       s->first >= 0 ? s->first - s->last + width : 0);
	if (s->first < 0) {
		ksft_print_msg("%s: no store fires, expected %lld from %s %lld\n", name,
			       span / width, unit, span / width - 1);
		return;
	}
	ksft_print_msg("%s: first firing %s %lld (expected %lld), %lld fire (expected %lld)\n",
		       name, unit, (s->first - off) / width, span / width - 1, s->hits,
		       span / width);
}

static void sweep_mask(int mask, int width, unsigned long long addr,
		       long long size)
{
	const char *unit = width == 8 ? "u64 entry" : "u32 slot";
	long long span = 1LL << mask;
	long long off = ((addr + span - 1) & ~(span - 1ULL)) - addr;
	struct sweep s = { -1, -1, -1, -1 };
	char params[128], name[96];
	int ret;

	snprintf(name, sizeof(name), "mask %d covers 2^%d = %lld bytes (%d-byte stores)",
		 mask, mask, span, width);
	if (off + span + 8 > size) {
		result_skip(name, "table too small for a 2^%d window", mask);
		return;
	}
	snprintf(params, sizeof(params), "ksym=" SWEEP_SYM " mask=%d offset=%lld",
		 mask, off);
	ret = kmod_load(WP_MOD, params);
	if (!ret)
		ret = run_sweep(size - width, width, &s);
	kmod_unload(WP_MOD);

	if (ret)
		ksft_print_msg("mask %2d | %s | %s\n", mask, unit, strerror(-ret));
	else
		print_sweep(name, mask, width, off, &s);
	ksft_test_result(!ret && s.first == off + span - width && s.last == off &&
			 s.hits == span / width, "%s\n", name);
}

int main(void)
{
	unsigned long long addr = 0;
	long long size = 0;
	size_t i;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("must run as root\n");
	if (!kmod_available(WP_MOD) || !kmod_available(TR_MOD))
		ksft_exit_skip("watchpoint.ko or trampolines.ko not installed\n");
	wp_guard_install();
	wp_unload_all();
	ret = tr_ensure_loaded();
	if (!ret)
		ret = table_geometry(&addr, &size);
	if (ret)
		ksft_exit_fail_msg("cannot find %s: %s\n", SWEEP_SYM, strerror(-ret));
	ret = kmod_load(WP_MOD, "ksym=" SWEEP_SYM " mask=3");
	kmod_unload(WP_MOD);
	if (ret == -EOPNOTSUPP)
		ksft_exit_skip("this kernel has no address-masked watchpoints\n");

	ksft_set_plan(ARRAY_SIZE(masks) + ARRAY_SIZE(slot_masks));
	ksft_print_msg("%s: %lld bytes at %#llx, swept from its end to entry 0\n",
		       SWEEP_SYM, size, addr);
	for (i = 0; i < ARRAY_SIZE(masks); i++)
		sweep_mask(masks[i], 8, addr, size);
	for (i = 0; i < ARRAY_SIZE(slot_masks); i++)
		sweep_mask(slot_masks[i], 4, addr, size);

	wp_unload_all();
	ksft_finished();
}
