// ktap-gate: command line front end (see usage text below).
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "wpsuite/gate.h"
#include "wpsuite/json_writer.h"
#include "wpsuite/kernel_log.h"
#include "wpsuite/ktap_parser.h"
#include "wpsuite/kunit_compat.h"
#include "wpsuite/report.h"

namespace {

using namespace wpsuite;

constexpr int kGreen = 0;
constexpr int kRed = 1;
constexpr int kUsage = 2;

constexpr const char* kUsageText = R"(usage:
  ktap-gate --console FILE --out DIR [options]
      Parse the console log, decide green/red, write DIR/results.json,
      DIR/junit.xml and DIR/summary.txt, print the summary.
      --expect SUITE         suite that must have run (repeatable; KUnit suite
                             name or kselftest "collection:test"; shell globs ok)
      --expect-file FILE     more expected suites, one per line ('#' comments)
      --expect-run SUITE     like --expect, and a skip of the whole suite is red
                             (a prerequisite the run provides went missing)
      --known-failures FILE  known failing test paths, one per line
      --filter SUBSTR        only expect suites containing SUBSTR (repeatable)
      --timed-out            the run hit its time limit (makes the gate red)
      --guest-exit N         guest/QEMU exit code (non-zero makes the gate red)
  ktap-gate parse FILE [--json | --full-json]
      Parse only and print per-test results. --json writes exactly what
      `kunit.py parse --json` writes (first document, kunit.py semantics) and
      exits like kunit.py; --full-json writes every document as a tree.
  ktap-gate splats FILE
      The splats the gate would fail a run for (its one definition of a
      splat: report headers outside a matching expect-splat window), one
      line each: "splat: KIND at line N: HEADER" (bench uses it).
  ktap-gate splat-patterns
      The same definition as a C header for the kselftests, which look for
      splats in the kernel log themselves (selftests/splat_patterns.h is
      this output; a CTest keeps the two the same).
  FILE may be '-' for stdin.
exit status: 0 green, 1 red (or failures for parse), 2 usage or I/O error
)";

struct UsageError {
  std::string message;
};

std::optional<std::string> read_file(const std::string& path, std::string* error) {
  std::ostringstream data;
  if (path == "-") {
    data << std::cin.rdbuf();
    return data.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  data << in.rdbuf();
  if (in.bad()) {
    *error = "error reading " + path;
    return std::nullopt;
  }
  return data.str();
}

bool write_file(const std::filesystem::path& path, const std::string& text, std::string* error) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    *error = "cannot write " + path.string();
    return false;
  }
  return true;
}

// Walks argv; supports "--flag value" and "--flag=value".
class Args {
 public:
  Args(int argc, char** argv) : args_(argv + 1, argv + argc) {}

  bool done() const { return pos_ >= args_.size(); }
  std::string next() {
    std::string a = args_[pos_++];
    inline_value_.reset();
    if (a.rfind("--", 0) == 0) {
      const std::size_t eq = a.find('=');
      if (eq != std::string::npos) {
        inline_value_ = a.substr(eq + 1);
        a.resize(eq);
      }
    }
    return a;
  }
  std::string value(const std::string& flag) {
    if (inline_value_) return *std::exchange(inline_value_, std::nullopt);
    if (done()) throw UsageError{flag + " needs a value"};
    return args_[pos_++];
  }
  void no_value(const std::string& flag) const {
    if (inline_value_) throw UsageError{flag + " takes no value"};
  }

 private:
  std::vector<std::string> args_;
  std::size_t pos_ = 0;
  std::optional<std::string> inline_value_;
};

void print_tree(const TestResult& t, int depth) {
  const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
  const std::string name = display_name(t);
  std::cout << indent << to_string(t.status) << " " << name;
  if (t.directive != Directive::None) std::cout << " # " << to_string(t.directive);
  if (!t.directive_text.empty() && t.directive_text != name) std::cout << " " << t.directive_text;
  if (!t.subtests.empty()) {
    const Counts c = count_tests(t);
    std::cout << "  [" << c.passed << " passed, " << c.failed << " failed, " << c.skipped
              << " skipped, " << c.crashed << " crashed]";
  }
  if (const auto d = t.duration()) std::cout << "  " << format_seconds(d);
  std::cout << "  (lines " << t.first_line << "-" << t.last_line << ")\n";
  for (const std::string& e : t.errors) std::cout << indent << "  ! " << e << "\n";
  for (const TestResult& s : t.subtests) print_tree(s, depth + 1);
}

void write_tree_json(JsonWriter& w, const TestResult& t) {
  w.begin_object();
  w.key("name").value(t.name);
  w.key("display_name").value(display_name(t));
  w.key("status").value(to_string(t.status));
  w.key("directive").value(to_string(t.directive));
  w.key("reason").value(t.directive_text);
  w.key("number").value(t.number);
  w.key("plan").value(t.plan);
  w.key("version").value(t.version);
  w.key("kselftest").value(t.kselftest);
  w.key("synthetic").value(t.synthetic);
  w.key("first_line").value(t.first_line);
  w.key("last_line").value(t.last_line);
  w.key("duration_s").value(t.duration());
  w.key("errors").value(t.errors);
  w.key("subtests").begin_array();
  for (const TestResult& s : t.subtests) write_tree_json(w, s);
  w.end_array();
  w.end_object();
}

int run_parse(Args& args) {
  std::optional<std::string> file;
  enum class Mode { Text, KunitJson, FullJson } mode = Mode::Text;
  while (!args.done()) {
    const std::string a = args.next();
    if (a == "--json") {
      args.no_value(a);
      mode = Mode::KunitJson;
    } else if (a == "--full-json") {
      args.no_value(a);
      mode = Mode::FullJson;
    } else if (a == "-" || a.rfind("-", 0) != 0) {
      if (file) throw UsageError{"parse takes one FILE"};
      file = a;
    } else {
      throw UsageError{"unknown option " + a};
    }
  }
  if (!file) throw UsageError{"parse needs a FILE"};
  std::string error;
  const std::optional<std::string> text = read_file(*file, &error);
  if (!text) {
    std::cerr << "ktap-gate: " << error << "\n";
    return kUsage;
  }
  const std::vector<TestResult> docs = parse_ktap(*text);
  if (mode == Mode::KunitJson) {
    const KunitCompatResult r = kunit_compat(docs);
    std::cout << r.json << "\n";
    return r.success() ? kGreen : kRed;
  }
  Counts totals;
  for (const TestResult& d : docs) totals += count_tests(d);
  const bool ok = !docs.empty() && totals.failed == 0 && totals.crashed == 0;
  if (mode == Mode::FullJson) {
    JsonWriter w(2);
    w.begin_object();
    w.key("documents").begin_array();
    for (const TestResult& d : docs) write_tree_json(w, d);
    w.end_array();
    w.key("totals").begin_object();
    w.key("passed").value(totals.passed);
    w.key("failed").value(totals.failed);
    w.key("crashed").value(totals.crashed);
    w.key("skipped").value(totals.skipped);
    w.end_object();
    w.end_object();
    std::cout << w.str() << "\n";
    return ok ? kGreen : kRed;
  }
  if (docs.empty()) std::cout << "no KTAP/TAP output found\n";
  int n = 0;
  for (const TestResult& d : docs) {
    const Counts c = count_tests(d);
    std::cout << "document " << ++n << ": " << d.version << ", " << to_string(d.status) << " ["
              << c.passed << " passed, " << c.failed << " failed, " << c.skipped << " skipped, "
              << c.crashed << " crashed]  (lines " << d.first_line << "-" << d.last_line << ")\n";
    for (const std::string& e : d.errors) std::cout << "  ! " << e << "\n";
    for (const TestResult* suite : suites_of(d)) print_tree(*suite, 1);
  }
  std::cout << "Totals: " << totals.passed << " passed, " << totals.failed << " failed, "
            << totals.skipped << " skipped, " << totals.crashed << " crashed\n";
  return ok ? kGreen : kRed;
}

int run_splats(Args& args) {
  std::optional<std::string> file;
  while (!args.done()) {
    const std::string a = args.next();
    if (a != "-" && a.rfind("-", 0) == 0) throw UsageError{"unknown option " + a};
    if (file) throw UsageError{"splats takes one FILE"};
    file = a;
  }
  if (!file) throw UsageError{"splats needs a FILE"};
  std::string error;
  const std::optional<std::string> text = read_file(*file, &error);
  if (!text) {
    std::cerr << "ktap-gate: " << error << "\n";
    return kUsage;
  }
  const std::vector<ConsoleLine> lines = split_console(*text);
  const ConsoleAnalysis console = analyze_console(lines, parse_ktap(lines));
  int n = 0;
  for (const Splat& s : console.splats) {
    if (s.expected) continue;
    ++n;
    std::cout << "splat: " << to_string(s.kind) << " at line " << s.line << ": " << s.title << "\n";
  }
  return n ? kRed : kGreen;
}

// A C string literal of `s` (printable ASCII: the table's patterns are).
std::string c_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

int run_splat_patterns(Args& args) {
  if (!args.done()) throw UsageError{"splat-patterns takes no arguments"};
  std::cout << "/* SPDX-License-Identifier: GPL-2.0 */\n"
               "/*\n"
               " * The kernel report headers the gate fails a run for, in the gate's order\n"
               " * (userspace-tests/src/kernel_log.cc). Generated: ktap-gate splat-patterns\n"
               " * >selftests/splat_patterns.h; the splat_patterns CTest fails when the two\n"
               " * differ. '*' stands for any text; a header starts its printk record.\n"
               " */\n"
               "#ifndef WPSUITE_SPLAT_PATTERNS_H\n"
               "#define WPSUITE_SPLAT_PATTERNS_H\n"
               "\n"
               "static const char * const splat_patterns[] = {\n";
  std::vector<std::string_view> seen;
  for (const SplatClass& c : splat_classes()) {
    if (std::find(seen.begin(), seen.end(), c.pattern) != seen.end()) continue;
    seen.push_back(c.pattern);
    std::cout << "\t" << c_string(c.pattern) << ",\n";
  }
  std::cout << "};\n"
               "\n"
               "#endif /* WPSUITE_SPLAT_PATTERNS_H */\n";
  return kGreen;
}

int run_gate(Args& args) {
  std::optional<std::string> console_path, out_dir, known_path;
  GateOptions options;
  std::vector<std::string> expect_files;
  while (!args.done()) {
    const std::string a = args.next();
    if (a == "--console") {
      console_path = args.value(a);
    } else if (a == "--out") {
      out_dir = args.value(a);
    } else if (a == "--expect") {
      options.expected_suites.push_back(args.value(a));
    } else if (a == "--expect-run") {
      options.must_run.push_back(args.value(a));
    } else if (a == "--expect-file") {
      expect_files.push_back(args.value(a));
    } else if (a == "--known-failures") {
      known_path = args.value(a);
    } else if (a == "--filter") {
      options.filters.push_back(args.value(a));
    } else if (a == "--timed-out") {
      args.no_value(a);
      options.timed_out = true;
    } else if (a == "--guest-exit") {
      const std::string v = args.value(a);
      char* end = nullptr;
      errno = 0;
      const long code = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || errno != 0 || code < -1000000 || code > 1000000) {
        throw UsageError{"--guest-exit needs an integer, got '" + v + "'"};
      }
      options.guest_exit = static_cast<int>(code);
    } else {
      throw UsageError{"unknown argument " + a};
    }
  }
  if (!console_path) throw UsageError{"--console FILE is required"};
  if (!out_dir) throw UsageError{"--out DIR is required"};

  std::string error;
  const auto fail_io = [&]() {
    std::cerr << "ktap-gate: " << error << "\n";
    return kUsage;
  };
  const std::optional<std::string> text = read_file(*console_path, &error);
  if (!text) return fail_io();
  for (const std::string& f : expect_files) {
    const std::optional<std::string> list = read_file(f, &error);
    if (!list) return fail_io();
    for (std::string& name : parse_name_list(*list)) options.expected_suites.push_back(name);
  }
  if (known_path) {
    const std::optional<std::string> list = read_file(*known_path, &error);
    if (!list) return fail_io();
    options.known_failures = parse_known_failures(*list);
  }

  const std::vector<ConsoleLine> lines = split_console(*text);
  const std::vector<TestResult> docs = parse_ktap(lines);
  const ConsoleAnalysis console = analyze_console(lines, docs);
  const GateResult gate = evaluate(docs, console, options);
  const std::string summary = format_summary(gate, console);

  std::error_code ec;
  const std::filesystem::path dir(*out_dir);
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    error = "cannot create " + dir.string() + ": " + ec.message();
    return fail_io();
  }
  // One report in memory at a time: each is several times the log's size
  // for a log dense in tests or splats.
  if (!write_file(dir / "summary.txt", summary, &error)) return fail_io();
  if (!write_file(dir / "results.json", format_results_json(gate, console), &error)) {
    return fail_io();
  }
  if (!write_file(dir / "junit.xml", format_junit_xml(gate, console), &error)) return fail_io();
  std::cout << summary << std::flush;
  return gate.green ? kGreen : kRed;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Args args(argc, argv);
    if (args.done()) throw UsageError{"no arguments"};
    if (argc >= 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
      std::cout << kUsageText;
      return kGreen;
    }
    if (std::strcmp(argv[1], "parse") == 0) {
      args.next();
      return run_parse(args);
    }
    if (std::strcmp(argv[1], "splats") == 0) {
      args.next();
      return run_splats(args);
    }
    if (std::strcmp(argv[1], "splat-patterns") == 0) {
      args.next();
      return run_splat_patterns(args);
    }
    return run_gate(args);
  } catch (const UsageError& e) {
    std::cerr << "ktap-gate: " << e.message << "\n" << kUsageText;
    return kUsage;
  } catch (const std::exception& e) {
    std::cerr << "ktap-gate: internal error: " << e.what() << "\n";
    return kUsage;
  }
}
