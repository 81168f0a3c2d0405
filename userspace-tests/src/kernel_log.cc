#include "wpsuite/kernel_log.h"

#include <algorithm>

#include "text_util.h"

namespace wpsuite {

std::string_view to_string(SplatKind kind) {
  switch (kind) {
    case SplatKind::Bug: return "BUG";
    case SplatKind::Oops: return "Oops";
    case SplatKind::PageFault: return "Unable to handle kernel";
    case SplatKind::KernelBug: return "kernel BUG";
    case SplatKind::Warning: return "WARNING";
    case SplatKind::Lockdep: return "lockdep";
    case SplatKind::SchedulingWhileAtomic: return "scheduling while atomic";
    case SplatKind::SleepInAtomic: return "sleeping in atomic context";
    case SplatKind::HungTask: return "hung task";
    case SplatKind::RcuStall: return "RCU stall";
    case SplatKind::SoftLockup: return "soft lockup";
    case SplatKind::HardLockup: return "hard lockup";
    case SplatKind::Ubsan: return "UBSAN";
    case SplatKind::Panic: return "Kernel panic";
    case SplatKind::Kasan: return "KASAN";
    case SplatKind::Kfence: return "KFENCE";
    case SplatKind::Kcsan: return "KCSAN";
    case SplatKind::Kmsan: return "KMSAN";
    case SplatKind::Kmemleak: return "kmemleak";
    case SplatKind::ListCorruption: return "list corruption";
    case SplatKind::Refcount: return "refcount";
    case SplatKind::BadPage: return "bad page";
    case SplatKind::WorkqueueLockup: return "workqueue lockup";
    case SplatKind::Preemptible: return "preemptible context";
    case SplatKind::SpinlockBug: return "spinlock";
    case SplatKind::SlabCorruption: return "slab corruption";
    case SplatKind::SError: return "SError";
    case SplatKind::StackOverflow: return "stack overflow";
    case SplatKind::UnhandledException: return "unhandled exception";
    case SplatKind::WxMapping: return "W+X mapping";
    case SplatKind::DebugException: return "debug exception";
  }
  return "?";
}

// ---------------------------------------------------------------------------
// The report headers of Linux 6.1 (as printed: pr_fmt prefixes included),
// the more specific first. The splat_classes CTest scans the kernel tree for
// header formats that match no row here and are not in kNotSplats.

using K = SplatKind;
using E = SplatEnd;

const std::vector<SplatClass> kSplatClasses = {
    {K::SoftLockup, "watchdog: BUG: soft lockup - CPU#*stuck for", E::StackDump,
     "kernel/watchdog.c"},
    {K::HardLockup, "NMI watchdog: Watchdog detected hard LOCKUP on cpu", E::StackDump,
     "kernel/watchdog_hld.c"},
    {K::HardLockup, "watchdog: Watchdog detected hard LOCKUP on cpu", E::StackDump,
     "kernel/watchdog.c (buddy detector, later kernels)"},
    {K::WorkqueueLockup, "BUG: workqueue lockup - pool", E::Indented, "kernel/workqueue.c"},
    {K::SchedulingWhileAtomic, "BUG: scheduling while atomic: ", E::StackDump,
     "kernel/sched/core.c"},
    {K::SleepInAtomic, "BUG: sleeping function called from invalid context at ", E::StackDump,
     "kernel/sched/core.c"},
    {K::Preemptible, "BUG: using *() in preemptible [", E::StackDump, "lib/smp_processor_id.c"},
    {K::Kasan, "BUG: KASAN: ", E::Delimited, "mm/kasan/report.c"},
    {K::Kfence, "BUG: KFENCE: ", E::Delimited, "mm/kfence/report.c"},
    {K::Kcsan, "BUG: KCSAN: ", E::Delimited, "kernel/kcsan/report.c"},
    {K::Kmsan, "BUG: KMSAN: ", E::Delimited, "mm/kmsan/report.c"},
    {K::BadPage, "BUG: Bad page state", E::StackDump, "mm/page_alloc.c"},
    {K::BadPage, "BUG: Bad page map", E::StackDump, "mm/memory.c"},
    {K::BadPage, "BUG: Bad page cache in process ", E::StackDump, "mm/filemap.c"},
    {K::BadPage, "BUG: Bad rss-counter state ", E::Indented, "kernel/fork.c check_mm()"},
    {K::BadPage, "BUG: non-zero pgtables_bytes on freeing mm: ", E::Indented,
     "kernel/fork.c check_mm()"},
    // page_poison=1 (the suite boots with it): a freed page written to.
    {K::BadPage, "pagealloc: memory corruption", E::StackDump, "mm/page_poison.c"},
    {K::BadPage, "pagealloc: single bit error", E::StackDump, "mm/page_poison.c"},
    {K::SpinlockBug, "BUG: spinlock * on CPU#", E::StackDump, "kernel/locking/spinlock_debug.c"},
    {K::SpinlockBug, "BUG: rwlock * on CPU#", E::StackDump, "kernel/locking/spinlock_debug.c"},
    {K::Bug, "BUG: ", E::StackDump, "BUG: reports elsewhere (lockdep, workqueue, mempool, ...)"},
    {K::SlabCorruption, "BUG * (*): ", E::StackDump, "mm/slub.c slab_bug()"},
    {K::SlabCorruption, "Slab corruption (", E::StackDump, "mm/slab.c"},
    // lockdep and RCU-lockdep (kernel/locking/lockdep.c): a line of '='
    // opens the report, the header follows.
    {K::Lockdep, "WARNING: possible circular locking dependency detected", E::StackDump,
     "kernel/locking/lockdep.c"},
    {K::Lockdep, "WARNING: *-safe -> *-unsafe lock order detected", E::StackDump,
     "kernel/locking/lockdep.c"},
    {K::Lockdep, "WARNING: possible recursive locking detected", E::StackDump,
     "kernel/locking/lockdep.c"},
    {K::Lockdep, "WARNING: chain_key collision", E::StackDump, "kernel/locking/lockdep.c"},
    {K::Lockdep, "WARNING: inconsistent lock state", E::StackDump, "kernel/locking/lockdep.c"},
    {K::Lockdep, "WARNING: possible irq lock inversion dependency detected", E::StackDump,
     "kernel/locking/lockdep.c"},
    {K::Lockdep, "WARNING: Nested lock was not taken", E::StackDump, "kernel/locking/lockdep.c"},
    {K::Lockdep, "WARNING: bad unlock balance detected!", E::StackDump, "kernel/locking/lockdep.c"},
    {K::Lockdep, "WARNING: bad contention detected!", E::StackDump, "kernel/locking/lockdep.c"},
    {K::Lockdep, "WARNING: held lock freed!", E::StackDump, "kernel/locking/lockdep.c"},
    {K::Lockdep, "WARNING: * still has locks held!", E::StackDump, "kernel/locking/lockdep.c"},
    {K::Lockdep, "WARNING: lock held when returning to user space!", E::StackDump,
     "kernel/locking/lockdep.c"},
    {K::Lockdep, "WARNING: suspicious RCU usage", E::StackDump, "kernel/locking/lockdep.c"},
    {K::Lockdep, "INFO: trying to register non-static key.", E::StackDump,
     "kernel/locking/lockdep.c"},
    {K::Warning, "WARNING: CPU: * PID: * at ", E::EndMarker, "kernel/panic.c __warn()"},
    {K::Warning, "WARNING: ", E::Indented,
     "one-line WARNING: reports (timekeeping, workqueue, arm64 boot and mitigations)"},
    {K::Oops, "Internal error: ", E::EndMarker, "arch/arm64/kernel/traps.c __die()"},
    {K::Oops, "Oops: ", E::EndMarker, "die() elsewhere"},
    {K::PageFault, "Unable to handle kernel ", E::EndMarker,
     "arch/arm64/mm/fault.c die_kernel_fault()"},
    {K::KernelBug, "kernel BUG at ", E::EndMarker, "lib/bug.c report_bug()"},
    {K::HungTask, "INFO: task * blocked for more than ", E::StackDump, "kernel/hung_task.c"},
    {K::RcuStall, "rcu: INFO: * detected stalls on CPUs/tasks:", E::StackDump,
     "kernel/rcu/tree_stall.h"},
    {K::RcuStall, "rcu: INFO: * self-detected stall on CPU", E::StackDump,
     "kernel/rcu/tree_stall.h"},
    {K::RcuStall, "rcu: INFO: * detected expedited stalls on CPUs/tasks:", E::StackDump,
     "kernel/rcu/tree_exp.h"},
    {K::RcuStall, "INFO: rcu_tasks* detected stalls", E::StackDump, "kernel/rcu/tasks.h"},
    {K::Ubsan, "UBSAN: ", E::Delimited, "lib/ubsan.c"},
    {K::Panic, "Kernel panic - not syncing: ", E::EndMarker, "kernel/panic.c"},
    {K::Kmemleak, "kmemleak: unreferenced object 0x", E::Indented, "mm/kmemleak.c"},
    {K::Kmemleak, "unreferenced object 0x", E::Indented,
     "mm/kmemleak.c (the debugfs file, printed by a test)"},
    // With CONFIG_BUG_ON_DATA_CORRUPTION a header of its own, followed by
    // "kernel BUG at"; otherwise the message under a WARNING: header.
    {K::ListCorruption, "list_add corruption", E::EndMarker, "lib/list_debug.c"},
    {K::ListCorruption, "list_del corruption", E::EndMarker, "lib/list_debug.c"},
    {K::Refcount, "refcount_t: ", E::EndMarker, "lib/refcount.c (the message of a WARNING)"},
    {K::WxMapping, "arm64/mm: Found insecure W+X mapping at address ", E::EndMarker,
     "arch/arm64/mm/ptdump.c (the message of a WARNING)"},
    {K::WxMapping, "Checked W+X mappings: FAILED", E::Indented, "arch/arm64/mm/ptdump.c"},
    {K::SError, "SError Interrupt on CPU", E::StackDump, "arch/arm64/kernel/traps.c"},
    {K::StackOverflow, "Insufficient stack space to handle exception!", E::StackDump,
     "arch/arm64/kernel/traps.c panic_bad_stack()"},
    {K::UnhandledException, "Unhandled * exception on CPU", E::StackDump,
     "arch/arm64/kernel/entry-common.c"},
    // The debug exceptions the suite's breakpoints and watchpoints take.
    {K::DebugException, "Unexpected kernel BRK exception at EL1", E::StackDump,
     "arch/arm64/kernel/debug-monitors.c (die() follows)"},
    {K::DebugException, "Unexpected kernel single-step exception at EL1", E::Indented,
     "arch/arm64/kernel/debug-monitors.c"},
    {K::DebugException, "hw-breakpoint: Unhandled hw breakpoint ops ", E::Indented,
     "arch/arm64/kernel/hw_breakpoint.c"},
};

// Formats that look like report headers and are not splats (as printed,
// pr_fmt included; the splat_classes CTest finds each in the tree).
const std::vector<NotSplat> kNotSplats = {
    {"INFO: lockdep is turned off.\n",
     "follows a lockdep report (the splat) when lockdep disables itself"},
    {"rcu: INFO: Stall ended before state dump start\n", "a line of an RCU stall report"},
    {"INFO: timekeeping: Cycle offset (%lld) is larger than the '%s' clock's 50%% safety margin "
     "(%lld)\n",
     "the kernel says it is \"still fine\" (the overflow itself is a WARNING:)"},
    {"Checked W+X mappings: passed, no W+X pages found\n", "the W+X check passed"},
    {"Unable to handle swap header version %d\n", "mm/swapfile.c: swapon of a bad device"},
    {"Unable to handle %s in EFI runtime service\n",
     "precedes the \"Unable to handle kernel\" report of the fault"},
    {"BUG at %s:%d\n", "lib/test_xarray.c: a test module's own output"},
    {"842_decompress: Internal error, invalid op %x\n",
     "a decompression error, not a kernel fault"},
    // Lines inside the arm64 fault reports (arch/arm64/mm/fault.c, traps.c),
    // which the scan reads whole: they follow the report's header.
    {"Mem abort info:\n", "a line of the \"Unable to handle kernel\" report"},
    {"Data abort info:\n", "a line of the \"Unable to handle kernel\" report"},
    {"[%016lx] user address but active_mm is swapper\n",
     "a line of the \"Unable to handle kernel\" report"},
    {"[%016lx] address between user and kernel address ranges\n",
     "a line of the \"Unable to handle kernel\" report"},
    {"%s pgtable: %luk pages, %llu-bit VAs, pgdp=%016lx\n",
     "a line of the \"Unable to handle kernel\" report"},
    {"[%016lx] pgd=%016llx", "a line of the \"Unable to handle kernel\" report"},
    {"ESR: 0x%016lx -- %s\n", "a line of the stack overflow report"},
    {"FAR: 0x%016lx\n", "a line of the stack overflow report"},
    {"Task stack:     [0x%016lx..0x%016lx]\n", "a line of the stack overflow report"},
    {"IRQ stack:      [0x%016lx..0x%016lx]\n", "a line of the stack overflow report"},
    {"Overflow stack: [0x%016lx..0x%016lx]\n", "a line of the stack overflow report"},
};

// Does `text` start with `pattern`, whose '*' stands for any text?
bool match_pattern(std::string_view text, std::string_view pattern) {
  std::size_t at = 0;
  bool first = true;
  while (!pattern.empty()) {
    const std::size_t star = pattern.find('*');
    const std::string_view piece = pattern.substr(0, star);
    if (first) {
      if (!starts_with(text, piece)) return false;
      at = piece.size();
    } else if (!piece.empty()) {
      const std::size_t found = text.find(piece, at);
      if (found == std::string_view::npos) return false;
      at = found + piece.size();
    }
    first = false;
    if (star == std::string_view::npos) break;
    pattern.remove_prefix(star + 1);
  }
  return true;
}

bool is_delimiter(std::string_view text) {
  text = trim(text);
  return text.size() >= 20 && text.find_first_not_of('=') == std::string_view::npos;
}

// A KTAP / kselftest / KUnit line: never part of a kernel report.
bool is_test_line(std::string_view body) {
  const std::string_view t = ltrim(body);
  // "#" starts test output, but not lockdep's " #0: (&lock){...}" lines.
  if (starts_with(t, "#") && !(t.size() > 1 && is_digit(t[1]))) return true;
  if (starts_with(t, "KTAP version ") || starts_with(t, "TAP version ")) return true;
  if (starts_with(t, "1..") && t.size() > 3 && is_digit(t[3])) return true;
  std::string_view rest;
  if (starts_with(t, "ok ")) {
    rest = t.substr(3);
  } else if (starts_with(t, "not ok ")) {
    rest = t.substr(7);
  } else {
    return false;
  }
  return !rest.empty() && is_digit(rest[0]);
}

// "    # test_name: EXPECTATION FAILED at lib/x.c:12": the first line of a
// KUnit failure record, whose next lines are part of the same printk record.
bool is_kunit_failure(std::string_view body) {
  const std::string_view t = ltrim(body);
  if (t.size() == body.size() || !starts_with(t, "# ")) return false;
  return contains(t, ": EXPECTATION FAILED at ") || contains(t, ": ASSERTION FAILED at ");
}

// Lines that still belong to a report after its stack dump.
bool continues_after_dump(std::string_view body) {
  static constexpr std::string_view kTrailers[] = {
      "irq event stamp:",
      "hardirqs last",
      "softirqs last",
      "Code: ",
      "---[ end",
      "CPU: ",
      "Hardware name:",
      "Call trace:",
      "task:",
      "Task dump for CPU",
      "NMI backtrace for cpu",
      "Sending NMI from CPU",
      "Showing all locks held",
      "rcu: ",
      "SMP: stopping secondary CPUs",
      "Kernel Offset:",
      "CPU features:",
      "Memory Limit:",
      "Modules linked in:",
      "Preemption disabled at:",
  };
  for (std::string_view t : kTrailers) {
    if (starts_with(body, t)) return true;
  }
  return contains(body, " held by ") &&
         (contains(body, " lock held") || contains(body, " locks held"));
}

// A line that begins another stack dump of the same report.
bool starts_another_dump(std::string_view body) {
  return starts_with(body, "CPU: ") || starts_with(body, "task:") ||
         starts_with(body, "NMI backtrace for cpu") || starts_with(body, "Task dump for CPU");
}

// Does a header of kind `next` continue the open report of kind `open`
// (one incident), rather than start a report of its own?
bool continues_incident(SplatKind open, bool in_dump, SplatKind next) {
  switch (next) {
    case SplatKind::Oops:  // arm64 die() after the fault or BUG that caused it
      return open == SplatKind::PageFault || open == SplatKind::KernelBug ||
             open == SplatKind::Bug || open == SplatKind::ListCorruption ||
             open == SplatKind::DebugException;
    case SplatKind::KernelBug:  // CHECK_DATA_CORRUPTION's BUG()
      return open == SplatKind::ListCorruption;
    case SplatKind::ListCorruption:
    case SplatKind::Refcount:
    case SplatKind::WxMapping:  // the message of a WARN(): names the report
      return open == SplatKind::Warning && !in_dump;
    default: return false;
  }
}

std::string_view to_string(MarkerKind kind) {
  switch (kind) {
    case MarkerKind::KunitDone: return "kunit done";
    case MarkerKind::KselftestBegin: return "kselftest begin";
    case MarkerKind::KselftestEnd: return "kselftest end";
    case MarkerKind::Done: return "done";
    case MarkerKind::ExpectSplatBegin: return "expect-splat begin";
    case MarkerKind::ExpectSplatEnd: return "expect-splat end";
    case MarkerKind::Unknown: return "other";
  }
  return "?";
}

const std::vector<SplatClass>& splat_classes() {
  return kSplatClasses;
}

const std::vector<NotSplat>& not_splat_formats() {
  return kNotSplats;
}

const SplatClass* find_splat_class(std::string_view record) {
  // Headers start their record: the kernel never indents them, while a
  // test's diagnostics are indented or start with '#'.
  if (record.empty() || is_space(record[0]) || record[0] == '#') return nullptr;
  for (const SplatClass& c : kSplatClasses) {
    if (match_pattern(record, c.pattern)) return &c;
  }
  return nullptr;
}

std::optional<SplatKind> classify_splat_line(std::string_view record) {
  const SplatClass* c = find_splat_class(record);
  if (c == nullptr) return std::nullopt;
  return c->kind;
}

std::optional<Marker> parse_marker(std::string_view body) {
  std::string_view t = ltrim(body);
  while (starts_with(t, "#")) t = ltrim(t.substr(1));  // echoed through the kselftest runner
  if (!starts_with(t, "wpsuite: ")) return std::nullopt;
  const std::string_view rest = trim(t.substr(9));
  Marker m;
  m.text = clipped(rest, kMaxLineBytes);
  // Splits the first blank-separated word off `s`.
  const auto word = [](std::string_view& s) {
    s = ltrim(s);
    std::size_t end = 0;
    while (end < s.size() && !is_space(s[end])) ++end;
    const std::string_view w = s.substr(0, end);
    s = trim(s.substr(end));
    return clipped(w, kMaxNameBytes);
  };
  if (rest == "kunit done") {
    m.kind = MarkerKind::KunitDone;
  } else if (rest == "kselftest begin") {
    m.kind = MarkerKind::KselftestBegin;
  } else if (rest == "kselftest end") {
    m.kind = MarkerKind::KselftestEnd;
  } else if (rest == "done") {
    m.kind = MarkerKind::Done;
  } else if (starts_with(rest, "expect-splat begin ")) {
    std::string_view args = rest.substr(19);
    m.id = word(args);
    m.substring = clipped(args, kMaxNameBytes);
    m.kind = MarkerKind::ExpectSplatBegin;
  } else if (starts_with(rest, "expect-splat end ")) {
    std::string_view args = rest.substr(17);
    m.id = word(args);
    m.kind = MarkerKind::ExpectSplatEnd;
  }
  // A window needs an id, and a begin needs a text to match: an empty one
  // would accept any splat.
  if ((m.kind == MarkerKind::ExpectSplatBegin || m.kind == MarkerKind::ExpectSplatEnd) &&
      m.id.empty()) {
    m.kind = MarkerKind::Unknown;
  }
  if (m.kind == MarkerKind::ExpectSplatBegin && m.substring.empty()) {
    m.kind = MarkerKind::Unknown;
  }
  return m;
}

namespace {

struct HeaderAt {
  const SplatClass* cls = nullptr;
  std::string_view text;  // the record from its header on
};

// The first report header on a line, at the start of any of its printk
// records; none on a line of test output.
HeaderAt find_header(const ConsoleLine& line) {
  const std::string_view body = line.body();
  if (starts_with(ltrim(body), "#")) return {};
  const std::string_view raw = line.raw;
  std::size_t at = line.body_offset;
  while (at != std::string_view::npos) {
    const std::string_view record = raw.substr(at);
    if (const SplatClass* c = find_splat_class(record)) return {c, record};
    // Later records only on a line that has a prefix: in a log without
    // timestamps, a bracketed number is the text's own.
    if (line.body_offset == 0) break;
    at = next_record(raw, at);
  }
  return {};
}

// The report being collected and how it may end.
struct OpenReport {
  std::size_t index = 0;  // into the splats
  SplatEnd end = SplatEnd::StackDump;
  bool in_dump = false;  // inside its call trace

  // Adds `line` to `splat` if it belongs to the report; false when the
  // report has ended before it. Sets `done` when `line` was its last.
  bool take(Splat& splat, const ConsoleLine& line, bool* done) {
    const std::string_view body = rtrim(line.body());
    *done = false;
    if (is_test_line(body) || parse_marker(body)) return false;
    switch (end) {
      case SplatEnd::Delimited: *done = is_delimiter(body); break;
      case SplatEnd::Indented:
        if (!(!body.empty() && is_space(body[0])) &&
            !(starts_with(body, "kmemleak: ") && body.size() > 10 && is_space(body[10]))) {
          return false;
        }
        break;
      case SplatEnd::EndMarker:
        if (contains(body, "---[ end trace") || contains(body, "---[ end Kernel panic")) {
          *done = true;
          break;
        }
        [[fallthrough]];
      case SplatEnd::StackDump:
        if (starts_with(body, "Call trace:")) {
          in_dump = true;
        } else if (in_dump && !(!body.empty() && is_space(body[0]))) {
          if (!continues_after_dump(body)) return false;
          if (starts_another_dump(body)) in_dump = false;
        }
        break;
    }
    splat.excerpt.push_back(clipped(line.raw, kMaxLineBytes));
    if (splat.excerpt.size() >= kMaxExcerptLines) *done = true;
    return true;
  }
};

}  // namespace

std::vector<Splat> find_splats(const std::vector<ConsoleLine>& lines) {
  std::vector<Splat> splats;
  std::optional<OpenReport> open;
  // Lines of a failed KUnit expectation's record: its prefix, or for a log
  // without prefixes, how many lines may still follow.
  std::string kunit_prefix;
  std::size_t kunit_lines_left = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const ConsoleLine& line = lines[i];
    const std::string_view body = line.body();
    // Without the separating blank, which an empty line's text lacks.
    const std::string_view prefix = rtrim(std::string_view(line.raw).substr(0, line.body_offset));

    bool kunit_continuation = false;
    if (is_kunit_failure(body)) {
      kunit_prefix = std::string(prefix);
      kunit_lines_left = prefix.empty() ? 8 : 0;
    } else if (!prefix.empty() && line.timestamp && prefix == kunit_prefix) {
      kunit_continuation = true;  // same timestamp and caller: the same record
    } else if (prefix.empty() && kunit_prefix.empty() && kunit_lines_left > 0 &&
               !is_test_line(body)) {
      kunit_continuation = true;
      --kunit_lines_left;
    } else {
      kunit_prefix.clear();
      kunit_lines_left = 0;
    }

    const HeaderAt header = kunit_continuation ? HeaderAt{} : find_header(line);
    if (!header.cls) {
      bool done = false;
      if (open && (!open->take(splats[open->index], line, &done) || done)) open.reset();
      continue;
    }
    if (open && continues_incident(splats[open->index].kind, open->in_dump, header.cls->kind)) {
      Splat& s = splats[open->index];
      if (header.cls->kind == SplatKind::ListCorruption ||
          header.cls->kind == SplatKind::Refcount || header.cls->kind == SplatKind::WxMapping) {
        s.kind = header.cls->kind;  // the WARNING's message says what it is about
      } else {
        open->end = SplatEnd::EndMarker;  // die() ends with "---[ end trace"
        open->in_dump = false;
      }
      s.excerpt.push_back(clipped(line.raw, kMaxLineBytes));
      if (s.excerpt.size() >= kMaxExcerptLines) open.reset();
      continue;
    }

    Splat s;
    s.kind = header.cls->kind;
    s.line = line.number;
    s.timestamp = line.timestamp;
    s.title = clipped(rtrim(header.text), kMaxLineBytes);
    // The line that opens the report: "[ cut here ]" before a WARNING or a
    // BUG, a line of '=' before KASAN, KFENCE, UBSAN and lockdep reports.
    if (i > 0 &&
        (contains(lines[i - 1].body(), "[ cut here ]") || is_delimiter(lines[i - 1].body()))) {
      s.excerpt.push_back(clipped(lines[i - 1].raw, kMaxLineBytes));
    }
    s.excerpt.push_back(clipped(line.raw, kMaxLineBytes));
    splats.push_back(std::move(s));
    open = OpenReport{splats.size() - 1, header.cls->end, false};
  }
  return splats;
}

ConsoleAnalysis analyze_console(const std::vector<ConsoleLine>& lines,
                                const std::vector<TestResult>& documents) {
  ConsoleAnalysis a;
  a.line_count = lines.size();
  a.splats = find_splats(lines);
  std::vector<std::size_t> splat_lines;
  for (const Splat& s : a.splats) splat_lines.push_back(s.line);
  std::vector<std::string> running = test_paths_at(documents, splat_lines);
  for (std::size_t i = 0; i < a.splats.size(); ++i)
    a.splats[i].running_test = std::move(running[i]);

  bool too_many_windows = false;
  for (const ConsoleLine& line : lines) {
    std::optional<Marker> m = parse_marker(line.body());
    if (!m) continue;
    m->line = line.number;
    m->timestamp = line.timestamp;
    switch (m->kind) {
      case MarkerKind::Done: a.finished = true; break;
      case MarkerKind::Unknown:
        if (starts_with(m->text, "expect-splat begin")) {
          a.notes.push_back("line " + std::to_string(line.number) +
                            ": expect-splat begin without an id and a text to match: ignored");
        }
        break;
      case MarkerKind::ExpectSplatBegin:
        if (a.windows.size() >= kMaxExpectWindows) {
          // Ignoring a window can only leave a splat unexpected (red).
          if (!too_many_windows) {
            a.notes.push_back("line " + std::to_string(line.number) + ": more than " +
                              std::to_string(kMaxExpectWindows) +
                              " expect-splat windows: the rest are ignored");
          }
          too_many_windows = true;
          break;
        }
        for (const ExpectWindow& w : a.windows) {
          if (w.id == m->id && !w.end_line) {
            a.notes.push_back("line " + std::to_string(line.number) + ": expect-splat '" + m->id +
                              "' begins again before it ended");
          }
        }
        a.windows.push_back({m->id, m->substring, line.number, std::nullopt, 0});
        break;
      case MarkerKind::ExpectSplatEnd: {
        auto it = std::find_if(a.windows.rbegin(), a.windows.rend(),
                               [&](const ExpectWindow& w) { return w.id == m->id && !w.end_line; });
        if (it == a.windows.rend()) {
          a.notes.push_back("line " + std::to_string(line.number) + ": expect-splat end '" + m->id +
                            "' without begin");
        } else {
          it->end_line = line.number;
        }
        break;
      }
      default: break;
    }
    a.markers.push_back(std::move(*m));
  }

  // A window accepts a splat by its header line only: the rest of an
  // excerpt (call trace, "Modules linked in:") names too much to tell one
  // report from another.
  for (Splat& s : a.splats) {
    for (ExpectWindow& w : a.windows) {
      const bool inside = w.begin_line < s.line && (!w.end_line || s.line < *w.end_line);
      if (inside && contains_linear(s.title, w.substring)) {
        s.expected = true;
        s.expect_id = w.id;
        ++w.matches;
        break;
      }
    }
  }

  const std::size_t first = lines.size() > kConsoleTailLines ? lines.size() - kConsoleTailLines : 0;
  for (std::size_t i = first; i < lines.size(); ++i) {
    a.tail.push_back(clipped(lines[i].raw, kMaxLineBytes));
  }
  return a;
}

}  // namespace wpsuite
