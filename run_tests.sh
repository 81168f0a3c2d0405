#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build an arm64 Linux 6.1 kernel with this project's patches and config,
# build the out-of-tree modules, the kselftests and the KUnit suites, boot it
# all in QEMU and gate the console log with the C++ KTAP/kernel-log checker.
#
# ./run_tests.sh --help explains the options.
#
# Parallel guests and check's isolated runs set OUTDIR and RESULTS inside a
# subshell for that subshell alone:
# shellcheck disable=SC2030,SC2031

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${WPSUITE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wpsuite}
ARCH=arm64
CROSS_COMPILE=aarch64-linux-gnu-
export ARCH CROSS_COMPILE

# Options and their defaults.
MODE=run
RUN_KUNIT=1
RUN_KSELFTEST=1
FILTER=
KDIR=${KDIR:-}
CPU=cortex-a57
SMP=4
MEM=1G
TIMEOUT=1800
SERIES=all
PEERS_ONLY=0
RESULTS=$REPO/results
JOBS=$(nproc)
INJECT=
BENCH_SUITE=0
BENCH_KERNEL=nodebug
TIER=quick
VARIANT=
CPU_SET=0
TOOLCHAIN=
KERNEL_ONLY=0
GUESTS=1
QEMU_EXTRA=()
SHARD=
BUNDLE=
BUNDLE_BENCH=0
BENCH_LAVA=0

START=$(date +%s)

usage()
{
	cat <<EOF
Usage: ./run_tests.sh [COMMAND] [OPTIONS]

Commands:
  (none)          build everything and run the whole suite in QEMU (the main job)
  check           the project's tests: C++ unit tests (CTest), the gate's own
                  negative controls (a guest panic, a hang, a WARN and a
                  leak must each give a failing verdict), upstream's suites before and
                  after the series, and the whole suite; ends with
                  "N passed, N failed"
  build           build the kernel, the modules, the kselftests and the
                  initramfs, and stop (prints the kernel's compiler warnings);
                  with --kernel-only just the kernel
  shell           boot the same guest with the modules and selftests installed
                  and give you its shell (poweroff -f to leave)
  bundle          build, then write what a lab needs to run the suite on its
                  own devices (Image, initramfs, modules and kselftests for
                  a board's root file system, .config, manifest) to
                  results/bundle, or --bundle DIR
  lava            the suite as a LAVA job: write the bundle, run
                  lava/job-qemu.yaml with lava-run (lava-dispatcher) on a
                  QEMU device, gate the LAVA log as a console and check
                  that LAVA recorded the same result for every test
  bench           benchmarks in one boot: each figure next to what it is
                  compared with, as a ratio; writes results/bench.json.
                  The kernel is the suite's without its lock and atomic-sleep
                  debugging (configs/bench/nodebug.config)

Benchmarks:
  --suite         bench also times the suite itself: the main job cold (an
                  empty cache), warm, and warm in the stress tier, next to
                  kunit.py run cold and warm (about 25 minutes on 2 cores)
  --debug-kernel  bench the suite's own kernel (PROVE_LOCKING and all)
  --lava          bench as a LAVA job (lava-run, QEMU device): write a bundle
                  of the benchmark kernel, each figure a LAVA measurement,
                  the table from the LAVA log
  --bundle DIR    bench an existing bundle (run_tests.sh bundle
                  --bench-kernel): on the arm64 device that booted its
                  Image, here; elsewhere in QEMU
  --bench-kernel  (bundle) a bundle of the benchmark kernel

Tiers:
  (default)       the quick tier: every suite and every case, loop counts
                  sized for a verdict (hundreds of moves, short windows)
  --stress        the stress tier: the long loops the reliability goals ask
                  for (10 000 moves with 4 callers, 10 000 guarded moves,
                  CPU hotplug loops); tests read WPSUITE_TIER (selftests/tier.h)

Suite selection:
  --kunit         only the KUnit suites (they run at boot)
  --kselftest     only the kselftests
  --filter NAME   only suites whose name contains NAME (KUnit suite names,
                  kselftest COLLECTION:TEST names, e.g. --filter breakpoints)
  --peers         only upstream's own suites: the hw_breakpoint KUnit suite
                  and the breakpoints kselftests (no modules of ours)
  --series N      apply only the first N patches of patches/ (0: upstream);
                  with --peers, shows what the series changes for upstream

Kernel and guest:
  --variant NAME  add configs/variants/NAME.config last (it wins): rr-off
                  (re-randomization and our KUnit options off), distro
                  (Debian's arm64 code generation, placement and memory
                  protection, KASAN; boots -cpu max), bti (built with
                  clang, LLVM=1, so that the kernel uses BTI; boots -cpu max)
  --kdir DIR      use your own 6.1.y tree instead of Debian's linux-source-6.1
                  (also KDIR=DIR); the tree is used as is, not patched: apply
                  patches/ with git am first if you want the series
  --cpu CPU       QEMU CPU model (default $CPU; e.g. max)
  --smp N         guest CPUs (default $SMP)
  --guests N      deal the kselftest collections out over N guests booted at
                  once (guest 0 also runs KUnit) and gate their consoles as
                  one run (default 1; see the README for what it gains)
  --timeout SEC   wall-clock limit for the guest (default $TIMEOUT)
  --qemu-arg ARG  one more QEMU argument (repeat for more), e.g. --qemu-arg -s
                  to let gdb-multiarch attach (target remote :1234)
  --jobs N        parallel build jobs (default: nproc = $JOBS)
  --results DIR   where results/<timestamp>/ goes (default $RESULTS)
  --bundle DIR    where bundle and lava write the bundle (default
                  results/bundle)
  --inject WHAT   gate self-test: after boot make the guest 'panic', 'hang',
                  'warn' (a module's WARN_ON) or 'leak' (a module's kmalloc()
                  that kmemleak reports)

Environment: WPSUITE_CACHE (default ~/.cache/wpsuite) holds the kernel
source, builds and busybox, keyed by source version + patches + config.
EOF
}

while [ $# -gt 0 ]; do
	case "$1" in
	check|shell|run|bench|build|bundle|lava) MODE=$1 ;;
	--stress) TIER=stress ;;
	--kunit) RUN_KUNIT=1; RUN_KSELFTEST=0 ;;
	--kselftest) RUN_KUNIT=0; RUN_KSELFTEST=1 ;;
	--filter) FILTER=$2; shift ;;
	--peers) PEERS_ONLY=1 ;;
	--series) SERIES=$2; shift ;;
	--kdir) KDIR=$2; shift ;;
	--cpu) CPU=$2; CPU_SET=1; shift ;;
	--variant) VARIANT=$2; shift ;;
	--kernel-only) KERNEL_ONLY=1 ;;
	--smp) SMP=$2; shift ;;
	--guests) GUESTS=$2; shift ;;
	--timeout) TIMEOUT=$2; shift ;;
	--qemu-arg) QEMU_EXTRA+=("$2"); shift ;;
	--jobs|-j) JOBS=$2; shift ;;
	--results) RESULTS=$(realpath -m -- "$2"); shift ;;
	--bundle) BUNDLE=$2; shift ;;
	--inject) INJECT=$2; shift ;;
	--suite) BENCH_SUITE=1 ;;
	--lava) BENCH_LAVA=1; BUNDLE_BENCH=1 ;;
	--bench-kernel) BUNDLE_BENCH=1 ;;
	--debug-kernel) BENCH_KERNEL=debug ;;
	-h|--help) usage; exit 0 ;;
	*) echo "run_tests.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done

step()
{
	printf '[%4ss] %s\n' "$(($(date +%s) - START))" "$*"
}

die()
{
	echo "run_tests.sh: $*" >&2
	exit 2
}

# The steps, one job per file: deps (packages, busybox), kernel (source,
# patches, config, cached build), rootfs (modules, kselftests, initramfs,
# bundle), guest (QEMU), gate (ktap-gate), lava, bench, check.
# shellcheck source=tools/lib/deps.sh
. "$REPO/tools/lib/deps.sh"
# shellcheck source=tools/lib/kernel.sh
. "$REPO/tools/lib/kernel.sh"
# shellcheck source=tools/lib/rootfs.sh
. "$REPO/tools/lib/rootfs.sh"
# shellcheck source=tools/lib/guest.sh
. "$REPO/tools/lib/guest.sh"
# shellcheck source=tools/lib/gate.sh
. "$REPO/tools/lib/gate.sh"
# shellcheck source=tools/lib/lava.sh
. "$REPO/tools/lib/lava.sh"
# shellcheck source=tools/lib/bench.sh
. "$REPO/tools/lib/bench.sh"
# shellcheck source=tools/lib/check.sh
. "$REPO/tools/lib/check.sh"

run_suite()
{
	prepare
	build_gate
	boot_and_gate
	step "done: $( [ "$GATE_RC" = 0 ] && echo PASS || echo FAIL )"
	return "$GATE_RC"
}

apply_variant
[[ "$GUESTS" =~ ^[1-9][0-9]*$ ]] || die "--guests takes a number of guests, 1 or more"
[ "$BENCH_LAVA" = 0 ] || [ "$MODE" = bench ] || die "--lava is an option of bench (./run_tests.sh lava runs the suite as a LAVA job)"
[ "$BUNDLE_BENCH" = 0 ] || [ "$MODE" = bundle ] || [ "$MODE" = bench ] ||
	die "--bench-kernel is an option of bundle"

case "$MODE" in
build)
	if [ "$KERNEL_ONLY" = 1 ]; then
		install_deps
		mkdir -p "$CACHE"
		prepare_source
		build_kernel
	else
		prepare
	fi
	step "build: done ($(basename "$KBUILD"); $(kernel_warnings) compiler warning(s) when it was built)"
	;;
run)
	run_suite
	;;
shell)
	prepare
	qemu_cmd shell
	step "shell: poweroff -f leaves the guest (Ctrl-a x kills QEMU)"
	exec "${QEMU[@]}"
	;;
check)
	check
	;;
bundle)
	prepare
	write_bundle "${BUNDLE:-$RESULTS/bundle$( [ "$BUNDLE_BENCH" = 1 ] && echo -bench)}"
	;;
lava)
	lava_main
	;;
bench)
	bench
	;;
esac
