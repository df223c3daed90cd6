// Replacing every use of a value by another value, in bulk: passes record
// replacements as they sweep the function and rewrite the uses once.
#pragma once

#include <vector>

#include "bpfc/ir/ir.h"

namespace bpfc::opt {

class ValueReplacements {
 public:
  // Uses of `v` are to read `with` instead; `with` must dominate every use
  // of `v`. Chains (v -> w -> x) are followed.
  void replace(ir::ValueId v, ir::ValueId with);
  // What a use of `v` reads after the replacements so far.
  ir::ValueId resolve(ir::ValueId v) const;
  bool replaced(ir::ValueId v) const { return v < target_.size() && target_[v] != ir::kNoValue; }
  bool empty() const { return count_ == 0; }

  // Rewrites the operands of one instruction / one terminator.
  void rewrite_operands(ir::Inst& inst) const;
  void rewrite_operands(ir::Terminator& term) const;
  // Rewrites every use in f (operands, phi inputs, terminators).
  void apply(ir::Function& f) const;

 private:
  std::vector<ir::ValueId> target_;  // kNoValue: not replaced
  size_t count_ = 0;
};

}  // namespace bpfc::opt
