// validate_ebpf()'s refusals that model a kernel rule are refusals of the
// kernel verifier too, and programs it accepts with a kernel-valid body load.
#include <gtest/gtest.h>

#include <vector>

#include "bpfc/runtime/ebpf_kernel.h"
#include "bpfc/runtime/ebpf_vm.h"

namespace bpfc::runtime {
namespace {

using namespace bpfc::ebpf;

struct Case {
  const char* rule;
  Program program;
};

Program pair_then(uint8_t dst, uint64_t value, Program after, Program before = {}) {
  const auto pair = ld_imm64(dst, value);
  before.insert(before.end(), pair.begin(), pair.end());
  before.insert(before.end(), after.begin(), after.end());
  return before;
}

std::vector<Case> kernel_rule_cases() {
  const auto pair = ld_imm64(R0, 7);
  return {
      {"unknown ALU opcode", {mov64_imm(R0, 0), Insn{0xe4, 0, 0, 0, 0}, exit_insn()}},
      {"unknown JMP opcode", {mov64_imm(R0, 0), Insn{0xf5, 0, 0, 0, 0}, exit_insn()}},
      {"LD | IMM | W", {Insn{0x00, 0, 0, 0, 0}, exit_insn()}},
      {"8-byte LD_ABS", {mov64_reg(R6, R1), Insn{LD | DW | ABS, 0, 0, 0, 0}, exit_insn()}},
      {"reserved off", {Insn{ALU64 | ADD | K, R0, 0, 1, 3}, exit_insn()}},
      {"reserved src_reg", {Insn{ALU64 | MOV | K, R0, 3, 0, 3}, exit_insn()}},
      {"reserved imm of exit", {mov64_imm(R0, 0), Insn{JMP | EXIT, 0, 0, 0, 1}}},
      {"register r11", {Insn{ALU64 | MOV | K, 11, 0, 0, 0}, mov64_imm(R0, 0), exit_insn()}},
      {"write to r10", {mov64_imm(R10, 0), mov64_imm(R0, 0), exit_insn()}},
      {"division by constant 0", {mov64_imm(R0, 1), alu64_imm(DIV, R0, 0), exit_insn()}},
      {"modulus by constant 0", {mov64_imm(R0, 1), alu32_imm(MOD, R0, 0), exit_insn()}},
      {"shift by 64", {mov64_imm(R0, 1), alu64_imm(LSH, R0, 64), exit_insn()}},
      {"32-bit shift by 32", {mov64_imm(R0, 1), alu32_imm(RSH, R0, 32), exit_insn()}},
      {"byte swap width 24", {mov64_imm(R0, 1), Insn{ALU | END | TO_BE, R0, 0, 0, 24}, exit_insn()}},
      {"jump past the end", {mov64_imm(R0, 0), jmp_imm(JEQ, R0, 0, 5), exit_insn()}},
      {"jump before the start", {mov64_imm(R0, 0), jmp_imm(JEQ, R0, 0, -3), exit_insn()}},
      {"jump into an ld_imm64", pair_then(R1, 5, {exit_insn()}, {mov64_imm(R0, 0), jmp_imm(JEQ, R0, 0, 1)})},
      {"truncated ld_imm64", {mov64_imm(R0, 0), exit_insn(), pair[0]}},
      {"ld_imm64 second slot", {pair[0], mov64_imm(R0, 0), exit_insn()}},
      {"falling off the end", {mov64_imm(R0, 0), jmp_imm(JEQ, R0, 0, -2)}},
      {"falling off after an ld_imm64", pair_then(R0, 7, {})},
      {"unreachable instruction", {mov64_imm(R0, 0), exit_insn(), mov64_imm(R0, 1), exit_insn()}},
      {"unknown helper id", {mov64_imm(R0, 0), call(0x7fffffff), exit_insn()}},
  };
}

TEST(EbpfValidateVsKernel, KernelRulesAreRefusedByBoth) {
  if (auto why = bpf_unavailable_reason()) GTEST_SKIP() << *why;
  int refused_by_both = 0;
  for (const Case& c : kernel_rule_cases()) {
    const auto ours = validate_ebpf(c.program);
    EXPECT_TRUE(ours.has_value()) << c.rule << ": validate_ebpf accepts it";
    const auto kernel = load_program(c.program, kProgTypeSocketFilter);
    EXPECT_FALSE(kernel.ok()) << c.rule << ": the kernel loads it";
    if (ours && !kernel.ok()) ++refused_by_both;
  }
  EXPECT_EQ(refused_by_both, static_cast<int>(kernel_rule_cases().size()));
}

TEST(EbpfValidateVsKernel, AcceptedProgramsLoad) {
  if (auto why = bpf_unavailable_reason()) GTEST_SKIP() << *why;
  const std::vector<Program> programs = {
      {mov64_imm(R0, 1), exit_insn()},
      {mov64_imm(R0, 0), alu64_imm(ADD, R0, 1), jmp_imm(JLT, R0, 10, -2), exit_insn()},  // bounded loop
      pair_then(R1, 0x1122334455667788, {exit_insn()}, {mov64_imm(R0, 0), jmp_imm(JEQ, R0, 0, 2)}),
      {mov64_reg(R6, R1), ld_abs(B, 12), ld_ind(W, R0, 2), exit_insn()},
      {mov64_imm(R0, 1), alu64_imm(LSH, R0, 63), alu32_imm(RSH, R0, 31), to_be(R0, 64), exit_insn()},
  };
  for (const Program& p : programs) {
    ASSERT_EQ(validate_ebpf(p), std::nullopt) << validate_ebpf(p)->describe();
    const auto kernel = load_program(p, kProgTypeSocketFilter);
    EXPECT_TRUE(kernel.ok()) << kernel.error().describe();
  }
}

}  // namespace
}  // namespace bpfc::runtime
