// Kernel log analysis: splat detection, wpsuite markers and expect-splat windows.
//
// A splat is a kernel report. It starts at a header line (a row of
// splat_classes(): "BUG: ...", "WARNING: CPU: ...", "Unable to handle
// kernel ...", lockdep's "WARNING: possible ...", "rcu: INFO: ...", ...),
// found at the start of any printk record: a line's text after its printk
// prefix, or the text after a later prefix on the same line (another CPU's
// record printed after an unterminated fragment). A test's own output never
// starts one: lines whose text starts with '#' (kselftest output, KTAP and
// KUnit diagnostics), and the continuation lines of a failed KUnit
// expectation (same printk record as its "# test: EXPECTATION FAILED" line).
//
// The excerpt starts at the report's opening line ("[ cut here ]", a line of
// '=') and ends where the report ends: its end marker ("---[ end trace",
// "---[ end Kernel panic", the closing line of '=' of KASAN, KFENCE, UBSAN),
// or the first line that is not part of it (after its stack dump, after its
// indented lines, a KTAP line, a marker, the next report), at most
// kMaxExcerptLines lines.
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

constexpr std::size_t kMaxExcerptLines = 200;  // a safety limit; reports end before it
constexpr std::size_t kConsoleTailLines = 30;
constexpr std::size_t kMaxExpectWindows = 100;  // more begin markers are ignored

enum class SplatKind {
  Bug,                    // BUG: ... (any other)
  Oops,                   // Internal error: Oops ... (arm64 die())
  PageFault,              // Unable to handle kernel ...
  KernelBug,              // kernel BUG at file:line!
  Warning,                // WARNING: CPU: n PID: n at ... (WARN_ON)
  Lockdep,                // lockdep / RCU-lockdep WARNING reports
  SchedulingWhileAtomic,  // BUG: scheduling while atomic
  SleepInAtomic,          // BUG: sleeping function called from invalid context
  HungTask,               // INFO: task ... blocked for more than N seconds.
  RcuStall,               // rcu: INFO: ... detected stalls / self-detected stall
  SoftLockup,             // watchdog: BUG: soft lockup
  HardLockup,             // NMI watchdog: Watchdog detected hard LOCKUP
  Ubsan,                  // UBSAN: ...
  Panic,                  // Kernel panic - not syncing
  Kasan,                  // BUG: KASAN: ...
  Kfence,                 // BUG: KFENCE: ...
  Kcsan,                  // BUG: KCSAN: ...
  Kmsan,                  // BUG: KMSAN: ...
  Kmemleak,               // kmemleak: unreferenced object 0x...
  ListCorruption,         // list_add corruption. / list_del corruption,
  Refcount,               // refcount_t: ... (the message of its WARNING)
  BadPage,                // BUG: Bad page state / map / cache, Bad rss-counter state
  WorkqueueLockup,        // BUG: workqueue lockup
  Preemptible,            // BUG: using smp_processor_id() in preemptible code
  SpinlockBug,            // BUG: spinlock / rwlock ... on CPU#n
  SlabCorruption,         // BUG <cache> (<taint>): ... (SLUB), Slab corruption
  SError,                 // SError Interrupt on CPU
  StackOverflow,          // Insufficient stack space to handle exception!
  UnhandledException,     // Unhandled ... exception on CPU
  WxMapping,              // Checked W+X mappings: FAILED
  DebugException,         // Unexpected kernel BRK / single-step exception at EL1
};

// How a report of a class ends.
enum class SplatEnd {
  EndMarker,  // "---[ end trace ... ]---" / "---[ end Kernel panic ... ]---"
  Delimited,  // the line of '=' closing the one that opened it
  StackDump,  // the end of its (last) stack dump
  Indented,   // its header and the indented lines after it
};

// One row of the table of kernel report headers (kernel_log.cc), derived from
// the Linux 6.1 sources; the splat_classes CTest checks that every header
// format of the kernel maps to a row or to not_splat_formats().
struct SplatClass {
  SplatKind kind;
  std::string_view pattern;  // the header as printed; '*' stands for any text
  SplatEnd end;
  std::string_view source;  // where the kernel prints it
};

const std::vector<SplatClass>& splat_classes();

// Kernel format strings (as printed, pr_fmt included) that look like report
// headers but are not splats, each with the reason (kernel_log.cc).
struct NotSplat {
  std::string_view format;
  std::string_view reason;
};
const std::vector<NotSplat>& not_splat_formats();

std::string_view to_string(SplatKind kind);

// The class of a printk record's text (printk prefix removed), if it is a
// report header: the first row of splat_classes() that matches.
const SplatClass* find_splat_class(std::string_view record);
std::optional<SplatKind> classify_splat_line(std::string_view record);

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
