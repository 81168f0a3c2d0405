#include "wpsuite/kernel_log.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace wpsuite {
namespace {

ConsoleAnalysis analyze(const std::string& text) {
  const auto lines = split_console(text);
  return analyze_console(lines, parse_ktap(lines));
}

TEST(SplatClassify, EachKind) {
  const std::vector<std::pair<std::string, SplatKind>> cases = {
      {"BUG: KASAN: slab-out-of-bounds in foo+0x10/0x20", SplatKind::Kasan},
      {"BUG: spinlock bad magic on CPU#0, swapper/0/1", SplatKind::SpinlockBug},
      {"BUG: looking up invalid subclass: 9", SplatKind::Bug},
      {"BUG: KFENCE: use-after-free read in test_uaf+0x1/0x2", SplatKind::Kfence},
      {"BUG: workqueue lockup - pool cpus=1 node=0 flags=0x0 nice=0 stuck for 31s!",
       SplatKind::WorkqueueLockup},
      {"BUG: Bad page state in process swapper/0  pfn:4321", SplatKind::BadPage},
      {"BUG: Bad rss-counter state mm:00000000c0ffee00 type:MM_ANONPAGES val:1",
       SplatKind::BadPage},
      {"pagealloc: memory corruption", SplatKind::BadPage},
      {"pagealloc: single bit error", SplatKind::BadPage},
      {"BUG: using smp_processor_id() in preemptible [00000000] code: sh/1",
       SplatKind::Preemptible},
      {"BUG: using __this_cpu_read() in preemptible [00000000] code: sh/1", SplatKind::Preemptible},
      {"kmemleak: unreferenced object 0xffff000012345678 (size 32):", SplatKind::Kmemleak},
      {"unreferenced object 0xffff000012345678 (size 32):", SplatKind::Kmemleak},
      {"list_add corruption. next->prev should be prev (ffff0000), but was 0. (next=ffff0001).",
       SplatKind::ListCorruption},
      {"refcount_t: underflow; use-after-free.", SplatKind::Refcount},
      {"WARNING: possible irq lock inversion dependency detected", SplatKind::Lockdep},
      {"WARNING: HARDIRQ-safe -> HARDIRQ-unsafe lock order detected", SplatKind::Lockdep},
      {"WARNING: bad unlock balance detected!", SplatKind::Lockdep},
      {"WARNING: sh/1 still has locks held!", SplatKind::Lockdep},
      {"INFO: trying to register non-static key.", SplatKind::Lockdep},
      {"WARNING: Underflow in clocksource 'arch_sys_counter' observed, time update ignored.",
       SplatKind::Warning},
      {"rcu: INFO: rcu_preempt detected expedited stalls on CPUs/tasks: { 1-... } 5 jiffies",
       SplatKind::RcuStall},
      {"INFO: rcu_tasks detected stalls on tasks:", SplatKind::RcuStall},
      {"NMI watchdog: Watchdog detected hard LOCKUP on cpu 1", SplatKind::HardLockup},
      {"SError Interrupt on CPU1, code 0x00000000be000000 -- SError", SplatKind::SError},
      {"Insufficient stack space to handle exception!", SplatKind::StackOverflow},
      {"Unhandled 64-bit el1h sync exception on CPU0, ESR 0x0000000002000000 -- "
       "Unknown/Uncategorized",
       SplatKind::UnhandledException},
      {"Checked W+X mappings: FAILED, 1 W+X pages found, 0 non-UXN pages found",
       SplatKind::WxMapping},
      {"Unexpected kernel BRK exception at EL1", SplatKind::DebugException},
      {"Unexpected kernel single-step exception at EL1", SplatKind::DebugException},
      {"Internal error: Oops: 0000000096000004 [#1] PREEMPT SMP", SplatKind::Oops},
      {"Internal error: Oops - BUG: 00000000f2000800 [#1] SMP", SplatKind::Oops},
      {"Oops: 0000 [#1] PREEMPT SMP NOPTI", SplatKind::Oops},
      {"Unable to handle kernel NULL pointer dereference at virtual address 0000000000000008",
       SplatKind::PageFault},
      {"Unable to handle kernel paging request at virtual address dead000000000108",
       SplatKind::PageFault},
      {"kernel BUG at mm/slub.c:432!", SplatKind::KernelBug},
      {"WARNING: CPU: 0 PID: 1 at kernel/events/hw_breakpoint.c:123 f+0x1/0x2", SplatKind::Warning},
      {"WARNING: possible circular locking dependency detected", SplatKind::Lockdep},
      {"WARNING: possible recursive locking detected", SplatKind::Lockdep},
      {"WARNING: inconsistent lock state", SplatKind::Lockdep},
      {"WARNING: suspicious RCU usage", SplatKind::Lockdep},
      {"BUG: scheduling while atomic: swapper/0/0/0x00000002", SplatKind::SchedulingWhileAtomic},
      {"BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580",
       SplatKind::SleepInAtomic},
      {"INFO: task kworker/0:1:12 blocked for more than 120 seconds.", SplatKind::HungTask},
      {"rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:", SplatKind::RcuStall},
      {"rcu: INFO: rcu_sched self-detected stall on CPU", SplatKind::RcuStall},
      {"watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [swapper/0:1]", SplatKind::SoftLockup},
      {"watchdog: Watchdog detected hard LOCKUP on cpu 1", SplatKind::HardLockup},
      {"BUG: KCSAN: data-race in a / b", SplatKind::Kcsan},
      {"UBSAN: shift-out-of-bounds in lib/x.c:10:5", SplatKind::Ubsan},
      {"Kernel panic - not syncing: Oops: Fatal exception", SplatKind::Panic},
  };
  for (const auto& [line, kind] : cases) {
    const auto got = classify_splat_line(line);
    ASSERT_TRUE(got) << line;
    EXPECT_EQ(*got, kind) << line;
  }
}

TEST(SplatClassify, NotSplats) {
  for (const char* line :
       {"# BUG: printed by a test", "    # test: WARNING: in a KUnit log",
        "wpsuite: expect-splat begin x WARNING:", "ok 1 BUG: name", "INFO: task list",
        "rcu: Hierarchical RCU implementation.", "Warning: unable to open an initial console.", "",
        "INFO: lockdep is turned off.", "  BUG: indented, not a header",
        "Checked W+X mappings: passed, no W+X pages found", "\tExpected x == \"BUG: y\", but"}) {
    EXPECT_FALSE(classify_splat_line(line)) << line;
  }
}

constexpr const char* kWarnLog = R"([ 1.0] KTAP version 1
[ 1.0] 1..1
[ 1.0]     KTAP version 1
[ 1.0]     # Subtest: wp
[ 1.0]     1..2
[ 1.1]     ok 1 first
[ 1.2] ------------[ cut here ]------------
[ 1.2] WARNING: CPU: 0 PID: 7 at drivers/x.c:10 wp_second+0x1/0x2
[ 1.2] Modules linked in:
[ 1.2] Call trace:
[ 1.2]  wp_second+0x1/0x2
[ 1.2] ---[ end trace 0000000000000000 ]---
[ 1.3]     ok 2 second
[ 1.3] ok 1 wp
)";

TEST(Splats, ExcerptRunsToEndTraceAndNamesTheRunningTest) {
  const ConsoleAnalysis a = analyze(kWarnLog);
  ASSERT_EQ(a.splats.size(), 1u);
  const Splat& s = a.splats[0];
  EXPECT_EQ(s.kind, SplatKind::Warning);
  EXPECT_EQ(s.line, 8u);
  EXPECT_EQ(s.title, "WARNING: CPU: 0 PID: 7 at drivers/x.c:10 wp_second+0x1/0x2");
  ASSERT_EQ(s.excerpt.size(), 6u);
  EXPECT_EQ(s.excerpt.front(), "[ 1.2] ------------[ cut here ]------------");
  EXPECT_EQ(s.excerpt.back(), "[ 1.2] ---[ end trace 0000000000000000 ]---");
  EXPECT_EQ(s.running_test, "wp.second");
  ASSERT_TRUE(s.timestamp);
  EXPECT_NEAR(*s.timestamp, 1.2, 1e-9);
}

TEST(Splats, ExcerptIsCapped) {
  std::string text = "WARNING: possible recursive locking detected\n";
  for (std::size_t i = 0; i < 2 * kMaxExcerptLines; ++i) {
    text += "lock line " + std::to_string(i) + "\n";
  }
  const ConsoleAnalysis a = analyze(text);
  ASSERT_EQ(a.splats.size(), 1u);
  EXPECT_EQ(a.splats[0].excerpt.size(), kMaxExcerptLines);
  EXPECT_EQ(a.splats[0].kind, SplatKind::Lockdep);
  EXPECT_EQ(a.splats[0].running_test, "");
}

TEST(Splats, NextSplatEndsTheExcerpt) {
  const ConsoleAnalysis a = analyze(
      "BUG: scheduling while atomic: a/1/0x2\nModules linked in:\nBUG: sleeping function called "
      "from "
      "invalid context at x.c:1\nin_atomic(): 1\nwpsuite: done\nafter\n");
  ASSERT_EQ(a.splats.size(), 2u);
  EXPECT_EQ(a.splats[0].excerpt.size(), 2u);
  EXPECT_EQ(a.splats[1].kind, SplatKind::SleepInAtomic);
  EXPECT_EQ(a.splats[1].excerpt.size(), 2u);  // stops at the marker
}

TEST(Splats, OopsAfterPageFaultIsOneSplatPanicIsAnother) {
  const ConsoleAnalysis a =
      analyze(R"(Unable to handle kernel NULL pointer dereference at virtual address 0
Mem abort info:
Internal error: Oops: 0000000096000004 [#1] PREEMPT SMP
Call trace:
---[ end trace 0000000000000000 ]---
Kernel panic - not syncing: Oops: Fatal exception
SMP: stopping secondary CPUs
---[ end Kernel panic - not syncing: Oops: Fatal exception ]---
later
)");
  ASSERT_EQ(a.splats.size(), 2u);
  EXPECT_EQ(a.splats[0].kind, SplatKind::PageFault);
  EXPECT_EQ(a.splats[0].excerpt.size(), 5u);
  EXPECT_EQ(a.splats[1].kind, SplatKind::Panic);
  EXPECT_EQ(a.splats[1].excerpt.size(), 3u);
}

TEST(Splats, HungTaskRcuStallSoftLockup) {
  const ConsoleAnalysis a = analyze(
      "[ 130.0] INFO: task sh:1 blocked for more than 120 seconds.\n"
      "[ 131.0] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
      "[ 132.0] watchdog: BUG: soft lockup - CPU#1 stuck for 23s! [t:5]\n");
  ASSERT_EQ(a.splats.size(), 3u);
  EXPECT_EQ(a.splats[0].kind, SplatKind::HungTask);
  EXPECT_EQ(a.splats[1].kind, SplatKind::RcuStall);
  EXPECT_EQ(a.splats[2].kind, SplatKind::SoftLockup);
}

TEST(Splats, AttributedToNestedKselftest) {
  const ConsoleAnalysis a = analyze(R"([ 1.0] TAP version 13
[ 1.0] 1..1
[ 1.0] # selftests: wpsuite/watchpoint: watchpoint_test
[ 1.1] # TAP version 13
[ 1.1] # 1..2
[ 1.1] # ok 1 load
[ 1.2] WARNING: CPU: 1 PID: 9 at kmod/wp.c:3 wp_init+0x1/0x2 [wp]
[ 1.3] # ok 2 fire
[ 1.4] ok 1 selftests: wpsuite/watchpoint: watchpoint_test
)");
  ASSERT_EQ(a.splats.size(), 1u);
  EXPECT_EQ(a.splats[0].running_test, "wpsuite/watchpoint:watchpoint_test.fire");
}

// --- where headers start --------------------------------------------------

std::vector<std::string> titles(const ConsoleAnalysis& a) {
  std::vector<std::string> t;
  for (const Splat& s : a.splats) t.push_back(s.title);
  return t;
}

TEST(SplatHeaders, AfterAnotherCpusFragmentOnTheSameLine) {
  const ConsoleAnalysis a = analyze(
      "[    1.000000] cpu1: partial li[    1.000002] BUG: KASAN: use-after-free in f+0x1/0x2\n"
      "[    2.000000][    T1] x[    2.000001][   T42] WARNING: CPU: 1 PID: 42 at x.c:1 g\n"
      "[    3.000000] y[    3.000001][    C0] watchdog: BUG: soft lockup - CPU#0 stuck for 22s!\n");
  EXPECT_EQ(titles(a),
            (std::vector<std::string>{"BUG: KASAN: use-after-free in f+0x1/0x2",
                                      "WARNING: CPU: 1 PID: 42 at x.c:1 g",
                                      "watchdog: BUG: soft lockup - CPU#0 stuck for 22s!"}));
  EXPECT_EQ(a.splats[0].kind, SplatKind::Kasan);
  EXPECT_EQ(a.splats[2].kind, SplatKind::SoftLockup);
}

TEST(SplatHeaders, WithAndWithoutTimestampsAndCallerFields) {
  for (const std::string prefix :
       {"", "[    1.234567] ", "[    1.234567][    T1] ", "[  T123] ", "[    C0] "}) {
    const ConsoleAnalysis a = analyze(prefix + "BUG: scheduling while atomic: sh/1/0x2\n");
    ASSERT_EQ(a.splats.size(), 1u) << prefix;
    EXPECT_EQ(a.splats[0].kind, SplatKind::SchedulingWhileAtomic) << prefix;
    EXPECT_EQ(a.splats[0].title, "BUG: scheduling while atomic: sh/1/0x2") << prefix;
  }
}

TEST(SplatHeaders, TestOutputNeverCounts) {
  for (const std::string prefix : {"", "[    1.234567] ", "[    1.234567][    T1] "}) {
    const ConsoleAnalysis a =
        analyze(prefix + "# BUG: a kselftest's output\n" +                           //
                prefix + "# dmesg: [    1.000000] BUG: KASAN: echoed by a test\n" +  //
                prefix + "    # test_x: EXPECTATION FAILED at lib/x.c:12\n" +        //
                prefix + "    Expected ptr == NULL, but\n" +                         //
                prefix + "        ptr == \"WARNING: x\"\n" + prefix + "\n" +         //
                prefix + "BUG: a KUnit message\n" +                                  //
                prefix + "    not ok 1 test_x\n" +                                   //
                prefix + "    ok 2 test_range [    0.500000] BUG: in a name\n");
    EXPECT_TRUE(a.splats.empty()) << prefix << ": " << a.splats.at(0).title;
  }
}

// The KUnit record ends where the prefix changes (timestamps) or at the next
// KTAP line (no timestamps): a report after it counts.
TEST(SplatHeaders, KernelReportAfterAFailedExpectationCounts) {
  ConsoleAnalysis a = analyze(
      "[    1.000000]     # test_x: EXPECTATION FAILED at lib/x.c:12\n"
      "[    1.000000] message\n"
      "[    1.000003] BUG: sleeping function called from invalid context at x.c:1\n");
  ASSERT_EQ(a.splats.size(), 1u);
  EXPECT_EQ(a.splats[0].line, 3u);
  a = analyze(
      "    # test_x: EXPECTATION FAILED at lib/x.c:12\nmessage\n    not ok 1 test_x\n"
      "BUG: sleeping function called from invalid context at x.c:1\n");
  ASSERT_EQ(a.splats.size(), 1u);
  EXPECT_EQ(a.splats[0].line, 4u);
}

// --- where reports end -----------------------------------------------------

std::vector<std::string> excerpt_of(const std::string& log) {
  const ConsoleAnalysis a = analyze(log);
  EXPECT_EQ(a.splats.size(), 1u) << log;
  return a.splats.empty() ? std::vector<std::string>{} : a.splats[0].excerpt;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  for (const ConsoleLine& l : split_console(text)) out.push_back(l.raw);
  return out;
}

constexpr const char* kKasanReport =
    R"(==================================================================
BUG: KASAN: slab-use-after-free in wp_read+0x10/0x20
Read of size 8 at addr ffff000012345678 by task sh/1

CPU: 0 PID: 1 Comm: sh Not tainted 6.1.0 #1
Call trace:
 dump_backtrace+0x0/0x1e0
 wp_read+0x10/0x20

Allocated by task 1:
 kasan_save_stack+0x1/0x2

The buggy address belongs to the object at ffff000012345600
Memory state around the buggy address:
 ffff000012345600: fa fb fb fb
                   ^
==================================================================
)";

TEST(SplatExcerpt, KasanEndsAtItsClosingLine) {
  EXPECT_EQ(excerpt_of(std::string(kKasanReport) + "random: crng init done\nmore\n"),
            lines_of(kKasanReport));
}

constexpr const char* kLockdepReport = R"(======================================================
WARNING: possible circular locking dependency detected
6.1.0 #1 Not tainted
------------------------------------------------------
sh/1 is trying to acquire lock:
ffff0000 (&a){+.+.}-{3:3}, at: f+0x1/0x2

but task is already holding lock:
 #0: ffff0001 (&b){+.+.}-{3:3}, at: g+0x1/0x2

stack backtrace:
CPU: 0 PID: 1 Comm: sh Not tainted 6.1.0 #1
Hardware name: linux,dummy-virt (DT)
Call trace:
 dump_backtrace+0x0/0x1e0
 show_stack+0x18/0x28
)";

TEST(SplatExcerpt, LockdepEndsAfterItsStackDump) {
  EXPECT_EQ(excerpt_of(std::string("\n") + kLockdepReport + "random: crng init done\n"),
            lines_of(kLockdepReport));
}

TEST(SplatExcerpt, WarningRunsThroughItsTrailersToEndTrace) {
  const std::string report =
      "------------[ cut here ]------------\n"
      "WARNING: CPU: 0 PID: 1 at lib/list_debug.c:27 __list_add_valid+0x1/0x2\n"
      "list_add corruption. next->prev should be prev (0), but was 1. (next=2).\n"
      "Modules linked in: wp(O)\nCPU: 0 PID: 1 Comm: sh Not tainted 6.1.0 #1\n"
      "pstate: 60400005 (nZCv daif +PAN -UAO -TCO -DIT -SSBS BTYPE=--)\n"
      "Call trace:\n __list_add_valid+0x1/0x2\nirq event stamp: 1234\n"
      "hardirqs last  enabled at (1233): [<ffff8000>] f+0x1/0x2\n"
      "---[ end trace 0000000000000000 ]---\n";
  const ConsoleAnalysis a = analyze(report + "after\n");
  ASSERT_EQ(a.splats.size(), 1u);
  EXPECT_EQ(a.splats[0].kind, SplatKind::ListCorruption);  // named by its message
  EXPECT_EQ(a.splats[0].title,
            "WARNING: CPU: 0 PID: 1 at lib/list_debug.c:27 __list_add_valid+0x1/0x2");
  EXPECT_EQ(a.splats[0].excerpt, lines_of(report));
}

TEST(SplatExcerpt, StackDumpWithoutEndMarkerEndsAtTheFirstLineNotOfIt) {
  const std::string report =
      "BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580\n"
      "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 1, name: sh\n"
      "CPU: 0 PID: 1 Comm: sh Not tainted 6.1.0 #1\nCall trace:\n dump_backtrace+0x0/0x1e0\n";
  EXPECT_EQ(excerpt_of(report + "wp: loaded\n"), lines_of(report));
  // A KTAP line ends it even before its stack dump.
  EXPECT_EQ(excerpt_of("BUG: scheduling while atomic: sh/1/0x2\nModules linked in:\n"
                       "    ok 2 second\n"),
            lines_of("BUG: scheduling while atomic: sh/1/0x2\nModules linked in:\n"));
}

TEST(SplatExcerpt, RcuStallKeepsAllItsStackDumps) {
  const std::string report =
      "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
      "rcu:     1-...!: (0 ticks this GP) idle=1234/1/0x4000000000000000\n"
      "Task dump for CPU 1:\ntask:swapper/1 state:R  running task\nCall trace:\n f+0x1/0x2\n"
      "rcu: rcu_preempt kthread starved for 5000 jiffies!\n"
      "rcu: RCU grace-period kthread stack dump:\ntask:rcu_preempt state:I\nCall trace:\n"
      " g+0x1/0x2\n";
  EXPECT_EQ(excerpt_of(report + "sh: fork\n"), lines_of(report));
}

TEST(SplatExcerpt, IndentedReportsAndOneLiners) {
  const std::string leak =
      "kmemleak: unreferenced object 0xffff000012345678 (size 32):\n"
      "kmemleak:   comm \"insmod\", pid 1, jiffies 4294892296 (age 8.1s)\n"
      "kmemleak:   backtrace:\nkmemleak:     [<ffff8000>] kmalloc_trace+0x1/0x2\n";
  EXPECT_EQ(excerpt_of(leak + "kmemleak: 1 new suspected memory leaks\n"), lines_of(leak));
  EXPECT_EQ(excerpt_of("BUG: Bad rss-counter state mm:0 type:MM_ANONPAGES val:1\nnext\n").size(),
            1u);
  const std::string ubsan =
      "================================================================================\n"
      "UBSAN: shift-out-of-bounds in lib/x.c:10:5\nshift exponent 64 is too large\n"
      "Call trace:\n f+0x1/0x2\n"
      "================================================================================\n";
  EXPECT_EQ(excerpt_of(ubsan + "after\n"), lines_of(ubsan));
}

// --- markers ---------------------------------------------------------------

TEST(Markers, Parse) {
  auto m = parse_marker("wpsuite: expect-splat begin neg1 WARNING: CPU:  ");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->kind, MarkerKind::ExpectSplatBegin);
  EXPECT_EQ(m->id, "neg1");
  EXPECT_EQ(m->substring, "WARNING: CPU:");
  m = parse_marker("# wpsuite: expect-splat end neg1");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->kind, MarkerKind::ExpectSplatEnd);
  EXPECT_EQ(m->id, "neg1");
  EXPECT_EQ(parse_marker("wpsuite: done")->kind, MarkerKind::Done);
  EXPECT_EQ(parse_marker("wpsuite: kunit done")->kind, MarkerKind::KunitDone);
  EXPECT_EQ(parse_marker("wpsuite: kselftest begin")->kind, MarkerKind::KselftestBegin);
  EXPECT_EQ(parse_marker("wpsuite: kselftest end")->kind, MarkerKind::KselftestEnd);
  EXPECT_EQ(parse_marker("wpsuite: hello")->kind, MarkerKind::Unknown);
  EXPECT_EQ(parse_marker("wpsuite: expect-splat begin ")->kind, MarkerKind::Unknown);
  EXPECT_EQ(parse_marker("wpsuite: expect-splat begin w1")->kind, MarkerKind::Unknown);
  EXPECT_EQ(parse_marker("wpsuite: expect-splat begin w1   ")->kind, MarkerKind::Unknown);
  EXPECT_FALSE(parse_marker("+ echo wpsuite: done"));
  EXPECT_FALSE(parse_marker("wpsuite:done"));
}

TEST(Markers, DoneAndTail) {
  std::string text;
  for (int i = 1; i <= 50; ++i) text += "[ 1.0] line " + std::to_string(i) + "\n";
  ConsoleAnalysis a = analyze(text);
  EXPECT_FALSE(a.finished);
  ASSERT_EQ(a.tail.size(), kConsoleTailLines);
  EXPECT_EQ(a.tail.front(), "[ 1.0] line 21");
  EXPECT_EQ(a.tail.back(), "[ 1.0] line 50");
  EXPECT_EQ(a.line_count, 50u);
  a = analyze(text + "[ 2.0] wpsuite: done\n");
  EXPECT_TRUE(a.finished);
  ASSERT_EQ(a.markers.size(), 1u);
  EXPECT_EQ(a.markers[0].line, 51u);
}

// --- expect-splat windows --------------------------------------------------

TEST(ExpectSplat, MatchingSplatInsideWindowIsExpected) {
  const ConsoleAnalysis a = analyze(R"(wpsuite: expect-splat begin w1 wp_warn_trigger
------------[ cut here ]------------
WARNING: CPU: 0 PID: 1 at kmod/wp.c:17 wp_warn_trigger+0x14/0x30 [wp_warn]
---[ end trace 0000000000000000 ]---
wpsuite: expect-splat end w1
)");
  ASSERT_EQ(a.splats.size(), 1u);
  EXPECT_TRUE(a.splats[0].expected);
  EXPECT_EQ(a.splats[0].expect_id, "w1");
  ASSERT_EQ(a.windows.size(), 1u);
  EXPECT_EQ(a.windows[0].matches, 1);
  EXPECT_EQ(a.windows[0].end_line, 5u);
}

// The text is matched against the header line only: a module name in
// "Modules linked in:" or a function in the call trace of an unrelated
// report must not make it expected.
TEST(ExpectSplat, SubstringOnlyInLaterExcerptLinesDoesNotMatch) {
  const ConsoleAnalysis a = analyze(
      "wpsuite: expect-splat begin w1 wp_warn\n"
      "Unable to handle kernel NULL pointer dereference at virtual address 0\n"
      "Modules linked in: wp_warn(O)\nCall trace:\n wp_warn_trigger+0x14/0x30\n"
      "wpsuite: expect-splat end w1\n");
  ASSERT_EQ(a.splats.size(), 1u);
  EXPECT_FALSE(a.splats[0].expected);
  EXPECT_EQ(a.windows.at(0).matches, 0);
}

TEST(ExpectSplat, EmptyTextOpensNoWindow) {
  const ConsoleAnalysis a = analyze(
      "wpsuite: expect-splat begin w1\nWARNING: CPU: 0 PID: 1 at x.c:1 f\n"
      "wpsuite: expect-splat end w1\n");
  EXPECT_TRUE(a.windows.empty());
  ASSERT_EQ(a.splats.size(), 1u);
  EXPECT_FALSE(a.splats[0].expected);
  ASSERT_EQ(a.notes.size(), 2u);
  EXPECT_NE(a.notes[0].find("without an id and a text"), std::string::npos);
  EXPECT_NE(a.notes[1].find("without begin"), std::string::npos);
}

TEST(ExpectSplat, WrongSubstringOrOutsideWindowIsNotExpected) {
  const ConsoleAnalysis a = analyze(R"(WARNING: CPU: 0 PID: 1 at x.c:1 before_window
wpsuite: expect-splat begin w1 something_else
WARNING: CPU: 0 PID: 1 at x.c:1 wrong_function
wpsuite: expect-splat end w1
WARNING: CPU: 0 PID: 1 at x.c:1 something_else
)");
  ASSERT_EQ(a.splats.size(), 3u);
  for (const Splat& s : a.splats) EXPECT_FALSE(s.expected) << s.title;
  EXPECT_EQ(a.windows.at(0).matches, 0);
}

TEST(ExpectSplat, UnclosedWindowAndStrayEnd) {
  const ConsoleAnalysis a = analyze(
      "wpsuite: expect-splat end nope\nwpsuite: expect-splat begin w1 BUG\nBUG: KASAN: x\n");
  ASSERT_EQ(a.windows.size(), 1u);
  EXPECT_FALSE(a.windows[0].end_line);
  EXPECT_EQ(a.windows[0].matches, 1);
  EXPECT_TRUE(a.splats.at(0).expected);
  ASSERT_EQ(a.notes.size(), 1u);
  EXPECT_NE(a.notes[0].find("without begin"), std::string::npos);
}

}  // namespace
}  // namespace wpsuite
