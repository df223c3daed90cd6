// The capture source itself (no CLI): the window between opening the
// device and installing the filter is as long as the test makes it, and a
// filter changed on a running capture still lets nothing through that the
// new one rejects.
#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "bpfc/capture/live.h"
#include "bpfc/driver/compile.h"
#include "live_filter.h"
#include "veth_fixture.h"

namespace bpfc::livetest {
namespace {

using namespace std::chrono_literals;

capture::LiveOptions options_for(const std::string& device) {
  capture::LiveOptions options;
  options.device = device;
  options.wait_ms = 20;
  return options;
}

// Sends frames to ports 7 and 9 (one in ten to 7) until destroyed.
class Flood {
 public:
  Flood() {
    thread_ = std::thread([this] {
      const auto seven = udp_frame(std::nullopt, 7, 18);
      const auto nine = udp_frame(std::nullopt, 9, 18);
      for (uint64_t i = 0; !stop_.load(); ++i) send_frame(kSender, i % 10 == 0 ? seven : nine);
    });
  }
  ~Flood() {
    stop_.store(true);
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Reads for `duration`; counts packets to port 7 and others.
void read_for(capture::LiveSource& source, std::chrono::milliseconds duration, size_t& wanted, size_t& unwanted) {
  const auto end = std::chrono::steady_clock::now() + duration;
  capture::Batch batch;
  while (std::chrono::steady_clock::now() < end && source.next(batch)) {
    for (const capture::Packet& packet : batch.packets) {
      const auto port = udp_destination_port(std::vector<uint8_t>(packet.data, packet.data + packet.caplen));
      (port == 7 ? wanted : unwanted) += 1;
    }
  }
}

TEST(LiveSource, NothingPassesBetweenOpeningAndTheFilter) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  Flood flood;
  capture::LiveError error;
  auto source = capture::LiveSource::open(options_for(kReceiver), error);
  ASSERT_TRUE(source) << error.message;
  // A long window with the flood going: the ring must stay empty.
  std::this_thread::sleep_for(100ms);
  capture::FilterPlacement placement;
  ASSERT_FALSE(source->set_filter(live_filter("udp dst port 7", source->dlt()), placement));
  EXPECT_TRUE(placement.in_kernel);
  size_t wanted = 0, unwanted = 0;
  read_for(*source, 200ms, wanted, unwanted);
  EXPECT_GT(wanted, 0u);
  EXPECT_EQ(unwanted, 0u);
}

TEST(LiveSource, AChangedFilterAppliesToPacketsAlreadyInTheRing) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  Flood flood;
  capture::LiveError error;
  auto source = capture::LiveSource::open(options_for(kReceiver), error);
  ASSERT_TRUE(source) << error.message;
  capture::FilterPlacement placement;
  ASSERT_FALSE(source->set_filter(live_filter("udp", source->dlt()), placement));
  // The ring fills with packets of both ports under the first filter...
  std::this_thread::sleep_for(50ms);
  ASSERT_FALSE(source->set_filter(live_filter("udp dst port 7", source->dlt()), placement));
  // ...and none to port 9 may come out once the second is set.
  size_t wanted = 0, unwanted = 0;
  read_for(*source, 150ms, wanted, unwanted);
  EXPECT_GT(wanted, 0u);
  EXPECT_EQ(unwanted, 0u);
  EXPECT_GT(source->statistics().filtered_in_user_space, 0u);
}

TEST(LiveSource, RefusedProgramsRunInUserSpace) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  Flood flood;
  capture::LiveError error;
  auto source = capture::LiveSource::open(options_for(kReceiver), error);
  ASSERT_TRUE(source) << error.message;
  capture::LiveFilter filter = live_filter("udp dst port 7", source->dlt());
  // Padding past the kernel's 4096 instructions: never reached.
  cbpf::Program padded = filter.program;
  padded.insert(padded.begin(), cbpf::jump(cbpf::JMP | cbpf::JA, static_cast<uint32_t>(4100), 0, 0));
  padded.insert(padded.begin() + 1, 4100, cbpf::stmt(cbpf::RET | cbpf::K, 0xffff));
  filter.program = padded;
  filter.userspace = capture::classic_userspace_filter(padded);
  capture::FilterPlacement placement;
  ASSERT_FALSE(source->set_filter(std::move(filter), placement));
  EXPECT_FALSE(placement.in_kernel);
  ASSERT_TRUE(placement.reason);
  EXPECT_NE(placement.reason->find("4096"), std::string::npos) << *placement.reason;
  size_t wanted = 0, unwanted = 0;
  read_for(*source, 150ms, wanted, unwanted);
  EXPECT_GT(wanted, 0u);
  EXPECT_EQ(unwanted, 0u);
  EXPECT_GT(source->statistics().filtered_in_user_space, 0u);
}

TEST(LiveSource, ErrorsSayWhat) {
  if (auto reason = enter_veth_namespace()) GTEST_SKIP() << *reason;
  capture::LiveError error;
  EXPECT_FALSE(capture::LiveSource::open(options_for("nosuch0"), error));
  EXPECT_EQ(error.kind, capture::LiveError::Kind::NoSuchDevice);
  EXPECT_EQ(error.message, "nosuch0: no such interface");
  std::string ip_error;
  ASSERT_TRUE(run_ip({"link", "add", "vdown0", "type", "veth", "peer", "name", "vdown1"}, ip_error)) << ip_error;
  EXPECT_FALSE(capture::LiveSource::open(options_for("vdown0"), error));
  EXPECT_EQ(error.kind, capture::LiveError::Kind::DeviceDown);
  capture::LiveOptions huge = options_for(kReceiver);
  huge.ring.block_bytes = 1u << 30;
  huge.ring.block_count = 1u << 16;  // 64 TiB: refused before the kernel is asked
  EXPECT_FALSE(capture::LiveSource::open(huge, error));
  EXPECT_EQ(error.kind, capture::LiveError::Kind::RingTooLarge) << error.message;
}

}  // namespace
}  // namespace bpfc::livetest
