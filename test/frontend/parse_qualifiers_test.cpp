// Qualifier inheritance exactly as libpcap's yacc grammar does it: a bare
// value after and/or takes the qualifiers carried by the grammar ($<blk>0.q),
// which the rules set, keep or drop in particular ways.
#include <gtest/gtest.h>

#include "parse_test_support.h"

namespace bpfc::parsetest {
namespace {

TEST(ParseQualifiers, HeadForms) {
  EXPECT_EQ(parsed("host a"), "{-/-/host a}");
  EXPECT_EQ(parsed("src a"), "{-/src/- a}");
  EXPECT_EQ(parsed("dst net 10"), "{-/dst/net #10}");
  EXPECT_EQ(parsed("src or dst host a"), "{-/src-or-dst/host a}");
  EXPECT_EQ(parsed("dst or src host a"), "{-/src-or-dst/host a}");
  EXPECT_EQ(parsed("src and dst host a"), "{-/src-and-dst/host a}");
  EXPECT_EQ(parsed("dst and src host a"), "{-/src-and-dst/host a}");
  EXPECT_EQ(parsed("tcp src port 80"), "{tcp/src/port #80}");
  EXPECT_EQ(parsed("udp portrange 1-2"), "{udp/-/portrange 1-2}");
  EXPECT_EQ(parsed("ether src a"), "{ether/src/- a}");
  EXPECT_EQ(parsed("ip proto 6"), "{ip/-/proto #6}");
  EXPECT_EQ(parsed("proto tcp"), syntax_error_at(6, 9));  // `tcp` is a keyword, not a name
  EXPECT_EQ(parsed("proto \\tcp"), "{-/-/proto \\tcp}");
  EXPECT_EQ(parsed("ip6 protochain 6"), "{ip6/-/protochain #6}");
  EXPECT_EQ(parsed("gateway a"), "{-/-/gateway a}");
  EXPECT_EQ(parsed("ether gateway a"), "{ether/-/gateway a}");
  EXPECT_EQ(parsed("wlan addr1 a"), "{wlan/addr1/- a}");
  EXPECT_EQ(parsed("wlan address2 host a"), "{wlan/addr2/host a}");
  EXPECT_EQ(parsed("wlan addr3 a or addr4 b or ra c or ta d"),
            "(or (or (or {wlan/addr3/- a} {-/addr4/- b}) {-/ra/- c}) {-/ta/- d})");
  // Only a protocol may precede `proto`, `protochain` and `gateway`.
  EXPECT_EQ(parsed("dst proto 1"), syntax_error_at(4, 9));
  EXPECT_EQ(parsed("src protochain 1"), syntax_error_at(4, 14));
  EXPECT_EQ(parsed("dst gateway a"), syntax_error_at(4, 11));
  EXPECT_EQ(parsed("host port 80"), syntax_error_at(5, 9));
}

TEST(ParseQualifiers, EveryProtocolKeyword) {
  const char* const protocols[] = {"ether", "fddi", "tr", "wlan", "ppp", "slip", "link", "radio", "ip",
                                   "ip6", "arp", "rarp", "tcp", "udp", "sctp", "icmp", "icmp6", "igmp",
                                   "igrp", "pim", "vrrp", "carp", "ah", "esp", "atalk", "aarp", "decnet",
                                   "lat", "sca", "moprc", "mopdl", "iso", "esis", "isis", "clnp", "stp",
                                   "ipx", "netbeui", "l1", "l2", "iih", "lsp", "snp", "csnp", "psnp"};
  for (const char* word : protocols) {
    EXPECT_EQ(parsed(word), std::string("(proto ") + word + ")");
    EXPECT_EQ(parsed(std::string(word) + " host a"), std::string("{") + word + "/-/host a}");
  }
}

TEST(ParseQualifiers, BareValuesTakeTheLastQualifiers) {
  EXPECT_EQ(parsed("host a or b"), "(or {-/-/host a} ^{-/-/host b})");
  EXPECT_EQ(parsed("host a and b"), "(and {-/-/host a} ^{-/-/host b})");
  EXPECT_EQ(parsed("tcp dst port ftp or ftp-data or domain"),
            "(or (or {tcp/dst/port ftp} ^{tcp/dst/port ftp-data}) ^{tcp/dst/port domain})");
  EXPECT_EQ(parsed("host a or b or net 10 or 11"),
            "(or (or (or {-/-/host a} ^{-/-/host b}) {-/-/net #10}) ^{-/-/net #11})");
  // Every kind of value inherits.
  EXPECT_EQ(parsed("host a or 1.2.3.4 or ::1 or 1:2:3:4:5:6 or $1 or 10 or 10.0.0.0/8"),
            "(or (or (or (or (or (or {-/-/host a} ^{-/-/host ip4(01020304,4)}) "
            "^{-/-/host ip6(00000000000000000000000000000001)}) ^{-/-/host mac(010203040506)}) "
            "^{-/-/host mac8(01)}) ^{-/-/host #10}) ^{-/-/host ip4(0a000000,4)/8})");
}

TEST(ParseQualifiers, NotKeepsTheQualifiers) {
  EXPECT_EQ(parsed("host a and not b"), "(and {-/-/host a} (not ^{-/-/host b}))");
  EXPECT_EQ(parsed("host a and not not b"), "(and {-/-/host a} (not (not ^{-/-/host b})))");
  EXPECT_EQ(parsed("not host a and b"), "(and (not {-/-/host a}) ^{-/-/host b})");
  EXPECT_EQ(parsed("host not a"), "(not {-/-/host a})");
  EXPECT_EQ(parsed("! tcp port 1 or ! 2"), "(or (not {tcp/-/port #1}) (not ^{tcp/-/port #2}))");
}

TEST(ParseQualifiers, TermsWithoutQualifiersLeaveThemUndefined) {
  // libpcap's qerr: gencode later rejects these ("syntax error in filter expression").
  EXPECT_EQ(parsed("tcp and 80"), "(and (proto tcp) ^{?/?/? #80})");
  EXPECT_EQ(parsed("host a and tcp and b"), "(and (and {-/-/host a} (proto tcp)) ^{?/?/? b})");
  EXPECT_EQ(parsed("len > 1 or 2"), "(or (> len 1) ^{?/?/? #2})");
  EXPECT_EQ(parsed("vlan 1 or 2"), "(or (vlan 1) ^{?/?/? #2})");
  EXPECT_EQ(parsed("vpi 1 or 2"), "(or (atm 11 1) ^{?/?/? #2})");
  EXPECT_EQ(parsed("ether broadcast or a"), "(or (broadcast ether) ^{?/?/? a})");
  EXPECT_EQ(parsed("inbound and a"), "(and inbound ^{?/?/? a})");
}

TEST(ParseQualifiers, ParenthesizedExpressionsRestoreTheQualifiersBeforeThem) {
  // After `( ... )` the qualifiers are those in effect before the `(`.
  EXPECT_EQ(parsed("host a and (port 1) or b"), "(or (and {-/-/host a} {-/-/port #1}) ^{-/-/host b})");
  EXPECT_EQ(parsed("(port 1) or b"), "(or {-/-/port #1} ^{?/?/? b})");
  EXPECT_EQ(parsed("tcp and (port 1) or 2"), "(or (and (proto tcp) {-/-/port #1}) ^{?/?/? #2})");
  EXPECT_EQ(parsed("host a and (tcp) or b"), "(or (and {-/-/host a} (proto tcp)) ^{-/-/host b})");
  EXPECT_EQ(parsed("net 10 and ((port 1 and udp)) or 11"),
            "(or (and {-/-/net #10} (and {-/-/port #1} (proto udp))) ^{-/-/net #11})");
  // Inside the parentheses, bare values after a term take that term's qualifiers.
  EXPECT_EQ(parsed("host a and (port 1 or 2)"), "(and {-/-/host a} (or {-/-/port #1} ^{-/-/port #2}))");
  // `not (expr)` is a term too.
  EXPECT_EQ(parsed("host a and not (port 1) or b"),
            "(or (and {-/-/host a} (not {-/-/port #1})) ^{-/-/host b})");
}

TEST(ParseQualifiers, ParenthesizedValueLists) {
  EXPECT_EQ(parsed("host a or (b or c)"), "(or {-/-/host a} (or ^{-/-/host b} ^{-/-/host c}))");
  EXPECT_EQ(parsed("host (a or b)"), "(or {-/-/host a} {-/-/host b})");
  EXPECT_EQ(parsed("host (a or not b and c)"), "(and (or {-/-/host a} (not {-/-/host b})) {-/-/host c})");
  EXPECT_EQ(parsed("tcp port (80 or 443)"), "(or {tcp/-/port #80} {tcp/-/port #443})");
  EXPECT_EQ(parsed("port 1 or (2 or (3))"), "(or {-/-/port #1} (or ^{-/-/port #2} ^{-/-/port #3}))");
  EXPECT_EQ(parsed("port 1 or ((2))"), "(or {-/-/port #1} ^{-/-/port #2})");
  EXPECT_EQ(parsed("host a or (not (b))"), "(or {-/-/host a} (not ^{-/-/host b}))");
  EXPECT_EQ(parsed("host a or (not (b) or c)"), "(or {-/-/host a} (or (not ^{-/-/host b}) ^{-/-/host c}))");
  // A list may not start with a parenthesized list, and may hold only values.
  EXPECT_EQ(parsed("host a or ((b))"), syntax_error_at(12, 13));
  EXPECT_EQ(parsed("host a or ((b) or c)"), syntax_error_at(12, 13));
  EXPECT_EQ(parsed("host a or (b or tcp)"), syntax_error_at(16, 19));
  EXPECT_EQ(parsed("(b)"), syntax_error_at(1, 2));
}

TEST(ParseQualifiers, SpansOfQualifiedValues) {
  Result<ast::Filter> result = parse_filter("tcp dst port 21 or ftp-data");
  ASSERT_TRUE(result.ok());
  const auto& root = std::get<ast::Or>(result->expr->node);
  const auto& first = std::get<ast::Qualified>(root.lhs->node);
  EXPECT_EQ(root.lhs->span, (SourceSpan{0, 15}));
  EXPECT_EQ(first.q.span, (SourceSpan{0, 12}));
  EXPECT_EQ(first.value_span, (SourceSpan{13, 15}));
  EXPECT_FALSE(first.inherited);
  const auto& second = std::get<ast::Qualified>(root.rhs->node);
  EXPECT_EQ(root.rhs->span, (SourceSpan{19, 27}));
  EXPECT_EQ(second.value_span, (SourceSpan{19, 27}));
  EXPECT_TRUE(second.inherited);
  EXPECT_EQ(second.q.span, (SourceSpan{}));
  EXPECT_EQ(result->expr->span, (SourceSpan{0, 27}));
}

}  // namespace
}  // namespace bpfc::parsetest
