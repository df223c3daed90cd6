// The fanout source itself (no CLI): a group of sockets on one interface
// whose packets come out merged in timestamp order, with statistics summed
// over the sockets; and why bpfc capture leaves PACKET_FANOUT_FLAG_DEFRAG
// off: with it the sockets see reassembled datagrams, not the fragments on
// the wire.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "bpfc/capture/fanout.h"
#include "bpfc/driver/compile.h"
#include "live_filter.h"
#include "veth_fixture.h"

namespace bpfc::livetest {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<capture::FanoutSource> open_group(uint32_t threads, const std::string& expression,
                                                  bool defragment = false) {
  capture::LiveOptions options;
  options.device = kReceiver;
  options.wait_ms = 20;
  capture::LiveError error;
  auto source = capture::FanoutSource::open(options, threads, error, defragment);
  EXPECT_TRUE(source) << error.message;
  if (!source) return nullptr;
  EXPECT_TRUE(source->fanout_group().has_value());
  capture::FilterPlacement placement;
  auto failure = source->set_filter(live_filter(expression, source->dlt()), placement);
  EXPECT_FALSE(failure) << failure->message;
  EXPECT_TRUE(placement.in_kernel);
  return source;
}

// Reads until `count` packets came or `timeout` passed.
std::vector<std::pair<int64_t, std::vector<uint8_t>>> read_packets(capture::LiveSource& source, size_t count,
                                                                   std::chrono::milliseconds timeout) {
  std::vector<std::pair<int64_t, std::vector<uint8_t>>> packets;
  const auto end = std::chrono::steady_clock::now() + timeout;
  capture::Batch batch;
  while (packets.size() < count && std::chrono::steady_clock::now() < end && source.next(batch)) {
    for (const capture::Packet& p : batch.packets) {
      packets.emplace_back(p.timestamp_ns, std::vector<uint8_t>(p.data, p.data + p.caplen));
    }
  }
  return packets;
}

std::vector<uint8_t> flow_frame(uint16_t source_port, uint16_t port, size_t payload_bytes) {
  std::vector<uint8_t> frame = udp_frame(std::nullopt, port, payload_bytes);
  frame[34] = static_cast<uint8_t>(source_port >> 8);
  frame[35] = static_cast<uint8_t>(source_port);
  return frame;
}

TEST(FanoutSource, MergesTheGroupInTimestampOrder) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  auto source = open_group(4, "udp dst port 6500");
  ASSERT_TRUE(source);
  constexpr size_t kFlows = 48, kEach = 4;
  // Sent while the workers read (they start at the first next()).
  std::thread sender([] {
    std::this_thread::sleep_for(30ms);
    for (size_t round = 0; round < kEach; ++round) {
      for (size_t flow = 0; flow < kFlows; ++flow) {
        send_frame(kSender, flow_frame(static_cast<uint16_t>(42000 + flow), 6500, 20));
      }
      send_udp(6501, 10, 1);  // rejected by every socket's filter
    }
  });
  auto packets = read_packets(*source, kFlows * kEach, 5s);
  sender.join();
  ASSERT_EQ(packets.size(), kFlows * kEach);
  for (size_t i = 1; i < packets.size(); ++i) ASSERT_LE(packets[i - 1].first, packets[i].first) << i;
  for (const auto& [timestamp, bytes] : packets) EXPECT_EQ(udp_destination_port(bytes), 6500);
  const capture::LiveStatistics statistics = source->statistics();
  EXPECT_EQ(statistics.received_by_filter, kFlows * kEach);
  EXPECT_EQ(statistics.delivered, kFlows * kEach);
  EXPECT_EQ(statistics.dropped_ring_full, 0u);
  EXPECT_EQ(source->merge_out_of_order(), 0u);
  // A stop ends the stream.
  source->request_stop();
  capture::Batch batch;
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (source->next(batch)) ASSERT_LT(std::chrono::steady_clock::now(), deadline);
  EXPECT_FALSE(source->error());
}

uint16_t checksum(const uint8_t* data, size_t length) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < length; i += 2) sum += uint32_t{data[i]} << 8 | data[i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// The UDP datagram of `frame` (Ethernet, IPv4 without options) in two
// fragments, the first with `first_bytes` bytes of the IP payload.
std::vector<std::vector<uint8_t>> fragments(const std::vector<uint8_t>& frame, size_t first_bytes) {
  constexpr size_t kIp = 14;
  const std::vector<uint8_t> payload(frame.begin() + kIp + 20, frame.end());
  std::vector<std::vector<uint8_t>> out;
  for (size_t offset : {size_t{0}, first_bytes}) {
    const size_t length = offset == 0 ? first_bytes : payload.size() - first_bytes;
    std::vector<uint8_t> piece(frame.begin(), frame.begin() + kIp + 20);
    piece.insert(piece.end(), payload.begin() + offset, payload.begin() + offset + length);
    const size_t total = 20 + length;
    piece[kIp + 2] = static_cast<uint8_t>(total >> 8);
    piece[kIp + 3] = static_cast<uint8_t>(total);
    piece[kIp + 4] = 0x12;  // identification
    piece[kIp + 5] = 0x34;
    const uint16_t flags_offset = static_cast<uint16_t>((offset == 0 ? 0x2000 : 0) | offset / 8);
    piece[kIp + 6] = static_cast<uint8_t>(flags_offset >> 8);
    piece[kIp + 7] = static_cast<uint8_t>(flags_offset);
    piece[kIp + 10] = piece[kIp + 11] = 0;
    const uint16_t sum = checksum(piece.data() + kIp, 20);
    piece[kIp + 10] = static_cast<uint8_t>(sum >> 8);
    piece[kIp + 11] = static_cast<uint8_t>(sum);
    out.push_back(std::move(piece));
  }
  return out;
}

TEST(FanoutSource, DefragmentHandsOverReassembledDatagrams) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  const auto pieces = fragments(udp_frame(std::nullopt, 6600, 200), 64);
  for (bool defragment : {false, true}) {
    SCOPED_TRACE(defragment ? "PACKET_FANOUT_FLAG_DEFRAG" : "no PACKET_FANOUT_FLAG_DEFRAG");
    auto source = open_group(2, "host 10.9.0.3", defragment);
    ASSERT_TRUE(source);
    capture::Batch batch;
    source->next(batch);  // the workers start
    for (const auto& piece : pieces) ASSERT_TRUE(send_frame(kSender, piece));
    auto packets = read_packets(*source, 2, 600ms);
    if (defragment) {
      ASSERT_EQ(packets.size(), 1u);
      EXPECT_EQ(packets[0].second.size(), 14u + 20 + 8 + 200);  // the datagram, not a fragment
    } else {
      ASSERT_EQ(packets.size(), 2u);
      EXPECT_EQ(packets[0].second, pieces[0]);
      EXPECT_EQ(packets[1].second, pieces[1]);
    }
  }
}

}  // namespace
}  // namespace bpfc::livetest
