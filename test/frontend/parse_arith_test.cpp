// Arithmetic and relations with libpcap's precedence, packet accesses and
// their sizes.
#include <gtest/gtest.h>

#include "parse_test_support.h"

namespace bpfc::parsetest {
namespace {

TEST(ParseArith, Relations) {
  EXPECT_EQ(parsed("len > 1"), "(> len 1)");
  EXPECT_EQ(parsed("len >= 1"), "(>= len 1)");
  EXPECT_EQ(parsed("len < 1"), "(< len 1)");
  EXPECT_EQ(parsed("len <= 1"), "(<= len 1)");
  EXPECT_EQ(parsed("len = 1"), "(= len 1)");
  EXPECT_EQ(parsed("len == 1"), "(= len 1)");
  EXPECT_EQ(parsed("len != 1"), "(!= len 1)");
  EXPECT_EQ(parsed("1 = 2 = 3"), syntax_error_at(6, 7));
  EXPECT_EQ(parsed("len"), syntax_error_at(3, 3));
  EXPECT_EQ(parsed("1"), syntax_error_at(1, 1));
}

TEST(ParseArith, Precedence) {
  EXPECT_EQ(parsed("1 + 2 * 3 = 0"), "(= (+ 1 (* 2 3)) 0)");
  EXPECT_EQ(parsed("1 * 2 + 3 = 0"), "(= (+ (* 1 2) 3) 0)");
  EXPECT_EQ(parsed("1 - 2 - 3 = 0"), "(= (- (- 1 2) 3) 0)");
  EXPECT_EQ(parsed("1 / 2 / 3 = 0"), "(= (/ (/ 1 2) 3) 0)");
  EXPECT_EQ(parsed("1 << 2 + 3 = 0"), "(= (<< 1 (+ 2 3)) 0)");
  EXPECT_EQ(parsed("1 & 2 << 3 = 0"), "(= (& 1 (<< 2 3)) 0)");
  EXPECT_EQ(parsed("1 | 2 & 3 = 0"), "(= (| 1 (& 2 3)) 0)");
  EXPECT_EQ(parsed("1 & 2 | 3 = 0"), "(= (| (& 1 2) 3) 0)");
  EXPECT_EQ(parsed("(1 | 2) & 3 = 0"), "(= (& (| 1 2) 3) 0)");
  EXPECT_EQ(parsed("-1 * 2 = 0"), "(= (* (neg 1) 2) 0)");
  EXPECT_EQ(parsed("- - 1 = 0"), "(= (neg (neg 1)) 0)");
  EXPECT_EQ(parsed("1 - -1 = 0"), "(= (- 1 (neg 1)) 0)");
  EXPECT_EQ(parsed("len - 14 > 0"), "(> (- len 14) 0)");
}

// yacc gives `%` and `^` no precedence, so it always shifts them: they take
// the nearest operand on the left and everything after them on the right.
TEST(ParseArith, ModuloAndXorAsLibpcapParsesThem) {
  EXPECT_EQ(parsed("1 + 2 % 3 + 4 = 0"), "(= (+ 1 (% 2 (+ 3 4))) 0)");
  EXPECT_EQ(parsed("2 * 3 % 4 = 0"), "(= (* 2 (% 3 4)) 0)");
  EXPECT_EQ(parsed("2 % 3 * 4 = 0"), "(= (% 2 (* 3 4)) 0)");
  EXPECT_EQ(parsed("2 % 3 | 4 = 0"), "(= (% 2 (| 3 4)) 0)");
  EXPECT_EQ(parsed("1 | 2 % 3 = 0"), "(= (| 1 (% 2 3)) 0)");
  EXPECT_EQ(parsed("1 ^ 2 ^ 3 = 0"), "(= (^ 1 (^ 2 3)) 0)");
  EXPECT_EQ(parsed("1 % 2 ^ 3 = 0"), "(= (% 1 (^ 2 3)) 0)");
  EXPECT_EQ(parsed("-2 % 3 = 0"), "(= (neg (% 2 3)) 0)");
  EXPECT_EQ(parsed("(1 % 2) + 3 = 0"), "(= (+ (% 1 2) 3) 0)");
  EXPECT_EQ(parsed("ip[0] % 2 + 1 != 0"), "(!= (% ip[0:1] (+ 2 1)) 0)");
}

TEST(ParseArith, PacketAccess) {
  EXPECT_EQ(parsed("ether[0] = 1"), "(= ether[0:1] 1)");
  EXPECT_EQ(parsed("ip[2:2] > 576"), "(> ip[2:2] 576)");
  EXPECT_EQ(parsed("tcp[12:4] = 0"), "(= tcp[12:4] 0)");
  EXPECT_EQ(parsed("link[0:0] != 0"), "(!= link[0:0] 0)");      // sema: "data size must be 1, 2, or 4"
  EXPECT_EQ(parsed("link[0:300] != 0"), "(!= link[0:300] 0)");  // kept as written
  EXPECT_EQ(parsed("link[0:-1] != 0"), syntax_error_at(7, 8));
  EXPECT_EQ(parsed("radio[0] = 1"), "(= radio[0:1] 1)");
  EXPECT_EQ(parsed("ip6[ip6[6] + 40] = 1"), "(= ip6[(+ ip6[6:1] 40):1] 1)");
  EXPECT_EQ(parsed("tcp[((tcp[12] & 0xf0) >> 2)] = 0x47"), "(= tcp[(>> (& tcp[12:1] 240) 2):1] 71)");
  EXPECT_EQ(parsed("aarp[0] == 0"), "(= aarp[0:1] 0)");  // sema: index not supported
  EXPECT_EQ(parsed("tcp[0] = len"), "(= tcp[0:1] len)");
  EXPECT_EQ(parsed("src[0] = 1"), syntax_error_at(3, 4));
  EXPECT_EQ(parsed("tcp[0:(2)] = 1"), syntax_error_at(6, 7));
}

TEST(ParseArith, ParenthesizedArithmeticInBooleanContext) {
  EXPECT_EQ(parsed("(len) > 1"), "(> len 1)");
  EXPECT_EQ(parsed("((1)) = 1"), "(= 1 1)");
  EXPECT_EQ(parsed("(ip[0] & 0xf) > 5 and tcp"), "(and (> (& ip[0:1] 15) 5) (proto tcp))");
  EXPECT_EQ(parsed("((ip[0] & 0xf) > 5)"), "(> (& ip[0:1] 15) 5)");
  EXPECT_EQ(parsed("not (len) = 1"), "(not (= len 1))");
  EXPECT_EQ(parsed("tcp and (1) = 1"), "(and (proto tcp) (= 1 1))");
}

TEST(ParseArith, Spans) {
  Result<ast::Filter> result = parse_filter("tcp[13] & 2 != 0");
  ASSERT_TRUE(result.ok());
  const auto& relation = std::get<ast::Relation>(result->expr->node);
  EXPECT_EQ(result->expr->span, (SourceSpan{0, 16}));
  EXPECT_EQ(relation.lhs.span, (SourceSpan{0, 11}));
  EXPECT_EQ(relation.rhs.span, (SourceSpan{15, 16}));
  const auto& mask = std::get<ast::ArithBinary>(relation.lhs.node);
  EXPECT_EQ(mask.lhs->span, (SourceSpan{0, 7}));
  const auto& access = std::get<ast::PacketAccess>(mask.lhs->node);
  EXPECT_EQ(access.index->span, (SourceSpan{4, 6}));
}

}  // namespace
}  // namespace bpfc::parsetest
