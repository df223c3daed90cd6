// Focused checks of sema on hand-built ASTs, so they do not depend on the
// parser: libpcap's messages, the order in which it reports, and the state
// that earlier primitives leave for later ones.
#include <gtest/gtest.h>

#include "bpfc/frontend/sema.h"
#include "bpfc/frontend/resolver.h"

namespace bpfc {
namespace {

using ast::AddrType;
using ast::Dir;
using ast::Proto;

const std::string kFixtures = std::string(BPFC_TEST_DIR) + "/fixtures/names";

ast::ExprPtr expr(ast::Node node, SourceSpan span = {0, 1}) {
  return std::make_unique<ast::Expr>(ast::Expr{std::move(node), span});
}

ast::ExprPtr qualified(Proto proto, Dir dir, AddrType type, ast::Value value, SourceSpan value_span = {2, 3}) {
  ast::Qualified q;
  q.q.proto = proto;
  q.q.dir = dir;
  q.q.type = type;
  q.value = std::move(value);
  q.value_span = value_span;
  return expr(std::move(q), {0, value_span.end});
}

ast::ExprPtr both(ast::ExprPtr lhs, ast::ExprPtr rhs) { return expr(ast::And{std::move(lhs), std::move(rhs)}); }

ast::Name name(std::string text) { return ast::Name{std::move(text), false}; }
ast::Ipv4 ipv4(std::string text) { return ast::Ipv4{0, 4, std::move(text)}; }

ast::Arith number(uint32_t value) { return ast::Arith{ast::ArithNumber{value}, {}}; }
ast::ArithPtr boxed(ast::Arith arith) { return std::make_unique<ast::Arith>(std::move(arith)); }
ast::Arith binary(ast::ArithOp op, ast::Arith lhs, ast::Arith rhs) {
  return ast::Arith{ast::ArithBinary{op, boxed(std::move(lhs)), boxed(std::move(rhs))}, {}};
}
ast::Arith access(Proto proto, ast::Arith index, uint32_t size = 1) {
  return ast::Arith{ast::PacketAccess{proto, ast::LinkWord::None, boxed(std::move(index)), size}, {}};
}
ast::ExprPtr relation(ast::Arith lhs, ast::Arith rhs) {
  return expr(ast::Relation{ast::RelOp::Eq, std::move(lhs), std::move(rhs)});
}

class SemaTest : public ::testing::Test {
 protected:
  std::optional<Diagnostic> check(ast::ExprPtr e, uint32_t linktype = 1, std::optional<uint32_t> netmask = {}) {
    ast::Filter filter{std::move(e), "text"};
    LowerOptions options;
    options.linktype = linktype;
    options.netmask = netmask;
    options.resolver = resolver_.get();
    return check_filter(filter, options);
  }
  std::string message(ast::ExprPtr e, uint32_t linktype = 1, std::optional<uint32_t> netmask = {}) {
    auto diagnostic = check(std::move(e), linktype, netmask);
    return diagnostic ? diagnostic->message : "<accepted>";
  }
  std::unique_ptr<NameResolver> resolver_ = make_file_resolver(kFixtures);
};

constexpr uint32_t kEthernet = 1, kRaw = 12, kPpp = 9, kWlan = 105, kRadiotap = 127, kSll2 = 276, kPflog = 117,
                   kSunAtm = 123, kMtp2 = 140, kArcnet = 7, kA429 = 184;

TEST_F(SemaTest, EmptyFilterAndUnknownLinkType) {
  EXPECT_EQ(message(nullptr), "<accepted>");
  EXPECT_EQ(message(nullptr, 20), "unknown data link type 20");
  EXPECT_EQ(message(expr(ast::Less{5}), 400), "unknown data link type 400");
  EXPECT_EQ(message(expr(ast::Less{5}), 300), "<accepted>");  // libpcap's "matching" range
}

TEST_F(SemaTest, ValueRangesUseLibpcapsWording) {
  EXPECT_EQ(message(expr(ast::Pppoes{65536})), "PPPoE session number 65536 greater than maximum 65535");
  EXPECT_EQ(message(expr(ast::Vlan{4096})), "VLAN tag 4096 greater than maximum 4095");
  EXPECT_EQ(message(expr(ast::Mpls{1048576})), "MPLS label 1048576 greater than maximum 1048575");
  EXPECT_EQ(message(expr(ast::Geneve{123456789})), "Geneve VNI 123456789 greater than maximum 16777215");
  EXPECT_EQ(message(expr(ast::Vxlan{123456789})), "VXLAN VNI 123456789 greater than maximum 16777215");
  EXPECT_EQ(message(qualified(Proto::Ip, Dir::Default, AddrType::Proto, ast::Number{256, "256"})),
            "protocol number 256 greater than maximum 255");
  EXPECT_EQ(message(qualified(Proto::Isis, Dir::Default, AddrType::Proto, ast::Number{32, "32"})),
            "IS-IS PDU type 32 greater than maximum 31");
  EXPECT_EQ(message(qualified(Proto::Link, Dir::Default, AddrType::Proto, ast::Number{65536, "65536"})),
            "EtherType 65536 greater than maximum 65535");
  EXPECT_EQ(message(qualified(Proto::Link, Dir::Default, AddrType::Proto, ast::Number{1500, "1500"})),
            "LLC DSAP 1500 greater than maximum 255");
  EXPECT_EQ(message(qualified(Proto::Default, Dir::Default, AddrType::Port, ast::Number{70000, "70000"})),
            "port number 70000 greater than maximum 65535");
  EXPECT_EQ(message(expr(ast::Byte{ast::ByteOp::Eq, 0, 256})), "byte argument 256 greater than maximum 255");
  EXPECT_EQ(message(expr(ast::Mtp{ast::MtpKeyword::Hsls, {}, 16}), kMtp2), "hsls 16 greater than maximum 15");
  EXPECT_EQ(message(qualified(Proto::Link, Dir::Default, AddrType::Proto, ast::Number{65536, "65536"}), kPpp),
            "PPP protocol 65536 greater than maximum 65535");
}

TEST_F(SemaTest, ErrorsCarryTheSpanOfTheOffendingText) {
  auto diagnostic = check(qualified(Proto::Default, Dir::Default, AddrType::Host, name("host.invalid."), {5, 18}));
  ASSERT_TRUE(diagnostic);
  EXPECT_EQ(diagnostic->message, "unknown host 'host.invalid.'");
  EXPECT_EQ(diagnostic->span, (SourceSpan{5, 18}));
  diagnostic = check(expr(ast::Vlan{4096}, {3, 12}));
  ASSERT_TRUE(diagnostic);
  EXPECT_EQ(diagnostic->span, (SourceSpan{3, 12}));
}

TEST_F(SemaTest, TheFirstErrorInSourceOrderWins) {
  EXPECT_EQ(message(both(expr(ast::Vlan{4096}), expr(ast::Mpls{1048576}))), "VLAN tag 4096 greater than maximum 4095");
  EXPECT_EQ(message(both(expr(ast::Mpls{1048576}), expr(ast::Vlan{4096}))),
            "MPLS label 1048576 greater than maximum 1048575");
}

TEST_F(SemaTest, EncapsulationsChangeTheLinkLayerForWhatFollows) {
  EXPECT_EQ(message(both(expr(ast::Mpls{}), expr(ast::Vlan{}))), "no VLAN match after MPLS");
  EXPECT_EQ(message(both(expr(ast::Vlan{}), expr(ast::Mpls{}))), "<accepted>");
  EXPECT_EQ(message(both(expr(ast::Pppoes{}), expr(ast::Vlan{}))),
            "'vlan' not supported on DLT_PPP (Point-to-Point Protocol)");
  EXPECT_EQ(message(both(expr(ast::Pppoes{}), expr(ast::Mpls{}))), "<accepted>");
  EXPECT_EQ(message(both(expr(ast::Mpls{}), qualified(Proto::Arp, Dir::Default, AddrType::Host, ipv4("1.2.3.4")))),
            "unsupported protocol over mpls");
  EXPECT_EQ(message(both(expr(ast::Mpls{}),
                         qualified(Proto::Default, Dir::Default, AddrType::Gateway, name("host.invalid.")))),
            "'gateway' cannot be used within MPLS");
  EXPECT_EQ(message(both(expr(ast::Vxlan{}),
                         qualified(Proto::Default, Dir::Default, AddrType::Gateway, name("host.invalid.")))),
            "'gateway' cannot be used within VXLAN or Geneve");
  EXPECT_EQ(message(both(expr(ast::Geneve{}),
                         qualified(Proto::Default, Dir::Default, AddrType::Protochain, ast::Number{4, "4"}))),
            "'protochain' not supported with variable length headers");
  // Inside VXLAN the frame is Ethernet, whatever the capture's link type.
  EXPECT_EQ(message(both(expr(ast::Vxlan{}), expr(ast::Vlan{})), kRaw), "<accepted>");
  EXPECT_EQ(message(expr(ast::Vlan{}), kRaw), "'vlan' not supported on DLT_RAW (Raw IPv4/IPv6)");
  // After `lane`, SunATM fields are gone.
  EXPECT_EQ(message(both(expr(ast::Atm{ast::AtmKeyword::Lane, {}, {}}), expr(ast::Atm{ast::AtmKeyword::Vpi, {}, 1})),
                    kSunAtm),
            "'vpi' supported only on SUNATM");
}

TEST_F(SemaTest, HostNamesResolveThroughTheResolver) {
  auto host = [&](Proto proto, const char* text) {
    return message(qualified(proto, Dir::Default, AddrType::Host, name(text)));
  };
  EXPECT_EQ(host(Proto::Default, "noeth-ipv4-noipv6.host123.libpcap.test"), "<accepted>");
  EXPECT_EQ(host(Proto::Default, "NOETH-IPV4-IPV6.HOST123.LIBPCAP.TEST"), "<accepted>");
  EXPECT_EQ(host(Proto::Default, "nosuchhost"), "unknown host 'nosuchhost'");
  EXPECT_EQ(host(Proto::Arp, "noeth-noipv4-ipv6.host123.libpcap.test"),
            "unknown host 'noeth-noipv4-ipv6.host123.libpcap.test' for specified address family");
  EXPECT_EQ(host(Proto::Tcp, "noeth-ipv4-noipv6.host123.libpcap.test"),
            "'tcp' is not a valid qualifier for 'host <Internet hostname>'");
  EXPECT_EQ(host(Proto::Link, "eth-noipv4-noipv6.host123.libpcap.test"), "<accepted>");
  EXPECT_EQ(host(Proto::Link, "noeth-ipv4-noipv6.host123.libpcap.test"),
            "unknown Ethernet-like host 'noeth-ipv4-noipv6.host123.libpcap.test'");
  EXPECT_EQ(message(qualified(Proto::Default, Dir::Default, AddrType::Net, name("net-10-20-0-0.libpcap.test"))),
            "<accepted>");
  EXPECT_EQ(message(qualified(Proto::Default, Dir::Default, AddrType::Net, name("nosuchnet"))),
            "unknown network 'nosuchnet'");
}

TEST_F(SemaTest, GatewayNeedsBothAnEtherAndAnIpv4Address) {
  auto gateway = [&](const char* text, uint32_t linktype = kEthernet) {
    return message(qualified(Proto::Default, Dir::Default, AddrType::Gateway, name(text)), linktype);
  };
  EXPECT_EQ(gateway("eth-ipv4-noipv6.host123.libpcap.test"), "<accepted>");
  EXPECT_EQ(gateway("eth-noipv4-ipv6.host123.libpcap.test"), "unknown host 'eth-noipv4-ipv6.host123.libpcap.test'");
  EXPECT_EQ(gateway("noeth-ipv4-noipv6.host123.libpcap.test"),
            "unknown Ethernet-like host 'noeth-ipv4-noipv6.host123.libpcap.test'");
  EXPECT_EQ(gateway("eth-ipv4-noipv6.host123.libpcap.test", kRaw), "'gateway' not supported on DLT_RAW (Raw IPv4/IPv6)");
  EXPECT_EQ(message(qualified(Proto::Default, Dir::Default, AddrType::Gateway, ast::Number{1, "1"})),
            "'gateway' is not a valid qualifier for '1'");
}

TEST_F(SemaTest, PortNamesFollowTheServicesDatabase) {
  auto port = [&](Proto proto, AddrType type, const char* text) {
    return message(qualified(proto, Dir::Default, type, name(text)));
  };
  EXPECT_EQ(port(Proto::Tcp, AddrType::Port, "smtp"), "<accepted>");
  EXPECT_EQ(port(Proto::Udp, AddrType::Port, "smtp"), "port 'smtp' is tcp");
  EXPECT_EQ(port(Proto::Tcp, AddrType::Port, "bootps"), "port 'bootps' is udp");
  EXPECT_EQ(port(Proto::Sctp, AddrType::Port, "bootps"), "port 'bootps' is udp");
  EXPECT_EQ(port(Proto::Udp, AddrType::Port, "domain"), "<accepted>");
  EXPECT_EQ(port(Proto::Default, AddrType::Port, "nosuchport"), "unknown port 'nosuchport'");
  EXPECT_EQ(port(Proto::Ip, AddrType::Port, "smtp"), "'ip' is not a valid qualifier for 'port'");
  EXPECT_EQ(port(Proto::Default, AddrType::PortRange, "smtp-domain"), "<accepted>");
  EXPECT_EQ(port(Proto::Udp, AddrType::PortRange, "smtp-25"), "<accepted>");  // a number makes it any protocol
  EXPECT_EQ(port(Proto::Udp, AddrType::PortRange, "smtp-smtp"), "port in range 'smtp-smtp' is tcp");
  EXPECT_EQ(port(Proto::Default, AddrType::PortRange, "smtp"), "port range 'smtp' contains no hyphen");
  EXPECT_EQ(port(Proto::Default, AddrType::PortRange, "ftp-data-ssh"),
            "port range 'ftp-data-ssh' contains more than one hyphen");
  EXPECT_EQ(port(Proto::Default, AddrType::PortRange, "-25"), "port range '-25' has no starting port");
  EXPECT_EQ(port(Proto::Default, AddrType::PortRange, "25-"), "port range '25-' has no ending port");
  EXPECT_EQ(port(Proto::Default, AddrType::PortRange, "nosuch-25"), "'nosuch' is not a valid port");
  EXPECT_EQ(port(Proto::Default, AddrType::PortRange, "1-70000"), "port number 70000 greater than maximum 65535");
  EXPECT_EQ(port(Proto::Default, AddrType::PortRange, "1-4294967296"),
            "decimal number 4294967296 overflows 32 bits");
  EXPECT_EQ(message(qualified(Proto::Default, Dir::Addr1, AddrType::Port, ast::Number{25, "25"})),
            "'addr1' is not a valid qualifier for 'port'");
}

TEST_F(SemaTest, ProtocolNamesDependOnTheQualifier) {
  auto proto = [&](Proto qualifier, AddrType type, const char* text) {
    return message(qualified(qualifier, Dir::Default, type, name(text)));
  };
  EXPECT_EQ(proto(Proto::Ip, AddrType::Proto, "tcp"), "<accepted>");
  EXPECT_EQ(proto(Proto::Default, AddrType::Proto, "nosuch"), "unknown 'proto' value 'nosuch'");
  EXPECT_EQ(proto(Proto::Tcp, AddrType::Proto, "udp"), "unknown 'tcp proto' value 'udp'");
  EXPECT_EQ(proto(Proto::Link, AddrType::Proto, "ip6"), "<accepted>");
  EXPECT_EQ(proto(Proto::Link, AddrType::Proto, "stp"), "<accepted>");
  EXPECT_EQ(proto(Proto::Iso, AddrType::Proto, "isis"), "<accepted>");
  EXPECT_EQ(proto(Proto::Ip6, AddrType::Protochain, "nosuchprotocol"),
            "unknown 'ip6 protochain' value 'nosuchprotocol'");
  EXPECT_EQ(proto(Proto::Decnet, AddrType::Protochain, "tcp"), "'decnet' is not a valid qualifier for 'protochain'");
}

TEST_F(SemaTest, AddressesAndNetworks) {
  auto check4 = [&](Proto proto, AddrType type, ast::Value value) {
    return message(qualified(proto, Dir::Default, type, std::move(value)));
  };
  EXPECT_EQ(check4(Proto::Default, AddrType::Host, ipv4("12.500")), "invalid IPv4 address '12.500'");
  EXPECT_EQ(check4(Proto::Aarp, AddrType::Host, ipv4("1.2.3.4")),
            "'aarp' is not a valid qualifier for 'host <IPv4 address>'");
  EXPECT_EQ(check4(Proto::Default, AddrType::Port, ipv4("1.2.3.4")), "'port' qualifier applied to IPv4 address");
  EXPECT_EQ(check4(Proto::Link, AddrType::Host, ipv4("1.2.3.4")), "illegal link-layer address '1.2.3.4'");
  EXPECT_EQ(check4(Proto::Default, AddrType::Net, ast::NetPrefix{ipv4("10.0.0.1"), 8}),
            "non-network bits set in \"10.0.0.1/8\"");
  EXPECT_EQ(check4(Proto::Default, AddrType::Net, ast::NetPrefix{ipv4("10.0.0.0"), 33}),
            "netmask length 33 greater than maximum 32");
  EXPECT_EQ(check4(Proto::Default, AddrType::Net, ast::NetPrefix{ipv4("10"), 8}), "<accepted>");
  EXPECT_EQ(check4(Proto::Default, AddrType::Host, ast::NetPrefix{ipv4("10.0.0.0"), 8}),
            "'host' is not a valid qualifier for '10.0.0.0/8'");
  EXPECT_EQ(check4(Proto::Default, AddrType::Net, ast::NetMask{ipv4("10.1.0.0"), ipv4("255.0.0.0")}),
            "non-network bits set in \"10.1.0.0 mask 255.0.0.0\"");
  ast::Ipv6 fe80{{0xfe, 0x80}, "fe80::"};
  EXPECT_EQ(check4(Proto::Default, AddrType::Net, ast::NetPrefix{fe80, 129}), "mask length must be <= 128");
  EXPECT_EQ(check4(Proto::Default, AddrType::Net, ast::NetPrefix{fe80, 8}), "non-network bits set in \"fe80::/8\"");
  EXPECT_EQ(check4(Proto::Default, AddrType::Host, ast::NetPrefix{fe80, 16}),
            "'host' is not a valid qualifier for 'fe80::/16'");
  EXPECT_EQ(check4(Proto::Arp, AddrType::Host, fe80), "'arp' is not a valid qualifier for 'host <IPv6 address>'");
  EXPECT_EQ(check4(Proto::Default, AddrType::Proto, ast::NetPrefix{fe80, 16}),
            "'proto' qualifier applied to IPv6 address and prefix length");
  EXPECT_EQ(check4(Proto::Decnet, AddrType::Host, ipv4("1.2")), "<accepted>");
  EXPECT_EQ(check4(Proto::Decnet, AddrType::Host, ipv4("64.120")), "invalid DECnet address '64.120'");
  EXPECT_EQ(check4(Proto::Decnet, AddrType::Host, ast::Number{10, "10"}), "invalid DECnet address '10'");
}

TEST_F(SemaTest, LinkLayerAddresses) {
  ast::Mac mac{{0xa, 0xb, 0xc, 0xd, 0xe, 0xf}, "a:b:c:d:e:f"};
  EXPECT_EQ(message(qualified(Proto::Link, Dir::Default, AddrType::Host, mac)), "<accepted>");
  EXPECT_EQ(message(qualified(Proto::Ip, Dir::Default, AddrType::Host, mac)),
            "Ethernet address used in non-ether expression");
  EXPECT_EQ(message(qualified(Proto::Link, Dir::Ra, AddrType::Host, mac)), "'ra' is valid for 802.11 syntax only");
  EXPECT_EQ(message(qualified(Proto::Link, Dir::Ra, AddrType::Host, mac), kWlan), "<accepted>");
  EXPECT_EQ(message(qualified(Proto::Link, Dir::Default, AddrType::Host, mac), kA429),
            "'link host XX:XX:XX:XX:XX:XX' not supported on DLT_A429 (Arinc 429)");
  ast::Mac8 mac8{0x21, "$21"};
  EXPECT_EQ(message(qualified(Proto::Link, Dir::Default, AddrType::Host, mac8), kArcnet), "<accepted>");
  EXPECT_EQ(message(qualified(Proto::Link, Dir::Default, AddrType::Host, mac8)),
            "'link host $XX' not supported on DLT_EN10MB (Ethernet)");
  EXPECT_EQ(message(qualified(Proto::Tcp, Dir::Default, AddrType::Host, mac8)),
            "'link' is the only valid proto qualifier for 'host $XX'");
  EXPECT_EQ(message(qualified(Proto::Link, Dir::Default, AddrType::Net, mac8)),
            "'net' is not a valid qualifier for '$XX'");
  EXPECT_EQ(message(qualified(Proto::Default, Dir::Addr1, AddrType::Host, ipv4("1.2.3.4"))),
            "'addr1' is valid for 802.11 syntax only");
}

TEST_F(SemaTest, UndefinedQualifiersAreLibpcapsSyntaxError) {
  EXPECT_EQ(message(qualified(Proto::Undef, Dir::Undef, AddrType::Undef, ast::Number{80, "80"})),
            "syntax error in filter expression");
  EXPECT_EQ(message(qualified(Proto::Undef, Dir::Undef, AddrType::Undef, name("foo"))),
            "syntax error in filter expression");
}

TEST_F(SemaTest, LinkTypeFeatures) {
  EXPECT_EQ(message(expr(ast::Inbound{})), "not a live capture, 'inbound' not supported on DLT_EN10MB (Ethernet)");
  EXPECT_EQ(message(expr(ast::Outbound{}), kSll2), "<accepted>");
  EXPECT_EQ(message(expr(ast::Ifindex{1}), kSll2), "<accepted>");
  EXPECT_EQ(message(expr(ast::Ifindex{1})), "not a live capture, 'ifindex' not supported on DLT_EN10MB (Ethernet)");
  ast::Filter live{expr(ast::Inbound{}), "inbound"};
  LowerOptions options;
  options.resolver = resolver_.get();
  options.context = CompileContext::Linux;  // a live Linux capture reads the kernel's packet metadata
  EXPECT_EQ(check_filter(live, options), std::nullopt);
  EXPECT_EQ(message(expr(ast::Broadcast{Proto::Ip, ast::LinkWord::None})),
            "netmask not known, so 'ip broadcast' not supported");
  EXPECT_EQ(message(expr(ast::Broadcast{Proto::Ip, ast::LinkWord::None}), kEthernet, 0xffffff00u), "<accepted>");
  EXPECT_EQ(message(expr(ast::Broadcast{Proto::Ip, ast::LinkWord::None}), kEthernet, 0xffffffffu),
            "netmask not known, so 'ip broadcast' not supported");
  EXPECT_EQ(message(expr(ast::Broadcast{Proto::Tcp, ast::LinkWord::None})),
            "'tcp' is not a valid qualifier for 'broadcast'");
  EXPECT_EQ(message(expr(ast::Multicast{Proto::Default, ast::LinkWord::None}), kRaw),
            "'multicast' not supported on DLT_RAW (Raw IPv4/IPv6)");
  EXPECT_EQ(message(expr(ast::ProtoOnly{{Proto::Ip, {}, {}, {}, {}}}), kA429),
            "link-layer type filtering not implemented for DLT_A429 (Arinc 429)");
  EXPECT_EQ(message(expr(ast::Mtp{ast::MtpKeyword::Fisu, {}, {}})), "'fisu' supported only on SS7");
  EXPECT_EQ(message(expr(ast::Pflog{ast::PflogField::Reason, "congestion", {}})),
            "'reason' supported only on PFLOG linktype");
  EXPECT_EQ(message(expr(ast::Pflog{ast::PflogField::Reason, "invalid", {}})), "unknown PF reason \"invalid\"");
  EXPECT_EQ(message(expr(ast::Pflog{ast::PflogField::Ifname, "0123456789abcdef", {}}), kPflog),
            "ifname interface names can only be 15 characters");
  EXPECT_EQ(message(expr(ast::Llc{"xyz"})), "unknown LLC type name \"xyz\"");
  EXPECT_EQ(message(expr(ast::Llc{"rnr"})), "<accepted>");
  EXPECT_EQ(message(expr(ast::Llc{}), kRaw), "'llc' not supported on DLT_RAW (Raw IPv4/IPv6)");
}

TEST_F(SemaTest, Wlan80211Fields) {
  using F = ast::WlanField;
  EXPECT_EQ(message(expr(ast::Wlan{F::Type, uint32_t{16}, {}}), kWlan), "invalid 802.11 type value 0x10");
  EXPECT_EQ(message(expr(ast::Wlan{F::Type, std::string("bogus"), {}}), kWlan),
            "unknown 802.11 type name \"bogus\"");
  EXPECT_EQ(message(expr(ast::Wlan{F::Type, std::string("mgt"), std::string("beacon")}), kWlan), "<accepted>");
  EXPECT_EQ(message(expr(ast::Wlan{F::Type, std::string("ctl"), std::string("beacon")}), kWlan),
            "unknown 802.11 subtype name \"beacon\"");
  EXPECT_EQ(message(expr(ast::Wlan{F::Type, uint32_t{12}, std::string("beacon")}), kWlan), "unknown 802.11 type");
  EXPECT_EQ(message(expr(ast::Wlan{F::Subtype, std::string("bogus"), {}}), kWlan), "unknown 802.11 type name");
  EXPECT_EQ(message(expr(ast::Wlan{F::Dir, uint32_t{4}, {}}), kWlan), "invalid 802.11 direction value 0x4");
  EXPECT_EQ(message(expr(ast::Wlan{F::Dir, std::string("abc"), {}}), kWlan), "unknown 802.11 direction");
  EXPECT_EQ(message(expr(ast::Wlan{F::Dir, std::string("FromDS"), {}}), kRadiotap), "<accepted>");
  EXPECT_EQ(message(expr(ast::Wlan{F::Dir, std::string("fromds"), {}})), "'dir' not supported on DLT_EN10MB (Ethernet)");
}

TEST_F(SemaTest, ArithmeticChecks) {
  using Op = ast::ArithOp;
  auto len = [] { return ast::Arith{ast::ArithLen{}, {}}; };
  EXPECT_EQ(message(relation(binary(Op::Div, len(), number(0)), number(1))), "division by zero");
  EXPECT_EQ(message(relation(binary(Op::Mod, len(), number(0)), number(1))), "modulus by zero");
  EXPECT_EQ(message(relation(binary(Op::Shl, len(), number(32)), number(1))), "shift by more than 31 bits");
  EXPECT_EQ(message(relation(binary(Op::Shl, len(), number(31)), number(1))), "<accepted>");
  // libpcap looks at the first instruction of the divisor only.
  EXPECT_EQ(message(relation(binary(Op::Div, len(), binary(Op::Add, number(0), number(1))), number(1))),
            "division by zero");
  EXPECT_EQ(message(relation(binary(Op::Div, len(), access(Proto::Link, number(0))), number(1))), "division by zero");
  EXPECT_EQ(message(relation(binary(Op::Div, len(), binary(Op::Add, number(1), number(0))), number(1))),
            "<accepted>");
  EXPECT_EQ(message(relation(access(Proto::Link, number(0), 3), number(1))), "data size must be 1, 2, or 4");
  EXPECT_EQ(message(relation(access(Proto::Radio, number(0)), number(1))), "radio information not present in capture");
  EXPECT_EQ(message(relation(access(Proto::Radio, number(0)), number(1)), kRadiotap), "<accepted>");
  EXPECT_EQ(message(relation(access(Proto::Stp, number(0)), number(1))), "'stp' does not support the index operation");
  EXPECT_EQ(message(relation(access(Proto::Tcp, number(0)), number(1)), kA429),
            "link-layer type filtering not implemented for DLT_A429 (Arinc 429)");
}

TEST_F(SemaTest, ScratchRegistersRunOut) {
  // 1 + (1 + (1 + ...)) keeps every left operand in a register.
  ast::Arith deep = number(1);
  for (int i = 0; i < 16; ++i) deep = binary(ast::ArithOp::Add, number(1), std::move(deep));
  EXPECT_EQ(message(relation(std::move(deep), number(1))), "too many registers needed to evaluate expression");
  ast::Arith shallow = number(1);
  for (int i = 0; i < 15; ++i) shallow = binary(ast::ArithOp::Add, number(1), std::move(shallow));
  EXPECT_EQ(message(relation(std::move(shallow), number(1))), "<accepted>");
}

TEST_F(SemaTest, TunnelsAndProtochainsHoldRegistersForGood) {
  // Each Geneve/VXLAN keeps three offsets in registers; libpcap fails at the sixth.
  auto tunnels = [](int count) {
    ast::ExprPtr chain = expr(ast::Geneve{});
    for (int i = 1; i < count; ++i) chain = both(std::move(chain), expr(ast::Vxlan{}));
    return chain;
  };
  EXPECT_EQ(message(tunnels(5)), "<accepted>");
  EXPECT_EQ(message(tunnels(6)), "too many registers needed to evaluate expression");
  // `protochain N` without a protocol qualifier leaks one register in libpcap.
  auto protochains = [](int count) {
    auto one = [] { return qualified(Proto::Default, Dir::Default, AddrType::Protochain, ast::Number{6, "6"}); };
    ast::ExprPtr chain = one();
    for (int i = 1; i < count; ++i) chain = both(std::move(chain), one());
    return chain;
  };
  EXPECT_EQ(message(protochains(15)), "<accepted>");
  EXPECT_EQ(message(protochains(16)), "too many registers needed to evaluate expression");
}

}  // namespace
}  // namespace bpfc
