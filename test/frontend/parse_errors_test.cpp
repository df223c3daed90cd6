// Syntax errors: libpcap's message, the span of the token the parse stopped
// at, no output on the console, no crash on any input, and a clear error
// instead of a stack overflow for deeply nested filters.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "parse_test_support.h"

namespace bpfc::parsetest {
namespace {

std::string repeat(std::string_view piece, size_t times) {
  std::string out;
  for (size_t i = 0; i < times; ++i) out += piece;
  return out;
}

TEST(ParseErrors, MessageAndSpanOfTheOffendingToken) {
  EXPECT_EQ(parsed("host"), syntax_error_at(4, 4));
  EXPECT_EQ(parsed("tcp and"), syntax_error_at(7, 7));
  EXPECT_EQ(parsed("tcp or or udp"), syntax_error_at(7, 9));
  EXPECT_EQ(parsed("(tcp"), syntax_error_at(4, 4));
  EXPECT_EQ(parsed("tcp)"), syntax_error_at(3, 4));
  EXPECT_EQ(parsed("()"), syntax_error_at(1, 2));
  EXPECT_EQ(parsed("loopback"), syntax_error_at(0, 8));
  EXPECT_EQ(parsed("\\loopback"), syntax_error_at(0, 9));
  EXPECT_EQ(parsed("tcp portrange -512"), syntax_error_at(14, 15));
  EXPECT_EQ(parsed("host a b"), syntax_error_at(7, 8));
  EXPECT_EQ(parsed("not"), syntax_error_at(3, 3));
  EXPECT_EQ(parsed("ip[0"), syntax_error_at(4, 4));
}

TEST(ParseErrors, TheFirstErrorWins) {
  // The parse stops at the first problem; a later bad number is not reached.
  EXPECT_EQ(parsed("tcp or or 09"), syntax_error_at(7, 9));
  EXPECT_EQ(parsed("port 09 or or"), "error: number 09 contains non-octal digit @5-7");
}

TEST(ParseErrors, RenderedWithACaret) {
  Result<ast::Filter> result = parse_filter("tcp or or udp");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(render_diagnostic(result.error(), "tcp or or udp"),
            "bpfc: can't parse filter expression: syntax error\n"
            "    tcp or or udp\n"
            "           ^^\n");
}

TEST(ParseErrors, NothingIsPrintedOnTheConsole) {
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  parse_filter("tcp or or ) ( @ 09 ::1::2 1:2:");
  parse_filter("((((");
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(ParseErrors, DeepParenthesesAreRejectedNotOverflowed) {
  const std::string deep = repeat("(", 10000) + "tcp" + repeat(")", 10000);
  const std::string result = parsed(deep);
  EXPECT_EQ(result.rfind("error: can't parse filter expression: expression nested too deeply", 0), 0u) << result;
  EXPECT_EQ(parsed(repeat("(", 100000)).rfind("error: can't parse filter expression: expression nested", 0), 0u);
  // Within the limit, nesting works.
  const size_t ok = kMaxSyntaxDepth - 10;
  EXPECT_EQ(parsed(repeat("(", ok) + "tcp" + repeat(")", ok)), "(proto tcp)");
  EXPECT_EQ(parsed("host a and " + repeat("(", ok) + "1" + repeat(")", ok)), "(and {-/-/host a} ^{-/-/host #1})");
  EXPECT_EQ(parsed(repeat("(", ok) + "1" + repeat(")", ok) + " = 1"), "(= 1 1)");
}

TEST(ParseErrors, DeepPrefixOperatorsAreRejectedNotOverflowed) {
  const std::string too_deep = "error: can't parse filter expression: expression nested too deeply";
  EXPECT_EQ(parsed(repeat("not ", 10000) + "tcp").rfind(too_deep, 0), 0u);
  EXPECT_EQ(parsed(repeat("! ", 10000) + "tcp").rfind(too_deep, 0), 0u);
  EXPECT_EQ(parsed("host a and " + repeat("not ", 10000) + "b").rfind(too_deep, 0), 0u);
  EXPECT_EQ(parsed("1 = " + repeat("-", 10000) + "1").rfind(too_deep, 0), 0u);
  EXPECT_EQ(parsed("1" + repeat(" % 1", 10000) + " = 1").rfind(too_deep, 0), 0u);
  const size_t ok = kMaxSyntaxDepth - 10;
  EXPECT_EQ(parsed(repeat("not ", ok) + "tcp").find("error"), std::string::npos);
  EXPECT_EQ(parsed("1 = " + repeat("-", ok) + "1").find("error"), std::string::npos);
}

TEST(ParseErrors, LongChainsAreBoundedByTheTreeDepth) {
  const std::string too_deep = "error: can't parse filter expression: expression nested too deeply";
  // Long and/or and arithmetic chains make left-deep trees; they are fine up
  // to the depth limit and rejected (not overflowed) beyond it.
  const size_t ok = kMaxSyntaxDepth - 10;
  EXPECT_EQ(parsed("tcp" + repeat(" or tcp", ok)).find("error"), std::string::npos);
  EXPECT_EQ(parsed("1" + repeat(" + 1", ok) + " = 1").find("error"), std::string::npos);
  EXPECT_EQ(parsed("host a" + repeat(" or b", ok)).find("error"), std::string::npos);
  EXPECT_EQ(parsed("1" + repeat(" + 1", 100000) + " = 1").rfind(too_deep, 0), 0u);
  // Alternating and/or cannot be rebalanced: a left spine as deep as the chain.
  EXPECT_EQ(parsed("tcp" + repeat(" or tcp and udp", 100000)).rfind(too_deep, 0), 0u);
}

TEST(ParseErrors, LongRunsOfOneOperatorAreAccepted) {
  // libpcap accepts host/port lists of any length; a run of one operator is
  // built as a balanced tree, so its depth grows as log n.
  EXPECT_EQ(parsed("tcp" + repeat(" or tcp", 100000)).find("error"), std::string::npos);
  EXPECT_EQ(parsed("host a" + repeat(" and b", 100000)).find("error"), std::string::npos);
  EXPECT_EQ(parsed("host a" + repeat(" or b", 20000) + " and udp" + repeat(" or tcp", 20000)).find("error"),
            std::string::npos);
}

// Random bytes and random token soup: any result is fine as long as the
// parser returns.
TEST(ParseErrors, NeverCrashesOnGarbage) {
  std::mt19937 rng(12345);
  const char* const words[] = {"(", ")", "not", "and", "or", "host", "tcp", "port", "1", "1.2", "::1",
                               "a", "[", "]", ":", "=", "-", "%", "^", "vlan", "src", "dst", "net",
                               "mask", "len", "llc", "type", "vpi", "\\x", "$1", "1:2:3:4:5:6", "09"};
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    const int length = static_cast<int>(rng() % 12);
    for (int j = 0; j < length; ++j) {
      if (i % 2 == 0) {
        text += static_cast<char>(rng() % 256);
      } else {
        text += words[rng() % std::size(words)];
        text += ' ';
      }
    }
    Result<ast::Filter> result = parse_filter(text);
    if (!result.ok()) {
      ASSERT_TRUE(result.error().span.has_value()) << text;
      EXPECT_LE(result.error().span->end, text.size()) << text;
    }
  }
}

}  // namespace
}  // namespace bpfc::parsetest
