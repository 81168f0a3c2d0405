// Memory bound: the whole pipeline (split, parse, analyze, gate and the
// three reports) on worst-case shapes of input must allocate at most
// 64 MB + 20 bytes per input byte at its peak, and give a red verdict.
// Logs dense in failing tests or splats cost more per byte, since every
// one of them is a row in each report (results.json alone writes about 1 KB
// for each): for them the peak must grow linearly, four times the input
// taking at most 4.5 times the memory.
//
// The heap is measured in-process: this binary replaces the global operator
// new/delete and keeps the live and peak bytes (malloc_usable_size), so the
// figure is exact and the same on every run; no wall-clock time is measured.
// Before the parser was made linear, a 4.5 KB log of nested kselftest
// entries took 13 GB and 100 KB of truncated plans over 1 GB.
#include <gtest/gtest.h>
#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <functional>
#include <new>
#include <string>

#include "wpsuite/gate.h"
#include "wpsuite/kunit_compat.h"
#include "wpsuite/report.h"

namespace {

std::atomic<std::size_t> g_live{0};
std::atomic<std::size_t> g_peak{0};

void* counted_alloc(std::size_t n) {
  void* p = std::malloc(n ? n : 1);
  if (p == nullptr) throw std::bad_alloc();
  const std::size_t now = g_live += malloc_usable_size(p);
  std::size_t peak = g_peak.load();
  while (now > peak && !g_peak.compare_exchange_weak(peak, now)) {
  }
  return p;
}

void counted_free(void* p) noexcept {
  if (p == nullptr) return;
  g_live -= malloc_usable_size(p);
  std::free(p);
}

}  // namespace

void* operator new(std::size_t n) {
  return counted_alloc(n);
}
void* operator new[](std::size_t n) {
  return counted_alloc(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted_alloc(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return operator new(n, std::nothrow);
}
void operator delete(void* p) noexcept {
  counted_free(p);
}
void operator delete[](void* p) noexcept {
  counted_free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  counted_free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  counted_free(p);
}

namespace wpsuite {
namespace {

constexpr std::size_t kFixedBytes = 64u << 20;
constexpr std::size_t kBytesPerInputByte = 20;

struct PipelineRun {
  std::size_t peak_growth = 0;  // bytes above what was live before the run
  bool green = true;
  std::vector<std::string> problem_kinds;
};

PipelineRun run_pipeline(const std::string& text) {
  PipelineRun r;
  const std::size_t before = g_live.load();
  g_peak = before;
  {
    const std::vector<ConsoleLine> lines = split_console(text);
    const std::vector<TestResult> docs = parse_ktap(lines);
    const ConsoleAnalysis console = analyze_console(lines, docs);
    GateOptions options;
    options.expected_suites = {"hw_breakpoint"};
    const GateResult gate = evaluate(docs, console, options);
    // One report at a time, as ktap-gate writes them.
    { const std::string out = format_summary(gate, console); }
    { const std::string out = format_results_json(gate, console); }
    { const std::string out = format_junit_xml(gate, console); }
    { const KunitCompatResult kunit = kunit_compat(docs); }
    r.green = gate.green;
    for (const Problem& p : gate.problems) r.problem_kinds.emplace_back(to_string(p.kind));
  }
  r.peak_growth = g_peak.load() - before;
  return r;
}

std::string repeat(const std::string& unit, std::size_t bytes) {
  std::string s;
  s.reserve(bytes + unit.size());
  while (s.size() < bytes) s += unit;
  return s;
}

// Checks the bound and the verdict; returns the run for more checks.
PipelineRun expect_bounded(const std::string& name, const std::string& text) {
  SCOPED_TRACE(name);
  const PipelineRun r = run_pipeline(text);
  const std::size_t bound = kFixedBytes + kBytesPerInputByte * text.size();
  std::printf("%-28s %9zu bytes in, peak heap growth %7.1f MB (bound %6.1f MB)\n", name.c_str(),
              text.size(), r.peak_growth / 1048576.0, bound / 1048576.0);
  EXPECT_LE(r.peak_growth, bound) << name << ": " << text.size() << " bytes of input";
  EXPECT_FALSE(r.green) << name << " proves nothing, yet the gate is green";
  return r;
}

// The peak for `make(n)` and `make(4 * n)` (n bytes of input or more).
void expect_linear(const std::string& name, const std::function<std::string(std::size_t)>& make,
                   std::size_t n) {
  SCOPED_TRACE(name);
  const std::string small = make(n), large = make(4 * n);
  const PipelineRun a = run_pipeline(small), b = run_pipeline(large);
  std::printf("%-28s %9zu / %9zu bytes in, peak heap growth %7.1f / %7.1f MB\n", name.c_str(),
              small.size(), large.size(), a.peak_growth / 1048576.0, b.peak_growth / 1048576.0);
  EXPECT_LE(b.peak_growth, a.peak_growth * 9 / 2 + (4u << 20))
      << name << " grows faster than its input";
  EXPECT_FALSE(a.green);
  EXPECT_FALSE(b.green);
}

bool has_problem(const PipelineRun& r, const std::string& kind) {
  return std::find(r.problem_kinds.begin(), r.problem_kinds.end(), kind) != r.problem_kinds.end();
}

// Entries of the kselftest runner that never end, 32 deep at each of six
// "# " levels: each level's output used to be parsed again for every entry
// around it (32^4 times).
TEST(MemoryBound, NestedKselftestEntries) {
  std::string s = "TAP version 13\n1..1\n";
  std::string prefix;
  for (int level = 0; level < 6; ++level, prefix += "# ") {
    if (level) s += prefix + "TAP version 13\n";
    for (int i = 0; i < 32; ++i) s += prefix + "# selftests: a: b\n";
  }
  s += repeat(prefix + "ok 1 leaf\n", 1 << 20);
  expect_bounded("nested kselftest entries", s);
}

TEST(MemoryBound, DeepKtapNesting) {
  std::string s;
  for (int i = 0; i < 4000; ++i)
    s += std::string(static_cast<std::size_t>(i), ' ') + "KTAP version 1\n";
  s += repeat("# Subtest: x\n1..5\nok 1 a\n", 1 << 20);
  expect_bounded("deep KTAP nesting", s);
}

// Each plan announces a billion tests that never report (100 KB of them
// used to take over 1 GB).
TEST(MemoryBound, ManyTruncatedPlans) {
  const PipelineRun top = expect_bounded("truncated top-level plans",
                                         repeat("KTAP version 1\n1..999999999\n", 256 << 10));
  EXPECT_TRUE(has_problem(top, "parse-limit"));
  const PipelineRun nested = expect_bounded(
      "truncated suite plans",
      "KTAP version 1\n" + repeat("  # Subtest: s\n  1..999999999\nnot ok 1 s\n", 256 << 10));
  EXPECT_TRUE(has_problem(nested, "parse-limit"));
}

// One line of 8 MB, as a test name, as a log line of a failing test and as
// a splat header.
TEST(MemoryBound, OneHugeLine) {
  const std::string huge(8u << 20, 'x');
  expect_bounded("huge test name", "KTAP version 1\n1..1\nnot ok 1 " + huge + "\n");
  expect_bounded("huge log line", "KTAP version 1\n1..1\n" + huge + "\nnot ok 1 t\n");
  expect_bounded("huge splat header", "WARNING: CPU: 0 PID: 1 at " + huge + "\n");
}

TEST(MemoryBound, NulBytes) {
  std::string nuls(1u << 20, '\0');
  expect_bounded("NUL bytes", "KTAP version 1\n1..2\nnot ok 1 a\0b\n" + nuls +
                                  "\nBUG: KASAN: \0\n" + nuls + "\nnot ok 2 \0\n");
  expect_linear(
      "NUL lines",
      [](std::size_t n) { return repeat(std::string("not ok 1 \0\nBUG: \0\n", 19), n); }, 64 << 10);
}

TEST(MemoryBound, InvalidUtf8) {
  std::string bytes;
  for (int i = 0x80; i < 0x100; ++i) bytes += static_cast<char>(i);
  expect_bounded("invalid UTF-8", "KTAP version 1\n1..1\nnot ok 1 \xff\xfe\xc3(\n" +
                                      repeat(bytes + "\n", 1 << 20) + "BUG: \xe2\x82\n");
  expect_linear(
      "invalid UTF-8 tests",
      [](std::size_t n) {
        return "KTAP version 1\n" + repeat("not ok 1 \xc3\x28\xa0\xa1\nWARNING: \xf0\x28\n", n);
      },
      64 << 10);
}

// Splats between many results: each splat's running test was found by a
// walk over all the suite's tests.
TEST(MemoryBound, ManySplatsInALargeSuite) {
  expect_linear(
      "splats among results",
      [](std::size_t n) {
        return "KTAP version 1\n1..1\n  KTAP version 1\n  # Subtest: s\n" +
               repeat("  ok 1 t\nWARNING: CPU: 0 PID: 1 at x.c:1 f\n", n);
      },
      64 << 10);
}

// Many expect-splat windows, all open, and many splats to match against them.
TEST(MemoryBound, ManyExpectWindows) {
  std::string s = repeat("wpsuite: expect-splat begin w " + std::string(200, 'a') + "b\n", 1 << 18);
  s += repeat("WARNING: " + std::string(1000, 'a') + "\n", 1 << 20);
  expect_bounded("expect-splat windows", s);
}

// A chain of 30 suites with long names and many tests at the bottom: each
// test's path repeats the chain.
TEST(MemoryBound, DeepPathsWithManyTests) {
  std::string s = "KTAP version 1\n";
  std::string indent;
  for (int i = 0; i < 30; ++i) {
    indent += "  ";
    s += indent + "KTAP version 1\n" + indent + "# Subtest: " + std::string(250, 'n') + "\n";
  }
  s += repeat(indent + "ok 1 " + std::string(40, 't') + "\n", 1 << 20);
  expect_bounded("deep paths", s);
}

}  // namespace
}  // namespace wpsuite
