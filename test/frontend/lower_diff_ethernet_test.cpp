// Differential tests on Ethernet (EN10MB): for each filter, libpcap 1.10.3
// (pcap_compile, optimize=1) and the lowered IR must return the same value
// on every packet of the standard set (hand-built frames, all their
// truncations, byte mutations, savefile packets).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lower_test_packets.h"
#include "lower_test_support.h"

namespace bpfc::lowertest {
namespace {

constexpr int kEn10mb = 1;

void expect_same(const std::vector<std::string>& filters, int dlt = kEn10mb) {
  const std::vector<Packet>& packets = standard_packets(dlt);
  for (const std::string& f : filters) {
    PcapProgram ref = pcap_compile_filter(dlt, f);
    EXPECT_TRUE(ref.ok()) << f << ": libpcap refuses it: " << ref.error;
    EXPECT_EQ(compare_on(dlt, f, packets), "") << f;
  }
}

TEST(LowerDiffEthernet, ProtocolKeywords) {
  expect_same({"ip",   "ip6",   "arp",   "rarp", "tcp",  "udp",  "sctp",  "icmp", "icmp6",  "igmp",
               "igrp", "pim",   "vrrp",  "carp", "ah",   "esp",  "atalk", "aarp", "decnet", "lat",
               "sca",  "moprc", "mopdl", "iso",  "esis", "isis", "clnp",  "stp",  "ipx",    "netbeui",
               "l1",   "l2",    "iih",   "lsp",  "snp",  "csnp", "psnp"});
}

TEST(LowerDiffEthernet, BooleanStructure) {
  expect_same({"ip and tcp", "ip or arp", "not ip", "not (ip or ip6)", "tcp or udp and not icmp",
               "!tcp && (udp || arp)", "ip and not ip6 or rarp", "not not arp"});
}

TEST(LowerDiffEthernet, RelationsAndLength) {
  expect_same({"len > 60",
               "len <= 54",
               "less 60",
               "greater 100",
               "len = 14",
               "len - 14 > 40",
               "ether[12:2] = 0x800",
               "ether[0] & 1 != 0",
               "ether[12] < 8",
               "ether[12:2] >= 0x86dd",
               "link[0:4] = 0x00112233",
               "ip[0] & 0xf > 5",
               "ip[9] = 6",
               "ip[2:2] > 40",
               "tcp[13] = 2",
               "tcp[13] & 2 != 0",
               "udp[2:2] = 53",
               "icmp[0] = 8",
               "ip6[6] = 17",
               "icmp6[0] = 128",
               "arp[7] = 1",
               "rarp[7] = 3",
               "sctp[0:2] = 5672",
               "tcp[tcp[12] >> 4] = 0",
               "ip[ip[0] & 0xf] > 0",
               "ether[ether[0] & 3] = 0",
               "ether[1:2] + ether[3:2] > 5",
               "ip[0] * 2 - 4 = 0x8a",
               "ether[0] / 2 = 0",
               "ether[0] % 3 = 0",
               "ether[0] | ether[1] = 0x11",
               "ether[0] ^ 0xff = 0xff",
               "ether[0] << 2 = 0",
               "ether[12:2] >> 8 = 8",
               "-ether[0] = 0",
               "len * 0 = 0",
               "ether[100] * 0 = 0",
               "not tcp[100] = 1",
               "tcp[100] = 1 or tcp",
               "ether[0] = 1 or ether[100] = 2 or ether[0] = 3",
               "ip[0] + tcp[0] = 0x45",
               "1 = 1",
               "1 = 2 or ip",
               "ether[0:4] & 0 = 0",
               "ether[0] & 0xff = 0",
               "ip[100:4] & 0 = 0 and ip",
               "len >= 0",
               "0 < len"});
}

TEST(LowerDiffEthernet, Hosts) {
  expect_same({"host 127.0.0.1",
               "src host 10.0.0.1",
               "dst host 127.0.0.1",
               "src or dst host 10.0.0.2",
               "src and dst host 10.0.0.1",
               "ip host 127.0.0.1",
               "arp host 127.0.0.1",
               "rarp host 192.168.0.1",
               "ip src 10.20.30.40",
               "host localhost",
               "ip dst localhost",
               "arp src vm",
               "host 10.1",
               "net 10",
               "net 10.0",
               "net 10.0.0",
               "net 192.168.0.0/16",
               "ip net 10.0.0.0 mask 255.0.0.0",
               "src net 127.0.0.0/8",
               "dst net 0.0.0.0/0",
               "net 224.0.0.0/4",
               "net loopback",
               "ip dst net link-local",
               "ip6 host ::1",
               "ip6 src fe80::1",
               "ip6 dst net ff00::/8",
               "ip6 net fe80::/10",
               "host ::1",
               "dst host fd00:a1b2:c3d4:0:1020:3040:5060:7080",
               "ip6 net ::/0",
               "src and dst net 10.0.0.0/8",
               "net 10.0.0.0/8 or net 127.0.0.0/8",
               "decnet host 1.2",
               "decnet src 10.20",
               "decnet dst host 1.2",
               "decnet src and dst 1.2",
               "decnet dst 50.764"});
}

TEST(LowerDiffEthernet, EtherAddresses) {
  expect_same({"ether host 00:11:22:33:44:55", "ether src aa:00:04:00:14:0e", "ether dst ff:ff:ff:ff:ff:ff",
               "ether src or dst 01:00:5e:00:00:01", "ether src and dst 00:11:22:33:44:55", "ether broadcast",
               "broadcast", "ether multicast", "multicast", "ip multicast", "ip6 multicast"});
}

TEST(LowerDiffEthernet, Ports) {
  expect_same({"port 80",
               "tcp port 80",
               "udp port 53",
               "sctp port 5672",
               "src port 80",
               "dst port 7",
               "src or dst port 20",
               "src and dst port 7",
               "tcp dst port 80",
               "udp src port 53",
               "portrange 1-1023",
               "tcp portrange 20-22",
               "udp portrange 53",
               "dst portrange 1023-1",
               "sctp src portrange 5000-6000",
               "port http",
               "port domain",
               "tcp port ftp-data",
               "udp port tftp",
               "port 7 and host 127.0.0.1",
               "not port 80",
               "tcp src port 443 or udp dst port 53"});
}

TEST(LowerDiffEthernet, Llc) {
  expect_same({"llc", "llc i", "llc s", "llc u", "llc rr", "llc rnr", "llc rej", "llc ui", "llc ua",
               "llc disc", "llc dm", "llc sabme", "llc test", "llc xid", "llc frmr", "llc and stp", "not llc",
               "llc or ip"});
}

TEST(LowerDiffEthernet, ProtoAndProtochain) {
  expect_same({"ip proto 6",           "ip proto \\tcp",     "ip6 proto 17",      "proto 50",
               "proto \\udp",          "ether proto \\ip",   "ether proto \\arp", "ether proto \\ip6",
               "ether proto 0x88cc",   "ether proto \\iso",  "ether proto \\stp", "ether proto \\ipx",
               "ether proto \\atalk",  "ether proto \\aarp", "ether proto 1501",  "ether proto 66",
               "link proto \\netbeui", "iso proto 0x82",     "iso proto \\isis",  "isis proto 0x12",
               "ip protochain 17",     "ip6 protochain 17",  "protochain 6",      "ip6 protochain \\udp",
               "protochain 51"});
}

}  // namespace
}  // namespace bpfc::lowertest
