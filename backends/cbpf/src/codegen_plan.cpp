#include "codegen_plan.h"

#include <algorithm>

#include "bpfc/support/unreachable.h"

namespace bpfc::cbpf::detail {
namespace {

using ir::BlockId;
using ir::kNoValue;
using ir::Op;
using ir::ValueId;

bool branch_holds(ir::Cond c, uint32_t lhs, uint32_t rhs) {
  switch (c) {
    case ir::Cond::Eq: return lhs == rhs;
    case ir::Cond::Gt: return lhs > rhs;
    case ir::Cond::Ge: return lhs >= rhs;
    case ir::Cond::Set: return (lhs & rhs) != 0;
  }
  BPFC_UNREACHABLE("a branch condition of no known kind");
}

// Operands of a non-phi instruction.
template <typename Fn>
void for_each_operand(const ir::Inst& inst, Fn fn) {
  if (inst.a != kNoValue) fn(inst.a);
  if (inst.b != kNoValue) fn(inst.b);
}

const ir::PhiIncoming* incoming_from(const ir::Inst& phi, BlockId pred) {
  for (const ir::PhiIncoming& in : phi.incoming) {
    if (in.block == pred) return &in;
  }
  return nullptr;
}

class Planner {
 public:
  explicit Planner(const ir::Function& f) : f_(f) {}

  Plan run() {
    plan_.expr = number_values(f_, plan_.exprs);
    plan_.zero = plan_.exprs.constant(0);
    plan_.blocks.resize(f_.blocks.size());
    find_effective_cfg();
    find_needed_values();
    assign_roles();
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      if (live(b)) choose_roots(b);
    }
    compute_liveness();
    return std::move(plan_);
  }

 private:
  bool live(BlockId b) const { return plan_.blocks[b].reachable && !plan_.blocks[b].traps; }
  ExprId expr(ValueId v) const { return plan_.expr[v]; }

  // Blocks that can run, given that a certain trap ends its block and a
  // branch on two constants has one target.
  void find_effective_cfg() {
    auto& blocks = plan_.blocks;
    blocks[0].reachable = true;
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      BlockPlan& bp = blocks[b];
      if (!bp.reachable) continue;
      const ir::Block& block = f_.blocks[b];
      bp.traps = std::any_of(block.insts.begin(), block.insts.end(),
                             [&](ValueId v) { return plan_.exprs[expr(v)].kind == ExprKind::Trap; });
      if (bp.traps) continue;
      const ir::Terminator& t = block.term;
      if (t.kind == ir::TermKind::Jump) {
        bp.succs = {t.on_true};
      } else if (t.kind == ir::TermKind::Branch) {
        const Expr& lhs = plan_.exprs[expr(t.lhs)];
        const Expr& rhs = plan_.exprs[expr(t.rhs)];
        if (lhs.kind == ExprKind::Const && rhs.kind == ExprKind::Const) {
          bp.folded = branch_holds(t.cond, lhs.imm, rhs.imm) ? t.on_true : t.on_false;
          bp.succs = {*bp.folded};
        } else if (t.on_true == t.on_false) {
          bp.succs = {t.on_true};
        } else {
          bp.succs = {t.on_true, t.on_false};
        }
      }
      for (BlockId s : bp.succs) {
        blocks[s].reachable = true;
        blocks[s].preds.push_back(b);
      }
    }
  }

  bool has_edge(BlockId from, BlockId to) const {
    const auto& succs = plan_.blocks[from].succs;
    return std::find(succs.begin(), succs.end(), to) != succs.end();
  }

  // A value ends the filter by itself (not through an operand).
  bool checks_itself(const ir::Inst& inst) const {
    if (inst.op == Op::Load || inst.op == Op::Protochain || inst.op == Op::Meta) return true;
    return (inst.op == Op::Div || inst.op == Op::Mod) && !plan_.exprs.is_const(expr(inst.b));
  }

  bool is_slot_phi(ValueId v) const {
    return f_.values[v].op == Op::Phi && !plan_.exprs.is_free(expr(v));
  }

  // Needed: values with run-time checks in blocks that run, what the
  // terminators read, and (transitively) their operands. A phi kept in a
  // slot needs its incoming values on the edges that can be taken.
  void find_needed_values() {
    needed_.assign(f_.values.size(), false);
    std::vector<ValueId> work;
    auto mark = [&](ValueId v) {
      if (!needed_[v]) {
        needed_[v] = true;
        work.push_back(v);
      }
    };
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      if (!live(b)) continue;
      for (ValueId v : f_.blocks[b].insts) {
        if (checks_itself(f_.values[v])) mark(v);
      }
      const ir::Terminator& t = f_.blocks[b].term;
      if (t.kind == ir::TermKind::Ret) mark(t.lhs);
      if (t.kind == ir::TermKind::Branch && !plan_.blocks[b].folded) {
        mark(t.lhs);
        mark(t.rhs);
      }
    }
    while (!work.empty()) {
      ValueId v = work.back();
      work.pop_back();
      const ir::Inst& inst = f_.values[v];
      if (inst.op != Op::Phi) {
        for_each_operand(inst, mark);
      } else if (is_slot_phi(v)) {
        for (const ir::PhiIncoming& in : inst.incoming) {
          if (plan_.blocks[in.block].reachable && has_edge(in.block, inst.block)) mark(in.value);
        }
      }
    }
  }

  void assign_roles() {
    std::vector<uint32_t> uses(f_.values.size(), 0);
    std::vector<uint32_t> uses_elsewhere(f_.values.size(), 0);
    auto count = [&](ValueId operand, BlockId where) {
      ++uses[operand];
      if (f_.values[operand].block != where) ++uses_elsewhere[operand];
    };
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      if (!live(b)) continue;
      for (ValueId v : f_.blocks[b].insts) {
        if (!needed_[v]) continue;
        const ir::Inst& inst = f_.values[v];
        if (inst.op != Op::Phi) {
          for_each_operand(inst, [&](ValueId o) { count(o, b); });
        } else if (is_slot_phi(v)) {
          for (BlockId p : plan_.blocks[b].preds) count(incoming_from(inst, p)->value, p);
        }
      }
      const ir::Terminator& t = f_.blocks[b].term;
      if (t.kind == ir::TermKind::Ret) count(t.lhs, b);
      if (t.kind == ir::TermKind::Branch && !plan_.blocks[b].folded) {
        count(t.lhs, b);
        count(t.rhs, b);
      }
    }
    plan_.role.assign(f_.values.size(), Role::Unused);
    for (ValueId v = 0; v < f_.values.size(); ++v) {
      if (!needed_[v]) continue;
      Role& role = plan_.role[v];
      if (plan_.exprs.is_free(expr(v))) {
        role = Role::Free;
      } else if (f_.values[v].op == Op::Phi) {
        role = Role::Slot;
        plan_.blocks[f_.values[v].block].slot_phis.push_back(v);
      } else if (uses[v] == 0) {
        role = Role::Effect;
      } else if (uses[v] == 1 && uses_elsewhere[v] == 0) {
        role = Role::Inline;
      } else {
        role = Role::Slot;
      }
    }
  }

  // Marks `v` and the inline and free values of its tree in block `b` as
  // evaluated there.
  void cover(ValueId v, BlockId b) {
    if (f_.values[v].block != b || covered_[v]) return;
    covered_[v] = true;
    if (f_.values[v].op == Op::Phi) return;
    for_each_operand(f_.values[v], [&](ValueId o) {
      Role r = plan_.role[o];
      if (r == Role::Inline || r == Role::Free) cover(o, b);
    });
  }

  // Roots: slot values, effect-only values, and any value whose checks no
  // evaluation in its block performs (typically a free load used only in
  // later blocks: it is loaded here for its check, and again where used).
  void choose_roots(BlockId b) {
    covered_.resize(f_.values.size(), false);
    const ir::Block& block = f_.blocks[b];
    BlockPlan& bp = plan_.blocks[b];
    std::vector<bool> is_root(block.insts.size(), false);
    for (size_t i = 0; i < block.insts.size(); ++i) {
      ValueId v = block.insts[i];
      Role r = plan_.role[v];
      if ((r == Role::Slot && f_.values[v].op != Op::Phi) || r == Role::Effect) {
        is_root[i] = true;
        cover(v, b);
      }
    }
    const ir::Terminator& t = block.term;
    if (t.kind == ir::TermKind::Ret) cover(t.lhs, b);
    if (t.kind == ir::TermKind::Branch && !bp.folded) {
      cover(t.lhs, b);
      cover(t.rhs, b);
    }
    for (BlockId s : bp.succs) {
      for (ValueId phi : plan_.blocks[s].slot_phis) cover(incoming_from(f_.values[phi], b)->value, b);
    }
    // Users come after their operands, so going backwards makes the
    // outermost unevaluated value the root and covers its operands with it.
    for (size_t i = block.insts.size(); i-- > 0;) {
      ValueId v = block.insts[i];
      Role r = plan_.role[v];
      if ((r == Role::Inline || r == Role::Free) && !covered_[v] && plan_.exprs[expr(v)].may_trap) {
        is_root[i] = true;
        cover(v, b);
      }
    }
    for (size_t i = 0; i < block.insts.size(); ++i) {
      if (is_root[i]) bp.roots.push_back(block.insts[i]);
    }
  }

  // Backward liveness of slot values, blocks in reverse order (the CFG is
  // acyclic and edges go forward, so one pass suffices).
  void compute_liveness() {
    plan_.liveness.resize(f_.blocks.size());
    for (BlockId b = static_cast<BlockId>(f_.blocks.size()); b-- > 0;) {
      if (!live(b)) continue;
      const BlockPlan& bp = plan_.blocks[b];
      BlockLiveness& lv = plan_.liveness[b];
      ValueSet live_out;
      for (BlockId s : bp.succs) live_out.insert_all(plan_.liveness[s].live_in);
      lv.before_terminator = live_out;
      lv.before_terminator.insert_all(plan_.terminator_uses(f_, b));
      ValueSet live = lv.before_terminator;
      lv.during_phi_phase = lv.before_terminator;
      for (BlockId s : bp.succs) {
        ValueSet sources = plan_.phi_store_uses(f_, b, s);
        lv.during_phi_phase.insert_all(sources);
        for (ValueId phi : plan_.blocks[s].slot_phis) live.erase(phi);
        live.insert_all(sources);
      }
      lv.after_root.resize(bp.roots.size());
      lv.before_root.resize(bp.roots.size());
      for (size_t i = bp.roots.size(); i-- > 0;) {
        ValueId r = bp.roots[i];
        lv.after_root[i] = live;
        if (plan_.role[r] == Role::Slot) live.erase(r);
        live.insert_all(plan_.tree_slot_uses(f_, r));
        lv.before_root[i] = live;
      }
      lv.live_in = live;
    }
  }

  const ir::Function& f_;
  Plan plan_;
  std::vector<bool> needed_;
  std::vector<bool> covered_;
};

// Slot values read when evaluating `v` as an operand: itself if kept in a
// slot, the slot values of its tree if inline, nothing if free.
void collect_slot_reads(const Plan& plan, const ir::Function& f, ValueId v, ValueSet& out) {
  switch (plan.role[v]) {
    case Role::Slot:
      out.insert(v);
      return;
    case Role::Inline:
      for_each_operand(f.values[v], [&](ValueId o) { collect_slot_reads(plan, f, o, out); });
      return;
    default:
      return;
  }
}

}  // namespace

void ValueSet::insert(ValueId v) {
  auto it = std::lower_bound(items_.begin(), items_.end(), v);
  if (it == items_.end() || *it != v) items_.insert(it, v);
}

void ValueSet::erase(ValueId v) {
  auto it = std::lower_bound(items_.begin(), items_.end(), v);
  if (it != items_.end() && *it == v) items_.erase(it);
}

bool ValueSet::contains(ValueId v) const { return std::binary_search(items_.begin(), items_.end(), v); }

void ValueSet::insert_all(const ValueSet& other) {
  std::vector<ValueId> merged;
  merged.reserve(items_.size() + other.items_.size());
  std::set_union(items_.begin(), items_.end(), other.items_.begin(), other.items_.end(), std::back_inserter(merged));
  items_ = std::move(merged);
}

ValueSet Plan::tree_slot_uses(const ir::Function& f, ValueId v) const {
  ValueSet out;
  if (f.values[v].op != Op::Phi) {
    for_each_operand(f.values[v], [&](ValueId o) { collect_slot_reads(*this, f, o, out); });
  }
  return out;
}

ValueSet Plan::phi_store_uses(const ir::Function& f, BlockId pred, BlockId succ) const {
  ValueSet out;
  for (ValueId phi : blocks[succ].slot_phis) collect_slot_reads(*this, f, incoming_from(f.values[phi], pred)->value, out);
  return out;
}

ValueSet Plan::terminator_uses(const ir::Function& f, BlockId b) const {
  ValueSet out;
  const ir::Terminator& t = f.blocks[b].term;
  if (blocks[b].traps) return out;
  if (t.kind == ir::TermKind::Ret) collect_slot_reads(*this, f, t.lhs, out);
  if (t.kind == ir::TermKind::Branch && !blocks[b].folded) {
    collect_slot_reads(*this, f, t.lhs, out);
    collect_slot_reads(*this, f, t.rhs, out);
  }
  return out;
}

Plan make_plan(const ir::Function& f) { return Planner(f).run(); }

}  // namespace bpfc::cbpf::detail
