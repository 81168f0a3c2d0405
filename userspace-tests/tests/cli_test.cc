// End-to-end tests of the ktap-gate command line (exit codes and output files).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "test_util.h"

namespace wpsuite {
namespace {

namespace fs = std::filesystem;
using testing::JsonChecker;
using testing::read_file;
using testing::testdata;

testing::CommandResult run(const std::string& args) {
  return testing::run_command(std::string("'") + WPSUITE_KTAP_GATE + "' " + args + " 2>/dev/null");
}

std::string quoted(const std::string& s) {
  return "'" + s + "'";
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(WPSUITE_TMP_DIR) / (std::string("cli-") + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  std::string out(const std::string& name = "out") const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(Cli, GreenRunWritesAllOutputs) {
  const auto r =
      run("--console " + quoted(testdata("green_run.log")) + " --out " + quoted(out()) +
          " --expect hw_breakpoint --expect=breakpoints:breakpoint_test_arm64"
          " --guest-exit 0");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(read_file(out() + "/summary.txt"), r.out);
  EXPECT_NE(r.out.find("ktap-gate: GREEN"), std::string::npos);
  const std::string json = read_file(out() + "/results.json");
  EXPECT_TRUE(JsonChecker::valid(json));
  EXPECT_NE(json.find("\"verdict\": \"PASS\""), std::string::npos);
  EXPECT_TRUE(testing::xml_well_formed(read_file(out() + "/junit.xml")));
}

TEST_F(Cli, NegativeControlIsRed) {
  const auto r =
      run("--console " + quoted(testdata("warn_negative_control.log")) + " --out " + quoted(out()));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(read_file(out() + "/results.json").find("\"verdict\": \"FAIL\""), std::string::npos);
}

TEST_F(Cli, FlagsMakeItRed) {
  const std::string base =
      "--console " + quoted(testdata("green_run.log")) + " --out " + quoted(out()) + " ";
  EXPECT_EQ(run(base + "--timed-out").exit_code, 1);
  EXPECT_EQ(run(base + "--guest-exit 137").exit_code, 1);
  EXPECT_EQ(run(base + "--expect nonexistent_suite").exit_code, 1);
  EXPECT_EQ(run(base + "--expect nonexistent_suite --filter hw_").exit_code, 0);
  // known_failures.txt lists hw_breakpoint.test_one_task_on_all_cpus, which
  // passes in green_run.log: "unexpectedly passed" makes the gate red.
  const auto r = run(base + "--known-failures " + quoted(testdata("known_failures.txt")));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("known failure unexpectedly passed"), std::string::npos) << r.out;
}

// "splats" is the gate's definition of a splat for other tools (bench):
// an expected one (inside its expect-splat window) is not listed.
TEST_F(Cli, SplatsListsUnexpectedOnly) {
  auto r = run("splats " + quoted(testdata("green_run.log")));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "");
  r = run("splats " + quoted(testdata("warn_negative_control.log")));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("splat: WARNING at line 26: WARNING: CPU: 1 PID: 214"), std::string::npos)
      << r.out;
  EXPECT_EQ(run("splats").exit_code, 2);
  EXPECT_EQ(run("splats --json " + quoted(testdata("green_run.log"))).exit_code, 2);
  EXPECT_EQ(run("splats " + quoted(out("missing.log"))).exit_code, 2);
}

TEST_F(Cli, ExpectFile) {
  std::FILE* f = std::fopen(out("expect.txt").c_str(), "w");
  std::fputs("# suites\nhw_breakpoint\nwpsuite/watchpoint:*\n", f);
  std::fclose(f);
  const std::string base =
      "--console " + quoted(testdata("green_run.log")) + " --out " + quoted(out()) + " ";
  EXPECT_EQ(run(base + "--expect-file " + quoted(out("expect.txt"))).exit_code, 0);
}

TEST_F(Cli, UsageAndIoErrorsExitTwo) {
  const std::string console = " --console " + quoted(testdata("green_run.log"));
  EXPECT_EQ(run("").exit_code, 2);
  EXPECT_EQ(run("--bogus").exit_code, 2);
  EXPECT_EQ(run("--out " + quoted(out())).exit_code, 2);  // no --console
  EXPECT_EQ(run(console).exit_code, 2);                   // no --out
  EXPECT_EQ(run(console + " --out " + quoted(out()) + " --guest-exit x").exit_code, 2);
  EXPECT_EQ(run(console + " --out " + quoted(out()) + " --timed-out=1").exit_code, 2);
  EXPECT_EQ(run(console + " --out " + quoted(out()) + " --expect").exit_code, 2);
  EXPECT_EQ(run("--console /nonexistent/console.log --out " + quoted(out())).exit_code, 2);
  EXPECT_EQ(run(console + " --out " + quoted(out()) + " --known-failures /nonexistent").exit_code,
            2);
  EXPECT_EQ(run(console + " --out /proc/ktap-gate-cannot-create").exit_code, 2);
  EXPECT_EQ(run("parse").exit_code, 2);
  EXPECT_EQ(run("parse /nonexistent.log").exit_code, 2);
  EXPECT_EQ(run("--help").exit_code, 0);
}

TEST_F(Cli, ParseModes) {
  auto r = run("parse " + quoted(testdata("green_run.log")));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("document 2: TAP version 13"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("SKIP test_unaligned # SKIP unaligned watchpoints not supported"),
            std::string::npos);

  r = run("parse " + quoted(testdata("crash_mid_kunit.log")) + " --full-json");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(JsonChecker::valid(r.out));
  EXPECT_NE(r.out.find("\"synthetic\": true"), std::string::npos);

  r = run("parse --json " + quoted(testdata("crash_mid_kunit.log")));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(JsonChecker::valid(r.out));
  EXPECT_NE(r.out.find("\"name\": \"KUnit Test Group\""), std::string::npos);
  EXPECT_NE(r.out.find("\"status\": \"ERROR\""), std::string::npos);
}

}  // namespace
}  // namespace wpsuite
