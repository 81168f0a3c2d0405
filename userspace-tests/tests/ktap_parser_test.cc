#include "wpsuite/ktap_parser.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace wpsuite {
namespace {

const TestResult& only_doc(const std::vector<TestResult>& docs) {
  EXPECT_EQ(docs.size(), 1u);
  return docs.front();
}

// --- printk prefixes -------------------------------------------------------

TEST(KernelPrefix, TimestampIsStrippedAndParsed) {
  const std::string line = "[    1.234567] KTAP version 1";
  const PrefixSplit s = split_kernel_prefix(line);
  EXPECT_EQ(line.substr(s.body_offset), "KTAP version 1");
  ASSERT_TRUE(s.timestamp);
  EXPECT_NEAR(*s.timestamp, 1.234567, 1e-9);
}

TEST(KernelPrefix, CallerFieldIsStripped) {
  const std::string line = "[    0.060000][    T1]     ok 1 test";
  EXPECT_EQ(line.substr(split_kernel_prefix(line).body_offset), "    ok 1 test");
  const std::string cpu = "[  100.5][  C12] x";
  EXPECT_EQ(cpu.substr(split_kernel_prefix(cpu).body_offset), "x");
}

TEST(KernelPrefix, NoiseBeforeTimestampIsDropped) {
  const std::string line = "login: [   10.100000] # selftests: a: b";
  const PrefixSplit s = split_kernel_prefix(line);
  EXPECT_EQ(line.substr(s.body_offset), "# selftests: a: b");
  EXPECT_NEAR(*s.timestamp, 10.1, 1e-9);
}

TEST(KernelPrefix, LinesWithoutTimestampAreUnchanged) {
  for (const std::string line :
       {"ok 1 test", "[<600214c5>] ? os_is_signal_stack", "[1.] x", "[.5] y", "", "[", "[ 12"}) {
    const PrefixSplit s = split_kernel_prefix(line);
    EXPECT_EQ(s.body_offset, 0u) << line;
    EXPECT_FALSE(s.timestamp) << line;
  }
}

TEST(KernelPrefix, KeepsIndentationAfterTheSeparatingSpace) {
  const std::string line = "[    0.5]     KTAP version 1";
  EXPECT_EQ(line.substr(split_kernel_prefix(line).body_offset), "    KTAP version 1");
}

TEST(KernelPrefix, CallerFieldWithoutTimestamp) {
  for (const std::string line : {"[  T123] ok 1 a", "[    C0] ok 1 a", "[T1] ok 1 a"}) {
    const PrefixSplit s = split_kernel_prefix(line);
    EXPECT_EQ(line.substr(s.body_offset), "ok 1 a") << line;
    EXPECT_FALSE(s.timestamp) << line;
  }
}

TEST(KernelPrefix, AfterNoiseOnlyTheKernelsExactFormat) {
  for (const std::string line : {"ok 1 test_range [0.5]", "x [12.5] y", "x [T1] y"}) {
    EXPECT_EQ(split_kernel_prefix(line).body_offset, 0u) << line;
  }
  const std::string caller = "login: [    T12] # ok 1 a";
  EXPECT_EQ(caller.substr(split_kernel_prefix(caller).body_offset), "# ok 1 a");
  EXPECT_EQ(split_kernel_prefix("login: [   10.100000] x", false).body_offset, 0u);
}

TEST(KernelPrefix, NextRecord) {
  const std::string line = "[    1.000000] frag[    1.000001][    T2] BUG: x [0.5] [   2.000000]";
  const std::size_t second = next_record(line, split_kernel_prefix(line).body_offset);
  ASSERT_NE(second, std::string::npos);
  EXPECT_EQ(line.substr(second, 6), "BUG: x");
  EXPECT_EQ(next_record(line, second), std::string::npos);  // neither "[0.5]" nor "[   2.000000]"
}

// kunit.py reads "ok 1 test_range [0.5]" as a test of that name in a log
// without timestamps; so do we, also for a bracketed number in the kernel's
// format, while in a timestamped log such a number is still part of the name.
TEST(KtapParser, BracketedNumberInATestNameIsNoTimestamp) {
  for (const std::string number : {"[0.5]", "[    0.500000]"}) {
    auto docs = parse_ktap("KTAP version 1\n1..2\nok 1 test_range " + number + "\nok 2 second\n");
    const TestResult& doc = only_doc(docs);
    ASSERT_EQ(doc.subtests.size(), 2u) << number;
    EXPECT_EQ(doc.subtests[0].name, "test_range " + number);
    EXPECT_FALSE(doc.subtests[0].first_timestamp);
    docs = parse_ktap(
        "[    1.000000] KTAP version 1\n[    1.000000] 1..1\n"
        "[    1.000001] ok 1 test_range " +
        number + "\n");
    EXPECT_EQ(only_doc(docs).subtests.at(0).name, "test_range " + number);
  }
}

TEST(SplitConsole, NumbersLinesAndStripsCrLfAndTrailingBlanks) {
  const auto lines = split_console("a  \r\n[ 1.0] b\t\r\n\nc");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].raw, "a");
  EXPECT_EQ(lines[1].body(), "b");
  EXPECT_EQ(lines[1].number, 2u);
  EXPECT_TRUE(lines[1].timestamp);
  EXPECT_EQ(lines[2].raw, "");
  EXPECT_EQ(lines[3].raw, "c");
}

// --- structure -------------------------------------------------------------

constexpr const char* kKunitExample = R"([    0.5] KTAP version 1
[    0.5] 1..2
[    0.5]     KTAP version 1
[    0.5]     # Subtest: hw_breakpoint
[    0.5]     1..2
[    0.5]     ok 1 test_one_cpu
[    0.5]     # test_one_task_on_all_cpus: EXPECTATION FAILED at kernel/events/hw_breakpoint_test.c:123
[    0.6]     not ok 2 test_one_task_on_all_cpus
[    0.6] # hw_breakpoint: pass:1 fail:1 skip:0 total:2
[    0.6] # Totals: pass:1 fail:1 skip:0 total:2
[    0.7] not ok 1 hw_breakpoint
[    0.7]     KTAP version 1
[    0.7]     # Subtest: other
[    0.7]     1..1
[    0.8]     ok 1 works
[    0.9] ok 2 other
)";

TEST(KtapParser, NestedKunitSuites) {
  const auto docs = parse_ktap(kKunitExample);
  const TestResult& doc = only_doc(docs);
  EXPECT_EQ(doc.version, "KTAP version 1");
  EXPECT_EQ(doc.plan, 2);
  ASSERT_EQ(doc.subtests.size(), 2u);
  const TestResult& hw = doc.subtests[0];
  EXPECT_EQ(hw.name, "hw_breakpoint");
  EXPECT_EQ(hw.status, Status::Fail);
  EXPECT_TRUE(hw.has_header);
  EXPECT_EQ(hw.plan, 2);
  ASSERT_EQ(hw.subtests.size(), 2u);
  EXPECT_EQ(hw.subtests[0].name, "test_one_cpu");
  EXPECT_EQ(hw.subtests[0].status, Status::Pass);
  EXPECT_EQ(hw.subtests[1].name, "test_one_task_on_all_cpus");
  EXPECT_EQ(hw.subtests[1].status, Status::Fail);
  ASSERT_EQ(hw.subtests[1].log.size(), 1u);
  EXPECT_NE(hw.subtests[1].log[0].find("EXPECTATION FAILED"), std::string::npos);
  EXPECT_EQ(doc.subtests[1].status, Status::Pass);
  EXPECT_EQ(doc.status, Status::Fail);
  EXPECT_TRUE(hw.errors.empty());
}

TEST(KtapParser, LineRangesAndDurations) {
  const auto docs = parse_ktap(kKunitExample);
  const TestResult& hw = docs[0].subtests[0];
  EXPECT_EQ(hw.first_line, 3u);
  EXPECT_EQ(hw.last_line, 11u);
  EXPECT_EQ(hw.subtests[0].first_line, 6u);  // right after the plan
  EXPECT_EQ(hw.subtests[1].first_line, 7u);  // right after the previous result
  EXPECT_EQ(hw.subtests[1].last_line, 8u);
  ASSERT_TRUE(hw.duration());
  EXPECT_NEAR(*hw.duration(), 0.2, 1e-9);
  EXPECT_NEAR(*hw.subtests[1].duration(), 0.1, 1e-9);
  EXPECT_NEAR(*docs[0].duration(), 0.4, 1e-9);
}

TEST(KtapParser, NestingByIndentationWithoutSubtestHeader) {
  // KTAP v1 spec form: nested "KTAP version" without "# Subtest:".
  const auto docs = parse_ktap(
      "KTAP version 1\n1..1\n  KTAP version 1\n  1..2\n  ok 1 a\n  ok 2 b\nok 1 suite\n");
  const TestResult& suite = only_doc(docs).subtests.at(0);
  EXPECT_EQ(suite.name, "suite");
  EXPECT_EQ(suite.subtests.size(), 2u);
  EXPECT_EQ(suite.status, Status::Pass);
}

TEST(KtapParser, OldStyleTabIndentedSubtests) {
  const auto docs = parse_ktap(
      "TAP version 14\n1..1\n\t# Subtest: s\n\t1..2\n\tok 1 - a\n\tnot ok 2 - b\nnot ok 1 - s\n");
  const TestResult& s = only_doc(docs).subtests.at(0);
  EXPECT_EQ(s.name, "s");
  ASSERT_EQ(s.subtests.size(), 2u);
  EXPECT_EQ(s.subtests[0].name, "a");  // "- " is not part of the name
  EXPECT_EQ(s.subtests[1].status, Status::Fail);
}

TEST(KtapParser, ParameterizedTestsNestThreeLevels) {
  const auto docs = parse_ktap(R"(KTAP version 1
1..1
    KTAP version 1
    # Subtest: suite
    1..1
        KTAP version 1
        # Subtest: param_test
        ok 1 p-0
        not ok 2 p-1
    # param_test: pass:1 fail:1 skip:0 total:2
    not ok 1 param_test
not ok 1 suite
)");
  const TestResult& suite = only_doc(docs).subtests.at(0);
  ASSERT_EQ(suite.subtests.size(), 1u);
  const TestResult& param = suite.subtests[0];
  EXPECT_EQ(param.name, "param_test");
  EXPECT_FALSE(param.plan);
  ASSERT_EQ(param.subtests.size(), 2u);
  EXPECT_EQ(param.subtests[1].name, "p-1");
  EXPECT_EQ(param.status, Status::Fail);
  EXPECT_EQ(test_path_at(docs, 9), "suite.param_test.p-1");
}

TEST(KtapParser, Directives) {
  const auto docs = parse_ktap(R"(TAP version 13
1..9
ok 1 a # SKIP not here
not ok 2 b # TODO later
ok 3 c # XFAIL known
ok 4 # SKIP no hardware
not ok 5 selftests: x: y # TIMEOUT 45 seconds
not ok 6 # error bad thing
not ok 7 selftests: x: z # exit=1
ok 8 d # xpass
ok 9 e #not a directive
)");
  const auto& t = only_doc(docs).subtests;
  ASSERT_EQ(t.size(), 9u);
  EXPECT_EQ(t[0].status, Status::Skip);
  EXPECT_EQ(t[0].directive, Directive::Skip);
  EXPECT_EQ(t[0].directive_text, "not here");
  EXPECT_EQ(t[1].status, Status::XFail);
  EXPECT_EQ(t[1].directive, Directive::Todo);
  EXPECT_EQ(t[2].status, Status::XFail);
  EXPECT_EQ(t[3].status, Status::Skip);
  EXPECT_EQ(t[3].name, "");
  EXPECT_EQ(display_name(t[3]), "no hardware");
  EXPECT_EQ(t[4].status, Status::Fail);
  EXPECT_EQ(t[4].directive, Directive::Timeout);
  EXPECT_EQ(t[4].directive_text, "45 seconds");
  EXPECT_EQ(display_name(t[4]), "x:y");
  EXPECT_EQ(t[5].directive, Directive::Error);
  EXPECT_EQ(t[5].status, Status::Fail);
  EXPECT_EQ(t[6].directive, Directive::None);
  EXPECT_EQ(t[6].directive_text, "exit=1");
  EXPECT_EQ(t[6].name, "selftests: x: z");
  EXPECT_EQ(t[7].directive, Directive::XPass);
  EXPECT_EQ(t[7].status, Status::Pass);
  EXPECT_EQ(t[8].name, "e");  // anything after a blank + '#' is a comment
  EXPECT_EQ(t[8].directive, Directive::None);
  EXPECT_EQ(t[8].directive_text, "not a directive");
}

TEST(KtapParser, SkippedPlan) {
  const auto docs = parse_ktap(
      "KTAP version 1\n1..1\n  KTAP version 1\n  # Subtest: s\n  1..0 # SKIP no hw\nok 1 s\n");
  const TestResult& s = only_doc(docs).subtests.at(0);
  EXPECT_EQ(s.status, Status::Skip);
  EXPECT_EQ(s.directive_text, "no hw");
}

TEST(KtapParser, SuiteWithoutTestsIsNoTests) {
  const auto docs =
      parse_ktap("KTAP version 1\n1..1\n  KTAP version 1\n  # Subtest: s\n  1..0\nok 1 s\n");
  EXPECT_EQ(only_doc(docs).subtests.at(0).status, Status::NoTests);
}

TEST(KtapParser, InterleavedNonKtapLinesBecomeLogs) {
  const auto docs = parse_ktap(R"([ 1.0] KTAP version 1
[ 1.0] 1..1
[ 1.0]     KTAP version 1
[ 1.0]     # Subtest: s
[ 1.0]     1..2
[ 1.1] random: crng init done
[ 1.1]     ok 1 a
[ 1.2] ------------[ cut here ]------------
[ 1.2] WARNING: CPU: 0 PID: 1 at x.c:1 f+0x0/0x4
[ 1.3]     ok 2 b
[ 1.3] ok 1 s
)");
  const TestResult& s = only_doc(docs).subtests.at(0);
  ASSERT_EQ(s.subtests.size(), 2u);
  EXPECT_EQ(s.subtests[0].log, std::vector<std::string>{"random: crng init done"});
  EXPECT_EQ(s.subtests[1].log.size(), 2u);
  EXPECT_EQ(s.status, Status::Pass);
  EXPECT_EQ(test_path_at(docs, 9), "s.b");
}

TEST(KtapParser, MissingPlan) {
  const auto docs = parse_ktap(
      "KTAP version 1\n\t# Subtest: s\n\tok 1 - a\n\tok 2 - b\nok 1 - s\n\t# Subtest: t\n\tok 1 - "
      "c\nok 2 - t\n");
  const TestResult& doc = only_doc(docs);
  EXPECT_FALSE(doc.plan);
  ASSERT_EQ(doc.subtests.size(), 2u);
  EXPECT_EQ(doc.subtests[1].subtests.size(), 1u);
  EXPECT_EQ(doc.status, Status::Pass);
  EXPECT_EQ(count_tests(doc).passed, 3);
}

TEST(KtapParser, WrongTestNumberIsRecorded) {
  const auto docs = parse_ktap("KTAP version 1\n1..2\nok 1 a\nok 3 b\n");
  const TestResult& doc = only_doc(docs);
  ASSERT_EQ(doc.subtests.size(), 2u);
  ASSERT_EQ(doc.subtests[1].errors.size(), 1u);
  EXPECT_EQ(doc.subtests[1].errors[0], "expected test number 2 but found 3");
}

// --- truncated output ------------------------------------------------------

TEST(KtapParser, KernelPanicCrashesTheRunningTest) {
  const auto docs = parse_ktap(R"([ 0.1] KTAP version 1
[ 0.1] 1..2
[ 0.1]     KTAP version 1
[ 0.1]     # Subtest: s
[ 0.1]     1..3
[ 0.2]     ok 1 a
[ 0.3] Unable to handle kernel NULL pointer dereference at virtual address 0000000000000000
[ 0.3] Kernel panic - not syncing: Oops: Fatal exception
[ 0.3] ---[ end Kernel panic - not syncing: Oops: Fatal exception ]---
[ 0.4] this line is after the end
)");
  const TestResult& doc = only_doc(docs);
  ASSERT_EQ(doc.subtests.size(), 2u);
  const TestResult& s = doc.subtests[0];
  EXPECT_EQ(s.status, Status::Crashed);
  EXPECT_FALSE(s.has_result);
  ASSERT_EQ(s.subtests.size(), 3u);
  EXPECT_EQ(s.subtests[0].status, Status::Pass);
  EXPECT_TRUE(s.subtests[1].synthetic);
  EXPECT_EQ(s.subtests[1].status, Status::Crashed);
  EXPECT_EQ(display_name(s.subtests[2]), "<missing #3>");
  EXPECT_EQ(s.last_line, 8u);
  EXPECT_TRUE(doc.subtests[1].synthetic);  // the second suite never started
  EXPECT_EQ(doc.status, Status::Crashed);
  EXPECT_EQ(doc.last_line, 8u);
  const Counts c = count_tests(doc);
  EXPECT_EQ(c.passed, 1);
  EXPECT_EQ(c.crashed, 3);
  EXPECT_EQ(test_path_at(docs, 7), "s");
  EXPECT_EQ(test_path_at(docs, 10), "");
}

TEST(KtapParser, EndOfLogCrashesOpenTestsWithoutPlan) {
  const auto docs = parse_ktap("KTAP version 1\n  KTAP version 1\n  # Subtest: s\n  ok 1 a\n");
  const TestResult& s = only_doc(docs).subtests.at(0);
  EXPECT_EQ(s.status, Status::Crashed);
  EXPECT_EQ(s.subtests.size(), 1u);
  EXPECT_EQ(count_tests(s).crashed, 1);  // the suite itself: no failing child explains it
  EXPECT_EQ(count_tests(s).passed, 1);
}

TEST(KtapParser, MissingResultLineIsDetectedByIndentation) {
  // "inner" never printed its result line; the outer suite's result comes next.
  const auto docs = parse_ktap(R"(KTAP version 1
1..1
    KTAP version 1
    # Subtest: outer
    1..1
        KTAP version 1
        # Subtest: inner
        ok 1 x
not ok 1 outer
)");
  const TestResult& outer = only_doc(docs).subtests.at(0);
  EXPECT_EQ(outer.name, "outer");
  ASSERT_EQ(outer.subtests.size(), 1u);
  EXPECT_EQ(outer.subtests[0].name, "inner");
  EXPECT_EQ(outer.subtests[0].status, Status::Crashed);
  EXPECT_EQ(outer.status, Status::Crashed);
}

TEST(KtapParser, BailOutEndsTheDocument) {
  const auto docs = parse_ktap("TAP version 13\n1..3\nok 1 a\nBail out! no device\nok 2 b\n");
  const TestResult& doc = only_doc(docs);
  EXPECT_EQ(doc.subtests.size(), 3u);
  EXPECT_EQ(doc.subtests[1].status, Status::Crashed);
  EXPECT_EQ(doc.status, Status::Crashed);
}

// --- several documents -----------------------------------------------------

TEST(KtapParser, TwoDocumentsInOneLog) {
  const auto docs = parse_ktap(R"([ 0.1] KTAP version 1
[ 0.1] 1..1
[ 0.1]     KTAP version 1
[ 0.1]     # Subtest: s
[ 0.1]     1..1
[ 0.1]     ok 1 a
[ 0.1] ok 1 s
[ 1.0] wpsuite: kunit done
[ 2.0] TAP version 13
[ 2.0] 1..1
[ 2.0] # selftests: c: t
[ 2.1] ok 1 selftests: c: t
)");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].version, "KTAP version 1");
  EXPECT_EQ(docs[1].version, "TAP version 13");
  EXPECT_EQ(docs[1].subtests.at(0).status, Status::Pass);
  EXPECT_EQ(display_name(docs[1].subtests[0]), "c:t");
}

TEST(KtapParser, NewTopLevelVersionClosesAnUnfinishedDocument) {
  const auto docs = parse_ktap("KTAP version 1\n1..2\nok 1 a\nTAP version 13\n1..1\nok 1 b\n");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].subtests.size(), 2u);
  EXPECT_TRUE(docs[0].subtests[1].synthetic);
  EXPECT_EQ(docs[1].subtests.at(0).name, "b");
}

TEST(KtapParser, ModuleSuiteWithoutTopLevelHeaderIsItsOwnDocument) {
  // KUnit modules loaded after boot print only the suite, numbered globally.
  const auto docs = parse_ktap(R"([ 5.0]     KTAP version 1
[ 5.0]     # Subtest: wp_module
[ 5.0]     1..2
[ 5.1]     ok 1 a
[ 5.2]     not ok 2 b
[ 5.3] not ok 3 wp_module
)");
  const TestResult& doc = only_doc(docs);
  EXPECT_EQ(doc.name, "wp_module");
  EXPECT_TRUE(doc.has_result);
  EXPECT_EQ(doc.status, Status::Fail);
  ASSERT_EQ(suites_of(doc).size(), 1u);
  EXPECT_EQ(suites_of(doc)[0], &doc);
  EXPECT_EQ(test_path_at(docs, 5), "wp_module.b");
}

TEST(KtapParser, EmptyTopLevelPlanEndsTheDocument) {
  // KUnit with no built-in suites prints "KTAP version 1" / "1..0".
  const auto docs = parse_ktap(
      "KTAP version 1\n1..0\nboot noise\n    KTAP version 1\n"
      "    # Subtest: mod\n    1..1\n    ok 1 a\nok 1 mod\n");
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].status, Status::NoTests);
  EXPECT_EQ(docs[0].last_line, 2u);
  EXPECT_EQ(docs[1].name, "mod");
  EXPECT_EQ(docs[1].status, Status::Pass);
}

TEST(KtapParser, NothingOutsideDocuments) {
  EXPECT_TRUE(parse_ktap("ok 1 a\n1..3\n# Subtest: x\nnot ok 2 b\n").empty());
  EXPECT_TRUE(parse_ktap("").empty());
}

// --- kselftest runner ------------------------------------------------------

constexpr const char* kKselftest = R"([   10.1] TAP version 13
[   10.1] 1..3
[   10.1] # selftests: breakpoints: breakpoint_test_arm64
[   10.2] # TAP version 13
[   10.2] # 1..3
[   10.2] # ok 1 Test size 1 write offset 0
[   10.2] # not ok 2 something
[   10.2] BUG: sleeping function called from invalid context at mm/x.c:1
[   10.2] # ok 3 other # SKIP no hardware
[   10.2] # # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0
[   10.3] not ok 1 selftests: breakpoints: breakpoint_test_arm64 # exit=1
[   10.3] # selftests: wpsuite/watchpoint: watchpoint_test
[   10.4] # TAP version 13
[   10.4] # 1..1
[   10.9] ok 2 selftests: wpsuite/watchpoint: watchpoint_test
[   11.0] # selftests: timers: slow
[   11.0] # TAP version 13
[   11.0] # 1..2
[   11.0] # ok 1 first
[   56.0] #
[   56.0] not ok 3 selftests: timers: slow # TIMEOUT 45 seconds
)";

TEST(KtapParser, KselftestOutputIsParsedAsSubtests) {
  const auto docs = parse_ktap(kKselftest);
  const TestResult& doc = only_doc(docs);
  ASSERT_EQ(doc.subtests.size(), 3u);
  const TestResult& bp = doc.subtests[0];
  EXPECT_TRUE(bp.kselftest);
  EXPECT_EQ(display_name(bp), "breakpoints:breakpoint_test_arm64");
  EXPECT_EQ(bp.status, Status::Fail);
  EXPECT_EQ(bp.directive_text, "exit=1");
  ASSERT_EQ(bp.subtests.size(), 3u);
  EXPECT_EQ(bp.subtests[0].name, "Test size 1 write offset 0");
  EXPECT_EQ(bp.subtests[1].status, Status::Fail);
  EXPECT_EQ(bp.subtests[2].status, Status::Skip);
  EXPECT_EQ(bp.subtests[2].first_line, 8u);  // kernel lines in between are inside its range
  EXPECT_EQ(test_path_at(docs, 8), "breakpoints:breakpoint_test_arm64.other");

  const TestResult& wp = doc.subtests[1];
  EXPECT_EQ(display_name(wp), "wpsuite/watchpoint:watchpoint_test");
  // The test printed a plan of 1 but never reported it.
  ASSERT_EQ(wp.subtests.size(), 1u);
  EXPECT_TRUE(wp.subtests[0].synthetic);
  EXPECT_EQ(wp.status, Status::Pass);  // the runner's verdict is kept

  const TestResult& slow = doc.subtests[2];
  EXPECT_EQ(slow.directive, Directive::Timeout);
  EXPECT_EQ(slow.status, Status::Fail);
  ASSERT_EQ(slow.subtests.size(), 2u);
  EXPECT_EQ(slow.subtests[0].status, Status::Pass);
  EXPECT_TRUE(slow.subtests[1].synthetic);
  ASSERT_TRUE(slow.duration());
  EXPECT_NEAR(*slow.duration(), 45.0, 1e-9);
}

TEST(KtapParser, KselftestCutOffByCrash) {
  const auto docs = parse_ktap(R"([ 1.0] TAP version 13
[ 1.0] 1..2
[ 1.0] # selftests: c: t
[ 1.1] # TAP version 13
[ 1.1] # 1..2
[ 1.1] # ok 1 a
[ 1.2] Kernel panic - not syncing: hung_task: blocked tasks
)");
  const TestResult& doc = only_doc(docs);
  ASSERT_EQ(doc.subtests.size(), 2u);
  const TestResult& t = doc.subtests[0];
  EXPECT_EQ(display_name(t), "c:t");
  EXPECT_EQ(t.status, Status::Crashed);
  ASSERT_EQ(t.subtests.size(), 2u);
  EXPECT_EQ(t.subtests[0].status, Status::Pass);
  EXPECT_TRUE(doc.subtests[1].synthetic);
  EXPECT_EQ(test_path_at(docs, 7), "c:t");
}

TEST(KtapParser, KselftestWithoutKtapOutputIsALeaf) {
  const auto docs = parse_ktap(
      "TAP version 13\n1..1\n# selftests: c: script.sh\n# hello\n# world\nok 1 selftests: c: "
      "script.sh\n");
  const TestResult& t = only_doc(docs).subtests.at(0);
  EXPECT_TRUE(t.subtests.empty());
  EXPECT_EQ(t.status, Status::Pass);
  EXPECT_EQ(t.log.size(), 2u);
  EXPECT_EQ(count_tests(t).passed, 1);
}

TEST(KtapParser, NestedKselftestRunners) {
  const auto docs = parse_ktap(R"(TAP version 13
1..1
# selftests: outer: run.sh
# TAP version 13
# 1..1
# # selftests: inner: t
# # TAP version 13
# # 1..1
# # not ok 1 deep
# not ok 1 selftests: inner: t
not ok 1 selftests: outer: run.sh
)");
  const TestResult& outer = only_doc(docs).subtests.at(0);
  ASSERT_EQ(outer.subtests.size(), 1u);
  const TestResult& inner = outer.subtests[0];
  EXPECT_EQ(display_name(inner), "inner:t");
  ASSERT_EQ(inner.subtests.size(), 1u);
  EXPECT_EQ(inner.subtests[0].name, "deep");
  EXPECT_EQ(test_path_at(docs, 9), "outer:run.sh.inner:t.deep");
}

// --- robustness corner cases -----------------------------------------------

TEST(KtapParser, DeepNestingIsBounded) {
  std::string text = "KTAP version 1\n";
  for (int i = 1; i < 2000; ++i)
    text += std::string(static_cast<std::size_t>(i), ' ') + "KTAP version 1\n";
  for (int i = 0; i < 2000; ++i) text += "# Subtest: x\n";
  const auto docs = parse_ktap(text);
  ASSERT_EQ(docs.size(), 1u);
  int depth = 0;
  for (const TestResult* t = &docs[0]; !t->subtests.empty(); t = &t->subtests[0]) ++depth;
  EXPECT_LE(depth, 32);
}

TEST(KtapParser, HugePlanIsBounded) {
  const auto docs = parse_ktap("KTAP version 1\n1..99999999999999999999\nok 1 a\n");
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_LE(docs[0].subtests.size(), 1001u);
  EXPECT_EQ(docs[0].status, Status::Crashed);
}

// Entries that never print their result line nest inside each other; each
// "# " line is still parsed once per level, as the output of the innermost
// entry it is in (it used to be parsed again for every entry around it).
TEST(KtapParser, NestedKselftestEntriesParseEachLineOncePerLevel) {
  const auto docs = parse_ktap(
      "TAP version 13\n1..1\n# selftests: a: one\n# selftests: a: two\n# selftests: a: three\n"
      "# TAP version 13\n# 1..1\n# ok 1 leaf\n");
  int leaves = 0;
  const std::function<void(const TestResult&)> walk = [&](const TestResult& t) {
    if (t.name == "leaf") ++leaves;
    for (const TestResult& s : t.subtests) walk(s);
  };
  walk(only_doc(docs));
  EXPECT_EQ(leaves, 1);
  EXPECT_EQ(test_path_at(docs, 8), "a:one.a:two.a:three.leaf");
}

TEST(KtapParser, PlaceholdersAreLimitedPerPlanAndPerLog) {
  std::string text;
  for (int i = 0; i < 15; ++i) text += "KTAP version 1\n1..999999999\nok 1 a\n";
  const auto docs = parse_ktap(text);
  ASSERT_EQ(docs.size(), 15u);
  long placeholders = 0, unlisted = 0;
  for (const TestResult& doc : docs) {
    EXPECT_EQ(doc.status, Status::Crashed);
    EXPECT_LE(doc.subtests.size(), static_cast<std::size_t>(kMaxPlaceholdersPerPlan) + 1);
    placeholders += static_cast<long>(doc.subtests.size()) - 1;
    unlisted += doc.unlisted;
  }
  EXPECT_EQ(placeholders, kMaxPlaceholders);
  EXPECT_EQ(unlisted_tests(docs.back()), 999999998);  // nothing left for the last one
  EXPECT_EQ(placeholders + unlisted, 15 * 999999998L);
  EXPECT_EQ(docs.back().errors.back(), "999999998 of them without a placeholder");
}

TEST(KtapParser, LongNamesAndLinesAreCut) {
  const std::string name(5000, 'n');
  const auto docs = parse_ktap("KTAP version 1\n1..1\n  # Subtest: " + name + "\n  " +
                               std::string(3000, 'l') + "\n  1..1\n  ok 1 a\nok 1 " + name + "\n");
  const TestResult& suite = only_doc(docs).subtests.at(0);
  EXPECT_LT(suite.name.size(), kMaxNameBytes + 32);
  EXPECT_EQ(suite.name.substr(0, kMaxNameBytes), name.substr(0, kMaxNameBytes));
  EXPECT_TRUE(suite.errors.empty()) << suite.errors.at(0);  // the result line still names it
  const std::vector<std::string>& log = suite.subtests.at(0).log;
  ASSERT_EQ(log.size(), 1u);
  EXPECT_LT(log[0].size(), kMaxLineBytes + 32);
  EXPECT_NE(log[0].find("bytes cut]"), std::string::npos);
}

TEST(TestPaths, ManyLinesAtOnceAgreeWithOneByOne) {
  const auto docs = parse_ktap(kKunitExample);
  std::vector<std::size_t> lines;
  for (std::size_t l = 0; l <= 18; ++l) lines.push_back(l);
  const std::vector<std::string> paths = test_paths_at(docs, lines);
  ASSERT_EQ(paths.size(), lines.size());
  for (std::size_t l : lines) EXPECT_EQ(paths[l], test_path_at(docs, l)) << "line " << l;
  EXPECT_EQ(paths[7], "hw_breakpoint.test_one_task_on_all_cpus");
  EXPECT_EQ(paths[15], "other.works");
  EXPECT_EQ(paths[17], "");
}

TEST(TestPaths, DeepPathsKeepTheirStartAndTheName) {
  std::string text = "KTAP version 1\n";
  std::string indent;
  for (int i = 0; i < 20; ++i) {
    indent += "  ";
    text += indent + "KTAP version 1\n" + indent + "# Subtest: " + std::string(200, 'a' + i) + "\n";
  }
  text += indent + "ok 1 leaf\n";
  const auto docs = parse_ktap(text);
  const std::string path = test_path_at(docs, 42);
  EXPECT_LE(path.size(), kMaxPathBytes);
  EXPECT_EQ(path.substr(0, 200), std::string(200, 'a'));
  EXPECT_EQ(path.substr(path.size() - 5), ".leaf");
}

// A suite that says "ok" over a failing case (or "not ok" over a test that
// says "ok" over a failing one) is no second failure, and neither is the
// document above it: one failure, where it happened, as kunit.py counts.
TEST(Counts, FailureBelowAnOkTestCountsOnce) {
  auto docs = parse_ktap(
      "KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n    1..2\n    ok 1 a\n"
      "    not ok 2 b\nok 1 s\n");
  Counts c = count_tests(docs.at(0));
  EXPECT_EQ(docs[0].status, Status::Fail);
  EXPECT_EQ(c.passed, 1);
  EXPECT_EQ(c.failed, 1);
  docs = parse_ktap(
      "KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n    1..1\n"
      "        KTAP version 1\n        # Subtest: p\n        ok 1 p0\n        not ok 2 p1\n"
      "    ok 1 p\nnot ok 1 s\n");
  c = count_tests(docs.at(0));
  EXPECT_EQ(c.passed, 1);
  EXPECT_EQ(c.failed, 1);
  EXPECT_TRUE(has_failing_descendant(docs[0].subtests.at(0), false));
}

TEST(Counts, UnexplainedParentFailureCountsOnce) {
  const auto docs = parse_ktap(
      "TAP version 13\n1..1\n# selftests: c: t\n# TAP version 13\n# 1..1\n# ok 1 a\nnot ok 1 "
      "selftests: c: t # exit=1\n");
  const Counts c = count_tests(docs.at(0));
  EXPECT_EQ(c.passed, 1);
  EXPECT_EQ(c.failed, 1);
}

}  // namespace
}  // namespace wpsuite
