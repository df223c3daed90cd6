// libpcap's bpf_validate() (bpf_filter.c), check for check. Note what it does
// NOT check, because libpcap's userland interpreter copes at run time (or, for
// the last two, does not): packet offsets, backward `ja` (accepted when the
// 32-bit sum from + k wraps into the program; "protochain" code uses them),
// the size bits of loads, the operand bits of ret/misc/neg, and which
// ret/misc opcodes exist — so a program can pass and still hold an opcode
// bpf_filter() does not know.
#include "validate_rules.h"

namespace bpfc::runtime::validation {

using namespace cbpf;

namespace {

std::optional<ValidationError> check_load(uint32_t i, const Insn& insn) {
  switch (insn_mode(insn.code)) {
    case IMM:
    case ABS:
    case IND:
    case MSH:
    case LEN:
      return std::nullopt;
    case MEM:
      if (insn.k >= kMemWords) return scratch_slot_out_of_range(i, insn.k);
      return std::nullopt;
    default:
      return invalid_at(i, "unknown load mode " + hex(insn_mode(insn.code)) + " (opcode " +
                               hex(insn.code) + ")");
  }
}

std::optional<ValidationError> check_alu(uint32_t i, const Insn& insn) {
  switch (insn_op(insn.code)) {
    case ADD:
    case SUB:
    case MUL:
    case OR:
    case AND:
    case XOR:
    case LSH:
    case RSH:
    case NEG:
      return std::nullopt;
    case DIV:
    case MOD:
      if (insn_src(insn.code) == K && insn.k == 0) return division_by_zero_constant(i, insn.code);
      return std::nullopt;
    default:
      return invalid_at(i, "unknown ALU operation " + hex(insn_op(insn.code)) + " (opcode " +
                               hex(insn.code) + ")");
  }
}

std::optional<ValidationError> check_jump(uint32_t i, const Insn& insn, uint32_t length) {
  // bpf_validate computes targets in u_int: a huge k wraps (and is accepted
  // when the wrapped target lands inside the program).
  const uint32_t from = i + 1;
  switch (insn_op(insn.code)) {
    case JA: {
      const uint32_t target = from + insn.k;
      if (target >= length) return jump_beyond_end(i, target, length);
      return std::nullopt;
    }
    case JEQ:
    case JGT:
    case JGE:
    case JSET:
      if (from + insn.jt >= length) return jump_beyond_end(i, from + insn.jt, length);
      if (from + insn.jf >= length) return jump_beyond_end(i, from + insn.jf, length);
      return std::nullopt;
    default:
      return invalid_at(i, "unknown jump operation " + hex(insn_op(insn.code)) + " (opcode " +
                               hex(insn.code) + ")");
  }
}

}  // namespace

std::optional<ValidationError> validate_libpcap_rules(const Program& p) {
  if (p.empty()) return empty_program();
  // bpf_validate takes an int length; longer programs cannot be passed to it.
  const uint32_t length = static_cast<uint32_t>(p.size());
  for (uint32_t i = 0; i < length; ++i) {
    const Insn& insn = p[i];
    std::optional<ValidationError> error;
    switch (insn_class(insn.code)) {
      case LD:
      case LDX:
        error = check_load(i, insn);
        break;
      case ST:
      case STX:
        if (insn.k >= kMemWords) error = scratch_slot_out_of_range(i, insn.k);
        break;
      case ALU:
        error = check_alu(i, insn);
        break;
      case JMP:
        error = check_jump(i, insn, length);
        break;
      default:  // RET and MISC: anything goes
        break;
    }
    if (error) return error;
  }
  if (insn_class(p.back().code) != RET) return missing_final_ret(length - 1, p.back().code);
  return std::nullopt;
}

}  // namespace bpfc::runtime::validation
