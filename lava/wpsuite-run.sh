#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The suite on a device that booted a wpsuite bundle (run_tests.sh bundle),
# under a LAVA test shell: check the bundle's manifest against what the job
# expects, report every KUnit result the boot printed and every kselftest
# result to LAVA with lava-test-case, and leave the same console the QEMU
# run leaves (wpsuite: markers and the runner's lines in the kernel log),
# so ktap-gate can judge the LAVA log as it judges that console.
#
#   wpsuite-run.sh [-m suite|bench] [-s SERIES_HASH] [-c CONFIG_KEY]
#                  [-t quick|stress] [-f FILTER]
#
# -s/-c: the job's expectation (lava/wpsuite.yaml's parameters); a bundle
# built from another series or configuration is refused. -m bench runs the
# benchmarks instead (tools/guest-bench, a bundle of the benchmark kernel:
# run_tests.sh bench --lava) and records each figure as a measurement.
# Outside LAVA (no lava-test-case in PATH) results are printed as
# "<result> <case>".
#
# Environment, for tests of this script: WPSUITE_MANIFEST (default
# /wpsuite/manifest), WPSUITE_KSELFTEST (/kselftest), WPSUITE_CPUS and
# WPSUITE_WATCHPOINTS (what the device has; default: counted).

here=$(cd "$(dirname "$0")" && pwd)
manifest=${WPSUITE_MANIFEST:-/wpsuite/manifest}
ksft=${WPSUITE_KSELFTEST:-/kselftest}
series=''
config=''
tier=quick
filter=''
mode=suite

while getopts m:s:c:t:f: opt; do
	case $opt in
	m) mode=$OPTARG ;;
	s) series=$OPTARG ;;
	c) config=$OPTARG ;;
	t) tier=$OPTARG ;;
	f) filter=$OPTARG ;;
	*) echo "usage: $0 [-m suite|bench] [-s SERIES_HASH] [-c CONFIG_KEY] [-t quick|stress] [-f FILTER]" >&2
	   exit 2 ;;
	esac
done
case "$mode" in
suite|bench) ;;
*) echo "wpsuite-run: -m $mode: suite or bench" >&2; exit 2 ;;
esac

say()
{
	if [ -w /dev/kmsg ]; then
		echo "wpsuite: $*" >/dev/kmsg
	else
		echo "wpsuite: $*"
	fi
}

# LAVA test case names are [-_.a-zA-Z0-9], at most 100 characters: a
# path's other bytes become '_', a longer name keeps 91 characters and
# gets '-' and 8 hex digits of its md5 (tools/lava.py's case_name()).
case_name()
{
	n=$(printf '%s' "$1" | tr -c 'a-zA-Z0-9._-' '_')
	if [ ${#n} -gt 100 ]; then
		n="$(printf '%s' "$n" | cut -c1-91)-$(printf '%s' "$n" | md5sum | cut -c1-8)"
	fi
	printf '%s' "$n"
}

# report RESULT PATH [MEASUREMENT]
report()
{
	if command -v lava-test-case >/dev/null; then
		lava-test-case "$(case_name "$2")" --result "$1" ${3:+--measurement "$3"}
	else
		echo "$1 $(case_name "$2")${3:+ $3}"
	fi
}

refuse()
{
	echo "wpsuite-run: REFUSED: $*" >&2
	say "refused: $*"
	report fail wpsuite.manifest
	if command -v lava-test-raise >/dev/null; then
		lava-test-raise "wpsuite bundle refused: $*"
	fi
	exit 1
}

value()
{
	sed -n "s/^$1=//p" "$manifest" | head -n 1
}

# --- 1. The bundle is the one the job was written for ---------------------
[ -r "$manifest" ] || refuse "no $manifest: this root file system is not a wpsuite bundle"
[ "$(value format)" = 1 ] || refuse "$manifest: unknown format '$(value format)' (this script reads format 1)"
if [ -n "$series" ] && [ "$(value series_hash)" != "$series" ]; then
	refuse "the bundle was built from patch series $(value series_hash) ($(value source)), the job expects series $series"
fi
if [ -n "$config" ] && [ "$(value config_key)" != "$config" ]; then
	refuse "the bundle was built from configuration $(value config_key) (variant '$(value variant)'), the job expects configuration $config"
fi
if [ -z "${WPSUITE_MANIFEST:-}" ]; then
	banner=$(value linux_banner)
	case "$(cat /proc/version)" in
	"$banner"*) ;;
	*) refuse "the running kernel is not the bundle's: /proc/version '$(cat /proc/version)', bundle '$banner'" ;;
	esac
fi
report pass wpsuite.manifest

tmp=${TMPDIR:-/tmp}/wpsuite-run.$$
mkdir -p "$tmp"

# --- Benchmarks: one "wpsuite-bench: key value" line per figure -----------
# guest-bench's copies in the kernel log are the console's; the figures are
# reported once it is done, so that no printk lands inside a LAVA signal.
if [ "$mode" = bench ]; then
	say "bench begin"
	WPSUITE_BENCH_STDOUT=1 "${WPSUITE_BENCH:-/bin/guest-bench}" >"$tmp/bench" 2>&1
	while read -r tag key value; do
		[ "$tag" = wpsuite-bench: ] || { echo "$tag $key $value"; continue; }
		if echo "$value" | grep -Eq '^-?[0-9]+(\.[0-9]+)?$'; then
			report pass "bench.$key" "$value"
		elif [ "$key" != end ] && [ "$key" != begin ]; then
			echo "bench.$key: $value"
			report pass "bench.$key"
		fi
	done <"$tmp/bench"
	if grep -q '^wpsuite-bench: end' "$tmp/bench"; then
		report pass bench
		rc=0
	else
		echo "wpsuite-run: the benchmarks did not finish (no 'wpsuite-bench: end'):" >&2
		tail -n 5 "$tmp/bench" >&2
		report fail bench
		rc=1
	fi
	rm -rf "$tmp"
	say "done"
	exit $rc
fi

# --- 2. KUnit: what the boot printed ---------------------------------------
# The kernel log since boot holds the KTAP of the built-in suites; a suite
# the bundle was built with that did not report fails as a whole.
# Up to /init's "kunit done": later lines are not the boot's (kmsg_tee'd
# kselftest results of an earlier run in this boot, say).
if [ -z "${WPSUITE_MANIFEST:-}" ]; then
	dmesg | sed '/wpsuite: kunit done/q' >"$tmp/dmesg"
else
	: >"$tmp/dmesg"
fi
awk -v mode=kunit -f "$here/ktap-results.awk" "$tmp/dmesg" >"$tmp/kunit"
for s in $(value kunit_suites); do
	case "$s" in *"$filter"*) ;; *) continue ;; esac
	grep -q "	$s\$" "$tmp/kunit" ||
		{ echo "wpsuite-run: KUnit suite $s printed no result" >&2; report fail "$s"; }
done
while IFS='	' read -r r path; do
	case "$path" in *"$filter"*) report "$r" "$path" ;; esac
done <"$tmp/kunit"

# --- 3. kselftests, each on a device that can host it ----------------------
cpus=${WPSUITE_CPUS:-$(grep -c '^processor' /proc/cpuinfo)}
wps=${WPSUITE_WATCHPOINTS-$(dmesg | sed -n 's/.*found [0-9]* breakpoint and \([0-9]*\) watchpoint registers.*/\1/p' | tail -n 1)}
# The kernel log may have wrapped on a chatty device: then nothing is
# skipped for want of watchpoints (the tests say what they lack).
[ -n "$wps" ] || echo "wpsuite-run: watchpoint count unknown (no 'hw-breakpoint: found' line in the kernel log)"

# Why the device cannot host collection $1 ("# wpsuite-needs: cpus=N
# watchpoints=N" in its settings), or nothing.
unmet()
{
	needs=$(sed -n 's/^# wpsuite-needs: *//p' "$ksft/$1/settings" 2>/dev/null)
	for need in $needs; do
		n=${need#*=}
		case "$need" in
		cpus=*) [ "$cpus" -ge "$n" ] || { echo "needs $n CPUs, the device has $cpus"; return; } ;;
		watchpoints=*) [ -z "$wps" ] || [ "$wps" -ge "$n" ] ||
			{ echo "needs $n watchpoint registers, the device has $wps"; return; } ;;
		esac
	done
}

export WPSUITE_TIER="$tier"
# Runner arguments, "-t COLLECTION:TEST" each (no test name has a space).
args=''
# shellcheck disable=SC2013
for t in $(grep -F -- "$filter" "$ksft/kselftest-list.txt"); do
	why=$(unmet "${t%%:*}")
	if [ -n "$why" ]; then
		echo "wpsuite-run: $t skipped: $why"
		say "skip $t: $why"
		report skip "$t"
	else
		args="$args -t $t"
	fi
done
say "tier $tier"
say "kselftest begin"
if [ -n "$args" ]; then
	# Through the kernel log, as /init does: one ordered stream with the
	# kernel's own messages (tools/kmsg_tee.c).
	if [ -w /dev/kmsg ] && command -v kmsg_tee >/dev/null; then
		# shellcheck disable=SC2086 # one word per argument
		"$ksft/run_kselftest.sh" $args 2>&1 | tee "$tmp/kselftest" | kmsg_tee
	else
		# shellcheck disable=SC2086 # one word per argument
		"$ksft/run_kselftest.sh" $args 2>&1 | tee "$tmp/kselftest"
	fi
fi
say "kselftest end"
awk -v mode=kselftest -f "$here/ktap-results.awk" "$tmp/kselftest" >"$tmp/results" 2>/dev/null
while IFS='	' read -r r path; do
	report "$r" "$path"
done <"$tmp/results"
# A test the runner never reported on (the device went down, the runner
# was killed) failed.
for t in $args; do
	[ "$t" = -t ] && continue
	grep -q "	$t\$" "$tmp/results" ||
		{ echo "wpsuite-run: $t reported no result" >&2; report fail "$t"; }
done

# DEBUG_KMEMLEAK, when on (kmemleak=on: the stress tier), as /init does:
# each report line into the kernel log, where the gate reads it.
if [ -w /sys/kernel/debug/kmemleak ]; then
	say "kmemleak scan"
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	sed 's/^/kmemleak: /' /sys/kernel/debug/kmemleak | kmsg_tee
	say "kmemleak end"
fi
rm -rf "$tmp"
say "done"
