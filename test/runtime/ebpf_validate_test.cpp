// validate_ebpf(): one test per class of refusal, each naming the
// instruction and saying what is wrong, and programs it must accept.
#include <gtest/gtest.h>

#include "bpfc/runtime/ebpf_vm.h"

namespace bpfc::runtime {
namespace {

using namespace bpfc::ebpf;

Program with_ld_imm64(Program before, uint8_t dst, uint64_t value, Program after) {
  const auto pair = ld_imm64(dst, value);
  before.insert(before.end(), pair.begin(), pair.end());
  before.insert(before.end(), after.begin(), after.end());
  return before;
}

// The refusal's index and that its message contains `words`.
void expect_refused(const Program& p, std::optional<uint32_t> index, const std::string& words) {
  const auto error = validate_ebpf(p);
  ASSERT_TRUE(error.has_value()) << "accepted, expected: " << words;
  EXPECT_EQ(error->index, index) << error->describe();
  EXPECT_NE(error->message.find(words), std::string::npos) << error->describe();
  if (index) {
    EXPECT_EQ(error->describe().rfind("instruction " + std::to_string(*index) + ": ", 0), 0u);
  }
}

TEST(EbpfValidate, AcceptsWellFormedPrograms) {
  EXPECT_EQ(validate_ebpf({mov64_imm(R0, 1), exit_insn()}), std::nullopt);
  // A bounded loop (back edge) and an ld_imm64 jumped over.
  const Program loop{mov64_imm(R0, 0), alu64_imm(ADD, R0, 1), jmp_imm(JLT, R0, 10, -2), exit_insn()};
  EXPECT_EQ(validate_ebpf(loop), std::nullopt);
  const Program over = with_ld_imm64({mov64_imm(R0, 0), jmp_imm(JEQ, R0, 0, 2)}, R1, 0x1122334455667788, {exit_insn()});
  EXPECT_EQ(validate_ebpf(over), std::nullopt);
  // Helpers it knows, LD_ABS/LD_IND, memory instructions of every size.
  const Program rich{mov64_reg(R6, R1),
                     ld_abs(B, 12),
                     ld_ind(W, R0, 2),
                     stx_mem(DW, R10, R0, -8),
                     st_mem(W, R10, -16, 7),
                     ldx_mem(H, R2, R10, -16),
                     call(kHelperSkbLoadBytes),
                     call(kHelperSkbPullData),
                     call(kHelperProbeReadKernel),
                     to_be(R0, 16),
                     exit_insn()};
  EXPECT_EQ(validate_ebpf(rich), std::nullopt);
}

TEST(EbpfValidate, RefusesEmptyAndOversizedPrograms) {
  expect_refused({}, std::nullopt, "empty");
  Program huge(kMaxInsns, mov64_imm(R0, 0));
  huge.push_back(exit_insn());
  expect_refused(huge, std::nullopt, "more than the kernel's limit of 1000000");
}

TEST(EbpfValidate, RefusesUnknownOpcodes) {
  expect_refused({mov64_imm(R0, 0), Insn{0xe4, 0, 0, 0, 0}, exit_insn()}, 1, "unknown opcode 0xe4");  // ALU op 0xe0
  expect_refused({mov64_imm(R0, 0), Insn{0xf5, 0, 0, 0, 0}, exit_insn()}, 1, "unknown opcode 0xf5");  // JMP op 0xf0
  expect_refused({Insn{0x8e, 0, 0, 0, 0}, exit_insn()}, 0, "unknown opcode 0x8e");                    // JMP32 | CALL
  expect_refused({Insn{0x00, 0, 0, 0, 0}, exit_insn()}, 0, "unknown opcode 0x00");                    // LD | IMM | W
  expect_refused({Insn{LD | DW | ABS, 0, 0, 0, 0}, exit_insn()}, 0, "8-byte LD_ABS");
  expect_refused({Insn{STX | DW | ATOMIC, R10, R0, -8, 0}, exit_insn()}, 0, "atomic operations");
  expect_refused({Insn{LDX | B | 0x80, R0, R10, -8, 0}, exit_insn()}, 0, "sign-extending loads");
  expect_refused({alu64_imm(END, R0, 16), exit_insn()}, 0, "bswap");
  expect_refused({Insn{ALU | END | TO_BE, R0, 0, 0, 24}, exit_insn()}, 0, "byte swap width 24");
  expect_refused({Insn{JMP32 | JA, 0, 0, 0, 0}, exit_insn()}, 0, "gotol");
  // Reserved fields, including the cpu v4 forms that use them.
  expect_refused({Insn{ALU64 | DIV | K, R0, 0, 1, 3}, exit_insn()}, 0, "signed division");
  expect_refused({Insn{ALU64 | ADD | K, R0, 0, 1, 3}, exit_insn()}, 0, "reserved field off");
  expect_refused({Insn{ALU64 | ADD | K, R0, 3, 0, 3}, exit_insn()}, 0, "reserved field src_reg");
  expect_refused({Insn{ALU64 | ADD | X, R0, 3, 0, 3}, exit_insn()}, 0, "reserved field imm");
  expect_refused({mov64_imm(R0, 0), Insn{JMP | EXIT, 0, 0, 0, 1}}, 1, "reserved field imm");
  expect_refused({Insn{LD | ABS | W, R2, 0, 0, 1}, exit_insn()}, 0, "reserved field dst_reg");
}

TEST(EbpfValidate, RefusesBadRegistersAndWritesToR10) {
  expect_refused({Insn{ALU64 | MOV | K, 11, 0, 0, 0}, exit_insn()}, 0, "invalid register r11");
  expect_refused({mov64_imm(R0, 0), Insn{ALU64 | ADD | X, R0, 15, 0, 0}, exit_insn()}, 1, "invalid register r15");
  expect_refused({mov64_imm(R10, 0), exit_insn()}, 0, "r10 is the read-only frame pointer");
  expect_refused({ldx_mem(DW, R10, R10, -8), exit_insn()}, 0, "r10 is the read-only frame pointer");
  expect_refused(with_ld_imm64({}, R10, 1, {exit_insn()}), 0, "r10 is the read-only frame pointer");
  // r10 as a base or a source is fine.
  EXPECT_EQ(validate_ebpf({st_mem(DW, R10, -8, 1), mov64_reg(R0, R10), mov64_imm(R0, 0), exit_insn()}), std::nullopt);
}

TEST(EbpfValidate, RefusesConstantDivisionByZeroAndOversizedShifts) {
  expect_refused({mov64_imm(R0, 1), alu64_imm(DIV, R0, 0), exit_insn()}, 1, "division by the constant 0");
  expect_refused({mov64_imm(R0, 1), alu32_imm(MOD, R0, 0), exit_insn()}, 1, "modulus by the constant 0");
  expect_refused({mov64_imm(R0, 1), alu64_imm(LSH, R0, 64), exit_insn()}, 1, "shift by 64");
  expect_refused({mov64_imm(R0, 1), alu32_imm(ARSH, R0, 32), exit_insn()}, 1, "shift by 32");
  expect_refused({mov64_imm(R0, 1), alu64_imm(RSH, R0, -1), exit_insn()}, 1, "shift by -1");
  EXPECT_EQ(validate_ebpf({mov64_imm(R0, 1), alu64_imm(LSH, R0, 63), alu32_imm(RSH, R0, 31), exit_insn()}),
            std::nullopt);
}

TEST(EbpfValidate, RefusesJumpsOutOfRangeOrIntoAnLdImm64) {
  expect_refused({mov64_imm(R0, 0), jmp_imm(JEQ, R0, 0, 5), exit_insn()}, 1, "outside the program");
  expect_refused({mov64_imm(R0, 0), ja(-3), exit_insn()}, 1, "goes to -1, outside the program");
  expect_refused(with_ld_imm64({mov64_imm(R0, 0), jmp_imm(JEQ, R0, 0, 1)}, R1, 5, {exit_insn()}), 1,
                 "the second slot of the ld_imm64 at 2");
}

TEST(EbpfValidate, RefusesBrokenLdImm64) {
  const auto pair = ld_imm64(R0, 7);
  expect_refused({mov64_imm(R0, 0), exit_insn(), pair[0]}, 2, "missing its second slot");
  expect_refused({pair[0], mov64_imm(R0, 0), exit_insn()}, 1, "must be zero except its imm");
}

TEST(EbpfValidate, RefusesMapPseudoLoads) {
  auto pair = ld_imm64(R1, 3, kPseudoMapFd);
  expect_refused({pair[0], pair[1], mov64_imm(R0, 0), exit_insn()}, 0, "map or other pseudo value");
}

TEST(EbpfValidate, RefusesFallingOffTheEnd) {
  expect_refused({mov64_imm(R0, 0)}, 0, "falls off the end");
  expect_refused({mov64_imm(R0, 0), jmp_imm(JEQ, R0, 0, -2)}, 1, "falls off the end");
  expect_refused(with_ld_imm64({}, R0, 7, {}), 0, "falls off the end");
  // Ending in a backward unconditional jump is not falling off.
  EXPECT_EQ(validate_ebpf({mov64_imm(R0, 0), jmp_imm(JEQ, R0, 0, 1), ja(-3), exit_insn()}), std::nullopt);
}

TEST(EbpfValidate, RefusesUnreachableInstructions) {
  expect_refused({mov64_imm(R0, 0), exit_insn(), mov64_imm(R0, 1), exit_insn()}, 2, "unreachable");
  expect_refused({mov64_imm(R0, 0), ja(1), mov64_imm(R0, 1), exit_insn()}, 2, "unreachable");
}

TEST(EbpfValidate, RefusesUnknownHelpersAndFunctionCalls) {
  expect_refused({mov64_imm(R0, 0), call(1), exit_insn()}, 1, "call of helper 1, which this engine does not know");
  expect_refused({mov64_imm(R0, 0), Insn{JMP | CALL, 0, 1, 0, 1}, exit_insn()}, 1, "calls of BPF functions");
}

}  // namespace
}  // namespace bpfc::runtime
