# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# What goes into the guest: our modules, the kselftests (ours and
# upstream's breakpoints), the initramfs with /init, its manifest, and
# the bundle a lab takes (lava/).
#
# Sourced by run_tests.sh; its options and state are globals. Besides
# the options and what earlier steps set, this file
# sets:   MODULES KSFT INITRD (WORK and ROOTFS: prepare() in guest.sh)

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
	# The constants the modules and the tests share, from their one header.
	mkdir -p "$KSFT/wpsuite/include"
	cp -p "$REPO/kmod/trampolines/trampolines.h" "$KSFT/wpsuite/include/"
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
	# shellcheck disable=SC2016 # the script's own "$1" and "$@"
	printf '#!/bin/sh\n[ "$1" = --foreground ] && shift\nexec /bin/busybox timeout "$@"\n' \
		>"$ROOTFS/usr/bin/timeout"
	chmod 755 "$ROOTFS/usr/bin/timeout"
	install -m 755 "$REPO/tools/guest-init" "$ROOTFS/init"
	install -m 755 "$REPO/tools/guest-bench" "$ROOTFS/bin/guest-bench"
	"${CROSS_COMPILE}gcc" -static -O2 -Wall -o "$ROOTFS/bin/kmsg_tee" "$REPO/tools/kmsg_tee.c"
	# guest-bench's reader of debugfs files: the kselftests' (selftests/debugfs.h).
	"${CROSS_COMPILE}gcc" -static -O2 -Wall -o "$ROOTFS/bin/debugfs-get" "$REPO/tools/debugfs_get.c"
	# A line-buffered "sed -e 's/^/# /'" for kselftest's runner (see the file).
	rm -f "$ROOTFS/bin/sed"
	"${CROSS_COMPILE}gcc" -static -O2 -Wall -o "$ROOTFS/bin/sed" "$REPO/tools/guest_sed.c"
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
