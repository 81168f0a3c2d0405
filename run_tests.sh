#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build an arm64 Linux 6.1 kernel with this project's patches and config,
# build the out-of-tree modules, the kselftests and the KUnit suites, boot it
# all in QEMU and gate the console log with the C++ KTAP/kernel-log checker.
#
# ./run_tests.sh --help explains the options.

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
	--results) RESULTS=$2; shift ;;
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

# ---------------------------------------------------------------------------
# 1. Dependencies
# ---------------------------------------------------------------------------
PACKAGES="linux-source-6.1 gcc-aarch64-linux-gnu qemu-system-arm flex bison bc
libelf-dev libssl-dev kmod cpio rsync cmake g++ libgtest-dev python3 ccache
python3-ply python3-git python3-jsonschema"

install_deps()
{
	local missing=() p

	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		if [ "$(id -u)" -ne 0 ]; then
			echo "Missing packages. Run as root:" >&2
			echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
			exit 2
		fi
		step "installing ${missing[*]}"
		apt-get update -q >/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
	fi

	BUSYBOX=$CACHE/busybox/bin/busybox
	if [ ! -x "$BUSYBOX" ]; then
		if [ "$(id -u)" -ne 0 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
			echo "Need a static arm64 busybox. Run as root:" >&2
			echo "  dpkg --add-architecture arm64 && apt-get update" >&2
			exit 2
		fi
		step "fetching busybox-static:arm64"
		if ! dpkg --print-foreign-architectures | grep -qx arm64; then
			dpkg --add-architecture arm64
			apt-get update -q >/dev/null
		fi
		local tmp
		tmp=$(mktemp -d)
		(cd "$tmp" && apt-get download -q busybox-static:arm64 >/dev/null 2>&1) ||
			{ apt-get update -q >/dev/null;
			  (cd "$tmp" && apt-get download -q busybox-static:arm64 >/dev/null); }
		mkdir -p "$CACHE/busybox"
		dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/x"
		install -D -m 755 "$tmp/x/bin/busybox" "$BUSYBOX"
		rm -rf "$tmp"
	fi
}

# ---------------------------------------------------------------------------
# 2. Kernel: source, patches, config, build (cached)
# ---------------------------------------------------------------------------
hash_of()
{
	cat "$@" 2>/dev/null | sha256sum | cut -c1-12
}

prepare_source()
{
	local patches
	patches=$(find "$REPO/patches" -name '*.patch' 2>/dev/null | sort)
	if [ "$SERIES" != all ]; then
		[[ "$SERIES" =~ ^[0-9]+$ ]] || die "--series takes a number"
		patches=$(echo "$patches" | head -n "$SERIES")
	fi
	PATCH_HASH=$(hash_of $patches /dev/null)

	if [ -n "$KDIR" ]; then
		KSRC=$(cd "$KDIR" && pwd)
		[ -f "$KSRC/Makefile" ] || die "--kdir $KDIR is not a kernel tree"
		SRC_ID=$(make -s -C "$KSRC" kernelversion)-user-$(echo "$KSRC" | sha256sum | cut -c1-12)
		step "kernel source: $KSRC (your tree, used as is)"
		return
	fi

	local tarball version
	tarball=$(dpkg -L linux-source-6.1 | grep -E '/linux-source-6\.1\.tar\.(xz|bz2|gz)$' | head -1)
	[ -n "$tarball" ] || die "linux-source-6.1 is installed but its tarball is missing"
	version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
	SRC_ID=debian-$version-$PATCH_HASH
	# One source path for every key, so ccache (CCACHE_BASEDIR) can reuse
	# objects across patch series; the builds themselves are keyed.
	KSRC=$CACHE/src/linux-6.1

	if [ "$(cat "$KSRC/.wpsuite-id" 2>/dev/null)" != "$SRC_ID" ]; then
		step "unpacking $(basename "$tarball") ($version)"
		rm -rf "$KSRC" "$KSRC.tmp"
		mkdir -p "$KSRC.tmp"
		tar xf "$tarball" -C "$KSRC.tmp" --strip-components=1
		for p in $patches; do
			step "applying patches/$(basename "$p")"
			(cd "$KSRC.tmp" && git apply --whitespace=nowarn "$p") ||
				die "patches/$(basename "$p") does not apply to $version"
		done
		echo "$SRC_ID" >"$KSRC.tmp/.wpsuite-id"
		mv "$KSRC.tmp" "$KSRC"
	fi
	step "kernel source: linux $version + $(echo "$patches" | grep -c . || true) patch(es) from patches/"
}

# Later fragments override earlier ones. The benchmark kernel turns the
# suite's debugging off: lockdep would otherwise be what it measures.
KCONFIG_FRAGMENTS()
{
	local bench=
	if { [ "$MODE" = bench ] || { [ "$MODE" = bundle ] && [ "$BUNDLE_BENCH" = 1 ]; }; } &&
	   [ "$BENCH_KERNEL" = nodebug ]; then
		bench=$REPO/configs/bench/nodebug.config
	fi
	echo "$REPO"/configs/*.config "$REPO/kunit/.kunitconfig" $bench \
		${VARIANT:+"$REPO/configs/variants/$VARIANT.config"}
}

# A variant may name the QEMU CPU it is meant for ("# qemu-cpu: max").
apply_variant()
{
	local f=$REPO/configs/variants/$VARIANT.config cpu
	[ -z "$VARIANT" ] && return
	[ -f "$f" ] || die "--variant $VARIANT: no $f (variants: $(cd "$REPO/configs/variants" && ls *.config | sed 's/\.config$//' | tr '\n' ' '))"
	cpu=$(sed -n 's/^# qemu-cpu: *//p' "$f" | head -1)
	if [ -n "$cpu" ] && [ "$CPU_SET" = 0 ]; then
		CPU=$cpu
	fi
	# ... and the toolchain it needs ("# toolchain: llvm": make LLVM=1).
	TOOLCHAIN=$(sed -n 's/^# toolchain: *//p' "$f" | head -1)
	case "${TOOLCHAIN:-gcc}" in
	gcc|llvm) ;;
	*) die "--variant $VARIANT: unknown toolchain '$TOOLCHAIN' (gcc or llvm)" ;;
	esac
	if [ "$TOOLCHAIN" = llvm ]; then
		PACKAGES+=" clang lld llvm"
	fi
}

build_kernel()
{
	CFG_HASH=$(hash_of $(KCONFIG_FRAGMENTS))
	KBUILD=$CACHE/build/$SRC_ID-$CFG_HASH
	IMAGE=$KBUILD/arch/arm64/boot/Image
	KMAKE=(make -C "$KSRC" O="$KBUILD" -j"$JOBS")
	local cc=${CROSS_COMPILE}gcc
	if [ "$TOOLCHAIN" = llvm ]; then
		KMAKE+=(LLVM=1)
		cc=clang
	fi
	if command -v ccache >/dev/null; then
		export CCACHE_DIR=$CACHE/ccache CCACHE_BASEDIR=$CACHE CCACHE_NOHASHDIR=1
		KMAKE+=(CC="ccache $cc")
	fi

	# Our own source only changes with the key; a user's tree changes under
	# us, so it always goes through (incremental) make.
	if [ -z "$KDIR" ] && [ -f "$KBUILD/.wpsuite-built" ] && [ -f "$IMAGE" ]; then
		touch "$KBUILD"	# last used: the pruning below keeps recent ones
		step "kernel: cached build $(basename "$KBUILD")"
		return
	fi

	mkdir -p "$KBUILD"
	step "kernel: configuring (allnoconfig + $(KCONFIG_FRAGMENTS | sed "s|$REPO/||g"))"
	"${KMAKE[@]}" -s allnoconfig >/dev/null
	(cd "$KSRC" && scripts/kconfig/merge_config.sh -m -O "$KBUILD" \
		"$KBUILD/.config" $(KCONFIG_FRAGMENTS) >"$KBUILD/merge.log" 2>&1)
	"${KMAKE[@]}" -s olddefconfig >>"$KBUILD/merge.log" 2>&1
	check_config

	step "kernel: building Image and modules with -j$JOBS (cold: a few minutes; log: $KBUILD/build.log)"
	local ticker total
	total=$(cat "$KBUILD/.wpsuite-objects" 2>/dev/null || cat "$CACHE/build-objects" 2>/dev/null || true)
	build_progress "$KBUILD/build.log" "$total" &
	ticker=$!
	if ! "${KMAKE[@]}" Image modules >"$KBUILD/build.log" 2>&1; then
		kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null || true
		tail -30 "$KBUILD/build.log" >&2
		die "kernel build failed; full log: $KBUILD/build.log"
	fi
	kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null || true
	# A full build's object count is the yardstick for the next one's progress.
	total=$(find "$KBUILD" -name '*.o' | wc -l)
	echo "$total" >"$KBUILD/.wpsuite-objects"
	echo "$total" >"$CACHE/build-objects"
	touch "$KBUILD/.wpsuite-built" "$KBUILD"
	# Keep the ten most recently used builds: check's five (suite,
	# upstream peers, rr-off, distro, bti), tools/build-series.sh's two,
	# bench's, and room for the suite's previous series.
	ls -dt "$CACHE"/build/*/ 2>/dev/null | tail -n +11 | xargs -r rm -rf
	for d in "$CACHE"/work/*/; do
		[ -d "$CACHE/build/$(basename "$d")" ] || rm -rf "$d"
	done
	step "kernel: built $(du -h "$IMAGE" | cut -f1) Image, $(kernel_warnings) compiler warning(s)"
}

# Compiler and linker warnings of the last make of this build.
kernel_warnings()
{
	grep -c 'warning:' "$KBUILD/build.log" 2>/dev/null || true
}

# A line every 15 s while make runs: objects compiled so far, of the count
# a full build of this configuration (or the last one built) had, and the
# directory make is in.
build_progress()
{
	local log=$1 total=$2 n dir
	while sleep 15; do
		n=$(grep -cE '^  (CC|AS) ' "$log" 2>/dev/null || true)
		dir=$(grep -E '^  [A-Z]+ ' "$log" 2>/dev/null | tail -1 | awk '{print $2}')
		step "kernel: building: ${n:-0}${total:+ of ~$total} objects, now ${dir%/*}/"
	done
}

# Every option a fragment asks for must survive olddefconfig: a silently
# dropped dependency would otherwise make a test pass for the wrong reason.
# When fragments disagree the last one wins, as in merge_config.sh.
#
# With --series or --kdir the tree may lack the series' own options (the
# KUnit suite of patches/0001, say): those are noted, not fatal.
check_config()
{
	local line sym missing=0
	declare -A seen=()
	while read -r line; do
		sym=${line%%=*}
		case "$sym" in CONFIG_*) ;; *) continue ;; esac
		[ -n "${seen[$sym]:-}" ] && continue
		seen[$sym]=1
		case "$line" in
		CONFIG_*=n) grep -qE "^${line%=n}=[ym]$" "$KBUILD/.config" || continue ;;
		CONFIG_*) grep -qx "$line" "$KBUILD/.config" && continue ;;
		*) continue ;;
		esac
		if { [ "$SERIES" != all ] || [ -n "$KDIR" ]; } &&
		   ! grep -rqsE "^(menu)?config ${sym#CONFIG_}\b" --include='Kconfig*' "$KSRC"; then
			echo "  config: $sym is not in this tree, left out"
			continue
		fi
		echo "  config: $line not honoured"
		missing=1
	done < <(tac $(KCONFIG_FRAGMENTS | tr ' ' '\n' | tac))
	[ $missing -eq 0 ] || die "some config options were dropped by Kconfig (see above)"
}

# ---------------------------------------------------------------------------
# 3. Modules, kselftests
# ---------------------------------------------------------------------------
WORK=
ROOTFS=

build_modules()
{
	local d name
	MODULES=()
	if [ "$PEERS_ONLY" = 1 ]; then
		step "modules: none (--peers)"
		return
	fi
	# Kbuild writes external-module objects next to the sources: build a copy.
	rsync -a --delete --exclude '*.md' "$REPO/kmod/" "$WORK/kmod/"
	for d in "$WORK"/kmod/*/; do
		[ -f "$d/Kbuild" ] || [ -f "$d/Makefile" ] || continue
		MODULES+=("$(basename "$d")")
	done
	# Each directory is its own small make (most of its time is Kbuild's
	# start-up and modpost): build $JOBS at a time, install one by one
	# (modules_install runs depmod on the shared tree).
	rm -f "$WORK/kmod-failed"
	# shellcheck disable=SC2016 # expanded by the sh that xargs starts
	printf '%s\n' "${MODULES[@]}" | xargs -P "$JOBS" -I{} sh -c \
		'"$@" M="$0/kmod/{}" modules >"$0/kmod-{}.log" 2>&1 || echo {} >>"$0/kmod-failed"' \
		"$WORK" "${KMAKE[@]}"
	if [ -s "$WORK/kmod-failed" ]; then
		name=$(head -1 "$WORK/kmod-failed")
		rm -f "$WORK/kmod-failed"
		cat "$WORK/kmod-$name.log" >&2
		die "kmod/$name does not build"
	fi
	for name in "${MODULES[@]}"; do
		"${KMAKE[@]}" M="$WORK/kmod/$name" INSTALL_MOD_PATH="$ROOTFS" INSTALL_MOD_STRIP=1 \
			modules_install >>"$WORK/kmod-$name.log" 2>&1
	done
	step "modules: built ${MODULES[*]}"
}

build_kselftests()
{
	local targets="breakpoints" d
	KSFT=$KSRC/tools/testing/selftests
	# Our targets live in the kselftest tree the way drivers/net/bonding
	# does, so lib.mk, kselftest.h and "make install" work unchanged.
	rsync -a --delete "$REPO/selftests/" "$KSFT/wpsuite/"
	if [ "$PEERS_ONLY" = 0 ]; then
		for d in "$REPO"/selftests/*/; do
			[ -f "$d/Makefile" ] && targets+=" wpsuite/$(basename "$d")"
		done
	fi

	"${KMAKE[@]}" -s headers >/dev/null
	rm -rf "$ROOTFS/kselftest"
	# FORCE_TARGETS: a target that does not build fails the build; without
	# it kselftest installs the others and the missing one is never run.
	if ! make -C "$KSFT" O="$KBUILD" TARGETS="$targets" LDFLAGS=-static FORCE_TARGETS=1 \
		KSFT_INSTALL_PATH="$ROOTFS/kselftest" install >"$WORK/kselftest.log" 2>&1; then
		tail -30 "$WORK/kselftest.log" >&2
		die "kselftests do not build; full log: $WORK/kselftest.log"
	fi
	# Upstream's breakpoints collection has no settings, so kselftest's 45 s
	# default applies; breakpoint_test_arm64 takes 3 s on the lab kernel
	# but about 40 s on the distro variant (KASAN under TCG) and timed out
	# there once. This guest gives it the time the emulator needs.
	if [ -d "$ROOTFS/kselftest/breakpoints" ] && [ ! -e "$ROOTFS/kselftest/breakpoints/settings" ]; then
		printf '%s\n' "# run_tests.sh: KASAN under QEMU TCG needs more than kselftest's 45 s" \
			'timeout=300' >"$ROOTFS/kselftest/breakpoints/settings"
	fi
	step "kselftests: built $targets"
}

# ---------------------------------------------------------------------------
# 4. Initramfs
# ---------------------------------------------------------------------------
build_initramfs()
{
	local dir runner
	for dir in bin sbin usr/bin usr/sbin proc sys dev tmp sys/kernel/debug; do
		mkdir -p "$ROOTFS/$dir"
	done
	install -m 755 "$BUSYBOX" "$ROOTFS/bin/busybox"
	for applet in $("$BUSYBOX" --list 2>/dev/null || true); do
		[ -e "$ROOTFS/bin/$applet" ] || ln -s busybox "$ROOTFS/bin/$applet"
	done
	# busybox can't list its applets when it can't run on the host: link
	# the ones /init, the kselftest runner and a LAVA test shell use.
	for applet in sh mount mkdir cat echo sleep poweroff dmesg grep sed tr realpath \
		dirname basename timeout mknod ls cut head tail wc seq kill setsid cttyhack \
		uname printf test true false awk insmod rmmod lsmod env readlink stat \
		date mv rm cp tee find md5sum chmod ln sort uniq xargs id mktemp touch sync; do
		[ -e "$ROOTFS/bin/$applet" ] || ln -s busybox "$ROOTFS/bin/$applet"
	done
	# kselftest's runner calls "/usr/bin/timeout --foreground", which busybox
	# does not know: accept and drop it.
	printf '#!/bin/sh\n[ "$1" = --foreground ] && shift\nexec /bin/busybox timeout "$@"\n' \
		>"$ROOTFS/usr/bin/timeout"
	chmod 755 "$ROOTFS/usr/bin/timeout"
	install -m 755 "$REPO/tools/guest-init" "$ROOTFS/init"
	install -m 755 "$REPO/tools/guest-bench" "$ROOTFS/bin/guest-bench"
	${CROSS_COMPILE}gcc -static -O2 -Wall -o "$ROOTFS/bin/kmsg_tee" "$REPO/tools/kmsg_tee.c"
	# A line-buffered "sed -e 's/^/# /'" for kselftest's runner (see the file).
	rm -f "$ROOTFS/bin/sed"
	${CROSS_COMPILE}gcc -static -O2 -Wall -o "$ROOTFS/bin/sed" "$REPO/tools/guest_sed.c"
	# busybox sh runs its own applet for a bare "sed" before it looks in
	# PATH, so the runner must name ours by its path.
	runner=$ROOTFS/kselftest/kselftest/runner.sh
	if [ -f "$runner" ]; then
		sed -i "s|^\(\s*\)sed -e 's/^/# /'\$|\1/bin/sed -e 's/^/# /'|" "$runner"
		grep -q "/bin/sed -e 's/^/# /'" "$runner" ||
			die "kselftest's runner.sh: no \"sed -e 's/^/# /'\" line to point at /bin/sed"
	fi

	# What this guest was built from; a lab's job checks it (lava/).
	mkdir -p "$ROOTFS/wpsuite"
	write_manifest >"$ROOTFS/wpsuite/manifest"

	INITRD=$WORK/initramfs.cpio
	(cd "$ROOTFS" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$INITRD"
	step "initramfs: $(du -h "$INITRD" | cut -f1)"
}

# The build's identity, one key=value per line (os-release style: a shell
# and Python both read it). series_hash and config_key are the two halves
# of the cache key (SRC_ID, cfg_hash) that the repository alone determines,
# so a job rendered from a checkout can tell whether a bundle is its own.
write_manifest()
{
	local banner
	# /proc/version of this kernel: the banner with the build's number and
	# time (vmlinux also holds a placeholder without them).
	banner=$(grep -a -o 'Linux version [^%]* #[0-9][^%]*' "$IMAGE" | head -n 1)
	cat <<EOF
# wpsuite bundle manifest (run_tests.sh write_manifest)
format=1
source=$SRC_ID
kernel_release=$(cat "$KBUILD/include/config/kernel.release")
linux_banner=$banner
series=$SERIES
series_hash=$PATCH_HASH
config_key=$CFG_HASH
config_sha256=$(sha256sum <"$KBUILD/.config" | cut -c1-64)
variant=$VARIANT
toolchain=${TOOLCHAIN:-gcc}
kernel_flavour=$(KCONFIG_FRAGMENTS | grep -q 'bench/nodebug.config' && echo nodebug || echo debug)
build=$(basename "$KBUILD")
wpsuite_commit=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)
kunit_suites=$(RUN_KSELFTEST=0 FILTER="" expected_suites | tr '\n' ' ' | sed 's/ $//')
EOF
}

# A bundle a lab can take: the guest (Image, initramfs with the modules,
# kselftests and /init), the same pieces for a board's own root file
# system, the .config and the manifest. Written whole or not at all.
write_bundle()
{
	local dir=$1
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	cp "$IMAGE" "$dir.tmp/Image"
	gzip -6n <"$INITRD" >"$dir.tmp/initramfs.cpio.gz"
	tar -C "$ROOTFS" -czf "$dir.tmp/modules.tar.gz" lib/modules
	tar -C "$ROOTFS" -czf "$dir.tmp/kselftest.tar.gz" kselftest
	cp "$KBUILD/.config" "$dir.tmp/config"
	cp "$ROOTFS/wpsuite/manifest" "$dir.tmp/manifest"
	(cd "$dir.tmp" && sha256sum Image initramfs.cpio.gz modules.tar.gz kselftest.tar.gz config \
		manifest >SHA256SUMS)
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	step "bundle: $dir ($(du -sh "$dir" | cut -f1): Image, initramfs.cpio.gz, modules.tar.gz, kselftest.tar.gz, config, manifest)"
}

# ---------------------------------------------------------------------------
# 5. Boot
# ---------------------------------------------------------------------------
qemu_cmd()
{
	# earlycon: a guest that hangs before the console driver still says where.
	local append="console=ttyAMA0 earlycon rdinit=/init panic=-1 printk.devkmsg=on"

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

# ---------------------------------------------------------------------------
# 6. Gate
# ---------------------------------------------------------------------------
build_gate()
{
	# CMake ties a build tree to one source tree: one per checkout.
	GATE_BUILD=$CACHE/gate-build/$(echo "$REPO" | sha256sum | cut -c1-12)
	cmake -S "$REPO" -B "$GATE_BUILD" -DCMAKE_BUILD_TYPE=Release \
		-DKERNEL_SRC="$KSRC" >"$CACHE/gate-cmake.log" 2>&1 ||
		{ cat "$CACHE/gate-cmake.log" >&2; die "cmake failed"; }
	cmake --build "$GATE_BUILD" -j"$JOBS" >"$CACHE/gate-build.log" 2>&1 ||
		{ tail -40 "$CACHE/gate-build.log" >&2; die "the C++ gate does not build"; }
	GATE=$GATE_BUILD/userspace-tests/ktap-gate
}

expected_suites()
{
	local s
	{
		if [ "$RUN_KUNIT" = 1 ] && [ "$PEERS_ONLY" = 1 ]; then
			echo hw_breakpoint
		elif [ "$RUN_KUNIT" = 1 ]; then
			grep -v '^\s*#' "$REPO/kunit/suites" | while read -r s opt; do
				grep -qx "$opt=y" "$KBUILD/.config" && echo "$s"
			done
		fi
		if [ "$RUN_KSELFTEST" = 1 ]; then
			cat "$ROOTFS/kselftest/kselftest-list.txt"
		fi
	} | while read -r s; do
		case "$s" in *"$FILTER"*) echo "$s" ;; esac
	done
}

# Does the variant let suite $1 skip (its "# may-skip: GLOB..." lines)?
may_skip()
{
	local glob
	[ -n "$VARIANT" ] || return 1
	for glob in $(sed -n 's/^# may-skip: *//p' "$REPO/configs/variants/$VARIANT.config"); do
		# shellcheck disable=SC2053 # a glob, on purpose
		[[ "$1" == $glob ]] && return 0
	done
	return 1
}

gate()
{
	local args=() s
	while read -r s; do
		args+=(--expect "$s")
	done < <(expected_suites)
	# Our own kselftests must not skip as a whole on the kernel and modules
	# this run built (a module that did not get installed would otherwise
	# pass as a skip), unless the variant says they may ("# may-skip: ...").
	if [ "$SERIES" = all ] && [ -z "$KDIR" ] && [ "$PEERS_ONLY" = 0 ] && [ "$RUN_KSELFTEST" = 1 ]; then
		while read -r s; do
			case "$s" in wpsuite/*) ;; *) continue ;; esac
			may_skip "$s" || args+=(--expect-run "$s")
		done < <(expected_suites)
	fi
	[ "$GUEST_TIMED_OUT" = 1 ] && args+=(--timed-out)
	step "gate: checking $(wc -l <"$CONSOLE") console lines"
	set +e
	"$GATE" --console "$CONSOLE" --out "$OUTDIR" \
		--known-failures "$REPO/configs/known-failures" \
		--guest-exit "$GUEST_RC" "${args[@]}"
	GATE_RC=$?
	set -e
	# The same run as KCIDB v5 (kcidb.json); a converter bug never fails the run.
	python3 "$REPO/tools/kcidb.py" convert "$OUTDIR" --build "$(basename "$KBUILD")" \
		--kconfig "$KBUILD/.config" --fragments "$(KCONFIG_FRAGMENTS | sed "s|$REPO/||g")" \
		--variant "$VARIANT" --toolchain "$TOOLCHAIN" --patches-dir "$REPO/patches" \
		--series "$SERIES" ${KDIR:+--kdir "$KDIR"} --known-failures "$REPO/configs/known-failures" \
		--cpu "$CPU" --smp "$SMP" --mem "$MEM" --tier "$TIER" --guests "$GUESTS" \
		--filter="$FILTER" --inject "$INJECT" ||
		step "kcidb: no kcidb.json for this run (conversion failed, see above; the verdict stands)"
	ln -sfn "$(basename "$OUTDIR")" "$RESULTS/latest"
	step "results: $OUTDIR (results/latest)"
}

# ---------------------------------------------------------------------------

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

# ---------------------------------------------------------------------------
# 7. LAVA (lava/README.md)
# ---------------------------------------------------------------------------
install_lava()
{
	command -v lava-run >/dev/null && return
	[ "$(id -u)" -eq 0 ] || die "lava-run needs root and lava-dispatcher: apt-get install --no-install-recommends lava-dispatcher"
	step "installing lava-dispatcher (lava-run)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		lava-dispatcher >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null;
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			lava-dispatcher >/dev/null; }
}

# The bundle of this build as a LAVA job on a QEMU device, run by
# lava-run; the LAVA log's console is gated like a QEMU console. $1:
# extra arguments for tools/lava.py render. Leaves OUTDIR, GATE_RC and
# LAVA_RC (0: LAVA recorded the gate's result for every test).
lava_job()
{
	lava_run_job "$@"
	gate
	LAVA_RC=0
	python3 "$REPO/tools/lava.py" compare --lava "$OUTDIR/lava-results.json" \
		"$OUTDIR/results.json" | tee "$OUTDIR/lava-vs-gate.txt" || LAVA_RC=1
}

# Render the job for $BUNDLE ("$@": more render arguments), run it with
# lava-run, and leave its console and test cases in $OUTDIR.
lava_run_job()
{
	local job_id ticker rc=0
	install_lava
	mkdir -p "$RESULTS"
	OUTDIR=$RESULTS/lava-$(date +%Y%m%d-%H%M%S)
	[ -e "$OUTDIR" ] && OUTDIR=$OUTDIR-$$
	mkdir -p "$OUTDIR"
	echo "$SRC_ID" >"$OUTDIR/kernel-id"
	python3 "$REPO/tools/lava.py" render --bundle "$BUNDLE" --out "$OUTDIR" \
		--series-hash "$PATCH_HASH" --config-key "$CFG_HASH" --tier "$TIER" \
		--filter="$FILTER" --cpu "$CPU" --smp "$SMP" --mem "$MEM" "$@" ||
		die "lava: cannot render the job for $BUNDLE"
	job_id=$(date +%s)$$
	step "lava: lava-run --job-id $job_id $OUTDIR/job.yaml (log: $OUTDIR/lava.log)"
	lava_progress "$OUTDIR/lava.log" &
	ticker=$!
	timeout --kill-after=10 "$TIMEOUT" lava-run --job-id "$job_id" --output-dir "$OUTDIR/lava" \
		--device "$OUTDIR/device.yaml" --dispatcher "$REPO/lava/dispatcher.yaml" \
		"$OUTDIR/job.yaml" 2>"$OUTDIR/lava.log" >/dev/null || rc=$?
	kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null || true
	GUEST_TIMED_OUT=0
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		GUEST_TIMED_OUT=1
		step "lava: lava-run did not finish within ${TIMEOUT}s; killed"
	fi
	GUEST_RC=0
	python3 "$REPO/tools/lava.py" results "$OUTDIR/lava.log" --out "$OUTDIR" || GUEST_RC=1
	CONSOLE=$OUTDIR/console.log
}

# A line every 15 s while lava-run runs: the test cases LAVA has recorded.
lava_progress()
{
	local log=$1 n last
	while sleep 15; do
		n=$(grep -c '"lvl": "results"' "$log" 2>/dev/null || true)
		last=$(grep -o '"case": "[^"]*"' "$log" 2>/dev/null | tail -n 1 | cut -d'"' -f4)
		step "lava: ${n:-0} results recorded${last:+, last $last}"
	done
}

lava_main()
{
	prepare
	build_gate
	BUNDLE=${BUNDLE:-$RESULTS/bundle}
	write_bundle "$BUNDLE"
	lava_job
	step "done: $( [ "$GATE_RC" = 0 ] && [ "$LAVA_RC" = 0 ] && echo PASS || echo FAIL )"
	[ "$GATE_RC" = 0 ] && [ "$LAVA_RC" = 0 ]
}

# check's LAVA steps, after the quick tier's run $1 on the same build: the
# job is green, LAVA recorded what the gate judged, test by test the same
# results as the QEMU console run, and a job that expects another series
# refuses the bundle.
check_lava()
{
	local quick=$1 out
	BUNDLE=$RESULTS/bundle
	write_bundle "$BUNDLE"
	step "lava: the suite as a LAVA job under lava-run on a QEMU device"
	lava_job
	count_run
	out=$OUTDIR
	if [ "$LAVA_RC" -eq 0 ]; then
		step "lava: ok (LAVA recorded the gate's result for each test; $out)"
		CHECK_PASS=$((CHECK_PASS + 1))
	else
		step "lava: NOT OK (LAVA and the gate differ; $out/lava-vs-gate.txt)"
		CHECK_FAIL=$((CHECK_FAIL + 1))
	fi
	if python3 "$REPO/tools/lava.py" compare "$quick/results.json" "$out/results.json" \
		>"$out/lava-vs-console.txt"; then
		step "lava: ok (the same result for each test as the console run; $(head -1 "$out/lava-vs-console.txt"))"
		CHECK_PASS=$((CHECK_PASS + 1))
	else
		cat "$out/lava-vs-console.txt"
		step "lava: NOT OK (the LAVA run and the console run differ; $out/lava-vs-console.txt)"
		CHECK_FAIL=$((CHECK_FAIL + 1))
	fi
	step "lava control: a job that expects another patch series must refuse the bundle"
	rm -f "$RESULTS/.lava-refusal"
	(
		FILTER=-none-
		lava_job --series-override 000000000000
		echo "$OUTDIR" >"$RESULTS/.lava-refusal"
	) >"$RESULTS/lava-refusal.log" 2>&1 || true
	OUTDIR=$(cat "$RESULTS/.lava-refusal" 2>/dev/null || echo "$RESULTS/lava-refusal-missing")
	if grep -q 'REFUSED: the bundle was built from patch series' "$OUTDIR/console.log" &&
	   grep -q '"result": "fail"' "$OUTDIR/lava-results.json" &&
	   ! grep -q '"job": "pass"' "$OUTDIR/lava-results.json"; then
		step "lava control: ok (refused: $(grep -m1 -o 'REFUSED: .*' "$OUTDIR/console.log" | cut -c1-110); $OUTDIR)"
		CHECK_PASS=$((CHECK_PASS + 1))
	else
		step "lava control: NOT OK (the bundle was not refused; $OUTDIR, $RESULTS/lava-refusal.log)"
		CHECK_FAIL=$((CHECK_FAIL + 1))
	fi
}

# The benchmarks of a bundle (--bundle DIR, of the benchmark kernel:
# bundle --bench-kernel). On the arm64 machine that booted the bundle's
# Image (root), here; on an arm64 host with /dev/kvm, in QEMU with KVM (the
# host's CPU: hardware figures); anywhere else in QEMU TCG. The same
# guest-bench, the same table.
bench_bundle()
{
	local m=$BUNDLE/manifest banner flavour tmp rel
	[ -f "$m" ] || die "--bundle $BUNDLE: no manifest; write a bundle with ./run_tests.sh bundle --bench-kernel --bundle DIR"
	python3 "$REPO/tools/lava.py" check --bundle "$BUNDLE" || die "--bundle $BUNDLE: refused (see above)"
	banner=$(sed -n 's/^linux_banner=//p' "$m")
	flavour=$(sed -n 's/^kernel_flavour=//p' "$m")
	[ "$flavour" = nodebug ] ||
		step "bench: $BUNDLE holds the suite's kernel (lockdep and all), not the benchmark kernel (bundle --bench-kernel)"
	mkdir -p "$RESULTS"
	OUTDIR=$RESULTS/bench-$(date +%Y%m%d-%H%M%S)
	mkdir -p "$OUTDIR"
	if [ "$(uname -m)" = aarch64 ] && [[ "$(cat /proc/version)" == "$banner"* ]]; then
		[ "$(id -u)" -eq 0 ] || die "bench --bundle on this device needs root (insmod, debugfs)"
		mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
		tmp=$(mktemp -d)
		tar -C "$tmp" -xzf "$BUNDLE/modules.tar.gz"
		rel=$(sed -n 's/^kernel_release=//p' "$m")
		CPU="$(sed -n 's/^CPU part\s*: /part /p' /proc/cpuinfo | sort -u | tr '\n' ' ')(this device)"
		SMP=$(nproc)
		step "bench: on this device, its running kernel the bundle's ($SMP CPUs)"
		GUEST_RC=0
		WPSUITE_KO=$tmp/lib/modules/$rel/extra WPSUITE_BENCH_STDOUT=1 \
			sh "$REPO/tools/guest-bench" >"$OUTDIR/console.log" 2>&1 || GUEST_RC=$?
		rm -rf "$tmp"
	else
		install_deps
		IMAGE=$BUNDLE/Image
		INITRD=$OUTDIR/initramfs.cpio
		gzip -dc "$BUNDLE/initramfs.cpio.gz" >"$INITRD"
		if [ "$(uname -m)" = aarch64 ] && [ -w /dev/kvm ]; then
			# The host's GIC model: a GICv3-only host has no GICv2
			# emulation for virt's default.
			CPU=host
			QEMU_EXTRA+=(-enable-kvm -machine gic-version=host)
			step "bench: booting the bundle in QEMU with KVM (-cpu host: this machine's CPU)"
		else
			step "bench: booting the bundle in QEMU TCG ($(uname -m) host: emulator figures)"
		fi
		boot_suite bench
		rm -f "$INITRD"
	fi
	bench_console_ok "$OUTDIR/console.log" || return 1
	bench_report "$(sed -n 's/^build=//p' "$m")" "${flavour:-nodebug}" "$OUTDIR/console.log"
}

# The benchmark kernel's bundle as a LAVA job (bench --lava).
bench_lava()
{
	BUNDLE=${BUNDLE:-$RESULTS/bundle-bench}
	write_bundle "$BUNDLE"
	lava_run_job --mode bench
	bench_console_ok "$OUTDIR/console.log" || return 1
	bench_report "$(basename "$KBUILD")" "$BENCH_KERNEL" "$OUTDIR/console.log"
}

# Did the benchmarks of console log $1 finish, without a splat or a guest
# that failed (GUEST_RC, GUEST_TIMED_OUT of its boot)?
bench_console_ok()
{
	local splat
	splat=$(grep -m1 -E 'Kernel panic|] (BUG|WARNING):|Internal error|Oops' "$1" || true)
	if [ "${GUEST_RC:-0}" -ne 0 ] || [ "${GUEST_TIMED_OUT:-0}" = 1 ] || [ -n "$splat" ] ||
	   ! grep -q 'wpsuite-bench: end' "$1"; then
		step "bench: the benchmarks failed (exit ${GUEST_RC:-0}${splat:+; $splat}); see $1"
		return 1
	fi
}

# The table and bench.json from console log(s) $3..., of build $1 with
# kernel flavour $2.
bench_report()
{
	local build=$1 flavour=$2
	shift 2
	python3 "$REPO/tools/bench_report.py" "$OUTDIR/bench.json" "$build" "$flavour" "$CPU" "$SMP" "$@"
	ln -sfn "$(basename "$OUTDIR")" "$RESULTS/bench-latest"
	cp "$OUTDIR/bench.json" "$RESULTS/bench.json"
	step "bench: $OUTDIR/bench.json (also results/bench.json)"
}

# The gate's own negative controls: a guest that panics and a guest that
# hangs must each give a failing verdict that names the cause.
control()
{
	local what=$1 expect=$2 dir=$RESULTS/controls timeout=$TIMEOUT

	mkdir -p "$dir"
	[ "$what" = hang ] && timeout=60
	step "control: the guest will $what; the gate must fail the run"
	GATE_RC=0
	INJECT=$what RUN_KUNIT=0 RUN_KSELFTEST=0 TIMEOUT=$timeout RESULTS=$dir \
		boot_and_gate >"$dir/$what.log" 2>&1 || true
	if [ "$GATE_RC" -ne 0 ] && grep -q -- "$expect" "$OUTDIR/summary.txt"; then
		step "control $what: ok (failing verdict, reports '$expect'; $OUTDIR)"
		CHECK_PASS=$((CHECK_PASS + 1))
	else
		step "control $what: NOT OK (gate exit $GATE_RC; see $dir/$what.log)"
		CHECK_FAIL=$((CHECK_FAIL + 1))
	fi
	kcidb_valid
}

# Benchmarks: one boot, every pair measured interleaved in it. Reports,
# never gates: the only failure is a guest that crashed or did not finish.
bench()
{
	local logs suite_rc=0
	if [ -n "$BUNDLE" ] && [ "$BENCH_LAVA" = 0 ]; then
		bench_bundle
		return
	fi
	prepare
	if [ "$BENCH_LAVA" = 1 ]; then
		bench_lava
		return
	fi
	mkdir -p "$RESULTS"
	OUTDIR=$RESULTS/bench-$(date +%Y%m%d-%H%M%S)
	mkdir -p "$OUTDIR"
	boot_suite bench
	bench_console_ok "$OUTDIR/console.log" || return 1
	logs=("$OUTDIR/console.log")
	if [ "$BENCH_SUITE" = 1 ]; then
		bench_suite "$OUTDIR/suite" || suite_rc=1
		logs+=("$OUTDIR/suite/times.log")
	fi
	bench_report "$(basename "$KBUILD")" "$BENCH_KERNEL" "${logs[@]}" || return 1
	return "$suite_rc"
}

# The suite's own cost, each run after the other on a host left alone: the
# main job with an empty cache (source unpack, busybox download, kernel
# build with an empty ccache, C++ gate build, guest) and again warm, then
# kunit.py run on the same patched source with a new build directory and
# again. "Beyond boot" is a run's time outside QEMU.
bench_suite()
{
	local dir=$1 cold=$CACHE/bench-suite kunit rc=0
	mkdir -p "$dir"
	rm -rf "$cold"
	: >"$dir/times.log"
	step "bench --suite: the main job on an empty cache ($cold; cold: a kernel build)"
	suite_run main.cold "$dir" env WPSUITE_CACHE="$cold" "$REPO/run_tests.sh" \
		--results "$dir/runs" --jobs "$JOBS" --cpu "$CPU" --smp "$SMP" || rc=1
	step "bench --suite: the main job again, warm (quick tier)"
	suite_run main.warm "$dir" env WPSUITE_CACHE="$cold" "$REPO/run_tests.sh" \
		--results "$dir/runs" --jobs "$JOBS" --cpu "$CPU" --smp "$SMP" || rc=1
	step "bench --suite: the main job warm, stress tier"
	suite_run main.stress "$dir" env WPSUITE_CACHE="$cold" "$REPO/run_tests.sh" --stress \
		--results "$dir/runs" --jobs "$JOBS" --cpu "$CPU" --smp "$SMP" || rc=1
	kunit=("$cold/src/linux-6.1/tools/testing/kunit/kunit.py" run
	       --kunitconfig="$REPO/kunit" --arch=arm64 --cross_compile="$CROSS_COMPILE"
	       --build_dir="$cold/kunit" --jobs="$JOBS")
	step "bench --suite: ${kunit[*]:0:5} (cold: a kernel build)"
	suite_run kunit.cold "$dir" "${kunit[@]}" || rc=1
	step "bench --suite: kunit.py run again, warm"
	suite_run kunit.warm "$dir" "${kunit[@]}" || rc=1
	rm -rf "$cold"
	return "$rc"
}

# The elapsed seconds run_tests.sh printed on its first step line matching $1.
at_step()
{
	sed -nE "s/^\[ *([0-9]+)s\] $1.*/\1/p" "$2" | head -1
}

# Time one run of "$@" into $2/$1.log and append its figures to times.log:
# total seconds, and the seconds spent building the kernel, in QEMU and (for
# the main job) installing what it needs, from each tool's own progress lines.
suite_run()
{
	local name=$1 dir=$2 t0 t1 rc=0 log boot b
	shift 2
	log=$dir/$name.log
	t0=$(date +%s.%N)
	"$@" >"$log" 2>&1 || rc=$?
	t1=$(date +%s.%N)
	{
		printf 'wpsuite-bench: suite.%s.seconds %.1f\n' "$name" "$(echo "$t1 - $t0" | bc)"
		echo "wpsuite-bench: suite.$name.exit $rc"
		# kunit.py: "Elapsed time: 355.2s total, 1.2s configuring,
		# 300.0s building, 50.0s running"
		sed -n 's/.*Elapsed time: .* \([0-9.]*\)s building, \([0-9.]*\)s running.*/\1 \2/p' \
			"$log" | while read -r b r; do
			echo "wpsuite-bench: suite.$name.build_seconds $b"
			echo "wpsuite-bench: suite.$name.guest_seconds $r"
		done
		sed -n "s/.*Testing complete\. Ran \([0-9]*\) tests.*/wpsuite-bench: suite.$name.tests \1/p" "$log"
		# run_tests.sh: its own "[ NNNs] step" lines
		boot=$(at_step 'boot: qemu' "$log")
		if [ -n "$boot" ]; then
			echo "wpsuite-bench: suite.$name.guest_seconds $(($(at_step 'boot: guest' "$log") - boot))"
			echo "wpsuite-bench: suite.$name.deps_seconds $(at_step '(unpacking|kernel source)' "$log")"
			b=$(at_step 'kernel: building' "$log")
			if [ -n "$b" ]; then
				echo "wpsuite-bench: suite.$name.build_seconds $(($(at_step 'kernel: built' "$log") - b))"
			fi
		fi
	} >>"$dir/times.log"
	step "bench --suite: $name: $(grep "suite.$name.seconds" "$dir/times.log" | cut -d' ' -f3) s, exit $rc"
	[ "$rc" -eq 0 ] || { tail -20 "$log"; step "bench --suite: $name failed; see $log"; }
	return "$rc"
}

check()
{
	local out passed failed

	CHECK_PASS=0
	CHECK_FAIL=0
	prepare
	build_gate

	step "ctest: C++ unit tests, kunit.py parity, checkpatch"
	set +e
	out=$(ctest --test-dir "$GATE_BUILD" -j"$JOBS" --output-on-failure 2>&1)
	set -e
	echo "$out" | grep -E '^(1?[0-9]+% tests passed|The following tests FAILED|\s+[0-9]+ - )' || true
	passed=$(echo "$out" | sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2 \1/p')
	if [ -n "$passed" ]; then
		set -- $passed
		CHECK_PASS=$((CHECK_PASS + $1 - $2))
		CHECK_FAIL=$((CHECK_FAIL + $2))
	else
		echo "$out" | tail -20
		CHECK_FAIL=$((CHECK_FAIL + 1))
	fi

	# The gate's libFuzzer target, seeded with its test logs and kunit_tool's,
	# for a bounded budget: a crash, timeout or OOM fails and leaves the
	# reproducer in results/fuzz.
	step "fuzz: ktap-gate-fuzz for 60 s (clang, ASan, UBSan)"
	if "$REPO/tools/fuzz-gate.sh" "$CACHE/fuzz-build/$(echo "$REPO" | sha256sum | cut -c1-12)" \
		"$RESULTS/fuzz" "$KSRC/tools/testing/kunit/test_data" 60; then
		CHECK_PASS=$((CHECK_PASS + 1))
	else
		CHECK_FAIL=$((CHECK_FAIL + 1))
	fi

	control panic "Kernel panic"
	control hang "timed out"
	control warn "WARNING:"
	control leak "unreferenced object"

	step "peers: upstream's suites on the unpatched kernel (--series 0 --peers; cold: one more kernel build)"
	local base=$RESULTS/peers-upstream
	BASELINE=$(isolated_run "$base" peers_settings)
	step "peers: upstream run: ${BASELINE:-FAILED, see $base/run.log}"
	prepare

	compile_fail

	# The stress tier only changes the kselftests' loops: KUnit runs once.
	step "suite: the stress tier's kselftests in QEMU"
	TIER=stress RUN_KUNIT=0 boot_and_gate || true
	count_run

	step "suite: the whole suite in QEMU (quick tier)"
	boot_and_gate || true
	count_run

	step "peers: upstream (unpatched) vs this series, test by test"
	if compare_peers "$BASELINE" "$OUTDIR" | tee "$OUTDIR/peers.txt"; then
		CHECK_PASS=$((CHECK_PASS + 1))
	else
		CHECK_FAIL=$((CHECK_FAIL + 1))
	fi

	check_lava "$OUTDIR"

	# The kernels users run: the series with its options off, a
	# distribution's configuration on a CPU with PAC and LSE atomics, and
	# a clang-built kernel with BTI and PAC live.
	check_variant rr-off
	check_variant distro
	check_variant bti

	echo "$CHECK_PASS passed, $CHECK_FAIL failed"
	[ "$CHECK_FAIL" -eq 0 ]
}

# One gated run in a subshell, with the settings function $2 (and its
# arguments) applied first: they, and a die, stay in there. Its log goes
# to $1/run.log, its results under $1; prints the run's results folder.
isolated_run()
{
	local dir=$1
	shift
	mkdir -p "$dir"
	(
		RESULTS=$dir
		"$@"
		prepare && boot_and_gate && echo "$OUTDIR" >"$dir/last"
	) >"$dir/run.log" 2>&1 || true
	cat "$dir/last" 2>/dev/null || true
	rm -f "$dir/last"
}

peers_settings()
{
	SERIES=0
	PEERS_ONLY=1
}

variant_settings()
{
	VARIANT=$1
	apply_variant
}

# The whole suite (quick tier) on a variant's kernel, its tests counted.
check_variant()
{
	local dir=$RESULTS/variant-$1 out
	step "variant $1: build and run the whole suite (log: $dir/run.log)"
	out=$(isolated_run "$dir" variant_settings "$1")
	if [ -z "$out" ] || [ ! -f "$out/results.json" ]; then
		tail -20 "$dir/run.log"
		step "variant $1: NOT OK (no gated run; see $dir/run.log)"
		CHECK_FAIL=$((CHECK_FAIL + 1))
		return
	fi
	OUTDIR=$out
	GATE_RC=$(grep -q 'ktap-gate: GREEN' "$dir/run.log" && echo 0 || echo 1)
	count_run
	step "variant $1: $(grep -m1 'ktap-gate:' "$dir/run.log"), $(grep -E '^\[ *[0-9]+s\] kernel: (built|cached)' "$dir/run.log" | tail -1 | sed 's/^\[ *[0-9]*s\] //'); $out"
}

# A SPECIAL_FUNCTION() with more than eight arguments must not build.
compile_fail()
{
	local dir=$WORK/compile-fail
	rm -rf "$dir"
	mkdir -p "$dir"
	cp "$REPO/kmod/compile-fail/too_many_args.c" "$dir/"
	echo 'obj-m += too_many_args.o' >"$dir/Kbuild"
	if "${KMAKE[@]}" M="$dir" modules >"$dir/build.log" 2>&1; then
		step "compile-fail: NOT OK (a SPECIAL_FUNCTION() with 9 arguments built; $dir/build.log)"
		CHECK_FAIL=$((CHECK_FAIL + 1))
	elif grep -q 'takes at most 8 arguments' "$dir/build.log"; then
		step "compile-fail: ok (a SPECIAL_FUNCTION() with 9 arguments is a build error)"
		CHECK_PASS=$((CHECK_PASS + 1))
	else
		tail -10 "$dir/build.log"
		step "compile-fail: NOT OK (failed, but not on the argument count; $dir/build.log)"
		CHECK_FAIL=$((CHECK_FAIL + 1))
	fi
}

# Add the last gated run's tests to the check's counts.
count_run()
{
	local passed failed
	read -r passed failed < <(suite_counts "$OUTDIR/results.json")
	CHECK_PASS=$((CHECK_PASS + passed))
	CHECK_FAIL=$((CHECK_FAIL + failed))
	# A red verdict with no failed test (a splat, a missing suite) still fails.
	[ "$GATE_RC" -ne 0 ] && [ "$failed" -eq 0 ] && CHECK_FAIL=$((CHECK_FAIL + 1))
	kcidb_valid
	return 0
}

# The last gated run's kcidb.json must validate (tools/kcidb/kcidb-v5.schema.json).
kcidb_valid()
{
	if python3 "$REPO/tools/kcidb.py" validate "$OUTDIR/kcidb.json"; then
		CHECK_PASS=$((CHECK_PASS + 1))
	else
		CHECK_FAIL=$((CHECK_FAIL + 1))
	fi
}

# "passed failed" over every leaf test of a gated run. A listed upstream
# failure that failed as expected counts as passed (an XFAIL), the way the
# gate judged it.
suite_counts()
{
	python3 - "$1" <<'PY'
import json, sys

def leaves(node):
    kids = node.get("tests") or node.get("subtests") or []
    if not kids:
        yield node
    for kid in kids:
        yield from leaves(kid)

try:
    suites = json.load(open(sys.argv[1]))["suites"]
except (OSError, ValueError, KeyError):
    print(0, 1)
    sys.exit()
passed = failed = 0
for suite in suites:
    for t in leaves(suite):
        status = t.get("status")
        if status == "PASS" or (status == "FAIL" and t.get("known_failure")):
            passed += 1
        elif status in ("FAIL", "CRASHED", "ERROR", "TIMEOUT"):
            failed += 1
print(passed, failed)
PY
}

# Upstream's suites, before (unpatched) and after the series: every test
# must have the same status in both runs.
compare_peers()
{
	python3 - "$1" "$2" <<'PY'
import json, sys

def peer_tests(run):
    tests = {}
    for suite in json.load(open(f"{run}/results.json"))["suites"]:
        if suite["id"] == "hw_breakpoint" or suite["id"].startswith("breakpoints:"):
            for t in suite.get("tests") or [{"path": suite["id"], "status": suite["status"]}]:
                tests[t["path"]] = t["status"]
    return tests

try:
    kernels = [open(f"{run}/kernel-id").read().strip() for run in sys.argv[1:3]]
    before, after = peer_tests(sys.argv[1]), peer_tests(sys.argv[2])
except (OSError, ValueError, KeyError) as e:
    print(f"peers: cannot compare: {e}")
    sys.exit(1)
print(f"upstream: {kernels[0]} ({sys.argv[1]})")
print(f"series:   {kernels[1]} ({sys.argv[2]})")
if kernels[0] == kernels[1]:
    print("peers: both runs used the same kernel; nothing was compared")
    sys.exit(1)
def count(tests, status):
    return sum(1 for s in tests.values() if s == status)
changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
print(f"{'peer tests':<28}{'upstream':>10}{'series':>10}")
for status in ("PASS", "FAIL", "SKIP"):
    print(f"{status:<28}{count(before, status):>10}{count(after, status):>10}")
for p in changed:
    print(f"  changed: {p}: {before.get(p, 'absent')} -> {after.get(p, 'absent')}")
print(f"peers: {len(before)} tests, {len(changed)} changed")
sys.exit(1 if changed or not before else 0)
PY
}

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
