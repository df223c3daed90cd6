// run_ebpf() against the kernel on random programs (ebpf_random_programs.h)
// and random packets: the same return value on every run, counted.
#include <gtest/gtest.h>

#include <random>

#include "bpfc/runtime/ebpf_kernel.h"
#include "bpfc/runtime/ebpf_vm.h"
#include "ebpf_kernel_harness.h"
#include "ebpf_random_programs.h"

namespace bpfc::runtime {
namespace {

using namespace bpfc::ebpf;

TEST(EbpfRandomVsKernel, SameReturnValueOnEveryRun) {
  if (auto why = bpf_unavailable_reason()) GTEST_SKIP() << *why;
  constexpr int kPrograms = 1000;
  constexpr int kPacketsPerProgram = 24;
  testing::RandomEbpfPrograms generator(20261206);
  std::mt19937_64 rng(42);
  int runs = 0, differences = 0, early_returns = 0;
  for (int i = 0; i < kPrograms; ++i) {
    const Program program = generator.next(4 + static_cast<unsigned>(i % 40));
    const auto invalid = validate_ebpf(program);
    ASSERT_FALSE(invalid.has_value()) << "program " << i << ": " << invalid->describe();
    const testing::KernelAndVm both(program, Hook::Socket);
    ASSERT_FALSE(both.load_error().has_value()) << "program " << i << ": " << both.load_error()->describe();
    for (int k = 0; k < kPacketsPerProgram; ++k) {
      // Mostly long enough for the loads, sometimes short.
      std::vector<uint8_t> packet(rng() % 3 == 0 ? rng() % 72 : 44 + rng() % 40);
      for (uint8_t& byte : packet) byte = static_cast<uint8_t>(rng() % 4 == 0 ? 0xff * (rng() % 2) : rng());
      const testing::BothResults r = both.run(packet);
      ASSERT_TRUE(r.kernel.has_value()) << r.error;
      ASSERT_TRUE(r.vm.ok()) << "program " << i << ": " << r.vm.fault->describe();
      ++runs;
      if (r.vm.r0 == 0) ++early_returns;
      if (static_cast<uint32_t>(r.vm.r0) != *r.kernel) {
        ++differences;
        ADD_FAILURE() << "program " << i << ", packet of " << packet.size() << " bytes: interpreter "
                      << static_cast<uint32_t>(r.vm.r0) << ", kernel " << *r.kernel;
      }
    }
  }
  RecordProperty("runs", runs);
  RecordProperty("differences", differences);
  std::cout << "eBPF interpreter vs kernel: " << kPrograms << " random programs, " << runs << " runs, " << differences
            << " differences (" << early_returns << " returned 0)\n";
  EXPECT_EQ(differences, 0);
  EXPECT_EQ(runs, kPrograms * kPacketsPerProgram);
}

}  // namespace
}  // namespace bpfc::runtime
