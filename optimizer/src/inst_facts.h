// What the passes need to know about single instructions: constant operands,
// evaluation under the IR contract, and which instructions can end the filter
// (and so must stay). Which operations are binary or commutative is a fact of
// the IR (ir::is_binary, ir::is_commutative in bpfc/ir/ir.h).
#pragma once

#include <cstdint>
#include <optional>

#include "bpfc/ir/ir.h"

namespace bpfc::opt {

inline std::optional<uint32_t> constant_of(const ir::Function& f, ir::ValueId v) {
  if (v == ir::kNoValue || v >= f.values.size()) return std::nullopt;
  const ir::Inst& inst = f.values[v];
  if (inst.op != ir::Op::Const) return std::nullopt;
  return inst.imm;
}

// a OP b as the interpreter computes it; nullopt when the operation ends
// the filter (division or modulus by zero).
inline std::optional<uint32_t> evaluate_binary(ir::Op op, uint32_t a, uint32_t b) {
  switch (op) {
    case ir::Op::Add: return a + b;
    case ir::Op::Sub: return a - b;
    case ir::Op::Mul: return a * b;
    case ir::Op::Div: if (b == 0) return std::nullopt; return a / b;
    case ir::Op::Mod: if (b == 0) return std::nullopt; return a % b;
    case ir::Op::And: return a & b;
    case ir::Op::Or: return a | b;
    case ir::Op::Xor: return a ^ b;
    case ir::Op::Shl: return b >= 32 ? 0u : a << b;
    case ir::Op::Shr: return b >= 32 ? 0u : a >> b;
    default: return std::nullopt;
  }
}

inline bool condition_holds(ir::Cond c, uint32_t lhs, uint32_t rhs) {
  switch (c) {
    case ir::Cond::Eq: return lhs == rhs;
    case ir::Cond::Gt: return lhs > rhs;
    case ir::Cond::Ge: return lhs >= rhs;
    case ir::Cond::Set: return (lhs & rhs) != 0;
  }
  return false;
}

// True when executing `inst` may end the filter (return 0 at once): a load
// may read past the captured bytes (so may a protochain walk, which can also
// never end; so may a kernel metadata read, where the metadata is absent), a
// division or modulus may divide by zero unless its divisor is
// a non-zero constant. Such an instruction is kept even when its value is
// unused: removing it would change the verdict.
inline bool can_end_filter(const ir::Function& f, const ir::Inst& inst) {
  if (inst.op == ir::Op::Load || inst.op == ir::Op::Protochain || inst.op == ir::Op::Meta) return true;
  if (inst.op == ir::Op::Div || inst.op == ir::Op::Mod) {
    auto divisor = constant_of(f, inst.b);
    return !divisor || *divisor == 0;
  }
  return false;
}

}  // namespace bpfc::opt
