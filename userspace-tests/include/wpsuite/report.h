// WRITE: human summary, results.json and junit.xml for a gate result.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "wpsuite/gate.h"
#include "wpsuite/kernel_log.h"

namespace wpsuite {

// Table (suite, passed, failed, skipped, time, result), totals, problems with
// excerpts and notes. Printed to stdout and written to summary.txt.
std::string format_summary(const GateResult& gate, const ConsoleAnalysis& console);

// results.json: verdict, totals, suites with per-test results, splats with
// excerpts and running test, expect-splat windows, markers, problems, notes.
std::string format_results_json(const GateResult& gate, const ConsoleAnalysis& console);

// junit.xml: one <testsuite> per suite, plus "kernel-log" (one testcase per
// splat / expect-splat window) and "gate" (run-level problems and verdict).
std::string format_junit_xml(const GateResult& gate, const ConsoleAnalysis& console);

// XML escaping for attribute values (attribute = true: newlines and tabs as
// character references) or character data. Invalid UTF-8 and characters XML
// 1.0 cannot carry are replaced by U+FFFD.
std::string xml_escape(std::string_view text, bool attribute = true);

// "1.234s", or "-" when unknown.
std::string format_seconds(std::optional<double> seconds);

}  // namespace wpsuite
