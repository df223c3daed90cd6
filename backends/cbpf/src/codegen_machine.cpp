#include "codegen_machine.h"

#include "codegen_walk.h"

namespace bpfc::cbpf::detail {

InsnEffect effect_of(const Insn& insn) {
  const uint16_t code = insn.code;
  InsnEffect e;
  if (code == kWalkPseudo) {
    // Reads its start from A and X, writes its slot before reading it.
    e.reads = kRegA | kRegX;
    e.writes = kRegA | kRegX | (1u << insn.jt);
    e.may_end = true;
    return e;
  }
  const uint32_t mem = insn.k < kMemWords ? 1u << insn.k : 0;
  switch (insn_class(code)) {
    case LD:
      e.writes = kRegA;
      switch (insn_mode(code)) {
        case ABS: e.may_end = true; break;
        case IND: e.reads = kRegX; e.may_end = true; break;
        case MEM: e.reads = mem; break;
        default: break;  // IMM, LEN
      }
      break;
    case LDX:
      e.writes = kRegX;
      if (insn_mode(code) == MEM) e.reads = mem;
      if (insn_mode(code) == MSH) e.may_end = true;
      break;
    case ST:
      e.reads = kRegA;
      e.writes = mem;
      break;
    case STX:
      e.reads = kRegX;
      e.writes = mem;
      break;
    case ALU:
      e.writes = kRegA;
      e.reads = kRegA;
      if (insn_op(code) != NEG && insn_src(code) == X) {
        e.reads |= kRegX;
        e.may_end = insn_op(code) == DIV || insn_op(code) == MOD;
      }
      break;
    case MISC:
      if (insn_miscop(code) == TAX) {
        e.reads = kRegA;
        e.writes = kRegX;
      } else {
        e.reads = kRegX;
        e.writes = kRegA;
      }
      break;
    default:
      // Jumps and returns only appear as block exits; treat anything else
      // as something that must stay.
      e.may_end = true;
      break;
  }
  return e;
}

}  // namespace bpfc::cbpf::detail
