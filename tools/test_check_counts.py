#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tools/check_counts.py: what check counts, on small fixtures."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_counts  # noqa: E402

JUNIT = """<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="x" tests="6" failures="1" disabled="1" skipped="3">
  <testcase name="ok" classname="ok" time="0.1" status="run"><system-out></system-out></testcase>
  <testcase name="bad" classname="bad" time="0.1" status="fail"><failure message=""/></testcase>
  <testcase name="skip" classname="skip" time="0" status="notrun">
    <skipped message="SKIP_RETURN_CODE=77"/></testcase>
  <testcase name="skipre" classname="skipre" time="0" status="notrun">
    <skipped message="SKIP_REGULAR_EXPRESSION_MATCHED"/></testcase>
  <testcase name="nobin" classname="nobin" time="0" status="notrun">
    <skipped message="Unable to find executable"/></testcase>
  <testcase name="off" classname="off" time="0" status="disabled"><skipped message="Disabled"/></testcase>
</testsuite>
"""


class Ctest(unittest.TestCase):
    def counts(self, text):
        with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
            f.write(text)
        try:
            return check_counts.ctest_counts(f.name)
        finally:
            os.unlink(f.name)

    def test_statuses(self):
        # ok passes; bad and the test that could not run fail; the skips
        # a test asked for and the disabled one count as neither.
        self.assertEqual(self.counts(JUNIT), (1, 2))

    def test_empty_or_unreadable_is_a_failure(self):
        self.assertEqual(self.counts('<testsuite name="x" tests="0"></testsuite>'), (0, 1))
        self.assertEqual(self.counts("not xml"), (0, 1))
        self.assertEqual(check_counts.ctest_counts("/nonexistent/ctest.xml"), (0, 1))


class Run(unittest.TestCase):
    def test_leaves_and_known_failures(self):
        doc = {"suites": [
            {"id": "a", "status": "PASS", "tests": [
                {"path": "a.1", "status": "PASS"},
                {"path": "a.2", "status": "FAIL", "known_failure": True},
                {"path": "a.3", "status": "SKIP"},
                {"path": "a.4", "status": "CRASHED"}]},
            {"id": "b", "status": "FAIL", "tests": [
                {"path": "b.1", "status": "FAIL", "subtests": [
                    {"path": "b.1.1", "status": "TIMEOUT"},
                    {"path": "b.1.2", "status": "PASS"}]}]},
            {"id": "c", "status": "ERROR"}]}
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(doc, f)
        try:
            self.assertEqual(check_counts.run_counts(f.name), (3, 3))
        finally:
            os.unlink(f.name)

    def test_unreadable_is_a_failure(self):
        self.assertEqual(check_counts.run_counts("/nonexistent/results.json"), (0, 1))


class Peers(unittest.TestCase):
    def run_dir(self, d, kernel, tests):
        os.makedirs(d)
        with open(os.path.join(d, "kernel-id"), "w") as f:
            f.write(kernel + "\n")
        with open(os.path.join(d, "results.json"), "w") as f:
            json.dump({"suites": [{"id": "hw_breakpoint", "status": "PASS", "tests": [
                {"path": p, "status": s} for p, s in tests]}]}, f)

    def peers(self, before, after, kernels=("up", "series")):
        with tempfile.TemporaryDirectory() as d:
            self.run_dir(os.path.join(d, "a"), kernels[0], before)
            self.run_dir(os.path.join(d, "b"), kernels[1], after)
            return subprocess.run([sys.executable, check_counts.__file__, "peers",
                                   os.path.join(d, "a"), os.path.join(d, "b")],
                                  capture_output=True, text=True).returncode

    def test_same(self):
        t = [("hw_breakpoint.t1", "PASS"), ("hw_breakpoint.t2", "FAIL")]
        self.assertEqual(self.peers(t, t), 0)

    def test_changed(self):
        self.assertEqual(self.peers([("hw_breakpoint.t1", "PASS")],
                                    [("hw_breakpoint.t1", "FAIL")]), 1)

    def test_same_kernel_compares_nothing(self):
        t = [("hw_breakpoint.t1", "PASS")]
        self.assertEqual(self.peers(t, t, kernels=("k", "k")), 1)


if __name__ == "__main__":
    unittest.main()
