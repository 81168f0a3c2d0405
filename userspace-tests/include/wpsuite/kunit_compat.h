// kunit_tool compatibility view of parsed results.
//
// Recomputes what tools/testing/kunit/kunit.py (Linux 6.1) reports for a log
// from our TestResult tree, so the two parsers can be compared:
//   * only the first document is considered (kunit.py stops at the end of
//     the first one and never looks for a second),
//   * kselftest runner entries are leaves: kunit.py treats their "# "-prefixed
//     output as diagnostics,
//   * counting follows kunit_parser.bubble_up_test_results(): a test with
//     subtests counts its subtests only, a "parent" test (it had a header)
//     without subtests is NO_TESTS and counts nothing, a planned-but-missing
//     subtest counts as crashed, a crashed subtest makes its parent crashed,
//   * only "# SKIP" changes the status of a result line (TODO/XFAIL/... do not).
#pragma once

#include <string>
#include <vector>

#include "wpsuite/ktap_parser.h"

namespace wpsuite {

struct KunitCompatResult {
  // SUCCESS, FAILURE, SKIPPED, TEST_CRASHED, NO_TESTS or FAILURE_TO_PARSE_TESTS
  std::string status;
  int passed = 0;
  int failed = 0;
  int crashed = 0;
  int skipped = 0;
  // Exactly what `kunit.py parse --json=FILE` writes (KernelCI group format).
  std::string json;

  // kunit.py parse exits 0 only for SUCCESS.
  bool success() const { return status == "SUCCESS"; }
};

KunitCompatResult kunit_compat(const std::vector<TestResult>& documents);

}  // namespace wpsuite
