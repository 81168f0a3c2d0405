# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The guest: the QEMU command line, one boot (with the known 6.1
# RCU-tasks boot hang retried once), sharded boots (--guests N), and
# prepare(), which builds everything a boot needs.
#
# Sourced by run_tests.sh; its options and state are globals. Besides
# the options and what earlier steps set, this file
# sets:   QEMU CONSOLE GUEST_RC GUEST_TIMED_OUT GUEST_EARLY_HANG; prepare(): WORK
#         ROOTFS; boot_sharded(): OUTDIR, SHARD, RUN_KUNIT in each guest's subshell

qemu_cmd()
{
	# earlycon: a guest that hangs before the console driver still says where.
	local append="console=ttyAMA0 earlycon rdinit=/init panic=-1 printk.devkmsg=on"

	# page_poison=1 (configs/debug.config), under TCG: freed pages are
	# overwritten by ordinary stores, which is what makes QEMU 7.2 drop the
	# stale translations of a freed module's text; otherwise the page comes
	# back as, say, a kernel stack and every store to it takes QEMU's slow
	# path (docs/variants.md, "QEMU's stale translations"). Under KVM there
	# is no such path, and the benchmarks there stay the kernel's own.
	[[ " ${QEMU_EXTRA[*]} " == *" -enable-kvm "* ]] || append+=" page_poison=1"

	append+=" wpsuite_mode=$1 wpsuite_kselftest=$RUN_KSELFTEST wpsuite_tier=$TIER"
	# Leak detection (configs/debug.config builds kmemleak in, off): the
	# stress tier's allocations are tracked and /init scans at the end.
	if [ "$TIER" = stress ] || [ "$INJECT" = leak ]; then
		append+=" kmemleak=on"
	fi
	[ -n "$FILTER" ] && append+=" wpsuite_filter=$FILTER"
	[ -n "$SHARD" ] && append+=" wpsuite_shard=$SHARD"
	[ -n "$INJECT" ] && append+=" wpsuite_inject=$INJECT"
	if [ "$RUN_KUNIT" = 0 ] || [ "$1" = bench ]; then
		append+=" kunit.filter_glob=-none-"
	elif [ "$PEERS_ONLY" = 1 ]; then
		append+=" kunit.filter_glob=hw_breakpoint"
	elif [ -n "$FILTER" ]; then
		append+=" kunit.filter_glob=*$FILTER*"
	fi
	QEMU=(qemu-system-aarch64 -machine virt -cpu "$CPU" -smp "$SMP" -m "$MEM"
	      -kernel "$IMAGE" -initrd "$INITRD" -append "$append"
	      -no-reboot -nographic "${QEMU_EXTRA[@]}")
}

# Linux 6.1's rude RCU-tasks grace period (schedule_on_each_cpu()) can race
# with the bring-up of the secondary CPUs in its boot-time self-test and
# never end: the guest idles before the console driver, let alone /init.
# It needs TASKS_RUDE_RCU (FTRACE selects it) and PROVE_RCU: the distro
# variant, about one boot in ten under TCG (docs/variants.md). Such a boot
# is told apart by its last console line (earlycon prints it) and booted
# once more; any other hang is the suite's to report.
EARLY_HANG='Running RCU-tasks wait API self tests'
EARLY_HANG_AFTER=90

# Boot in mode $1 (default run: the suite), console into $OUTDIR/console.log.
# shellcheck disable=SC2120 # $1 is optional
boot_suite()
{
	local try
	for try in 1 2; do
		boot_once "$@"
		[ "$GUEST_EARLY_HANG" = 1 ] || break
		if [ "$try" = 1 ]; then
			mv "$CONSOLE" "$OUTDIR/console-early-hang.log"
			step "boot: hung in 6.1's RCU-tasks boot self-test (known upstream race, docs/variants.md; console-early-hang.log); booting once more"
		else
			GUEST_TIMED_OUT=1
			step "boot: hung in 6.1's RCU-tasks boot self-test again; giving up"
		fi
	done
}

boot_once()
{
	local rc=0 tag watchdog
	qemu_cmd "${1:-run}"
	tag=wpsuite-$$-$RANDOM
	QEMU+=(-name "$tag")
	step "boot: ${QEMU[*]:0:10} ($TIER tier, timeout ${TIMEOUT}s)"
	CONSOLE=$OUTDIR/console.log
	: >"$CONSOLE"
	rm -f "$OUTDIR/.early-hang"
	(
		sleep "$EARLY_HANG_AFTER"
		if ! grep -q 'wpsuite: ' "$CONSOLE" && tail -n 1 "$CONSOLE" | grep -qF "$EARLY_HANG"; then
			touch "$OUTDIR/.early-hang"
			pkill -f -- "-name $tag" || true
		fi
	) </dev/null >/dev/null 2>&1 &
	watchdog=$!
	# The guest writes every result line into the kernel log, so it carries a
	# timestamp; show the top-level results, and the test that starts, as
	# they come.
	set +e
	timeout --kill-after=10 "$TIMEOUT" "${QEMU[@]}" </dev/null 2>&1 |
		tee "$CONSOLE" |
		grep --line-buffered -E '^\[ *[0-9.]+\] ((not ok|ok) [0-9]+ |# selftests: |    # Subtest: )|Kernel panic|] (BUG|WARNING):' |
		sed -u -E 's/^\[ *([0-9]+)\.[0-9]+\] (# selftests: |    # Subtest: )(.*)/  guest [\1 s] running \3/; t; s/^/        /'
	rc=${PIPESTATUS[0]}
	set -e
	kill "$watchdog" 2>/dev/null || true
	wait "$watchdog" 2>/dev/null || true
	GUEST_TIMED_OUT=0
	GUEST_EARLY_HANG=0
	if [ -f "$OUTDIR/.early-hang" ]; then
		rm -f "$OUTDIR/.early-hang"
		GUEST_EARLY_HANG=1
	elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		GUEST_TIMED_OUT=1
		step "boot: guest did not finish within ${TIMEOUT}s; killed"
	else
		step "boot: guest exited ($rc)"
	fi
	GUEST_RC=$rc
}

prepare()
{
	install_deps
	mkdir -p "$CACHE"
	prepare_source
	build_kernel
	# Modules and the initramfs belong to one kernel build.
	WORK=$CACHE/work/$(basename "$KBUILD")
	ROOTFS=$WORK/rootfs
	rm -rf "$ROOTFS"
	mkdir -p "$ROOTFS"
	build_modules
	build_kselftests
	build_initramfs
}

boot_and_gate()
{
	mkdir -p "$RESULTS"
	OUTDIR=$RESULTS/$(date +%Y%m%d-%H%M%S)
	[ -e "$OUTDIR" ] && OUTDIR=$OUTDIR-$$
	mkdir -p "$OUTDIR"
	echo "$SRC_ID" >"$OUTDIR/kernel-id"
	if [ "$GUESTS" -gt 1 ] && [ "$RUN_KSELFTEST" = 1 ]; then
		boot_sharded
	else
		boot_suite
	fi
	gate
}

# --guests N: guest i runs the kselftests whose line in kselftest-list.txt
# is i modulo N (guest 0 also runs KUnit); all boot at once. Their consoles,
# one after the other, are gated as one run: each is a whole boot with its
# own KTAP documents and markers.
boot_sharded()
{
	local i dir rc=0 timed_out=0 r t pids=()
	step "boot: $GUESTS guests at once, the kselftests dealt out over them"
	for ((i = 0; i < GUESTS; i++)); do
		dir=$OUTDIR/guest-$i
		mkdir -p "$dir"
		(
			OUTDIR=$dir SHARD=$i/$GUESTS
			[ "$i" -gt 0 ] && RUN_KUNIT=0
			{
				boot_suite
				echo "$GUEST_RC $GUEST_TIMED_OUT" >"$dir/status"
			} 2>&1 | sed -u "s/^/[guest $i] /"
		) &
		pids+=($!)
	done
	wait "${pids[@]}" || true
	CONSOLE=$OUTDIR/console.log
	: >"$CONSOLE"
	for ((i = 0; i < GUESTS; i++)); do
		cat "$OUTDIR/guest-$i/console.log" >>"$CONSOLE" 2>/dev/null || true
		read -r r t <"$OUTDIR/guest-$i/status" 2>/dev/null || { r=1; t=1; }
		[ "$rc" -eq 0 ] && rc=$r
		[ "$t" = 1 ] && timed_out=1
	done
	GUEST_RC=$rc
	GUEST_TIMED_OUT=$timed_out
	step "boot: $GUESTS guests done (exit $GUEST_RC)"
}
