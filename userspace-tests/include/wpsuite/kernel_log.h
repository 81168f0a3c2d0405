// Kernel log analysis: splat detection, wpsuite markers and expect-splat windows.
//
// A splat starts at a line whose text (after the printk prefix) begins with a
// known kernel error header (BUG:, WARNING:, Oops, Kernel panic, ...). Its
// excerpt runs until "---[ end trace" / "---[ end Kernel panic", the next
// splat, a wpsuite marker, or kMaxExcerptLines lines. Lines starting with '#'
// (kselftest output, KUnit diagnostics) never start a splat.
//
// Markers are lines "wpsuite: <what>" written to /dev/kmsg by the guest:
//   wpsuite: kunit done | kselftest begin | kselftest end | done
//   wpsuite: expect-splat begin <id> <substring>
//   wpsuite: expect-splat end <id>
// A splat inside an expect-splat window whose header line contains
// <substring> (not empty) is expected; a window without such a splat is
// reported by the gate.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wpsuite/ktap_parser.h"

namespace wpsuite {

constexpr std::size_t kMaxExcerptLines = 40;
constexpr std::size_t kConsoleTailLines = 30;
constexpr std::size_t kMaxExpectWindows = 100;  // more begin markers are ignored

enum class SplatKind {
  Bug,                    // BUG: ... (KASAN, spinlock, bad page state, ...)
  Oops,                   // Internal error: Oops / Oops:
  PageFault,              // Unable to handle kernel ...
  KernelBug,              // kernel BUG at file:line!
  Warning,                // WARNING: CPU: n PID: n at ...
  Lockdep,                // lockdep / RCU-lockdep WARNING reports
  SchedulingWhileAtomic,  // BUG: scheduling while atomic
  SleepInAtomic,          // BUG: sleeping function called from invalid context
  HungTask,               // INFO: task ... blocked for more than N seconds.
  RcuStall,               // rcu: INFO: ... detected stalls / self-detected stall
  SoftLockup,             // watchdog: BUG: soft lockup
  HardLockup,             // watchdog: Watchdog detected hard LOCKUP
  Ubsan,                  // UBSAN: ...
  Panic,                  // Kernel panic - not syncing
};

std::string_view to_string(SplatKind kind);

// Classifies the text of one console line (printk prefix already removed).
std::optional<SplatKind> classify_splat_line(std::string_view body);

struct Splat {
  SplatKind kind = SplatKind::Bug;
  std::size_t line = 0;  // line of the splat header
  std::optional<double> timestamp;
  std::string title;                 // the header line text
  std::vector<std::string> excerpt;  // raw console lines
  std::string running_test;          // innermost test open at `line` ("" if none)
  bool expected = false;             // matched an expect-splat window
  std::string expect_id;
};

enum class MarkerKind {
  KunitDone,
  KselftestBegin,
  KselftestEnd,
  Done,
  ExpectSplatBegin,
  ExpectSplatEnd,
  Unknown,
};

std::string_view to_string(MarkerKind kind);

struct Marker {
  MarkerKind kind = MarkerKind::Unknown;
  std::size_t line = 0;
  std::optional<double> timestamp;
  std::string text;       // everything after "wpsuite: "
  std::string id;         // expect-splat id
  std::string substring;  // expect-splat begin: text a matching splat contains
};

// Parses a marker from the text of one line; nullopt if it is not a marker.
std::optional<Marker> parse_marker(std::string_view body);

struct ExpectWindow {
  std::string id;
  std::string substring;
  std::size_t begin_line = 0;
  std::optional<std::size_t> end_line;  // nullopt: never closed
  int matches = 0;                      // splats accepted by this window
};

struct ConsoleAnalysis {
  std::vector<Splat> splats;
  std::vector<Marker> markers;
  std::vector<ExpectWindow> windows;
  std::vector<std::string> notes;  // marker oddities (end without begin, ...)
  bool finished = false;           // "wpsuite: done" seen
  std::size_t line_count = 0;
  std::vector<std::string> tail;  // last kConsoleTailLines raw lines
};

std::vector<Splat> find_splats(const std::vector<ConsoleLine>& lines);

// Splats (attributed to the tests in `documents`), markers and windows.
ConsoleAnalysis analyze_console(const std::vector<ConsoleLine>& lines,
                                const std::vector<TestResult>& documents);

}  // namespace wpsuite
