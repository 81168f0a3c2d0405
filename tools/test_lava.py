#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""CTests of the LAVA job's pieces that run without a guest (lava_*):
lava/wpsuite-run.sh's manifest check and device skips, its case names and
lava/ktap-results.awk against ktap-gate on the gate's own test logs,
tools/lava.py's bundle check, job rendering and log reading.

  test_lava.py CLASS     (CTest passes WPSUITE_KTAP_GATE: the ktap-gate binary)
"""

import io
import re
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import lava  # noqa: E402

RUN = os.path.join(REPO, "lava", "wpsuite-run.sh")
AWK = os.path.join(REPO, "lava", "ktap-results.awk")
TESTDATA = os.path.join(REPO, "userspace-tests", "testdata")

MANIFEST = """# test
format=1
source=debian-6.1.192-3-aaaaaaaaaaaa
kernel_release=6.1.192
linux_banner=Linux version 6.1.192 (test) #1 SMP PREEMPT
series=all
series_hash=aaaaaaaaaaaa
config_key=bbbbbbbbbbbb
variant=
kunit_suites=
"""


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


class Device(unittest.TestCase):
    """wpsuite-run.sh on a fake device: a manifest and a kselftest tree."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        d = self.tmp.name
        self.manifest = os.path.join(d, "manifest")
        write(self.manifest, MANIFEST)
        self.ksft = os.path.join(d, "kselftest")
        write(os.path.join(self.ksft, "kselftest-list.txt"), "wp:wp_test\nplain:plain_test\n")
        write(os.path.join(self.ksft, "wp", "settings"),
              "# wpsuite-needs: watchpoints=1 cpus=2\ntimeout=30\n")
        write(os.path.join(self.ksft, "plain", "settings"), "timeout=10\n")
        # The runner: prints what it was asked to run, as kselftest would.
        write(os.path.join(self.ksft, "run_kselftest.sh"),
              "#!/bin/sh\nn=0\nwhile [ $# -gt 0 ]; do shift; n=$((n+1))\n"
              "[ \"$1\" = \"$WPSUITE_TEST_HANG\" ] && exit 1\n"
              "echo \"# selftests: ${1%%:*}: ${1#*:}\"\necho '# TAP version 13'\necho '# 1..1'\n"
              "echo \"# ok 1 case one\"\n"
              "echo \"ok $n selftests: ${1%%:*}: ${1#*:}\"\nshift; done\n", 0o755)

    def tearDown(self):
        self.tmp.cleanup()

    def run_script(self, *args, **env):
        e = dict(os.environ, WPSUITE_MANIFEST=self.manifest, WPSUITE_KSELFTEST=self.ksft,
                 WPSUITE_CPUS="4", WPSUITE_WATCHPOINTS="4", TMPDIR=self.tmp.name)
        e.update(env)
        return subprocess.run(["sh", RUN, *args], capture_output=True, text=True, env=e,
                              timeout=60)

    def test_matching_bundle_runs(self):
        r = self.run_script("-s", "aaaaaaaaaaaa", "-c", "bbbbbbbbbbbb")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("pass wpsuite.manifest", r.stdout)
        self.assertIn("pass wp_wp_test.case_one", r.stdout)
        self.assertIn("pass plain_plain_test", r.stdout)

    def test_other_series_refused(self):
        r = self.run_script("-s", "cccccccccccc", "-c", "bbbbbbbbbbbb")
        self.assertEqual(r.returncode, 1)
        self.assertIn("REFUSED: the bundle was built from patch series aaaaaaaaaaaa", r.stderr)
        self.assertIn("the job expects series cccccccccccc", r.stderr)
        self.assertIn("fail wpsuite.manifest", r.stdout)
        self.assertNotIn("plain_plain_test", r.stdout)

    def test_other_config_refused(self):
        r = self.run_script("-c", "dddddddddddd")
        self.assertEqual(r.returncode, 1)
        self.assertIn("configuration bbbbbbbbbbbb", r.stderr)
        self.assertIn("the job expects configuration dddddddddddd", r.stderr)

    def test_not_a_bundle_refused(self):
        r = self.run_script(WPSUITE_MANIFEST=os.path.join(self.tmp.name, "absent"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("not a wpsuite bundle", r.stderr)

    def test_unknown_format_refused(self):
        write(self.manifest, MANIFEST.replace("format=1", "format=7"))
        r = self.run_script()
        self.assertEqual(r.returncode, 1)
        self.assertIn("unknown format '7'", r.stderr)

    def test_no_watchpoints_skips_with_reason(self):
        r = self.run_script(WPSUITE_WATCHPOINTS="0")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("wp:wp_test skipped: needs 1 watchpoint registers, the device has 0",
                      r.stdout)
        self.assertIn("skip wp_wp_test", r.stdout)
        self.assertNotIn("wp_wp_test.case_one", r.stdout)
        self.assertIn("pass plain_plain_test", r.stdout)

    def test_too_few_cpus_skips_with_reason(self):
        r = self.run_script(WPSUITE_CPUS="1")
        self.assertIn("needs 2 CPUs, the device has 1", r.stdout)
        self.assertIn("skip wp_wp_test", r.stdout)

    def test_unknown_watchpoint_count_skips_nothing(self):
        r = self.run_script(WPSUITE_WATCHPOINTS="")
        self.assertIn("watchpoint count unknown", r.stdout)
        self.assertIn("pass wp_wp_test.case_one", r.stdout)

    def test_test_without_result_fails(self):
        # The runner dies before the second test says anything.
        r = self.run_script(WPSUITE_TEST_HANG="plain:plain_test")
        self.assertIn("pass wp_wp_test", r.stdout)
        self.assertIn("fail plain_plain_test", r.stdout)
        self.assertIn("plain:plain_test reported no result", r.stderr)

    def bench(self, lines):
        bench = os.path.join(self.tmp.name, "guest-bench")
        write(bench, "#!/bin/sh\n" + "".join(f"echo '{l}'\n" for l in lines), 0o755)
        return self.run_script("-m", "bench", WPSUITE_BENCH=bench)

    def test_bench_figures_are_measurements(self):
        r = self.bench(["wpsuite-bench: begin", "wpsuite-bench: call.direct_ns 14.5",
                        "wpsuite-bench: move.max_us -", "insmod: noise",
                        "wpsuite-bench: period.20.overruns 0", "wpsuite-bench: end"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("pass bench.call.direct_ns 14.5", r.stdout)
        self.assertIn("pass bench.period.20.overruns 0", r.stdout)
        self.assertIn("pass bench.move.max_us\n", r.stdout)   # not a number: no measurement
        self.assertIn("pass bench\n", r.stdout)
        self.assertNotIn("wp_wp_test", r.stdout)             # no kselftests in bench mode

    def test_bench_that_did_not_finish_fails(self):
        r = self.bench(["wpsuite-bench: begin", "wpsuite-bench: call.direct_ns 14.5"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("fail bench\n", r.stdout)
        self.assertIn("did not finish", r.stderr)

    def test_bad_option(self):
        r = self.run_script("-x")
        self.assertEqual(r.returncode, 2)
        self.assertIn("usage:", r.stderr)


class CaseNames(unittest.TestCase):
    """The shell's and Python's case names are one function."""

    NAMES = ["hw_breakpoint.test_one_cpu", "wpsuite/guard:guard_test.str write (report): 1",
             "a" * 100, "b" * 101, "x=y z\t\u00e9/" * 20, "..--__", ""]

    def test_same_in_both(self):
        fn = subprocess.run(["sed", "-n", "/^case_name()/,/^}/p", RUN], capture_output=True,
                            text=True, check=True).stdout
        for name in self.NAMES:
            sh = subprocess.run(["sh", "-c", fn + '\ncase_name "$1"', "sh", name],
                                capture_output=True, text=True, check=True).stdout
            self.assertEqual(sh, lava.case_name(name), name)
            self.assertRegex(lava.case_name(name) or "-", r"^[-_.a-zA-Z0-9]{1,100}$")

    def test_long_names_stay_distinct(self):
        a, b = lava.case_name("c" * 120 + "1"), lava.case_name("c" * 120 + "2")
        self.assertNotEqual(a, b)
        self.assertEqual(len(a), 100)


class Parser(unittest.TestCase):
    """ktap-results.awk reports what ktap-gate finds in the same log."""

    def gate_results(self, log, out):
        gate = os.environ.get("WPSUITE_KTAP_GATE")
        if not gate:
            self.skipTest("WPSUITE_KTAP_GATE not set")
        subprocess.run([gate, "--console", log, "--out", out], capture_output=True, timeout=60)
        return os.path.join(out, "results.json")

    def awk_cases(self, log):
        with open(log, errors="replace") as f:
            lines = f.read().splitlines()
        cut = next((i for i, l in enumerate(lines) if "wpsuite: kunit done" in l), len(lines))
        strip = [re.sub(r"^\[ *[0-9]+\.[0-9]+\] ", "", l) for l in lines[cut:]]
        cases = []
        for mode, text in (("kunit", lines[:cut]), ("kselftest", strip)):
            out = subprocess.run(["awk", "-v", f"mode={mode}", "-f", AWK],
                                 input="\n".join(text) + "\n", capture_output=True, text=True,
                                 check=True).stdout
            for line in out.splitlines():
                result, path = line.split("\t", 1)
                cases.append({"case": lava.case_name(path), "result": result})
        return cases

    def test_green_run(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(TESTDATA, "green_run.log")
            results = self.gate_results(log, d)
            cases = self.awk_cases(log)
            self.assertGreater(len(cases), 10)
            with open(os.path.join(d, "lava.json"), "w") as f:
                json.dump({"cases": cases}, f)
            self.assertEqual(lava.compare_gate(os.path.join(d, "lava.json"), results), 0)
            # ... and a result LAVA got wrong is found.
            cases[3]["result"] = "fail" if cases[3]["result"] != "fail" else "pass"
            with open(os.path.join(d, "lava.json"), "w") as f:
                json.dump({"cases": cases}, f)
            self.assertEqual(lava.compare_gate(os.path.join(d, "lava.json"), results), 1)

    def test_edge_lines_as_the_gate(self):
        kunit = ["KTAP version 1", "1..1", "    KTAP version 1", "    # Subtest: edge", "    1..8",
                 "    ok 1 a # Skip: lower case", "    ok 2 b # SKIPPED why", "    ok 3 c #nospace",
                 "    ok 4 d # XFAIL known", "    not ok 5 f # XFAIL broken", "    ok 6 # SKIP no name",
                 "    ok 7 " + "x" * 300, "    not ok 8 e # TODO later", "not ok 1 edge"]
        ksft = ["TAP version 13", "1..2", "# selftests: c: t", "# TAP version 13", "# 1..4", "# ok 1 a", "# not ok 3 b",
                "ok 1 selftests: c: t", "# selftests: c: u", "# ok 1 # SKIP", "ok 2 selftests: c: u"]
        lines = [f"[    0.{i:06d}] {l}" for i, l in enumerate(kunit)]
        lines.append("[    1.000000] wpsuite: kunit done")
        lines += [f"[    2.{i:06d}] {l}" for i, l in enumerate(ksft)]
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "console.log")
            write(log, "\n".join(lines) + "\n")
            results = self.gate_results(log, d)
            cases = self.awk_cases(log)
            with open(os.path.join(d, "lava.json"), "w") as f:
                json.dump({"cases": cases}, f)
            self.assertEqual(lava.compare_gate(os.path.join(d, "lava.json"), results), 0)
            names = [c["case"] for c in cases]
            self.assertIn("c_t._missing__3_", names)
            self.assertIn("edge.no_name", names)

    def test_skip_and_failure_directives(self):
        text = ("KTAP version 1\n1..1\n    # Subtest: s\n    1..3\n    ok 1 a # SKIP no\n"
                "    not ok 2 b\n        # Subtest: c\n        ok 1 p0\n        not ok 2 p1\n"
                "    not ok 3 c\nnot ok 1 s\n")
        out = subprocess.run(["awk", "-v", "mode=kunit", "-f", AWK], input=text,
                             capture_output=True, text=True, check=True).stdout
        self.assertEqual(out.splitlines(), ["skip\ts.a", "fail\ts.b", "pass\ts.c.p0",
                                            "fail\ts.c.p1", "fail\ts"])


class Runs(unittest.TestCase):
    """compare of two gated runs: by test path, repeats in order."""

    def doc(self, tests):
        tests = [{"path": f"s.{name}", "status": s} for name, s in tests]
        return {"suites": [{"id": "s", "status": "PASS", "tests": tests}]}

    def compare(self, a, b):
        with tempfile.TemporaryDirectory() as d:
            for name, doc in (("a", a), ("b", b)):
                with open(os.path.join(d, name), "w") as f:
                    json.dump(doc, f)
            return lava.compare_runs(os.path.join(d, "a"), os.path.join(d, "b"))

    def test_same(self):
        t = [("one", "PASS"), ("two", "SKIP")]
        self.assertEqual(self.compare(self.doc(t), self.doc(t)), 0)

    def test_order_does_not_matter(self):
        t = [("one", "PASS"), ("two", "SKIP")]
        self.assertEqual(self.compare(self.doc(t), self.doc(t[::-1])), 0)

    def test_status_differs(self):
        self.assertEqual(self.compare(self.doc([("one", "PASS"), ("two", "SKIP")]),
                                      self.doc([("one", "PASS"), ("two", "FAIL")])), 1)

    def test_renamed(self):
        self.assertEqual(self.compare(self.doc([("one", "PASS")]),
                                      self.doc([("one (3 hits)", "PASS")])), 1)

    def test_count_differs(self):
        self.assertEqual(self.compare(self.doc([("one", "PASS")]),
                                      self.doc([("one", "PASS"), ("one", "PASS")])), 1)

    def test_repeats_in_order(self):
        self.assertEqual(self.compare(self.doc([("one", "PASS"), ("one", "FAIL")]),
                                      self.doc([("one", "FAIL"), ("one", "PASS")])), 1)

    def test_empty(self):
        self.assertEqual(self.compare({"suites": []}, {"suites": []}), 1)


class Bundle(unittest.TestCase):
    """tools/lava.py check and render on a fake bundle."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.bundle = os.path.join(self.tmp.name, "bundle")
        write(os.path.join(self.bundle, "manifest"), MANIFEST)
        with tarfile.open(os.path.join(self.bundle, "kselftest.tar.gz"), "w:gz") as tar:
            for name, text in (("kselftest/kselftest-list.txt", "a:t1\na:t2\nb:t3\n"),
                               ("kselftest/a/settings", "# x\ntimeout=300\n")):
                data = text.encode()
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))

    def tearDown(self):
        self.tmp.cleanup()

    def test_check(self):
        self.assertEqual(lava.main(["check", "--bundle", self.bundle, "--series-hash",
                                    "aaaaaaaaaaaa", "--config-key", "bbbbbbbbbbbb"]), 0)
        self.assertEqual(lava.main(["check", "--bundle", self.bundle, "--series-hash",
                                    "cccccccccccc"]), 1)
        self.assertEqual(lava.main(["check", "--bundle", self.tmp.name]), 1)

    def test_render(self):
        out = os.path.join(self.tmp.name, "job")
        self.assertEqual(lava.main(["render", "--bundle", self.bundle, "--out", out,
                                    "--series-hash", "aaaaaaaaaaaa", "--config-key",
                                    "bbbbbbbbbbbb", "--smp", "2"]), 0)
        with open(os.path.join(out, "job.yaml")) as f:
            job = f.read()
        self.assertNotIn("@", job.split("actions:", 1)[1].replace("@localhost", ""))
        # 300 + 300 + 45 s of kselftest timeouts: 11 min, and 10 for the rest.
        self.assertIn("lava-test-shell: {minutes: 21}", job)
        self.assertIn('SERIES_HASH: "aaaaaaaaaaaa"', job)
        with open(os.path.join(out, "device.yaml")) as f:
            self.assertIn("-smp 2", f.read())
        # check's refusal control: a job that expects another series, and
        # no suite (a filter that starts with '-').
        self.assertEqual(lava.main(["render", "--bundle", self.bundle, "--out", out,
                                    "--series-hash", "aaaaaaaaaaaa", "--filter=-none-",
                                    "--series-override", "000000000000"]), 0)
        with open(os.path.join(out, "job.yaml")) as f:
            job = f.read()
        self.assertIn('SERIES_HASH: "000000000000"', job)
        self.assertIn("kunit.filter_glob=*-none-*", job)
        # A bundle of another series is refused before any job is written.
        self.assertEqual(lava.main(["render", "--bundle", self.bundle, "--out", out + "2",
                                    "--series-hash", "cccccccccccc"]), 1)
        self.assertFalse(os.path.exists(os.path.join(out + "2", "job.yaml")))


QUOTED = '# "a" \\"b\\'


class Log(unittest.TestCase):
    """results: lava-run's log lines -> console and test cases."""

    def test_read(self):
        log = "\n".join([
            '{"dt": "2026-01-01T00:00:00", "lvl": "info", "msg": "start"}',
            '{"dt": "2026-01-01T00:00:01", "lvl": "target", "msg": "[    1.0] ok 1 s"}',
            # ShellLogger escapes each '"' of the serial line as '\\"'
            json.dumps({"dt": "2026-01-01T00:00:01", "lvl": "target",
                        "msg": QUOTED.replace('"', '\\"')}),
            '{"dt": "2026-01-01T00:00:02", "lvl": "results", "msg": {"definition": "0_wpsuite",'
            ' "case": "s", "result": "pass"}}',
            '{"dt": "2026-01-01T00:00:03", "lvl": "results", "msg": {"definition": "lava",'
            ' "case": "job", "result": "pass"}}',
            'not a record',
            # lava-server's output.yaml, as lavacli jobs logs --raw gives it
            '- {"dt": "2026-01-01T00:00:04", "lvl": "results", "msg": {"definition": "0_wpsuite",'
            ' "case": "t", "result": "skip"}}',
        ])
        with tempfile.TemporaryDirectory() as d:
            write(os.path.join(d, "lava.log"), log + "\n")
            self.assertEqual(lava.main(["results", os.path.join(d, "lava.log"), "--out", d]), 0)
            with open(os.path.join(d, "console.log")) as f:
                self.assertEqual(f.read(), "[    1.0] ok 1 s\n" + QUOTED + "\n")
            with open(os.path.join(d, "lava-results.json")) as f:
                doc = json.load(f)
            self.assertEqual(doc["job"], "pass")
            self.assertEqual(doc["cases"], [{"definition": "0_wpsuite", "case": "s",
                                             "result": "pass"},
                                            {"definition": "0_wpsuite", "case": "t",
                                             "result": "skip"}])


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(globals()[sys.argv[1]])
    sys.exit(0 if unittest.TextTestRunner(verbosity=2).run(suite).wasSuccessful() else 1)
