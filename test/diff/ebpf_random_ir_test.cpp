// The eBPF code generator on random IR (test/ir/random_ir.h): many values
// live at once (spills to the stack), phis, every arithmetic operation with
// the contract's edge cases (division by zero, shifts by 32 or more, wrapping
// offsets). Each function becomes a socket filter, a tc and an XDP program
// that the kernel's verifier must load, and BPF_PROG_TEST_RUN on random
// packets must return what the IR's reference interpreter returns (with
// protochain walks bounded as the eBPF loop bounds them).
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <random>

#include <gtest/gtest.h>

#include "bpfc/ebpf/codegen.h"
#include "bpfc/ir/interpreter.h"
#include "bpfc/ir/verifier.h"
#include "bpfc/optimizer/legalize.h"
#include "random_ir.h"

namespace bpfc::difftest {
namespace {

int load(const ebpf::Program& program, ebpf::Hook hook, std::string& log_text) {
  std::vector<bpf_insn> insns(program.size());
  for (size_t i = 0; i < program.size(); ++i) std::memcpy(&insns[i], ebpf::encode(program[i]).data(), 8);
  std::vector<char> log(1 << 20);
  LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_level = 1, .log_size = static_cast<__u32>(log.size()),
              .log_buf = log.data());
  const int fd = bpf_prog_load(static_cast<bpf_prog_type>(ebpf::program_type(hook)), "bpfc_random", "GPL",
                               insns.data(), insns.size(), &opts);
  if (fd < 0) {
    log_text = std::strerror(errno) + std::string("\n") + log.data();
    if (log_text.size() > 3000) log_text = log_text.substr(log_text.size() - 3000);
  }
  return fd;
}

#ifdef BPFC_SANITIZED_BUILD
constexpr int kFunctions = 60;
#else
constexpr int kFunctions = 400;
#endif
constexpr int kPacketsPerFunction = 40;
constexpr uint32_t kDepth = 6;  // protochain's bound, small so that random packets reach it

ebpf::CodegenOptions codegen_options(ebpf::Hook hook) {
  ebpf::CodegenOptions options = ebpf::default_codegen_options(hook);
  options.protochain_depth = kDepth;
  return options;
}

TEST(EbpfRandomIr, KernelRunsGiveTheInterpretersVerdicts) {
  std::string probe_log;
  const int probe = load({ebpf::mov64_imm(ebpf::R0, 0), ebpf::exit_insn()}, ebpf::Hook::Socket, probe_log);
  if (probe < 0) GTEST_SKIP() << "this process may not load eBPF programs (bpf(BPF_PROG_LOAD) refused)";
  ::close(probe);

  std::mt19937 rng(0x65627066);  // "ebpf"
  testing::RandomIrShape shape;
  shape.long_lived_values = 12;    // more than the registers: some live on the stack
  shape.operand_window = 10;
  size_t loaded = 0, runs = 0, refused_frames = 0, mismatches = 0, max_slots = 0;
  for (int n = 0; n < kFunctions; ++n) {
    const ir::Function f = testing::random_function(rng, shape);
    ASSERT_FALSE(ir::verify(f)) << ir::print(f);
    // The reference: the walks unrolled to the same bound, which the
    // interpreter runs as ordinary loads.
    ir::Function bounded = f;
    opt::unroll_protochain(bounded, kDepth);
    for (ebpf::Hook hook : {ebpf::Hook::Socket, ebpf::Hook::Tc, ebpf::Hook::Xdp}) {
      auto program = ebpf::compile_for_hook(f, codegen_options(hook));
      ASSERT_TRUE(program.ok()) << program.error().message << "\n" << ir::print(f);
      max_slots = std::max(max_slots, program->generated.spill_slots);
      std::string log;
      const int fd = load(program->generated.program, hook, log);
      ASSERT_GE(fd, 0) << ebpf::name(hook) << " program refused:\n" << log << "\n" << ir::print(f);
      ++loaded;
      for (int p = 0; p < kPacketsPerFunction; ++p) {
        const std::vector<uint8_t> packet = testing::random_packet(rng, 80);
        std::vector<uint8_t> frame;
        if (hook == ebpf::Hook::Socket) frame = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x88, 0xb5};
        frame.insert(frame.end(), packet.begin(), packet.end());
        LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame.data(),
                    .data_size_in = static_cast<__u32>(frame.size()), .repeat = 1);
        if (bpf_prog_test_run_opts(fd, &opts) != 0) {
          ++refused_frames;
          continue;
        }
        ++runs;
        const uint32_t verdict = ir::interpret(bounded, packet, static_cast<uint32_t>(packet.size()));
        uint32_t expected = verdict;
        if (hook == ebpf::Hook::Xdp) expected = verdict ? ebpf::kXdpPass : ebpf::kXdpDrop;
        if (hook == ebpf::Hook::Tc) expected = verdict ? ebpf::kTcActOk : ebpf::kTcActShot;
        if (opts.retval != expected && ++mismatches <= 5) {
          ADD_FAILURE() << ebpf::name(hook) << ": kernel " << opts.retval << ", interpreter " << verdict
                        << " (expected " << expected << ") on a " << packet.size() << "-byte packet\n"
                        << ir::print(f);
        }
      }
      ::close(fd);
    }
  }
  std::cout << "eBPF random IR: " << loaded << " programs loaded, " << runs << " test runs, " << mismatches
            << " mismatches (" << refused_frames << " frames the kernel would not run); up to " << max_slots
            << " stack slots\n";
  EXPECT_EQ(mismatches, 0u);
  EXPECT_GT(max_slots, 0u);
}

}  // namespace
}  // namespace bpfc::difftest
