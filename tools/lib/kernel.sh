# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The kernel: linux-source-6.1 unpacked with patches/ applied, the
# config from the fragments, the build (cached outside the checkout,
# keyed by source + series and by the fragments), progress lines.
#
# Sourced by run_tests.sh; its options and state are globals. Besides
# the options and what earlier steps set, this file
# sets:   SRC_ID PATCH_HASH KSRC CFG_HASH KBUILD IMAGE KMAKE; apply_variant():
#         TOOLCHAIN, CPU (a variant's "# qemu-cpu:"), PACKAGES

hash_of()
{
	cat "$@" 2>/dev/null | sha256sum | cut -c1-12
}

prepare_source()
{
	local patches
	[ "$SERIES" = all ] || [[ "$SERIES" =~ ^[0-9]+$ ]] || die "--series takes a number"
	mapfile -t patches < <(find "$REPO/patches" -name '*.patch' 2>/dev/null | sort |
		if [ "$SERIES" = all ]; then cat; else head -n "$SERIES"; fi)
	PATCH_HASH=$(hash_of "${patches[@]}" /dev/null)

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
		for p in "${patches[@]}"; do
			step "applying patches/$(basename "$p")"
			(cd "$KSRC.tmp" && git apply --whitespace=nowarn "$p") ||
				die "patches/$(basename "$p") does not apply to $version"
		done
		echo "$SRC_ID" >"$KSRC.tmp/.wpsuite-id"
		mv "$KSRC.tmp" "$KSRC"
	fi
	step "kernel source: linux $version + ${#patches[@]} patch(es) from patches/"
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
	printf '%s\n' "$REPO"/configs/*.config "$REPO/kunit/.kunitconfig" ${bench:+"$bench"} \
		${VARIANT:+"$REPO/configs/variants/$VARIANT.config"}
}

# The same list on one line, relative to the checkout, for people and KCIDB.
kconfig_fragments_shown()
{
	KCONFIG_FRAGMENTS | sed "s|^$REPO/||" | paste -sd ' '
}

# A variant may name the QEMU CPU it is meant for ("# qemu-cpu: max").
apply_variant()
{
	local f=$REPO/configs/variants/$VARIANT.config cpu
	[ -z "$VARIANT" ] && return
	[ -f "$f" ] || die "--variant $VARIANT: no $f (variants: $(cd "$REPO/configs/variants" && printf '%s ' ./*.config | sed 's|\./||g; s/\.config / /g'))"
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
	local frags
	mapfile -t frags < <(KCONFIG_FRAGMENTS)
	CFG_HASH=$(hash_of "${frags[@]}")
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
	step "kernel: configuring (allnoconfig + $(kconfig_fragments_shown))"
	"${KMAKE[@]}" -s allnoconfig >/dev/null
	(cd "$KSRC" && scripts/kconfig/merge_config.sh -m -O "$KBUILD" \
		"$KBUILD/.config" "${frags[@]}" >"$KBUILD/merge.log" 2>&1)
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
	# shellcheck disable=SC2012 # build directories are named by their key: no blanks
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
	local line sym dropped=0 frags
	declare -A seen=()
	mapfile -t frags < <(KCONFIG_FRAGMENTS | tac)
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
		dropped=1
	done < <(tac "${frags[@]}")
	[ "$dropped" -eq 0 ] || die "some config options were dropped by Kconfig (see above)"
}
