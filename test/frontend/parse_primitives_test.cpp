// The keyword primitives of pcap-filter(7) and the AST each one yields.
#include <gtest/gtest.h>

#include "parse_test_support.h"

namespace bpfc::parsetest {
namespace {

TEST(ParsePrimitives, LengthAndByte) {
  EXPECT_EQ(parsed("less 100"), "(less 100)");
  EXPECT_EQ(parsed("greater 0x10"), "(greater 16)");
  EXPECT_EQ(parsed("less (100)"), syntax_error_at(5, 6));  // a plain number only
  EXPECT_EQ(parsed("byte 8 = 5"), "(byte 8 = 5)");
  EXPECT_EQ(parsed("byte 8 == 5"), "(byte 8 = 5)");
  EXPECT_EQ(parsed("byte 8 < 5 or byte 8 > 5"), "(or (byte 8 < 5) (byte 8 > 5))");
  EXPECT_EQ(parsed("byte 1 & 2 and byte 1 | 2"), "(and (byte 1 & 2) (byte 1 | 2))");
  EXPECT_EQ(parsed("byte 1 != 2"), syntax_error_at(7, 9));
  EXPECT_EQ(parsed("byte 1 <= 2"), syntax_error_at(7, 9));
  EXPECT_EQ(parsed("byte 1 & 256"), "(byte 1 & 256)");  // sema's range check
}

TEST(ParsePrimitives, BroadcastAndMulticast) {
  EXPECT_EQ(parsed("broadcast"), "(broadcast -)");
  EXPECT_EQ(parsed("ether broadcast"), "(broadcast ether)");
  EXPECT_EQ(parsed("ip broadcast"), "(broadcast ip)");
  EXPECT_EQ(parsed("multicast"), "(multicast -)");
  EXPECT_EQ(parsed("ip6 multicast"), "(multicast ip6)");
  EXPECT_EQ(parsed("fddi multicast"), "(multicast fddi)");
  EXPECT_EQ(parsed("src broadcast"), syntax_error_at(4, 13));
}

TEST(ParsePrimitives, DirectionAndInterface) {
  EXPECT_EQ(parsed("inbound"), "inbound");
  EXPECT_EQ(parsed("outbound"), "outbound");
  EXPECT_EQ(parsed("ifindex 2"), "(ifindex 2)");
  EXPECT_EQ(parsed("ifindex"), syntax_error_at(7, 7));
}

TEST(ParsePrimitives, Encapsulations) {
  EXPECT_EQ(parsed("vlan"), "(vlan)");
  EXPECT_EQ(parsed("vlan 100"), "(vlan 100)");
  EXPECT_EQ(parsed("vlan (100)"), "(vlan 100)");
  EXPECT_EQ(parsed("vlan and vlan 2"), "(and (vlan) (vlan 2))");
  EXPECT_EQ(parsed("vlan any"), syntax_error_at(5, 8));
  EXPECT_EQ(parsed("mpls"), "(mpls)");
  EXPECT_EQ(parsed("mpls 1048575"), "(mpls 1048575)");
  EXPECT_EQ(parsed("pppoed"), "pppoed");
  EXPECT_EQ(parsed("pppoed 1234"), syntax_error_at(7, 11));
  EXPECT_EQ(parsed("pppoes"), "(pppoes)");
  EXPECT_EQ(parsed("pppoes 0x1234"), "(pppoes 4660)");
  EXPECT_EQ(parsed("geneve"), "(geneve)");
  EXPECT_EQ(parsed("geneve 5"), "(geneve 5)");
  EXPECT_EQ(parsed("vxlan"), "(vxlan)");
  EXPECT_EQ(parsed("vxlan 5"), "(vxlan 5)");
  EXPECT_EQ(parsed("vxlan invalid"), syntax_error_at(6, 13));
}

TEST(ParsePrimitives, Llc) {
  EXPECT_EQ(parsed("llc"), "(llc)");
  for (const char* word : {"i", "s", "u", "rr", "rej", "ui", "ua", "disc", "dm", "sabme", "test", "xid", "frmr"}) {
    EXPECT_EQ(parsed(std::string("llc ") + word), std::string("(llc ") + word + ")");
  }
  // `rnr` (also `rulenum`) is a pflog keyword that libpcap's grammar accepts here.
  EXPECT_EQ(parsed("llc rnr"), "(llc rnr)");
  EXPECT_EQ(parsed("llc rulenum"), "(llc rnr)");
  EXPECT_EQ(parsed("llc bogus"), "(llc bogus)");  // sema: "unknown LLC type name"
  EXPECT_EQ(parsed("llc 1"), syntax_error_at(4, 5));
}

TEST(ParsePrimitives, Pflog) {
  EXPECT_EQ(parsed("on eth0"), "(pflog ifname eth0)");
  EXPECT_EQ(parsed("ifname testname1"), "(pflog ifname testname1)");
  EXPECT_EQ(parsed("rset r"), "(pflog ruleset r)");
  EXPECT_EQ(parsed("ruleset r"), "(pflog ruleset r)");
  EXPECT_EQ(parsed("rnr 5"), "(pflog rulenum 5 #5)");
  EXPECT_EQ(parsed("rulenum 0x10"), "(pflog rulenum 0x10 #16)");
  EXPECT_EQ(parsed("srnr 1"), "(pflog subrulenum 1 #1)");
  EXPECT_EQ(parsed("subrulenum 1"), "(pflog subrulenum 1 #1)");
  EXPECT_EQ(parsed("reason match"), "(pflog reason match)");
  EXPECT_EQ(parsed("reason 3"), "(pflog reason 3 #3)");
  EXPECT_EQ(parsed("reason bad-offset"), "(pflog reason bad-offset)");
  EXPECT_EQ(parsed("action pass"), "(pflog action pass)");
  EXPECT_EQ(parsed("action synproxy-drop"), "(pflog action synproxy-drop)");
  EXPECT_EQ(parsed("action 1"), syntax_error_at(7, 8));
  EXPECT_EQ(parsed("on 1"), syntax_error_at(3, 4));
  EXPECT_EQ(parsed("rnr x"), syntax_error_at(4, 5));
}

TEST(ParsePrimitives, Wlan) {
  EXPECT_EQ(parsed("type mgt"), "(wlan type mgt)");
  EXPECT_EQ(parsed("type 0"), "(wlan type #0)");
  EXPECT_EQ(parsed("wlan type data"), "(wlan type data)");  // a protocol before is allowed and ignored
  EXPECT_EQ(parsed("type mgt subtype beacon"), "(wlan type mgt subtype beacon)");
  EXPECT_EQ(parsed("type 0 subtype 0x80"), "(wlan type #0 subtype #128)");
  EXPECT_EQ(parsed("subtype probe-req"), "(wlan subtype probe-req)");
  EXPECT_EQ(parsed("subtype 1"), syntax_error_at(8, 9));
  EXPECT_EQ(parsed("dir tods"), "(wlan dir tods)");
  EXPECT_EQ(parsed("direction 3"), "(wlan dir #3)");
}

TEST(ParsePrimitives, Atm) {
  // AtmKeyword: Lane=0 Oamf4ec Oamf4sc Oamf4 Oam Metac Bcc Sc Ilmic Connectmsg Metaconnect Vpi Vci.
  EXPECT_EQ(parsed("lane"), "(atm 0)");
  EXPECT_EQ(parsed("oamf4ec"), "(atm 1)");
  EXPECT_EQ(parsed("oamf4sc"), "(atm 2)");
  EXPECT_EQ(parsed("oamf4"), "(atm 3)");
  EXPECT_EQ(parsed("oam"), "(atm 4)");
  EXPECT_EQ(parsed("metac"), "(atm 5)");
  EXPECT_EQ(parsed("bcc"), "(atm 6)");
  EXPECT_EQ(parsed("sc"), "(atm 7)");
  EXPECT_EQ(parsed("ilmic"), "(atm 8)");
  EXPECT_EQ(parsed("connectmsg"), "(atm 9)");
  EXPECT_EQ(parsed("metaconnect"), "(atm 10)");
  EXPECT_EQ(parsed("vpi 1"), "(atm 11 1)");
  EXPECT_EQ(parsed("vci > 32"), "(atm 12 > 32)");
  EXPECT_EQ(parsed("vci <= 32"), "(atm 12 <= 32)");
  EXPECT_EQ(parsed("vpi (1 or 2 or 3)"), "(or (or (atm 11 1) (atm 11 2)) (atm 11 3))");
  EXPECT_EQ(parsed("vpi (1 and 2)"), syntax_error_at(7, 10));
  EXPECT_EQ(parsed("vpi"), syntax_error_at(3, 3));
}

TEST(ParsePrimitives, Mtp) {
  // MtpKeyword: Fisu=0 Lssu Msu Hfisu Hlssu Hmsu Sio Opc Dpc Sls Hsio Hopc Hdpc Hsls.
  EXPECT_EQ(parsed("fisu"), "(mtp 0)");
  EXPECT_EQ(parsed("lssu"), "(mtp 1)");
  EXPECT_EQ(parsed("lsu"), "(mtp 1)");
  EXPECT_EQ(parsed("msu"), "(mtp 2)");
  EXPECT_EQ(parsed("hfisu"), "(mtp 3)");
  EXPECT_EQ(parsed("hlssu"), "(mtp 4)");
  EXPECT_EQ(parsed("hmsu"), "(mtp 5)");
  EXPECT_EQ(parsed("sio 3"), "(mtp 6 3)");
  EXPECT_EQ(parsed("opc != 0x607"), "(mtp 7 != 1543)");
  EXPECT_EQ(parsed("dpc >= 1"), "(mtp 8 >= 1)");
  EXPECT_EQ(parsed("sls < 1"), "(mtp 9 < 1)");
  EXPECT_EQ(parsed("hsio (0x42 or 0x43)"), "(or (mtp 10 66) (mtp 10 67))");
  EXPECT_EQ(parsed("hopc = 1"), "(mtp 11 = 1)");
  EXPECT_EQ(parsed("hdpc == 1"), "(mtp 12 = 1)");
  EXPECT_EQ(parsed("hsls > 1"), "(mtp 13 > 1)");
}

TEST(ParsePrimitives, SpansOfKeywordPrimitives) {
  Result<ast::Filter> result = parse_filter("  vlan 100 and vpi (1 or 2)");
  ASSERT_TRUE(result.ok());
  const auto& root = std::get<ast::And>(result->expr->node);
  EXPECT_EQ(root.lhs->span, (SourceSpan{2, 10}));
  const auto& list = std::get<ast::Or>(root.rhs->node);
  EXPECT_EQ(list.lhs->span, (SourceSpan{20, 21}));
  EXPECT_EQ(list.rhs->span, (SourceSpan{25, 26}));
  EXPECT_EQ(result->expr->span, (SourceSpan{2, 26}));
}

}  // namespace
}  // namespace bpfc::parsetest
