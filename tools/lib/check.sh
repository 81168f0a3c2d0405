# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# ./run_tests.sh check: ctest, fuzz, the gate's negative controls, the
# upstream peers, both tiers, the variants, the LAVA job; "N passed, N
# failed".
#
# Sourced by run_tests.sh; its options and state are globals. Besides
# the options and what earlier steps set, this file
# sets:   CHECK_PASS CHECK_FAIL OUTDIR BASELINE GATE_RC PACKAGES; isolated runs set
#         RESULTS, TIER, VARIANT, SERIES, PEERS_ONLY, INJECT, RUN_KUNIT,
#         RUN_KSELFTEST, TIMEOUT in their own subshell

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

check()
{
	local passed failed rc

	CHECK_PASS=0
	CHECK_FAIL=0
	PACKAGES+=" shellcheck"	# the shellcheck CTest
	prepare
	build_gate

	step "ctest: C++ unit tests, kunit.py parity, checkpatch, shellcheck"
	mkdir -p "$RESULTS"
	rc=0
	ctest --test-dir "$GATE_BUILD" -j"$JOBS" --output-on-failure \
		--output-junit "$RESULTS/ctest.xml" >"$RESULTS/ctest.log" 2>&1 || rc=$?
	grep -E '^(1?[0-9]+% tests passed|The following tests (FAILED|did not run)|\s+[0-9]+ - )' \
		"$RESULTS/ctest.log" || tail -20 "$RESULTS/ctest.log"
	read -r passed failed < <(python3 "$REPO/tools/check_counts.py" ctest "$RESULTS/ctest.xml")
	# ctest's own verdict too: a red ctest is never "0 failed".
	[ "$rc" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
	step "ctest: $passed passed, $failed failed ($RESULTS/ctest.xml)"
	CHECK_PASS=$((CHECK_PASS + passed))
	CHECK_FAIL=$((CHECK_FAIL + failed))

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
	if python3 "$REPO/tools/check_counts.py" peers "$BASELINE" "$OUTDIR" | tee "$OUTDIR/peers.txt"; then
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
	read -r passed failed < <(python3 "$REPO/tools/check_counts.py" run "$OUTDIR/results.json")
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
