// No packet that fails the filter reaches the output, even when the
// interface is flooded with them before and while the capture starts: the
// socket rejects everything until the filter is in place.
#include <signal.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "background_process.h"
#include "side_by_side.h"
#include "veth_fixture.h"

namespace bpfc::livetest {
namespace {

using namespace std::chrono_literals;

constexpr uint16_t kWantedPort = 7;
constexpr uint16_t kUnwantedPort = 9;

// Sends one wanted datagram for every nine unwanted ones until told to stop.
class Flood {
 public:
  Flood() {
    thread_ = std::thread([this] {
      const std::vector<uint8_t> wanted = udp_frame(std::nullopt, kWantedPort, 18);
      const std::vector<uint8_t> unwanted = udp_frame(std::nullopt, kUnwantedPort, 18);
      for (uint64_t i = 0; !stop_.load(); ++i) {
        send_frame(kSender, i % 10 == 0 ? wanted : unwanted);
        sent_ = i + 1;
      }
    });
  }
  ~Flood() { stop(); }
  void stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  uint64_t sent() const { return sent_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> sent_{0};
  std::thread thread_;
};

void expect_no_leak(const std::vector<std::string>& extra_options, const std::string& device) {
  TempDirectory directory;
  const std::string output = directory.file("out.pcap");
  Flood flood;
  std::this_thread::sleep_for(50ms);
  std::vector<std::string> argv = {BPFC_BINARY, "capture", "-i", device, "-w", output};
  argv.insert(argv.end(), extra_options.begin(), extra_options.end());
  argv.insert(argv.end(), {"--", "udp dst port " + std::to_string(kWantedPort)});
  BackgroundProcess capture(argv);
  ASSERT_TRUE(capture.wait_for_stderr("listening on", 10s)) << capture.stderr_text();
  std::this_thread::sleep_for(200ms);
  flood.stop();
  capture.send_signal(SIGINT);
  ASSERT_EQ(capture.wait(), 0) << capture.stderr_text();
  ASSERT_GT(flood.sent(), 1000u) << "the flood did not get going";
  std::string problems;
  const std::vector<SavedPacket> packets = read_savefile(output, problems);
  EXPECT_EQ(problems, "");
  EXPECT_GT(packets.size(), 0u);
  size_t leaked = 0;
  for (const SavedPacket& p : packets) {
    std::vector<uint8_t> frame = p.bytes;
    if (device == "any" && frame.size() >= 20) {
      // Give the cooked packet an Ethernet-sized header to read it the same way.
      frame.erase(frame.begin(), frame.begin() + 6);
      frame[12] = p.bytes[0];
      frame[13] = p.bytes[1];
    }
    leaked += udp_destination_port(frame) != kWantedPort;
  }
  EXPECT_EQ(leaked, 0u) << "of " << packets.size() << " packets";
}

TEST(NoLeak, FloodBeforeAndDuringStartUp) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  expect_no_leak({}, kReceiver);
}

TEST(NoLeak, FloodOnAny) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  expect_no_leak({}, "any");
}

// The user-space path has the same guarantee: the kernel keeps rejecting
// everything until the user-space filter is ready.
TEST(NoLeak, FloodWithTheFilterInUserSpace) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  expect_no_leak({"--kernel-filter=off"}, kReceiver);
}

}  // namespace
}  // namespace bpfc::livetest
