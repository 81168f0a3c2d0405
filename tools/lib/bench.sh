# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# ./run_tests.sh bench: the benchmarks in one boot, from a bundle, as a
# LAVA job, and --suite (the suite's own cold/warm/stress times).
#
# Sourced by run_tests.sh; its options and state are globals. Besides
# the options and what earlier steps set, this file
# sets:   OUTDIR BUNDLE; bench_bundle(): IMAGE INITRD CPU SMP QEMU_EXTRA GUEST_RC

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
		# guest-bench reads debugfs with debugfs-get (in the bundle's initramfs).
		mkdir -p "$tmp/bin"
		cc -O2 -Wall -o "$tmp/bin/debugfs-get" "$REPO/tools/debugfs_get.c" ||
			die "bench --bundle: cannot build tools/debugfs_get.c on this device"
		GUEST_RC=0
		PATH=$tmp/bin:$PATH WPSUITE_KO=$tmp/lib/modules/$rel/extra WPSUITE_BENCH_STDOUT=1 \
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

# Did the benchmarks of console log $1 finish, without a guest error or
# a splat? A splat is what the gate calls one (ktap-gate splats).
bench_console_ok()
{
	local splats rc=0
	[ -n "${GATE:-}" ] || build_gate tool
	splats=$("$GATE" splats "$1") || rc=$?
	[ "$rc" -le 1 ] || die "ktap-gate splats $1 failed"
	if [ "${GUEST_RC:-0}" -ne 0 ] || [ "${GUEST_TIMED_OUT:-0}" = 1 ] || [ -n "$splats" ] ||
	   ! grep -q 'wpsuite-bench: end' "$1"; then
		step "bench: the benchmarks failed (exit ${GUEST_RC:-0}${splats:+; $(head -1 <<<"$splats")}); see $1"
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
