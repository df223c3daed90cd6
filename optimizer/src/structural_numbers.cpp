#include "structural_numbers.h"

#include <utility>

namespace bpfc::opt {

using ir::Inst;
using ir::kNoValue;
using ir::Op;
using ir::ValueId;

StructuralNumbers::StructuralNumbers(const ir::Function& f) : f_(f), number_(f.values.size(), kUnset) {}

uint32_t StructuralNumbers::of(ValueId root) {
  if (number_[root] != kUnset) return number_[root];
  std::vector<ValueId> stack{root};
  while (!stack.empty()) {
    ValueId v = stack.back();
    if (number_[v] != kUnset) {
      stack.pop_back();
      continue;
    }
    const Inst& inst = f_.value(v);
    std::vector<ValueId> deps;
    if (inst.op == Op::Phi) {
      if (inst.incoming.size() == 1) deps.push_back(inst.incoming[0].value);
    } else {
      if (inst.a != kNoValue) deps.push_back(inst.a);
      if (inst.b != kNoValue) deps.push_back(inst.b);
    }
    bool ready = true;
    for (ValueId d : deps) {
      if (number_[d] == kUnset) {
        stack.push_back(d);
        ready = false;
      }
    }
    if (!ready) continue;
    stack.pop_back();
    number_[v] = number_for(v, inst);
  }
  return number_[root];
}

uint32_t StructuralNumbers::number_for(ValueId v, const Inst& inst) {
  if (inst.op == Op::Phi) {
    if (inst.incoming.size() == 1) return number_[inst.incoming[0].value];
    // A phi of several inputs is only itself: its key names the phi.
    return interner_.intern(Key{Op::Phi, 0, v, kUnset, kUnset, 0}).id;
  }
  uint32_t a = inst.a == kNoValue ? kUnset : number_[inst.a];
  uint32_t b = inst.b == kNoValue ? kUnset : number_[inst.b];
  if (ir::is_commutative(inst.op) && a > b) std::swap(a, b);
  return interner_.intern(Key{inst.op, inst.size, inst.imm, a, b, inst.stop}).id;
}

ValueId strip_single_phis(const ir::Function& f, ValueId v) {
  while (f.value(v).op == Op::Phi && f.value(v).incoming.size() == 1) v = f.value(v).incoming[0].value;
  return v;
}

}  // namespace bpfc::opt
