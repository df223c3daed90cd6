// Differential tests of encapsulations on Ethernet: VLAN, MPLS, PPPoE and
// Geneve each move the header offsets for everything after them in the
// filter text, including across `or` (libpcap's documented oddity).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lower_test_packets.h"
#include "lower_test_support.h"

namespace bpfc::lowertest {
namespace {

void expect_same(const std::vector<std::string>& filters, int dlt = 1) {
  const std::vector<Packet>& packets = standard_packets(dlt);
  for (const std::string& f : filters) {
    PcapProgram ref = pcap_compile_filter(dlt, f);
    EXPECT_TRUE(ref.ok()) << f << ": libpcap refuses it: " << ref.error;
    EXPECT_EQ(compare_on(dlt, f, packets), "") << f;
  }
}

TEST(LowerDiffEncap, Vlan) {
  expect_same({"vlan",
               "vlan 100",
               "vlan and ip",
               "vlan 100 and tcp port 1234",
               "vlan and vlan",
               "vlan 200 and vlan 100 and ip",
               "vlan or ip",
               "ip or vlan",
               "ip or vlan and ip",
               "(vlan and ip) or ip",
               "not vlan",
               "vlan and ip6 and udp port 53",
               "vlan and mpls and ip",
               "vlan and host 127.0.0.1",
               "vlan and arp",
               "vlan and ether src aa:00:04:00:14:0e",
               "vlan and ether[12:2] = 0x800",
               "vlan and ip[9] = 6",
               "vlan 1 or vlan 100",
               "vlan and pppoes and ip",
               "vlan and ether[12:2] = 0x800",
               "vlan and tcp[13] = 2",
               "vlan and udp[0:2] = 53",
               "vlan 100 and vlan 200 or ip",
               "vlan and (ip or ip6) and not arp"});
}

TEST(LowerDiffEncap, Mpls) {
  expect_same({"mpls", "mpls 100", "mpls and ip", "mpls and ip6", "mpls 100 and mpls 1024",
               "mpls and mpls and ip6", "mpls and host 127.0.0.1", "mpls and tcp port 1234", "mpls or ip",
               "ip or mpls", "not mpls", "mpls 123 and udp"});
}

TEST(LowerDiffEncap, Pppoe) {
  expect_same({"pppoed", "pppoes", "pppoes 1234", "pppoes and ip", "pppoes and ip6",
               "pppoes 0x0281 and udp port 53", "pppoes and mpls", "pppoes and mpls 123 and ip",
               "pppoes and tcp", "pppoes or ip", "not pppoes", "pppoes and host 127.0.0.1",
               "pppoes and ip[9] = 6", "pppoed or pppoes", "pppoes and link[0:2] = 0x21",
               "pppoes and ppp[0:2] = 0x57", "pppoes and tcp[13] & 2 != 0", "pppoes and port 1234"});
}

TEST(LowerDiffEncap, Geneve) {
  expect_same({"geneve",
               "geneve 0x123456",
               "geneve and ip",
               "geneve and tcp port 80",
               "geneve and udp",
               "geneve and ether src aa:00:04:00:14:0e",
               "geneve and icmp",
               "geneve and arp",
               "geneve and geneve",
               "not geneve",
               "geneve and ether broadcast",
               "ip or geneve",
               "geneve and (ip or ip6)",
               "geneve 0x123456 and udp port 53",
               "geneve and ether[12:2] = 0x800",
               "geneve and ip[9] = 6",
               "geneve and tcp[13] = 2",
               "geneve and icmp[0] = 0",
               "geneve and ip6[6] = 17",
               "geneve and ether multicast",
               "geneve and host 127.0.0.1",
               "geneve and vlan",
               "geneve and mpls and ip"});
  // After a failed Geneve test libpcap reads scratch memory nothing wrote
  // (`geneve or ip`): its result depends on stack garbage, so such filters
  // cannot be compared; bpfc reads 0 there.
}

}  // namespace
}  // namespace bpfc::lowertest
