// DECIDE: turns parsed results + console analysis into a green/red verdict.
//
// Suites are the top-level tests of every document: KUnit suites by name
// ("hw_breakpoint") and kselftests as "collection:test"
// ("breakpoints:breakpoint_test_arm64"). Test paths join names with '.'
// ("hw_breakpoint.test_one_cpu", "breakpoints:breakpoint_test_arm64.<subtest>").
//
// Red if any of:
//   * a failed / crashed / no-tests test that is not a known failure (failures
//     are reported at the deepest level that explains them: a suite that
//     failed because of a failing case is reported through that case),
//   * a known failure that passed ("unexpectedly passed"),
//   * an expected suite that did not run, or one that must run (--expect-run)
//     and was skipped as a whole,
//   * the run timed out, the guest exit code is non-zero, or "wpsuite: done"
//     is missing (the last console lines are attached),
//   * a splat that was not expected, an expect-splat window without its splat
//     or never closed,
//   * errors in the known-failures file,
//   * planned tests that never reported beyond the placeholder limits
//     (kMaxPlaceholders): the totals cannot count them.
// Other skips are fine.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wpsuite/kernel_log.h"
#include "wpsuite/ktap_parser.h"

namespace wpsuite {

struct KnownFailures {
  std::vector<std::string> paths;
  std::vector<std::string> errors;  // "line N: ..." for malformed lines
};

// One test path per line; '#' starts a comment (at line start or after a
// blank); blank lines are ignored.
KnownFailures parse_known_failures(std::string_view text);

// Same format, for --expect-file.
std::vector<std::string> parse_name_list(std::string_view text);

struct GateOptions {
  std::vector<std::string> expected_suites;  // suite ids or shell globs ("breakpoints:*")
  std::vector<std::string> must_run;         // expected too, and not skipped as a whole
  std::vector<std::string> filters;          // keep expected suites containing one of these
  KnownFailures known_failures;
  bool timed_out = false;
  std::optional<int> guest_exit;
};

enum class ProblemKind {
  TestFailed,
  TestCrashed,
  NoTests,
  UnexpectedPass,
  MissingSuite,
  SkippedSuite,
  Timeout,
  GuestExit,
  NotFinished,
  UnexpectedSplat,
  ExpectedSplatMissing,
  ExpectWindowUnclosed,
  BadKnownFailures,
  ParseLimit,  // the log announced more than the gate lists (placeholder limits)
};

std::string_view to_string(ProblemKind kind);

struct Problem {
  ProblemKind kind = ProblemKind::TestFailed;
  std::string message;
  std::string test;                  // test path, if any
  std::size_t line = 0;              // console line, if any
  std::vector<std::string> excerpt;  // log lines / splat / console tail
};

struct TestRow {
  std::string path;
  const TestResult* result = nullptr;  // points into the parsed documents
  bool known_failure = false;
};

struct SuiteSummary {
  std::string id;
  bool kselftest = false;
  const TestResult* result = nullptr;  // points into the parsed documents
  Counts counts;
  // PASS, FAIL, CRASHED, SKIP, NO_TESTS, or KNOWN_FAIL (all failures known)
  std::string verdict;
  std::vector<TestRow> tests;  // leaves, plus failed tests whose failure no child explains
};

struct GateResult {
  bool green = false;
  std::vector<SuiteSummary> suites;
  std::vector<Problem> problems;
  std::vector<std::string> notes;  // informational, never make the run red
  Counts totals;
  std::optional<double> duration;  // sum of suite durations
};

// `documents` must outlive the result (rows point into it).
GateResult evaluate(const std::vector<TestResult>& documents, const ConsoleAnalysis& console,
                    const GateOptions& options);

}  // namespace wpsuite
