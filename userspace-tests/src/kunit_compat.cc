#include "wpsuite/kunit_compat.h"

#include "wpsuite/json_writer.h"

namespace wpsuite {
namespace {

enum class KStatus { Success, Failure, Skipped, Crashed, NoTests, FailureToParse };

struct KCounts {
  int passed = 0, failed = 0, crashed = 0, skipped = 0;

  int total() const { return passed + failed + crashed + skipped; }
  void add(const KCounts& o) {
    passed += o.passed;
    failed += o.failed;
    crashed += o.crashed;
    skipped += o.skipped;
  }
  void add_status(KStatus s) {  // TestCounts.add_status
    if (s == KStatus::Success) {
      ++passed;
    } else if (s == KStatus::Failure) {
      ++failed;
    } else if (s == KStatus::Skipped) {
      ++skipped;
    } else if (s != KStatus::NoTests) {
      ++crashed;
    }
  }
  KStatus get_status() const {  // TestCounts.get_status
    if (total() == 0) return KStatus::NoTests;
    if (crashed) return KStatus::Crashed;
    if (failed) return KStatus::Failure;
    if (passed) return KStatus::Success;
    return KStatus::Skipped;
  }
};

struct KNode {
  std::string name;
  KStatus status = KStatus::Crashed;
  KCounts counts;
  std::vector<KNode> subtests;
};

// `main_suites`: for kunit.py's main test, the document's suites.
KNode convert(const TestResult& t, bool is_main,
              const std::vector<const TestResult*>& main_suites = {}) {
  KNode n;
  if (t.synthetic) {
    // kunit_parser appends an empty Test() and counts one crash in the parent.
    n.counts.crashed = 1;
    return n;
  }
  n.name = is_main ? "main" : t.name;
  const bool parent = is_main || (t.has_header && !t.kselftest);
  if (!is_main && t.has_result) {
    n.status = t.directive == Directive::Skip ? KStatus::Skipped
               : t.ok                         ? KStatus::Success
                                              : KStatus::Failure;
  }
  if (parent) {
    const auto add = [&n](const TestResult& s) {
      n.subtests.push_back(convert(s, false));
      n.counts.add(n.subtests.back().counts);
    };
    if (is_main) {
      for (const TestResult* s : main_suites) add(*s);
    } else {
      for (const TestResult& s : t.subtests) add(s);
    }
    if (n.subtests.empty() && (n.status == KStatus::Crashed || n.status == KStatus::Success)) {
      n.status = KStatus::NoTests;
    }
  }
  // bubble_up_test_results()
  if (n.counts.total() == 0) {
    n.counts.add_status(n.status);
  } else if (n.counts.get_status() == KStatus::Crashed) {
    n.status = KStatus::Crashed;
  }
  return n;
}

const char* status_name(KStatus s) {
  switch (s) {
    case KStatus::Success: return "SUCCESS";
    case KStatus::Failure: return "FAILURE";
    case KStatus::Skipped: return "SKIPPED";
    case KStatus::Crashed: return "TEST_CRASHED";
    case KStatus::NoTests: return "NO_TESTS";
    case KStatus::FailureToParse: return "FAILURE_TO_PARSE_TESTS";
  }
  return "?";
}

// kunit_json._get_group_json()
void write_group(JsonWriter& w, const KNode& test, const char* name_override) {
  w.begin_object();
  w.key("name").value(name_override ? name_override : test.name.c_str());
  w.key("sub_groups").begin_array();
  for (const KNode& s : test.subtests) {
    if (!s.subtests.empty()) write_group(w, s, nullptr);
  }
  w.end_array();
  w.key("test_cases").begin_array();
  for (const KNode& s : test.subtests) {
    if (!s.subtests.empty()) continue;
    const char* status = s.status == KStatus::Success   ? "PASS"
                         : s.status == KStatus::Skipped ? "SKIP"
                         : s.status == KStatus::Crashed ? "ERROR"
                                                        : "FAIL";
    w.begin_object().key("name").value(s.name).key("status").value(status).end_object();
  }
  w.end_array();
  w.key("arch").value("");
  w.key("defconfig").value("");
  w.key("build_environment").value("");
  w.key("lab_name").null();
  w.key("kernel").null();
  w.key("job").null();
  w.key("git_branch").value("kselftest");
  w.end_object();
}

}  // namespace

KunitCompatResult kunit_compat(const std::vector<TestResult>& documents) {
  KNode main;
  if (documents.empty()) {
    main.status = KStatus::FailureToParse;
  } else {
    // A single-suite document: kunit.py sees the suite as main's only subtest.
    const TestResult& doc = documents.front();
    main = convert(doc, true, suites_of(doc));
    if (main.status != KStatus::NoTests) main.status = main.counts.get_status();
  }
  KunitCompatResult r;
  r.status = status_name(main.status);
  r.passed = main.counts.passed;
  r.failed = main.counts.failed;
  r.crashed = main.counts.crashed;
  r.skipped = main.counts.skipped;
  JsonWriter w(4);
  write_group(w, main, "KUnit Test Group");
  r.json = w.str();
  return r;
}

}  // namespace wpsuite
