// Regression tests for the miscompiles reported against libpcap's optimizer
// (issue 4 item 6, "no known miscompile"). Each test compiles the reported
// expression with bpfc at -O0, -O1 and -O2, runs it on hand-built packets the
// bug got wrong, asserts the right verdict, compares with libpcap 1.10.3 where
// 1.10.3 is right, and asks Z3 whether bpfc -O2 ≡ bpfc -O0.
#include <gtest/gtest.h>

#include "bpfc/cbpf/format.h"
#include "issue_checks.h"
#include "packet_builder.h"
#include "redundant_reload.h"
#include "regress_support.h"

namespace bpfc::regress {
namespace {

constexpr uint8_t kTcp = 6, kUdp = 17;

Bytes ipv4_udp_from(Ipv4 src, uint16_t src_port) {
  return ethernet(kEthertypeIpv4, ipv4(kUdp, src, {192, 0, 2, 1}, udp(src_port, 53, Bytes(8, 0))));
}

Bytes arp_from(Ipv4 sender) { return ethernet(kEthertypeArp, arp_request(sender, {192, 0, 2, 1})); }

// A VXLAN packet over IPv4/UDP port 4789 carrying an inner Ethernet frame of
// type `inner_ethertype`.
Bytes vxlan_over_ipv4(uint16_t inner_ethertype, const Bytes& inner_payload) {
  const Bytes inner = ethernet(inner_ethertype, inner_payload);
  return ethernet(kEthertypeIpv4,
                  ipv4(kUdp, {5, 5, 5, 5}, {6, 6, 6, 6}, udp(49152, kVxlanPort, vxlan(18, inner))));
}

Bytes vxlan_over_ipv6(uint16_t inner_ethertype, const Bytes& inner_payload) {
  const Bytes inner = ethernet(inner_ethertype, inner_payload);
  return ethernet(kEthertypeIpv6, ipv6(kUdp, udp(49152, kVxlanPort, vxlan(18, inner))));
}

Bytes inner_ipv4_tcp() { return ipv4(kTcp, {10, 1, 2, 3}, {10, 1, 2, 4}, tcp_ack(80, 80)); }

// libpcap #430: an out-of-bounds load in the first operand of `or` ends the
// filter (reject) at optimize=0, while optimize=1 drops that load and lets the
// second operand accept. This is the libpcap -O/-O0 difference on truncated
// packets that bpfc reproduces on purpose (bpfc -O0 = libpcap optimize=0,
// bpfc -O1/-O2 = libpcap optimize=1), so 1.10.3 is the oracle at both levels
// and -O2 ≢ -O0 exactly as libpcap's two programs differ.
TEST(LibpcapIssue430, OutOfBoundsLoadBeforeOrFollowsLibpcapPerLevel) {
  Probe truncated_ack = probe("the 66-byte TCP ACK (tcp[100] is past its end)", tcp_ack_66_bytes(), true);
  truncated_ack.accept_unoptimized = false;
  Bytes long_tcp = ethernet(kEthertypeIpv4, ipv4(kTcp, {10, 0, 0, 1}, {10, 0, 0, 2}, tcp_ack(1, 2)));
  long_tcp.resize(160, 0);  // tcp[100] (byte 134) is captured and 0 < ether[1]
  const std::vector<Probe> probes = {
      truncated_ack,
      probe("a 160-byte TCP packet (tcp[100] captured)", long_tcp, true),
      probe("an ARP request", arp_from({10, 0, 0, 1}), false),
  };
  expect_right_verdicts("ether[1] > tcp[100] or ip", probes, Oracle::Right, Oracle::Right);
  expect_levels_differ_as_libpcap_does("ether[1] > tcp[100] or ip");
}

// The other #430 reproducers: the same per-level behaviour on the 66-byte ACK.
TEST(LibpcapIssue430, ThreadVariantsFollowLibpcapPerLevel) {
  for (const char* expr : {"ether[1] > tcp[100] or 1 == 1", "ether[1] > tcp[100] or 3 >= 1",
                           "ether[1] > tcp[100] or ip or tcp"}) {
    SCOPED_TRACE(expr);
    Probe truncated_ack = probe("the 66-byte TCP ACK", tcp_ack_66_bytes(), true);
    truncated_ack.accept_unoptimized = false;
    expect_right_verdicts(expr, {truncated_ack}, Oracle::Right, Oracle::Right);
    expect_levels_differ_as_libpcap_does(expr);
  }
}

// libpcap #434: `len >= 0x80000000 & 0x80000000 or len < 0 | 0x80000000` is
// true for every length, but libpcap's optimizer turned the second compare
// into `jge x` with X never set (X = 0), so optimize=1 rejects every packet
// shorter than 2 GiB. 1.10.3 still has the bug at optimize=1 (optimize=0 is
// right): bpfc must accept at every level.
TEST(LibpcapIssue434, LengthCompareAgainstMaskedConstantAcceptsEveryPacket) {
  const std::string expr = "len >= 2147483648 & 2147483648 or len < 0 | 2147483648";
  const std::vector<Probe> probes = {
      probe("the 66-byte TCP ACK", tcp_ack_66_bytes(), true),
      probe("a 66-byte capture of a 2 GiB packet", tcp_ack_66_bytes(), true, 0x80000000u),
      probe("a 66-byte capture of a 4 GiB - 1 packet", tcp_ack_66_bytes(), true, 0xffffffffu),
      probe("an empty capture of a 1-byte packet", {}, true, 1),
  };
  expect_right_verdicts(expr, probes, Oracle::Right, Oracle::Wrong);
  expect_optimized_equals_unoptimized(expr);
}

// #434's second reproducer (from the thread): `len <= 0xffffffff & 0x7fffffff
// and len > 0x7fffffff + 0` can never hold, but optimize=1 (1.10.3 included)
// accepts every packet with 0 < len <= 0x7fffffff. bpfc must reject all.
TEST(LibpcapIssue434, ContradictoryLengthRangeRejectsEveryPacket) {
  const std::string expr = "len <= 4294967295 & 2147483647 and len > 2147483647 + 0";
  const std::vector<Probe> probes = {
      probe("the 66-byte TCP ACK", tcp_ack_66_bytes(), false),
      probe("a capture of a 0x7fffffff-byte packet", tcp_ack_66_bytes(), false, 0x7fffffffu),
      probe("a capture of a 0x80000000-byte packet", tcp_ack_66_bytes(), false, 0x80000000u),
  };
  expect_right_verdicts(expr, probes, Oracle::Right, Oracle::Wrong);
  expect_optimized_equals_unoptimized(expr);
}

// libpcap #1513: for `ether proto 0x8892 or (vlan and ether proto 0x8892)`,
// libpcap's or_pullup() moved the VLAN offset adjustment onto the path where
// the Linux VLAN-tag-present extension said "no tag in the packet", so the
// optimized kernel filter read the EtherType at byte 16 instead of 12 (false
// matches). bpfc's userspace EN10MB target uses no extension; there libpcap
// 1.10.3 is right at both levels, and the probes include the false-positive
// packet of the issue (an untagged frame with 0x8892 at bytes 16-17).
TEST(LibpcapIssue1513, VlanOrUntaggedEthertypeUsesTheRightOffset) {
  const std::string expr = "ether proto 0x8892 or (vlan and ether proto 0x8892)";
  Bytes decoy = ethernet(kEthertypeIpv4, ipv4(kUdp, {10, 0, 0, 1}, {10, 0, 0, 2}, udp(1, 2, Bytes(8, 0))));
  decoy[16] = 0x88;
  decoy[17] = 0x92;
  const std::vector<Probe> probes = {
      probe("an untagged 0x8892 frame", ethernet(kEthertypeProfinet, Bytes(40, 0)), true),
      probe("an 802.1Q-tagged 0x8892 frame", ethernet_vlan(kEthertypeVlan, 7, kEthertypeProfinet, Bytes(40, 0)), true),
      probe("an 802.1ad-tagged 0x8892 frame", ethernet_vlan(0x88a8, 7, kEthertypeProfinet, Bytes(40, 0)), true),
      probe("an untagged IPv4 frame with 0x8892 at bytes 16-17", decoy, false),
      probe("an 802.1Q-tagged IPv4 frame", ethernet_vlan(kEthertypeVlan, 7, kEthertypeIpv4, Bytes(40, 0)), false),
  };
  expect_right_verdicts(expr, probes, Oracle::Right, Oracle::Right);
  expect_optimized_equals_unoptimized(expr);
}

// libpcap #1670 (and #1726, the same bug for `vxlan and ip`): libpcap's
// optimizer dropped a scratch-memory store that still held the offset of the
// inner frame, so the optimized `vxlan and arp` read the inner EtherType at a
// wrong offset and missed ARP inside VXLAN (libpcap master now disables its
// optimizer for vxlan). libpcap 1.10.3 has no `vxlan` keyword, so there is no
// oracle: bpfc must match the encapsulated protocol at every level.
TEST(LibpcapIssue1670, VxlanAndArpMatchesTheInnerFrame) {
  const Bytes inner_arp = arp_request({10, 1, 2, 3}, {10, 1, 2, 4});
  const std::vector<Probe> probes = {
      probe("ARP in VXLAN over IPv4", vxlan_over_ipv4(kEthertypeArp, inner_arp), true),
      probe("ARP in VXLAN over IPv6", vxlan_over_ipv6(kEthertypeArp, inner_arp), true),
      probe("IPv4 in VXLAN over IPv4", vxlan_over_ipv4(kEthertypeIpv4, inner_ipv4_tcp()), false),
      probe("a plain ARP request", arp_from({10, 1, 2, 3}), false),
  };
  expect_right_verdicts("vxlan and arp", probes, Oracle::Unavailable, Oracle::Unavailable);
  expect_optimized_equals_unoptimized("vxlan and arp");
}

TEST(LibpcapIssue1670, VxlanAndIpMatchesTheInnerFrame) {
  const std::vector<Probe> probes = {
      probe("IPv4 in VXLAN over IPv4", vxlan_over_ipv4(kEthertypeIpv4, inner_ipv4_tcp()), true),
      probe("IPv4 in VXLAN over IPv6", vxlan_over_ipv6(kEthertypeIpv4, inner_ipv4_tcp()), true),
      probe("ARP in VXLAN over IPv4", vxlan_over_ipv4(kEthertypeArp, arp_request({10, 1, 2, 3}, {10, 1, 2, 4})),
            false),
      probe("a plain IPv4 UDP packet", ipv4_udp_from({10, 1, 2, 3}, 4789), false),
  };
  expect_right_verdicts("vxlan and ip", probes, Oracle::Unavailable, Oracle::Unavailable);
  expect_optimized_equals_unoptimized("vxlan and ip");
}

// libpcap #1699: value numbering gave `1/2` and `1/3` (both 0) one value
// number and rewrote a later compare of two equal-valued operands into a
// register-against-itself test, so `1/2=1/3&&1>4/5&&1>6/7` (true for every
// packet) became "reject everything" at optimize=1. 1.10.3 has the bug
// (optimize=0 is right): bpfc must accept every packet, even an empty one.
TEST(LibpcapIssue1699, EqualConstantSubexpressionsDoNotCollapseTheCompare) {
  const std::string expr = "1/2=1/3&&1>4/5&&1>6/7";
  const std::vector<Probe> probes = {
      probe("the 66-byte TCP ACK", tcp_ack_66_bytes(), true),
      probe("an empty capture", {}, true, 60),
  };
  expect_right_verdicts(expr, probes, Oracle::Right, Oracle::Wrong);
  expect_optimized_equals_unoptimized(expr);
}

// libpcap's `jset #0xffffffff` bug (fixed on master by PR #1698, backported
// to 1.10 by PR #1742): the optimizer took `jset #0xffffffff` ("A != 0") as
// always true, so `link[0:1] & 0xffffffff != 0` accepted every packet and its
// negation was refused as "expression rejects all packets". 1.10.3 has the
// bug at optimize=1: bpfc must test the byte at every level.
TEST(LibpcapJsetAllOnes, NonZeroTestKeepsTheCompare) {
  for (const char* expr : {"link[0:1] & 0xffffffff != 0", "link[0:2] & 0xffffffff != 0",
                           "link[0:4] & 0xffffffff != 0"}) {
    SCOPED_TRACE(expr);
    Bytes zero_start = tcp_ack_66_bytes();
    std::fill(zero_start.begin(), zero_start.begin() + 4, 0);
    Bytes nonzero_start = tcp_ack_66_bytes();
    nonzero_start[0] = 0x02;
    const std::vector<Probe> probes = {
        probe("a frame whose first 4 bytes are 0", zero_start, false),
        probe("a frame starting with 0x02", nonzero_start, true),
    };
    expect_right_verdicts(expr, probes, Oracle::Right, Oracle::Wrong);
    expect_optimized_equals_unoptimized(expr);
  }
}

TEST(LibpcapJsetAllOnes, ZeroTestCompilesAndKeepsTheCompare) {
  const std::string expr = "link[0:1] & 0xffffffff == 0";
  Bytes zero_start = tcp_ack_66_bytes();
  zero_start[0] = 0;
  Bytes nonzero_start = tcp_ack_66_bytes();
  nonzero_start[0] = 0x02;
  const std::vector<Probe> probes = {
      probe("a frame starting with 0x00", zero_start, true),
      probe("a frame starting with 0x02", nonzero_start, false),
  };
  expect_right_verdicts(expr, probes, Oracle::Right, Oracle::Wrong);
  expect_optimized_equals_unoptimized(expr);
}

// libpcap #110: libpcap's optimizer leaves redundant reloads in
// `src net 10.0.1.0/24 or src net 10.0.2.0/24` (the second `src net` loads
// and masks the same source address again). Not a wrong verdict, so 1.10.3 is
// the oracle at both levels; bpfc -O2 must not load the same packet bytes
// twice on any path (value numbering's job).
TEST(LibpcapIssue110, NetListHasNoRedundantReload) {
  for (const char* expr : {"src net 10.0.1.0/24 or src net 10.0.2.0/24",
                           "src port 25 and (src net 10.0.1.0/24 or src net 10.0.2.0/24)"}) {
    SCOPED_TRACE(expr);
    const std::vector<Probe> probes = {
        probe("UDP from 10.0.1.9 port 25", ipv4_udp_from({10, 0, 1, 9}, 25), true),
        probe("UDP from 10.0.2.9 port 25", ipv4_udp_from({10, 0, 2, 9}, 25), true),
        probe("UDP from 10.0.3.9 port 25", ipv4_udp_from({10, 0, 3, 9}, 25), false),
    };
    expect_right_verdicts(expr, probes, Oracle::Right, Oracle::Right);
    expect_optimized_equals_unoptimized(expr);
    const Compiled optimized = bpfc_compile(expr, BpfcSetting{2, std::nullopt});
    ASSERT_TRUE(optimized.program) << optimized.error;
    const auto reload = find_redundant_reload(*optimized.program);
    EXPECT_FALSE(reload) << *reload << "program:\n" << cbpf::format_listing(*optimized.program);
  }
  // ARP's sender address is `src net` too; the probes check the ARP path.
  const std::vector<Probe> arp_probes = {
      probe("ARP from 10.0.2.9", arp_from({10, 0, 2, 9}), true),
      probe("ARP from 10.0.3.9", arp_from({10, 0, 3, 9}), false),
  };
  expect_right_verdicts("src net 10.0.1.0/24 or src net 10.0.2.0/24", arp_probes, Oracle::Right, Oracle::Right);
}

// The reload check itself: it must see libpcap 1.10.3's reloads for #110.
TEST(LibpcapIssue110, ReloadCheckFindsLibpcapsReload) {
  const Compiled reference = libpcap_compile("src net 10.0.1.0/24 or src net 10.0.2.0/24", true);
  ASSERT_TRUE(reference.program) << reference.error;
  EXPECT_TRUE(find_redundant_reload(*reference.program)) << cbpf::format_listing(*reference.program);
}

}  // namespace
}  // namespace bpfc::regress
