#include "wpsuite/report.h"

#include <algorithm>
#include <cstdio>

#include "utf8.h"
#include "wpsuite/json_writer.h"

namespace wpsuite {
namespace {

std::string pad_right(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string pad_left(const std::string& s, std::size_t width) {
  return s.size() < width ? std::string(width - s.size(), ' ') + s : s;
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

bool is_test_problem(const Problem& p) {
  return !p.test.empty() && (p.kind == ProblemKind::TestFailed ||
                             p.kind == ProblemKind::TestCrashed || p.kind == ProblemKind::NoTests);
}

bool is_splat_problem(const Problem& p) {
  return p.kind == ProblemKind::UnexpectedSplat || p.kind == ProblemKind::ExpectedSplatMissing ||
         p.kind == ProblemKind::ExpectWindowUnclosed;
}

std::string attr(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + xml_escape(value) + "\"";
}

std::string seconds_attr(std::optional<double> s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s.value_or(0));
  return attr("time", buf);
}

}  // namespace

std::string format_seconds(std::optional<double> seconds) {
  if (!seconds) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3fs", *seconds);
  return buf;
}

std::string xml_escape(std::string_view text, bool attribute) {
  std::string out;
  out.reserve(text.size());
  for_each_code_point(text, [&](char32_t cp) {
    switch (cp) {
      case '&': out += "&amp;"; return;
      case '<': out += "&lt;"; return;
      case '>': out += "&gt;"; return;
      case '"': out += "&quot;"; return;
      case '\'': out += "&apos;"; return;
      case '\n': out += attribute ? "&#10;" : "\n"; return;
      case '\r': out += "&#13;"; return;
      case '\t': out += attribute ? "&#9;" : "\t"; return;
      default: break;
    }
    if (cp < 0x20 || cp == 0xfffe || cp == 0xffff) cp = 0xfffd;
    append_utf8(out, cp);
  });
  return out;
}

std::string format_summary(const GateResult& gate, const ConsoleAnalysis& console) {
  std::string out = "ktap-gate: ";
  out += gate.green ? "GREEN" : "RED (" + std::to_string(gate.problems.size()) + " problems)";
  out += "\n\n";

  std::size_t width = 30;
  for (const SuiteSummary& s : gate.suites)
    width = std::max(width, std::min<std::size_t>(s.id.size(), 60));
  const auto row = [&](const std::string& name, const std::string& pass, const std::string& fail,
                       const std::string& skip, const std::string& time,
                       const std::string& result) {
    return pad_right(name, width) + pad_left(pass, 6) + pad_left(fail, 6) + pad_left(skip, 6) +
           pad_left(time, 11) + "  " + result + "\n";
  };
  out += row("SUITE", "PASS", "FAIL", "SKIP", "TIME", "RESULT");
  for (const SuiteSummary& s : gate.suites) {
    out += row(s.id, std::to_string(s.counts.passed),
               std::to_string(s.counts.failed + s.counts.crashed), std::to_string(s.counts.skipped),
               format_seconds(s.result ? s.result->duration() : std::nullopt), s.verdict);
  }
  out += row("TOTAL (" + std::to_string(gate.suites.size()) + " suites)",
             std::to_string(gate.totals.passed),
             std::to_string(gate.totals.failed + gate.totals.crashed),
             std::to_string(gate.totals.skipped), format_seconds(gate.duration),
             gate.green ? "GREEN" : "RED");

  const auto expected = std::count_if(console.splats.begin(), console.splats.end(),
                                      [](const Splat& s) { return s.expected; });
  out += "\nKernel splats: " + std::to_string(console.splats.size()) + " (" +
         std::to_string(expected) + " expected)\n";

  if (!gate.problems.empty()) {
    out += "\nProblems (" + std::to_string(gate.problems.size()) + "):\n";
    int n = 0;
    for (const Problem& p : gate.problems) {
      out += pad_left(std::to_string(++n), 3) + ". [" + std::string(to_string(p.kind)) + "] " +
             p.message + "\n";
      for (const std::string& l : p.excerpt) out += "       | " + l + "\n";
    }
  }
  if (!gate.notes.empty()) {
    out += "\nNotes:\n";
    for (const std::string& note : gate.notes) out += "  - " + note + "\n";
  }
  return out;
}

std::string format_results_json(const GateResult& gate, const ConsoleAnalysis& console) {
  JsonWriter w(2);
  w.begin_object();
  w.key("verdict").value(gate.green ? "PASS" : "FAIL");
  w.key("green").value(gate.green);
  w.key("totals").begin_object();
  w.key("suites").value(static_cast<long long>(gate.suites.size()));
  w.key("passed").value(gate.totals.passed);
  w.key("failed").value(gate.totals.failed);
  w.key("crashed").value(gate.totals.crashed);
  w.key("skipped").value(gate.totals.skipped);
  w.key("duration_s").value(gate.duration);
  w.end_object();

  w.key("suites").begin_array();
  for (const SuiteSummary& s : gate.suites) {
    w.begin_object();
    w.key("id").value(s.id);
    w.key("kind").value(s.kselftest ? "kselftest" : "ktap");
    w.key("verdict").value(s.verdict);
    w.key("status").value(to_string(s.result->status));
    w.key("passed").value(s.counts.passed);
    w.key("failed").value(s.counts.failed);
    w.key("crashed").value(s.counts.crashed);
    w.key("skipped").value(s.counts.skipped);
    w.key("duration_s").value(s.result->duration());
    w.key("first_line").value(s.result->first_line);
    w.key("last_line").value(s.result->last_line);
    w.key("tests").begin_array();
    for (const TestRow& row : s.tests) {
      const TestResult& t = *row.result;
      w.begin_object();
      w.key("path").value(row.path);
      w.key("name").value(display_name(t));
      w.key("status").value(to_string(t.status));
      if (t.directive != Directive::None) {
        w.key("directive").value(to_string(t.directive));
      } else {
        w.key("directive").null();
      }
      w.key("reason").value(t.directive_text);
      w.key("known_failure").value(row.known_failure);
      w.key("synthetic").value(t.synthetic);
      w.key("duration_s").value(t.duration());
      w.key("first_line").value(t.first_line);
      w.key("last_line").value(t.last_line);
      w.key("errors").value(t.errors);
      w.key("log").value(is_failure(t.status) ? t.log : std::vector<std::string>{});
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();

  w.key("splats").begin_array();
  for (const Splat& s : console.splats) {
    w.begin_object();
    w.key("kind").value(to_string(s.kind));
    w.key("title").value(s.title);
    w.key("line").value(s.line);
    w.key("timestamp").value(s.timestamp);
    w.key("running_test").value(s.running_test);
    w.key("expected").value(s.expected);
    w.key("expect_id").value(s.expect_id);
    w.key("excerpt").value(s.excerpt);
    w.end_object();
  }
  w.end_array();

  w.key("expect_splat").begin_array();
  for (const ExpectWindow& win : console.windows) {
    w.begin_object();
    w.key("id").value(win.id);
    w.key("substring").value(win.substring);
    w.key("begin_line").value(win.begin_line);
    w.key("end_line").value(win.end_line);
    w.key("seen").value(win.matches > 0);
    w.end_object();
  }
  w.end_array();

  w.key("markers").begin_array();
  for (const Marker& m : console.markers) {
    w.begin_object();
    w.key("marker").value(to_string(m.kind));
    w.key("text").value(m.text);
    w.key("line").value(m.line);
    w.key("timestamp").value(m.timestamp);
    w.end_object();
  }
  w.end_array();

  w.key("problems").begin_array();
  for (const Problem& p : gate.problems) {
    w.begin_object();
    w.key("kind").value(to_string(p.kind));
    w.key("message").value(p.message);
    w.key("test").value(p.test);
    w.key("line").value(p.line);
    w.key("excerpt").value(p.excerpt);
    w.end_object();
  }
  w.end_array();

  w.key("notes").value(gate.notes);
  w.key("console").begin_object();
  w.key("lines").value(console.line_count);
  w.key("finished").value(console.finished);
  w.end_object();
  w.end_object();
  std::string out = std::move(w).take();
  out += '\n';
  return out;
}

std::string format_junit_xml(const GateResult& gate, const ConsoleAnalysis& console) {
  struct Case {
    std::string name;
    std::optional<double> time;
    std::string element;  // "", "failure", "error" or "skipped"
    std::string message;
    std::string body;
  };
  struct Suite {
    std::string name;
    std::optional<double> time;
    std::vector<Case> cases;
  };
  std::vector<Suite> suites;

  for (const SuiteSummary& s : gate.suites) {
    Suite suite{s.id, s.result->duration(), {}};
    for (const TestRow& row : s.tests) {
      const TestResult& t = *row.result;
      Case c;
      c.name = row.path.size() > s.id.size() ? row.path.substr(s.id.size() + 1) : row.path;
      c.time = t.duration();
      std::string detail = std::string(to_string(t.status));
      if (t.directive != Directive::None) detail += " # " + std::string(to_string(t.directive));
      if (!t.directive_text.empty()) detail += " " + t.directive_text;
      if (row.known_failure) {
        c.element = "skipped";
        c.message = "known failure: " + detail;
      } else if (t.status == Status::Crashed) {
        c.element = "error";
        c.message = detail;
      } else if (is_failure(t.status)) {
        c.element = "failure";
        c.message = detail;
      } else if (t.status == Status::Skip) {
        c.element = "skipped";
        c.message = t.directive_text;
      }
      if (!c.element.empty() && c.element != "skipped") {
        c.body = join(t.log);
        for (const std::string& e : t.errors) c.body += "parser: " + e + "\n";
      }
      suite.cases.push_back(std::move(c));
    }
    suites.push_back(std::move(suite));
  }

  Suite kernel{"kernel-log", std::nullopt, {}};
  for (const Splat& s : console.splats) {
    Case c;
    c.name = std::string(to_string(s.kind)) + " at line " + std::to_string(s.line);
    if (!s.running_test.empty()) c.name += " in " + s.running_test;
    c.body = join(s.excerpt);
    if (!s.expected) {
      c.element = "failure";
      c.message = s.title;
    } else {
      c.body = "expected by expect-splat '" + s.expect_id + "'\n" + c.body;
    }
    kernel.cases.push_back(std::move(c));
  }
  for (const ExpectWindow& w : console.windows) {
    Case c;
    c.name = "expect-splat " + w.id;
    if (w.matches == 0 || !w.end_line) {
      c.element = "failure";
      c.message = w.matches == 0 ? "expected splat '" + w.substring + "' not seen"
                                 : "expect-splat window never ended";
    }
    kernel.cases.push_back(std::move(c));
  }
  suites.push_back(std::move(kernel));

  Suite run{"gate", std::nullopt, {}};
  for (const Problem& p : gate.problems) {
    if (is_test_problem(p) || is_splat_problem(p)) continue;
    run.cases.push_back({std::string(to_string(p.kind)) + (p.test.empty() ? "" : " " + p.test),
                         std::nullopt, "failure", p.message, join(p.excerpt)});
  }
  run.cases.push_back({"verdict", std::nullopt, gate.green ? "" : "failure",
                       gate.green ? "" : std::to_string(gate.problems.size()) + " problems", ""});
  suites.push_back(std::move(run));

  struct Tally {
    std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
    void add(const Case& c) {
      ++tests;
      failures += c.element == "failure";
      errors += c.element == "error";
      skipped += c.element == "skipped";
    }
    std::string attrs() const {
      return attr("tests", std::to_string(tests)) + attr("failures", std::to_string(failures)) +
             attr("errors", std::to_string(errors)) + attr("skipped", std::to_string(skipped));
    }
  };
  Tally all;
  for (const Suite& s : suites) {
    for (const Case& c : s.cases) all.add(c);
  }
  std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites" +
                     attr("name", "wpsuite") + all.attrs() + seconds_attr(gate.duration) + ">\n";
  for (const Suite& s : suites) {
    Tally t;
    for (const Case& c : s.cases) t.add(c);
    body += "  <testsuite" + attr("name", s.name) + t.attrs() + seconds_attr(s.time) + ">\n";
    for (const Case& c : s.cases) {
      body +=
          "    <testcase" + attr("classname", s.name) + attr("name", c.name) + seconds_attr(c.time);
      if (c.element.empty()) {
        body += "/>\n";
        continue;
      }
      body += ">\n      <" + c.element + attr("message", c.message);
      if (c.element == "skipped" || c.body.empty()) {
        body += "/>\n";
      } else {
        body += attr("type", c.element == "error" ? "CRASHED" : "FAIL") + ">" +
                xml_escape(c.body, false) + "</" + c.element + ">\n";
      }
      body += "    </testcase>\n";
    }
    body += "  </testsuite>\n";
  }
  body += "</testsuites>\n";
  return body;
}

}  // namespace wpsuite
