// What the cBPF code generator decides before emitting anything: which
// blocks run, which IR values must be computed where, which need a scratch
// slot, and which slot values are live at each evaluation point.
//
// Vocabulary:
//  - a *root* is a value evaluated at its own position in its block: values
//    kept in a scratch slot, and values evaluated only for their run-time
//    checks (a load whose result is used elsewhere or not at all);
//  - an *inline* value has a single use in its own block and is computed as
//    part of its user's expression tree, directly in A;
//  - a *free* value (constant, len, absolute load, ldxb idiom, load indexed
//    by the ldxb idiom) is recomputed at each use rather than kept;
//  - evaluation points of a block, in order: its roots, the stores into the
//    scratch slots of its successors' phis (the "phi phase"), the terminator.
//
// Within a block every instruction runs once the block is entered, and the
// only observable effect of an instruction is ending the filter with 0, so
// the order of evaluation inside a block is free; only data dependences and
// "each check still happens on every path that had it" matter.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "bpfc/ir/ir.h"
#include "bpfc/support/diagnostic.h"
#include "codegen_expr.h"

namespace bpfc::cbpf::detail {

// A small sorted set of values (live sets hold a handful of slot values).
class ValueSet {
 public:
  void insert(ir::ValueId v);
  void erase(ir::ValueId v);
  bool contains(ir::ValueId v) const;
  void insert_all(const ValueSet& other);
  const std::vector<ir::ValueId>& items() const { return items_; }
  friend bool operator==(const ValueSet&, const ValueSet&) = default;

 private:
  std::vector<ir::ValueId> items_;
};

enum class Role : uint8_t {
  Unused,  // not needed: no checks, no needed users
  Free,    // recomputed at each use (see ExprTable::is_free)
  Inline,  // computed inside its single user's tree
  Slot,    // computed once (phis: stored by the predecessors) and kept in M[]
  Effect,  // evaluated only for its run-time checks
};

// How a block's branch resolves once operands are known constants.
struct BlockPlan {
  bool reachable = false;
  bool traps = false;                 // contains a certain trap: the block is `ret #0`
  std::optional<ir::BlockId> folded;  // a branch on two constants: its only target
  std::vector<ir::BlockId> succs;     // successors that can actually be taken
  std::vector<ir::BlockId> preds;     // reachable blocks that can jump here
  std::vector<ir::ValueId> roots;     // in evaluation (= block) order
  std::vector<ir::ValueId> slot_phis; // this block's phis kept in slots
};

// Live slot values around every evaluation point of one block.
struct BlockLiveness {
  ValueSet live_in;
  std::vector<ValueSet> before_root;  // parallel to BlockPlan::roots
  std::vector<ValueSet> after_root;
  ValueSet during_phi_phase;          // sources, destinations and values live across
  ValueSet before_terminator;         // includes everything live out
};

struct Plan {
  ExprTable exprs;
  ExprId zero = kNoExpr;       // the constant 0 (what A and X hold at the start)
  std::vector<ExprId> expr;    // per value
  std::vector<Role> role;      // per value
  std::vector<BlockPlan> blocks;
  std::vector<BlockLiveness> liveness;  // per block (empty for unreachable blocks)

  // The slot values that the tree rooted at `v` reads (v itself excluded).
  ValueSet tree_slot_uses(const ir::Function& f, ir::ValueId v) const;
  // Slot values read by the stores into `succ`'s phis at the end of `pred`.
  ValueSet phi_store_uses(const ir::Function& f, ir::BlockId pred, ir::BlockId succ) const;
  // Slot values read by the terminator of `b` (none when folded or trapping).
  ValueSet terminator_uses(const ir::Function& f, ir::BlockId b) const;
};

// Builds the plan of a verified function.
Plan make_plan(const ir::Function& f);

}  // namespace bpfc::cbpf::detail
