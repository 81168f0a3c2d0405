#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A gated run's results.json as KCIDB I/O schema v5 (kcidb.json), and a
validator for such files.

  kcidb.py convert RUN_DIR [--out FILE] [what run_tests.sh knows, see --help]
  kcidb.py validate FILE... [--schema FILE]

convert reads RUN_DIR/results.json (ktap-gate's), RUN_DIR/kernel-id and
RUN_DIR/console.log (for start times) and writes RUN_DIR/kcidb.json: one
checkout (the kernel source and the patch series), one build (arm64, the
config fragments, variant, compiler), one test per KUnit and kselftest case
(the gate's rows), one per kernel splat and expect-splat window, one MISS per
expected suite that did not run, and a root test (path "") with the gate's
verdict. Known failures are v5 issues with an incident per test.

validate checks files against tools/kcidb/kcidb-v5.schema.json with
python3-jsonschema, then what a schema cannot say: unique ids, ids that
start with their origin, links that resolve. Exit 0 valid, 1 not, 2 usage.

The status mapping is documented in STATUS_DOC below and in the README.
Standard library only, except jsonschema for validate.
"""
import argparse
import datetime
import hashlib
import json
import os
import re
import subprocess
import sys

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kcidb", "kcidb-v5.schema.json")
VERSION = {"major": 5, "minor": 0}  # every property we write exists since v5.0
EXCERPT_MAX = 16384  # v5 log_excerpt maxLength

STATUS_DOC = """\
KCIDB v5 status (kcidb-io v05_00.py "status"; kcidb doc/submitter_guide.md):
  PASS              -> PASS   completed, code correct
  XFAIL             -> PASS   the test expected that failure (counts as a pass, as in the gate)
  FAIL              -> FAIL   completed and found the code faulty (known failures too: see issues)
  FAIL # TIMEOUT    -> ERROR  killed by the runner's timeout: did not complete
  FAIL # ERROR      -> ERROR  the test says it could not complete
  NO_TESTS          -> ERROR  ran no test case: a failure of the test, code status unknown
  SKIP              -> SKIP   not applicable
  CRASHED (opened)  -> ERROR  output stopped before its result line (panic, hang): did not complete
  CRASHED (planned, never reported): the first of its siblings -> ERROR (it was running:
                      KUnit and kselftest.h print a case's result only after it);
                      the others -> MISS (never ran: a failure below the test, not in it)
  expected suite that did not run -> MISS
  kernel splat: unexpected -> FAIL, expected (inside its expect-splat window) -> PASS
  expect-splat window: splat seen and window closed -> PASS, otherwise FAIL
  root test (path ""): the gate's verdict, GREEN -> PASS, RED -> FAIL
"""


class ConversionError(Exception):
    pass


# --------------------------------------------------------------------------
# Paths: the gate's "suite.case" / "collection:test.subtest" names to v5's
# dot-separated [a-zA-Z0-9_-] components under the catalog's "kunit" and
# "kselftest" (kcidb tests.yaml).

_EDGE = re.compile(r"^[^A-Za-z0-9_-]+|[^A-Za-z0-9_-]+$")
_INNER = re.compile(r"[^A-Za-z0-9_-]+")


def component(name):
    """One path component: runs of other characters become '_'."""
    return _INNER.sub("_", _EDGE.sub("", name)) or "_"


def gate_path_parts(suite_id, kind, path, name):
    """The gate's path as a list of names (the leaf's name kept whole)."""
    if kind == "kselftest":
        collection, _, program = suite_id.partition(":")
        head = ["kselftest"] + collection.split("/") + ([program] if program else [])
    else:
        head = ["kunit", suite_id]
    if path == suite_id:
        return head
    rest = path[len(suite_id) + 1:] if path.startswith(suite_id + ".") else path
    if rest == name:
        return head + [name]
    if name and rest.endswith("." + name):
        return head + rest[:-len(name) - 1].split(".") + [name]
    return head + rest.split(".")


class Paths:
    """KCIDB paths, unique within a document ("-2", "-3" on a collision)."""

    def __init__(self):
        self.used = set()

    def make(self, parts):
        base = ".".join(component(p) for p in parts)
        path, n = base, 1
        while path in self.used:
            n += 1
            path = f"{base}-{n}"
        self.used.add(path)
        return path


# --------------------------------------------------------------------------
# Status


def kcidb_status(row, running):
    """v5 status of a results.json row; `running`: the first never-reported
    row among its siblings."""
    status, directive = row.get("status"), row.get("directive")
    if status in ("PASS", "XFAIL"):
        return "PASS"
    if status == "SKIP":
        return "SKIP"
    if status == "FAIL":
        return "ERROR" if directive in ("TIMEOUT", "ERROR") else "FAIL"
    if status == "NO_TESTS":
        return "ERROR"
    if status == "CRASHED":
        return "ERROR" if running or not row.get("synthetic") else "MISS"
    raise ConversionError(f"test {row.get('path')!r}: unknown gate status {status!r}")


# --------------------------------------------------------------------------
# Inputs


def read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def printk_times(console_path):
    """Console line number (1-based) -> printk timestamp (s)."""
    times = {}
    text = read_text(console_path)
    if text is None:
        return times
    stamp = re.compile(r"^\[\s*([0-9]+\.[0-9]+)\]")
    for n, line in enumerate(text.splitlines(), 1):
        m = stamp.match(line)
        if m:
            times[n] = float(m.group(1))
    return times


def boot_time(run_dir, override):
    """Wall-clock time of the guest's printk 0: kernel-id is written just
    before QEMU starts (a boot retried after the RCU-tasks early hang starts
    when console-early-hang.log was last written)."""
    if override:
        t = datetime.datetime.fromisoformat(override.replace("Z", "+00:00"))
        if t.tzinfo is None:
            t = t.replace(tzinfo=datetime.timezone.utc)
        return t
    for name in ("console-early-hang.log", "kernel-id"):
        try:
            st = os.stat(os.path.join(run_dir, name))
        except OSError:
            continue
        return datetime.datetime.fromtimestamp(st.st_mtime, datetime.timezone.utc)
    return None


def iso(t):
    return t.isoformat(timespec="microseconds")


def kconfig_value(text, key):
    m = re.search(rf'^{key}="((?:[^"\\]|\\.)*)"$', text or "", re.M)
    return m.group(1).replace('\\"', '"').replace("\\\\", "\\") if m else None


def series_files(patches_dir, series):
    """patches/ as prepare_source in run_tests.sh applies it."""
    files = []
    for root, _, names in os.walk(patches_dir):
        files += [os.path.join(root, n) for n in names if n.endswith(".patch")]
    files.sort()
    if series not in (None, "", "all"):
        files = files[:int(series)]
    return files


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def known_failure_comments(path):
    """configs/known-failures: test path -> the comment block above it."""
    comments = {}
    text = read_text(path) if path else None
    block = []
    for line in (text or "").splitlines():
        s = line.strip()
        if not s:
            block = []
        elif s.startswith("#"):
            block.append(s.lstrip("#").strip())
        else:
            entry = s.split(" #")[0].strip()
            comments[entry] = " ".join(b for b in block if b)
    return comments


def git(tree, *args):
    try:
        out = subprocess.run(["git", "-C", tree, *args], capture_output=True, text=True,
                             timeout=30, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


# --------------------------------------------------------------------------
# Conversion


def clean(text):
    return text.replace("\0", "\ufffd")


def scrub(value):
    """v5 allows no NUL in any string; misc goes to the same database."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, dict):
        return {clean(k): scrub(v) for k, v in value.items()}
    return value


def excerpt(pieces):
    """Lines for log_excerpt, cut at v5's maxLength keeping the start."""
    text = clean("\n".join(pieces).strip("\n"))
    if len(text) <= EXCERPT_MAX:
        return text
    mark = "\n[... cut at 16384 characters by kcidb.py]"
    return text[:EXCERPT_MAX - len(mark)] + mark


def drop_empty(d):
    """v5: no property may be null; leave empty misc values out as well."""
    return {k: v for k, v in d.items() if v is not None and v != "" and v != [] and v != {}}


def checkout_of(args, kernel_id, origin):
    misc = {"kernel_id": kernel_id}
    co = {"id": f"{origin}:{kernel_id}", "origin": origin, "valid": True}
    debian = re.fullmatch(r"debian-(.+)-([0-9a-f]{12})", kernel_id)
    user = re.fullmatch(r"(.+)-user-([0-9a-f]{12})", kernel_id)
    if debian:
        version, series_hash = debian.groups()
        upstream = version.split("-")[0]
        package = "linux-source-" + ".".join(upstream.split(".")[:2])
        misc.update(source_package=package, source_version=version, series_hash=series_hash,
                    series=args.series or "all")
        co["git_commit_name"] = f"{package} {version} (Debian)"
        patches = series_files(args.patches_dir, args.series) if args.patches_dir else None
        if patches is not None:
            concat = hashlib.sha256()
            for p in patches:
                with open(p, "rb") as f:
                    concat.update(f.read())
            if concat.hexdigest()[:12] == series_hash:
                co["patchset_hash"] = (hashlib.sha256(
                    "".join(sha256_file(p) + "\n" for p in patches).encode()).hexdigest()
                    if patches else "")
                misc["patches"] = [os.path.basename(p) for p in patches]
            else:
                misc["patchset_note"] = ("patches/ no longer hashes to this kernel's series "
                                         f"{series_hash}: patchset_hash left out")
        applied = (f"{len(misc['patches'])} patch(es) from patches/" if "patches" in misc
                   else "patches/")
        co["comment"] = f"Debian {package} {version} + {applied} (series {series_hash})"
    elif user:
        kver = user.group(1)
        misc.update(kernelversion=kver, tree="--kdir, used as is")
        co["patchset_hash"] = ""
        co["comment"] = f"Linux {kver} from a user's tree (--kdir), used as is"
        if args.kdir:
            commit = git(args.kdir, "rev-parse", "HEAD")
            if commit and re.fullmatch(r"[0-9a-f]{40}", commit):
                co["git_commit_hash"] = commit
                co["git_commit_name"] = git(args.kdir, "describe", "--tags", "--always") or None
    else:
        co["comment"] = f"kernel source {kernel_id}"
    co["misc"] = drop_empty(misc)
    patchset_hash = co.get("patchset_hash")
    co = drop_empty(co)
    if patchset_hash is not None:
        co["patchset_hash"] = patchset_hash  # v5: "" is "no patches", not "unknown"
    return co


def build_of(args, kernel_id, checkout_id, origin):
    name = args.build or f"{kernel_id}-unknown"
    config_hash = name[len(kernel_id) + 1:] if name.startswith(kernel_id + "-") else None
    kconfig = read_text(args.kconfig) if args.kconfig else None
    compiler = args.compiler or kconfig_value(kconfig, "CONFIG_CC_VERSION_TEXT")
    variant = args.variant or None
    misc = {
        "kernel_build": name,
        "config_hash": config_hash,
        "config_fragments": args.fragments.split() if args.fragments else None,
        "variant": variant,
        "toolchain": args.toolchain or None,
        "kconfig_sha256": hashlib.sha256(kconfig.encode()).hexdigest() if kconfig else None,
    }
    build = {
        "id": f"{origin}:{name}",
        "checkout_id": checkout_id,
        "origin": origin,
        "architecture": "arm64",
        "compiler": compiler,
        "config_name": "wpsuite" + (f"+{variant}" if variant else ""),
        "status": "PASS",  # the kernel booted: a build that failed never reaches the gate
        "comment": ("allnoconfig + " + " ".join(args.fragments.split())) if args.fragments else None,
        "misc": drop_empty(misc),
    }
    return drop_empty(build)


def environment_of(args):
    parts = []
    if args.cpu:
        parts.append(f"-cpu {args.cpu}")
    if args.smp:
        parts.append(f"-smp {args.smp}")
    if args.mem:
        parts.append(f"-m {args.mem}")
    misc = drop_empty({
        "platform": args.platform,
        "cpu": args.cpu, "smp": int(args.smp) if args.smp else None, "memory": args.mem,
        "tier": args.tier, "guests": int(args.guests) if args.guests else None,
        "filter": args.filter, "inject": args.inject,
    })
    env = {
        "comment": " ".join([args.platform] + parts) if args.platform else None,
        "compatible": [args.compatible] if args.compatible else None,
        "misc": misc,
    }
    return drop_empty(env)


def convert(args):
    run_dir = args.run_dir
    results_path = os.path.join(run_dir, "results.json")
    try:
        with open(results_path, "rb") as f:
            raw = f.read()
        results = json.loads(raw)
        suites = results["suites"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ConversionError(f"cannot read {results_path}: {e}") from e

    origin = args.origin
    kernel_id = args.kernel_id or (read_text(os.path.join(run_dir, "kernel-id")) or "").strip()
    if not kernel_id:
        raise ConversionError(f"no kernel id: {run_dir}/kernel-id missing and no --kernel-id")
    run_id = f"{os.path.basename(os.path.abspath(run_dir))}-{hashlib.sha256(raw).hexdigest()[:8]}"

    checkout = checkout_of(args, kernel_id, origin)
    build = build_of(args, kernel_id, checkout["id"], origin)
    env = environment_of(args)
    times = printk_times(os.path.join(run_dir, "console.log"))
    t0 = boot_time(run_dir, args.boot_time)

    def start_of(line=None, timestamp=None):
        if t0 is None:
            return None
        ts = timestamp if timestamp is not None else times.get(line)
        return iso(t0 + datetime.timedelta(seconds=ts)) if ts is not None else None

    paths = Paths()
    tests, issues, incidents = [], [], []
    splats = results.get("splats") or []
    problems = results.get("problems") or []
    kf_comments = known_failure_comments(args.known_failures)

    def new_test(path, status, local_id=None, **fields):
        local_id = path if local_id is None else local_id
        test = {
            "id": f"{origin}:{run_id}:{local_id}" if local_id else f"{origin}:{run_id}",
            "build_id": build["id"],
            "origin": origin,
            "path": path,
            "status": status,
            "environment": env or None,
        }
        test.update(fields)
        test = drop_empty(test)
        test["path"] = path  # "" is the root, not a missing path
        tests.append(test)
        return test

    for suite in suites:
        sid, kind = suite.get("id", ""), suite.get("kind", "ktap")
        reported = set()  # parents whose first never-reported child was seen
        for row in suite.get("tests") or []:
            gpath, name = row.get("path", sid), row.get("name", "")
            parent = gpath[:-len(name) - 1] if name and gpath.endswith("." + name) else sid
            running = False
            if row.get("synthetic") and parent not in reported:
                reported.add(parent)
                running = True
            status = kcidb_status(row, running)
            path = paths.make(gate_path_parts(sid, kind, gpath, name))
            pieces = []
            if status not in ("PASS", "SKIP"):
                if running:
                    pieces.append("was running when the output stopped (its result line "
                                  "and those of the tests after it never came)")
                elif status == "MISS":
                    pieces.append("planned, never ran: the output had stopped before it")
                for p in problems:
                    if p.get("kind") != "splat" and (p.get("test") == gpath or
                                                     (running and p.get("test") == parent)):
                        pieces.append(f"gate: [{p.get('kind')}] {p.get('message')}")
                pieces += row.get("log") or []
                pieces += [f"parser: {e}" for e in row.get("errors") or []
                           if not (row.get("synthetic") and e == "planned test never reported")]
                for s in splats:
                    rt = s.get("running_test") or ""
                    if not rt:
                        continue
                    if rt == gpath or rt.startswith(gpath + ".") or \
                            (running and gpath.startswith(rt + ".")):
                        tag = " (expected)" if s.get("expected") else ""
                        pieces.append(f"splat{tag} at console line {s.get('line')}:")
                        pieces += s.get("excerpt") or []
            misc = drop_empty({
                "gate_path": gpath,
                "suite": sid,
                "kind": kind,
                "gate_status": row.get("status"),
                "directive": row.get("directive"),
                "reason": row.get("reason"),
                "known_failure": bool(row.get("known_failure")) or None,
                "synthetic": bool(row.get("synthetic")) or None,
                "console_lines": (f"{row.get('first_line')}-{row.get('last_line')}"
                                  if row.get("first_line") else None),
            })
            test = new_test(
                path, status,
                comment=clean(gpath),
                duration=row.get("duration_s"),
                start_time=start_of(row.get("first_line")),
                log_excerpt=excerpt(pieces) if pieces else None,
                misc=misc,
            )
            if row.get("known_failure"):
                issue_id = f"{origin}:known-failure:{gpath}"
                if not any(i["id"] == issue_id for i in issues):
                    note = kf_comments.get(gpath)
                    issues.append(drop_empty({
                        "id": issue_id, "version": 1, "origin": origin,
                        "comment": clean(f"Known failure (configs/known-failures): {gpath}"
                                         + (f": {note}" if note else "")),
                        "misc": {"gate_path": gpath},
                    }))
                present = {"FAIL": True, "PASS": False}.get(status)
                incidents.append(drop_empty({
                    "id": f"{test['id']}:known-failure",
                    "origin": origin,
                    "issue_id": issue_id,
                    "issue_version": 1,
                    "test_id": test["id"],
                    "present": present,
                    "comment": ("failed, as known" if present else
                                "known failure that passed: the gate fails the run"
                                if present is False else f"known failure, status {status}"),
                }))

    # Expected suites that never ran.
    for p in problems:
        target = p.get("test") or ""
        if p.get("kind") != "missing-suite" or not target or any(c in target for c in "*?["):
            continue
        kind = "kselftest" if ":" in target else "ktap"
        new_test(paths.make(gate_path_parts(target, kind, target, "")), "MISS",
                 comment=clean(target), log_excerpt=excerpt([f"gate: {p.get('message')}"]),
                 misc={"gate_path": target, "suite": target, "kind": kind})

    # Kernel splats, as junit.xml's "kernel-log" suite has them.
    for s in splats:
        rt = s.get("running_test") or ""
        where = f"while running {rt}" if rt else "outside any test"
        # One path per kind (a test of the tree, as dmesg checks are), many runs of it.
        path = ".".join(component(p) for p in ["wpsuite", "kernel_log", s.get("kind") or "splat"])
        new_test(path, "PASS" if s.get("expected") else "FAIL",
                 local_id=f"wpsuite.kernel_log@{s.get('line')}",
                 comment=clean(f"{s.get('title')} (console line {s.get('line')}) {where}"
                               + (f"; expected by '{s.get('expect_id')}'" if s.get("expected")
                                  else "")),
                 start_time=start_of(timestamp=s.get("timestamp")),
                 log_excerpt=excerpt(s.get("excerpt") or []) or None,
                 misc=drop_empty({"kind": s.get("kind"), "line": s.get("line"),
                                  "running_test": rt, "expected": bool(s.get("expected")),
                                  "expect_id": s.get("expect_id")}))

    for w in results.get("expect_splat") or []:
        ok = bool(w.get("seen")) and bool(w.get("end_line"))
        why = ("" if ok else "expected splat not seen" if not w.get("seen")
               else "window never ended")
        new_test(paths.make(["wpsuite", "expect_splat", w.get("id") or "window"]),
                 "PASS" if ok else "FAIL",
                 comment=clean(f"expect-splat '{w.get('id')}': {w.get('substring')}"),
                 start_time=start_of(w.get("begin_line")),
                 log_excerpt=excerpt([why]) if why else None,
                 misc=drop_empty({"substring": w.get("substring"),
                                  "begin_line": w.get("begin_line"),
                                  "end_line": w.get("end_line")}))

    # The root: the gate's verdict, with its problems.
    green = bool(results.get("green"))
    pieces = []
    for n, p in enumerate(problems, 1):
        pieces.append(f"{n}. [{p.get('kind')}] {p.get('message')}")
        if p.get("kind") in ("not-finished", "guest-exit", "timeout", "parse-limit"):
            pieces += [f"   | {line}" for line in p.get("excerpt") or []]
    totals = results.get("totals") or {}
    new_test("", "PASS" if green else "FAIL",
             comment=(f"ktap-gate: {'GREEN' if green else 'RED'}, {totals.get('suites', 0)} "
                      f"suites: {totals.get('passed', 0)} passed, {totals.get('failed', 0)} "
                      f"failed, {totals.get('crashed', 0)} crashed, "
                      f"{totals.get('skipped', 0)} skipped; {len(problems)} problem(s)"),
             duration=totals.get("duration_s"),
             start_time=iso(t0) if t0 else None,
             log_excerpt=excerpt(pieces) if pieces else None,
             misc=drop_empty({"run": os.path.basename(os.path.abspath(run_dir)),
                              "verdict": results.get("verdict"),
                              "totals": totals,
                              "notes": results.get("notes"),
                              "console_lines": (results.get("console") or {}).get("lines")}))

    doc = {"version": dict(VERSION), "checkouts": [checkout], "builds": [build], "tests": tests}
    if issues:
        doc["issues"] = issues
    if incidents:
        doc["incidents"] = incidents
    return scrub(doc)


# --------------------------------------------------------------------------
# Validation


def load_jsonschema():
    try:
        import jsonschema  # noqa: PLC0415 (only validate needs it)
        return jsonschema
    except ImportError:
        pass
    # python3 on PATH may not be Debian's (pyenv, a venv): python3-jsonschema
    # is installed for /usr/bin/python3.
    system = "/usr/bin/python3"
    if os.path.exists(system) and os.path.realpath(sys.executable) != os.path.realpath(system) \
            and not os.environ.get("WPSUITE_KCIDB_REEXEC"):
        os.environ["WPSUITE_KCIDB_REEXEC"] = "1"
        os.execv(system, [system, os.path.abspath(sys.argv[0])] + sys.argv[1:])
    print("kcidb.py: python3-jsonschema is not installed (apt-get install python3-jsonschema)",
          file=sys.stderr)
    sys.exit(2)


def consistency_errors(doc):
    """What the schema cannot check."""
    errors = []
    ids = {}
    for kind in ("checkouts", "builds", "tests", "issues", "incidents"):
        seen = set()
        for n, obj in enumerate(doc.get(kind) or []):
            oid, origin = obj.get("id", ""), obj.get("origin", "")
            if oid in seen:
                errors.append(f"{kind}[{n}]: duplicate id {oid!r}")
            seen.add(oid)
            if not oid.startswith(origin + ":"):
                errors.append(f"{kind}[{n}]: id {oid!r} does not start with its origin {origin!r}:")
        ids[kind] = seen
    links = (("builds", "checkout_id", "checkouts"), ("tests", "build_id", "builds"),
             ("incidents", "test_id", "tests"), ("incidents", "issue_id", "issues"))
    for kind, key, target in links:
        for n, obj in enumerate(doc.get(kind) or []):
            if key in obj and obj[key] not in ids[target]:
                errors.append(f"{kind}[{n}]: {key} {obj[key]!r} is not in {target}")
    versions = {(i.get("id"), i.get("version")) for i in doc.get("issues") or []}
    for n, obj in enumerate(doc.get("incidents") or []):
        if (obj.get("issue_id"), obj.get("issue_version")) not in versions:
            errors.append(f"incidents[{n}]: no issue {obj.get('issue_id')!r} "
                          f"version {obj.get('issue_version')}")
    return errors


def validation_errors(doc, schema, jsonschema):
    """Schema errors, then consistency errors, as strings ([] if valid)."""
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = []
    for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in e.absolute_path) or "(document)"
        errors.append(f"{where}: {e.message}")
    if not errors:
        errors = consistency_errors(doc)
    return errors


def validate(args):
    jsonschema = load_jsonschema()
    try:
        with open(args.schema, encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft7Validator.check_schema(schema)
    except (OSError, ValueError, jsonschema.exceptions.SchemaError) as e:
        print(f"kcidb.py: bad schema {args.schema}: {e}", file=sys.stderr)
        return 2
    rc = 0
    for path in args.files:
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print(f"kcidb: {path}: NOT VALID: cannot read: {e}")
            rc = 1
            continue
        errors = validation_errors(doc, schema, jsonschema)
        if errors:
            rc = 1
            print(f"kcidb: {path}: NOT VALID ({len(errors)} error(s)):")
            for e in errors[:20]:
                print(f"  {e}")
            if len(errors) > 20:
                print(f"  ... and {len(errors) - 20} more")
        else:
            counts = {k: len(doc.get(k) or []) for k in ("tests", "issues", "incidents")}
            statuses = {}
            for t in doc.get("tests") or []:
                statuses[t.get("status")] = statuses.get(t.get("status"), 0) + 1
            print(f"kcidb: {path}: valid KCIDB v{doc['version']['major']}."
                  f"{doc['version'].get('minor', 0)}: {counts['tests']} tests ("
                  + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
                  + f"), {counts['issues']} issues, {counts['incidents']} incidents")
    return rc


# --------------------------------------------------------------------------


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=STATUS_DOC)
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("convert", help="results.json -> kcidb.json",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=STATUS_DOC)
    c.add_argument("run_dir", help="results/<run>/ (results.json, kernel-id, console.log)")
    c.add_argument("--out", help="default RUN_DIR/kcidb.json; '-' for stdout")
    c.add_argument("--origin", default=os.environ.get("WPSUITE_KCIDB_ORIGIN") or "wpsuite",
                   help="KCIDB origin and id prefix (default $WPSUITE_KCIDB_ORIGIN or wpsuite)")
    c.add_argument("--kernel-id", help="default: RUN_DIR/kernel-id (source version + series)")
    c.add_argument("--build", help="the kernel build's key (basename of its build directory)")
    c.add_argument("--kconfig", help="the build's .config (compiler text, config hash)")
    c.add_argument("--compiler", help="instead of the .config's CONFIG_CC_VERSION_TEXT")
    c.add_argument("--fragments", help="the config fragments, space-separated, in merge order")
    c.add_argument("--variant", default="")
    c.add_argument("--toolchain", default="")
    c.add_argument("--patches-dir", help="patches/ (for v5's patchset_hash)")
    c.add_argument("--series", default="all", help="run_tests.sh --series (all or N)")
    c.add_argument("--kdir", help="the user's tree (--kdir): its git commit, if any")
    c.add_argument("--known-failures", help="configs/known-failures (issue comments)")
    c.add_argument("--platform", default="qemu-system-aarch64 -machine virt",
                   help="test environment, for its comment")
    c.add_argument("--compatible", default="linux,dummy-virt",
                   help="the device tree's root compatible (QEMU virt's by default; '' for none)")
    for opt in ("cpu", "smp", "mem", "tier", "guests", "filter", "inject"):
        c.add_argument(f"--{opt}", default="")
    c.add_argument("--boot-time", help="ISO 8601 wall-clock time of printk 0 "
                   "(default: RUN_DIR/kernel-id's mtime)")
    v = sub.add_parser("validate", help="check kcidb.json files")
    v.add_argument("files", nargs="+")
    v.add_argument("--schema", default=SCHEMA)
    args = ap.parse_args(argv)

    if args.command == "validate":
        return validate(args)
    try:
        doc = convert(args)
        text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
        out = args.out or os.path.join(args.run_dir, "kcidb.json")
        if out == "-":
            sys.stdout.write(text)
        else:
            tmp = out + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, out)
            statuses = {}
            for t in doc["tests"]:
                statuses[t["status"]] = statuses.get(t["status"], 0) + 1
            print(f"kcidb: {out}: {len(doc['tests'])} tests ("
                  + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())) + ")")
        return 0
    except ConversionError as e:
        print(f"kcidb.py: conversion failed: {e}", file=sys.stderr)
        return 1
    except Exception:  # a bug here must be loud, and must not stop the run
        import traceback  # noqa: PLC0415
        print(f"kcidb.py: conversion failed with an internal error on {args.run_dir}:",
              file=sys.stderr)
        traceback.print_exc()
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
