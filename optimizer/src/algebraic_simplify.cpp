// Algebraic simplification: identities (x+0, x*1, x&0xffffffff, x|0, shifts
// by 0 or by 32 and more, x-x, ...), reassociation of constant operands
// ((x&a)&b -> x&(a&b), (x+a)-b -> x+(a-b), ...), strength reduction of
// multiplications, divisions and moduli by powers of two, canonical operand
// order (constants on the right, in operations and in branches), and what
// known-zero bits decide: x&k is x or 0 when the bits k clears (or keeps) are
// known to be zero, and a branch comparing such a value with a constant it
// cannot reach is folded. `br eq x&k, 0` becomes a bit test `br set x, k`.
//
// One forward sweep in block order: an operand is always simplified before
// its uses (the CFG is acyclic and blocks are topological).
#include <bit>
#include <optional>

#include "cfg_edit.h"
#include "inst_facts.h"
#include "passes.h"
#include "value_replacements.h"

namespace bpfc::opt {
namespace {

// The bits above the highest bit `max` can have: known zero in any value
// that is at most `max`.
uint32_t zero_bits_above(uint64_t max) {
  if (max > UINT32_MAX) return 0;
  if (max == 0) return UINT32_MAX;
  return ~(UINT32_MAX >> std::countl_zero(static_cast<uint32_t>(max)));
}

class AlgebraSimplifier {
 public:
  AlgebraSimplifier(ir::Function& f, PassCounters& counters) : f_(f), counters_(counters) {}

  bool run() {
    count_uses();
    known_zero_.assign(f_.values.size(), 0);
    for (ir::BlockId b = 0; b < f_.blocks.size(); ++b) simplify_block(b);
    replacements_.apply(f_);
    if (folded_branches_ > 0) counters_.add("unreachable blocks removed", remove_unreachable_blocks(f_));
    return changed_;
  }

 private:
  void count_uses() {
    uses_.assign(f_.values.size(), 0);
    auto use = [&](ir::ValueId v) {
      if (v != ir::kNoValue && v < uses_.size()) ++uses_[v];
    };
    for (const ir::Block& block : f_.blocks) {
      for (ir::ValueId v : block.insts) {
        const ir::Inst& inst = f_.values[v];
        use(inst.a);
        use(inst.b);
        for (const ir::PhiIncoming& in : inst.incoming) use(in.value);
      }
      use(block.term.lhs);
      use(block.term.rhs);
    }
  }

  void note(const char* what) {
    counters_.add(what);
    changed_ = true;
  }

  void simplify_block(ir::BlockId b) {
    block_ = b;
    std::vector<ir::ValueId> old = std::move(f_.blocks[b].insts);
    out_.clear();
    for (ir::ValueId v : old) {
      replacements_.rewrite_operands(f_.values[v]);
      simplify(v, 0);
      if (replacements_.replaced(v)) {
        f_.values[v].block = ir::kNoBlock;  // every use now reads its replacement
        continue;
      }
      out_.push_back(v);
      known_zero_[v] = compute_known_zero(f_.values[v]);
    }
    simplify_branch(b);
    f_.blocks[b].insts = std::move(out_);
  }

  // A new constant, placed before the instruction being simplified.
  ir::ValueId constant(uint32_t k) {
    ir::Inst inst;
    inst.op = ir::Op::Const;
    inst.imm = k;
    inst.block = block_;
    f_.values.push_back(inst);
    const auto id = static_cast<ir::ValueId>(f_.values.size() - 1);
    out_.push_back(id);
    known_zero_.push_back(~k);
    uses_.push_back(1);
    return id;
  }

  void replace_by(ir::ValueId v, ir::ValueId with, const char* what) {
    replacements_.replace(v, with);
    uses_[with] += uses_[v];
    note(what);
  }

  void make_constant(ir::ValueId v, uint32_t k, const char* what) {
    ir::Inst& inst = f_.values[v];
    inst.op = ir::Op::Const;
    inst.imm = k;
    inst.a = ir::kNoValue;
    inst.b = ir::kNoValue;
    note(what);
  }

  // v becomes `op a, k` for a new constant k; simplified again, since the
  // new form may itself be an identity (x+0) or combine further.
  void rewrite(ir::ValueId v, ir::Op op, ir::ValueId a, uint32_t k, const char* what, int depth) {
    const ir::ValueId kid = constant(k);
    ir::Inst& inst = f_.values[v];
    inst.op = op;
    inst.a = a;
    inst.b = kid;
    ++uses_[a];
    note(what);
    simplify(v, depth + 1);
  }

  // k when x is `op y, k` with y not a constant (two constants are constant
  // folding's business).
  std::optional<uint32_t> constant_operand_of(ir::ValueId x, ir::Op op) const {
    const ir::Inst& inner = f_.values[x];
    if (inner.op != op || constant_of(f_, inner.a)) return std::nullopt;
    return constant_of(f_, inner.b);
  }

  void simplify(ir::ValueId v, int depth) {
    if (depth > 4) return;  // each rewrite removes an operation; a bound anyway
    ir::Inst& inst = f_.values[v];
    if (inst.op == ir::Op::Neg) {
      const ir::Inst& inner = f_.values[inst.a];
      if (inner.op == ir::Op::Neg) replace_by(v, inner.a, "double negations removed");
      return;
    }
    if (!ir::is_binary(inst.op)) return;
    if (ir::is_commutative(inst.op) && constant_of(f_, inst.a) && !constant_of(f_, inst.b)) {
      std::swap(inst.a, inst.b);
      note("constant operands moved right");
    }
    const ir::ValueId x = inst.a;
    auto ca = constant_of(f_, x);
    auto cb = constant_of(f_, inst.b);
    if (!cb) {
      simplify_same_operands(v);
      if (ca && *ca == 0 && (inst.op == ir::Op::Shl || inst.op == ir::Op::Shr)) {
        make_constant(v, 0, "shifts of zero folded");
      }
      return;
    }
    if (ca) return;  // both constant: constant folding's business
    simplify_with_constant(v, inst.op, x, *cb, depth);
  }

  void simplify_same_operands(ir::ValueId v) {
    const ir::Inst& inst = f_.values[v];
    if (inst.a != inst.b) return;
    switch (inst.op) {
      case ir::Op::Sub:
      case ir::Op::Xor:
        make_constant(v, 0, "x-x and x^x folded");
        break;
      case ir::Op::And:
      case ir::Op::Or:
        replace_by(v, inst.a, "x&x and x|x replaced by x");
        break;
      default:
        break;
    }
  }

  void simplify_with_constant(ir::ValueId v, ir::Op op, ir::ValueId x, uint32_t c, int depth) {
    const char* identity = "identities removed (x+0, x*1, x&0xffffffff, ...)";
    const char* absorbing = "absorbing constants folded (x*0, x&0, ...)";
    const char* reassociated = "constant operands combined ((x&a)&b, ...)";
    const char* strength = "multiplications, divisions and moduli by powers of two made shifts and masks";
    const uint32_t kz = known_zero(x);
    switch (op) {
      case ir::Op::Add:
        if (c == 0) return replace_by(v, x, identity);
        if (auto k = constant_operand_of(x, ir::Op::Add)) return rewrite(v, ir::Op::Add, f_.values[x].a, *k + c, reassociated, depth);
        if (auto k = constant_operand_of(x, ir::Op::Sub)) return rewrite(v, ir::Op::Add, f_.values[x].a, c - *k, reassociated, depth);
        return;
      case ir::Op::Sub:
        if (c == 0) return replace_by(v, x, identity);
        if (auto k = constant_operand_of(x, ir::Op::Add)) return rewrite(v, ir::Op::Add, f_.values[x].a, *k - c, reassociated, depth);
        if (auto k = constant_operand_of(x, ir::Op::Sub)) return rewrite(v, ir::Op::Sub, f_.values[x].a, *k + c, reassociated, depth);
        return;
      case ir::Op::Mul:
        if (c == 0) return make_constant(v, 0, absorbing);
        if (c == 1) return replace_by(v, x, identity);
        if (auto k = constant_operand_of(x, ir::Op::Mul)) return rewrite(v, ir::Op::Mul, f_.values[x].a, *k * c, reassociated, depth);
        if (std::has_single_bit(c)) return rewrite(v, ir::Op::Shl, x, std::countr_zero(c), strength, depth);
        return;
      case ir::Op::Div:
        // A zero divisor ends the filter: it stays as it is.
        if (c == 1) return replace_by(v, x, identity);
        if (std::has_single_bit(c)) return rewrite(v, ir::Op::Shr, x, std::countr_zero(c), strength, depth);
        return;
      case ir::Op::Mod:
        if (c == 1) return make_constant(v, 0, absorbing);
        if (std::has_single_bit(c)) return rewrite(v, ir::Op::And, x, c - 1, strength, depth);
        return;
      case ir::Op::And:
        if ((c & ~kz) == 0) return make_constant(v, 0, absorbing);
        if ((c | kz) == UINT32_MAX) return replace_by(v, x, identity);
        if (auto k = constant_operand_of(x, ir::Op::And)) return rewrite(v, ir::Op::And, f_.values[x].a, *k & c, reassociated, depth);
        return;
      case ir::Op::Or:
        if (c == 0) return replace_by(v, x, identity);
        if (c == UINT32_MAX) return make_constant(v, UINT32_MAX, absorbing);
        if (auto k = constant_operand_of(x, ir::Op::Or)) return rewrite(v, ir::Op::Or, f_.values[x].a, *k | c, reassociated, depth);
        return;
      case ir::Op::Xor:
        if (c == 0) return replace_by(v, x, identity);
        if (auto k = constant_operand_of(x, ir::Op::Xor)) return rewrite(v, ir::Op::Xor, f_.values[x].a, *k ^ c, reassociated, depth);
        return;
      case ir::Op::Shl:
      case ir::Op::Shr:
        if (c == 0) return replace_by(v, x, identity);
        if (c >= 32) return make_constant(v, 0, absorbing);
        if (auto k = constant_operand_of(x, op)) {
          const uint64_t total = uint64_t{*k} + c;
          if (total >= 32) return make_constant(v, 0, reassociated);
          return rewrite(v, op, f_.values[x].a, static_cast<uint32_t>(total), reassociated, depth);
        }
        return;
      default:
        return;
    }
  }

  uint32_t known_zero(ir::ValueId v) const {
    if (v >= known_zero_.size()) return 0;
    if (auto k = constant_of(f_, v)) return ~*k;
    return known_zero_[v];
  }

  // Bits of the instruction's result that are zero whatever the packet.
  uint32_t compute_known_zero(const ir::Inst& inst) const {
    auto max_of = [&](ir::ValueId v) { return uint64_t{~known_zero(v)}; };
    auto constant = [&](ir::ValueId v) { return constant_of(f_, v); };
    switch (inst.op) {
      case ir::Op::Const: return ~inst.imm;
      case ir::Op::Load: return inst.size == 4 ? 0 : UINT32_MAX << (8 * inst.size);
      case ir::Op::And: return known_zero(inst.a) | known_zero(inst.b);
      case ir::Op::Or:
      case ir::Op::Xor: return known_zero(inst.a) & known_zero(inst.b);
      case ir::Op::Add: return zero_bits_above(max_of(inst.a) + max_of(inst.b));
      case ir::Op::Mul: return zero_bits_above(max_of(inst.a) * max_of(inst.b));
      case ir::Op::Div: return zero_bits_above(max_of(inst.a));
      case ir::Op::Mod: {
        uint64_t max = max_of(inst.a);
        if (auto k = constant(inst.b); k && *k != 0) max = std::min<uint64_t>(max, *k - 1);
        return zero_bits_above(max);
      }
      case ir::Op::Shl: {
        auto k = constant(inst.b);
        if (!k) return 0;
        if (*k >= 32) return UINT32_MAX;
        return (known_zero(inst.a) << *k) | ((1u << *k) - 1);
      }
      case ir::Op::Shr: {
        auto k = constant(inst.b);
        if (!k) return zero_bits_above(max_of(inst.a));
        if (*k >= 32) return UINT32_MAX;
        return (known_zero(inst.a) >> *k) | ~(UINT32_MAX >> *k);
      }
      case ir::Op::Phi: {
        uint32_t zero = UINT32_MAX;
        for (const ir::PhiIncoming& in : inst.incoming) zero &= known_zero(in.value);
        return inst.incoming.empty() ? 0 : zero;
      }
      case ir::Op::Protochain:
        // The walk's first next-header value, or a byte it read.
        return known_zero(inst.a) & ~uint32_t{0xff};
      case ir::Op::Len:
      case ir::Op::Caplen:
      case ir::Op::Meta:
      case ir::Op::Sub:
      case ir::Op::Neg:
        return 0;
    }
    return 0;
  }

  void simplify_branch(ir::BlockId b) {
    ir::Terminator& t = f_.blocks[b].term;
    replacements_.rewrite_operands(t);
    if (t.kind != ir::TermKind::Branch) return;
    if (constant_of(f_, t.lhs) && !constant_of(f_, t.rhs)) put_constant_right(t);
    auto c = constant_of(f_, t.rhs);
    if (!c || constant_of(f_, t.lhs)) return;
    const ir::ValueId x = t.lhs;
    const uint32_t max = ~known_zero(x);
    std::optional<bool> outcome;
    switch (t.cond) {
      case ir::Cond::Eq: if ((*c & ~max) != 0) outcome = false; break;
      case ir::Cond::Gt: if (max <= *c) outcome = false; break;
      case ir::Cond::Ge: if (*c > max) outcome = false; break;
      case ir::Cond::Set: if ((*c & max) == 0) outcome = false; break;
    }
    if (outcome) {
      fold_branch_to(f_, b, *outcome ? t.on_true : t.on_false);
      ++folded_branches_;
      note("branches decided by known-zero bits");
      return;
    }
    auto mask = constant_operand_of(x, ir::Op::And);
    if (!mask) return;
    const ir::ValueId masked = f_.values[x].a;
    // Only when the branch is the mask's one use: the mask then goes away;
    // otherwise the test would need y as well as y & m.
    if (uses_[x] != 1) return;
    if (t.cond == ir::Cond::Set) {
      // (y & m) & c != 0  <=>  y & (m & c) != 0
      const ir::ValueId k = constant(*mask & *c);
      ++uses_[masked];
      t.lhs = masked;
      t.rhs = k;
      note("bit tests of masked values combined");
    } else if (*c == 0 && (t.cond == ir::Cond::Eq || t.cond == ir::Cond::Gt)) {
      // y & m == 0 is !(y & m != 0); y & m > 0 is y & m != 0.
      if (t.cond == ir::Cond::Eq) std::swap(t.on_true, t.on_false);
      t.cond = ir::Cond::Set;
      t.rhs = f_.values[x].b;
      t.lhs = masked;
      ++uses_[masked];
      note("masked comparisons with zero made bit tests");
    }
  }

  // k == x -> x == k; k > x -> !(x >= k); k >= x -> !(x > k).
  void put_constant_right(ir::Terminator& t) {
    std::swap(t.lhs, t.rhs);
    if (t.cond == ir::Cond::Gt || t.cond == ir::Cond::Ge) {
      t.cond = t.cond == ir::Cond::Gt ? ir::Cond::Ge : ir::Cond::Gt;
      std::swap(t.on_true, t.on_false);
    }
    note("constant operands of branches moved right");
  }

  ir::Function& f_;
  PassCounters& counters_;
  ValueReplacements replacements_;
  std::vector<uint32_t> uses_;        // uses counted at the start, plus new ones (never fewer than real)
  std::vector<uint32_t> known_zero_;  // per value, once swept
  std::vector<ir::ValueId> out_;      // the instructions of the block being swept
  ir::BlockId block_ = 0;
  size_t folded_branches_ = 0;
  bool changed_ = false;
};

}  // namespace

bool simplify_algebra(ir::Function& f, PassCounters& counters) { return AlgebraSimplifier(f, counters).run(); }

}  // namespace bpfc::opt
