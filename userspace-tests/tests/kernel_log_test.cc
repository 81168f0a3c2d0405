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
      {"BUG: KASAN: slab-out-of-bounds in foo+0x10/0x20", SplatKind::Bug},
      {"BUG: spinlock bad magic on CPU#0, swapper/0/1", SplatKind::Bug},
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
  for (const char* line : {"# BUG: printed by a test", "    # test: WARNING: in a KUnit log",
                           "wpsuite: expect-splat begin x WARNING:", "ok 1 BUG: name",
                           "INFO: task list", "rcu: Hierarchical RCU implementation.",
                           "Warning: unable to open an initial console.", ""}) {
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
  for (int i = 0; i < 100; ++i) text += "lock line " + std::to_string(i) + "\n";
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
