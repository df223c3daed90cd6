// Constant folding and propagation: operations whose operands are constants
// become constants, phis whose inputs all agree become that input, indexed
// loads at a constant index become absolute loads, and branches whose outcome
// is decided become jumps (the blocks no longer reached go).
//
// SSA makes propagation a matter of order: blocks are topological and every
// operand is defined before its use, so one forward sweep sees each operand
// already folded.
#include <algorithm>
#include <optional>

#include "cfg_edit.h"
#include "inst_facts.h"
#include "passes.h"
#include "value_replacements.h"

namespace bpfc::opt {
namespace {

void make_constant(ir::Inst& inst, uint32_t k) {
  inst.op = ir::Op::Const;
  inst.imm = k;
  inst.size = 0;
  inst.a = ir::kNoValue;
  inst.b = ir::kNoValue;
  inst.incoming.clear();
}

// The outcome of `lhs cond rhs` when it does not depend on the packet.
std::optional<bool> decided_outcome(const ir::Function& f, const ir::Terminator& t) {
  auto lhs = constant_of(f, t.lhs);
  auto rhs = constant_of(f, t.rhs);
  if (lhs && rhs) return condition_holds(t.cond, *lhs, *rhs);
  if (t.lhs == t.rhs) {
    if (t.cond == ir::Cond::Eq || t.cond == ir::Cond::Ge) return true;
    if (t.cond == ir::Cond::Gt) return false;
  }
  if (rhs) {
    if (t.cond == ir::Cond::Set && *rhs == 0) return false;
    if (t.cond == ir::Cond::Ge && *rhs == 0) return true;
    if (t.cond == ir::Cond::Gt && *rhs == UINT32_MAX) return false;
  }
  if (lhs) {
    if (t.cond == ir::Cond::Set && *lhs == 0) return false;
    if (t.cond == ir::Cond::Gt && *lhs == 0) return false;
    if (t.cond == ir::Cond::Ge && *lhs == UINT32_MAX) return true;
  }
  return std::nullopt;
}

class ConstantFolder {
 public:
  static constexpr int kMaxSweeps = 3;

  ConstantFolder(ir::Function& f, PassCounters& counters) : f_(f), counters_(counters) {}

  bool run() {
    // Removing the blocks a folded branch no longer reaches leaves phis with
    // fewer inputs, often one: sweep again then (a few times at most; each
    // sweep is linear).
    for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
      folded_branches_ = 0;
      for (ir::BlockId b = 0; b < f_.blocks.size(); ++b) fold_block(b);
      replacements_.apply(f_);
      if (folded_branches_ == 0) break;
      const size_t removed = remove_unreachable_blocks(f_);
      counters_.add("unreachable blocks removed", removed);
      if (removed == 0) break;
    }
    return changed_;
  }

 private:
  void fold_block(ir::BlockId b) {
    bool phi_became_constant = false;
    for (ir::ValueId v : f_.blocks[b].insts) {
      ir::Inst& inst = f_.values[v];
      replacements_.rewrite_operands(inst);
      if (inst.op == ir::Op::Phi) {
        phi_became_constant = fold_phi(v, inst) || phi_became_constant;
      } else {
        fold_inst(inst);
      }
    }
    // A replaced phi has no uses left once the replacements are applied.
    std::erase_if(f_.blocks[b].insts, [&](ir::ValueId v) {
      if (!replacements_.replaced(v)) return false;
      f_.values[v].block = ir::kNoBlock;
      return true;
    });
    if (phi_became_constant) put_phis_first(f_, b);
    fold_terminator(b);
  }

  // Returns true when the phi became a constant.
  bool fold_phi(ir::ValueId v, ir::Inst& phi) {
    if (phi.incoming.empty()) return false;
    const ir::ValueId first = phi.incoming.front().value;
    if (std::all_of(phi.incoming.begin(), phi.incoming.end(),
                    [&](const ir::PhiIncoming& in) { return in.value == first; })) {
      // The one input is defined in a block that dominates every
      // predecessor, hence this block too.
      replacements_.replace(v, first);
      counters_.add("phis with a single input replaced");
      changed_ = true;
      return false;
    }
    auto k = constant_of(f_, first);
    if (!k) return false;
    for (const ir::PhiIncoming& in : phi.incoming) {
      if (constant_of(f_, in.value) != k) return false;
    }
    make_constant(phi, *k);
    counters_.add("phis of equal constants folded");
    changed_ = true;
    return true;
  }

  void fold_inst(ir::Inst& inst) {
    if (ir::is_binary(inst.op)) {
      auto a = constant_of(f_, inst.a);
      auto b = constant_of(f_, inst.b);
      if (!a || !b) return;
      // A division by a constant zero always ends the filter: it stays.
      auto result = evaluate_binary(inst.op, *a, *b);
      if (!result) return;
      make_constant(inst, *result);
      counters_.add("operations folded");
      changed_ = true;
    } else if (inst.op == ir::Op::Neg) {
      auto a = constant_of(f_, inst.a);
      if (!a) return;
      make_constant(inst, 0u - *a);
      counters_.add("operations folded");
      changed_ = true;
    } else if (inst.op == ir::Op::Load && inst.a != ir::kNoValue) {
      auto index = constant_of(f_, inst.a);
      // index + offset is computed without wrapping: past 2^32 the load
      // always fails, which an absolute offset cannot express.
      if (!index || uint64_t{*index} + inst.imm > UINT32_MAX) return;
      inst.imm += *index;
      inst.a = ir::kNoValue;
      counters_.add("indexed loads at a constant index made absolute");
      changed_ = true;
    }
  }

  void fold_terminator(ir::BlockId b) {
    ir::Terminator& t = f_.blocks[b].term;
    replacements_.rewrite_operands(t);
    if (t.kind != ir::TermKind::Branch) return;
    auto outcome = decided_outcome(f_, t);
    if (!outcome) return;
    fold_branch_to(f_, b, *outcome ? t.on_true : t.on_false);
    ++folded_branches_;
    counters_.add("branches folded");
    changed_ = true;
  }

  ir::Function& f_;
  PassCounters& counters_;
  ValueReplacements replacements_;
  size_t folded_branches_ = 0;
  bool changed_ = false;
};

}  // namespace

bool fold_constants(ir::Function& f, PassCounters& counters) { return ConstantFolder(f, counters).run(); }

}  // namespace bpfc::opt
