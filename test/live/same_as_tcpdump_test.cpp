// The packets bpfc capture writes are the ones tcpdump writes: the same
// filter, the same device, the same traffic (corpus frames sent raw, and
// ordinary sockets), compared as sets of (bytes, wire length).
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "side_by_side.h"
#include "veth_fixture.h"

namespace bpfc::livetest {
namespace {

// Corpus frames raw on the sender, then ordinary socket traffic.
// Paced: a burst would overflow tcpdump's ring, with one pair per filter
// sharing the machine's cores.
void send_mixed_traffic() {
  for (const std::vector<uint8_t>& frame : corpus_ethernet_frames()) {
    send_frame(kSender, frame);
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  send_udp(53, 20);
  send_udp(5000, 200, 2);
  send_udp(5005, 1000);
  send_tcp_syn(80);
  send_tcp_syn(22);
  send_icmp_echo(56);
  send_icmp_echo(1200);
}

void expect_same_packets(const std::vector<CaptureCase>& cases, const std::vector<CaseOutcome>& outcomes,
                         size_t least_for_all) {
  ASSERT_EQ(cases.size(), outcomes.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("device " + cases[i].device + ", filter '" + cases[i].filter + "'");
    EXPECT_EQ(outcomes[i].problems, "");
    EXPECT_EQ(describe_difference(outcomes[i].tcpdump, outcomes[i].bpfc), "") << outcomes[i].stderr_texts;
    if (cases[i].filter.empty() && cases[i].tcpdump_options.empty()) {
      // The traffic went through: every case is compared on real packets.
      EXPECT_GE(outcomes[i].bpfc.size(), least_for_all);
    }
  }
}

std::vector<CaptureCase> on_device(const std::string& device, const std::vector<std::string>& filters) {
  std::vector<CaptureCase> cases;
  for (const std::string& filter : filters) cases.push_back({device, filter, {}, {}});
  return cases;
}

TEST(SameAsTcpdump, OnAVethInterface) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  const auto frames = corpus_ethernet_frames();
  ASSERT_GT(frames.size(), 100u);
  const std::vector<CaptureCase> cases = on_device(
      kReceiver, {"", "udp", "tcp", "icmp", "arp", "ip", "ip6", "udp port 53", "tcp port 80",
                  "tcp[tcpflags] & tcp-syn != 0", "host 10.9.0.3", "net 10.9.0.0/24", "ether broadcast",
                  "ether multicast", "not udp", "len > 100", "less 64", "greater 500", "inbound", "outbound",
                  "portrange 5000-5010", "ip[8] < 64", "icmp6", "vlan", "ip proto 50 or ip proto 51",
                  "udp and not port 53", "ip6 and udp", "stp", "pppoes", "mpls", "decnet", "ip broadcast",
                  "ip multicast"});
  ASSERT_GE(cases.size(), 20u);
  const std::vector<CaseOutcome> outcomes = capture_side_by_side(cases, send_mixed_traffic);
  expect_same_packets(cases, outcomes, frames.size());
}

// The same filters attached as eBPF socket filters (SO_ATTACH_BPF), packet
// metadata (inbound, vlan) included; on any the classic program is used,
// with a warning that says why.
TEST(SameAsTcpdump, WithEbpfKernelFilters) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  std::vector<CaptureCase> cases;
  for (const std::string filter : {"", "udp", "tcp[tcpflags] & tcp-syn != 0", "inbound", "outbound", "vlan",
                                   "ip proto 50 or ip proto 51", "len > 100", "ether multicast", "ip6 and udp",
                                   "udp port 53 or icmp"}) {
    cases.push_back({kReceiver, filter, {}, {"--kernel-filter=ebpf"}});
  }
  cases.push_back({"any", "udp", {}, {"--kernel-filter=ebpf"}});
  const std::vector<CaseOutcome> outcomes = capture_side_by_side(cases, send_mixed_traffic);
  expect_same_packets(cases, outcomes, corpus_ethernet_frames().size());
  for (size_t i = 0; i + 1 < cases.size(); ++i) {
    EXPECT_EQ(outcomes[i].stderr_texts.find("warning"), std::string::npos)
        << cases[i].filter << ": " << outcomes[i].stderr_texts;
  }
  EXPECT_NE(outcomes.back().stderr_texts.find("warning: attaching the filter as classic BPF"), std::string::npos)
      << outcomes.back().stderr_texts;
}

TEST(SameAsTcpdump, OnAny) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  const auto frames = corpus_ethernet_frames();
  std::vector<CaptureCase> cases =
      on_device("any", {"", "udp", "tcp", "icmp", "ip", "ip6", "arp", "udp port 53", "inbound", "outbound",
                        "ip broadcast", "host 10.9.0.3", "len > 100", "less 64", "ifindex " + std::to_string(interface_index(kSender)),
                        "tcp[tcpflags] & tcp-syn != 0", "not ip"});
  cases.push_back({"any", "udp", {"-Q", "in"}, {"-Q", "in"}});
  cases.push_back({"any", "udp", {"-Q", "out"}, {"-Q", "out"}});
  cases.push_back({kReceiver, "", {"-Q", "in"}, {"-Q", "in"}});
  const std::vector<CaseOutcome> outcomes = capture_side_by_side(cases, send_mixed_traffic);
  // Every frame is seen twice on any: leaving the sender and arriving.
  expect_same_packets(cases, outcomes, 2 * frames.size());
}

TEST(SameAsTcpdump, SnaplenCutsAlike) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  std::vector<CaptureCase> cases = {{kReceiver, "udp", {"-s", "60"}, {"-s", "60"}, false},
                                    {"any", "udp", {"-s", "50"}, {"-s", "50"}, false},
                                    {kReceiver, "", {"-s", "100"}, {"-s", "100"}, false}};
  const std::vector<CaseOutcome> outcomes = capture_side_by_side(cases, send_mixed_traffic);
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].device + " " + cases[i].filter);
    EXPECT_EQ(outcomes[i].problems, "");
    EXPECT_EQ(describe_difference(outcomes[i].tcpdump, outcomes[i].bpfc), "");
    EXPECT_FALSE(outcomes[i].bpfc.empty());
  }
}

// Tagged frames arrive on the receiver with the tag taken off by the kernel
// (veth's receive path untags them): libpcap puts it back into the frame,
// and filters see the frame as the kernel's filter does.
TEST(SameAsTcpdump, VlanTaggedFrames) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  auto send = [] {
    for (int i = 0; i < 3; ++i) {
      send_frame(kSender, vlan_udp_frame(10, 7000, 30));
      send_frame(kSender, vlan_udp_frame(20, 53, 60));
    }
    send_udp(53, 20);
    send_udp(7000, 40);
  };
  std::vector<CaptureCase> cases = on_device(
      kReceiver, {"", "vlan", "vlan 10", "vlan 20 and udp port 53", "udp", "ip", "not vlan", "udp port 53",
                  "vlan and ip", "ether[12:2] = 0x8100"});
  cases.push_back({kReceiver, "vlan 20", {}, {"--kernel-filter=ebpf"}});
  cases.push_back({kReceiver, "ip", {}, {"--kernel-filter=ebpf"}});
  cases.push_back({kReceiver, "vlan 10", {}, {"--kernel-filter=off"}});
  cases.push_back({kReceiver, "", {}, {"--vlan=metadata"}});
  const std::vector<CaseOutcome> outcomes = capture_side_by_side(cases, send);
  const size_t metadata_case = cases.size() - 1;
  for (size_t i = 0; i < metadata_case; ++i) {
    SCOPED_TRACE("filter '" + cases[i].filter + "'");
    EXPECT_EQ(outcomes[i].problems, "");
    EXPECT_EQ(describe_difference(outcomes[i].tcpdump, outcomes[i].bpfc), "");
  }
  // Everything: six tagged frames, two untagged; the tags are in the frames.
  ASSERT_EQ(outcomes[0].bpfc.size(), 8u);
  size_t tagged = 0;
  for (const SavedPacket& p : outcomes[0].bpfc) tagged += p.bytes.size() > 13 && p.bytes[12] == 0x81 && p.bytes[13] == 0;
  EXPECT_EQ(tagged, 6u);
  // --vlan=metadata leaves them out: proof that the kernel took them off and
  // that reinsertion is what put them back.
  SCOPED_TRACE("--vlan=metadata");
  EXPECT_EQ(outcomes[metadata_case].problems, "");
  size_t still_tagged = 0;
  for (const SavedPacket& p : outcomes[metadata_case].bpfc) {
    still_tagged += p.bytes.size() > 13 && p.bytes[12] == 0x81 && p.bytes[13] == 0;
  }
  EXPECT_EQ(outcomes[metadata_case].bpfc.size(), 8u);
  EXPECT_EQ(still_tagged, 0u);
}

}  // namespace
}  // namespace bpfc::livetest
