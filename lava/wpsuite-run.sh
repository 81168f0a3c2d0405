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
#   wpsuite-run.sh [-s SERIES_HASH] [-c CONFIG_KEY] [-t quick|stress] [-f FILTER]
#
# -s/-c: the job's expectation (lava/wpsuite.yaml's parameters); a bundle
# built from another series or configuration is refused. Outside LAVA
# (no lava-test-case in PATH) results are printed as "<result> <case>".
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

while getopts s:c:t:f: opt; do
	case $opt in
	s) series=$OPTARG ;;
	c) config=$OPTARG ;;
	t) tier=$OPTARG ;;
	f) filter=$OPTARG ;;
	*) echo "usage: $0 [-s SERIES_HASH] [-c CONFIG_KEY] [-t quick|stress] [-f FILTER]" >&2
	   exit 2 ;;
	esac
done

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

report()
{
	if command -v lava-test-case >/dev/null; then
		lava-test-case "$(case_name "$2")" --result "$1"
	else
		echo "$1 $(case_name "$2")"
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

# --- 2. KUnit: what the boot printed ---------------------------------------
# The kernel log since boot holds the KTAP of the built-in suites; a suite
# the bundle was built with that did not report fails as a whole.
tmp=${TMPDIR:-/tmp}/wpsuite-run.$$
mkdir -p "$tmp"
if [ -z "${WPSUITE_MANIFEST:-}" ]; then
	dmesg >"$tmp/dmesg"
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
wps=${WPSUITE_WATCHPOINTS:-$(dmesg | sed -n 's/.*found [0-9]* breakpoint and \([0-9]*\) watchpoint registers.*/\1/p' | tail -n 1)}
wps=${wps:-0}

# Why the device cannot host collection $1 ("# wpsuite-needs: cpus=N
# watchpoints=N" in its settings), or nothing.
unmet()
{
	needs=$(sed -n 's/^# wpsuite-needs: *//p' "$ksft/$1/settings" 2>/dev/null)
	for need in $needs; do
		n=${need#*=}
		case "$need" in
		cpus=*) [ "$cpus" -ge "$n" ] || { echo "needs $n CPUs, the device has $cpus"; return; } ;;
		watchpoints=*) [ "$wps" -ge "$n" ] ||
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
awk -v mode=kselftest -f "$here/ktap-results.awk" "$tmp/kselftest" 2>/dev/null |
	while IFS='	' read -r r path; do
		report "$r" "$path"
	done
rm -rf "$tmp"
say "done"
