// protochain in the eBPF target: the bounded loop against bpfc's classic
// program with the walk unrolled to the same depth, in the kernel, on
// packets whose header chains are shorter and longer than the bound, in
// both layouts, truncated at every header.
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bpfc/driver/compile.h"
#include "bpfc/ebpf/codegen.h"
#include "bpfc/runtime/cbpf_vm.h"
#include "ebpf_kernel_runner.h"
#include "protochain_packets.h"
#include "synthetic_packets.h"

namespace bpfc::difftest {
namespace {

constexpr uint32_t kDepth = 12;

TEST(EbpfProtochain, LoopGivesTheBoundedWalksVerdicts) {
  if (!kernel_loads_ebpf()) GTEST_SKIP() << "this process may not load eBPF programs (bpf(BPF_PROG_LOAD) refused)";
  // Chains of 0..20 headers (the bound is 12), IPv6 and IPv4 (AH), both layouts.
  Rng rng(0x70636861);
  std::vector<std::vector<uint8_t>> frames;
  for (int n = 0; n < 160; ++n) {
    ChainSpec spec;
    spec.ipv6 = n % 3 != 0;
    spec.headers = random_chain(rng, spec.ipv6, rng.below(21), 30);
    spec.final_protocol = rng.pick(std::vector<uint8_t>{6, 17, 58, 1});
    spec.layout = n % 2 == 0 ? ChainLayout::AsLibpcapWalks : ChainLayout::AsOnTheWire;
    frames.push_back(frame_ip(kDltEn10mb, spec.ipv6, chain_ip_packet(spec, rng)));
  }
  const std::vector<std::string> filters = {
      "ip6 protochain 6",         "ip protochain 17",       "protochain 58",
      "ip6 protochain 6 or ip6 protochain 17", "ip6 protochain 51 and not tcp",
      "ip protochain 6 and udp",  "vlan and ip6 protochain 6"};
  size_t runs = 0, mismatches = 0;
  for (const std::string& filter : filters) {
    CompileOptions options;
    auto function = compile_to_ir(filter, options);
    options.protochain = ProtochainForm::Unrolled;
    options.protochain_depth = kDepth;
    auto classic = compile_cbpf(filter, options);
    ASSERT_TRUE(function.ok() && classic.ok()) << filter;
    for (ebpf::Hook hook : {ebpf::Hook::Socket, ebpf::Hook::Xdp, ebpf::Hook::Tc}) {
      ebpf::CodegenOptions codegen = ebpf::default_codegen_options(hook);
      codegen.protochain_depth = kDepth;
      auto program = ebpf::compile_for_hook(*function, codegen);
      ASSERT_TRUE(program.ok()) << program.error().message;
      ASSERT_FALSE(program->warnings.empty()) << "the bound must be reported";
      const LoadedEbpf loaded(program->generated.program, hook);
      ASSERT_TRUE(loaded.loaded()) << filter << " (" << ebpf::name(hook) << "):\n" << loaded.log();
      for (const auto& frame : frames) {
        for (uint32_t caplen = 0; caplen <= frame.size(); caplen += 3) {
          const auto returned = loaded.run(frame.data(), caplen);
          if (!returned) continue;
          ++runs;
          const uint32_t verdict = runtime::run_cbpf(*classic, {frame.data(), caplen}, caplen);
          if (*returned != hook_return(hook, verdict) && ++mismatches <= 5) {
            ADD_FAILURE() << filter << " (" << ebpf::name(hook) << ") caplen " << caplen << " of " << frame.size()
                          << ": kernel " << *returned << ", classic " << verdict;
          }
        }
      }
    }
  }
  std::cout << "eBPF protochain: " << filters.size() << " filters x 3 hooks, " << runs << " test runs, "
            << mismatches << " mismatches\n";
  EXPECT_EQ(mismatches, 0u);
  EXPECT_GT(runs, 10000u);
}

// The compile-time estimate of the verifier's work covers the kernel's own
// count on chains of protochain walks (each loop after the first is entered
// with several states), and the compile warns where the kernel gives up.
TEST(EbpfProtochain, VerifierEstimateCoversChainsOfWalks) {
  if (!kernel_loads_ebpf()) GTEST_SKIP() << "this process may not load eBPF programs (bpf(BPF_PROG_LOAD) refused)";
  for (int walks : {1, 2, 5, 20, 40}) {
    std::string expression;
    for (int i = 1; i <= walks; ++i) expression += (i > 1 ? " or " : "") + std::string("ip6 protochain ") + std::to_string(i);
    CompileOptions options;
    auto ir = compile_to_ir(expression, options);
    ASSERT_TRUE(ir.ok()) << ir.error().message;
    auto program = ebpf::compile_for_hook(*ir, ebpf::default_codegen_options(ebpf::Hook::Socket));
    ASSERT_TRUE(program.ok()) << program.error().message;
    const LoadedEbpf loaded(program->generated.program, ebpf::Hook::Socket);
    const size_t estimate = program->generated.verifier_estimate;
    bool warned = false;
    for (const std::string& warning : program->warnings) warned = warned || warning.find("budget") != std::string::npos;
    std::cout << walks << " walks: estimate " << estimate << ", the verifier " << (loaded.loaded() ? "checked " : "gave up after ")
              << loaded.processed() << (warned ? " (warned)" : "") << "\n";
    EXPECT_GE(estimate, loaded.processed()) << walks << " walks";
    // Where the kernel refuses the program for its size, the compile said so.
    if (!loaded.loaded()) {
      EXPECT_TRUE(warned) << walks << " walks: refused without a warning:\n" << loaded.log();
    }
    EXPECT_EQ(warned, estimate > ebpf::kVerifierBudget);
  }
}

}  // namespace
}  // namespace bpfc::difftest
