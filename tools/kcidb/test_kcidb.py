#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests of tools/kcidb.py, run by CTest (kcidb_*), one class per test:

  test_kcidb.py Fixtures        the fixtures' kcidb.json validate; patchset_hash; CLI
  test_kcidb.py Negative        wrong documents (bad status, missing id, ...) do not
  test_kcidb.py StatusMapping   every gate status maps as documented
  test_kcidb.py GateLogs        ktap-gate on its test logs, then kcidb.py (WPSUITE_KTAP_GATE)
  test_kcidb.py Runs            every results/**/results.json converts and validates
                                (WPSUITE_RESULTS_DIR, default results/)

Fixtures: userspace-tests/testdata/kcidb/ (green/: trimmed from a real run;
mapping/: hand-written, one of each case; invalid.json: a wrong document).
"""
import copy
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TOOL = os.path.join(REPO, "tools", "kcidb.py")
DATA = os.path.join(REPO, "userspace-tests", "testdata", "kcidb")
GATE_DATA = os.path.join(REPO, "userspace-tests", "testdata")

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
spec = importlib.util.spec_from_file_location("kcidb_tool", TOOL)
kcidb = importlib.util.module_from_spec(spec)
spec.loader.exec_module(kcidb)
jsonschema = kcidb.load_jsonschema()  # re-runs this file with Debian's python3 if needed
with open(kcidb.SCHEMA, encoding="utf-8") as f:
    SCHEMA = json.load(f)


def run_tool(*args):
    return subprocess.run([sys.executable, TOOL, *args], capture_output=True, text=True,
                          timeout=120)


def convert(run_dir, *extra):
    out = tempfile.NamedTemporaryFile(suffix=".json", delete=False)
    out.close()
    try:
        p = run_tool("convert", run_dir, "--out", out.name, *extra)
        if p.returncode != 0:
            raise AssertionError(f"convert {run_dir} failed ({p.returncode}):\n{p.stderr}")
        with open(out.name, encoding="utf-8") as f:
            return json.load(f)
    finally:
        os.unlink(out.name)


def errors(doc):
    return kcidb.validation_errors(doc, SCHEMA, jsonschema)


def by_gate_path(doc):
    return {t["misc"]["gate_path"]: t for t in doc["tests"]
            if "gate_path" in t.get("misc", {})}


class Fixtures(unittest.TestCase):
    def test_schema_is_a_draft7_schema(self):
        jsonschema.Draft7Validator.check_schema(SCHEMA)

    def test_green_fixture_validates(self):
        doc = convert(os.path.join(DATA, "green"), "--known-failures",
                      os.path.join(REPO, "configs", "known-failures"),
                      "--boot-time", "2026-12-03T08:47:50Z")
        self.assertEqual(errors(doc), [])
        self.assertEqual(doc["version"], {"major": 5, "minor": 0})
        self.assertEqual(doc["checkouts"][0]["id"], "wpsuite:debian-6.1.192-3-aa38c309aab5")
        self.assertEqual(doc["builds"][0]["checkout_id"], doc["checkouts"][0]["id"])
        self.assertEqual(doc["builds"][0]["architecture"], "arm64")
        rows = by_gate_path(doc)
        self.assertEqual(len(rows), 22)  # every row of results.json
        self.assertEqual(sorted({t["status"] for t in rows.values()}), ["FAIL", "PASS"])
        known = [t for t in rows.values() if t["misc"].get("known_failure")]
        self.assertEqual(len(known), 8)
        self.assertTrue(all(t["status"] == "FAIL" for t in known))
        self.assertEqual(len(doc["incidents"]), 8)
        self.assertTrue(all(i["present"] for i in doc["incidents"]))
        root = [t for t in doc["tests"] if t["path"] == ""]
        self.assertEqual(len(root), 1)
        self.assertEqual(root[0]["status"], "PASS")  # the gate was green
        self.assertEqual(rows["breakpoints:step_after_suspend_test"]["path"],
                         "kselftest.breakpoints.step_after_suspend_test")
        seed = [p for p in rows if p.startswith("wpsuite/watchpoint:seed_control_test.")]
        self.assertTrue(all(rows[p]["path"].startswith(
            "kselftest.wpsuite.watchpoint.seed_control_test.") for p in seed))

    def test_mapping_fixture_validates(self):
        doc = convert(os.path.join(DATA, "mapping"))
        self.assertEqual(errors(doc), [])

    def test_patchset_hash_is_kcidbs(self):
        """v5: sha256 over the newline-terminated sha256 of each patch, in order;
        the doc's own command is the reference."""
        with tempfile.TemporaryDirectory() as tmp:
            patches = os.path.join(tmp, "patches")
            os.mkdir(patches)
            for name, text in (("0001-a.patch", "a\n"), ("0002-b.patch", "b\n")):
                with open(os.path.join(patches, name), "w") as f:
                    f.write(text)
            series = hashlib.sha256(b"a\nb\n").hexdigest()[:12]  # run_tests.sh hash_of
            run = os.path.join(tmp, "run")
            shutil.copytree(os.path.join(DATA, "green"), run)
            with open(os.path.join(run, "kernel-id"), "w") as f:
                f.write(f"debian-6.1.192-3-{series}\n")
            doc = convert(run, "--patches-dir", patches)
            expected = subprocess.run("sha256sum *.patch | cut -c-64 | sha256sum | cut -c-64",
                                      shell=True, cwd=patches, capture_output=True,
                                      text=True, check=True).stdout.strip()
            self.assertEqual(doc["checkouts"][0]["patchset_hash"], expected)
            self.assertEqual(doc["checkouts"][0]["misc"]["patches"],
                             ["0001-a.patch", "0002-b.patch"])
            # --series 1: only the first patch; the kernel-id no longer matches
            doc = convert(run, "--patches-dir", patches, "--series", "1")
            self.assertNotIn("patchset_hash", doc["checkouts"][0])
            self.assertIn("patchset_note", doc["checkouts"][0]["misc"])
            # --series 0: no patch, v5's empty patchset_hash
            with open(os.path.join(run, "kernel-id"), "w") as f:
                f.write(f"debian-6.1.192-3-{hashlib.sha256(b'').hexdigest()[:12]}\n")
            doc = convert(run, "--patches-dir", patches, "--series", "0")
            self.assertEqual(doc["checkouts"][0]["patchset_hash"], "")
            self.assertEqual(errors(doc), [])

    def test_build_from_kconfig(self):
        with tempfile.TemporaryDirectory() as tmp:
            cfg = os.path.join(tmp, ".config")
            with open(cfg, "w") as f:
                f.write('CONFIG_CC_VERSION_TEXT="aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0"\n')
            doc = convert(os.path.join(DATA, "green"), "--kconfig", cfg, "--variant", "bti",
                          "--build", "debian-6.1.192-3-aa38c309aab5-0123456789ab",
                          "--fragments", "configs/base.config configs/variants/bti.config",
                          "--tier", "stress", "--cpu", "max", "--smp", "4")
        build = doc["builds"][0]
        self.assertEqual(build["compiler"], "aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0")
        self.assertEqual(build["config_name"], "wpsuite+bti")
        self.assertEqual(build["misc"]["config_hash"], "0123456789ab")
        self.assertEqual(build["id"], "wpsuite:debian-6.1.192-3-aa38c309aab5-0123456789ab")
        env = doc["tests"][0]["environment"]
        self.assertEqual(env["misc"]["tier"], "stress")
        self.assertEqual(env["compatible"], ["linux,dummy-virt"])
        self.assertEqual(errors(doc), [])

    def test_cli_writes_kcidb_json_next_to_results(self):
        with tempfile.TemporaryDirectory() as tmp:
            run = os.path.join(tmp, "20261203-084750")
            shutil.copytree(os.path.join(DATA, "green"), run)
            p = run_tool("convert", run)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("kcidb.json", p.stdout)
            p = run_tool("validate", os.path.join(run, "kcidb.json"))
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertIn("valid KCIDB v5.0", p.stdout)

    def test_origin_from_the_environment(self):
        os.environ["WPSUITE_KCIDB_ORIGIN"] = "mylab"
        try:
            doc = convert(os.path.join(DATA, "green"))
        finally:
            del os.environ["WPSUITE_KCIDB_ORIGIN"]
        self.assertEqual(errors(doc), [])
        self.assertTrue(all(t["id"].startswith("mylab:") and t["origin"] == "mylab"
                            for t in doc["tests"]))
        self.assertEqual(doc["builds"][0]["checkout_id"], doc["checkouts"][0]["id"])

    def test_conversion_error_is_clear_and_writes_nothing(self):
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "results.json"), "w") as f:
                f.write("{not json")
            p = run_tool("convert", tmp, "--kernel-id", "debian-6.1.192-3-0123456789ab")
            self.assertEqual(p.returncode, 1)
            self.assertIn("kcidb.py: conversion failed: cannot read", p.stderr)
            self.assertFalse(os.path.exists(os.path.join(tmp, "kcidb.json")))
            # an unknown gate status is an error, not a guess
            doc = json.load(open(os.path.join(DATA, "green", "results.json")))
            doc["suites"][0]["tests"][0]["status"] = "WEIRD"
            with open(os.path.join(tmp, "results.json"), "w") as f:
                json.dump(doc, f)
            p = run_tool("convert", tmp, "--kernel-id", "debian-6.1.192-3-0123456789ab")
            self.assertEqual(p.returncode, 1)
            self.assertIn("unknown gate status 'WEIRD'", p.stderr)


class Negative(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.good = convert(os.path.join(DATA, "mapping"))

    def assertInvalid(self, doc, expect):
        errs = errors(doc)
        self.assertTrue(errs, "the document validated")
        self.assertTrue(any(expect in e for e in errs), f"no error with {expect!r}: {errs}")

    def mutate(self, fn):
        doc = copy.deepcopy(self.good)
        fn(doc)
        return doc

    def test_the_base_document_is_valid(self):
        self.assertEqual(errors(self.good), [])

    def test_bad_status(self):
        self.assertInvalid(self.mutate(lambda d: d["tests"][0].update(status="CRASHED")),
                           "'CRASHED' is not one of")

    def test_missing_test_id(self):
        self.assertInvalid(self.mutate(lambda d: d["tests"][0].pop("id")),
                           "'id' is a required property")

    def test_missing_checkout_id(self):
        self.assertInvalid(self.mutate(lambda d: d["checkouts"][0].pop("id")),
                           "'id' is a required property")

    def test_id_without_origin_prefix(self):
        self.assertInvalid(self.mutate(lambda d: d["builds"][0].update(id="no-colon")),
                           "does not match")

    def test_bad_path(self):
        self.assertInvalid(self.mutate(lambda d: d["tests"][0].update(path="kunit.a b")),
                           "does not match")

    def test_null_property(self):
        self.assertInvalid(self.mutate(lambda d: d["tests"][0].update(duration=None)),
                           "None is not of type 'number'")

    def test_wrong_major_version(self):
        self.assertInvalid(self.mutate(lambda d: d["version"].update(major=4)),
                           "5 was expected")

    def test_v4_waived_is_gone(self):
        self.assertInvalid(self.mutate(lambda d: d["tests"][0].update(waived=True)),
                           "Additional properties are not allowed")

    def test_excerpt_too_long(self):
        self.assertInvalid(self.mutate(lambda d: d["tests"][0].update(log_excerpt="x" * 16385)),
                           "is too long")

    def test_nul_in_text(self):
        self.assertInvalid(self.mutate(lambda d: d["tests"][0].update(comment="a\0b")),
                           "does not match")

    def test_bad_start_time(self):
        self.assertInvalid(self.mutate(lambda d: d["tests"][0].update(start_time="yesterday")),
                           "does not match")

    def test_dangling_build_id(self):
        self.assertInvalid(self.mutate(lambda d: d["tests"][0].update(build_id="wpsuite:nope")),
                           "build_id 'wpsuite:nope' is not in builds")

    def test_duplicate_test_id(self):
        def dup(d):
            d["tests"][1]["id"] = d["tests"][0]["id"]
        self.assertInvalid(self.mutate(dup), "duplicate id")

    def test_id_of_another_origin(self):
        self.assertInvalid(self.mutate(lambda d: d["tests"][0].update(id="other:x")),
                           "does not start with its origin")

    def test_incident_of_no_issue(self):
        self.assertInvalid(self.mutate(lambda d: d["incidents"][0].update(issue_version=7)),
                           "no issue")

    def test_invalid_json_file_fails_the_cli(self):
        p = run_tool("validate", os.path.join(DATA, "invalid.json"))
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("NOT VALID", p.stdout)
        self.assertIn("'MAYBE' is not one of", p.stdout)
        self.assertIn("'id' is a required property", p.stdout)


class StatusMapping(unittest.TestCase):
    EXPECTED = {
        "kf_suite.test_pass": "PASS",
        "kf_suite.test_fail": "FAIL",
        "kf_suite.test_known": "FAIL",            # a known failure still failed
        "kf_suite.test_known_passed": "PASS",     # ... and one that passed, passed
        "kf_suite.test_skip": "SKIP",
        "kf_suite.param_test.size 1.5": "PASS",
        "kf_suite.a b": "PASS",
        "kf_suite.a_b": "PASS",
        "kf_suite.test_long_log": "FAIL",
        "crash_suite.test_ok": "PASS",
        "crash_suite.<missing #2>": "ERROR",      # running when the kernel crashed
        "crash_suite.<missing #3>": "MISS",       # never ran
        "sel/dir:xfail_test.expected to fail": "PASS",  # XFAIL
        "sel:slow_test": "ERROR",                 # FAIL # TIMEOUT
        "sel:empty_test": "ERROR",                # NO_TESTS
        "sel:hung_test": "ERROR",                 # CRASHED, opened
        "wpsuite/gone:gone_test": "MISS",         # expected suite that did not run
    }

    @classmethod
    def setUpClass(cls):
        d = os.path.join(DATA, "mapping")
        cls.doc = convert(d, "--known-failures", os.path.join(d, "known-failures"),
                          "--boot-time", "2026-01-01T00:00:00Z")
        cls.rows = by_gate_path(cls.doc)
        cls.paths = {t["path"]: t for t in cls.doc["tests"]}

    def test_statuses(self):
        got = {p: t["status"] for p, t in self.rows.items()}
        self.assertEqual(got, self.EXPECTED)

    def test_paths(self):
        want = {
            "kf_suite.param_test.size 1.5": "kunit.kf_suite.param_test.size_1_5",
            "kf_suite.a b": "kunit.kf_suite.a_b",
            "kf_suite.a_b": "kunit.kf_suite.a_b-2",   # a collision after mapping
            "crash_suite.<missing #2>": "kunit.crash_suite.missing_2",
            "sel/dir:xfail_test.expected to fail": "kselftest.sel.dir.xfail_test.expected_to_fail",
            "sel:slow_test": "kselftest.sel.slow_test",
            "wpsuite/gone:gone_test": "kselftest.wpsuite.gone.gone_test",
        }
        self.assertEqual({p: self.rows[p]["path"] for p in want}, want)
        self.assertNotIn("other:*", self.rows)  # a glob names no test

    def test_kernel_log_and_windows(self):
        splats = {t["misc"]["line"]: t for t in self.doc["tests"]
                  if t["path"].startswith("wpsuite.kernel_log.")}
        self.assertEqual(splats[5]["status"], "FAIL")     # unexpected WARNING ...
        self.assertEqual(self.rows["kf_suite.test_pass"]["status"], "PASS")  # ... in a pass
        self.assertIn("while running kf_suite.test_pass", splats[5]["comment"])
        self.assertEqual(splats[23]["status"], "FAIL")
        self.assertEqual(splats[32]["status"], "PASS")    # expected, in its window
        self.assertEqual(self.paths["wpsuite.expect_splat.kf-window"]["status"], "PASS")
        self.assertEqual(self.paths["wpsuite.expect_splat.never-seen"]["status"], "FAIL")

    def test_root_is_the_verdict(self):
        root = self.paths[""]
        self.assertEqual(root["status"], "FAIL")
        self.assertIn("[missing-suite]", root["log_excerpt"])
        self.assertIn("| [    4.000000] # hung_test: waiting", root["log_excerpt"])
        self.assertEqual(root["start_time"], "2026-01-01T00:00:00.000000+00:00")

    def test_excerpts(self):
        crashed = self.rows["crash_suite.<missing #2>"]["log_excerpt"]
        self.assertIn("was running when the output stopped", crashed)
        self.assertIn("Unable to handle kernel NULL pointer dereference", crashed)
        self.assertIn("[test-crashed]", crashed)
        failed = self.rows["kf_suite.test_fail"]["log_excerpt"]
        self.assertIn("EXPECTATION FAILED at lib/kf_test.c:10", failed)
        self.assertNotIn("\0", failed)
        self.assertNotIn("\\u0000", json.dumps(self.doc))  # nor anywhere else (misc)
        self.assertIn("\ufffd", failed)
        long = self.rows["kf_suite.test_long_log"]["log_excerpt"]
        self.assertEqual(len(long), 16384)
        self.assertTrue(long.endswith("[... cut at 16384 characters by kcidb.py]"))
        self.assertNotIn("log_excerpt", self.rows["kf_suite.test_pass"])
        self.assertIn("# slow_test: still going", self.rows["sel:slow_test"]["log_excerpt"])

    def test_times(self):
        t = self.rows["kf_suite.test_fail"]  # console line 6: [    1.500000]
        self.assertEqual(t["start_time"], "2026-01-01T00:00:01.500000+00:00")
        self.assertEqual(t["duration"], 0.001)
        self.assertNotIn("start_time", self.rows["wpsuite/gone:gone_test"])

    def test_known_failures_are_issues_and_incidents(self):
        issues = {i["id"]: i for i in self.doc["issues"]}
        issue = issues["wpsuite:known-failure:kf_suite.test_known"]
        self.assertIn("for a reason that is not ours", issue["comment"])
        incidents = {i["test_id"]: i for i in self.doc["incidents"]}
        self.assertIs(incidents[self.rows["kf_suite.test_known"]["id"]]["present"], True)
        self.assertIs(incidents[self.rows["kf_suite.test_known_passed"]["id"]]["present"], False)
        self.assertEqual(len(incidents), 2)
        self.assertTrue(self.rows["kf_suite.test_known"]["misc"]["known_failure"])
        self.assertEqual(errors(self.doc), [])


class GateLogs(unittest.TestCase):
    """The gate's own test logs through ktap-gate, then kcidb.py, as run_tests.sh does."""

    @classmethod
    def setUpClass(cls):
        cls.gate = os.environ.get("WPSUITE_KTAP_GATE")
        if not cls.gate or not os.access(cls.gate, os.X_OK):
            raise unittest.SkipTest("WPSUITE_KTAP_GATE is not set to the ktap-gate binary")
        cls.tmp = tempfile.mkdtemp(prefix="kcidb-gate-")
        cls.docs = {}
        for name in ("green_run", "crash_mid_kunit", "warn_negative_control"):
            out = os.path.join(cls.tmp, name)
            os.mkdir(out)
            subprocess.run([cls.gate, "--console", os.path.join(GATE_DATA, f"{name}.log"),
                            "--out", out, "--known-failures",
                            os.path.join(GATE_DATA, "known_failures.txt"),
                            "--guest-exit", "0"], capture_output=True, timeout=60)
            shutil.copy(os.path.join(GATE_DATA, f"{name}.log"), os.path.join(out, "console.log"))
            cls.docs[name] = convert(out, "--kernel-id", "debian-6.1.192-3-0123456789ab",
                                     "--boot-time", "2026-01-01T00:00:00Z")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_all_validate(self):
        for name, doc in self.docs.items():
            self.assertEqual(errors(doc), [], name)

    def test_crash_mid_kunit(self):
        rows = by_gate_path(self.docs["crash_mid_kunit"])
        self.assertEqual(rows["wp_crash.test_ok"]["status"], "PASS")
        self.assertEqual(rows["wp_crash.<missing #2>"]["status"], "ERROR")
        self.assertIn("Kernel panic - not syncing", rows["wp_crash.<missing #2>"]["log_excerpt"])
        self.assertEqual(rows["wp_crash.<missing #3>"]["status"], "MISS")
        root = [t for t in self.docs["crash_mid_kunit"]["tests"] if t["path"] == ""][0]
        self.assertEqual(root["status"], "FAIL")

    def test_warn_negative_control(self):
        tests = self.docs["warn_negative_control"]["tests"]
        warn = [t for t in tests if t["path"] == "wpsuite.kernel_log.WARNING"]
        self.assertEqual([t["status"] for t in warn], ["FAIL"])
        self.assertIn("watchpoint fires on write", warn[0]["comment"])


class Runs(unittest.TestCase):
    """Every gated run on this machine converts and validates (written to a
    temporary file: the runs' own kcidb.json are check's to validate)."""

    def test_every_run(self):
        root = os.environ.get("WPSUITE_RESULTS_DIR") or os.path.join(REPO, "results")
        runs = []
        for d, dirs, files in os.walk(root):
            dirs[:] = [x for x in dirs if not os.path.islink(os.path.join(d, x))]
            if "results.json" in files and os.path.exists(os.path.join(d, "kernel-id")):
                runs.append(d)
        if not runs:
            self.skipTest(f"no gated runs under {root}")
        bad = []
        for run in sorted(runs):
            try:
                errs = errors(convert(run, "--known-failures",
                                      os.path.join(REPO, "configs", "known-failures")))
            except AssertionError as e:
                errs = [str(e)]
            if errs:
                bad.append(f"{run}: {errs[:3]}")
        print(f"kcidb: {len(runs) - len(bad)} of {len(runs)} runs under {root} valid",
              file=sys.stderr)
        self.assertEqual(bad, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
