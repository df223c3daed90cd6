// Targeted tests of the lowering: results on specific packets (including
// the truncated-packet behaviour libpcap's load order and optimizer give),
// the shape of the IR, and the diagnostics for what is not supported.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bpfc/frontend/parse.h"
#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/verifier.h"
#include "lower_test_support.h"

namespace bpfc::lowertest {
namespace {

constexpr uint32_t kSnap = 262144;

Bytes ethernet_tcp(uint16_t dport, size_t total = 60) {
  Bytes p = {0x00,
             0x11,
             0x22,
             0x33,
             0x44,
             0x55,
             0xaa,
             0x00,
             0x04,
             0x00,
             0x14,
             0x0e,
             0x08,
             0x00,
             0x45,
             0x00,
             0x00,
             0x28,
             0x12,
             0x34,
             0x40,
             0x00,
             0x40,
             0x06,
             0x00,
             0x00,
             0x0a,
             0x00,
             0x00,
             0x01,
             0x7f,
             0x00,
             0x00,
             0x01,
             0x30,
             0x39,
             static_cast<uint8_t>(dport >> 8),
             static_cast<uint8_t>(dport),
             0,
             0,
             0,
             1,
             0,
             0,
             0,
             0,
             0x50,
             0x02,
             0x02,
             0x00,
             0,
             0,
             0,
             0};
  p.resize(total, 0);
  return p;
}

uint32_t run(const ir::Function& f, const Bytes& packet) {
  return ir::interpret(f, packet, static_cast<uint32_t>(packet.size()));
}

ir::Function lowered(int dlt, const std::string& expr, uint32_t snaplen = kSnap) {
  Result<ir::Function> r = bpfc_lower(dlt, expr, snaplen);
  EXPECT_TRUE(r.ok()) << expr << ": " << (r.ok() ? "" : r.error().message);
  if (!r.ok()) return {};
  EXPECT_EQ(ir::verify(*r), std::nullopt) << expr;
  return std::move(*r);
}

size_t count_ops(const ir::Function& f, ir::Op op) {
  size_t n = 0;
  for (const ir::Block& b : f.blocks) {
    for (ir::ValueId v : b.insts) n += f.value(v).op == op;
  }
  return n;
}

TEST(LowerUnit, EmptyFilterAcceptsEverythingWithTheSnapLength) {
  Result<ast::Filter> ast = parse_filter("");
  ASSERT_TRUE(ast.ok());
  LowerOptions options;
  options.snaplen = 1234;
  options.resolver = &test_resolver();
  Result<ir::Function> f = lower_filter(*ast, options);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(run(*f, {}), 1234u);
  EXPECT_EQ(count_ops(*f, ir::Op::Load), 0u);
}

TEST(LowerUnit, AcceptReturnsTheSnapLength) {
  ir::Function f = lowered(1, "tcp dst port 80", 96);
  EXPECT_EQ(run(f, ethernet_tcp(80)), 96u);
  EXPECT_EQ(run(f, ethernet_tcp(81)), 0u);
}

TEST(LowerUnit, ALoadPastTheCaptureEndsTheFilter) {
  // tcp[100] lies beyond a 60-byte frame: the filter returns 0 whether or
  // not the comparison is negated.
  ir::Function f = lowered(1, "not tcp[100] = 1");
  EXPECT_EQ(run(f, ethernet_tcp(80)), 0u);
  EXPECT_EQ(run(f, ethernet_tcp(80, 200)), kSnap);
  // Truncated inside the TCP header: the port test itself fails to load.
  ir::Function port = lowered(1, "not tcp dst port 80");
  const Bytes full = ethernet_tcp(80);
  EXPECT_EQ(run(port, Bytes(full.begin(), full.begin() + 36)), 0u);
}

TEST(LowerUnit, LoadsLibpcapsOptimizerDropsAreDropped) {
  // `x * 0 = 0` needs no load of x in libpcap's optimized program, so a
  // packet too short for x still matches.
  ir::Function f = lowered(1, "ether[100] * 0 = 0");
  EXPECT_EQ(run(f, ethernet_tcp(80)), kSnap);
  EXPECT_EQ(count_ops(f, ir::Op::Load), 0u);
  // `tcp[100] = 1 or tcp` is just `tcp` after jump threading.
  ir::Function g = lowered(1, "tcp[100] = 1 or tcp");
  EXPECT_EQ(run(g, ethernet_tcp(80)), kSnap);
}

TEST(LowerUnit, RejectingEverythingIsAnError) {
  // Not `link[0:2] & 0xFFFFFFFF == 0`: libpcap 1.10.3 refuses it only
  // because it takes `jset #0xffffffff` as always true (fixed by libpcap
  // PR #1698, and in bpfc; test/regress checks it).
  for (const char* expr : {"ip and not ip", "1 = 2"}) {
    Result<ir::Function> r = bpfc_lower(1, expr);
    ASSERT_FALSE(r.ok()) << expr;
    EXPECT_EQ(r.error().message, "expression rejects all packets") << expr;
  }
}

TEST(LowerUnit, ConstantDivisionByZeroIsAnError) {
  Result<ir::Function> r = bpfc_lower(1, "ether[0] / (1 - 1) = 0");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "division by zero");
  Result<ir::Function> m = bpfc_lower(1, "ether[0] % (2 - 2) = 0");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message, "modulus by zero");
}

TEST(LowerUnit, TheIrIsAcyclicAndTopological) {
  for (const char* expr : {"ip6 protochain 17", "geneve and tcp", "vxlan and ip", "vlan and mpls and ip",
                           "pppoes and ip6 and udp port 53"}) {
    Result<ir::Function> r = bpfc_lower(1, expr);
    ASSERT_TRUE(r.ok()) << expr;
    EXPECT_EQ(ir::verify(*r), std::nullopt) << expr;
    for (ir::BlockId b = 0; b < r->blocks.size(); ++b) {
      for (ir::BlockId s : ir::successors(r->blocks[b])) EXPECT_GT(s, b) << expr;
    }
  }
}

TEST(LowerUnit, GeneveOffsetsMeetInAPhi) {
  // With and without an inner Ethernet header the payload starts at
  // different places: the offset is a phi where the paths meet.
  ir::Function f = lowered(1, "geneve and ip");
  EXPECT_GT(count_ops(f, ir::Op::Phi), 0u);
}

Bytes vxlan_frame(uint32_t vni, uint16_t inner_type, uint8_t flags = 0x08) {
  Bytes outer = {0x00,
                 0x11,
                 0x22,
                 0x33,
                 0x44,
                 0x55,
                 0xaa,
                 0x00,
                 0x04,
                 0x00,
                 0x14,
                 0x0e,
                 0x08,
                 0x00,
                 0x45,
                 0x00,
                 0x00,
                 0x5a,
                 0x00,
                 0x01,
                 0x40,
                 0x00,
                 0x40,
                 0x11,
                 0x00,
                 0x00,
                 0x0a,
                 0x00,
                 0x00,
                 0x01,
                 0x0a,
                 0x00,
                 0x00,
                 0x02,
                 0x30,
                 0x39,
                 0x12,
                 0xb5,
                 0x00,
                 0x46,
                 0x00,
                 0x00,
                 flags,
                 0,
                 0,
                 0,
                 static_cast<uint8_t>(vni >> 16),
                 static_cast<uint8_t>(vni >> 8),
                 static_cast<uint8_t>(vni),
                 0};
  Bytes inner = {0x02,
                 0,
                 0,
                 0,
                 0,
                 1,
                 0x02,
                 0,
                 0,
                 0,
                 0,
                 2,
                 static_cast<uint8_t>(inner_type >> 8),
                 static_cast<uint8_t>(inner_type),
                 0x45,
                 0,
                 0,
                 0x1c,
                 0,
                 0,
                 0,
                 0,
                 64,
                 17,
                 0,
                 0,
                 1,
                 2,
                 3,
                 4,
                 5,
                 6,
                 7,
                 8,
                 0,
                 53,
                 0,
                 53,
                 0,
                 8,
                 0,
                 0};
  outer.insert(outer.end(), inner.begin(), inner.end());
  return outer;
}

TEST(LowerUnit, VxlanLooksInsideTheTunnel) {
  ir::Function any = lowered(1, "vxlan");
  ir::Function vni = lowered(1, "vxlan 0x123456 and ip and udp port 53");
  ir::Function inner_host = lowered(1, "vxlan and src host 1.2.3.4");
  EXPECT_EQ(run(any, vxlan_frame(0x123456, 0x0800)), kSnap);
  EXPECT_EQ(run(any, vxlan_frame(0x123456, 0x0800, 0x0c)), 0u);  // wrong flags
  EXPECT_EQ(run(vni, vxlan_frame(0x123456, 0x0800)), kSnap);
  EXPECT_EQ(run(vni, vxlan_frame(0x123457, 0x0800)), 0u);
  EXPECT_EQ(run(vni, vxlan_frame(0x123456, 0x86dd)), 0u);
  EXPECT_EQ(run(inner_host, vxlan_frame(1, 0x0800)), kSnap);
  EXPECT_EQ(run(any, ethernet_tcp(4789)), 0u);
}

TEST(LowerUnit, EncapsulationShiftsEverythingAfterIt) {
  // libpcap's rule: after `vlan`, later tests look 4 bytes further, even
  // across `or` — so `vlan or ip` never matches untagged IP.
  ir::Function f = lowered(1, "vlan or ip");
  EXPECT_EQ(run(f, ethernet_tcp(80)), 0u);
  Bytes tagged = ethernet_tcp(80, 64);
  tagged.insert(tagged.begin() + 12, {0x81, 0x00, 0x00, 0x64});
  tagged.resize(64);
  EXPECT_EQ(run(f, tagged), kSnap);
}

TEST(LowerUnit, UnmodelledLinkTypesAreAnInternalErrorNamingTheConstruct) {
  // The semantic checks refuse `ip` on DLT_USER0 in libpcap's words; the
  // lowering alone (unchecked) reports its own inconsistency, with the span.
  Result<ir::Function> r = bpfc_lower_unchecked(147, "len > 10 and ip");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "internal error: 'ip' needs a model of the link-layer header of DLT_USER0 (Private use 0), and bpfc's "
            "code generator has none (please report this)");
  ASSERT_TRUE(r.error().span.has_value());
  EXPECT_EQ(r.error().span->begin, 13u);
  EXPECT_EQ(r.error().span->end, 15u);
  // What needs no link-layer knowledge still works there.
  Result<ir::Function> len = bpfc_lower_unchecked(147, "len > 10 and link[0] = 1");
  EXPECT_TRUE(len.ok());
  // Juniper's service PICs are modelled: the magic number, as libpcap.
  EXPECT_TRUE(bpfc_lower_unchecked(132, "ip").ok());
}

TEST(LowerUnit, KernelMetadataConstructsOutsideALiveCaptureAreRefusedInLibpcapsWords) {
  Result<ir::Function> r = bpfc_lower_unchecked(1, "ifindex 3");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "not a live capture, 'ifindex' not supported on DLT_EN10MB (Ethernet)");
  Result<ir::Function> in = bpfc_lower_unchecked(1, "tcp and inbound");
  ASSERT_FALSE(in.ok());
  EXPECT_EQ(in.error().message, "not a live capture, 'inbound' not supported on DLT_EN10MB (Ethernet)");
}

TEST(LowerUnit, LibpcapErrorsAtCodeGenerationTime) {
  struct Case {
    int dlt;
    const char* expr;
    const char* message;
  };
  const std::vector<Case> cases = {
      {1, "mpls and arp", "unsupported protocol over mpls"},
      {1, "mpls and vlan", "no VLAN match after MPLS"},
      {113, "vlan", "no VLAN support for Linux cooked v1"},
      {12, "ether broadcast", "not a broadcast link"},
      {1, "geneve and ip6 protochain 17", "'protochain' not supported with variable length headers"},
      {1, "vlan 5000", "VLAN tag 5000 greater than maximum 4095"},
      {1, "mpls 1048576", "MPLS label 1048576 greater than maximum 1048575"},
      {1, "tcp[0:3] = 1", "data size must be 1, 2, or 4"},
      {1, "ether[0] / 0 = 1", "division by zero"},
      {1, "ether[0] << 32 = 1", "shift by more than 31 bits"},
  };
  for (const Case& c : cases) {
    Result<ir::Function> r = bpfc_lower_unchecked(c.dlt, c.expr);
    ASSERT_FALSE(r.ok()) << c.expr;
    EXPECT_EQ(r.error().message, c.message) << c.expr;
    PcapProgram ref = pcap_compile_filter(c.dlt, c.expr);
    ASSERT_FALSE(ref.ok()) << c.expr;
    EXPECT_EQ(ref.error, c.message) << c.expr;
  }
}

TEST(LowerUnit, ANullResolverIsRefused) {
  Result<ast::Filter> ast = parse_filter("ip");
  ASSERT_TRUE(ast.ok());
  LowerOptions options;
  Result<ir::Function> r = lower_filter(*ast, options);
  EXPECT_FALSE(r.ok());
}

TEST(LowerUnit, NullLinkTypeComparesTheFamilyInHostByteOrder) {
  ir::Function f = lowered(0, "ip6");
  // Linux AF_INET6 = 10, stored little-endian by a little-endian capturer.
  Bytes v6 = {10, 0, 0, 0, 0x60, 0, 0, 0};
  Bytes be = {0, 0, 0, 10, 0x60, 0, 0, 0};
  EXPECT_EQ(run(f, v6), kSnap);
  EXPECT_EQ(run(f, be), 0u);
}

TEST(LowerUnit, ProtochainFollowsExtensionHeaders) {
  ir::Function f = lowered(12, "ip6 protochain 17");
  // IPv6: hop-by-hop -> fragment -> UDP.
  Bytes p = {0x60, 0, 0, 0, 0, 24, 0, 64};
  p.resize(40, 0);
  Bytes hop = {44, 0, 0, 0, 0, 0, 0, 0};
  Bytes frag = {17, 0, 0, 0, 0, 0, 0, 7};
  Bytes udp = {0, 53, 0, 53, 0, 8, 0, 0};
  p.insert(p.end(), hop.begin(), hop.end());
  p.insert(p.end(), frag.begin(), frag.end());
  p.insert(p.end(), udp.begin(), udp.end());
  EXPECT_EQ(run(f, p), kSnap);
  Bytes other = p;
  other[48] = 6;  // the fragment header now announces TCP
  EXPECT_EQ(run(f, other), 0u);
}

// An 802.11 QoS data frame to the distribution system (addr1 BSSID, addr2
// source, addr3 destination) carrying SNAP + a minimal IPv4/TCP header.
Bytes wlan_qos_data_to_ds(size_t pad) {
  Bytes p = {0x88, 0x01, 0x00, 0x00};
  const Bytes bssid = {0x02, 0, 0, 0, 0, 0x01}, src = {0x02, 0, 0, 0, 0, 0x02}, dst = {0x02, 0, 0, 0, 0, 0x03};
  p.insert(p.end(), bssid.begin(), bssid.end());
  p.insert(p.end(), src.begin(), src.end());
  p.insert(p.end(), dst.begin(), dst.end());
  p.insert(p.end(), {0x10, 0x00, 0x00, 0x00});  // sequence control, QoS control
  p.insert(p.end(), pad, 0x00);
  p.insert(p.end(), {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00});
  Bytes ip(40, 0);
  ip[0] = 0x45;
  ip[9] = 6;
  p.insert(p.end(), ip.begin(), ip.end());
  return p;
}

TEST(LowerUnit, Wlan80211PayloadFollowsTheQosFieldAndRadiotapPadding) {
  // Bare 802.11: the QoS field makes the header 26 bytes.
  ir::Function tcp = lowered(105, "tcp");
  EXPECT_EQ(run(tcp, wlan_qos_data_to_ds(0)), kSnap);
  Bytes not_qos = wlan_qos_data_to_ds(0);
  not_qos[0] = 0x08;  // plain data: the payload would start 2 bytes earlier
  EXPECT_EQ(run(tcp, not_qos), 0u);
  // Radiotap of 9 bytes announcing data padding: 9 + 26 rounds up to 36.
  ir::Function radiotap_tcp = lowered(127, "tcp");
  Bytes radiotap = {0x00, 0x00, 0x09, 0x00, 0x02, 0x00, 0x00, 0x00, 0x20};
  Bytes padded = radiotap;
  const Bytes frame = wlan_qos_data_to_ds(1);
  padded.insert(padded.end(), frame.begin(), frame.end());
  EXPECT_EQ(run(radiotap_tcp, padded), kSnap);
  padded[8] = 0x00;  // no padding announced: the pad byte is read as LLC
  EXPECT_EQ(run(radiotap_tcp, padded), 0u);
}

TEST(LowerUnit, Wlan80211AddressesFollowTheDirectionBits) {
  const Bytes frame = wlan_qos_data_to_ds(0);
  // To the DS: the source is addr2, the destination addr3, the receiver addr1.
  EXPECT_EQ(run(lowered(105, "wlan src 02:00:00:00:00:02"), frame), kSnap);
  EXPECT_EQ(run(lowered(105, "wlan dst 02:00:00:00:00:03"), frame), kSnap);
  EXPECT_EQ(run(lowered(105, "wlan dst 02:00:00:00:00:01"), frame), 0u);
  EXPECT_EQ(run(lowered(105, "wlan ra 02:00:00:00:00:01 and dir tods and subtype qos-data"), frame), kSnap);
  // Behind an AVS header (its length at offset 4, here 64) the same frame.
  Bytes avs = {0x80, 0x21, 0x10, 0x01, 0x00, 0x00, 0x00, 0x40};
  avs.resize(64);
  avs.insert(avs.end(), frame.begin(), frame.end());
  EXPECT_EQ(run(lowered(119, "wlan src 02:00:00:00:00:02 and tcp"), avs), kSnap);  // Prism DLT, AVS cookie
  EXPECT_EQ(run(lowered(163, "wlan src 02:00:00:00:00:02 and tcp"), avs), kSnap);
}

}  // namespace
}  // namespace bpfc::lowertest
