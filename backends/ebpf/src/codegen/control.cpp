// Terminators: returns, branches (with the bounds guards of direct packet
// access), and the phi moves on control-flow edges.
#include <algorithm>

#include "generator.h"
#include "machine.h"

namespace bpfc::ebpf::codegen {
namespace {

int32_t as_imm(uint32_t value) { return static_cast<int32_t>(value); }

uint8_t jump_op(ir::Cond cond) {
  switch (cond) {
    case ir::Cond::Eq: return JEQ;
    case ir::Cond::Gt: return JGT;
    case ir::Cond::Ge: return JGE;
    case ir::Cond::Set: return JSET;
  }
  return JEQ;
}

// `k C x` written as `x C' k`.
uint8_t mirrored_op(ir::Cond cond) {
  switch (cond) {
    case ir::Cond::Eq: return JEQ;
    case ir::Cond::Gt: return JLT;
    case ir::Cond::Ge: return JLE;
    case ir::Cond::Set: return JSET;
  }
  return JEQ;
}

// The jump taken when the condition does not hold; JSET has none.
std::optional<uint8_t> negated_op(uint8_t op) {
  switch (op) {
    case JEQ: return JNE;
    case JGT: return JLE;
    case JGE: return JLT;
    case JLT: return JGE;
    case JLE: return JGT;
    default: return std::nullopt;
  }
}

}  // namespace

void Generator::emit_ret(ir::ValueId v) {
  const Operand value = operand(v);
  const bool acts = options_.hook == Hook::Xdp || options_.hook == Hook::Tc;
  if (value.is_const) {
    out_.emit(mov32_imm(R0, acts ? (value.imm != 0 ? options_.accept_action : options_.reject_action)
                                 : as_imm(value.imm)));
    out_.emit(exit_insn());
    return;
  }
  const uint8_t reg = read(v, kScratch1);
  if (!acts) {
    if (reg != R0) out_.emit(mov32_reg(R0, reg));
    out_.emit(exit_insn());
    return;
  }
  // The value may be in r0 itself: test it before r0 takes the action.
  const Label accept = out_.new_label();
  out_.jump_to(jmp32_imm(JNE, reg, 0, 0), accept);
  out_.emit(mov32_imm(R0, options_.reject_action));
  out_.emit(exit_insn());
  out_.place(accept);
  out_.emit(mov32_imm(R0, options_.accept_action));
  out_.emit(exit_insn());
}

// The legalization's guards (ir/README.md, "Bounds-check legalization"):
// `br gt K, caplen, fail, next` and `br gt I, caplen - K, fail, next`. The
// verifier learns packet ranges only from packet pointers compared with the
// packet's end, so they become `data + K > data_end` and
// `data + I + K > data_end`; with the packet window, `len < K` and
// `I + K > len`.
bool Generator::emit_guard(const ir::Terminator& term, Label fail) {
  if (term.cond != ir::Cond::Gt || !guard_only_[term.rhs]) return false;
  const ir::Inst& rhs = f_.value(term.rhs);
  const ir::Inst& lhs = f_.value(term.lhs);
  if (rhs.op == ir::Op::Caplen && lhs.op != ir::Op::Const) return false;
  ++guards_;
  if (windowed_) {
    // The packet window's guards compare numbers: r7 is the length.
    if (rhs.op == ir::Op::Caplen) {
      out_.jump_to(jmp32_imm(JLT, kLength, as_imm(lhs.imm), 0), fail);
      return true;
    }
    const uint32_t bound = f_.value(rhs.b).imm;
    const uint8_t index = read(term.lhs, kScratch2);
    out_.emit(mov32_reg(kScratch2, index));
    if (bound <= 0x7fffffff) {
      out_.emit(alu64_imm(ADD, kScratch2, as_imm(bound)));
    } else {  // as an imm it would be sign-extended
      out_.emit(mov32_imm(kScratch1, as_imm(bound)));
      out_.emit(alu64_reg(ADD, kScratch2, kScratch1));
    }
    out_.jump_to(jmp_reg(JGT, kScratch2, kLength, 0), fail);
    return true;
  }
  if (rhs.op == ir::Op::Caplen) {
    if (lhs.imm > kMaxPacketOffset) {
      out_.emit(mov32_imm(kScratch1, 0));
      out_.jump_to(jmp32_imm(JEQ, kScratch1, 0, 0), fail);
      return true;
    }
    out_.emit(mov64_reg(kScratch1, kData));
    out_.emit(alu64_imm(ADD, kScratch1, as_imm(lhs.imm)));
    out_.jump_to(jmp_reg(JGT, kScratch1, kDataEnd, 0), fail);
    return true;
  }
  const uint32_t bound = f_.value(rhs.b).imm;
  if (bound > kMaxPacketOffset) {
    out_.emit(mov32_imm(kScratch1, 0));
    out_.jump_to(jmp32_imm(JEQ, kScratch1, 0, 0), fail);
    return true;
  }
  bounded_index(term.lhs, kMaxPacketOffset - bound, fail);
  out_.emit(mov64_reg(kScratch1, kData));
  out_.emit(alu64_reg(ADD, kScratch1, kScratch2));
  out_.emit(alu64_imm(ADD, kScratch1, as_imm(bound)));
  out_.jump_to(jmp_reg(JGT, kScratch1, kDataEnd, 0), fail);
  return true;
}

std::optional<std::string> Generator::emit_branch(ir::BlockId b, const ir::Terminator& term) {
  if (term.on_true == term.on_false) {
    emit_edge(b, term.on_true);
    return std::nullopt;
  }
  const Label on_true = edge_label(b, term.on_true);
  const Label on_false = edge_label(b, term.on_false);
  const bool falls_to_true = on_true == block_label_[term.on_true] && term.on_true == next_block_;
  const bool falls_to_false = on_false == block_label_[term.on_false] && term.on_false == next_block_;
  if (guard_only_[term.lhs] || guard_only_[term.rhs]) {
    if (!emit_guard(term, on_true)) {
      return "internal error: the captured length is used outside a bounds guard";
    }
    if (!falls_to_false) out_.jump_to(ja(0), on_false);
    return std::nullopt;
  }
  const Operand lhs = operand(term.lhs);
  const Operand rhs = operand(term.rhs);
  Insn jump;
  if (rhs.is_const) {
    jump = jmp32_imm(jump_op(term.cond), read(term.lhs, kScratch1), as_imm(rhs.imm), 0);
  } else if (lhs.is_const) {
    jump = jmp32_imm(mirrored_op(term.cond), read(term.rhs, kScratch1), as_imm(lhs.imm), 0);
  } else {
    const uint8_t left = read(term.lhs, kScratch1);
    jump = jmp32_reg(jump_op(term.cond), left, read(term.rhs, kScratch2), 0);
  }
  if (falls_to_true) {
    if (auto negated = negated_op(jump.code & 0xf0)) {
      jump.code = static_cast<uint8_t>((jump.code & 0x0f) | *negated);
      out_.jump_to(jump, on_false);
      return std::nullopt;
    }
  }
  out_.jump_to(jump, on_true);
  if (!falls_to_false) out_.jump_to(ja(0), on_false);
  return std::nullopt;
}

namespace {

bool has_phis(const ir::Function& f, ir::BlockId b) {
  const auto& insts = f.blocks[b].insts;
  return !insts.empty() && f.value(insts.front()).op == ir::Op::Phi;
}

}  // namespace

Label Generator::edge_label(ir::BlockId from, ir::BlockId to) {
  if (!has_phis(f_, to)) return block_label_[to];
  const Label label = out_.new_label();
  stubs_.push_back({label, from, to});
  return label;
}

void Generator::emit_edge(ir::BlockId from, ir::BlockId to) {
  std::vector<std::pair<Location, Operand>> moves;
  for (ir::ValueId v : f_.blocks[to].insts) {
    const ir::Inst& phi = f_.value(v);
    if (phi.op != ir::Op::Phi) break;
    if (alloc_.where[v].where == Where::Nowhere) continue;
    for (const ir::PhiIncoming& in : phi.incoming) {
      if (in.block == from) moves.push_back({alloc_.where[v], operand(in.value)});
    }
  }
  parallel_move(std::move(moves));
  if (to != next_block_) out_.jump_to(ja(0), block_label_[to]);
}

void Generator::emit_stubs() {
  next_block_ = ir::kNoBlock;  // stubs come after every block: each jumps
  for (const Stub& stub : stubs_) {
    out_.place(stub.label);
    emit_edge(stub.from, stub.to);
  }
}

// Phi moves happen at once: a source that is also a destination is first
// copied to a temporary stack slot, then every move reads its copy.
void Generator::parallel_move(std::vector<std::pair<Location, Operand>> moves) {
  std::erase_if(moves, [](const auto& m) { return !m.second.is_const && m.first == m.second.at; });
  uint32_t temps = 0;
  for (auto& move : moves) {
    Operand& src = move.second;
    if (src.is_const) continue;
    const Location read_from = src.at;
    const bool overwritten =
        std::any_of(moves.begin(), moves.end(), [&read_from](const auto& m) { return m.first == read_from; });
    if (!overwritten) continue;
    const uint16_t temp = static_cast<uint16_t>(temp_slot_base_ + temps++);
    const uint8_t reg = src.at.where == Where::Register ? src.at.reg : kScratch2;
    if (src.at.where == Where::Slot) out_.emit(ldx_mem(DW, kScratch2, R10, slot_offset(src.at.slot)));
    out_.emit(stx_mem(DW, R10, reg, slot_offset(temp)));
    src.at = Location{Where::Slot, 0, temp};
  }
  temp_slots_used_ = std::max(temp_slots_used_, temps);
  for (const auto& [dst, src] : moves) {
    const uint8_t into = dst.where == Where::Register ? dst.reg : kScratch1;
    if (src.is_const) {
      out_.emit(mov32_imm(into, as_imm(src.imm)));
    } else if (src.at.where == Where::Register) {
      if (src.at.reg != into) out_.emit(mov64_reg(into, src.at.reg));
    } else {
      out_.emit(ldx_mem(DW, into, R10, slot_offset(src.at.slot)));
    }
    if (dst.where == Where::Slot) out_.emit(stx_mem(DW, R10, into, slot_offset(dst.slot)));
  }
}

}  // namespace bpfc::ebpf::codegen
