// How the parser classifies words, following libpcap's scanner: keywords vs
// names vs numbers vs addresses, the number forms and their errors, every
// address form.
#include <gtest/gtest.h>

#include "parse_test_support.h"

namespace bpfc::parsetest {
namespace {

// The value a `host X` primitive carries, rendered.
std::string host_value(const std::string& word) {
  Result<ast::Filter> result = parse_filter("host " + word);
  if (!result) return "error: " + result.error().message;
  const auto* q = std::get_if<ast::Qualified>(&result->expr->node);
  return q ? render(q->value) : "not a primitive";
}

std::string port_value(const std::string& word) {
  Result<ast::Filter> result = parse_filter("port " + word);
  if (!result) return "error: " + result.error().message;
  return render(std::get<ast::Qualified>(result->expr->node).value);
}

TEST(ParseTokens, NumbersInEveryBase) {
  EXPECT_EQ(port_value("80"), "#80");
  EXPECT_EQ(port_value("0x50"), "#80");
  EXPECT_EQ(port_value("0X50"), "#80");
  EXPECT_EQ(port_value("0120"), "#80");
  EXPECT_EQ(port_value("0"), "#0");
  EXPECT_EQ(port_value("00"), "#0");
  EXPECT_EQ(port_value("4294967295"), "#4294967295");
  EXPECT_EQ(port_value("0xffffffff"), "#4294967295");
  EXPECT_EQ(port_value("0037777777777"), "#4294967295");
  // Twelve digits are a MAC address before they are a number (as in libpcap).
  EXPECT_EQ(port_value("037777777777"), "mac(037777777777)");
}

TEST(ParseTokens, NumberErrorsUseTheScannerWording) {
  EXPECT_EQ(parsed("4294967296"), "error: decimal number 4294967296 overflows 32 bits @0-10");
  EXPECT_EQ(parsed("0x100000000"), "error: hexadecimal number 0x100000000 overflows 32 bits @0-11");
  EXPECT_EQ(parsed("0X100000000"), "error: hexadecimal number 0X100000000 overflows 32 bits @0-11");
  EXPECT_EQ(parsed("0040000000000"), "error: octal number 0040000000000 overflows 32 bits @0-13");
  EXPECT_EQ(parsed("09"), "error: number 09 contains non-octal digit @0-2");
  // The first problem from the left wins.
  EXPECT_EQ(parsed("0037777777778"), "error: number 0037777777778 contains non-octal digit @0-13");
  EXPECT_EQ(parsed("003777777777778"), "error: octal number 003777777777778 overflows 32 bits @0-15");
  EXPECT_EQ(parsed("port 99999999999"), "error: decimal number 99999999999 overflows 32 bits @5-16");
}

TEST(ParseTokens, ScannerErrorsOnlyCountWhereTheParserGetsTo) {
  // libpcap stops at the syntax error before it reads the bad number.
  EXPECT_EQ(parsed("tcp tcp 09"), syntax_error_at(4, 7));
  EXPECT_EQ(parsed("tcp 09"), "error: number 09 contains non-octal digit @4-6");
}

TEST(ParseTokens, NamedConstantsAreNumbers) {
  EXPECT_EQ(parsed("icmp[icmptype] = icmp-echo"), "(= icmp[0:1] 8)");
  EXPECT_EQ(parsed("icmp[icmpcode] = icmp-maskreply"), "(= icmp[1:1] 18)");
  EXPECT_EQ(parsed("icmp6[icmp6type] = icmp6-echoreply"), "(= icmp6[0:1] 129)");
  EXPECT_EQ(parsed("icmp6[icmp6code] != icmp6-multicastrouterterm"), "(!= icmp6[1:1] 153)");
  EXPECT_EQ(parsed("tcp[tcpflags] & tcp-cwr != 0"), "(!= (& tcp[13:1] 128) 0)");
  // Every one of them.
  const std::pair<const char*, uint32_t> constants[] = {
      {"icmp-echoreply", 0}, {"icmp-unreach", 3}, {"icmp-sourcequench", 4}, {"icmp-redirect", 5},
      {"icmp-echo", 8}, {"icmp-routeradvert", 9}, {"icmp-routersolicit", 10}, {"icmp-timxceed", 11},
      {"icmp-paramprob", 12}, {"icmp-tstamp", 13}, {"icmp-tstampreply", 14}, {"icmp-ireq", 15},
      {"icmp-ireqreply", 16}, {"icmp-maskreq", 17}, {"icmp-maskreply", 18},
      {"icmp6-destinationunreach", 1}, {"icmp6-packettoobig", 2}, {"icmp6-timeexceeded", 3},
      {"icmp6-parameterproblem", 4}, {"icmp6-echo", 128}, {"icmp6-echoreply", 129},
      {"icmp6-multicastlistenerquery", 130}, {"icmp6-multicastlistenerreportv1", 131},
      {"icmp6-multicastlistenerdone", 132}, {"icmp6-routersolicit", 133}, {"icmp6-routeradvert", 134},
      {"icmp6-neighborsolicit", 135}, {"icmp6-neighboradvert", 136}, {"icmp6-redirect", 137},
      {"icmp6-routerrenum", 138}, {"icmp6-nodeinformationquery", 139},
      {"icmp6-nodeinformationresponse", 140}, {"icmp6-ineighbordiscoverysolicit", 141},
      {"icmp6-ineighbordiscoveryadvert", 142}, {"icmp6-multicastlistenerreportv2", 143},
      {"icmp6-homeagentdiscoveryrequest", 144}, {"icmp6-homeagentdiscoveryreply", 145},
      {"icmp6-mobileprefixsolicit", 146}, {"icmp6-mobileprefixadvert", 147},
      {"icmp6-certpathsolicit", 148}, {"icmp6-certpathadvert", 149},
      {"icmp6-multicastrouteradvert", 151}, {"icmp6-multicastroutersolicit", 152},
      {"icmp6-multicastrouterterm", 153}, {"tcpflags", 13}, {"tcp-fin", 1}, {"tcp-syn", 2},
      {"tcp-rst", 4}, {"tcp-push", 8}, {"tcp-ack", 16}, {"tcp-urg", 32}, {"tcp-ece", 64},
      {"tcp-cwr", 128}, {"icmptype", 0}, {"icmpcode", 1}, {"icmp6type", 0}, {"icmp6code", 1},
  };
  for (const auto& [word, value] : constants) {
    EXPECT_EQ(parsed(std::string("len = ") + word), "(= len " + std::to_string(value) + ")") << word;
  }
  // A longer word is a name again.
  EXPECT_EQ(port_value("tcp-synx"), "tcp-synx");
}

TEST(ParseTokens, KeywordsAreCaseSensitive) {
  EXPECT_EQ(parsed("tcp"), "(proto tcp)");
  EXPECT_EQ(parsed("TCP"), syntax_error_at(0, 3));  // a bare name
  EXPECT_EQ(parsed("port TCP"), "{-/-/port TCP}");
}

TEST(ParseTokens, NamesMayContainDashDotUnderscore) {
  EXPECT_EQ(host_value("eth-noipv4.host123.libpcap.test"), "eth-noipv4.host123.libpcap.test");
  EXPECT_EQ(host_value("a_b"), "a_b");
  EXPECT_EQ(host_value("host.invalid."), "host.invalid.");  // may end with a dot
  EXPECT_EQ(port_value("ftp-data"), "ftp-data");
  EXPECT_EQ(port_value("1-2"), "1-2");  // portrange-style ranges are names
  EXPECT_EQ(parsed("portrange 1-1023"), "{-/-/portrange 1-1023}");
  // A name cannot end with '-' or '_': the rest lexes separately.
  EXPECT_EQ(parsed("port a-"), syntax_error_at(6, 7));
  // Keywords inside longer words are names; `es-is` is a keyword with a dash.
  EXPECT_EQ(host_value("tcpdump"), "tcpdump");
  EXPECT_EQ(parsed("es-is"), "(proto esis)");
  EXPECT_EQ(parsed("is-is"), "(proto isis)");
}

TEST(ParseTokens, EscapedNames) {
  EXPECT_EQ(parsed("ip proto \\tcp"), "{ip/-/proto \\tcp}");
  EXPECT_EQ(parsed("port \\ftp-data"), "{-/-/port \\ftp-data}");
  // A backslash escapes everything up to a blank, '!' or a parenthesis.
  EXPECT_EQ(parsed("(host \\a.b$c)"), "{-/-/host \\a.b$c}");
}

TEST(ParseTokens, Ipv4InAllForms) {
  EXPECT_EQ(host_value("10.1.2.3"), "ip4(0a010203,4)");
  EXPECT_EQ(host_value("10.1.2"), "ip4(000a0102,3)");
  EXPECT_EQ(host_value("10.1"), "ip4(00000a01,2)");
  EXPECT_EQ(host_value("10"), "#10");  // one component is a number
  EXPECT_EQ(host_value("12.500"), "ip4(00000000,0)");  // sema's "invalid IPv4 address"
  EXPECT_EQ(host_value("256.256.256.256"), "ip4(00000000,0)");
  EXPECT_EQ(host_value("0x1.2"), "ip4(00000000,0)");   // atoin reads components as decimal
  // Five components are a name (the longest match is ID).
  EXPECT_EQ(host_value("1.2.3.4.5"), "1.2.3.4.5");
}

TEST(ParseTokens, Ipv4Networks) {
  EXPECT_EQ(parsed("net 10.0.0.0/8"), "{-/-/net ip4(0a000000,4)/8}");
  EXPECT_EQ(parsed("net 10.1/16"), "{-/-/net ip4(00000a01,2)/16}");
  EXPECT_EQ(parsed("net 10.0.0.0 mask 255.0.0.0"), "{-/-/net ip4(0a000000,4) mask ip4(ff000000,4)}");
  EXPECT_EQ(parsed("net 10 mask 255"), syntax_error_at(7, 11));
  EXPECT_EQ(parsed("net 10/8"), syntax_error_at(6, 7));
}

TEST(ParseTokens, Ipv6) {
  EXPECT_EQ(host_value("::"), "ip6(00000000000000000000000000000000)");
  EXPECT_EQ(host_value("::1"), "ip6(00000000000000000000000000000001)");
  EXPECT_EQ(host_value("fe80::1"), "ip6(fe800000000000000000000000000001)");
  EXPECT_EQ(host_value("1:2:3:4:5:6:7:8"), "ip6(00010002000300040005000600070008)");
  EXPECT_EQ(host_value("1::"), "ip6(00010000000000000000000000000000)");
  EXPECT_EQ(host_value("::ffff:1.2.3.4"), "ip6(00000000000000000000ffff01020304)");
  EXPECT_EQ(host_value("1:2:3:4:5:6:1.2.3.4"), "ip6(00010002000300040005000601020304)");
  EXPECT_EQ(parsed("net fe80::/10"), "{-/-/net ip6(fe800000000000000000000000000000)/10}");
  EXPECT_EQ(parsed("ip6 host fe80::10.20.30.256"), "error: invalid IPv6 address fe80::10.20.30.256 @9-27");
  // Nine groups: eight make an address, then a stray ':'.
  EXPECT_EQ(parsed("ip6 host fe80:0:0:0:0:0:0:0:0"), syntax_error_at(27, 28));
}

TEST(ParseTokens, MacAddressesInEveryForm) {
  const std::string expected = "mac(0a0b0c0d0e0f)";
  EXPECT_EQ(host_value("0a:0b:0c:0d:0e:0f"), expected);
  EXPECT_EQ(host_value("a:b:c:d:e:f"), expected);
  EXPECT_EQ(host_value("0a-0b-0c-0d-0e-0f"), expected);
  EXPECT_EQ(host_value("a-b-c-d-e-f"), expected);
  EXPECT_EQ(host_value("0a.0b.0c.0d.0e.0f"), expected);
  EXPECT_EQ(host_value("a.b.c.d.e.f"), expected);
  EXPECT_EQ(host_value("0a0b.0c0d.0e0f"), expected);
  EXPECT_EQ(host_value("0a0b0c0d0e0f"), expected);
  EXPECT_EQ(host_value("0A:0B:0C:0D:0E:0F"), expected);
  // Six one-digit components that are all digits: a MAC address, not a name.
  EXPECT_EQ(host_value("1.2.3.4.5.6"), "mac(010203040506)");
  // Twelve decimal digits are a MAC address too, as in the scanner.
  EXPECT_EQ(host_value("123456789012"), "mac(123456789012)");
  EXPECT_EQ(parsed("ether host 1:2:3:"), "error: invalid Ethernet address 1:2:3: @11-17");
  EXPECT_EQ(parsed("ether host 1::2::"), "error: invalid Ethernet address 1::2:: @11-17");
}

TEST(ParseTokens, ArcnetAddresses) {
  EXPECT_EQ(parsed("link host $25"), "{link/-/host mac8(25)}");
  EXPECT_EQ(parsed("link host $f"), "{link/-/host mac8(0f)}");
  EXPECT_EQ(parsed("link host $"), syntax_error_at(10, 11));
  EXPECT_EQ(parsed("link host $x"), syntax_error_at(10, 11));
  EXPECT_EQ(parsed("link host $123"), syntax_error_at(13, 14));
}

TEST(ParseTokens, StrayCharactersAreSyntaxErrors) {
  EXPECT_EQ(parsed("tcp @"), syntax_error_at(4, 5));
  EXPECT_EQ(parsed("tcp ;"), syntax_error_at(4, 5));
  EXPECT_EQ(parsed("tcp \x01"), syntax_error_at(4, 5));
  EXPECT_EQ(parsed("tcp \xc3\xa9"), syntax_error_at(4, 5));  // UTF-8 is not special
  EXPECT_EQ(parsed(std::string("tcp \0", 5)), syntax_error_at(4, 5));
  EXPECT_EQ(parsed("host a\xff"), syntax_error_at(6, 7));
}

TEST(ParseTokens, WhitespaceAndEmptyFilters) {
  EXPECT_EQ(parsed(""), "<empty>");
  EXPECT_EQ(parsed(" \t\r\n"), "<empty>");
  EXPECT_EQ(parsed("\ttcp\n"), "(proto tcp)");
}

TEST(ParseTokens, OperatorSpellings) {
  EXPECT_EQ(parsed("tcp && udp || !icmp"), "(or (and (proto tcp) (proto udp)) (not (proto icmp)))");
  EXPECT_EQ(parsed("len == 1"), "(= len 1)");
  EXPECT_EQ(parsed("length = 1"), "(= len 1)");
  EXPECT_EQ(parsed("len<=1"), "(<= len 1)");
  EXPECT_EQ(parsed("len!=1"), "(!= len 1)");
  EXPECT_EQ(parsed("len<<1>>2=0"), "(= (>> (<< len 1) 2) 0)");
  // `len-1` is one word, a name, as in libpcap.
  EXPECT_EQ(parsed("len-1 > 0"), syntax_error_at(0, 5));
}

}  // namespace
}  // namespace bpfc::parsetest
