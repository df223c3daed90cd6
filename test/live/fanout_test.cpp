// bpfc capture --threads N: N sockets in one PACKET_FANOUT group merged into
// one output. The merged file holds the packets one socket (and tcpdump)
// sees, in non-decreasing timestamp order; the counts add up over the
// workers; no packet that fails the filter gets through while the group
// starts under a flood; the kernel's drops are counted across the sockets.
#include <signal.h>

#include <atomic>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "../support/sanitized_share.h"
#include "background_process.h"
#include "capture_process.h"
#include "bpfc/capture/savefile.h"
#include "side_by_side.h"
#include "veth_fixture.h"

namespace bpfc::livetest {
namespace {

using namespace std::chrono_literals;
using testsupport::full_or_sanitized;

// A UDP frame to `port` from `source_port`: the fanout hash spreads flows
// that differ in ports over the group's sockets.
std::vector<uint8_t> udp_flow_frame(uint16_t source_port, uint16_t port, size_t payload_bytes) {
  std::vector<uint8_t> frame = udp_frame(std::nullopt, port, payload_bytes);
  constexpr size_t kSourcePort = 14 + 20;  // Ethernet, IPv4 without options
  frame[kSourcePort] = static_cast<uint8_t>(source_port >> 8);
  frame[kSourcePort + 1] = static_cast<uint8_t>(source_port);
  frame[kSourcePort + 6] = frame[kSourcePort + 7] = 0;  // no UDP checksum
  return frame;
}

// Corpus frames (many flows), then flows of UDP datagrams and ordinary
// socket traffic, paced so that no ring overflows on a busy machine.
void send_many_flows() {
  const auto frames = corpus_ethernet_frames();
  const size_t stride = full_or_sanitized<size_t>(1, 4);
  for (size_t i = 0; i < frames.size(); i += stride) {
    send_frame(kSender, frames[i]);
    std::this_thread::sleep_for(100us);
  }
  for (uint16_t flow = 0; flow < full_or_sanitized<uint16_t>(64, 16); ++flow) {
    for (int i = 0; i < 5; ++i) send_frame(kSender, udp_flow_frame(40000 + flow, 6000 + flow % 4, 40 + flow));
    std::this_thread::sleep_for(100us);
  }
  // (No TCP from a socket: the unanswered SYN is sent again a second
  // later, while the captures are being stopped one after the other.)
  send_udp(53, 20, 3);
  send_icmp_echo(56);
}

struct TimedPacket {
  int64_t timestamp_ns = 0;
  SavedPacket packet;
};

std::vector<TimedPacket> read_timed(const std::string& path, std::string& problems) {
  std::vector<TimedPacket> packets;
  capture::SavefileError error;
  auto source = capture::open_savefile(path, error);
  if (!source) {
    problems += error.describe(path) + "\n";
    return packets;
  }
  capture::Batch batch;
  for (bool more = true; more;) {
    more = source->next(batch);
    for (const capture::Packet& p : batch.packets) {
      packets.push_back({p.timestamp_ns, {p.wirelen, std::vector<uint8_t>(p.data, p.data + p.caplen)}});
    }
  }
  if (source->error()) problems += source->error()->describe(path) + "\n";
  return packets;
}

std::vector<SavedPacket> untimed(const std::vector<TimedPacket>& packets) {
  std::vector<SavedPacket> out;
  for (const TimedPacket& p : packets) out.push_back(p.packet);
  return out;
}

// One socket, two and four threads side by side on the same traffic: the
// same packets, in order, with statistics that add up.
TEST(Fanout, MergedOutputIsWhatOneSocketSees) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  TempDirectory directory;
  const std::vector<uint32_t> thread_counts = {1, 2, 4};
  for (const std::string filter : {"udp or tcp or icmp", "not udp port 6001"}) {
    SCOPED_TRACE("filter '" + filter + "'");
    std::vector<std::unique_ptr<BackgroundProcess>> captures;
    std::vector<std::string> files;
    for (uint32_t threads : thread_counts) {
      files.push_back(directory.file("t" + std::to_string(threads) + ".pcap"));
      captures.push_back(start_capture({"-i", kReceiver, "-w", files.back(), "--nano", "--threads",
                                        std::to_string(threads), "--stats-format=json", "--", filter}));
    }
    send_many_flows();
    std::this_thread::sleep_for(200ms);
    for (auto& capture : captures) capture->send_signal(SIGINT);
    std::vector<std::vector<TimedPacket>> outputs;
    for (size_t i = 0; i < captures.size(); ++i) {
      SCOPED_TRACE("--threads " + std::to_string(thread_counts[i]));
      ASSERT_EQ(captures[i]->wait(), 0) << captures[i]->stderr_text();
      const std::string statistics = captures[i]->stderr_text();
      std::string problems;
      outputs.push_back(read_timed(files[i], problems));
      EXPECT_EQ(problems, "");
      const std::vector<TimedPacket>& packets = outputs.back();
      EXPECT_EQ(json_field(statistics, "dropped_by_kernel"), 0u) << statistics;
      EXPECT_EQ(json_field(statistics, "captured"), packets.size()) << statistics;
      EXPECT_EQ(json_field(statistics, "received_by_filter"), packets.size()) << statistics;
      for (size_t k = 1; k < packets.size(); ++k) {
        ASSERT_LE(packets[k - 1].timestamp_ns, packets[k].timestamp_ns) << "packet " << k << " of " << packets.size();
      }
    }
    // The traffic went through (the sanitizer build sends a quarter of the
    // corpus frames and 16 flows).
    ASSERT_GT(outputs[0].size(), full_or_sanitized<size_t>(300, 75));
    for (size_t i = 1; i < outputs.size(); ++i) {
      SCOPED_TRACE("--threads " + std::to_string(thread_counts[i]));
      EXPECT_EQ(describe_difference(untimed(outputs[0]), untimed(outputs[i])), "");
    }
  }
}

// Against tcpdump, as same_as_tcpdump_test.cpp does for one socket.
TEST(Fanout, SameAsTcpdump) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  std::vector<CaptureCase> cases;
  for (const char* threads : {"2", "4"}) {
    for (const char* filter : {"", "udp", "tcp[tcpflags] & tcp-syn != 0 or icmp"}) {
      cases.push_back({kReceiver, filter, {}, {"--threads", threads}});
    }
  }
  const std::vector<CaseOutcome> outcomes = capture_side_by_side(cases, send_many_flows);
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("--threads " + cases[i].bpfc_options[1] + ", filter '" + cases[i].filter + "'");
    EXPECT_EQ(outcomes[i].problems, "");
    EXPECT_EQ(describe_difference(outcomes[i].tcpdump, outcomes[i].bpfc), "") << outcomes[i].stderr_texts;
    if (cases[i].filter.empty()) {
      EXPECT_GT(outcomes[i].bpfc.size(), 100u);
    }
  }
}

// A flood of many flows, most of them unwanted, before and while the group
// starts: every socket rejects everything until its filter is in place.
TEST(Fanout, NoLeakWhileTheGroupStarts) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  constexpr uint16_t kWantedPort = 7;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> sent{0};
  std::thread flood([&] {
    std::vector<std::vector<uint8_t>> frames;
    for (uint16_t flow = 0; flow < 16; ++flow) {
      frames.push_back(udp_flow_frame(30000 + flow, flow % 4 == 0 ? kWantedPort : 9, 18));
    }
    for (uint64_t i = 0; !stop.load(); ++i) {
      send_frame(kSender, frames[i % frames.size()]);
      sent = i + 1;
    }
  });
  TempDirectory directory;
  const std::string output = directory.file("out.pcap");
  std::this_thread::sleep_for(50ms);
  BackgroundProcess capture({BPFC_BINARY, "capture", "-i", kReceiver, "-w", output, "--threads", "4", "--",
                             "udp dst port " + std::to_string(kWantedPort)});
  const bool listening = capture.wait_for_stderr("listening on", 10s);
  std::this_thread::sleep_for(200ms);
  stop = true;
  flood.join();
  ASSERT_TRUE(listening) << capture.stderr_text();
  capture.send_signal(SIGINT);
  ASSERT_EQ(capture.wait(), 0) << capture.stderr_text();
  ASSERT_GT(sent.load(), 1000u) << "the flood did not get going";
  std::string problems;
  const std::vector<SavedPacket> packets = read_savefile(output, problems);
  EXPECT_EQ(problems, "");
  EXPECT_GT(packets.size(), 0u);
  size_t leaked = 0;
  for (const SavedPacket& p : packets) leaked += udp_destination_port(p.bytes) != kWantedPort;
  EXPECT_EQ(leaked, 0u) << "of " << packets.size() << " packets";
}

// A stopped consumer and small rings: what the sockets' rings cannot hold is
// dropped and counted, and captured + dropped is what was sent, summed over
// the group.
TEST(Fanout, CapturedPlusDroppedIsSent) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  TempDirectory directory;
  const std::string output = directory.file("out.pcap");
  auto capture = start_capture({"-i", kReceiver, "-w", output, "--threads", "2", "--block-size", "8192", "--blocks",
                                "2", "--stats-format=json", "--", "udp dst port 7777"});
  capture->send_signal(SIGSTOP);
  constexpr int kSent = 2000;
  for (int i = 0; i < kSent; ++i) ASSERT_TRUE(send_frame(kSender, udp_flow_frame(20000 + i % 8, 7777, 200)));
  send_udp(9999, 10, 50);  // rejected by the filter: in no count
  capture->send_signal(SIGCONT);
  std::this_thread::sleep_for(150ms);
  capture->send_signal(SIGINT);
  ASSERT_EQ(capture->wait(), 0) << capture->stderr_text();
  const std::string statistics = capture->stderr_text();
  const uint64_t captured = json_field(statistics, "captured");
  const uint64_t dropped = json_field(statistics, "dropped_by_kernel");
  EXPECT_EQ(json_field(statistics, "received_by_filter"), uint64_t{kSent}) << statistics;
  EXPECT_EQ(captured + dropped, uint64_t{kSent}) << statistics;
  EXPECT_GT(dropped, 0u) << "the rings did not overflow: " << statistics;
  std::string problems;
  EXPECT_EQ(read_savefile(output, problems).size(), captured);
  EXPECT_EQ(problems, "");
}

// -c counts the merged output, whichever socket the packets came through.
TEST(Fanout, CountLimitAcrossWorkers) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  TempDirectory directory;
  const std::string output = directory.file("out.pcap");
  auto capture = start_capture({"-i", kReceiver, "-w", output, "--threads", "4", "-c", "10", "udp port 6300"});
  for (uint16_t flow = 0; flow < 20; ++flow) send_frame(kSender, udp_flow_frame(41000 + flow, 6300, 30));
  ASSERT_EQ(capture->wait(), 0) << capture->stderr_text();
  std::string problems;
  EXPECT_EQ(read_savefile(output, problems).size(), 10u);
  EXPECT_EQ(problems, "");
}

}  // namespace
}  // namespace bpfc::livetest
