// Random filters built from primitives with and/or/not, compared with
// libpcap on the standard packets. Combinations are where libpcap's
// optimizer threads jumps, pulls tests up chains and drops loads, so this
// is the test that keeps the optimizer reproduction honest. The seed is
// fixed; BPFC_RANDOM_FILTERS=N runs N filters instead of the default and
// BPFC_RANDOM_SEED=S shifts the seeds.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "lower_test_packets.h"
#include "lower_test_support.h"

namespace bpfc::lowertest {
namespace {

const std::vector<std::string>& primitives(bool ethernet) {
  static const std::vector<std::string> common = {"ip",
                                                  "ip6",
                                                  "arp",
                                                  "rarp",
                                                  "tcp",
                                                  "udp",
                                                  "icmp",
                                                  "icmp6",
                                                  "sctp",
                                                  "igmp",
                                                  "ah",
                                                  "esp",
                                                  "pim",
                                                  "vrrp",
                                                  "iso",
                                                  "stp",
                                                  "ipx",
                                                  "l1",
                                                  "isis",
                                                  "atalk",
                                                  "decnet",
                                                  "host 127.0.0.1",
                                                  "src host 10.0.0.1",
                                                  "dst net 10.0.0.0/8",
                                                  "ip6 host ::1",
                                                  "ip6 src net fe80::/10",
                                                  "arp dst host 127.0.0.1",
                                                  "net 192.168.0.0/16",
                                                  "host localhost",
                                                  "port 80",
                                                  "tcp port 80",
                                                  "udp src port 53",
                                                  "portrange 1-1023",
                                                  "dst port 7",
                                                  "sctp port 5672",
                                                  "tcp src portrange 20-22",
                                                  "ip proto 6",
                                                  "ip6 proto 17",
                                                  "proto 50",
                                                  "ether proto \\arp",
                                                  "tcp[13] & 2 != 0",
                                                  "ip[9] = 6",
                                                  "ip[0] & 0xf > 5",
                                                  "len > 100",
                                                  "udp[2:2] = 53",
                                                  "ip6[6] = 17",
                                                  "icmp[0] = 8",
                                                  "tcp[100] = 1",
                                                  "ip[50] > 3",
                                                  "link[13] = 0",
                                                  "ip[2:2] - 20 > 10",
                                                  "link[ip[0] & 0xf] = 0",
                                                  "len * 0 = 0",
                                                  "less 60",
                                                  "greater 80",
                                                  "ip multicast",
                                                  "ip6 multicast",
                                                  "tcp[0:2] = tcp[2:2]",
                                                  "ip[0] = 0x45",
                                                  "ip[9] != 17",
                                                  "udp[8] = 0x61",
                                                  "ip6[40] = 0x30"};
  static const std::vector<std::string> ether = [] {
    std::vector<std::string> v = common;
    for (const char* p : {"ether host 00:11:22:33:44:55", "ether src aa:00:04:00:14:0e", "ether broadcast",
                          "multicast", "ether[0] & 1 = 1", "ether[12:2] = 0x800", "vlan", "vlan 100", "mpls",
                          "mpls 100", "pppoes", "pppoes 1234", "pppoed"}) {
      v.push_back(p);
    }
    return v;
  }();
  return ethernet ? ether : common;
}

std::string random_filter(std::mt19937& rng, bool ethernet, int depth) {
  const auto& prims = primitives(ethernet);
  if (depth == 0 || rng() % 3 == 0) {
    std::string p = prims[rng() % prims.size()];
    return rng() % 5 == 0 ? "not " + p : p;
  }
  std::string lhs = random_filter(rng, ethernet, depth - 1);
  std::string rhs = random_filter(rng, ethernet, depth - 1);
  std::string op = rng() % 2 ? " and " : " or ";
  std::string e = lhs + op + rhs;
  switch (rng() % 4) {
    case 0: return "(" + e + ")";
    case 1: return "not (" + e + ")";
    default: return e;
  }
}

int filter_count() {
  const char* n = std::getenv("BPFC_RANDOM_FILTERS");
  return n ? std::atoi(n) : 100;
}

void run_random(int dlt, uint32_t seed, bool optimize = true) {
  if (const char* s = std::getenv("BPFC_RANDOM_SEED")) seed += static_cast<uint32_t>(std::atoi(s));
  std::mt19937 rng(seed);
  const std::vector<Packet>& packets = standard_packets(dlt);
  const int count = filter_count();
  int failures = 0;
  for (int i = 0; i < count && failures < 5; ++i) {
    const std::string f = random_filter(rng, dlt == 1, 3);
    const std::string diff = compare_on(dlt, f, packets, 262144, std::nullopt, optimize);
    EXPECT_EQ(diff, "") << f;
    if (!diff.empty()) ++failures;
  }
}

TEST(LowerDiffRandom, Ethernet) { run_random(1, 20240601); }
TEST(LowerDiffRandom, Raw) { run_random(12, 7); }
TEST(LowerDiffRandom, LinuxSll) { run_random(113, 11); }
TEST(LowerDiffRandom, Null) { run_random(0, 13); }
// pcap_compile(optimize=0): the block program as libpcap's code generator
// builds it, without the optimizer's load removal.
TEST(LowerDiffRandom, Unoptimized) {
  run_random(1, 23, false);
  run_random(12, 29, false);
}
TEST(LowerDiffRandom, OtherLinkTypes) {
  for (int dlt : {276, 108, 229, 9, 104}) run_random(dlt, 17 + static_cast<uint32_t>(dlt));
}

}  // namespace
}  // namespace bpfc::lowertest
