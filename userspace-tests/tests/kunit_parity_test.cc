// Parity with kunit_tool: every log of tools/testing/kunit/test_data is parsed
// by `kunit.py parse --json=FILE` and by our parser (through the kunit.py
// compatibility view, see kunit_compat.h for where kunit.py's semantics
// differ from ours), and the results are compared:
//   * overall status: kunit.py exits 0 exactly when we report SUCCESS,
//   * counts from kunit.py's "Testing complete. Ran N tests: passed: ..." line,
//   * the JSON file kunit.py writes, byte for byte (every test name and
//     PASS/FAIL/SKIP/ERROR status, in order).
// Needs python3 and KERNEL_SRC (CMake cache variable or environment);
// skipped with a reason otherwise.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <string>

#include "test_util.h"
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

TEST(KunitParity, WholeTestDataCorpus) {
  const std::string kernel_src = setting("KERNEL_SRC", WPSUITE_KERNEL_SRC);
  if (kernel_src.empty()) {
    GTEST_SKIP() << "KERNEL_SRC not set (cmake -DKERNEL_SRC=<linux-6.1> or env KERNEL_SRC)";
  }
  const fs::path kunit_dir = fs::path(kernel_src) / "tools/testing/kunit";
  const fs::path kunit_py = kunit_dir / "kunit.py";
  if (!fs::exists(kunit_py)) GTEST_SKIP() << kunit_py << " not found";
  std::string python = setting("PYTHON3", WPSUITE_PYTHON3);
  if (python.empty()) python = "python3";
  if (std::system(("'" + python + "' -c 'import sys' >/dev/null 2>&1").c_str()) != 0) {
    GTEST_SKIP() << "python3 not available (" << python << ")";
  }

  const fs::path tmp = fs::path(WPSUITE_TMP_DIR) / "kunit-parity";
  fs::create_directories(tmp);
  int compared = 0;
  for (const auto& entry : fs::directory_iterator(kunit_dir / "test_data")) {
    if (entry.path().extension() != ".log") continue;
    const fs::path log = fs::absolute(entry.path());  // kunit.py chdirs to the kernel root
    SCOPED_TRACE(log.filename().string());
    const KunitPy theirs = run_kunit_py(python, kunit_py, log, fs::absolute(tmp / "kunit.json"));
    ASSERT_NE(theirs.exit_code, -1) << theirs.stdout_text;
    ASSERT_FALSE(theirs.json.empty()) << "kunit.py wrote no JSON:\n" << theirs.stdout_text;

    const KunitCompatResult ours = kunit_compat(parse_ktap(testing::read_file(log.string())));
    EXPECT_EQ(theirs.exit_code == 0, ours.success())
        << "kunit.py exit " << theirs.exit_code << ", ours " << ours.status;
    std::map<std::string, int> counts = summary_counts(theirs.stdout_text);
    EXPECT_EQ(counts["passed"], ours.passed);
    EXPECT_EQ(counts["failed"], ours.failed);
    EXPECT_EQ(counts["crashed"], ours.crashed);
    EXPECT_EQ(counts["skipped"], ours.skipped);
    EXPECT_EQ(theirs.json, ours.json);
    ++compared;
  }
  std::printf("compared %d corpus logs with kunit.py\n", compared);
  RecordProperty("compared_logs", compared);
  EXPECT_GE(compared, 20) << "corpus unexpectedly small";
}

}  // namespace
}  // namespace wpsuite
