#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What ./run_tests.sh check counts, from the files its steps write.

  check_counts.py run RESULTS_JSON     "passed failed" over the leaf tests of
                                       a gated run (a known failure that
                                       failed as expected counts as passed,
                                       the way the gate judged it)
  check_counts.py ctest JUNIT_XML      "passed failed" from ctest --output-junit
  check_counts.py peers BEFORE AFTER   upstream's suites on the unpatched
                                       kernel's run and on the series' run
                                       (directories with results.json and
                                       kernel-id): every test must have the
                                       same status in both

A file that cannot be read counts as one failure ("0 1"), never as a pass.
Exit status: 0, or 1 when peers differ; 2 on a usage error.
"""
import json
import sys
import xml.etree.ElementTree as ET


def leaves(node):
    kids = node.get("tests") or node.get("subtests") or []
    if not kids:
        yield node
    for kid in kids:
        yield from leaves(kid)


def run_counts(path):
    try:
        with open(path) as f:
            suites = json.load(f)["suites"]
    except (OSError, ValueError, KeyError, TypeError):
        return 0, 1
    passed = failed = 0
    for suite in suites:
        for t in leaves(suite):
            status = t.get("status")
            if status == "PASS" or (status == "FAIL" and t.get("known_failure")):
                passed += 1
            elif status in ("FAIL", "CRASHED", "ERROR", "TIMEOUT"):
                failed += 1
    return passed, failed


def ctest_counts(path):
    """ctest's JUnit (CMake 3.21+): a <testcase> with status="run" passed,
    "fail" (or a <failure>) failed. "notrun" is a skip only when the test
    asked for it (its <skipped> message starts with SKIP_: SKIP_RETURN_CODE,
    SKIP_REGULAR_EXPRESSION); otherwise it could not run (no executable,
    a required file or fixture missing), which ctest counts as failed, and
    so does this. "disabled" is neither. No test case at all is a failure."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return 0, 1
    passed = failed = 0
    for case in root.iter("testcase"):
        status = case.get("status", "run")
        skipped = case.find("skipped")
        if status == "fail" or case.find("failure") is not None:
            failed += 1
        elif status == "run":
            passed += 1
        elif status == "notrun" and not (skipped is not None and
                                         skipped.get("message", "").startswith("SKIP_")):
            failed += 1
    if passed + failed == 0:
        failed = 1
    return passed, failed


def peer_tests(run):
    tests = {}
    with open(f"{run}/results.json") as f:
        suites = json.load(f)["suites"]
    for suite in suites:
        if suite["id"] == "hw_breakpoint" or suite["id"].startswith("breakpoints:"):
            for t in suite.get("tests") or [{"path": suite["id"], "status": suite["status"]}]:
                tests[t["path"]] = t["status"]
    return tests


def peers(before_dir, after_dir):
    try:
        kernels = []
        for run in (before_dir, after_dir):
            with open(f"{run}/kernel-id") as f:
                kernels.append(f.read().strip())
        before, after = peer_tests(before_dir), peer_tests(after_dir)
    except (OSError, ValueError, KeyError) as e:
        print(f"peers: cannot compare: {e}")
        return 1
    print(f"upstream: {kernels[0]} ({before_dir})")
    print(f"series:   {kernels[1]} ({after_dir})")
    if kernels[0] == kernels[1]:
        print("peers: both runs used the same kernel; nothing was compared")
        return 1

    def count(tests, status):
        return sum(1 for s in tests.values() if s == status)

    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    print(f"{'peer tests':<28}{'upstream':>10}{'series':>10}")
    for status in ("PASS", "FAIL", "SKIP"):
        print(f"{status:<28}{count(before, status):>10}{count(after, status):>10}")
    for p in changed:
        print(f"  changed: {p}: {before.get(p, 'absent')} -> {after.get(p, 'absent')}")
    print(f"peers: {len(before)} tests, {len(changed)} changed")
    return 1 if changed or not before else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "run":
        print(*run_counts(argv[2]))
        return 0
    if len(argv) == 3 and argv[1] == "ctest":
        print(*ctest_counts(argv[2]))
        return 0
    if len(argv) == 4 and argv[1] == "peers":
        return peers(argv[2], argv[3])
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
