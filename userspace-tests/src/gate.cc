#include "wpsuite/gate.h"

#include <fnmatch.h>

#include <algorithm>
#include <set>

#include "text_util.h"

namespace wpsuite {
namespace {

constexpr std::size_t kMaxLogExcerpt = 20;

// Removes a comment: '#' at the start of the line or after a blank.
std::string_view strip_comment(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '#' && (i == 0 || is_space(line[i - 1]))) return trim(line.substr(0, i));
  }
  return trim(line);
}

std::vector<std::string> tail_of(const std::vector<std::string>& lines, std::size_t n) {
  const std::size_t first = lines.size() > n ? lines.size() - n : 0;
  return {lines.begin() + static_cast<std::ptrdiff_t>(first), lines.end()};
}

std::string line_suffix(std::size_t line) {
  return line ? " (line " + std::to_string(line) + ")" : "";
}

class Evaluator {
 public:
  Evaluator(const GateOptions& options, GateResult& out)
      : options_(options),
        known_(options.known_failures.paths.begin(), options.known_failures.paths.end()),
        out_(out) {}

  void suite(const TestResult& t) {
    SuiteSummary s;
    s.id = display_name(t);
    s.kselftest = t.kselftest;
    s.result = &t;
    s.counts = count_tests(t);
    problems_in_suite_ = 0;
    known_hits_in_suite_ = 0;
    walk(t, s.id, s);
    s.verdict = problems_in_suite_         ? (t.status == Status::Crashed ? "CRASHED" : "FAIL")
                : known_hits_in_suite_     ? "KNOWN_FAIL"
                : t.status == Status::Skip ? "SKIP"
                                           : "PASS";
    out_.totals += s.counts;
    if (const auto d = t.duration()) out_.duration = out_.duration.value_or(0) + *d;
    out_.suites.push_back(std::move(s));
  }

  void unused_known_failures() {
    for (const std::string& path : options_.known_failures.paths) {
      if (!seen_known_.count(path)) {
        out_.notes.push_back("known failure '" + path + "' did not run");
      }
    }
  }

 private:
  void walk(const TestResult& t, const std::string& path, SuiteSummary& suite) {
    const bool failing = is_failure(t.status);
    const bool known = !t.synthetic && known_.count(path) > 0;
    if (known) seen_known_.insert(path);
    if (t.subtests.empty() || (failing && !has_failing_descendant(t, true))) {
      suite.tests.push_back({path, &t, known && failing});
    }
    if (!t.synthetic && failing && !has_failing_descendant(t, false)) {
      if (known) {
        ++known_hits_in_suite_;
      } else {
        report_failure(t, path);
      }
    } else if (known && !failing) {
      if (t.status == Status::Skip) {
        out_.notes.push_back("known failure '" + path + "' was skipped");
      } else {
        add({ProblemKind::UnexpectedPass,
             path + ": known failure unexpectedly passed",
             path,
             t.last_line,
             {}});
      }
    }
    for (const TestResult& s : t.subtests) walk(s, child_path(path, s), suite);
  }

  void report_failure(const TestResult& t, const std::string& path) {
    Problem p;
    p.test = path;
    p.line = t.last_line;
    p.excerpt = tail_of(t.log, kMaxLogExcerpt);
    const long missing =
        t.unlisted + std::count_if(t.subtests.begin(), t.subtests.end(),
                                   [](const TestResult& s) { return s.synthetic; });
    if (t.status == Status::Crashed) {
      p.kind = ProblemKind::TestCrashed;
      p.message = path + ": crashed";
      if (!t.has_result) p.message += ", output stopped before its result line";
      if (missing) p.message += ", " + std::to_string(missing) + " planned subtests never reported";
    } else if (t.status == Status::NoTests) {
      p.kind = ProblemKind::NoTests;
      p.message = path + ": ran no tests";
    } else {
      p.kind = ProblemKind::TestFailed;
      p.message = path + ": failed";
      if (t.directive != Directive::None) p.message += " (" + std::string(to_string(t.directive));
      if (!t.directive_text.empty()) {
        p.message += (t.directive != Directive::None ? " " : " (") + t.directive_text;
      }
      if (t.directive != Directive::None || !t.directive_text.empty()) p.message += ")";
      if (missing) p.message += ", " + std::to_string(missing) + " planned subtests never reported";
    }
    p.message += line_suffix(p.line);
    add(std::move(p));
  }

  void add(Problem p) {
    ++problems_in_suite_;
    out_.problems.push_back(std::move(p));
  }

  const GateOptions& options_;
  std::set<std::string> known_;
  std::set<std::string> seen_known_;
  GateResult& out_;
  int problems_in_suite_ = 0;
  int known_hits_in_suite_ = 0;
};

bool glob_match(const std::string& pattern, const std::string& id) {
  return pattern == id || fnmatch(pattern.c_str(), id.c_str(), 0) == 0;
}

}  // namespace

std::string_view to_string(ProblemKind kind) {
  switch (kind) {
    case ProblemKind::TestFailed: return "test-failed";
    case ProblemKind::TestCrashed: return "test-crashed";
    case ProblemKind::NoTests: return "no-tests";
    case ProblemKind::UnexpectedPass: return "unexpected-pass";
    case ProblemKind::MissingSuite: return "missing-suite";
    case ProblemKind::SkippedSuite: return "skipped-suite";
    case ProblemKind::Timeout: return "timeout";
    case ProblemKind::GuestExit: return "guest-exit";
    case ProblemKind::NotFinished: return "not-finished";
    case ProblemKind::UnexpectedSplat: return "splat";
    case ProblemKind::ExpectedSplatMissing: return "expected-splat-missing";
    case ProblemKind::ExpectWindowUnclosed: return "expect-splat-unclosed";
    case ProblemKind::BadKnownFailures: return "known-failures-file";
    case ProblemKind::ParseLimit: return "parse-limit";
  }
  return "?";
}

KnownFailures parse_known_failures(std::string_view text) {
  KnownFailures kf;
  std::size_t number = 0;
  for (std::string_view raw : split_lines(text)) {
    ++number;
    const std::string_view path = strip_comment(raw);
    if (path.empty()) continue;
    const std::string where = "line " + std::to_string(number) + ": ";
    if (std::any_of(path.begin(), path.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
      kf.errors.push_back(where + "control character in test path");
    } else if (path.front() == '.' || path.back() == '.' || contains(path, "..") ||
               path.front() == ':' || path.back() == ':') {
      kf.errors.push_back(where + "malformed test path '" + std::string(path) + "'");
    } else {
      kf.paths.emplace_back(path);
    }
  }
  return kf;
}

std::vector<std::string> parse_name_list(std::string_view text) {
  std::vector<std::string> names;
  for (std::string_view raw : split_lines(text)) {
    const std::string_view name = strip_comment(raw);
    if (!name.empty()) names.emplace_back(name);
  }
  return names;
}

GateResult evaluate(const std::vector<TestResult>& documents, const ConsoleAnalysis& console,
                    const GateOptions& options) {
  GateResult out;
  Evaluator evaluator(options, out);
  for (const TestResult& doc : documents) {
    long never_reported = 0;
    for (const TestResult* s : suites_of(doc)) {
      if (s->synthetic) {
        ++never_reported;
      } else {
        evaluator.suite(*s);
      }
    }
    if (never_reported) {
      out.totals.crashed += static_cast<int>(never_reported);
      out.problems.push_back({ProblemKind::TestCrashed,
                              "'" + doc.version + "' document" + line_suffix(doc.first_line) +
                                  ": " + std::to_string(never_reported) +
                                  " planned suites never reported",
                              "", doc.last_line, tail_of(doc.log, kMaxLogExcerpt)});
    }
  }
  evaluator.unused_known_failures();

  long unlisted = 0;
  for (const TestResult& doc : documents) unlisted += unlisted_tests(doc);
  if (unlisted) {
    out.problems.push_back(
        {ProblemKind::ParseLimit,
         std::to_string(unlisted) + " planned tests never reported and have no row or count of " +
             "their own (placeholders are limited to " + std::to_string(kMaxPlaceholdersPerPlan) +
             " per plan and " + std::to_string(kMaxPlaceholders) + " per log)",
         "",
         0,
         {}});
  }

  std::vector<std::string> expected = options.expected_suites;
  expected.insert(expected.end(), options.must_run.begin(), options.must_run.end());
  for (const std::string& pattern : expected) {
    const bool selected = options.filters.empty() ||
                          std::any_of(options.filters.begin(), options.filters.end(),
                                      [&](const std::string& f) { return contains(pattern, f); });
    if (!selected) continue;
    const bool ran = std::any_of(out.suites.begin(), out.suites.end(),
                                 [&](const SuiteSummary& s) { return glob_match(pattern, s.id); });
    if (!ran) {
      out.problems.push_back({ProblemKind::MissingSuite,
                              "expected suite '" + pattern + "' did not run",
                              pattern,
                              0,
                              {}});
    }
  }

  // A suite whose prerequisites the run provided must not skip as a whole:
  // a module that was not installed would otherwise pass as a skip.
  for (const std::string& pattern : options.must_run) {
    for (const SuiteSummary& s : out.suites) {
      if (!glob_match(pattern, s.id) || !s.result || s.result->status != Status::Skip) continue;
      const std::string why =
          s.result->directive_text.empty() ? std::string() : " (" + s.result->directive_text + ")";
      out.problems.push_back({ProblemKind::SkippedSuite,
                              "suite '" + s.id + "' must run but was skipped" + why, s.id,
                              s.result->first_line, tail_of(s.result->log, kMaxLogExcerpt)});
    }
  }

  for (const Splat& s : console.splats) {
    const std::string where =
        s.running_test.empty() ? "outside any test" : "while running " + s.running_test;
    if (s.expected) {
      out.notes.push_back("expected splat (" + s.expect_id + "): " +
                          std::string(to_string(s.kind)) + line_suffix(s.line) + " " + where);
      continue;
    }
    out.problems.push_back(
        {ProblemKind::UnexpectedSplat,
         std::string(to_string(s.kind)) + line_suffix(s.line) + " " + where + ": " + s.title,
         s.running_test, s.line, s.excerpt});
  }
  for (const ExpectWindow& w : console.windows) {
    if (!w.end_line) {
      out.problems.push_back(
          {ProblemKind::ExpectWindowUnclosed,
           "expect-splat '" + w.id + "' begun" + line_suffix(w.begin_line) + " was never ended",
           "",
           w.begin_line,
           {}});
    }
    if (w.matches == 0) {
      out.problems.push_back({ProblemKind::ExpectedSplatMissing,
                              "expected splat '" + w.substring + "' not seen (expect-splat '" +
                                  w.id + "'" + line_suffix(w.begin_line) + ")",
                              "",
                              w.begin_line,
                              {}});
    }
  }
  for (const std::string& note : console.notes) out.notes.push_back(note);

  for (const std::string& e : options.known_failures.errors) {
    out.problems.push_back({ProblemKind::BadKnownFailures, "known-failures file: " + e, "", 0, {}});
  }
  if (options.timed_out) {
    out.problems.push_back({ProblemKind::Timeout, "the run timed out", "", 0, {}});
  }
  if (options.guest_exit && *options.guest_exit != 0) {
    out.problems.push_back({ProblemKind::GuestExit,
                            "guest exited with code " + std::to_string(*options.guest_exit),
                            "",
                            0,
                            {}});
  }
  if (!console.finished) {
    out.problems.push_back({ProblemKind::NotFinished,
                            "guest did not finish: no 'wpsuite: done' marker; last " +
                                std::to_string(console.tail.size()) + " console lines:",
                            "", console.line_count, console.tail});
  }
  out.green = out.problems.empty();
  return out;
}

}  // namespace wpsuite
