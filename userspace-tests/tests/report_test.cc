#include "wpsuite/report.h"

#include <gtest/gtest.h>

#include <string>

#include "test_util.h"
#include "wpsuite/json_writer.h"

namespace wpsuite {
namespace {

using testing::JsonChecker;
using testing::xml_well_formed;

TEST(JsonEscape, SpecialCharacters) {
  EXPECT_EQ(json_quote("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(json_quote("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(json_quote(std::string("\x01\x1f\x7f", 3)), R"("\u0001\u001f\u007f")");
  EXPECT_EQ(json_quote(std::string("nul\0x", 5)), R"("nul\u0000x")");
  EXPECT_EQ(json_quote("/</script>"), R"("/</script>")");
}

TEST(JsonEscape, UnicodeLikePythonEnsureAscii) {
  EXPECT_EQ(json_quote("\xc3\xa9"), R"("\u00e9")");                // é
  EXPECT_EQ(json_quote("\xe2\x82\xac"), R"("\u20ac")");            // €
  EXPECT_EQ(json_quote("\xf0\x9f\x98\x80"), R"("\ud83d\ude00")");  // 😀 as a surrogate pair
}

TEST(JsonEscape, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(json_quote("\xff"), R"("\ufffd")");
  EXPECT_EQ(json_quote("a\xc3"), R"("a\ufffd")");                    // truncated sequence
  EXPECT_EQ(json_quote("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");  // UTF-16 surrogate
  EXPECT_EQ(json_quote("\xc0\xaf"), R"("\ufffd\ufffd")");            // overlong
  EXPECT_EQ(sanitize_utf8("ok\xff"), "ok\xef\xbf\xbd");
}

TEST(JsonWriter, PythonIndentStyle) {
  JsonWriter w(4);
  w.begin_object();
  w.key("name").value("x");
  w.key("empty").begin_array().end_array();
  w.key("obj").begin_object().end_object();
  w.key("list").begin_array().value(1).null().value(true).end_array();
  w.key("d").value(1.5);
  w.end_object();
  EXPECT_EQ(w.str(), R"({
    "name": "x",
    "empty": [],
    "obj": {},
    "list": [
        1,
        null,
        true
    ],
    "d": 1.500000
})");
  EXPECT_TRUE(JsonChecker::valid(w.str()));
}

TEST(JsonWriter, NonFiniteNumbersAreNull) {
  JsonWriter w;
  w.begin_array().value(1.0 / 0.0).value(std::optional<double>{}).end_array();
  EXPECT_TRUE(JsonChecker::valid(w.str()));
  EXPECT_EQ(w.str().find("inf"), std::string::npos);
}

TEST(XmlEscape, SpecialAndInvalidCharacters) {
  EXPECT_EQ(xml_escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
  EXPECT_EQ(xml_escape("a\nb\tc"), "a&#10;b&#9;c");
  EXPECT_EQ(xml_escape("a\nb\tc", false), "a\nb\tc");
  EXPECT_EQ(xml_escape(std::string("\x01\x1b[0m", 5)), "\xef\xbf\xbd\xef\xbf\xbd[0m");
  EXPECT_EQ(xml_escape("\xff"), "\xef\xbf\xbd");
  EXPECT_EQ(xml_escape("\xc3\xa9"), "\xc3\xa9");
}

struct Reports {
  std::vector<ConsoleLine> lines;
  std::vector<TestResult> docs;
  ConsoleAnalysis console;
  GateResult gate;
  explicit Reports(const std::string& text, GateOptions options = {})
      : lines(split_console(text)),
        docs(parse_ktap(lines)),
        console(analyze_console(lines, docs)),
        gate(evaluate(docs, console, options)) {}
};

const std::string kNasty = R"([ 1.0] KTAP version 1
[ 1.0] 1..1
[ 1.0]     KTAP version 1
[ 1.0]     # Subtest: s<&>"'
[ 1.0]     1..2
[ 1.1]     # a: got "<tag>" & 'quote' \ back)"
                           "\x01\xff"
                           R"(
[ 1.1]     not ok 1 a]]>
[ 1.2] WARNING: CPU: 0 PID: 1 at x.c:1 f "<&>"
[ 1.2] ---[ end trace 0000000000000000 ]---
[ 1.2]     ok 2 b # SKIP </skipped>
[ 1.3] not ok 1 s<&>"'
[ 1.5] wpsuite: done
)";

TEST(Report, ResultsJsonIsValidAndComplete) {
  GateOptions o;
  o.expected_suites = {"missing"};
  const Reports r(kNasty, o);
  const std::string json = format_results_json(r.gate, r.console);
  EXPECT_TRUE(JsonChecker::valid(json)) << json;
  for (const char* key : {"\"verdict\": \"FAIL\"", "\"suites\"", "\"tests\"", "\"splats\"",
                          "\"running_test\": \"s<&>\\\"'.b\"", "\"problems\"", "\"excerpt\"",
                          "\"path\": \"s<&>\\\"'.a]]>\"", "\"expect_splat\"", "\"markers\"",
                          "\"kind\": \"missing-suite\"", "\\ufffd"}) {
    EXPECT_NE(json.find(key), std::string::npos) << key;
  }
}

TEST(Report, JunitXmlIsWellFormedAndEscaped) {
  const Reports r(kNasty);
  const std::string xml = format_junit_xml(r.gate, r.console);
  EXPECT_TRUE(xml_well_formed(xml)) << xml;
  EXPECT_NE(xml.find("<testsuite name=\"s&lt;&amp;&gt;&quot;&apos;\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<testcase classname=\"s&lt;&amp;&gt;&quot;&apos;\" name=\"a]]&gt;\""),
            std::string::npos);
  EXPECT_NE(xml.find("<failure message=\"FAIL\" type=\"FAIL\">"), std::string::npos);
  EXPECT_NE(xml.find("<skipped message=\"&lt;/skipped&gt;\"/>"), std::string::npos);
  EXPECT_NE(xml.find("<testsuite name=\"kernel-log\" tests=\"1\" failures=\"1\""),
            std::string::npos);
  EXPECT_NE(xml.find("<testcase classname=\"gate\" name=\"verdict\""), std::string::npos);
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
}

TEST(Report, SummaryTable) {
  const Reports r(testing::read_file(testing::testdata("green_run.log")));
  const std::string text = format_summary(r.gate, r.console);
  EXPECT_EQ(text.rfind("ktap-gate: GREEN", 0), 0u) << text;
  EXPECT_NE(text.find("SUITE"), std::string::npos);
  EXPECT_NE(text.find("PASS  FAIL  SKIP"), std::string::npos);
  EXPECT_NE(text.find("breakpoints:breakpoint_test_arm64"), std::string::npos);
  EXPECT_NE(text.find("TOTAL (4 suites)"), std::string::npos);
  EXPECT_NE(text.find("Kernel splats: 1 (1 expected)"), std::string::npos);
  EXPECT_NE(text.find("0.003s"), std::string::npos);  // hw_breakpoint: 0.412400 -> 0.415120
}

TEST(Report, SummaryListsProblemsWithExcerpts) {
  const Reports r(testing::read_file(testing::testdata("warn_negative_control.log")));
  const std::string text = format_summary(r.gate, r.console);
  EXPECT_EQ(text.rfind("ktap-gate: RED (1 problems)", 0), 0u) << text;
  EXPECT_NE(text.find("[splat] WARNING (line 26) while running "
                      "wpsuite/watchpoint:watchpoint_test.watchpoint fires on write"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("       | [    2.180410] ---[ end trace"), std::string::npos);
}

TEST(Report, FormatSeconds) {
  EXPECT_EQ(format_seconds(std::nullopt), "-");
  EXPECT_EQ(format_seconds(1.23456), "1.235s");
}

}  // namespace
}  // namespace wpsuite
