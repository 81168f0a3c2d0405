#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the guest's "wpsuite-bench: <key> <value>" lines into bench.json and
a table: each figure next to the one it is compared with, and the ratio.

Usage: bench_report.py CONSOLE_LOG OUT_JSON KERNEL_ID CPU SMP
"""
import json
import re
import sys


def main():
    log, out, kernel, cpu, smp = sys.argv[1:6]
    raw = {}
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

    def pair(name, value, unit, base, base_name, goal=None, note=""):
        ratio = value / base if value is not None and base else None
        rows.append({"name": name, "value": value, "unit": unit,
                     "compared_with": base_name, "base": base,
                     "ratio": ratio, "goal": goal, "note": note})

    ps = 1e-3  # ps -> ns
    plain = g("write.plain_ps")
    legit = g("write.legit_ps")
    pair("legit guarded write (PSTATE.D only)", legit and legit * ps, "ns",
         plain and plain * ps, "plain store",
         note="emulator figure: each msr daif leaves QEMU's fast path")
    pair("legit write with local_daif_save()", g("write.daif_save_ps") and
         g("write.daif_save_ps") * ps, "ns", plain and plain * ps, "plain store")
    seed, seed_legit = g("seed.seed_ns"), g("seed.legit_ns")
    pair("seed's writer: unregister + store + re-register", seed, "ns",
         seed_legit, "legit guarded write", goal=">= 1000x")
    pair("one watchpoint hit (callback + step over)", g("hit.hit_ns"), "ns",
         g("hit.plain_ps") and g("hit.plain_ps") * ps, "plain store")
    pair("call through a trampoline, empty body", g("call.trampoline_ps") and
         g("call.trampoline_ps") * ps, "ns",
         g("call.direct_ps") and g("call.direct_ps") * ps, "direct call",
         goal="<= 2x")
    pair("check_entry() through its trampoline", g("check.check_tramp_ps") and
         g("check.check_tramp_ps") * ps, "ns",
         g("check.check_direct_ps") and g("check.check_direct_ps") * ps,
         "its body called directly", goal="<= 1.05x")
    pair("one move of test_driver (no callers)", g("move.mean_us"), "us",
         None, "", note="max %s us over %s moves" % (g("move.max_us"),
                                                    g("move.count")))
    sustained = [p for p in (20, 10, 5, 2, 1)
                 if g("period.%d.overruns" % p) == 0]
    rows.append({"name": "shortest period without overruns",
                 "value": min(sustained) if sustained else None, "unit": "ms",
                 "compared_with": "", "base": None, "ratio": None,
                 "goal": None,
                 "note": "tried 20, 10, 5, 2, 1 ms for 2 s each" +
                 ("" if sustained else ": none kept up")})
    none = g("throughput.none")
    for p in ("20ms", "5ms", "1ms"):
        v = g("throughput." + p)
        pair("check_entry() calls/s, moves every " + p[:-2] + " ms", v,
             "calls/s", none, "no moves",
             goal="<= 2% loss" if p == "1ms" else None,
             note="wrong: %s" % g("throughput.%s.wrong" % p))
    gp, gg = g("guard.plain_ps"), g("guard.guarded_ps")
    pair("the mover's guarded slot write", gg and gg * ps, "ns",
         gp and gp * ps, "plain store", note="emulator figure")

    doc = {"kernel": kernel, "cpu": cpu, "smp": int(smp),
           "emulator": "QEMU TCG: absolute times are the emulator's",
           "figures": rows, "raw": raw}
    with open(out, "w") as f:
        json.dump(doc, f, indent=2)

    print(f"{'figure':<52}{'value':>14}  {'compared with':<28}{'ratio':>9}  goal")
    for r in rows:
        v = "-" if r["value"] is None else f"{r['value']:.1f} {r['unit']}"
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        print(f"{r['name']:<52}{v:>14}  {r['compared_with']:<28}{ratio:>9}  "
              f"{r['goal'] or ''}{'  (' + r['note'] + ')' if r['note'] else ''}")
    missing = [k for k in ("write.plain_ps", "seed.seed_ns", "hit.hit_ns",
                           "call.trampoline_ps", "check.check_tramp_ps",
                           "move.mean_us", "throughput.none",
                           "guard.guarded_ps") if k not in raw]
    if missing:
        print("bench: missing figures: " + ", ".join(missing))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
