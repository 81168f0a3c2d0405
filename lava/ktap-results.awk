# SPDX-License-Identifier: GPL-2.0
#
# The results of KTAP/TAP text, one per line, "pass|fail|skip<TAB>path":
# every suite (KUnit) or test (kselftest) as a whole, and every test case
# in it (for a parameterized KUnit case, each parameter).
# Paths are the gate's (userspace-tests/README.md, "Names"): KUnit
# "suite.case[.param]", kselftest "collection:test[.case]".
#
#   dmesg | awk -v mode=kunit -f ktap-results.awk
#   awk -v mode=kselftest -f ktap-results.awk runner-output.txt
#
# mode=kunit reads the kernel log: printk timestamps are dropped, nesting
# is the indentation (four spaces a level). mode=kselftest reads what
# run_kselftest.sh prints: the runner's "# " prefix is the nesting, and a
# test's own results come before the runner's line for it. A test whose
# result line never came is not reported here; the caller compares what
# was reported with what was planned.

function result(line,    r)
{
	r = line ~ /^not ok / ? "fail" : "pass"
	if (line ~ / # *(SKIP|skip)/)
		r = "skip"
	return r
}

# "ok 3 name # SKIP why" -> "name"; with no name, as the gate names it
# (display_name() in userspace-tests/src/ktap_parser.cc): "ok 3 # SKIP why"
# -> "why", "ok 3" -> "#3".
function name_of(line,    number)
{
	number = line
	sub(/^(not )?ok /, "", number)
	sub(/[^0-9].*$/, "", number)
	sub(/^(not )?ok [0-9]+ ?(- )?/, "", line)
	if (line ~ /^# */) {
		sub(/^# *[A-Za-z]+ */, "", line)
		sub(/ +$/, "", line)
		return line == "" ? "#" number : line
	}
	sub(/ # .*$/, "", line)
	sub(/ +$/, "", line)
	return line == "" ? "#" number : line
}

function emit(r, path)
{
	printf "%s\t%s\n", r, path
}

mode == "kunit" {
	line = $0
	sub(/^\[ *[0-9]+\.[0-9]+\] /, "", line)
	sub(/\r$/, "", line)
	match(line, /^ */)
	depth = int(RLENGTH / 4)
	body = substr(line, RLENGTH + 1)
	if (body ~ /^# Subtest: /) {
		sub(/^# Subtest: /, "", body)
		sub_name[depth] = body
		kids[depth] = 0
		next
	}
	if (body !~ /^(not )?ok [0-9]+/)
		next
	path = ""
	for (i = 1; i <= depth; i++)
		path = path sub_name[i] "."
	# A parameterized test's own line only sums up its parameters:
	# report the parameters (the gate's tests) and the suites.
	if (depth == 0 || !kids[depth + 1])
		emit(result(body), path name_of(body))
	kids[depth + 1] = 0
	kids[depth] = 1
	next
}

mode == "kselftest" {
	line = $0
	sub(/\r$/, "", line)
	if (line ~ /^# selftests: /) {
		# "# selftests: breakpoints: breakpoint_test_arm64"
		t = line
		sub(/^# selftests: /, "", t)
		n = index(t, ": ")
		parent = substr(t, 1, n - 1) ":" substr(t, n + 2)
		next
	}
	if (line ~ /^# (not )?ok [0-9]+/ && parent != "") {
		body = substr(line, 3)
		emit(result(body), parent "." name_of(body))
		next
	}
	if (line ~ /^(not )?ok [0-9]+ selftests: /) {
		t = name_of(line)
		sub(/^selftests: /, "", t)
		n = index(t, ": ")
		emit(result(line), substr(t, 1, n - 1) ":" substr(t, n + 2))
		parent = ""
	}
}
