#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn "wpsuite-bench: <key> <value>" lines (the guest's console, and
run_tests.sh bench --suite's times.log) into bench.json and a table: each
figure next to the one it is compared with, the ratio, and the goal.

Usage: bench_report.py OUT_JSON KERNEL_ID KERNEL_FLAVOUR CPU SMP LOG...
       bench_report.py --markdown BENCH_JSON   (the table, for the README)
"""
import json
import re
import sys


def fmt(v):
    """A figure for a note: integers without '.0', None as '-'."""
    if v is None:
        return "-"
    return "%d" % v if v == int(v) else "%.1f" % v


def suite_rows(g, pair):
    """The suite's own cost (bench --suite), next to kunit.py run."""
    if g("suite.main.cold.seconds") is None:
        return

    def verdict(run):
        rc = g("suite.%s.exit" % run)
        return "" if rc == 0 else "exit %d" % rc

    def note(run, extra=""):
        return "; ".join(x for x in (verdict(run), extra) if x)

    cold = g("suite.main.cold.seconds")
    pair("whole suite, cold (empty cache)", cold, "s",
         g("suite.kunit.cold.seconds"), "kunit.py run, cold",
         goal=("<= 6 min incl. package install", lambda s: s <= 360),
         by="value",
         note=note("main.cold", "kernel build %s s, guest %s s, packages "
                   "and busybox %s s" % (fmt(g("suite.main.cold.build_seconds")),
                                         fmt(g("suite.main.cold.guest_seconds")),
                                         fmt(g("suite.main.cold.deps_seconds")))))
    pair("kernel build, cold", g("suite.main.cold.build_seconds"), "s",
         g("suite.kunit.cold.build_seconds"), "kunit.py's, cold")
    warm, guest = g("suite.main.warm.seconds"), g("suite.main.warm.guest_seconds")
    pair("whole suite, warm (quick tier)", warm, "s", g("suite.kunit.warm.seconds"),
         "kunit.py run, warm", goal=("<= 60 s wall", lambda s: s <= 60), by="value",
         note=note("main.warm"))
    pair("whole suite, warm, stress tier", g("suite.main.stress.seconds"), "s",
         warm, "quick tier, warm",
         note=note("main.stress", "guest %s s" % fmt(g("suite.main.stress.guest_seconds"))))
    pair("whole suite, warm, beyond boot",
         warm - guest if warm is not None and guest is not None else None,
         "s", None, "", goal=("<= 15 s", lambda s: s <= 15), by="value",
         note="outside QEMU: build checks, modules, kselftests, gate")
    pair("whole suite in QEMU, warm", guest, "s",
         g("suite.kunit.warm.guest_seconds"), "kunit.py's guest, warm",
         note="%s KUnit tests in kunit.py's run" % fmt(g("suite.kunit.warm.tests")))


def cells(r):
    """value, ratio and goal of a row, as text."""
    v = "-" if r["value"] is None else f"{fmt(round(r['value'], 1))} {r['unit']}"
    ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}x"
    goal = ""
    if r["goal"]:
        goal = r["goal"] + {True: " (met)", False: " (not met)",
                            None: ""}[r["goal_met"]]
    return v, ratio, goal


def print_table(rows):
    print(f"{'figure':<52}{'value':>14}  {'compared with':<28}{'ratio':>9}  goal")
    for r in rows:
        v, ratio, goal = cells(r)
        print(f"{r['name']:<52}{v:>14}  {r['compared_with']:<28}{ratio:>9}  "
              f"{goal}{'  (' + r['note'] + ')' if r['note'] else ''}")


def print_markdown(doc):
    print("| figure | value | compared with | ratio | goal | notes |")
    print("|---|---|---|---|---|---|")
    for r in doc["figures"]:
        v, ratio, goal = cells(r)
        print(f"| {r['name']} | {v} | {r['compared_with'] or '-'} | {ratio} "
              f"| {goal} | {r['note']} |")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--markdown":
        print_markdown(json.load(open(sys.argv[2])))
        return 0
    out, kernel, flavour, cpu, smp = sys.argv[1:6]
    raw = {}
    for log in sys.argv[6:]:
        for line in open(log, errors="replace"):
            m = re.search(r"wpsuite-bench: (\S+) (\S+)\s*$", line)
            if m and m.group(1) not in ("begin", "end"):
                try:
                    raw[m.group(1)] = float(m.group(2))
                except ValueError:
                    pass

    def g(key):
        return raw.get(key)

    rows = []

    # A goal is (text, test of the ratio, or of the value if by="value").
    def pair(name, value, unit, base, base_name, goal=None, note="",
             by="ratio"):
        ratio = value / base if value is not None and base else None
        met = None
        if goal:
            x = ratio if by == "ratio" else value
            met = None if x is None else bool(goal[1](x))
        rows.append({"name": name, "value": value, "unit": unit,
                     "compared_with": base_name, "base": base,
                     "ratio": ratio, "goal": goal[0] if goal else None,
                     "goal_met": met, "note": note})

    ps = 1e-3  # ps -> ns

    def ns(key):
        v = g(key + "_ps")
        return v * ps if v is not None else None

    # "p10-p90" of a figure printed by wpsuite_bench_print(), in ns.
    def spread(key, other=None):
        def one(k):
            lo, hi = g(k + "_p10"), g(k + "_p90")
            if lo is None or hi is None:
                return None
            return "%.1f-%.1f" % (lo * ps, hi * ps)
        parts = [x for x in (one(key), other and one(other)) if x]
        return "p10-p90 " + " vs ".join(parts) + " ns" if parts else ""
    pair("legit guarded write (PSTATE.D only)", ns("write.legit"), "ns",
         ns("write.plain"), "plain store",
         note="emulator figure: each msr daif leaves QEMU's fast path; " +
         spread("write.legit", "write.plain"))
    pair("legit write with local_daif_save()", ns("write.daif_save"), "ns",
         ns("write.plain"), "plain store", note=spread("write.daif_save"))
    pair("seed's writer: unregister + store + re-register", ns("seed.seed"),
         "ns", ns("seed.legit"), "legit guarded write",
         goal=(">= 1000x", lambda r: r >= 1000),
         note=spread("seed.seed", "seed.legit"))
    pair("one watchpoint hit (callback + step over)", ns("hit.hit"), "ns",
         ns("hit.plain"), "plain store", note=spread("hit.hit"))
    pair("call through a trampoline, empty body", ns("call.trampoline"),
         "ns", ns("call.direct"), "direct call",
         goal=("<= 2x", lambda r: r <= 2),
         note=spread("call.trampoline", "call.direct"))
    pair("check_entry() through its trampoline", ns("check.check_tramp"),
         "ns", ns("check.check_direct"), "its body called directly",
         goal=("<= 1.05x", lambda r: r <= 1.05),
         note=spread("check.check_tramp", "check.check_direct"))
    pair("one move of test_driver (no callers)", g("move.mean_us"), "us",
         None, "", note="mean; max %s us over %s moves" % (
             fmt(g("move.max_us")), fmt(g("move.count"))))
    sustained = [p for p in (20, 10, 5, 2, 1)
                 if g("period.%d.overruns" % p) == 0]
    pair("shortest period without overruns",
         min(sustained) if sustained else None, "ms", None, "",
         note="tried 20, 10, 5, 2, 1 ms for 2 s each" +
         ("" if sustained else ": none kept up"))
    none = g("throughput.none")
    for p in ("20ms", "5ms", "1ms"):
        v = g("throughput." + p)
        pair("check_entry() calls/s, moves every " + p[:-2] + " ms", v,
             "calls/s", none, "no moves",
             goal=("<= 2% loss", lambda r: r >= 0.98) if p == "1ms" else None,
             note="median of %s 1 s windows interleaved with the others; "
             "range %s-%s vs %s-%s; wrong calls %s" % (
                 fmt(g("throughput.rounds")),
                 fmt(g("throughput.%s.min" % p)),
                 fmt(g("throughput.%s.max" % p)),
                 fmt(g("throughput.none.min")), fmt(g("throughput.none.max")),
                 fmt(g("throughput.wrong"))))
    pair("the mover's guarded slot write", ns("guard.guarded"), "ns",
         ns("guard.plain"), "plain store",
         note="emulator figure; " + spread("guard.guarded", "guard.plain"))

    suite_rows(g, pair)

    doc = {"kernel": kernel, "flavour": flavour, "cpu": cpu, "smp": int(smp),
           "emulator": "QEMU TCG: absolute times are the emulator's",
           "figures": rows, "raw": raw}
    with open(out, "w") as f:
        json.dump(doc, f, indent=2)

    print_table(rows)
    missing = [k for k in ("write.plain_ps", "seed.seed_ps", "hit.hit_ps",
                           "call.trampoline_ps", "check.check_tramp_ps",
                           "move.mean_us", "throughput.none",
                           "guard.guarded_ps") if k not in raw]
    if missing:
        print("bench: missing figures: " + ", ".join(missing))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
