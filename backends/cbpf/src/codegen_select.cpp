#include "codegen_select.h"

#include <array>
#include <optional>
#include <string>

#include "bpfc/support/unreachable.h"
#include "codegen_slots.h"
#include "codegen_walk.h"

namespace bpfc::cbpf::detail {
namespace {

using ir::BlockId;
using ir::Op;
using ir::ValueId;

// Which expression each register and slot holds on every path reaching the
// current point (kNoExpr: unknown or differing between paths).
struct RegState {
  ExprId a = kNoExpr;
  ExprId x = kNoExpr;
  std::array<ExprId, kMemWords> m;

  RegState() { m.fill(kNoExpr); }

  std::optional<uint32_t> slot_of(ExprId e) const {
    for (uint32_t i = 0; i < kMemWords; ++i) {
      if (m[i] == e) return i;
    }
    return std::nullopt;
  }

  void meet(const RegState& other) {
    if (a != other.a) a = kNoExpr;
    if (x != other.x) x = kNoExpr;
    for (uint32_t i = 0; i < kMemWords; ++i) {
      if (m[i] != other.m[i]) m[i] = kNoExpr;
    }
  }
};

uint16_t alu_op(Op op) {
  switch (op) {
    case Op::Add: return ADD;
    case Op::Sub: return SUB;
    case Op::Mul: return MUL;
    case Op::Div: return DIV;
    case Op::Mod: return MOD;
    case Op::And: return AND;
    case Op::Or: return OR;
    case Op::Xor: return XOR;
    case Op::Shl: return LSH;
    case Op::Shr: return RSH;
    default: return ADD;
  }
}

uint16_t jump_op(ir::Cond c) {
  switch (c) {
    case ir::Cond::Eq: return JEQ;
    case ir::Cond::Gt: return JGT;
    case ir::Cond::Ge: return JGE;
    case ir::Cond::Set: return JSET;
  }
  BPFC_UNREACHABLE("a branch condition of no known kind");
}

const ir::PhiIncoming& incoming_from(const ir::Inst& phi, BlockId pred) {
  for (const ir::PhiIncoming& in : phi.incoming) {
    if (in.block == pred) return in;
  }
  BPFC_UNREACHABLE("a phi asked for an edge it has no input for (the plan only asks about real edges)");
}

class Selector {
 public:
  Selector(const ir::Function& f, const Plan& plan, const std::vector<uint8_t>& slots)
      : f_(f), plan_(plan), exprs_(plan.exprs), slots_(slots), exit_state_(f.blocks.size()),
        index_phi_(find_index_phis(f)) {}

  Result<SelectedCode> run() {
    std::vector<MBlock> blocks(f_.blocks.size());
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      const BlockPlan& bp = plan_.blocks[b];
      if (!bp.reachable) continue;
      MBlock& mb = blocks[b];
      mb.present = true;
      if (bp.traps) {
        mb.exit = MExit{MExit::Kind::Ret, RET | K, 0, 0, 0};
        continue;
      }
      out_ = &mb.body;
      st_ = entry_state(b);
      select_block(b, mb);
      exit_state_[b] = st_;
      if (problem_) return *problem_;
    }
    return SelectedCode{std::move(blocks), std::move(walks_)};
  }

 private:
  // Phis whose only uses are as the index of loads (a header offset that
  // differs between the paths that meet, e.g. after tail merging): passing
  // them in X lets the loads use X directly, and the slot copy dies.
  static std::vector<bool> find_index_phis(const ir::Function& f) {
    std::vector<bool> index_phi(f.values.size(), false), other_use(f.values.size(), false);
    for (const ir::Block& block : f.blocks) {
      for (ValueId v : block.insts) {
        const ir::Inst& inst = f.values[v];
        if (inst.op == Op::Phi) {
          index_phi[v] = true;
          for (const ir::PhiIncoming& in : inst.incoming) other_use[in.value] = true;
        } else if (inst.op == Op::Load) {
          if (inst.b != ir::kNoValue) other_use[inst.b] = true;
        } else {
          if (inst.a != ir::kNoValue) other_use[inst.a] = true;
          if (inst.b != ir::kNoValue) other_use[inst.b] = true;
        }
      }
      if (block.term.lhs != ir::kNoValue) other_use[block.term.lhs] = true;
      if (block.term.rhs != ir::kNoValue) other_use[block.term.rhs] = true;
    }
    for (size_t v = 0; v < f.values.size(); ++v) index_phi[v] = index_phi[v] && !other_use[v];
    return index_phi;
  }

  // ---- block level -------------------------------------------------------

  RegState entry_state(BlockId b) const {
    const BlockPlan& bp = plan_.blocks[b];
    if (b == 0) {
      // bpf_filter() and the kernel start with A = X = 0.
      RegState st;
      st.a = st.x = plan_.zero;
      return st;
    }
    RegState st = exit_state_[bp.preds.front()];
    for (BlockId p : bp.preds) st.meet(exit_state_[p]);
    for (ValueId phi : bp.slot_phis) {
      const ExprId e = plan_.expr[phi];
      st.m[slots_[phi]] = e;
      // The phi is in A (or X) if every predecessor left its incoming value there.
      bool in_a = true, in_x = true;
      for (BlockId p : bp.preds) {
        ExprId incoming = plan_.expr[incoming_from(f_.values[phi], p).value];
        in_a = in_a && exit_state_[p].a == incoming;
        in_x = in_x && exit_state_[p].x == incoming;
      }
      if (in_a && st.a == kNoExpr) st.a = e;
      if (in_x && st.x == kNoExpr) st.x = e;
    }
    return st;
  }

  void select_block(BlockId b, MBlock& mb) {
    const BlockPlan& bp = plan_.blocks[b];
    const BlockLiveness& lv = plan_.liveness[b];
    for (size_t i = 0; i < bp.roots.size(); ++i) {
      busy_ = slot_mask(lv.before_root[i], slots_) | slot_mask(lv.after_root[i], slots_);
      select_root(bp.roots[i]);
    }
    busy_ = slot_mask(lv.during_phi_phase, slots_);
    store_phis(b);
    busy_ = slot_mask(lv.before_terminator, slots_);
    mb.exit = select_terminator(b);
  }

  void select_root(ValueId r) {
    const ExprId e = plan_.expr[r];
    if (plan_.role[r] == Role::Slot) {
      const uint32_t slot = slots_[r];
      if (st_.m[slot] == e) return;
      if (st_.x == e && st_.a != e) {
        emit(STX, slot);
      } else {
        to_a(e);
        emit(ST, slot);
      }
      st_.m[slot] = e;
      return;
    }
    // Evaluated only for its checks: done if it already ran on this path.
    if (st_.a == e || st_.x == e || st_.slot_of(e)) return;
    if (exprs_[e].kind == ExprKind::Msh) {
      to_x(e);
    } else {
      to_a(e);
    }
  }

  // Copies the incoming values of the successors' phis into the phis' slots.
  void store_phis(BlockId b) {
    const BlockPlan& bp = plan_.blocks[b];
    auto [term_lhs, term_rhs] = terminator_operands(b);
    for (BlockId s : bp.succs) {
      for (ValueId phi : plan_.blocks[s].slot_phis) {
        const ExprId e = plan_.expr[incoming_from(f_.values[phi], b).value];
        const uint32_t slot = slots_[phi];
        if (st_.m[slot] == e) continue;
        // Keep the terminator's operand in A when X can do the copy.
        bool a_is_wanted = st_.a != kNoExpr && (st_.a == term_lhs || st_.a == term_rhs);
        bool x_is_wanted = st_.x != kNoExpr && (st_.x == term_lhs || st_.x == term_rhs);
        if (index_phi_[phi] && !x_is_wanted && (!a_is_wanted || st_.x == e || x_durable(e))) {
          to_x(e);
          emit(STX, slot);
        } else if (st_.a == e) {
          emit(ST, slot);
        } else if (st_.x == e || (a_is_wanted && !x_is_wanted && x_durable(e))) {
          to_x(e);
          emit(STX, slot);
        } else {
          to_a(e);
          emit(ST, slot);
        }
        st_.m[slot] = e;
      }
    }
  }

  std::pair<ExprId, ExprId> terminator_operands(BlockId b) const {
    const ir::Terminator& t = f_.blocks[b].term;
    if (t.kind == ir::TermKind::Ret) return {plan_.expr[t.lhs], kNoExpr};
    if (t.kind == ir::TermKind::Branch && !plan_.blocks[b].folded) return {plan_.expr[t.lhs], plan_.expr[t.rhs]};
    return {kNoExpr, kNoExpr};
  }

  MExit select_terminator(BlockId b) {
    const BlockPlan& bp = plan_.blocks[b];
    const ir::Terminator& t = f_.blocks[b].term;
    MExit exit;
    if (t.kind == ir::TermKind::Ret) {
      const ExprId e = plan_.expr[t.lhs];
      if (exprs_.is_const(e)) {
        exit.code = RET | K;
        exit.k = exprs_[e].imm;
      } else {
        to_a(e);
        exit.code = RET | RET_A;
      }
      return exit;
    }
    if (t.kind == ir::TermKind::Jump || bp.folded) {
      exit.kind = MExit::Kind::Jump;
      exit.on_true = bp.folded ? *bp.folded : t.on_true;
      return exit;
    }
    ExprId lhs = plan_.expr[t.lhs];
    ExprId rhs = plan_.expr[t.rhs];
    ir::Cond cond = t.cond;
    BlockId on_true = t.on_true, on_false = t.on_false;
    // lhs > rhs is !(rhs >= lhs) and lhs >= rhs is !(rhs > lhs); eq and set
    // are symmetric. So any operand can go in A.
    auto swap_operands = [&] {
      std::swap(lhs, rhs);
      if (cond == ir::Cond::Gt || cond == ir::Cond::Ge) {
        cond = cond == ir::Cond::Gt ? ir::Cond::Ge : ir::Cond::Gt;
        std::swap(on_true, on_false);
      }
    };
    if (exprs_.is_const(lhs)) swap_operands();
    exit.kind = MExit::Kind::Cond;
    exit.on_true = on_true;
    exit.on_false = on_false;
    if (exprs_.is_const(rhs)) {
      to_a(lhs);
      exit.code = JMP | jump_op(cond) | K;
      exit.k = exprs_[rhs].imm;
    } else {
      if (pair_cost(rhs, lhs) < pair_cost(lhs, rhs)) {
        swap_operands();
        exit.on_true = on_true;
        exit.on_false = on_false;
      }
      pair(lhs, rhs);
      exit.code = JMP | jump_op(cond) | X;
    }
    return exit;
  }

  // ---- expression evaluation ----------------------------------------------

  void emit(uint16_t code, uint32_t k = 0) { out_->push_back(stmt(code, k)); }

  // Makes A hold `e`.
  void to_a(ExprId e) {
    if (st_.a == e) return;
    if (st_.x == e) {
      emit(MISC | TXA);
    } else if (auto slot = st_.slot_of(e)) {
      emit(LD | MEM, *slot);
    } else {
      compute_in_a(e);
      if (problem_) return;
    }
    st_.a = e;
  }

  void compute_in_a(ExprId e) {
    const Expr& x = exprs_[e];
    switch (x.kind) {
      case ExprKind::Const: emit(LD | IMM, x.imm); break;
      case ExprKind::Len: emit(LD | W | LEN); break;
      case ExprKind::LoadAbs: emit(LD | size_field(x.size) | ABS, x.imm); break;
      case ExprKind::LoadInd:
        to_x(x.a);
        emit(LD | size_field(x.size) | IND, x.imm);
        break;
      case ExprKind::Msh:
        emit(LDX | B | MSH, x.imm);
        st_.x = e;
        emit(MISC | TXA);
        break;
      case ExprKind::Neg:
        to_a(x.a);
        emit(ALU | NEG);
        break;
      case ExprKind::Binary: compute_binary(x); break;
      case ExprKind::Walk: compute_walk(x); break;
      case ExprKind::Phi:
      case ExprKind::Trap:
        internal_error("expression not available where it is used");
        break;
    }
  }

  void compute_binary(const Expr& x) {
    const Expr& rhs = exprs_[x.b];
    const Expr& lhs = exprs_[x.a];
    if (rhs.kind == ExprKind::Const) {
      to_a(x.a);
      if ((x.op == Op::Shl || x.op == Op::Shr) && rhs.imm >= 32) {
        emit(LD | IMM, 0);  // the shifted operand was still evaluated for its checks
      } else {
        emit(ALU | alu_op(x.op) | K, rhs.imm);
      }
      return;
    }
    if (lhs.kind == ExprKind::Const && x.op == Op::Sub) {
      to_a(x.b);  // k - b = -b + k
      emit(ALU | NEG);
      if (lhs.imm != 0) emit(ALU | ADD | K, lhs.imm);
      return;
    }
    ExprId in_a = x.a, in_x = x.b;
    if (ir::is_commutative(x.op) && pair_cost(in_x, in_a) < pair_cost(in_a, in_x)) std::swap(in_a, in_x);
    pair(in_a, in_x);
    emit(ALU | alu_op(x.op) | X);
  }

  // The walk starts from A = next header, X = offset and leaves its result in
  // A; X and the scratch slot it borrows hold leftovers afterwards.
  void compute_walk(const Expr& x) {
    pair(x.a, x.b);
    if (problem_) return;
    const uint32_t slot = take_temp();
    if (problem_) return;
    walks_.push_back(Walk{x.size, x.imm, x.stop, static_cast<uint8_t>(slot)});
    out_->push_back(walk_pseudo(static_cast<uint32_t>(walks_.size() - 1), static_cast<uint8_t>(slot)));
    st_.x = kNoExpr;
    st_.m[slot] = kNoExpr;
  }

  // Makes X hold `e`.
  void to_x(ExprId e) {
    if (st_.x == e) return;
    const Expr& x = exprs_[e];
    if (st_.a == e) {
      emit(MISC | TAX);
    } else if (auto slot = st_.slot_of(e)) {
      emit(LDX | MEM, *slot);
    } else if (x.kind == ExprKind::Const) {
      emit(LDX | IMM, x.imm);
    } else if (x.kind == ExprKind::Len) {
      emit(LDX | W | LEN);
    } else if (x.kind == ExprKind::Msh) {
      emit(LDX | B | MSH, x.imm);
    } else {
      to_a(e);
      emit(MISC | TAX);
    }
    st_.x = e;
  }

  // Loadable into X by one instruction that leaves A alone, even after
  // other code ran (slots are pinned while that code runs).
  bool x_durable(ExprId e) const {
    ExprKind k = exprs_[e].kind;
    return k == ExprKind::Const || k == ExprKind::Len || k == ExprKind::Msh || st_.slot_of(e).has_value();
  }

  // Recomputable into A by one instruction that leaves X alone.
  bool a_durable(ExprId e) const {
    ExprKind k = exprs_[e].kind;
    return k == ExprKind::Const || k == ExprKind::Len || k == ExprKind::LoadAbs || st_.slot_of(e).has_value();
  }

  // Whether making A hold `e` may change X, when X holds `x_then` at that
  // time. What A holds then is unknown, so this is pessimistic about it.
  bool clobbers_x(ExprId e, ExprId x_then) const {
    if (x_then == e || st_.slot_of(e)) return false;
    const Expr& x = exprs_[e];
    switch (x.kind) {
      case ExprKind::LoadInd: return x_then != x.a;
      case ExprKind::Msh:
      case ExprKind::Walk: return true;
      case ExprKind::Neg: return clobbers_x(x.a, x_then);
      case ExprKind::Binary:
        if (exprs_.is_const(x.b)) return clobbers_x(x.a, x_then);
        if (exprs_.is_const(x.a) && x.op == Op::Sub) return clobbers_x(x.b, x_then);
        return true;
      default: return false;
    }
  }

  // Rough count of the instructions pair(in_a, in_x) adds on top of
  // computing whichever operand is a tree (that costs the same in either
  // order); used to pick operand order.
  int pair_cost(ExprId in_a, ExprId in_x) const {
    // Getting a leaf into A takes one instruction; a tree is computed there
    // whatever the order.
    const int x_via_a = (a_durable(in_x) ? 1 : 0) + 1;  // ... then tax
    if (st_.a == in_a) {
      if (st_.x == in_x) return 0;
      if (x_durable(in_x)) return 1;
      return x_via_a + (a_durable(in_a) ? 1 : 2);  // reload in_a, or park it first
    }
    const int bring_a = a_durable(in_a) || st_.x == in_a ? 1 : 0;
    if (st_.x == in_x && !clobbers_x(in_a, in_x)) return bring_a;
    if (x_durable(in_x)) return bring_a + 1;
    if (!clobbers_x(in_a, in_x)) return bring_a + x_via_a;
    return bring_a + x_via_a + 2;  // st and ldx around in_a
  }

  // Makes A hold `in_a` and X hold `in_x`.
  void pair(ExprId in_a, ExprId in_x) {
    try_cheap_pair(in_a, in_x);
    if (problem_ || (st_.a == in_a && st_.x == in_x)) return;
    // The cheap orders did not work out (the analyses above are estimates):
    // this order is always right.
    to_a(in_x);
    if (!st_.slot_of(in_x)) {
      uint32_t temp = take_temp();
      if (problem_) return;
      emit(ST, temp);
      st_.m[temp] = in_x;
    }
    with_pinned(in_x, [&] { to_a(in_a); });
    to_x(in_x);
  }

  void try_cheap_pair(ExprId in_a, ExprId in_x) {
    if (st_.a == in_a) {
      if (st_.x == in_x || x_durable(in_x)) return to_x(in_x);
      // Computing in_x goes through A: keep in_a where it can be reloaded.
      if (!a_durable(in_a)) {
        uint32_t temp = take_temp();
        if (problem_) return;
        emit(ST, temp);
        st_.m[temp] = in_a;
      }
      with_pinned(in_a, [&] { to_x(in_x); });
      return to_a(in_a);
    }
    if (st_.x == in_x && !clobbers_x(in_a, in_x)) return to_a(in_a);
    if (x_durable(in_x)) {
      with_pinned(in_x, [&] { to_a(in_a); });
      return to_x(in_x);
    }
    if (!clobbers_x(in_a, in_x)) {
      to_x(in_x);
      to_a(in_a);
    }
  }

  // Runs `fn` with the slot holding `e` (if any) protected from temporaries.
  template <typename Fn>
  void with_pinned(ExprId e, Fn fn) {
    uint16_t saved = pinned_;
    if (auto slot = st_.slot_of(e)) pinned_ |= static_cast<uint16_t>(1u << *slot);
    fn();
    pinned_ = saved;
  }

  // A slot that holds nothing live and nothing pinned at this point.
  uint32_t take_temp() {
    uint16_t taken = busy_ | pinned_;
    for (uint32_t i = 0; i < kMemWords; ++i) {
      if (!(taken & (1u << i)) && st_.m[i] == kNoExpr) return i;
    }
    for (uint32_t i = 0; i < kMemWords; ++i) {
      if (!(taken & (1u << i))) return i;
    }
    if (!problem_) problem_ = error("too many registers needed to evaluate expression");
    return 0;
  }

  void internal_error(const std::string& what) {
    if (!problem_) problem_ = error("internal error: cbpf code generator: " + what);
  }

  const ir::Function& f_;
  const Plan& plan_;
  const ExprTable& exprs_;
  const std::vector<uint8_t>& slots_;
  std::vector<RegState> exit_state_;
  std::vector<bool> index_phi_;  // per value: a phi used only as a load index
  std::vector<Insn>* out_ = nullptr;
  std::vector<Walk> walks_;
  RegState st_;
  uint16_t busy_ = 0;    // slots of values live around the current evaluation point
  uint16_t pinned_ = 0;  // slots whose contents the current evaluation still needs
  std::optional<Diagnostic> problem_;
};

}  // namespace

Result<SelectedCode> select_instructions(const ir::Function& f, const Plan& plan,
                                        const std::vector<uint8_t>& slots) {
  return Selector(f, plan, slots).run();
}

}  // namespace bpfc::cbpf::detail
