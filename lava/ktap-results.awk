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
# test's own results come before the runner's line for it; a result its
# plan ("1..N") promised and that never came is reported failed, under the
# gate's name for it. A test the runner never reported on is the caller's
# to report (lava/wpsuite-run.sh).

# A result line, judged as the gate judges it (classify_result(),
# parse_directive(), status_of() and display_name() in
# userspace-tests/src/ktap_parser.cc): sets R to pass, fail or skip (an
# XFAIL counts as a pass, as in the gate) and NAME to the test's name, cut
# at the gate's 256 bytes; with no name, the directive's text, or "#N".
function parse(line,    ok, number, rest, i, hash, text, comment, word, d)
{
	ok = line !~ /^not ok/
	sub(/^(not )?ok[ \t]+/, "", line)
	number = line
	sub(/[^0-9].*$/, "", number)
	rest = substr(line, length(number) + 1)
	sub(/^[ \t]+/, "", rest)
	if (substr(rest, 1, 2) == "- ")
		sub(/^- [ \t]*/, "", rest)
	else if (rest == "-")
		rest = ""
	hash = 0
	for (i = 1; i <= length(rest); i++) {
		if (substr(rest, i, 1) == "#" && (i == 1 || substr(rest, i - 1, 1) ~ /[ \t]/)) {
			hash = i
			break
		}
	}
	text = hash ? substr(rest, 1, hash - 1) : rest
	sub(/[ \t]+$/, "", text)
	d = ""
	comment = ""
	if (hash) {
		comment = substr(rest, hash + 1)
		sub(/^[ \t]+/, "", comment)
		sub(/[ \t]+$/, "", comment)
		word = comment
		sub(/[ \t].*$/, "", word)
		sub(/:+$/, "", word)
		word = toupper(word)
		if (word ~ /^SKIP/) d = "skip"
		else if (word ~ /^TODO/) d = "todo"
		else if (word == "XFAIL") d = "xfail"
		else if (word == "XPASS" || word == "TIMEOUT" || word == "ERROR") d = "other"
		if (d != "") {
			comment = substr(comment, index(comment, " ") ? index(comment, " ") : length(comment) + 1)
			sub(/^[ \t]+/, "", comment)
		}
	}
	if (d == "skip") R = "skip"
	else if (d == "todo" || d == "xfail") R = "pass"
	else R = ok ? "pass" : "fail"
	if (d == "xfail" && !ok)
		R = "fail"
	if (length(text) > 256)
		text = substr(text, 1, 256) "... [" (length(text) - 256) " bytes cut]"
	NAME = text != "" ? text : (d != "" && comment != "" ? comment : "#" number)
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
	if (depth == 0 || !kids[depth + 1]) {
		parse(body)
		emit(R, path NAME)
	}
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
		plan = 0
		got = 0
		doc = 0
		next
	}
	# The test's own results count once its KTAP/TAP header came.
	if (line ~ /^# K?TAP version [0-9]+/ && parent != "") {
		doc = 1
		next
	}
	if (line ~ /^# 1\.\.[0-9]+/ && parent != "") {
		plan = substr(line, 6) + 0
		next
	}
	if (line ~ /^# (not )?ok [0-9]+/ && parent != "" && doc) {
		parse(substr(line, 3))
		emit(R, parent "." NAME)
		got++
		next
	}
	if (line ~ /^(not )?ok [0-9]+ selftests: /) {
		# Planned results that never came: the gate's "<missing #N>",
		# numbered after the ones that did.
		for (k = got + 1; parent != "" && k <= plan; k++)
			emit("fail", parent ".<missing #" k ">")
		parse(line)
		t = NAME
		sub(/^selftests: /, "", t)
		n = index(t, ": ")
		emit(R, substr(t, 1, n - 1) ":" substr(t, n + 2))
		parent = ""
	}
}
