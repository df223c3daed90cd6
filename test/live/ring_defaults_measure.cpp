// Measurements behind the ring's defaults (block size and count, block
// retire timeout), not tests: disabled, run by hand with
//   build/test/test_live --gtest_also_run_disabled_tests --gtest_filter='RingDefaults.*'
// They print tables and assert nothing about time.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include <gtest/gtest.h>

#include "bpfc/capture/live.h"
#include "bpfc/capture/savefile.h"
#include "bpfc/driver/compile.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "veth_fixture.h"

namespace bpfc::livetest {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::unique_ptr<capture::LiveSource> open_receiver(const capture::RingOptions& ring) {
  capture::LiveOptions options;
  options.device = kReceiver;
  options.ring = ring;
  options.wait_ms = 5;
  capture::LiveError error;
  auto source = capture::LiveSource::open(options, error);
  EXPECT_TRUE(source) << error.message;
  if (!source) return nullptr;
  CompileOptions compile;
  compile.context = CompileContext::Linux;
  capture::LiveFilter filter;
  filter.expression = "udp dst port 7";
  filter.program = *compile_cbpf(filter.expression, compile);
  capture::FilterPlacement placement;
  EXPECT_FALSE(source->set_filter(std::move(filter), placement));
  return source;
}

int64_t realtime_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// How long a lone packet waits in the ring before next() hands it over.
TEST(RingDefaults, DISABLED_LatencyByRetireTimeout) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  const auto frame = udp_frame(std::nullopt, 7, 18);
  std::printf("%-12s %12s %12s\n", "timeout ms", "median us", "max us");
  for (uint32_t timeout : {1u, 2u, 4u, 10u, 40u, 100u}) {
    auto source = open_receiver({.block_bytes = 1u << 20, .block_count = 8, .retire_timeout_ms = timeout});
    ASSERT_TRUE(source);
    std::vector<double> waits;
    capture::Batch batch;
    for (int i = 0; i < 15; ++i) {
      send_frame(kSender, frame);
      const auto deadline = Clock::now() + 500ms;
      bool got = false;
      while (!got && Clock::now() < deadline && source->next(batch)) {
        for (const capture::Packet& packet : batch.packets) {
          waits.push_back(static_cast<double>(realtime_ns() - packet.timestamp_ns) / 1000.0);
          got = true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(timeout + 3));
    }
    std::sort(waits.begin(), waits.end());
    std::printf("%-12u %12.0f %12.0f\n", timeout, waits.empty() ? 0 : waits[waits.size() / 2],
                waits.empty() ? 0 : waits.back());
  }
}

// Drops of one ring size cut into blocks of different sizes, with a sender
// at full speed and a reader that writes every packet as pcap to /dev/null
// and stalls for 20 ms every 50 ms (as a write to a busy disk does).
TEST(RingDefaults, DISABLED_DropsByBlockShape) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  constexpr int kFrames = 300000;
  std::printf("%-10s %-7s %-8s %10s %10s %10s %8s\n", "block", "blocks", "timeout", "sent", "captured", "dropped", "sent/s");
  struct Shape {
    uint32_t block_bytes, block_count, timeout_ms;
  };
  for (const Shape shape : {Shape{64u << 10, 128, 10}, Shape{256u << 10, 32, 10}, Shape{1u << 20, 8, 10},
                            Shape{4u << 20, 2, 10}, Shape{1u << 20, 8, 1}, Shape{1u << 20, 8, 100},
                            Shape{1u << 20, 2, 10}, Shape{256u << 10, 8, 10}, Shape{64u << 10, 128, 1}, Shape{256u << 10, 32, 1}}) {
    auto source = open_receiver({.block_bytes = shape.block_bytes, .block_count = shape.block_count,
                                 .retire_timeout_ms = shape.timeout_ms});
    ASSERT_TRUE(source);
    capture::SavefileError error;
    auto sink = capture::create_savefile("/dev/null", {}, error);
    ASSERT_TRUE(sink);
    std::atomic<bool> done{false};
    std::thread sender([&] {
      const auto frame = udp_frame(std::nullopt, 7, 18);
      for (int i = 0; i < kFrames; ++i) send_frame(kSender, frame);
      done.store(true);
    });
    uint64_t captured = 0;
    capture::Batch batch;
    auto quiet_since = Clock::now();
    auto last_stall = Clock::now();
    const auto started = Clock::now();
    while (true) {
      if (Clock::now() - last_stall > 50ms) {
        std::this_thread::sleep_for(20ms);
        last_stall = Clock::now();
      }
      source->next(batch);
      for (const capture::Packet& packet : batch.packets) sink->write_packet(packet, source->interfaces()[0]);
      captured += batch.packets.size();
      if (!batch.packets.empty()) quiet_since = Clock::now();
      if (done.load() && Clock::now() - quiet_since > 200ms) break;
    }
    sender.join();
    const double seconds = std::chrono::duration<double>(quiet_since - started).count();
    const capture::LiveStatistics statistics = source->statistics();
    std::printf("%-10u %-7u %-8u %10d %10llu %10llu %8.0f\n", shape.block_bytes >> 10, shape.block_count,
                shape.timeout_ms, kFrames, static_cast<unsigned long long>(captured),
                static_cast<unsigned long long>(statistics.dropped_ring_full), kFrames / seconds);
  }
}

}  // namespace
}  // namespace bpfc::livetest
