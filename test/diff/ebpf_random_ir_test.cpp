// The eBPF code generator on random IR (test/ir/random_ir.h): many values
// live at once (spills to the stack), phis, every arithmetic operation with
// the contract's edge cases (division by zero, shifts by 32 or more, wrapping
// offsets). Each function becomes a socket filter, a tc and an XDP program
// that the kernel's verifier must load, and BPF_PROG_TEST_RUN on random
// packets must return what the IR's reference interpreter returns (with
// protochain walks bounded as the eBPF loop bounds them).
#include <algorithm>
#include <iostream>
#include <random>

#include <gtest/gtest.h>

#include "bpfc/ebpf/codegen.h"
#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/verifier.h"
#include "bpfc/optimizer/legalize.h"
#include "ebpf_kernel_runner.h"
#include "random_ir.h"

namespace bpfc::difftest {
namespace {

#ifdef BPFC_SANITIZED_BUILD
constexpr int kFunctions = 60;
#else
constexpr int kFunctions = 400;
#endif
constexpr int kPacketsPerFunction = 40;
constexpr uint32_t kDepth = 6;  // protochain's bound, small so that random packets reach it

ebpf::CodegenOptions codegen_options(ebpf::Hook hook, ebpf::PacketAccess access) {
  ebpf::CodegenOptions options = ebpf::default_codegen_options(hook);
  options.access = access;
  options.protochain_depth = kDepth;
  return options;
}

TEST(EbpfRandomIr, KernelRunsGiveTheInterpretersVerdicts) {
  if (!kernel_loads_ebpf()) GTEST_SKIP() << "this process may not load eBPF programs (bpf(BPF_PROG_LOAD) refused)";

  std::mt19937 rng(0x65627066);  // "ebpf"
  testing::RandomIrShape shape;
  shape.long_lived_values = 12;    // more than the registers: some live on the stack
  shape.operand_window = 10;
  size_t programs = 0, runs = 0, refused_frames = 0, mismatches = 0, max_slots = 0;
  for (int n = 0; n < kFunctions; ++n) {
    const ir::Function f = testing::random_function(rng, shape);
    ASSERT_FALSE(ir::verify(f)) << ir::print(f);
    // The reference: the walks unrolled to the same bound, which the
    // interpreter runs as ordinary loads.
    ir::Function bounded = f;
    opt::unroll_protochain(bounded, kDepth);
    // Each hook with its own packet access, and socket and tc with
    // bpf_skb_load_bytes() alone.
    for (const auto& [hook, access] : {std::pair{ebpf::Hook::Socket, ebpf::PacketAccess::Legacy},
                                       std::pair{ebpf::Hook::Tc, ebpf::PacketAccess::Legacy},
                                       std::pair{ebpf::Hook::Xdp, ebpf::PacketAccess::Direct},
                                       std::pair{ebpf::Hook::Socket, ebpf::PacketAccess::Skb},
                                       std::pair{ebpf::Hook::Tc, ebpf::PacketAccess::Skb}}) {
      auto program = ebpf::compile_for_hook(f, codegen_options(hook, access));
      ASSERT_TRUE(program.ok()) << program.error().message << "\n" << ir::print(f);
      max_slots = std::max(max_slots, program->generated.spill_slots);
      const LoadedEbpf loaded(program->generated.program, hook);
      ASSERT_TRUE(loaded.loaded()) << ebpf::name(hook) << "/" << ebpf::name(access) << " program refused:\n" << loaded.log() << "\n" << ir::print(f);
      ++programs;
      for (int p = 0; p < kPacketsPerFunction; ++p) {
        const std::vector<uint8_t> packet = testing::random_packet(rng, 80);
        const auto returned = loaded.run(packet.data(), static_cast<uint32_t>(packet.size()));
        if (!returned) {
          ++refused_frames;
          continue;
        }
        ++runs;
        const uint32_t verdict = ir::interpret(bounded, packet, static_cast<uint32_t>(packet.size()));
        const uint32_t expected = hook_return(hook, verdict);
        if (*returned != expected && ++mismatches <= 5) {
          ADD_FAILURE() << ebpf::name(hook) << "/" << ebpf::name(access) << ": kernel " << *returned << ", interpreter " << verdict
                        << " (expected " << expected << ") on a " << packet.size() << "-byte packet\n"
                        << ir::print(f);
        }
      }
    }
  }
  std::cout << "eBPF random IR: " << programs << " programs loaded, " << runs << " test runs, " << mismatches
            << " mismatches (" << refused_frames << " frames the kernel would not run); up to " << max_slots
            << " stack slots\n";
  EXPECT_EQ(mismatches, 0u);
  EXPECT_GT(max_slots, 0u);
}

}  // namespace
}  // namespace bpfc::difftest
