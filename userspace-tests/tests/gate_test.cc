#include "wpsuite/gate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "test_util.h"

namespace wpsuite {
namespace {

// Everything the gate needs, kept alive together (rows point into `docs`).
struct GateRun {
  std::vector<ConsoleLine> lines;
  std::vector<TestResult> docs;
  ConsoleAnalysis console;
  GateResult gate;

  GateRun(const std::string& text, const GateOptions& options = {})
      : lines(split_console(text)),
        docs(parse_ktap(lines)),
        console(analyze_console(lines, docs)),
        gate(evaluate(docs, console, options)) {}

  std::vector<ProblemKind> kinds() const {
    std::vector<ProblemKind> k;
    for (const Problem& p : gate.problems) k.push_back(p.kind);
    return k;
  }
  const Problem* find(ProblemKind kind) const {
    for (const Problem& p : gate.problems) {
      if (p.kind == kind) return &p;
    }
    return nullptr;
  }
  const SuiteSummary* suite(const std::string& id) const {
    for (const SuiteSummary& s : gate.suites) {
      if (s.id == id) return &s;
    }
    return nullptr;
  }
};

constexpr const char* kDone = "[ 9.0] wpsuite: done\n";

std::string kunit(const std::string& cases) {
  return "[ 1.0] KTAP version 1\n[ 1.0] 1..1\n[ 1.0]     KTAP version 1\n"
         "[ 1.0]     # Subtest: hw_breakpoint\n" +
         cases + "[ 1.5] ok 1 hw_breakpoint\n";
}

const std::string kFailingKunit = kunit(
    "[ 1.0]     1..2\n[ 1.1]     ok 1 test_one_cpu\n"
    "[ 1.2]     # test_one_task_on_all_cpus: EXPECTATION FAILED at "
    "kernel/events/hw_breakpoint_test.c:123\n"
    "[ 1.2]     not ok 2 test_one_task_on_all_cpus\n");
const std::string kPassingKunit = kunit(
    "[ 1.0]     1..2\n[ 1.1]     ok 1 test_one_cpu\n[ 1.2]     ok 2 test_one_task_on_all_cpus\n");

GateOptions known(const std::string& text) {
  GateOptions o;
  o.known_failures = parse_known_failures(text);
  return o;
}

TEST(Gate, GreenRun) {
  GateOptions o;
  o.expected_suites = {"hw_breakpoint", "wp_param", "breakpoints:breakpoint_test_arm64",
                       "wpsuite/watchpoint:watchpoint_test"};
  const GateRun r(testing::read_file(testing::testdata("green_run.log")), o);
  EXPECT_TRUE(r.gate.green) << r.gate.problems.size() << " problems, first: "
                            << (r.gate.problems.empty() ? "" : r.gate.problems[0].message);
  ASSERT_EQ(r.gate.suites.size(), 4u);
  EXPECT_EQ(r.gate.suites[2].id, "breakpoints:breakpoint_test_arm64");
  EXPECT_TRUE(r.gate.suites[2].kselftest);
  EXPECT_EQ(r.suite("wp_param")->counts.skipped, 1);
  EXPECT_EQ(r.suite("wp_param")->counts.passed, 2);
  EXPECT_EQ(r.gate.totals.passed, 9);
  EXPECT_EQ(r.gate.totals.skipped, 2);
  EXPECT_EQ(r.console.splats.size(), 1u);  // the expected negative-control splat
  EXPECT_TRUE(r.console.splats[0].expected);
}

TEST(Gate, FailedTestIsRed) {
  const GateRun r(kFailingKunit + kDone);
  EXPECT_FALSE(r.gate.green);
  ASSERT_EQ(r.kinds(), std::vector<ProblemKind>{ProblemKind::TestFailed});
  const Problem& p = r.gate.problems[0];
  EXPECT_EQ(p.test, "hw_breakpoint.test_one_task_on_all_cpus");  // the case, not the suite
  ASSERT_EQ(p.excerpt.size(), 1u);
  EXPECT_NE(p.excerpt[0].find("EXPECTATION FAILED"), std::string::npos);
  EXPECT_EQ(r.suite("hw_breakpoint")->verdict, "FAIL");
}

TEST(Gate, KnownFailureIsGreen) {
  const GateRun r(kFailingKunit + kDone, known("hw_breakpoint.test_one_task_on_all_cpus\n"));
  EXPECT_TRUE(r.gate.green);
  EXPECT_EQ(r.suite("hw_breakpoint")->verdict, "KNOWN_FAIL");
  const auto& rows = r.suite("hw_breakpoint")->tests;
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[1].known_failure);
}

TEST(Gate, KnownFailureMatchesOnlyThatExactPath) {
  for (const char* entry :
       {"hw_breakpoint", "hw_breakpoint.test_one_task", "test_one_task_on_all_cpus",
        "hw_breakpoint.test_one_task_on_all_cpus.x"}) {
    const GateRun r(kFailingKunit + kDone, known(std::string(entry) + "\n"));
    EXPECT_FALSE(r.gate.green) << entry;
    EXPECT_TRUE(r.find(ProblemKind::TestFailed)) << entry;
  }
}

TEST(Gate, KnownFailureThatPassesIsRed) {
  const GateRun r(kPassingKunit + kDone, known("hw_breakpoint.test_one_task_on_all_cpus\n"));
  EXPECT_FALSE(r.gate.green);
  ASSERT_EQ(r.kinds(), std::vector<ProblemKind>{ProblemKind::UnexpectedPass});
  EXPECT_NE(r.gate.problems[0].message.find("unexpectedly passed"), std::string::npos);
}

TEST(Gate, KnownFailureThatDidNotRunIsANote) {
  const GateRun r(kPassingKunit + kDone, known("other.test\n"));
  EXPECT_TRUE(r.gate.green);
  ASSERT_EQ(r.gate.notes.size(), 1u);
  EXPECT_NE(r.gate.notes[0].find("did not run"), std::string::npos);
}

TEST(Gate, SkipsAreFine) {
  const GateRun r(kunit("[ 1.0]     1..1\n[ 1.1]     ok 1 a # SKIP no hw\n") + kDone);
  EXPECT_TRUE(r.gate.green);
  EXPECT_EQ(r.gate.totals.skipped, 1);
}

// A kselftest whose module was not installed skips as a whole.
const std::string kSkippedKselftest =
    "[ 2.0] TAP version 13\n[ 2.0] 1..1\n"
    "[ 2.0] # selftests: wpsuite/rerandom: rerandom_test\n"
    "[ 2.1] # TAP version 13\n[ 2.1] # 1..0 # SKIP test_driver.ko not installed\n"
    "[ 2.2] ok 1 selftests: wpsuite/rerandom: rerandom_test # SKIP\n";

TEST(Gate, WholeSuiteSkipIsFineUnlessItMustRun) {
  EXPECT_TRUE(GateRun(kSkippedKselftest + kDone).gate.green);
  GateOptions o;
  o.must_run = {"wpsuite/*"};
  const GateRun r(kSkippedKselftest + kDone, o);
  ASSERT_EQ(r.kinds(), (std::vector<ProblemKind>{ProblemKind::SkippedSuite}));
  EXPECT_EQ(r.gate.problems[0].test, "wpsuite/rerandom:rerandom_test");
  EXPECT_NE(r.gate.problems[0].message.find("must run but was skipped"), std::string::npos);
}

TEST(Gate, MustRunIsExpectedToo) {
  GateOptions o;
  o.must_run = {"wpsuite/guard:guard_test"};
  const GateRun r(kSkippedKselftest + kDone, o);
  ASSERT_EQ(r.kinds(), (std::vector<ProblemKind>{ProblemKind::MissingSuite}));
  EXPECT_EQ(r.gate.problems[0].test, "wpsuite/guard:guard_test");
}

TEST(Gate, MustRunIgnoresSkippedCases) {
  GateOptions o;
  o.must_run = {"hw_breakpoint"};
  const GateRun r(
      kunit("[ 1.0]     1..2\n[ 1.1]     ok 1 a\n[ 1.1]     ok 2 b # SKIP no hw\n") + kDone, o);
  EXPECT_TRUE(r.gate.green);
}

TEST(Gate, MissingSuiteIsRed) {
  GateOptions o;
  o.expected_suites = {"hw_breakpoint", "missing_suite", "breakpoints:*"};
  const GateRun r(kPassingKunit + kDone, o);
  EXPECT_EQ(r.kinds(),
            (std::vector<ProblemKind>{ProblemKind::MissingSuite, ProblemKind::MissingSuite}));
  EXPECT_EQ(r.gate.problems[0].test, "missing_suite");
  EXPECT_EQ(r.gate.problems[1].test, "breakpoints:*");
}

TEST(Gate, GlobAndFilterOnExpectedSuites) {
  GateOptions o;
  o.expected_suites = {"hw_*", "missing_suite"};
  o.filters = {"hw"};
  EXPECT_TRUE(GateRun(kPassingKunit + kDone, o).gate.green);
}

TEST(Gate, TimeoutGuestExitAndMissingDoneMarker) {
  GateOptions o;
  o.timed_out = true;
  o.guest_exit = 3;
  std::string text = kPassingKunit;
  for (int i = 0; i < 40; ++i) text += "[ 2.0] noise " + std::to_string(i) + "\n";
  const GateRun r(text, o);
  EXPECT_EQ(r.kinds(), (std::vector<ProblemKind>{ProblemKind::Timeout, ProblemKind::GuestExit,
                                                 ProblemKind::NotFinished}));
  const Problem* p = r.find(ProblemKind::NotFinished);
  ASSERT_EQ(p->excerpt.size(), 30u);
  EXPECT_EQ(p->excerpt.back(), "[ 2.0] noise 39");
  GateOptions zero;
  zero.guest_exit = 0;
  EXPECT_TRUE(GateRun(kPassingKunit + kDone, zero).gate.green);
}

TEST(Gate, UnexpectedSplatIsRedExpectedIsGreen) {
  const std::string warn =
      "[ 2.0] WARNING: CPU: 0 PID: 1 at kmod/wp.c:1 wp_trigger+0x1/0x2\n[ 2.0] ---[ end trace 0 "
      "]---\n";
  GateRun r(kPassingKunit + warn + kDone);
  ASSERT_EQ(r.kinds(), std::vector<ProblemKind>{ProblemKind::UnexpectedSplat});
  EXPECT_EQ(r.gate.problems[0].excerpt.size(), 2u);

  const GateRun ok(kPassingKunit + "[ 2.0] wpsuite: expect-splat begin neg wp_trigger\n" + warn +
                   "[ 2.0] wpsuite: expect-splat end neg\n" + kDone);
  EXPECT_TRUE(ok.gate.green);
  EXPECT_EQ(ok.gate.notes.size(), 1u);
}

TEST(Gate, ExpectedSplatNotSeenIsRed) {
  const GateRun r(kPassingKunit + "[ 2.0] wpsuite: expect-splat begin neg wp_trigger\n" +
                  "[ 2.0] wpsuite: expect-splat end neg\n" + kDone);
  ASSERT_EQ(r.kinds(), std::vector<ProblemKind>{ProblemKind::ExpectedSplatMissing});
  EXPECT_NE(r.gate.problems[0].message.find("expected splat 'wp_trigger' not seen"),
            std::string::npos);
}

TEST(Gate, UnclosedExpectWindowIsRed) {
  const GateRun r(kPassingKunit + "[ 2.0] wpsuite: expect-splat begin neg WARNING\n" +
                  "[ 2.0] WARNING: CPU: 0 PID: 1 at x.c:1 f\n" + kDone);
  EXPECT_EQ(r.kinds(), std::vector<ProblemKind>{ProblemKind::ExpectWindowUnclosed});
}

// Negative control: a module doing WARN_ON(1) during a kselftest makes the
// gate red even though every test passed and the guest finished normally.
TEST(Gate, NegativeControlWarnOnMakesTheGateRed) {
  GateOptions o;
  o.expected_suites = {"hw_breakpoint", "wpsuite/watchpoint:watchpoint_test"};
  const GateRun r(testing::read_file(testing::testdata("warn_negative_control.log")), o);
  EXPECT_FALSE(r.gate.green);
  EXPECT_EQ(r.gate.totals.failed + r.gate.totals.crashed, 0);
  ASSERT_EQ(r.kinds(), std::vector<ProblemKind>{ProblemKind::UnexpectedSplat});
  const Problem& p = r.gate.problems[0];
  EXPECT_EQ(p.test, "wpsuite/watchpoint:watchpoint_test.watchpoint fires on write");
  EXPECT_NE(p.message.find("WARNING"), std::string::npos);
  EXPECT_EQ(p.excerpt.front(), "[    2.180160] ------------[ cut here ]------------");
  EXPECT_EQ(p.excerpt.back(), "[    2.180410] ---[ end trace 0000000000000000 ]---");
}

TEST(Gate, CrashDuringKunit) {
  GateOptions o;
  o.expected_suites = {"wp_crash"};
  const GateRun r(testing::read_file(testing::testdata("crash_mid_kunit.log")), o);
  EXPECT_FALSE(r.gate.green);
  EXPECT_EQ(r.kinds(),
            (std::vector<ProblemKind>{ProblemKind::TestCrashed, ProblemKind::TestCrashed,
                                      ProblemKind::UnexpectedSplat, ProblemKind::UnexpectedSplat,
                                      ProblemKind::NotFinished}));
  EXPECT_EQ(r.gate.problems[0].test, "wp_crash");
  EXPECT_NE(r.gate.problems[0].message.find("2 planned subtests never reported"),
            std::string::npos);
  EXPECT_NE(r.gate.problems[1].message.find("1 planned suites never reported"), std::string::npos);
  EXPECT_EQ(r.console.splats.at(0).kind, SplatKind::PageFault);
  EXPECT_EQ(r.console.splats.at(0).running_test, "wp_crash");
  EXPECT_EQ(r.console.splats.at(1).kind, SplatKind::Panic);
  EXPECT_EQ(r.suite("wp_crash")->verdict, "CRASHED");
}

constexpr const char* kSelftests = R"([ 1.0] TAP version 13
[ 1.0] 1..3
[ 1.0] # selftests: breakpoints: breakpoint_test_arm64
[ 1.1] # TAP version 13
[ 1.1] # 1..2
[ 1.1] # ok 1 Test size 1
[ 1.1] # not ok 2 Test size 2
[ 1.2] not ok 1 selftests: breakpoints: breakpoint_test_arm64 # exit=1
[ 1.2] # selftests: wpsuite/watchpoint: watchpoint_test
[ 1.3] # TAP version 13
[ 1.3] # 1..1
[ 1.3] # ok 1 fires
[ 1.3] not ok 2 selftests: wpsuite/watchpoint: watchpoint_test # exit=1
[ 1.4] # selftests: timers: slow
[ 1.5] #
[ 1.5] not ok 3 selftests: timers: slow # TIMEOUT 45 seconds
[ 9.0] wpsuite: done
)";

TEST(Gate, KselftestFailuresAtTheDeepestLevel) {
  const GateRun r(kSelftests);
  ASSERT_EQ(r.gate.problems.size(), 3u);
  EXPECT_EQ(r.gate.problems[0].test, "breakpoints:breakpoint_test_arm64.Test size 2");
  // Exit status 1 although every subtest said ok: reported at the selftest.
  EXPECT_EQ(r.gate.problems[1].test, "wpsuite/watchpoint:watchpoint_test");
  EXPECT_NE(r.gate.problems[1].message.find("exit=1"), std::string::npos);
  EXPECT_EQ(r.gate.problems[2].test, "timers:slow");
  EXPECT_NE(r.gate.problems[2].message.find("TIMEOUT 45 seconds"), std::string::npos);

  const GateRun excused(kSelftests, known("breakpoints:breakpoint_test_arm64.Test size 2\n"
                                          "wpsuite/watchpoint:watchpoint_test\n"
                                          "timers:slow  # flaky under TCG\n"));
  EXPECT_TRUE(excused.gate.green);
}

// A failing parameter under a test that said "ok", in a suite that said
// "not ok": one failure, reported where it happened, counted once.
TEST(Gate, FailureBelowAnOkTestIsReportedOnce) {
  const GateRun r(
      "KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n    1..1\n"
      "        KTAP version 1\n        # Subtest: p\n        ok 1 p0\n        not ok 2 p1\n"
      "    ok 1 p\nnot ok 1 s\nwpsuite: done\n");
  ASSERT_EQ(r.gate.problems.size(), 1u);
  EXPECT_EQ(r.gate.problems[0].test, "s.p.p1");
  EXPECT_EQ(r.gate.totals.failed, 1);
  EXPECT_EQ(r.gate.totals.passed, 1);
}

TEST(KnownFailuresFile, CommentsBlanksAndErrors) {
  const KnownFailures kf = parse_known_failures(
      "# comment\n\n  hw_breakpoint.test_one_task_on_all_cpus  # reason\n"
      "breakpoints:breakpoint_test_arm64\n.bad\nbad..path\nsuite.\n:x\nok\ttab#notcomment\n");
  EXPECT_EQ(kf.paths, (std::vector<std::string>{"hw_breakpoint.test_one_task_on_all_cpus",
                                                "breakpoints:breakpoint_test_arm64"}));
  ASSERT_EQ(kf.errors.size(), 5u);
  EXPECT_EQ(kf.errors[0], "line 5: malformed test path '.bad'");
  EXPECT_EQ(kf.errors[4], "line 9: control character in test path");
}

TEST(KnownFailuresFile, ErrorsMakeTheGateRed) {
  const GateRun r(kPassingKunit + kDone, known("..\n"));
  EXPECT_EQ(r.kinds(), std::vector<ProblemKind>{ProblemKind::BadKnownFailures});
}

TEST(Gate, NoTestsIsRed) {
  const GateRun r(kunit("[ 1.0]     1..0\n") + kDone);
  EXPECT_EQ(r.kinds(), std::vector<ProblemKind>{ProblemKind::NoTests});
}

TEST(Gate, PlaceholderLimitIsARedReason) {
  std::string text;
  for (int i = 0; i < 12; ++i) text += "KTAP version 1\n1..999999999\n";
  const GateRun run(text + "wpsuite: done\n");
  EXPECT_FALSE(run.gate.green);
  const Problem* p = run.find(ProblemKind::ParseLimit);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(
      p->message.rfind(std::to_string(12 * 999999999L - kMaxPlaceholders) + " planned tests", 0),
      0u)
      << p->message;
  // Not when every missing test has its placeholder.
  EXPECT_EQ(GateRun("KTAP version 1\n1..3\nok 1 a\nwpsuite: done\n").find(ProblemKind::ParseLimit),
            nullptr);
}

TEST(Gate, EmptyConsole) {
  GateOptions o;
  o.expected_suites = {"hw_breakpoint"};
  const GateRun r("", o);
  EXPECT_EQ(r.kinds(),
            (std::vector<ProblemKind>{ProblemKind::MissingSuite, ProblemKind::NotFinished}));
}

}  // namespace
}  // namespace wpsuite
