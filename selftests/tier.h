/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test tier: how long the loops of a kselftest run.
 *
 *   WPSUITE_TIER=quick    (the default) loop counts sized for a verdict:
 *                         every case runs, with hundreds of iterations
 *   WPSUITE_TIER=stress   the long loops the reliability goals ask for
 *                         (10 000 moves with 4 callers, hotplug loops)
 *
 * run_tests.sh puts wpsuite_tier= on the guest's kernel command line and
 * /init exports it; by hand: WPSUITE_TIER=stress ./rerandom_test. Each
 * test prints the tier it ran as its first diagnostic line.
 */
#ifndef WPSUITE_TIER_H
#define WPSUITE_TIER_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../kselftest.h"

static inline bool tier_is_stress(void)
{
	const char *tier = getenv("WPSUITE_TIER");

	return tier && !strcmp(tier, "stress");
}

/*
 * Call once, after ksft_print_header(): says which tier runs, and refuses
 * a tier name it does not know rather than guessing.
 */
static inline void tier_announce(void)
{
	const char *tier = getenv("WPSUITE_TIER");

	if (tier && *tier && strcmp(tier, "quick") && strcmp(tier, "stress"))
		ksft_exit_fail_msg("WPSUITE_TIER=%s: expected quick or stress\n", tier);
	ksft_print_msg("tier: %s\n", tier_is_stress() ? "stress" : "quick");
}

/* @quick or @stress, by the tier. */
static inline long tier_pick(long quick, long stress)
{
	return tier_is_stress() ? stress : quick;
}

#endif /* WPSUITE_TIER_H */
