// Differential tests on the non-Ethernet link types: each has its own
// header layout and its own way to name the network protocol.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lower_test_packets.h"
#include "lower_test_support.h"

namespace bpfc::lowertest {
namespace {

// Filters that mean something on every link type.
const std::vector<std::string>& common_filters() {
  static const std::vector<std::string> filters = {"ip",
                                                   "ip6",
                                                   "arp",
                                                   "rarp",
                                                   "tcp",
                                                   "udp",
                                                   "sctp",
                                                   "icmp",
                                                   "icmp6",
                                                   "igmp",
                                                   "pim",
                                                   "vrrp",
                                                   "ah",
                                                   "esp",
                                                   "iso",
                                                   "stp",
                                                   "ipx",
                                                   "netbeui",
                                                   "atalk",
                                                   "aarp",
                                                   "decnet",
                                                   "isis",
                                                   "l1",
                                                   "not ip",
                                                   "ip or ip6",
                                                   "host 127.0.0.1",
                                                   "src host 10.0.0.1",
                                                   "ip dst host 127.0.0.1",
                                                   "arp host 127.0.0.1",
                                                   "net 10.0.0.0/8",
                                                   "host localhost",
                                                   "ip6 host ::1",
                                                   "ip6 net fe80::/10",
                                                   "port 80",
                                                   "tcp port 80",
                                                   "udp dst port 53",
                                                   "portrange 1-1023",
                                                   "sctp port 5672",
                                                   "ip proto 17",
                                                   "ip6 proto 6",
                                                   "proto \\tcp",
                                                   "ip protochain 6",
                                                   "ip6 protochain 17",
                                                   "link[0] = 0",
                                                   "link[0:2] > 0x100",
                                                   "ip[9] = 17",
                                                   "ip6[6] = 6",
                                                   "tcp[13] & 2 != 0",
                                                   "udp[0:2] = 53",
                                                   "icmp[0] = 8",
                                                   "icmp6[0] = 128",
                                                   "len > 40",
                                                   "less 50",
                                                   "greater 60",
                                                   "ip multicast",
                                                   "ip6 multicast",
                                                   "ether proto \\ip",
                                                   "link proto \\ip6",
                                                   "link proto 0x800",
                                                   "not tcp[100] = 1",
                                                   "tcp[100] = 1 or tcp"};
  return filters;
}

// `filters` without those listed.
std::vector<std::string> without(const std::vector<std::string>& filters, const std::vector<std::string>& drop) {
  std::vector<std::string> kept;
  for (const std::string& f : filters) {
    bool dropped = false;
    for (const std::string& d : drop) dropped = dropped || f == d;
    if (!dropped) kept.push_back(f);
  }
  return kept;
}

void expect_same(int dlt, const std::vector<std::string>& filters) {
  const std::vector<Packet>& packets = standard_packets(dlt);
  for (const std::string& f : filters) {
    PcapProgram ref = pcap_compile_filter(dlt, f);
    if (!ref.ok()) {
      // Where libpcap refuses a filter, the lowering must refuse it too, in
      // the same words (sema's earlier checks are tested on their own).
      Result<ir::Function> ours = bpfc_lower_unchecked(dlt, f);
      EXPECT_FALSE(ours.ok()) << "dlt " << dlt << " `" << f << "`: libpcap refuses (" << ref.error
                              << ") but bpfc lowers it";
      if (!ours.ok()) {
        EXPECT_EQ(ours.error().message, ref.error) << "dlt " << dlt << " `" << f << "`";
      }
      continue;
    }
    EXPECT_EQ(compare_on(dlt, f, packets), "") << f;
  }
}

TEST(LowerDiffLinkTypes, Raw) { expect_same(12, common_filters()); }
TEST(LowerDiffLinkTypes, Ipv4) { expect_same(228, common_filters()); }
TEST(LowerDiffLinkTypes, Ipv6) { expect_same(229, common_filters()); }
TEST(LowerDiffLinkTypes, Null) { expect_same(0, common_filters()); }
TEST(LowerDiffLinkTypes, Loop) { expect_same(108, common_filters()); }
TEST(LowerDiffLinkTypes, LinuxSll) {
  expect_same(113, common_filters());
  expect_same(113, {"inbound", "outbound", "vlan", "pppoes and ip"});
}
TEST(LowerDiffLinkTypes, LinuxSll2) {
  expect_same(276, common_filters());
  expect_same(276, {"inbound", "outbound", "link proto 0xfe"});
}
TEST(LowerDiffLinkTypes, Ppp) {
  expect_same(9, common_filters());
  expect_same(9, {"mpls", "mpls 5 and ip", "iso proto 0x81"});
}
TEST(LowerDiffLinkTypes, PppSerialAndPppd) {
  expect_same(50, common_filters());
  expect_same(166, common_filters());
  expect_same(166, {"inbound", "outbound"});
}
// IS-IS PDU types on Cisco HDLC and the SLIP direction follow the newer
// libpcap, where 1.10.3 differs (the PDU type read one byte early, any
// nonzero SLIP direction taken as outbound); the apply corpus checks them on
// ISIS_p2p_adjacency.pcap and slip-bad-direction.pcap.
TEST(LowerDiffLinkTypes, CiscoHdlc) {
  expect_same(104, without(common_filters(), {"l1"}));
  expect_same(104, {"mpls and ip", "iso proto 0x83"});
}
TEST(LowerDiffLinkTypes, Slip) { expect_same(8, common_filters()); }

TEST(LowerDiffLinkTypes, IpBroadcastNeedsTheNetmask) {
  const std::vector<Packet>& packets = standard_packets(1);
  for (uint32_t mask : {0xffffff00u, 0xffff0000u, 0x00000000u, 0xfffffffeu}) {
    EXPECT_EQ(compare_on(1, "ip broadcast", packets, 262144, mask), "") << mask;
    EXPECT_EQ(compare_on(12, "ip broadcast or ip multicast", standard_packets(12), 262144, mask), "");
  }
  Result<ir::Function> r = bpfc_lower(1, "ip broadcast");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "netmask not known, so 'ip broadcast' not supported");
}

TEST(LowerDiffLinkTypes, SnapLengthIsTheAcceptValue) {
  EXPECT_EQ(compare_on(1, "ip or arp", standard_packets(1), 96), "");
  EXPECT_EQ(compare_on(12, "tcp", standard_packets(12), 65535), "");
}

}  // namespace
}  // namespace bpfc::lowertest
