// run_ebpf() against the kernel on random programs (ebpf_random_programs.h)
// and random packets, in socket filters, tc and XDP: the same return value
// on every run, counted.
#include <gtest/gtest.h>

#include <iostream>
#include <random>

#include "bpfc/runtime/ebpf_kernel.h"
#include "bpfc/runtime/ebpf_vm.h"
#include "ebpf_kernel_harness.h"
#include "ebpf_random_programs.h"

namespace bpfc::runtime {
namespace {

using namespace bpfc::ebpf;

constexpr int kPrograms = 1000;
constexpr int kPacketsPerProgram = 24;

// A random packet as the program sees it: for socket filters any length
// (behind the harness's Ethernet header); for tc and XDP a frame with an
// Ethernet header of its own, whose ethertype has no length rules.
std::vector<uint8_t> random_packet(std::mt19937_64& rng, Hook hook) {
  // Mostly long enough for the loads, sometimes short.
  std::vector<uint8_t> packet(rng() % 3 == 0 ? rng() % 72 : 44 + rng() % 40);
  for (uint8_t& byte : packet) byte = static_cast<uint8_t>(rng() % 4 == 0 ? 0xff * (rng() % 2) : rng());
  if (hook != Hook::Socket) {
    const std::vector<uint8_t> header = testing::socket_frame({});
    packet.insert(packet.begin(), header.begin(), header.end());
  }
  return packet;
}

void expect_no_differences(Hook hook, bool legacy_loads, uint64_t seed) {
  if (auto why = bpf_unavailable_reason()) GTEST_SKIP() << *why;
  testing::RandomEbpfPrograms generator(seed);
  std::mt19937_64 rng(seed + 1);
  int runs = 0, differences = 0, zeros = 0;
  for (int i = 0; i < kPrograms; ++i) {
    const Program program = generator.next(4 + static_cast<unsigned>(i % 40), legacy_loads);
    const auto invalid = validate_ebpf(program);
    ASSERT_FALSE(invalid.has_value()) << "program " << i << ": " << invalid->describe();
    const testing::KernelAndVm both(program, hook);
    ASSERT_FALSE(both.load_error().has_value()) << "program " << i << ": " << both.load_error()->describe();
    for (int k = 0; k < kPacketsPerProgram; ++k) {
      const std::vector<uint8_t> packet = random_packet(rng, hook);
      const testing::BothResults r = both.run(packet);
      ASSERT_TRUE(r.kernel.has_value()) << r.error;
      ASSERT_TRUE(r.vm.ok()) << "program " << i << ": " << r.vm.fault->describe();
      ++runs;
      if (r.vm.r0 == 0) ++zeros;
      if (static_cast<uint32_t>(r.vm.r0) != *r.kernel) {
        ++differences;
        ADD_FAILURE() << "program " << i << ", packet of " << packet.size() << " bytes: interpreter "
                      << static_cast<uint32_t>(r.vm.r0) << ", kernel " << *r.kernel;
      }
    }
  }
  ::testing::Test::RecordProperty("runs", runs);
  ::testing::Test::RecordProperty("differences", differences);
  std::cout << "eBPF interpreter vs kernel (" << name(hook) << "): " << kPrograms << " random programs, " << runs
            << " runs, " << differences << " differences (" << zeros << " returned 0)\n";
  EXPECT_EQ(differences, 0);
  EXPECT_EQ(runs, kPrograms * kPacketsPerProgram);
}

TEST(EbpfRandomVsKernel, SocketFilters) { expect_no_differences(Hook::Socket, true, 20261206); }
TEST(EbpfRandomVsKernel, Tc) { expect_no_differences(Hook::Tc, true, 7); }
TEST(EbpfRandomVsKernel, Xdp) { expect_no_differences(Hook::Xdp, false, 11); }

}  // namespace
}  // namespace bpfc::runtime
