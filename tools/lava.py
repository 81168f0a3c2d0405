#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The suite as a LAVA job: render it for a bundle, read what lava-run logged.

  render   write job.yaml and device.yaml for a bundle (run_tests.sh bundle)
  check    does a bundle's manifest match the series and configuration?
  results  lava-run's log, or a lab's (lavacli jobs logs --raw) -> the
           serial console (console.log, for ktap-gate) and the test cases
           LAVA recorded (lava-results.json)
  gate     results, then ktap-gate on that console with the bundle's
           expectations, then compare: a lab's run judged as run_tests.sh
           lava judges one here
  compare  LAVA's test cases against ktap-gate's results.json of the same
           log (name by name), or two gated runs (test by test)

run_tests.sh lava drives all four; lava/README.md explains the job.
"""

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile

LAVA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lava")

# kselftest's runner.sh: kselftest_default_timeout.
KSELFTEST_DEFAULT_TIMEOUT = 45

# lava-server's TestCase.name is a TextField whose help text says 100
# characters; names are kept to that so that every view shows them whole.
CASE_MAX = 100


def case_name(path):
    """A gate test path as a LAVA test case name (lava/wpsuite-run.sh's
    case_name()): [-_.a-zA-Z0-9], other bytes '_'; a longer name keeps its
    first 91 characters and gets '-' and 8 hex digits of its md5."""
    name = re.sub(rb"[^-_.a-zA-Z0-9]", b"_", path.encode()).decode()
    if len(name) > CASE_MAX:
        name = name[:91] + "-" + hashlib.md5(name.encode()).hexdigest()[:8]
    return name


def read_manifest(path):
    values = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, value = line.split("=", 1)
            values[key] = value
    return values


def bundle_problems(manifest, series_hash, config_key):
    """Why a bundle is not the one expected, one sentence each."""
    problems = []
    if manifest.get("format") != "1":
        problems.append(f"unknown manifest format '{manifest.get('format', '')}' (this reads format 1)")
    if series_hash and manifest.get("series_hash") != series_hash:
        problems.append(f"the bundle was built from patch series {manifest.get('series_hash', '?')} "
                        f"({manifest.get('source', '?')}), this checkout's series is {series_hash}")
    if config_key and manifest.get("config_key") != config_key:
        problems.append(f"the bundle was built from configuration {manifest.get('config_key', '?')} "
                        f"(variant '{manifest.get('variant', '')}'), this checkout's configuration "
                        f"is {config_key}")
    return problems


def check(args):
    try:
        manifest = read_manifest(os.path.join(args.bundle, "manifest"))
    except OSError as e:
        print(f"lava: {args.bundle} is not a bundle: {e.strerror}: {e.filename}", file=sys.stderr)
        return 1
    problems = bundle_problems(manifest, args.series_hash, args.config_key)
    for p in problems:
        print(f"lava: refused: {p}", file=sys.stderr)
    return 1 if problems else 0


def kselftest_seconds(bundle):
    """The longest the kselftests may take: each test's timeout from its
    collection's settings (kselftest's own default otherwise), summed."""
    total = 0
    with tarfile.open(os.path.join(bundle, "kselftest.tar.gz")) as tar:
        names = set(tar.getnames())
        tests = tar.extractfile("kselftest/kselftest-list.txt").read().decode().split()
        for test in tests:
            collection = test.split(":", 1)[0]
            timeout = KSELFTEST_DEFAULT_TIMEOUT
            settings = f"kselftest/{collection}/settings"
            if settings in names:
                for line in tar.extractfile(settings).read().decode().splitlines():
                    if line.startswith("timeout="):
                        timeout = int(line.split("=", 1)[1])
            total += timeout
    return total


def testdef_snapshot(repo, out):
    """A git repository holding lava/ as it is in this checkout, committed
    or not, for the job's "from: git" (lava-run clones it)."""
    snap = os.path.join(out, "testdefs.git")
    subprocess.run(["rm", "-rf", snap], check=True)
    os.makedirs(os.path.join(snap, "lava"))
    for name in sorted(os.listdir(os.path.join(repo, "lava"))):
        src = os.path.join(repo, "lava", name)
        if os.path.isfile(src):
            with open(src, "rb") as f, open(os.path.join(snap, "lava", name), "wb") as g:
                g.write(f.read())
            os.chmod(os.path.join(snap, "lava", name), os.stat(src).st_mode & 0o777)
    git = ["git", "-C", snap, "-c", "user.name=wpsuite", "-c", "user.email=wpsuite@localhost"]
    subprocess.run(git[:3] + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "wpsuite test definitions"], check=True)
    rev = subprocess.run(git[:3] + ["rev-parse", "HEAD"], check=True, capture_output=True,
                         text=True).stdout.strip()
    return snap, rev


def memory_mb(mem):
    """QEMU's -m size ("1G", "512M", "1024") in MiB."""
    m = re.fullmatch(r"(\d+)([MG]?)", mem.strip().upper())
    if not m:
        raise ValueError(f"memory size '{mem}'")
    return int(m.group(1)) * (1024 if m.group(2) == "G" else 1)


def substitute(text, values):
    def field(m):
        if m.group(1) not in values:
            raise KeyError(f"no value for @{m.group(1)}@")
        return str(values[m.group(1)])
    return re.sub(r"@([A-Z_]+)@", field, text)


VALIDATE = """
import sys, yaml
from lava_common.schemas import validate
validate(yaml.safe_load(open(sys.argv[1])), strict=True)
"""


def validate_job_file(path):
    """lava-server's job schema, strict, with whichever python3 has
    lava_common (Debian's, when this one is another); raises if invalid."""
    for python in (sys.executable, "/usr/bin/python3"):
        if not os.path.exists(python):
            continue
        r = subprocess.run([python, "-c", VALIDATE, path], capture_output=True, text=True)
        if r.returncode == 0:
            return
        if "No module named" not in r.stderr:
            raise ValueError(f"{path}: not a valid LAVA job: {r.stderr.strip().splitlines()[-1]}")
    print(f"lava: no python3 here has lava_common: {path} is not validated")


def render(args):
    bundle = os.path.abspath(args.bundle)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    manifest = read_manifest(os.path.join(bundle, "manifest"))
    for p in bundle_problems(manifest, args.series_hash, args.config_key):
        print(f"lava: refused: {p}", file=sys.stderr)
        return 1
    repo = os.path.abspath(args.repo)
    if args.testdef_repo:
        testdef_repo, revision = args.testdef_repo, args.testdef_revision or "HEAD"
    else:
        testdef_repo, revision = testdef_snapshot(repo, out)
    seconds = kselftest_seconds(bundle)
    # KUnit's results and ~400 lava-test-case calls come on top of the
    # kselftests' own timeouts. The benchmarks take 3-5 minutes under TCG.
    test_minutes = -(-seconds // 60) + 10 if args.mode == "suite" else 30
    boot_minutes = 10
    if re.search(r"[\s'\"\\]", args.filter):
        print(f"lava: --filter '{args.filter}': no blanks, quotes or backslashes "
              "(it goes into the kernel command line and LAVA's run.sh)", file=sys.stderr)
        return 2
    # What run_tests.sh's qemu_cmd() adds for the same run.
    # page_poison=1: QEMU TCG's stale translations (tools/lib/guest.sh).
    cmdline = (f"console=ttyAMA0 rdinit=/init panic=-1 printk.devkmsg=on page_poison=1 "
               f"wpsuite_mode=lava wpsuite_tier={args.tier}")
    if args.tier == "stress":
        cmdline += " kmemleak=on"
    if args.mode == "bench":
        cmdline += " kunit.filter_glob=-none-"
    elif args.filter:
        cmdline += f" kunit.filter_glob=*{args.filter}*"
    values = {
        "MODE": args.mode,
        "TIER": args.tier,
        "FILTER": args.filter,
        "SERIES_HASH": args.series_hash if args.expect else "",
        "CONFIG_KEY": args.config_key if args.expect else "",
        "KERNEL_URL": "file://" + os.path.join(bundle, "Image"),
        "RAMDISK_URL": "file://" + os.path.join(bundle, "initramfs.cpio.gz"),
        "CMDLINE": cmdline,
        "TESTDEF_REPO": testdef_repo,
        "TESTDEF_REVISION": revision,
        "BOOT_MINUTES": boot_minutes,
        "TEST_MINUTES": test_minutes,
        "JOB_MINUTES": 5 + boot_minutes + test_minutes,
        "CPU": args.cpu,
        "SMP": args.smp,
        "MEMORY_MB": memory_mb(args.mem),
    }
    if args.series_override:
        values["SERIES_HASH"] = args.series_override
    with open(os.path.join(LAVA_DIR, "job-qemu.yaml")) as f:
        job = substitute(f.read(), values)
    with open(os.path.join(LAVA_DIR, "devices", "qemu-arm64.yaml")) as f:
        device = re.sub(r"\$\{(CPU|SMP|MEM)\}",
                        lambda m: {"CPU": args.cpu, "SMP": args.smp, "MEM": args.mem}[m.group(1)],
                        f.read())
    with open(os.path.join(out, "job.yaml"), "w") as f:
        f.write(job)
    with open(os.path.join(out, "device.yaml"), "w") as f:
        f.write(device)
    validate_job_file(os.path.join(out, "job.yaml"))
    print(f"lava: {out}/job.yaml: kselftests may take {seconds} s (their settings); "
          f"test action {test_minutes} min, job {values['JOB_MINUTES']} min")
    return 0


def log_records(path):
    """lava-run's log: one flow-style YAML mapping per line (dt, lvl, msg)."""
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            # lava-server's output.yaml (lavacli jobs logs --raw) is a YAML
            # list of the same mappings.
            if line.startswith("- {"):
                line = line[2:]
            if not line.startswith("{"):
                continue
            try:
                record = yaml.load(line, Loader=loader)
            except yaml.YAMLError:
                continue
            if isinstance(record, dict):
                yield record


def results(args):
    os.makedirs(args.out, exist_ok=True)
    cases, errors, job = [], [], None
    with open(os.path.join(args.out, "console.log"), "w", encoding="utf-8") as console:
        for r in log_records(args.log):
            lvl, msg = r.get("lvl"), r.get("msg")
            if lvl == "target" and isinstance(msg, str):
                # lava_dispatcher's ShellLogger escapes every '"' of the
                # serial output as '\"' (and drops ESC and CR): undo the
                # escaping, which this replace inverts exactly.
                console.write(msg.replace('\\"', '"').rstrip("\r\n") + "\n")
            elif lvl == "results" and isinstance(msg, dict):
                if msg.get("definition") == "lava":
                    if msg.get("case") == "job":
                        job = msg.get("result")
                    if msg.get("result") == "fail" and msg.get("error_msg"):
                        errors.append(f"{msg.get('case')}: {msg.get('error_msg')}")
                else:
                    cases.append({"definition": msg.get("definition"), "case": msg.get("case"),
                                  "result": msg.get("result")})
    doc = {"job": job, "errors": errors, "cases": cases}
    with open(os.path.join(args.out, "lava-results.json"), "w") as f:
        json.dump(doc, f, indent=1)
    counts = {}
    for c in cases:
        counts[c["result"]] = counts.get(c["result"], 0) + 1
    print(f"lava: job {job or 'unknown'}; {len(cases)} test cases "
          f"({', '.join(f'{n} {r}' for r, n in sorted(counts.items())) or 'none'})")
    for e in errors:
        print(f"lava: error: {e}")
    return 0 if job == "pass" else 1


def gate_tests(results_json):
    """Every test of a gated run, suites included, in document order:
    (path, status, suite id)."""
    def walk(node, suite):
        for kid in node.get("tests") or node.get("subtests") or []:
            yield from walk(kid, suite)
        if "path" in node:
            yield node["path"], node["status"], suite

    with open(results_json) as f:
        suites = json.load(f)["suites"]
    for suite in suites:
        paths = []
        for path, status, sid in walk(suite, suite["id"]):
            paths.append(path)
            yield path, status, sid
        # A kselftest that printed no results of its own is its only test.
        if suite["id"] not in paths:
            yield suite["id"], suite["status"], suite["id"]


# The gate counts an XFAIL as passed; anything not listed is a failure.
LAVA_OF_GATE = {"PASS": "pass", "XFAIL": "pass", "SKIP": "skip"}


def compare_gate(lava_json, results_json):
    """LAVA's cases and the gate's tests of the same console, name by name
    (a name may repeat: then in order)."""
    with open(lava_json) as f:
        cases = [c for c in json.load(f)["cases"] if c["case"] != "wpsuite.manifest"]
    lava = {}
    for c in cases:
        lava.setdefault(c["case"], []).append(c["result"])
    gate = {}
    for path, status, _ in gate_tests(results_json):
        gate.setdefault(case_name(path), []).append(LAVA_OF_GATE.get(status, "fail"))
    problems = []
    for name in sorted(lava.keys() | gate.keys()):
        a, b = lava.get(name, []), gate.get(name, [])
        if sorted(a) != sorted(b):
            problems.append(f"{name}: LAVA {a or 'absent'}, gate {b or 'absent'}")
    print(f"lava vs gate: {len(cases)} LAVA test cases, "
          f"{sum(len(v) for v in gate.values())} gate tests, {len(problems)} differ")
    for p in problems[:40]:
        print(f"  differs: {p}")
    return 1 if problems or not cases else 0


def compare_runs(a_json, b_json):
    """Two gated runs of the same build, test by test: every test path in
    one is in the other with the same status. A path may repeat (a KTAP
    name is unique only among its siblings): repeats are matched in order.
    Test names carry parameters only (selftests/result.h), so a test keeps
    its path whether it passes or fails."""
    suites = set()

    def by_path(path):
        tests = {}
        for p, status, suite in gate_tests(path):
            tests.setdefault(p, []).append(status)
            suites.add(suite)
        return tests

    a, b = by_path(a_json), by_path(b_json)
    problems, n = [], 0
    for path in sorted(a.keys() | b.keys()):
        sa, sb = a.get(path, []), b.get(path, [])
        n += max(len(sa), len(sb))
        if sa != sb:
            problems.append(f"{path}: {' '.join(sa) or 'absent'} vs {' '.join(sb) or 'absent'}")
    print(f"runs: {n} tests in {len(suites)} suites compared by name, {len(problems)} differ")
    for p in problems[:40]:
        print(f"  differs: {p}")
    return 1 if problems or not n else 0


def gate(args):
    """A LAVA log judged the way run_tests.sh lava judges one: its console
    through ktap-gate with the bundle's suites expected (ours must run,
    not skip as a whole), known failures, the job's own result; then LAVA's
    cases against the gate's tests."""
    out = os.path.abspath(args.out)
    job_ok = results(argparse.Namespace(log=args.log, out=out)) == 0
    manifest = read_manifest(os.path.join(args.bundle, "manifest"))
    with tarfile.open(os.path.join(args.bundle, "kselftest.tar.gz")) as tar:
        tests = tar.extractfile("kselftest/kselftest-list.txt").read().decode().split()
    cmd = [args.ktap_gate, "--console", os.path.join(out, "console.log"), "--out", out,
           "--known-failures", args.known_failures, "--guest-exit", "0" if job_ok else "1"]
    for suite in manifest.get("kunit_suites", "").split() + tests:
        if args.filter in suite:
            cmd += ["--expect", suite]
            if suite.startswith("wpsuite/"):
                cmd += ["--expect-run", suite]
    rc = subprocess.run(cmd).returncode
    if rc > 1:
        return rc
    return max(rc, compare_gate(os.path.join(out, "lava-results.json"),
                                os.path.join(out, "results.json")))


def compare(args):
    if args.lava:
        return compare_gate(args.lava, args.results[0])
    if len(args.results) != 2:
        print("lava: compare: --lava FILE RESULTS, or two results.json", file=sys.stderr)
        return 2
    return compare_runs(args.results[0], args.results[1])


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    sub = ap.add_subparsers(dest="cmd", required=True)

    r = sub.add_parser("render", help="job.yaml and device.yaml for a bundle")
    r.add_argument("--bundle", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--repo", default=os.path.join(LAVA_DIR, ".."))
    r.add_argument("--series-hash", default="", help="this checkout's series (manifest series_hash)")
    r.add_argument("--config-key", default="", help="this checkout's config (manifest config_key)")
    r.add_argument("--no-expect", dest="expect", action="store_false",
                   help="the job takes any bundle (no SERIES_HASH/CONFIG_KEY parameters)")
    r.add_argument("--series-override", default="",
                   help="the job expects this series instead (a refusal control)")
    r.add_argument("--testdef-repo", help="the test definitions' git repository "
                   "(default: a snapshot of this checkout's lava/)")
    r.add_argument("--testdef-revision")
    r.add_argument("--mode", default="suite", choices=("suite", "bench"),
                   help="the suite, or the benchmarks (a bundle of the benchmark kernel)")
    r.add_argument("--tier", default="quick", choices=("quick", "stress"))
    r.add_argument("--filter", default="")
    r.add_argument("--cpu", default="cortex-a57")
    r.add_argument("--smp", default="4")
    r.add_argument("--mem", default="1G")

    c = sub.add_parser("check", help="is a bundle the one this checkout builds?")
    c.add_argument("--bundle", required=True)
    c.add_argument("--series-hash", default="")
    c.add_argument("--config-key", default="")

    s = sub.add_parser("results", help="console.log and lava-results.json from lava-run's log")
    s.add_argument("log")
    s.add_argument("--out", required=True)

    g = sub.add_parser("gate", help="results + ktap-gate + compare for a (lab's) LAVA log")
    g.add_argument("log")
    g.add_argument("--bundle", required=True, help="the bundle the job ran")
    g.add_argument("--out", required=True)
    g.add_argument("--ktap-gate", default="ktap-gate", help="the ktap-gate binary")
    g.add_argument("--known-failures", default=os.path.join(LAVA_DIR, "..", "configs",
                                                           "known-failures"))
    g.add_argument("--filter", default="", help="the job's FILTER")

    m = sub.add_parser("compare", help="LAVA vs gate of one log, or two gated runs")
    m.add_argument("--lava", help="lava-results.json (then one results.json)")
    m.add_argument("results", nargs="+")

    args = ap.parse_args(argv)
    return {"render": render, "check": check, "results": results, "gate": gate,
            "compare": compare}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
