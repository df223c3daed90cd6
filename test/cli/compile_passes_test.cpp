// `bpfc compile --print-after=PASS`, `--print-after-all` and `--stats`: the
// optimizer's debugging views, printed on stderr beside the normal output.
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli_helpers.h"

namespace bpfc::clitest {
namespace {

constexpr const char* kFilter = "tcp port 80 or udp port 53";

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(CompilePasses, PrintAfterShowsTheIrAfterEachRunOfThePass) {
  auto plain = bpfc({"compile", "--emit=ir", kFilter});
  auto r = bpfc({"compile", "--emit=ir", "--print-after=dead-code", kFilter});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, plain.out) << "the debugging view must not change the output";
  EXPECT_GE(count_of(r.err, "# IR after dead-code ("), 1u) << r.err;
  EXPECT_EQ(count_of(r.err, "# IR after "), count_of(r.err, "# IR after dead-code (")) << r.err;
  // The dump is IR text: blocks, instructions and terminators.
  EXPECT_NE(r.err.find("\nb0:\n"), std::string::npos) << r.err;
  EXPECT_TRUE(plain.err.empty()) << plain.err;
}

TEST(CompilePasses, PrintAfterIsRepeatableAndLeavesTheExpressionWordsAlone) {
  auto r = bpfc({"compile", "--print-after", "constant-folding", "--print-after", "cfg-simplify", "tcp", "port",
                 "80"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, bpfc({"compile", "tcp port 80"}).out);
  EXPECT_GE(count_of(r.err, "# IR after constant-folding ("), 1u) << r.err;
  EXPECT_GE(count_of(r.err, "# IR after cfg-simplify ("), 1u) << r.err;
  EXPECT_EQ(count_of(r.err, "# IR after dead-code"), 0u) << r.err;
}

TEST(CompilePasses, UnknownPassNamesAreUsageErrorsListingTheValidOnes) {
  auto r = bpfc({"compile", "--print-after=no-such-pass", "ip"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no-such-pass"), std::string::npos) << r.err;
  for (const char* pass : {"constant-folding", "algebraic-simplify", "dead-code", "cfg-simplify"}) {
    EXPECT_NE(r.err.find(pass), std::string::npos) << pass << " missing from: " << r.err;
  }
  EXPECT_TRUE(r.out.empty());
}

TEST(CompilePasses, PrintAfterAllEndsWithTheFinalIr) {
  auto r = bpfc({"compile", "--emit=ir", "--print-after-all", kFilter});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const size_t last = r.err.rfind("# IR after ");
  ASSERT_NE(last, std::string::npos) << r.err;
  const size_t body = r.err.find('\n', last) + 1;
  EXPECT_EQ(r.err.substr(body), r.out);
  // Every pass of the -O2 pipeline ran at least once.
  for (const char* pass : {"constant-folding", "algebraic-simplify", "dead-code", "cfg-simplify"}) {
    EXPECT_GE(count_of(r.err, std::string("# IR after ") + pass + " ("), 1u) << pass;
  }
}

TEST(CompilePasses, StatsTabulatesEveryPassRunAndTheFinalSizes) {
  auto r = bpfc({"compile", "--stats", kFilter});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, bpfc({"compile", kFilter}).out);
  const std::vector<std::string> lines = lines_of(r.err);
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines[0].find("pass"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("changed"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("time"), std::string::npos) << lines[0];
  const std::regex row(R"(\s*\d+  [a-z-]+ +(yes|no) +\d+\.\dus +\d+ +\d+  .*)");
  size_t rows = 0;
  for (const std::string& line : lines) rows += std::regex_match(line, row) ? 1 : 0;
  EXPECT_GE(rows, 4u) << r.err;
  EXPECT_NE(r.err.find("dead-code"), std::string::npos);
  // The instruction count is the listing's length.
  const std::string cbpf_line = "cBPF: " + std::to_string(lines_of(r.out).size()) + " instructions";
  EXPECT_NE(r.err.find(cbpf_line), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" blocks, "), std::string::npos) << r.err;
}

TEST(CompilePasses, StatsNamesWhatAPassChanged) {
  // vxlan's lowering leaves a branch on a known value: constant folding
  // has something to report at level 1, which does not run value numbering.
  auto r = bpfc({"compile", "--stats", "--opt-level=1", "vxlan"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(" yes "), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("value-numbering"), std::string::npos) << "not a level-1 pass: " << r.err;
}

TEST(CompilePasses, StatsAtLevelZeroRunsNoPass) {
  auto r = bpfc({"compile", "--stats", "--opt-level=0", "--emit=ir", "ip"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("passes: 0 run"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("cBPF:"), std::string::npos) << "no cBPF program with --emit=ir: " << r.err;
}

}  // namespace
}  // namespace bpfc::clitest
