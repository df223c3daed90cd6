// `bpfc replay` on a veth pair in a private network namespace: what tcpdump
// captures on the far end is the savefile's packets, byte for byte and in
// order, for both send methods, from a file and from standard input; -c and
// --loop send the right number; --timing paces by the timestamps; frames
// longer than the MTU are counted and skipped.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "replay_namespace.h"

namespace bpfc::replaytest {
namespace {

using clitest::Bytes;
using clitest::ScratchDir;

// The corpus's Ethernet captures, as libpcap reads them.
std::vector<PcapPacket> corpus_ethernet_packets() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(BPFC_TEST_DIR) + "/corpus/pcaps")) {
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<PcapPacket> packets;
  for (const std::string& file : files) {
    clitest::LibpcapReading reading = clitest::read_with_libpcap(file);
    if (!reading.opened || reading.dlt != DLT_EN10MB) continue;
    for (PcapPacket& packet : reading.packets) {
      packet.timestamp_ns -= packet.timestamp_ns % 1000;
      packets.push_back(std::move(packet));
    }
  }
  return packets;
}

std::vector<Bytes> frames_of(const std::vector<PcapPacket>& packets) {
  std::vector<Bytes> frames;
  for (const PcapPacket& packet : packets) frames.push_back(packet.data);
  return frames;
}

// A frame of exactly `size` bytes with a recognisable number in it.
Bytes frame_of_size(size_t size, uint8_t number, bool vlan_tagged = false) {
  Bytes frame = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01};
  if (vlan_tagged) frame.insert(frame.end(), {0x81, 0x00, 0x00, 0x07});
  frame.insert(frame.end(), {0x88, 0xb5});  // local experimental EtherType
  frame.resize(size, number);
  return frame;
}

void expect_frames(const std::vector<Bytes>& got, const std::vector<Bytes>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], want[i]) << what << ": packet " << i;
}

class ReplayDelivery : public ::testing::Test {
 protected:
  void SetUp() override { BPFC_NEED_NAMESPACE(); }

  // Replays with `args` while tcpdump captures on the far end; returns the
  // frames it captured, in order. `expected` is how many should arrive.
  std::vector<Bytes> replay_and_capture(const std::vector<std::string>& args, size_t expected,
                                        ProcessResult& result, const std::string& input = "") {
    TcpdumpCapture capture(kFar, scratch_.file("captured." + std::to_string(++captures_) + ".pcap"));
    EXPECT_TRUE(capture.wait_listening()) << capture.messages();
    std::vector<std::string> command = {"replay", "-i", kNear};
    command.insert(command.end(), args.begin(), args.end());
    result = bpfc(command, input);
    return frames_of(capture.stop(expected));
  }

  ScratchDir scratch_;
  int captures_ = 0;
};

TEST_F(ReplayDelivery, CorpusFramesArriveByteForByteWithEitherMethod) {
  const std::vector<PcapPacket> packets = corpus_ethernet_packets();
  ASSERT_GT(packets.size(), 50u);
  const std::string input = scratch_.file("corpus.pcap");
  clitest::write_pcap(input, DLT_EN10MB, packets);
  for (const char* method : {"ring", "sendmmsg"}) {
    ProcessResult result;
    const std::vector<Bytes> got =
        replay_and_capture({"-r", input, "--timing=none", std::string("--method=") + method}, packets.size(), result);
    ASSERT_EQ(result.exit_code, 0) << method << ": " << result.err;
    expect_frames(got, frames_of(packets), method);
    EXPECT_NE(result.err.find(std::to_string(packets.size()) + " packets ("), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("0 skipped"), std::string::npos) << result.err;
  }
}

TEST_F(ReplayDelivery, PcapngFromStandardInput) {
  const std::string file = std::string(BPFC_TEST_DIR) + "/corpus/pcaps/rarp_req_reply.pcapng";
  const clitest::LibpcapReading reading = clitest::read_with_libpcap(file);
  ASSERT_TRUE(reading.opened) << reading.error;
  ProcessResult result;
  const std::vector<Bytes> got =
      replay_and_capture({"-r", "-", "--timing=none"}, reading.packets.size(), result, clitest::read_file(file));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  expect_frames(got, frames_of(reading.packets), "rarp_req_reply.pcapng from stdin");
}

TEST_F(ReplayDelivery, CountAndLoopsSetHowManyAreSent) {
  std::vector<PcapPacket> packets;
  for (uint8_t i = 0; i < 10; ++i) packets.push_back({int64_t{i} * 1000, frame_of_size(60 + i, i), 0});
  const std::string input = scratch_.file("ten.pcap");
  clitest::write_pcap(input, DLT_EN10MB, packets);
  const std::vector<Bytes> once = frames_of(packets);
  auto repeated = [&](size_t count) {
    std::vector<Bytes> frames;
    while (frames.size() < count) frames.push_back(once[frames.size() % once.size()]);
    return frames;
  };
  struct Case {
    std::vector<std::string> args;
    std::string input;
    size_t expected;
  };
  const std::string stdin_bytes = clitest::read_file(input);
  const Case cases[] = {
      {{"-r", input, "--timing=none", "-c", "4"}, "", 4},
      {{"-r", input, "--timing=none", "--loop", "3"}, "", 30},
      {{"-r", input, "--timing=none", "--loop", "3", "-c", "25"}, "", 25},
      {{"-r", input, "--timing=none", "--loop", "0", "-c", "23", "--method=sendmmsg"}, "", 23},
      // Standard input is read once and replayed from memory.
      {{"-r", "-", "--timing=none", "--loop", "2"}, stdin_bytes, 20},
  };
  for (const Case& c : cases) {
    ProcessResult result;
    const std::string what = testing::PrintToString(c.args);
    const std::vector<Bytes> got = replay_and_capture(c.args, c.expected, result, c.input);
    ASSERT_EQ(result.exit_code, 0) << what << ": " << result.err;
    expect_frames(got, repeated(c.expected), what);
    EXPECT_NE(result.err.find(std::to_string(c.expected) + " packets ("), std::string::npos) << what << result.err;
  }
}

// Loose bounds, not a benchmark: six packets 100 ms apart take about half a
// second at the original pace, a tenth of it at --timing=5, and arrive
// spaced like that.
TEST_F(ReplayDelivery, OriginalTimingFollowsTheTimestamps) {
  std::vector<PcapPacket> packets;
  for (uint8_t i = 0; i < 6; ++i) {
    packets.push_back({int64_t{1600000000} * 1000000000 + int64_t{i} * 100000000, frame_of_size(64, i), 0});
  }
  const std::string input = scratch_.file("paced.pcap");
  clitest::write_pcap(input, DLT_EN10MB, packets);
  struct Case {
    std::string timing;
    double min_seconds;
    double max_seconds;
  };
  for (const Case& c : {Case{"original", 0.45, 3.0}, Case{"5", 0.09, 0.4}, Case{"none", 0.0, 0.09}}) {
    TcpdumpCapture capture(kFar, scratch_.file("paced-" + c.timing + ".pcap"));
    ASSERT_TRUE(capture.wait_listening()) << capture.messages();
    const auto start = std::chrono::steady_clock::now();
    ProcessResult result = bpfc({"replay", "-i", kNear, "-r", input, "--timing=" + c.timing});
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const std::vector<PcapPacket> got = capture.stop(packets.size());
    ASSERT_EQ(got.size(), packets.size()) << c.timing;
    // The capture's own timestamps: the span the receiver saw.
    const double span = static_cast<double>(got.back().timestamp_ns - got.front().timestamp_ns) / 1e9;
    EXPECT_GE(span, c.min_seconds) << "--timing=" << c.timing;
    EXPECT_LE(span, c.max_seconds) << "--timing=" << c.timing;
    if (c.timing != "none") {
      EXPECT_GE(elapsed, c.min_seconds) << "--timing=" << c.timing;
    }
  }
}

// --loop 0 sends until a signal; SIGINT ends it cleanly with the statistics
// and status 0, as SIGINT ends tcpdump.
TEST_F(ReplayDelivery, SigintEndsAnEndlessLoopWithItsStatistics) {
  if (!testsupport::program_available("timeout")) GTEST_SKIP() << "timeout (coreutils) is not installed";
  const std::string input = scratch_.file("endless.pcap");
  clitest::write_pcap(input, DLT_EN10MB, {{0, frame_of_size(60, 1), 0}, {1000000, frame_of_size(61, 2), 0}});
  for (const char* timing : {"--timing=none", "--timing=original"}) {
    ProcessResult result = run_process({"timeout", "--preserve-status", "-s", "INT", "0.5", bpfc_binary(), "replay",
                                        "-i", kNear, "-r", input, "--loop", "0", timing});
    EXPECT_EQ(result.exit_code, 0) << timing << ": " << result.err;
    EXPECT_NE(result.err.find("stopped by a signal"), std::string::npos) << timing << ": " << result.err;
    EXPECT_NE(result.err.find(" bytes) sent on rp0"), std::string::npos) << timing << ": " << result.err;
    EXPECT_EQ(result.err.find("\n0 packets ("), std::string::npos) << timing << ": " << result.err;
  }
}

TEST_F(ReplayDelivery, FramesLongerThanTheMtuAreCountedAndSkipped) {
  ASSERT_EQ(ip({"link", "set", kNear, "mtu", "500"}).exit_code, 0);
  const std::vector<PcapPacket> packets = {
      {0, frame_of_size(100, 1), 0},
      {0, frame_of_size(600, 2), 0},        // too long
      {0, frame_of_size(514, 3), 0},        // MTU + 14: fits
      {0, frame_of_size(515, 4), 0},        // too long
      {0, frame_of_size(518, 5, true), 0},  // 802.1Q-tagged: 4 more fit
      {0, frame_of_size(519, 6, true), 0},  // too long even so
      {0, frame_of_size(60, 7), 0},
  };
  const std::string input = scratch_.file("sizes.pcap");
  clitest::write_pcap(input, DLT_EN10MB, packets);
  for (const char* method : {"ring", "sendmmsg"}) {
    ProcessResult result;
    const std::vector<Bytes> got =
        replay_and_capture({"-r", input, "--timing=none", std::string("--method=") + method}, 4, result);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    expect_frames(got, {packets[0].data, packets[2].data, packets[4].data, packets[6].data}, method);
    // One warning, naming the first, and the count at the end.
    EXPECT_NE(result.err.find("packet 2 (600 bytes) is longer than interface 'rp0' takes (MTU 500"), std::string::npos)
        << result.err;
    EXPECT_EQ(result.err.find("packet 4 ("), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("4 packets (1192 bytes) sent"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("3 skipped"), std::string::npos) << result.err;
  }
  // A file with nothing the interface takes ends even with --loop 0.
  const std::string too_long = scratch_.file("too-long.pcap");
  clitest::write_pcap(too_long, DLT_EN10MB, {packets[1]});
  ProcessResult endless = run_process({"timeout", "10", bpfc_binary(), "replay", "-i", kNear, "-r", too_long,
                                       "--loop", "0", "--timing=none"});
  EXPECT_EQ(endless.exit_code, 0) << endless.err;
  EXPECT_NE(endless.err.find("0 packets (0 bytes) sent on rp0"), std::string::npos) << endless.err;
  EXPECT_NE(endless.err.find("1 skipped"), std::string::npos) << endless.err;
  ASSERT_EQ(ip({"link", "set", kNear, "mtu", "1500"}).exit_code, 0);
}

}  // namespace
}  // namespace bpfc::replaytest
