// READ: KTAP v1 / TAP 13-14 parser for a serial console log.
//
// The console log is split into lines, the printk prefix ("[    1.234567] ",
// optionally followed by a caller field "[    T1] ") is stripped, and the
// remaining text is fed through a small state machine that understands:
//   * several top-level documents in one log (KUnit at boot, then kselftest),
//   * nesting by "KTAP version" / "# Subtest:" headers and by indentation,
//   * plans "1..N", directives (# SKIP / TODO / XFAIL / XPASS / TIMEOUT / ERROR),
//   * non-KTAP lines interleaved anywhere (kept as diagnostics),
//   * output cut off by a crash (open tests become CRASHED, planned but
//     never reported tests become synthetic CRASHED entries),
//   * kselftest runner entries ("# selftests: C: T" ... "ok N selftests: C: T"),
//     whose "# "-prefixed output is parsed again as that test's subtests.
// Everything is a pure function of the input; there is no global state.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wpsuite {

// Bounds that keep time and memory linear in the size of the log, whatever
// it holds (see README "Bad input").
constexpr long kMaxPlaceholdersPerPlan = 1000;  // never-reported tests listed for one plan
constexpr long kMaxPlaceholders = 10000;        // ... and for one log, in total
constexpr std::size_t kMaxNameBytes = 256;      // test names are cut here
constexpr std::size_t kMaxLineBytes = 1024;     // log and excerpt lines (printk's own limit)
constexpr std::size_t kMaxPathBytes = 1024;     // deeper paths keep their start and the name

// One line of the console log.
struct ConsoleLine {
  std::size_t number = 0;           // 1-based line number in the log
  std::optional<double> timestamp;  // printk timestamp (seconds), if any
  std::string raw;                  // the line as logged, trailing whitespace removed
  std::size_t body_offset = 0;      // where the text after the printk prefix starts

  std::string_view body() const { return std::string_view(raw).substr(body_offset); }
};

struct PrefixSplit {
  std::size_t body_offset = 0;
  std::optional<double> timestamp;
};

// Finds the printk prefix of a console line: at its start, a timestamp
// "[ <sec>.<frac>]" and/or a caller field "[ T123]" / "[ C1]"
// (CONFIG_PRINTK_CALLER, also without timestamps), then one separating space.
// With `after_noise`, a prefix in the kernel's exact format ("[%5lu.%06lu]",
// "[%6s]") further on is taken too, and what is in front of it (another
// writer's unterminated output) is dropped. Lines without a prefix are
// returned unchanged (body_offset 0).
PrefixSplit split_kernel_prefix(std::string_view line, bool after_noise = true);

// Where the next printk record on `line` starts at or after `from`: the
// offset just past the next prefix in the kernel's exact format (another
// CPU's record, printed after an unterminated fragment), or npos.
std::size_t next_record(std::string_view line, std::size_t from);

// Splits a console log into lines ("\n", "\r\n"), stripping printk prefixes.
// Prefixes after noise are taken only in a log where some line starts with
// one: in a log without timestamps, "ok 1 test_range [    0.500000]" is a
// test named so (as kunit.py reads it), not a timestamp.
std::vector<ConsoleLine> split_console(std::string_view text);

enum class Status { Pass, Fail, Skip, XFail, Crashed, NoTests };
enum class Directive { None, Skip, Todo, XFail, XPass, Timeout, Error };

std::string_view to_string(Status status);
std::string_view to_string(Directive directive);
// Fail, Crashed and NoTests are failures; Pass, XFail and Skip are not.
bool is_failure(Status status);

struct TestResult {
  std::string name;
  Status status = Status::Crashed;
  Directive directive = Directive::None;
  std::string directive_text;  // reason/comment after '#' on the result line
  std::vector<TestResult> subtests;
  std::vector<std::string> log;     // diagnostic lines attributed to this test
  std::vector<std::string> errors;  // parse problems (missing result line, ...)
  std::optional<long> plan;         // "1..N"
  long number = 0;                  // number on the result line
  std::string version;              // "KTAP version 1" / "TAP version 13" if seen
  bool ok = false;                  // raw "ok" (true) / "not ok" (false)
  bool has_header = false;          // opened by a version line or a subtest header
  bool has_result = false;          // its own "ok"/"not ok" line was seen
  bool synthetic = false;           // planned test that never reported (CRASHED)
  long unlisted = 0;                // planned, never reported, and no placeholder (limits)
  bool kselftest = false;           // kselftest runner entry "selftests: C: T"
  std::size_t first_line = 0;       // console line range owned by this test
  std::size_t last_line = 0;
  std::optional<double> first_timestamp;
  std::optional<double> last_timestamp;

  std::optional<double> duration() const;
};

// Parses every KTAP/TAP document found in the console lines. Each returned
// TestResult is a document root: unnamed (its subtests are the suites), or
// named when the document is a single suite (e.g. a KUnit module, whose suite
// header is not preceded by a top-level "KTAP version" / plan).
std::vector<TestResult> parse_ktap(const std::vector<ConsoleLine>& lines);
std::vector<TestResult> parse_ktap(std::string_view console_text);

// Name used in test paths: kselftest entries "selftests: C: T" become "C:T";
// a result without a name uses its directive text or "#<number>".
std::string display_name(const TestResult& test);
std::string child_path(const std::string& parent_path, const TestResult& child);

// Top-level suites of a document (the root itself if it is named).
std::vector<const TestResult*> suites_of(const TestResult& document);

// Path ("suite.case.param", "collection:test.subtest") of the innermost test
// whose line range contains `line`; empty if none. At each level the first
// (non-synthetic) test whose range holds the line is taken.
std::string test_path_at(const std::vector<TestResult>& documents, std::size_t line);
// The same for many lines at once (`lines` ascending), in O((tests + lines *
// depth) log tests): one path per entry of `lines`.
std::vector<std::string> test_paths_at(const std::vector<TestResult>& documents,
                                       const std::vector<std::size_t>& lines);

struct Counts {
  int passed = 0;  // Pass and XFail
  int failed = 0;  // Fail and NoTests
  int skipped = 0;
  int crashed = 0;
  int total() const { return passed + failed + skipped + crashed; }
  Counts& operator+=(const Counts& other);
};

// Counts test cases below (and including) `test`, each once: leaves by
// status, plus a failed non-leaf whose failure no failing test below it
// explains (e.g. a kselftest that exited 1 although all its subtests said ok).
Counts count_tests(const TestResult& test);

// True if some test below `test` (optionally ignoring synthetic ones) is a
// failure.
bool has_failing_descendant(const TestResult& test, bool include_synthetic);

// Planned tests that never reported and have no placeholder of their own
// (kMaxPlaceholdersPerPlan, kMaxPlaceholders), below and including `test`.
long unlisted_tests(const TestResult& test);

}  // namespace wpsuite
