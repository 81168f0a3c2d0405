# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The suite as a LAVA job under lava-run (lava/README.md), and
# check's LAVA steps.
#
# Sourced by run_tests.sh; its options and state are globals. Besides
# the options and what earlier steps set, this file
# sets:   OUTDIR CONSOLE GUEST_RC GUEST_TIMED_OUT LAVA_RC BUNDLE; check_lava(): CHECK_PASS
#         CHECK_FAIL

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
		step "lava control: ok (refused: $(grep -m1 -o 'REFUSED: .*' "$OUTDIR/console.log" | cut -c1-200); $OUTDIR)"
		CHECK_PASS=$((CHECK_PASS + 1))
	else
		step "lava control: NOT OK (the bundle was not refused; $OUTDIR, $RESULTS/lava-refusal.log)"
		CHECK_FAIL=$((CHECK_FAIL + 1))
	fi
}
