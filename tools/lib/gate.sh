# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The gate: the C++ ktap-gate built with CMake, the suites a run must
# show, and the verdict on a console (results.json, JUnit, KCIDB).
#
# Sourced by run_tests.sh; its options and state are globals. Besides
# the options and what earlier steps set, this file
# sets:   GATE GATE_BUILD GATE_RC

# The gate and its tests; "build_gate tool": ktap-gate alone (no
# GoogleTest, no kernel tree), for bench on a machine that only runs it.
build_gate()
{
	local tests=ON target=() key
	# CMake ties a build tree to one source tree: one per checkout.
	key=$(echo "$REPO" | sha256sum | cut -c1-12)
	if [ "${1:-}" = tool ]; then
		tests=OFF target=(--target ktap-gate) key+=-tool
	fi
	GATE_BUILD=$CACHE/gate-build/$key
	mkdir -p "$CACHE"
	cmake -S "$REPO" -B "$GATE_BUILD" -DCMAKE_BUILD_TYPE=Release -DWPSUITE_TESTS="$tests" \
		-DKERNEL_SRC="${KSRC:-}" >"$CACHE/gate-cmake.log" 2>&1 ||
		{ cat "$CACHE/gate-cmake.log" >&2; die "cmake failed"; }
	cmake --build "$GATE_BUILD" -j"$JOBS" "${target[@]}" >"$CACHE/gate-build.log" 2>&1 ||
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
	# shellcheck disable=SC2013 # one or more globs per line, blank-separated
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
		--kconfig "$KBUILD/.config" --fragments "$(kconfig_fragments_shown)" \
		--variant "$VARIANT" --toolchain "$TOOLCHAIN" --patches-dir "$REPO/patches" \
		--series "$SERIES" ${KDIR:+--kdir "$KDIR"} --known-failures "$REPO/configs/known-failures" \
		--cpu "$CPU" --smp "$SMP" --mem "$MEM" --tier "$TIER" --guests "$GUESTS" \
		--filter="$FILTER" --inject "$INJECT" ||
		step "kcidb: no kcidb.json for this run (conversion failed, see above; the verdict stands)"
	ln -sfn "$(basename "$OUTDIR")" "$RESULTS/latest"
	step "results: $OUTDIR (results/latest)"
}
