#!/bin/bash
# Runs the ktap-gate libFuzzer target for a bounded time.
#
# usage: tools/fuzz-gate.sh BUILD_DIR RESULTS_DIR KUNIT_TEST_DATA [SECONDS]
#
#   BUILD_DIR        a build tree of its own (clang, -DWPSUITE_FUZZ=ON)
#   RESULTS_DIR      gets fuzz.log and any reproducer (crash-*, timeout-*,
#                    oom-*, leak-*)
#   KUNIT_TEST_DATA  kunit_tool's tools/testing/kunit/test_data: seeds, with
#                    userspace-tests/testdata
#   SECONDS          the fuzzing budget (default 60)
#
# Installs clang with apt-get when it is missing and we are root. Prints one
# result line, "fuzz-gate: OK runs=N cov=N ft=N time=Ns" from libFuzzer's
# final "#N DONE cov: N ft: N" line, or "fuzz-gate: FAILED ...".
# Exit status: 0 nothing found, 1 a crash, timeout or OOM (its reproducer is
# in RESULTS_DIR), 2 usage or setup error.
set -euo pipefail

RSS_LIMIT_MB=512 # one input may take at most this much memory ...
UNIT_TIMEOUT=10  # ... and this many seconds

die()
{
	echo "fuzz-gate: $*" >&2
	exit 2
}

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
	die "usage: $0 BUILD_DIR RESULTS_DIR KUNIT_TEST_DATA [SECONDS]"
fi
build=$1
results=$2
kunit_data=$3
budget=${4:-60}
case "$budget" in
'' | *[!0-9]*) die "SECONDS must be a number, got '$budget'" ;;
esac
[ -d "$kunit_data" ] || die "no kunit_tool test data at $kunit_data"
repo=$(cd "$(dirname "$0")/.." && pwd)

if ! command -v clang++ >/dev/null; then
	[ "$(id -u)" = 0 ] || die "clang++ is missing (apt-get install clang, as root)"
	echo "fuzz-gate: installing clang" >&2
	apt-get install -y clang >/dev/null ||
		{ apt-get update >/dev/null && apt-get install -y clang >/dev/null; } ||
		die "apt-get install clang failed"
fi

mkdir -p "$build" "$results"
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DCMAKE_CXX_COMPILER=clang++ -DWPSUITE_FUZZ=ON -DKERNEL_SRC= \
	>"$build/fuzz-cmake.log" 2>&1 ||
	{ tail -20 "$build/fuzz-cmake.log" >&2; die "cmake failed"; }
cmake --build "$build" --target ktap-gate-fuzz -j2 >"$build/fuzz-build.log" 2>&1 ||
	{ tail -40 "$build/fuzz-build.log" >&2; die "ktap-gate-fuzz does not build"; }

# A fresh corpus from the seeds each run, so that a run's result depends on
# the tree and the budget only; libFuzzer adds what it finds to it.
corpus=$build/fuzz-corpus
artifacts=$build/fuzz-artifacts
rm -rf "$corpus" "$artifacts"
mkdir -p "$corpus" "$artifacts"
cp "$repo"/userspace-tests/testdata/*.log "$kunit_data"/*.log "$corpus"/
rm -f "$results"/crash-* "$results"/timeout-* "$results"/oom-* "$results"/leak-*

set +e
"$build/userspace-tests/ktap-gate-fuzz" -max_total_time="$budget" \
	-rss_limit_mb="$RSS_LIMIT_MB" -timeout="$UNIT_TIMEOUT" \
	-artifact_prefix="$artifacts/" -print_final_stats=1 "$corpus" \
	>"$results/fuzz.log" 2>&1
rc=$?
set -e

found=()
for f in "$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/leak-*; do
	[ -e "$f" ] || continue
	cp "$f" "$results"/
	found+=("$results/$(basename "$f")")
done

done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE ' "$results/fuzz.log" | tail -1 || true)
if [ "$rc" -eq 0 ] && [ ${#found[@]} -eq 0 ] && [ -n "$done_line" ]; then
	echo "$done_line" | sed -E 's/^#([0-9]+)[[:space:]]+DONE[[:space:]]+cov: ([0-9]+) ft: ([0-9]+).*/fuzz-gate: OK runs=\1 cov=\2 ft=\3/' |
		tr -d '\n'
	echo " time=${budget}s corpus=$(find "$corpus" -type f | wc -l)"
	exit 0
fi

what=$(grep -m1 -oE 'ERROR: libFuzzer: [A-Za-z-]+|ERROR: AddressSanitizer: [A-Za-z-]+( on [a-z ]+)?|ERROR: LeakSanitizer: [a-z ]+|SUMMARY: UndefinedBehaviorSanitizer: [A-Za-z-]+|runtime error: .*' \
	"$results/fuzz.log" || echo "exit $rc")
echo "fuzz-gate: FAILED ($what) reproducer: ${found[*]:-none}; log: $results/fuzz.log"
[ ${#found[@]} -eq 0 ] || echo "fuzz-gate: replay with: $build/userspace-tests/ktap-gate-fuzz ${found[0]}"
exit 1
