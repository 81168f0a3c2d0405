#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build every prefix of patches/ with the series' options on (the suite's
# configuration) and off (configs/variants/rr-off.config): one patch, one
# logical change, and each one must build with no compiler warning either
# way. Run it whenever the series changes:
#
#   tools/build-series.sh [--from N] [--jobs N]
#
# The prefixes are applied with "git am" one after the other in one tree,
# $WPSUITE_CACHE/series/linux, and built incrementally through
# "run_tests.sh build --kdir", so each step only compiles what its patch
# touched (with ccache). Prints a table; exits 1 if any prefix fails.

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${WPSUITE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wpsuite}
TREE=$CACHE/series/linux
FROM=1
JOBS=$(nproc)
START=$(date +%s)

while [ $# -gt 0 ]; do
	case "$1" in
	--from) FROM=$2; shift ;;
	--jobs|-j) JOBS=$2; shift ;;
	-h|--help) sed -n '3,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "build-series.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done

step()
{
	printf '[%4ss] %s\n' "$(($(date +%s) - START))" "$*"
}

mapfile -t PATCHES < <(find "$REPO/patches" -name '*.patch' | sort)
[ ${#PATCHES[@]} -gt 0 ] || { echo "build-series.sh: no patches in $REPO/patches" >&2; exit 2; }

# The pristine source as a git tree, once.
if [ ! -d "$TREE/.git" ]; then
	tarball=$(dpkg -L linux-source-6.1 2>/dev/null | grep -E '/linux-source-6\.1\.tar\.(xz|bz2|gz)$' | head -1 || true)
	[ -n "$tarball" ] || { echo "build-series.sh: install linux-source-6.1 first (./run_tests.sh build does)" >&2; exit 2; }
	step "unpacking $(basename "$tarball") into $TREE"
	rm -rf "$TREE"
	mkdir -p "$TREE"
	tar xf "$tarball" -C "$TREE" --strip-components=1
	# Debian's .gitignore ignores the whole top level: add by force.
	git -C "$TREE" init -q
	git -C "$TREE" add -f -A .
	git -C "$TREE" -c user.name=wpsuite -c user.email=wpsuite@localhost \
		commit -q -m "linux-source-6.1"
	git -C "$TREE" tag -f base >/dev/null
fi

git -C "$TREE" am --abort >/dev/null 2>&1 || true
git -C "$TREE" reset -q --hard base
git -C "$TREE" clean -q -fdx
results=()
failed=0
for ((n = 1; n <= ${#PATCHES[@]}; n++)); do
	p=${PATCHES[n - 1]}
	if ! git -C "$TREE" -c user.name=wpsuite -c user.email=wpsuite@localhost \
		am -q --whitespace=nowarn "$p"; then
		results+=("$(printf '%-4s %-64s %s' "$n" "$(basename "$p")" "does not apply")")
		failed=1
		break
	fi
	[ "$n" -lt "$FROM" ] && continue
	line=$(printf '%-4s %-64s' "$n" "$(basename "$p" | cut -c1-64)")
	for variant in on off; do
		args=(build --kernel-only --kdir "$TREE" --series "$n" --jobs "$JOBS" --results "$CACHE/series/results")
		[ "$variant" = off ] && args+=(--variant rr-off)
		log=$CACHE/series/$n-$variant.log
		step "patch $n/${#PATCHES[@]}, options $variant: $(basename "$p")"
		if "$REPO/run_tests.sh" "${args[@]}" >"$log" 2>&1; then
			build=$(sed -n 's/.*build: done (\([^;]*\);.*/\1/p' "$log" | tail -1)
			w=$(sed -n 's/.*build: done (.*; \([0-9]*\) compiler warning.*/\1/p' "$log" | tail -1)
			if [ "${w:-0}" -eq 0 ]; then
				line+=" $variant: ok"
			else
				line+=" $variant: $w warning(s)"
				failed=1
				grep -m5 'warning:' "$CACHE/build/$build/build.log" | sed 's/^/      /' || true
			fi
		else
			line+=" $variant: FAILED ($log)"
			failed=1
			tail -15 "$log" | sed 's/^/      /'
		fi
	done
	results+=("$line")
done

echo
printf '%-4s %-64s %s\n' "#" "patch" "builds (options on / off)"
printf '%s\n' "${results[@]}"
step "done: $([ "$failed" = 0 ] && echo "every prefix builds, no warnings" || echo FAILED)"
exit "$failed"
