// The Linux kernel's classic-BPF checks (net/core/filter.c): what
// setsockopt(SO_ATTACH_FILTER) accepts. Stricter than libpcap: a fixed opcode
// list, at most 4096 instructions, forward jumps only (no protochain loop),
// constant shifts below
// 32, only known ancillary offsets, a ret opcode (not just the ret class) at
// the end, and no scratch slot read before it is written on some path.
#include <array>
#include <vector>

#include "validate_rules.h"

namespace bpfc::runtime::validation {

using namespace cbpf;

namespace {

// Linux's SKF_AD_OFF: loads at or above it are ancillary data, not packet bytes.
constexpr uint32_t kAncillaryBase = 0xfffff000;
// SKF_AD_PROTOCOL (0) .. SKF_AD_VLAN_TPID (60): the kernel knows every
// multiple of 4 below 64 and nothing else.
constexpr uint32_t kAncillaryEnd = 64;

bool kernel_knows_opcode(uint16_t code) {
  switch (code) {
    case ALU | ADD | K: case ALU | ADD | X:
    case ALU | SUB | K: case ALU | SUB | X:
    case ALU | MUL | K: case ALU | MUL | X:
    case ALU | DIV | K: case ALU | DIV | X:
    case ALU | MOD | K: case ALU | MOD | X:
    case ALU | AND | K: case ALU | AND | X:
    case ALU | OR | K: case ALU | OR | X:
    case ALU | XOR | K: case ALU | XOR | X:
    case ALU | LSH | K: case ALU | LSH | X:
    case ALU | RSH | K: case ALU | RSH | X:
    case ALU | NEG:
    case LD | W | ABS: case LD | H | ABS: case LD | B | ABS:
    case LD | W | LEN:
    case LD | W | IND: case LD | H | IND: case LD | B | IND:
    case LD | IMM: case LD | MEM:
    case LDX | W | LEN: case LDX | B | MSH: case LDX | IMM: case LDX | MEM:
    case ST: case STX:
    case MISC | TAX: case MISC | TXA:
    case RET | K: case RET | RET_A:
    case JMP | JA:
    case JMP | JEQ | K: case JMP | JEQ | X:
    case JMP | JGE | K: case JMP | JGE | X:
    case JMP | JGT | K: case JMP | JGT | X:
    case JMP | JSET | K: case JMP | JSET | X:
      return true;
    default:
      return false;
  }
}

bool is_conditional_jump(uint16_t code) {
  return insn_class(code) == JMP && insn_op(code) != JA;
}

std::optional<ValidationError> check_instruction(uint32_t i, const Insn& insn, uint32_t length) {
  if (!kernel_knows_opcode(insn.code)) {
    return invalid_at(i, "opcode " + hex(insn.code) + " is not a classic BPF instruction");
  }
  switch (insn.code) {
    case ALU | DIV | K:
    case ALU | MOD | K:
      if (insn.k == 0) return division_by_zero_constant(i, insn.code);
      break;
    case ALU | LSH | K:
    case ALU | RSH | K:
      if (insn.k >= 32) {
        return invalid_at(i, "shift by the constant " + std::to_string(insn.k) +
                                 " (the kernel rejects shifts by 32 or more)");
      }
      break;
    case LD | MEM:
    case LDX | MEM:
    case ST:
    case STX:
      if (insn.k >= kMemWords) return scratch_slot_out_of_range(i, insn.k);
      break;
    case JMP | JA: {
      // The kernel reads k as unsigned: a backward jump (k negative as a
      // 32-bit offset, as libpcap's protochain loop writes it) is refused
      // like any target past the end; say what it is.
      const int64_t backward_target = int64_t{i} + 1 + static_cast<int32_t>(insn.k);
      if (static_cast<int32_t>(insn.k) < 0) {
        if (backward_target < 0) {
          return invalid_at(i, "jump target " + std::to_string(backward_target) +
                                   " is before the start of the program");
        }
        return invalid_at(i, "backward jump to instruction " + std::to_string(backward_target) +
                                 " (the kernel allows forward jumps only)");
      }
      const uint64_t target = uint64_t{i} + 1 + insn.k;
      if (target >= length) return jump_beyond_end(i, target, length);
      break;
    }
    case LD | W | ABS:
    case LD | H | ABS:
    case LD | B | ABS:
      if (insn.k >= kAncillaryBase) {
        const uint32_t field = insn.k - kAncillaryBase;
        if (field >= kAncillaryEnd || field % 4 != 0) {
          return invalid_at(i, "unknown Linux ancillary data offset SKF_AD_OFF + " +
                                   std::to_string(field));
        }
      }
      break;
    default:
      if (is_conditional_jump(insn.code)) {
        const uint64_t jt_target = uint64_t{i} + 1 + insn.jt;
        const uint64_t jf_target = uint64_t{i} + 1 + insn.jf;
        if (jt_target >= length) return jump_beyond_end(i, jt_target, length);
        if (jf_target >= length) return jump_beyond_end(i, jf_target, length);
      }
      break;
  }
  return std::nullopt;
}

// check_load_and_stores(): a linear pass that tracks which slots are written
// on every path reaching each instruction. Like the kernel, it does not reset
// the set after a ret, so code after a ret is judged as if the ret fell
// through to it.
std::optional<ValidationError> check_scratch_reads(const Program& p) {
  using SlotMask = uint16_t;
  std::vector<SlotMask> written_on_entry(p.size(), SlotMask{0xffff});
  SlotMask written = 0;
  for (uint32_t i = 0; i < p.size(); ++i) {
    const Insn& insn = p[i];
    written &= written_on_entry[i];
    switch (insn.code) {
      case ST:
      case STX:
        written |= static_cast<SlotMask>(1u << insn.k);
        break;
      case LD | MEM:
      case LDX | MEM:
        if (!(written & (1u << insn.k))) {
          return invalid_at(i, "M[" + std::to_string(insn.k) +
                                   "] may be read before anything is stored in it");
        }
        break;
      case JMP | JA:
        written_on_entry[i + 1 + insn.k] &= written;
        written = SlotMask{0xffff};
        break;
      default:
        if (is_conditional_jump(insn.code)) {
          written_on_entry[i + 1 + insn.jt] &= written;
          written_on_entry[i + 1 + insn.jf] &= written;
          written = SlotMask{0xffff};
        }
        break;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<ValidationError> validate_kernel_rules(const Program& p) {
  if (p.empty()) return empty_program();
  if (p.size() > kMaxInsns) {
    return invalid_program("the program has " + std::to_string(p.size()) +
                           " instructions; the kernel accepts at most " + std::to_string(kMaxInsns));
  }
  const uint32_t length = static_cast<uint32_t>(p.size());
  for (uint32_t i = 0; i < length; ++i) {
    if (auto error = check_instruction(i, p[i], length)) return error;
  }
  const uint16_t last = p.back().code;
  if (last != (RET | K) && last != (RET | RET_A)) return missing_final_ret(length - 1, last);
  return check_scratch_reads(p);
}

}  // namespace bpfc::runtime::validation
