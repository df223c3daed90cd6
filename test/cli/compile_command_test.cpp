// `bpfc compile`: option handling, output forms and error rendering.
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_helpers.h"

namespace bpfc::clitest {
namespace {

TEST(Compile, DefaultOutputIsTheDashDListing) {
  auto r = bpfc({"compile", "ip"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, bpfc({"compile", "-d", "ip"}).out);
  const std::regex listing_line(R"(\(\d{3}\) [a-z]+ +.*)");
  for (const std::string& line : lines_of(r.out)) EXPECT_TRUE(std::regex_match(line, listing_line)) << line;
  EXPECT_EQ(lines_of(r.out).front().rfind("(000) ", 0), 0u);
}

TEST(Compile, DashDdPrintsACArrayAndDashDddDecimal) {
  auto listing = bpfc({"compile", "udp"});
  auto c_array = bpfc({"compile", "-dd", "udp"});
  auto decimal = bpfc({"compile", "-ddd", "udp"});
  ASSERT_EQ(c_array.exit_code, 0) << c_array.err;
  ASSERT_EQ(decimal.exit_code, 0) << decimal.err;
  size_t count = lines_of(listing.out).size();
  const std::regex c_line(R"(\{ 0x[0-9a-f]+, \d+, \d+, 0x[0-9a-f]{8} \},)");
  for (const std::string& line : lines_of(c_array.out)) EXPECT_TRUE(std::regex_match(line, c_line)) << line;
  EXPECT_EQ(lines_of(c_array.out).size(), count);
  auto decimal_lines = lines_of(decimal.out);
  ASSERT_EQ(decimal_lines.size(), count + 1);
  EXPECT_EQ(decimal_lines[0], std::to_string(count));
  const std::regex decimal_line(R"(\d+ \d+ \d+ \d+)");
  for (size_t i = 1; i < decimal_lines.size(); ++i) EXPECT_TRUE(std::regex_match(decimal_lines[i], decimal_line));
  // Repeating d beyond three stays -ddd, as in tcpdump.
  EXPECT_EQ(bpfc({"compile", "-dddd", "udp"}).out, decimal.out);
  EXPECT_EQ(bpfc({"compile", "-d", "-d", "udp"}).out, c_array.out);
}

TEST(Compile, ArgumentWordsAreJoinedWithSpaces) {
  auto joined = bpfc({"compile", "tcp", "and", "dst", "port", "80"});
  auto single = bpfc({"compile", "tcp and dst port 80"});
  ASSERT_EQ(single.exit_code, 0) << single.err;
  EXPECT_EQ(joined.out, single.out);
  // Options may follow the expression words, and -- ends the options.
  EXPECT_EQ(bpfc({"compile", "tcp", "and", "dst", "port", "80", "-dd"}).out,
            bpfc({"compile", "-dd", "tcp and dst port 80"}).out);
  EXPECT_EQ(bpfc({"compile", "--", "tcp and dst port 80"}).out, single.out);
}

TEST(Compile, EmptyExpressionAcceptsEverything) {
  auto r = bpfc({"compile"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "(000) ret      #262144\n");
  EXPECT_EQ(bpfc({"compile", "-s", "96", ""}).out, "(000) ret      #96\n");
}

TEST(Compile, SnaplenIsWhatAcceptingFiltersReturn) {
  auto r = bpfc({"compile", "-s", "100", "tcp"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ret      #100\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("#262144"), std::string::npos) << r.out;
  // 0 means the default, as in tcpdump.
  EXPECT_EQ(bpfc({"compile", "-s", "0", "tcp"}).out, bpfc({"compile", "tcp"}).out);
}

TEST(Compile, LinkTypeByNameCaseOrNumber) {
  auto raw = bpfc({"compile", "-y", "RAW", "ip"});
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  EXPECT_NE(raw.out, bpfc({"compile", "ip"}).out);
  EXPECT_EQ(bpfc({"compile", "-y", "raw", "ip"}).out, raw.out);
  EXPECT_EQ(bpfc({"compile", "-y", "DLT_RAW", "ip"}).out, raw.out);
  EXPECT_EQ(bpfc({"compile", "-y", "12", "ip"}).out, raw.out);  // DLT_RAW on Linux
  EXPECT_EQ(bpfc({"compile", "--linktype=EN10MB", "ip"}).out, bpfc({"compile", "ip"}).out);
}

TEST(Compile, NetmaskEnablesIpBroadcast) {
  auto unknown = bpfc({"compile", "ip broadcast"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("netmask not known"), std::string::npos) << unknown.err;
  auto dotted = bpfc({"compile", "-m", "255.255.255.0", "ip broadcast"});
  ASSERT_EQ(dotted.exit_code, 0) << dotted.err;
  EXPECT_EQ(bpfc({"compile", "-m", "0xffffff00", "ip broadcast"}).out, dotted.out);
  EXPECT_EQ(bpfc({"compile", "-m", "4294967040", "ip broadcast"}).out, dotted.out);
}

TEST(Compile, OptimizationFlagsAreAccepted) {
  auto optimized = bpfc({"compile", "-O", "tcp"});
  ASSERT_EQ(optimized.exit_code, 0) << optimized.err;
  auto unoptimized = bpfc({"compile", "-O0", "tcp"});
  ASSERT_EQ(unoptimized.exit_code, 0) << unoptimized.err;
  EXPECT_EQ(bpfc({"compile", "--opt-level=1", "tcp"}).exit_code, 0);
  EXPECT_EQ(bpfc({"compile", "--opt-level=7", "tcp"}).exit_code, 2);
}

TEST(Compile, ErrorsShowTheExpressionWithACaret) {
  auto r = bpfc({"compile", "tcp port 70000"});
  ASSERT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty());
  auto lines = lines_of(r.err);
  ASSERT_EQ(lines.size(), 3u) << r.err;
  EXPECT_EQ(lines[0].rfind("bpfc: ", 0), 0u) << r.err;
  EXPECT_EQ(lines[1], "    tcp port 70000");
  const std::regex caret_line(R"( {4}( *)(\^+))");
  std::smatch caret;
  ASSERT_TRUE(std::regex_match(lines[2], caret, caret_line)) << r.err;
  // The carets underline the bad port number.
  size_t begin = caret[1].length(), end = begin + caret[2].length();
  EXPECT_LT(begin, std::string("tcp port 70000").size());
  EXPECT_GT(end, std::string("tcp port ").size()) << r.err;
}

TEST(Compile, SyntaxErrorsUseLibpcapWording) {
  auto r = bpfc({"compile", "tcp", "and"});
  ASSERT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("syntax error"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("    tcp and\n"), std::string::npos) << r.err;
}

TEST(Compile, ExpressionFromFileWithComments) {
  ScratchFile file("# web traffic\ntcp   # the protocol\n  and port 80\n");
  auto r = bpfc({"compile", "-F", file.path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, bpfc({"compile", "tcp and port 80"}).out);
  EXPECT_EQ(bpfc({"compile", "-F", "-"}, "udp # from stdin\n").out, bpfc({"compile", "udp"}).out);
}

TEST(Compile, ExpressionFileErrors) {
  ScratchFile bad("tcp and # nothing follows\n");
  auto r = bpfc({"compile", "-F", bad.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("syntax error"), std::string::npos) << r.err;
  // The source line shows the file with the comment blanked, on one line.
  EXPECT_NE(r.err.find("    tcp and "), std::string::npos) << r.err;
  EXPECT_EQ(bpfc({"compile", "-F", "/nonexistent/filter"}).exit_code, 1);
  EXPECT_EQ(bpfc({"compile", "-F", bad.path(), "udp"}).exit_code, 2);  // both file and words
}

TEST(Compile, EmitIrPrintsTheIr) {
  auto r = bpfc({"compile", "--emit=ir", "tcp port 80"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(r.out.empty());
  EXPECT_NE(r.out.find("ret"), std::string::npos) << r.out;
  EXPECT_EQ(bpfc({"compile", "--emit=ir", "tcp and"}).exit_code, 1);
  EXPECT_EQ(bpfc({"compile", "--emit=ir", "-dd", "tcp"}).exit_code, 2);
}

TEST(Compile, JsonOutputIsJsonOfTheSameProgram) {
  auto r = bpfc({"compile", "--format=json", "udp port 53"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NO_THROW({ auto parsed = nlohmann::json::parse(r.out); });
  auto listing = bpfc({"compile", "udp port 53"});
  EXPECT_EQ(bpfc({"asm", "--format=json"}, listing.out).out, r.out);
}

}  // namespace
}  // namespace bpfc::clitest
