// The kernel loader and BPF_PROG_TEST_RUN, and run_ebpf() against the kernel
// on hand-written programs for the corner cases of each instruction class,
// each hook's context and the helpers. Skipped when this process may not
// use bpf().
#include "bpfc/runtime/ebpf_kernel.h"

#include <gtest/gtest.h>

#include <vector>

#include "bpfc/runtime/ebpf_vm.h"
#include "ebpf_kernel_harness.h"

namespace bpfc::runtime {
namespace {

using namespace bpfc::ebpf;
using testing::KernelAndVm;

#define SKIP_WITHOUT_BPF()                                         \
  do {                                                             \
    if (auto why = bpf_unavailable_reason()) GTEST_SKIP() << *why; \
  } while (0)

Program concat(std::initializer_list<Program> parts) {
  Program p;
  for (const Program& part : parts) p.insert(p.end(), part.begin(), part.end());
  return p;
}

Program imm64(uint8_t dst, uint64_t v) {
  const auto pair = ld_imm64(dst, v);
  return {pair[0], pair[1]};
}

// Frames of several lengths (0 to 80 bytes as the program sees them) with
// varied bytes.
std::vector<std::vector<uint8_t>> packets(size_t min_size = 0) {
  std::vector<std::vector<uint8_t>> out;
  for (size_t size : {0, 1, 2, 3, 4, 5, 13, 14, 15, 20, 34, 54, 80}) {
    if (size < min_size) continue;
    for (uint8_t seed : {0x00, 0x5a, 0xff}) {
      std::vector<uint8_t> p(size);
      for (size_t i = 0; i < size; ++i) p[i] = static_cast<uint8_t>(seed ^ (i * 37 + 11));
      out.push_back(p);
    }
  }
  return out;
}

// Runs `program` in both engines on every packet; returns the number of
// runs compared.
int expect_same(const Program& program, Hook hook, const std::vector<std::vector<uint8_t>>& inputs) {
  const KernelAndVm both(program, hook);
  EXPECT_FALSE(both.load_error().has_value()) << both.load_error()->describe();
  if (both.load_error()) return 0;
  int compared = 0;
  for (const auto& packet : inputs) {
    const testing::BothResults r = both.run(packet);
    EXPECT_TRUE(r.kernel.has_value()) << r.error;
    EXPECT_TRUE(r.vm.ok()) << r.vm.fault->describe();
    if (!r.kernel || !r.vm.ok()) continue;
    EXPECT_EQ(static_cast<uint32_t>(r.vm.r0), *r.kernel) << "packet of " << packet.size() << " bytes";
    ++compared;
  }
  return compared;
}

TEST(EbpfKernel, RefusalCarriesTheVerifierLog) {
  SKIP_WITHOUT_BPF();
  // r0 is never written: the verifier says so.
  auto loaded = load_program({exit_insn()}, kProgTypeSocketFilter);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().error_number, EACCES);
  EXPECT_NE(loaded.error().verifier_log.find("R0 !read_ok"), std::string::npos) << loaded.error().describe();
  EXPECT_NE(loaded.error().describe().find("verifier log:"), std::string::npos);
}

TEST(EbpfKernel, LoadsAndRunsWithTheLogAskedFor) {
  SKIP_WITHOUT_BPF();
  auto loaded = load_program({mov64_imm(R0, 42), exit_insn()}, kProgTypeSocketFilter, "GPL", 2);
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  EXPECT_TRUE(loaded->fd.valid());
  EXPECT_NE(loaded->verifier_log.find("processed 2 insns"), std::string::npos) << loaded->verifier_log;
  const std::vector<uint8_t> frame = testing::socket_frame(std::vector<uint8_t>(20, 1));
  auto run = test_run(loaded->fd, frame, 100);
  ASSERT_TRUE(run.ok()) << run.error().describe();
  EXPECT_EQ(run->retval, 42u);
  EXPECT_EQ(run->data_size_out, frame.size());
  // Frames under 14 bytes are refused by the kernel, with a clear error.
  auto too_short = test_run(loaded->fd, std::vector<uint8_t>(10, 0));
  EXPECT_FALSE(too_short.ok());
  EXPECT_NE(too_short.error().message.find("BPF_PROG_TEST_RUN on 10 bytes failed"), std::string::npos);
}

TEST(EbpfKernel, TheLogBufferGrowsUntilTheLogFits) {
  SKIP_WITHOUT_BPF();
  // Level 2 logs every instruction: 5000 of them write far more than the
  // first 64 KiB buffer holds.
  Program p{mov64_imm(R0, 0)};
  p.insert(p.end(), 5000, alu64_imm(ADD, R0, 1));
  p.push_back(exit_insn());
  auto loaded = load_program(p, kProgTypeSocketFilter, "GPL", 2);
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  EXPECT_GT(loaded->verifier_log.size(), 64u * 1024);
  EXPECT_NE(loaded->verifier_log.find("processed 5002 insns"), std::string::npos)
      << loaded->verifier_log.substr(loaded->verifier_log.size() - 300);
  // And on refusal: the same program without r0 written first.
  p.front() = mov64_imm(R1, 0);
  auto refused = load_program(p, kProgTypeSocketFilter);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().verifier_log.find("R0 !read_ok"), std::string::npos);
}

TEST(EbpfKernel, ArithmeticCornerCasesMatch) {
  SKIP_WITHOUT_BPF();
  const std::vector<std::vector<uint8_t>> inputs = packets(0);
  const Program head{mov64_reg(R6, R1), ld_abs(B, 0)};
  std::vector<Program> programs = {
      // Division and modulus by a zero register, 64 and 32 bits.
      {mov64_imm(R0, 9), mov64_imm(R1, 0), alu64_reg(DIV, R0, R1), alu64_imm(ADD, R0, 5), exit_insn()},
      {mov64_imm(R0, -9), mov64_imm(R1, 0), alu64_reg(MOD, R0, R1), alu64_imm(RSH, R0, 32), exit_insn()},
      {mov64_imm(R0, -9), mov64_imm(R1, 0), alu32_reg(MOD, R0, R1), alu64_imm(RSH, R0, 32), alu64_imm(ADD, R0, 3),
       exit_insn()},
      {mov64_imm(R0, -9), mov64_imm(R1, 0), alu32_reg(MOD, R0, R1), exit_insn()},
      concat({imm64(R1, 0x100000000), {mov64_imm(R0, 9), alu32_reg(DIV, R0, R1), alu64_imm(ADD, R0, 1), exit_insn()}}),
      // Shift amounts masked.
      {mov64_imm(R0, 1), mov64_imm(R1, 65), alu64_reg(LSH, R0, R1), exit_insn()},
      {mov64_imm(R0, 1), mov64_imm(R1, 33), alu32_reg(LSH, R0, R1), exit_insn()},
      {mov64_imm(R0, -16), mov64_imm(R1, 66), alu64_reg(ARSH, R0, R1), exit_insn()},
      {mov64_imm(R0, -16), mov64_imm(R1, 35), alu32_reg(ARSH, R0, R1), exit_insn()},
      // Byte swaps, both directions, every width.
      concat({imm64(R0, 0x1122334455667788), {to_be(R0, 16), exit_insn()}}),
      concat({imm64(R0, 0x1122334455667788), {to_be(R0, 32), exit_insn()}}),
      concat({imm64(R0, 0x1122334455667788), {to_be(R0, 64), exit_insn()}}),
      concat({imm64(R0, 0x1122334455667788), {Insn{ALU | END | TO_LE, R0, 0, 0, 16}, exit_insn()}}),
      concat(
          {imm64(R0, 0x1122334455667788), {Insn{ALU | END | TO_LE, R0, 0, 0, 32}, alu64_imm(RSH, R0, 1), exit_insn()}}),
      // ALU32 zero-extension seen through the high half.
      {mov64_imm(R0, -1), alu32_imm(ADD, R0, 0), alu64_imm(RSH, R0, 16), exit_insn()},
      {mov64_imm(R0, 3), alu32_imm(NEG, R0, 0), exit_insn()},
      {mov64_imm(R0, 3), alu64_imm(NEG, R0, 0), alu64_imm(ARSH, R0, 40), exit_insn()},
  };
  // Signed and unsigned, 64- and 32-bit comparisons with 1 and -1 of values
  // whose halves differ in sign.
  for (uint64_t value : {uint64_t{0xffffffff00000001}, uint64_t{0x00000000ffffffff}, uint64_t{0x7fffffff80000000}})
    for (uint8_t cls : {JMP, JMP32})
      for (uint8_t op : {JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE})
        programs.push_back(concat(
            {imm64(R1, value),
             {mov64_imm(R2, 1), mov64_imm(R0, 10), Insn{static_cast<uint8_t>(cls | op | X), R1, R2, 1, 0}, exit_insn(),
              Insn{static_cast<uint8_t>(cls | op | K), R1, 0, 1, -1}, exit_insn(), mov64_imm(R0, 20), exit_insn()}}));
  // Legacy loads past the end (the program returns 0), LD_IND offsets.
  programs.push_back(concat({head, {ld_abs(W, 10), exit_insn()}}));
  programs.push_back(concat({head, {mov64_imm(R7, 3), ld_ind(H, R7, 1), exit_insn()}}));
  programs.push_back(concat({head, imm64(R7, 0x100000002), {ld_ind(B, R7, 1), exit_insn()}}));
  programs.push_back(concat({head, {mov64_imm(R7, 5), ld_ind(B, R7, -6), mov64_imm(R0, 7), exit_insn()}}));
  int compared = 0;
  for (const Program& p : programs) compared += expect_same(p, Hook::Socket, inputs);
  EXPECT_GT(compared, 1000);
}

TEST(EbpfKernel, SocketContextMatches) {
  SKIP_WITHOUT_BPF();
  const std::vector<std::vector<uint8_t>> inputs = packets(0);
  for (int16_t off : {skb::kLen, skb::kPktType, skb::kProtocol, skb::kVlanPresent, skb::kIfindex})
    for (uint8_t size : {W, H, B}) expect_same({ldx_mem(size, R0, R1, off), exit_insn()}, Hook::Socket, inputs);
}

// data/data_end bounds check, then a byte; `data` and `end` are the
// context's offsets of the two pointers.
Program direct_read(int16_t data, int16_t end, int16_t at) {
  return {ldx_mem(W, R2, R1, data), ldx_mem(W, R3, R1, end), mov64_reg(R4, R2),      alu64_imm(ADD, R4, at + 1),
          mov64_imm(R0, 1000),      jmp_reg(JGT, R4, R3, 1), ldx_mem(B, R0, R2, at), exit_insn()};
}

TEST(EbpfKernel, DirectPacketAccessMatchesInXdpAndTc) {
  SKIP_WITHOUT_BPF();
  const std::vector<std::vector<uint8_t>> inputs = packets(14);
  for (int16_t at : {0, 12, 13, 14, 19, 33, 60}) {
    expect_same(direct_read(xdp_md::kData, xdp_md::kDataEnd, at), Hook::Xdp, inputs);
    expect_same(direct_read(skb::kData, skb::kDataEnd, at), Hook::Tc, inputs);
  }
  // data_end - data and tc's own context fields.
  expect_same(
      {ldx_mem(W, R2, R1, xdp_md::kData), ldx_mem(W, R0, R1, xdp_md::kDataEnd), alu64_reg(SUB, R0, R2), exit_insn()},
      Hook::Xdp, inputs);
  for (int16_t off : {skb::kLen, skb::kProtocol, skb::kWireLen, skb::kIfindex})
    expect_same({ldx_mem(W, R0, R1, off), exit_insn()}, Hook::Tc, inputs);
}

TEST(EbpfKernel, HelpersMatch) {
  SKIP_WITHOUT_BPF();
  // bpf_skb_load_bytes(ctx, offset, r10 - 8, 4) in a socket filter: result
  // and the buffer.
  for (int32_t offset : {0, 1, 10, 16, 76, -1}) {
    expect_same({st_mem(DW, R10, -8, -1), mov64_reg(R3, R10), alu64_imm(ADD, R3, -8), mov64_imm(R2, offset),
                 mov64_imm(R4, 4), call(kHelperSkbLoadBytes), ldx_mem(W, R1, R10, -8), alu64_imm(LSH, R0, 8),
                 alu64_reg(XOR, R0, R1), exit_insn()},
                Hook::Socket, packets(0));
  }
  // bpf_skb_pull_data(ctx, len) in tc.
  for (int32_t len : {0, 14, 34, 81, 2000})
    expect_same({mov64_imm(R2, len), call(kHelperSkbPullData), exit_insn()}, Hook::Tc, packets(14));
  // bpf_probe_read_kernel(r10 - 8, 4, data + 2) in tc, and from a bad address.
  expect_same({ldx_mem(W, R3, R1, skb::kData), alu64_imm(ADD, R3, 2), mov64_reg(R1, R10), alu64_imm(ADD, R1, -8),
               mov64_imm(R2, 4), call(kHelperProbeReadKernel), ldx_mem(W, R1, R10, -8), alu64_imm(LSH, R0, 8),
               alu64_reg(XOR, R0, R1), exit_insn()},
              Hook::Tc, packets(14));
  // From numbers: a user address and a non-canonical one (-ERANGE on
  // x86-64); and from the stack.
  for (uint64_t address : {uint64_t{0x1000}, uint64_t{0x8000000000000000}})
    expect_same(concat({imm64(R3, address),
                        {mov64_reg(R1, R10), alu64_imm(ADD, R1, -8), mov64_imm(R2, 4), call(kHelperProbeReadKernel),
                         ldx_mem(W, R1, R10, -8), alu64_imm(LSH, R0, 8), alu64_reg(XOR, R0, R1), exit_insn()}}),
                Hook::Tc, packets(14));
  expect_same({st_mem(W, R10, -8, 0x01020304), mov64_reg(R3, R10), alu64_imm(ADD, R3, -8), mov64_reg(R1, R10),
               alu64_imm(ADD, R1, -4), mov64_imm(R2, 4), call(kHelperProbeReadKernel), ldx_mem(W, R1, R10, -4),
               alu64_imm(LSH, R0, 8), alu64_reg(XOR, R0, R1), exit_insn()},
              Hook::Socket, packets(0));
}

TEST(EbpfKernel, StackStoresAndLoadsMatch) {
  SKIP_WITHOUT_BPF();
  // An 8-byte value stored, parts overwritten by narrower stores, then read
  // back at every aligned offset and width (little-endian composition).
  int compared = 0;
  for (uint8_t read_size : {B, H, W, DW})
    for (int16_t at = -16; at < 0; at += static_cast<int16_t>(size_bytes(read_size)))
      compared += expect_same(concat({imm64(R1, 0x8877665544332211),
                                      {stx_mem(DW, R10, R1, -16), stx_mem(DW, R10, R1, -8), st_mem(B, R10, -15, 0xab),
                                       st_mem(H, R10, -10, -2), st_mem(W, R10, -4, 0x7f000001),
                                       ldx_mem(read_size, R0, R10, at), alu64_imm(RSH, R0, 1), exit_insn()}}),
                              Hook::Socket, packets(0));
  EXPECT_GT(compared, 0);
  // A spilled context pointer comes back as one.
  expect_same({stx_mem(DW, R10, R1, -8), mov64_imm(R1, 0), ldx_mem(DW, R2, R10, -8), ldx_mem(W, R0, R2, skb::kLen),
               exit_insn()},
              Hook::Socket, packets(0));
}

TEST(EbpfKernel, BoundedLoopMatches) {
  SKIP_WITHOUT_BPF();
  // Sum the first bytes until 8 or the end of the packet (a back edge).
  const Program loop{mov64_reg(R6, R1),       mov64_imm(R7, 0),       mov64_imm(R8, 0),
                     ld_ind(B, R7, 0),        alu64_reg(ADD, R8, R0), alu64_imm(ADD, R7, 1),
                     jmp_imm(JLT, R7, 8, -5), mov64_reg(R0, R8),      exit_insn()};
  expect_same(loop, Hook::Socket, packets(0));
}

}  // namespace
}  // namespace bpfc::runtime
