#include "value_replacements.h"

namespace bpfc::opt {

void ValueReplacements::replace(ir::ValueId v, ir::ValueId with) {
  with = resolve(with);
  if (with == v) return;
  if (v >= target_.size()) target_.resize(v + 1, ir::kNoValue);
  if (target_[v] == ir::kNoValue) ++count_;
  target_[v] = with;
}

ir::ValueId ValueReplacements::resolve(ir::ValueId v) const {
  // Chains stay short: replace() resolves its target first, so a chain only
  // grows when a value is replaced after something was redirected to it.
  while (v < target_.size() && target_[v] != ir::kNoValue) v = target_[v];
  return v;
}

void ValueReplacements::rewrite_operands(ir::Inst& inst) const {
  if (inst.a != ir::kNoValue) inst.a = resolve(inst.a);
  if (inst.b != ir::kNoValue) inst.b = resolve(inst.b);
  for (ir::PhiIncoming& in : inst.incoming) in.value = resolve(in.value);
}

void ValueReplacements::rewrite_operands(ir::Terminator& term) const {
  if (term.lhs != ir::kNoValue) term.lhs = resolve(term.lhs);
  if (term.rhs != ir::kNoValue) term.rhs = resolve(term.rhs);
}

void ValueReplacements::apply(ir::Function& f) const {
  if (empty()) return;
  for (ir::Block& block : f.blocks) {
    for (ir::ValueId v : block.insts) rewrite_operands(f.values[v]);
    rewrite_operands(block.term);
  }
}

}  // namespace bpfc::opt
