// libFuzzer target for the whole pipeline (build with -DWPSUITE_FUZZ=ON and
// clang), or with tools/fuzz-gate.sh, which builds it, seeds a corpus and runs
// it for a bounded time. By hand:  ./ktap-gate-fuzz -max_total_time=60 corpus_dir/
#include <cstddef>
#include <cstdint>
#include <string>

#include "wpsuite/gate.h"
#include "wpsuite/kunit_compat.h"
#include "wpsuite/report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace wpsuite;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::vector<ConsoleLine> lines = split_console(text);
  const std::vector<TestResult> docs = parse_ktap(lines);
  const ConsoleAnalysis console = analyze_console(lines, docs);
  GateOptions options;
  options.expected_suites = {"hw_breakpoint", "*"};
  options.known_failures = parse_known_failures(text.substr(0, 512));
  const GateResult gate = evaluate(docs, console, options);
  (void)format_summary(gate, console);
  (void)format_results_json(gate, console);
  (void)format_junit_xml(gate, console);
  (void)kunit_compat(docs);
  return 0;
}
