// Parity with kunit_tool: every log of tools/testing/kunit/test_data is parsed
// by `kunit.py parse --json=FILE` and by our parser (through the kunit.py
// compatibility view, see kunit_compat.h for where kunit.py's semantics
// differ from ours), and the results are compared:
//   * overall status: kunit.py exits 0 exactly when we report SUCCESS,
//   * counts from kunit.py's "Testing complete. Ran N tests: passed: ..." line,
//   * the JSON file kunit.py writes, byte for byte (every test name and
//     PASS/FAIL/SKIP/ERROR status, in order),
//   * the totals `ktap-gate parse` prints, where kunit.py's counting and ours
//     agree by design (see counted_differently()).
// Needs python3 and KERNEL_SRC (CMake cache variable or environment);
// skipped with a reason otherwise.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "test_util.h"
#include "wpsuite/ktap_parser.h"
#include "wpsuite/kunit_compat.h"

namespace wpsuite {
namespace {

namespace fs = std::filesystem;

std::string setting(const char* env, const char* configured) {
  const char* v = std::getenv(env);
  return v != nullptr && *v != '\0' ? v : configured;
}

struct KunitPy {
  int exit_code = -1;
  std::string stdout_text;
  std::string json;
};

KunitPy run_kunit_py(const std::string& python, const fs::path& kunit_py, const fs::path& log,
                     const fs::path& json_out) {
  fs::remove(json_out);
  const std::string cmd = "'" + python + "' '" + kunit_py.string() + "' parse --json='" +
                          json_out.string() + "' '" + log.string() + "' 2>&1";
  const testing::CommandResult run = testing::run_command(cmd);
  KunitPy r;
  r.exit_code = run.exit_code;
  r.stdout_text = run.out;
  r.json = testing::read_file(json_out.string());
  return r;
}

// "Testing complete. Ran 10 tests: passed: 8, crashed: 2, errors: 3"
std::map<std::string, int> summary_counts(const std::string& text) {
  std::map<std::string, int> counts;
  const std::size_t at = text.find("Testing complete. Ran ");
  if (at == std::string::npos) return counts;
  const std::string line = text.substr(at, text.find('\n', at) - at);
  static const std::regex item(R"((passed|failed|crashed|skipped|errors): (\d+))");
  for (std::sregex_iterator it(line.begin(), line.end(), item), end; it != end; ++it) {
    counts[(*it)[1]] = std::stoi((*it)[2]);
  }
  return counts;
}

// kunit.py and python3, or the reason the test is skipped.
struct KunitTool {
  fs::path kunit_dir;
  fs::path kunit_py;
  std::string python;
  std::string skip_reason;
};

KunitTool find_kunit_tool() {
  KunitTool k;
  const std::string kernel_src = setting("KERNEL_SRC", WPSUITE_KERNEL_SRC);
  if (kernel_src.empty()) {
    k.skip_reason = "KERNEL_SRC not set (cmake -DKERNEL_SRC=<linux-6.1> or env KERNEL_SRC)";
    return k;
  }
  k.kunit_dir = fs::path(kernel_src) / "tools/testing/kunit";
  k.kunit_py = k.kunit_dir / "kunit.py";
  if (!fs::exists(k.kunit_py)) {
    k.skip_reason = k.kunit_py.string() + " not found";
    return k;
  }
  k.python = setting("PYTHON3", WPSUITE_PYTHON3);
  if (k.python.empty()) k.python = "python3";
  if (std::system(("'" + k.python + "' -c 'import sys' >/dev/null 2>&1").c_str()) != 0) {
    k.skip_reason = "python3 not available (" + k.python + ")";
  }
  return k;
}

// Does kunit.py count this log differently by design? Our parse counts the
// subtests of a kselftest entry (kunit.py: one test), and a test that ran no
// tests as a failure (kunit.py: an error, no count).
bool counted_differently(const TestResult& t) {
  if (t.status == Status::NoTests) return true;
  if (t.kselftest && !t.subtests.empty()) return true;
  for (const TestResult& s : t.subtests) {
    if (counted_differently(s)) return true;
  }
  return false;
}

// Logs of our own beside the corpus: a suite's result line that disagrees
// with its cases' (`parse` used to count such a failure twice).
const std::vector<std::pair<std::string, std::string>> kOwnLogs = {
    {"suite_ok_case_fails",
     "KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n    1..2\n    ok 1 a\n"
     "    not ok 2 b\nok 1 s\n"},
    {"param_fails_under_ok_test",
     "KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n    1..1\n"
     "        KTAP version 1\n        # Subtest: p\n        ok 1 p0\n        not ok 2 p1\n"
     "    ok 1 p\nnot ok 1 s\n"},
    {"crash_in_second_suite",
     "KTAP version 1\n1..2\n    KTAP version 1\n    # Subtest: s\n    1..1\n    not ok 1 a\n"
     "not ok 1 s\n    KTAP version 1\n    # Subtest: t\n    1..3\n    ok 1 b\n"
     "Kernel panic - not syncing: x\n"},
};

TEST(KunitParity, WholeTestDataCorpus) {
  const KunitTool tool = find_kunit_tool();
  if (!tool.skip_reason.empty()) GTEST_SKIP() << tool.skip_reason;

  const fs::path tmp = fs::absolute(fs::path(WPSUITE_TMP_DIR) / "kunit-parity");
  fs::create_directories(tmp);
  std::vector<fs::path> logs;
  for (const auto& entry : fs::directory_iterator(tool.kunit_dir / "test_data")) {
    // Absolute: kunit.py chdirs to the kernel root.
    if (entry.path().extension() == ".log") logs.push_back(fs::absolute(entry.path()));
  }
  std::sort(logs.begin(), logs.end());
  for (const auto& [name, text] : kOwnLogs) {
    logs.push_back(tmp / (name + ".log"));
    std::ofstream(logs.back(), std::ios::binary) << text;
  }
  int compared = 0, totals_compared = 0;
  for (const fs::path& log : logs) {
    SCOPED_TRACE(log.filename().string());
    const KunitPy theirs = run_kunit_py(tool.python, tool.kunit_py, log, tmp / "kunit.json");
    ASSERT_NE(theirs.exit_code, -1) << theirs.stdout_text;
    ASSERT_FALSE(theirs.json.empty()) << "kunit.py wrote no JSON:\n" << theirs.stdout_text;

    const std::vector<TestResult> docs = parse_ktap(testing::read_file(log.string()));
    const KunitCompatResult ours = kunit_compat(docs);
    EXPECT_EQ(theirs.exit_code == 0, ours.success())
        << "kunit.py exit " << theirs.exit_code << ", ours " << ours.status;
    std::map<std::string, int> counts = summary_counts(theirs.stdout_text);
    EXPECT_EQ(counts["passed"], ours.passed);
    EXPECT_EQ(counts["failed"], ours.failed);
    EXPECT_EQ(counts["crashed"], ours.crashed);
    EXPECT_EQ(counts["skipped"], ours.skipped);
    EXPECT_EQ(theirs.json, ours.json);
    ++compared;

    // `ktap-gate parse` counts every test once, as kunit.py does.
    if (docs.size() > 1 || (!docs.empty() && counted_differently(docs[0]))) continue;
    const testing::CommandResult parse = testing::run_command(std::string("'") + WPSUITE_KTAP_GATE +
                                                              "' parse '" + log.string() + "'");
    const std::string totals = "Totals: " + std::to_string(counts["passed"]) + " passed, " +
                               std::to_string(counts["failed"]) + " failed, " +
                               std::to_string(counts["skipped"]) + " skipped, " +
                               std::to_string(counts["crashed"]) + " crashed\n";
    EXPECT_NE(parse.out.find(totals), std::string::npos)
        << "kunit.py counts " << totals << "ktap-gate parse:\n"
        << parse.out;
    ++totals_compared;
  }
  std::printf("compared %d logs with kunit.py, %d of them on parse's totals\n", compared,
              totals_compared);
  RecordProperty("compared_logs", compared);
  EXPECT_GE(compared, 20) << "corpus unexpectedly small";
  EXPECT_GE(totals_compared, 20);
}

}  // namespace
}  // namespace wpsuite
