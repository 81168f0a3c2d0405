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
  }
  return "?";
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

std::optional<SplatKind> classify_splat_line(std::string_view body) {
  const std::string_view t = trim(body);
  if (t.empty() || t[0] == '#') return std::nullopt;
  if (starts_with(t, "watchdog: BUG: soft lockup")) return SplatKind::SoftLockup;
  if (starts_with(t, "watchdog: Watchdog detected hard LOCKUP")) return SplatKind::HardLockup;
  if (starts_with(t, "BUG: scheduling while atomic")) return SplatKind::SchedulingWhileAtomic;
  if (starts_with(t, "BUG: sleeping function called from invalid context")) {
    return SplatKind::SleepInAtomic;
  }
  if (starts_with(t, "BUG:")) return SplatKind::Bug;
  if (starts_with(t, "WARNING:")) {
    // WARN_ON() prints "WARNING: CPU: 0 PID: 1 at file:line func"; lockdep
    // and RCU-lockdep print e.g. "WARNING: possible circular locking
    // dependency detected", "WARNING: suspicious RCU usage".
    if (!starts_with(t, "WARNING: CPU:") && (contains(t, "lock") || contains(t, "RCU"))) {
      return SplatKind::Lockdep;
    }
    return SplatKind::Warning;
  }
  if (starts_with(t, "Internal error:") || starts_with(t, "Oops") ||
      starts_with(t, "general protection fault")) {
    return SplatKind::Oops;
  }
  if (starts_with(t, "Unable to handle kernel")) return SplatKind::PageFault;
  if (starts_with(t, "kernel BUG at")) return SplatKind::KernelBug;
  if (starts_with(t, "INFO: task ") && contains(t, " blocked for more than ")) {
    return SplatKind::HungTask;
  }
  if ((starts_with(t, "rcu: INFO: ") || starts_with(t, "INFO: rcu")) && contains(t, "stall")) {
    return SplatKind::RcuStall;
  }
  if (starts_with(t, "UBSAN:")) return SplatKind::Ubsan;
  if (starts_with(t, "Kernel panic - not syncing")) return SplatKind::Panic;
  return std::nullopt;
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

std::vector<Splat> find_splats(const std::vector<ConsoleLine>& lines) {
  std::vector<Splat> splats;
  bool open = false;  // splats.back() is still collecting its excerpt
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const ConsoleLine& line = lines[i];
    const std::string_view body = line.body();
    const std::optional<SplatKind> kind = classify_splat_line(body);
    if (open) {
      Splat& s = splats.back();
      // arm64 prints "Internal error: Oops" a few lines after "Unable to handle
      // kernel ..." or "kernel BUG at": one incident, one splat.
      const bool continuation =
          kind == SplatKind::Oops && (s.kind == SplatKind::PageFault ||
                                      s.kind == SplatKind::KernelBug || s.kind == SplatKind::Bug);
      if ((kind && !continuation) || parse_marker(body)) {
        open = false;
      } else {
        s.excerpt.push_back(clipped(line.raw, kMaxLineBytes));
        if (contains(body, "---[ end trace") || contains(body, "---[ end Kernel panic") ||
            s.excerpt.size() >= kMaxExcerptLines) {
          open = false;
        }
        continue;
      }
    }
    if (!kind) continue;
    Splat s;
    s.kind = *kind;
    s.line = line.number;
    s.timestamp = line.timestamp;
    s.title = clipped(trim(body), kMaxLineBytes);
    if (i > 0 && contains(lines[i - 1].body(), "[ cut here ]"))
      s.excerpt.push_back(clipped(lines[i - 1].raw, kMaxLineBytes));
    s.excerpt.push_back(clipped(line.raw, kMaxLineBytes));
    splats.push_back(std::move(s));
    open = true;
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
