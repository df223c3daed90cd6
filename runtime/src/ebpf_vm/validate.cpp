// validate_ebpf(): the per-instruction rules (opcodes.cpp), then the
// control-flow rules: jump targets, ld_imm64 pairs, falling off the end and
// unreachable instructions (the kernel's check_subprogs and check_cfg).
#include <vector>

#include "bpfc/runtime/ebpf_vm.h"
#include "opcodes.h"

namespace bpfc::runtime {

using namespace bpfc::ebpf;

std::string EbpfValidationError::describe() const {
  if (!index) return message;
  return "instruction " + std::to_string(*index) + ": " + message;
}

namespace {

EbpfValidationError at(size_t index, std::string message) {
  return EbpfValidationError{static_cast<uint32_t>(index), std::move(message)};
}

bool is_jump_with_target(const Insn& insn) {
  const uint8_t cls = op_class(insn.code);
  if (cls != JMP && cls != JMP32) return false;
  const uint8_t op = op_jmp(insn.code);
  return op != CALL && op != EXIT;
}

bool is_unconditional(const Insn& insn) { return insn.code == (JMP | JA) || insn.code == (JMP | EXIT); }

// Marks the instructions every path from 0 reaches; the others are
// unreachable. Jumps were checked before, so every successor is in range.
std::vector<bool> reachable(const Program& program) {
  std::vector<bool> seen(program.size(), false);
  std::vector<size_t> work{0};
  seen[0] = true;
  auto visit = [&](int64_t target) {
    if (!seen[target]) {
      seen[target] = true;
      work.push_back(static_cast<size_t>(target));
    }
  };
  while (!work.empty()) {
    const size_t i = work.back();
    work.pop_back();
    const Insn& insn = program[i];
    if (is_ld_imm64(insn)) {
      visit(static_cast<int64_t>(i) + 2);
      continue;
    }
    if (is_jump_with_target(insn)) visit(static_cast<int64_t>(i) + 1 + insn.off);
    if (!is_unconditional(insn)) visit(static_cast<int64_t>(i) + 1);
  }
  return seen;
}

}  // namespace

std::optional<EbpfValidationError> validate_ebpf(const Program& program) {
  if (program.empty()) return EbpfValidationError{std::nullopt, "the program is empty (it needs at least an exit)"};
  if (program.size() > kMaxInsns)
    return EbpfValidationError{std::nullopt, "the program has " + std::to_string(program.size()) +
                                                 " instructions, more than the kernel's limit of " +
                                                 std::to_string(kMaxInsns)};
  const size_t n = program.size();
  // Second slots of ld_imm64 pairs: not instructions of their own.
  std::vector<bool> second_slot(n, false);
  for (size_t i = 0; i < n; ++i) {
    const Insn& insn = program[i];
    if (auto problem = ebpf_vm::instruction_problem(insn)) return at(i, *problem);
    if (!is_ld_imm64(insn)) continue;
    if (i + 1 >= n) return at(i, "ld_imm64 is missing its second slot (the program ends after its first)");
    const Insn& next = program[i + 1];
    if (next.code != 0 || next.dst != 0 || next.src != 0 || next.off != 0)
      return at(i + 1, "the second slot of the ld_imm64 at " + std::to_string(i) +
                           " must be zero except its imm (it has opcode " + ebpf_vm::hex(next.code) + ")");
    second_slot[i + 1] = true;
    ++i;
  }
  for (size_t i = 0; i < n; ++i) {
    if (second_slot[i]) continue;
    const Insn& insn = program[i];
    if (is_jump_with_target(insn)) {
      const int64_t target = static_cast<int64_t>(i) + 1 + insn.off;
      if (target < 0 || target >= static_cast<int64_t>(n))
        return at(i, "jump offset " + std::to_string(insn.off) + " goes to " + std::to_string(target) +
                         ", outside the program (instructions 0 to " + std::to_string(n - 1) + ")");
      if (second_slot[static_cast<size_t>(target)])
        return at(i, "jump to " + std::to_string(target) + ", the second slot of the ld_imm64 at " +
                         std::to_string(target - 1));
    }
    const size_t next = i + (is_ld_imm64(insn) ? 2 : 1);
    if (next >= n && !is_unconditional(insn))
      return at(i,
                "execution falls off the end of the program after this instruction (the last instruction "
                "must be exit or an unconditional jump)");
  }
  const std::vector<bool> seen = reachable(program);
  for (size_t i = 0; i < n; ++i)
    if (!second_slot[i] && !seen[i]) return at(i, "unreachable instruction (no path from the start reaches it)");
  return std::nullopt;
}

}  // namespace bpfc::runtime
