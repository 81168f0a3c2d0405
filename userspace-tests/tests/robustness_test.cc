// Seeded random robustness test: truncates, mutates and splices real logs
// (the kunit_tool corpus when KERNEL_SRC is set, plus our testdata) and runs
// the whole pipeline on each result. Every run must return (no exception, no
// crash, no hang) and produce valid JSON / well-formed XML.
// WPSUITE_ROBUSTNESS_SEED / WPSUITE_ROBUSTNESS_ITERATIONS override the defaults.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "test_util.h"
#include "wpsuite/gate.h"
#include "wpsuite/kunit_compat.h"
#include "wpsuite/report.h"

namespace wpsuite {
namespace {

namespace fs = std::filesystem;

unsigned long env_or(const char* name, unsigned long fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoul(v, nullptr, 0) : fallback;
}

std::vector<std::string> corpus() {
  std::vector<std::string> logs;
  std::vector<fs::path> dirs = {WPSUITE_TESTDATA_DIR};
  const char* env = std::getenv("KERNEL_SRC");
  const std::string kernel_src = env != nullptr && *env != '\0' ? env : WPSUITE_KERNEL_SRC;
  if (!kernel_src.empty()) dirs.push_back(fs::path(kernel_src) / "tools/testing/kunit/test_data");
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.path().extension() == ".log") logs.push_back(testing::read_file(e.path().string()));
    }
  }
  return logs;
}

const std::vector<std::string> kFragments = {
    "KTAP version 1",
    "TAP version 13",
    "TAP version 14",
    "1..3",
    "1..0 # SKIP x",
    "1..99999999999",
    "ok 1 a",
    "not ok 2 b",
    "ok 3 # SKIP why",
    "not ok 4 x # TIMEOUT 45 seconds",
    "ok 5 - y # TODO",
    "# Subtest: s",
    "    # Subtest: s",
    "    KTAP version 1",
    "        ok 1 p",
    "# selftests: c: t",
    "ok 1 selftests: c: t",
    "not ok 1 selftests: c: t # exit=1",
    "# # selftests: d: u",
    "#",
    "Bail out! oops",
    "Kernel panic - not syncing: test",
    "List of all partitions:",
    "reboot: Power down",
    "------------[ cut here ]------------",
    "WARNING: CPU: 0 PID: 1 at x.c:1 f+0x0/0x4",
    "BUG: KASAN: use-after-free",
    "---[ end trace 0 ]---",
    "Internal error: Oops: 96000004 [#1] SMP",
    "Unable to handle kernel paging request",
    "wpsuite: expect-splat begin w WARNING",
    "wpsuite: expect-splat end w",
    "wpsuite: done",
    "wpsuite: expect-splat begin",
    "[    1.000000] ",
    "[ 99999999999999999999.1] ",
    "[    T1] ",
    "\t",
    "    ",
    "# ",
    "\r",
    std::string("\0\xff\xc3", 3),
    "\xf0\x9f\x98\x80",
    "&<>\"'",
};

class Mutator {
 public:
  Mutator(unsigned long seed, const std::vector<std::string>& logs) : rng_(seed), logs_(logs) {}

  std::string next() {
    std::string text = pick_log();
    const int rounds = 1 + static_cast<int>(below(4));
    for (int i = 0; i < rounds; ++i) mutate(text);
    return text;
  }

 private:
  std::size_t below(std::size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }
  const std::string& pick_log() { return logs_[below(logs_.size())]; }
  const std::string& fragment() { return kFragments[below(kFragments.size())]; }

  static std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
      const std::size_t end = std::min(text.find('\n', start), text.size());
      lines.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    return lines;
  }
  static std::string join(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines) out += l + "\n";
    return out;
  }

  void mutate(std::string& text) {
    std::vector<std::string> lines = lines_of(text);
    const std::size_t n = lines.size();
    switch (below(10)) {
      case 0:  // truncate anywhere, also mid-line
        text.resize(below(text.size() + 1));
        return;
      case 1: {  // delete a range of lines
        const std::size_t a = below(n), len = 1 + below(5);
        lines.erase(lines.begin() + static_cast<long>(a),
                    lines.begin() + static_cast<long>(std::min(n, a + len)));
        break;
      }
      case 2: {  // duplicate a range of lines
        const std::size_t a = below(n), len = 1 + below(8);
        const std::vector<std::string> copy(
            lines.begin() + static_cast<long>(a),
            lines.begin() + static_cast<long>(std::min(n, a + len)));
        lines.insert(lines.begin() + static_cast<long>(below(n + 1)), copy.begin(), copy.end());
        break;
      }
      case 3:  // swap two lines
        std::swap(lines[below(n)], lines[below(n)]);
        break;
      case 4: {  // splice two logs
        const std::string& other = pick_log();
        text = text.substr(0, below(text.size() + 1)) + other.substr(below(other.size() + 1));
        return;
      }
      case 5:  // random bytes
        for (std::size_t i = 0, k = 1 + below(8); i < k && !text.empty(); ++i) {
          text[below(text.size())] = static_cast<char>(below(256));
        }
        return;
      case 6:  // re-indent a line
        lines[below(n)].insert(
            0, below(2) ? std::string(below(12), ' ') : std::string(below(3), '\t'));
        break;
      case 7:  // insert KTAP-ish / kernel-ish fragments
        for (std::size_t i = 0, k = 1 + below(6); i < k; ++i) {
          lines.insert(lines.begin() + static_cast<long>(below(lines.size() + 1)),
                       fragment() + fragment());
        }
        break;
      case 8:  // nest everything one kselftest level deeper
        for (std::string& l : lines) l = "# " + l;
        lines.insert(lines.begin(), {"TAP version 13", "1..1", "# selftests: nest: me"});
        lines.push_back("ok 1 selftests: nest: me");
        break;
      default:  // prepend a fragment to a line
        lines[below(n)].insert(0, fragment());
        break;
    }
    text = join(lines);
  }

  std::mt19937_64 rng_;
  const std::vector<std::string>& logs_;
};

void run_pipeline(const std::string& text, std::size_t iteration) {
  const std::vector<ConsoleLine> lines = split_console(text);
  const std::vector<TestResult> docs = parse_ktap(lines);
  const ConsoleAnalysis console = analyze_console(lines, docs);
  GateOptions options;
  options.expected_suites = {"hw_breakpoint", "c:t", "*"};
  options.known_failures = parse_known_failures(text.substr(0, 2000));
  options.guest_exit = static_cast<int>(iteration % 3);
  const GateResult gate = evaluate(docs, console, options);
  const std::string json = format_results_json(gate, console);
  ASSERT_TRUE(testing::JsonChecker::valid(json)) << json;
  const std::string xml = format_junit_xml(gate, console);
  ASSERT_TRUE(testing::xml_well_formed(xml)) << xml;
  ASSERT_FALSE(format_summary(gate, console).empty());
  ASSERT_TRUE(testing::JsonChecker::valid(kunit_compat(docs).json));
  ASSERT_EQ(gate.green, gate.problems.empty());
}

TEST(Robustness, MutatedAndSplicedLogs) {
  const std::vector<std::string> logs = corpus();
  ASSERT_GE(logs.size(), 3u);
  const unsigned long seed = env_or("WPSUITE_ROBUSTNESS_SEED", 20241122);
  const unsigned long iterations = env_or("WPSUITE_ROBUSTNESS_ITERATIONS", 10000);
  Mutator mutator(seed, logs);
  const auto start = std::chrono::steady_clock::now();
  for (unsigned long i = 0; i < iterations; ++i) {
    const std::string text = mutator.next();
    SCOPED_TRACE("seed " + std::to_string(seed) + " iteration " + std::to_string(i));
    ASSERT_NO_FATAL_FAILURE(run_pipeline(text, i));
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(std::chrono::duration_cast<std::chrono::seconds>(elapsed).count(), 120);
}

TEST(Robustness, PathologicalInputs) {
  const std::vector<std::string> inputs = {
      std::string(1 << 20, '['),
      std::string(1 << 20, ' ') + "KTAP version 1",
      std::string(1 << 16, '\n'),
      std::string(100000, '#') + " selftests: a: b",
      [] {
        std::string s = "TAP version 13\n1..1\n";
        std::string prefix;
        for (int i = 0; i < 50; ++i, prefix += "# ")
          s += prefix + "# selftests: a: b\n" + prefix + "# TAP version 13\n";
        return s;
      }(),
      [] {
        std::string s;
        for (int i = 0; i < 20000; ++i) s += "[ 1.0] WARNING: CPU: 0 PID: 1 at x.c:1 f\n";
        return s;
      }(),
      [] {
        std::string s = "KTAP version 1\n";
        for (int i = 0; i < 20000; ++i) s += "ok " + std::to_string(i + 1) + " t\n";
        return s;
      }(),
  };
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    SCOPED_TRACE("input " + std::to_string(i));
    ASSERT_NO_FATAL_FAILURE(run_pipeline(inputs[i], i));
  }
}

}  // namespace
}  // namespace wpsuite
