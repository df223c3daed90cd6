// Facts known on dominating edges (libpcap's "edge dominators", generalized)
// and the branch folding and jump threading they allow.
//
// A branch `br eq v, K` tells its true edge v == K and its false edge v != K;
// gt and ge give ranges, set gives known bits. Blocks are visited in a
// preorder of the dominator tree (every block after its predecessors), with
// a scoped table of what is known about values there:
//  - a block entered by one edge learns that edge's fact;
//  - a block entered by several edges learns what all of them agree on (when
//    they all test the same value);
//  - and it keeps what its dominators knew.
// A branch whose outcome is then known becomes a jump (unreachable blocks go
// at the end). A branch whose outcome is known along one incoming edge only
// is threaded: that edge goes straight to the outcome's target, when the
// skipped block has no effect (nothing that can end the filter, no value used
// past it), so the new path computes exactly what the old one did.
//
// Folding only removes paths and threading only shortens paths into copies of
// old ones, so a fact true on every old path into a block stays true on every
// new one; the pass therefore keeps using the dominator tree and the facts
// it computed before its own edits.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cfg_edit.h"
#include "bpfc/ir/dominators.h"
#include "inst_facts.h"
#include "passes.h"

namespace bpfc::opt {
namespace {

constexpr uint32_t kAll = UINT32_MAX;
// Enough for a few != tests of one field; bounded so that long OR-lists of
// one field stay linear.
constexpr size_t kMaxExcluded = 8;
constexpr size_t kMaxPhiInputsScanned = 16;

// The values a fact excludes: at most kMaxExcluded, sorted, held inline
// (facts are copied for every edge and every undo record; a vector each
// time was most of this pass's allocations).
class Excluded {
 public:
  const uint32_t* begin() const { return values_; }
  const uint32_t* end() const { return values_ + size_; }
  bool empty() const { return size_ == 0; }
  bool contains(uint32_t k) const { return std::binary_search(begin(), end(), k); }
  // Adds k (not present), dropping the smallest value when full.
  void insert(uint32_t k) {
    if (size_ == kMaxExcluded) {
      std::copy(values_ + 1, values_ + size_, values_);
      --size_;
    }
    uint32_t* at = std::upper_bound(values_, values_ + size_, k);
    std::copy_backward(at, values_ + size_, values_ + size_ + 1);
    *at = k;
    ++size_;
  }
  // The values both exclude.
  static Excluded common(const Excluded& a, const Excluded& b) {
    Excluded both;
    const uint32_t *x = a.begin(), *y = b.begin();
    while (x != a.end() && y != b.end()) {
      if (*x < *y) {
        ++x;
      } else if (*y < *x) {
        ++y;
      } else {
        both.values_[both.size_++] = *x;
        ++x;
        ++y;
      }
    }
    return both;
  }

 private:
  uint32_t values_[kMaxExcluded] = {};
  size_t size_ = 0;
};

// What is known about one 32-bit value: an unsigned range, known bits, and
// a few values it is known not to be.
struct Fact {
  uint32_t lo = 0;
  uint32_t hi = kAll;
  uint32_t known_zero = 0;
  uint32_t known_one = 0;
  Excluded excluded;

  static Fact exactly(uint32_t k) {
    Fact f;
    f.lo = f.hi = k;
    f.known_one = k;
    f.known_zero = ~k;
    return f;
  }

  bool contradictory() const { return lo > hi || (known_zero & known_one) != 0; }
  bool is_exact() const { return !contradictory() && lo == hi; }

  bool excludes(uint32_t k) const { return excluded.contains(k); }

  void exclude(uint32_t k) {
    if (excludes(k)) return;
    excluded.insert(k);
  }

  // Makes range, bits and exclusions agree with each other.
  void tighten() {
    if (contradictory()) return;
    lo = std::max(lo, known_one);  // every known-one bit is set
    hi = std::min(hi, ~known_zero);
    while (lo < hi && excludes(lo)) ++lo;
    while (lo < hi && excludes(hi)) --hi;
    if (lo > hi) return;
    if (lo == hi) {
      if (excludes(lo) || (lo & known_zero) != 0 || (~lo & known_one) != 0) {
        make_contradictory();
        return;
      }
      known_one = lo;
      known_zero = ~lo;
    }
  }

  void make_contradictory() {
    lo = 1;
    hi = 0;
  }

  // Both facts hold.
  void meet(const Fact& other) {
    lo = std::max(lo, other.lo);
    hi = std::min(hi, other.hi);
    known_zero |= other.known_zero;
    known_one |= other.known_one;
    for (uint32_t k : other.excluded) exclude(k);
    tighten();
  }

  // One of the two facts holds (a fact that cannot hold adds nothing).
  static Fact join(const Fact& a, const Fact& b) {
    if (a.contradictory()) return b;
    if (b.contradictory()) return a;
    Fact j;
    j.lo = std::min(a.lo, b.lo);
    j.hi = std::max(a.hi, b.hi);
    j.known_zero = a.known_zero & b.known_zero;
    j.known_one = a.known_one & b.known_one;
    j.excluded = Excluded::common(a.excluded, b.excluded);
    j.tighten();
    return j;
  }

  bool is_unknown() const { return lo == 0 && hi == kAll && known_zero == 0 && known_one == 0 && excluded.empty(); }
};

// `value cond k` after normalising a branch so the constant is on the right;
// `negated` when the branch's true edge is taken when the test fails.
struct Test {
  ir::ValueId value = ir::kNoValue;
  ir::Cond cond = ir::Cond::Eq;
  uint32_t k = 0;
  bool negated = false;
};

std::optional<Test> test_of(const ir::Function& f, const ir::Terminator& t) {
  if (t.kind != ir::TermKind::Branch) return std::nullopt;
  auto rhs = constant_of(f, t.rhs);
  auto lhs = constant_of(f, t.lhs);
  if (rhs && !lhs) return Test{t.lhs, t.cond, *rhs, false};
  if (!lhs || rhs) return std::nullopt;
  switch (t.cond) {
    case ir::Cond::Eq:
    case ir::Cond::Set:
      return Test{t.rhs, t.cond, *lhs, false};
    case ir::Cond::Gt:  // K > v  is  !(v >= K)
      return Test{t.rhs, ir::Cond::Ge, *lhs, true};
    case ir::Cond::Ge:  // K >= v  is  !(v > K)
      return Test{t.rhs, ir::Cond::Gt, *lhs, true};
  }
  return std::nullopt;
}

// Whether `v cond k` holds for every value the fact allows (nullopt: not
// known).
std::optional<bool> decide(const Fact& f, ir::Cond cond, uint32_t k) {
  if (f.contradictory()) return std::nullopt;
  switch (cond) {
    case ir::Cond::Eq:
      if (f.lo == f.hi) return f.lo == k;
      if (k < f.lo || k > f.hi || f.excludes(k)) return false;
      if ((k & f.known_zero) != 0 || (~k & f.known_one) != 0) return false;
      return std::nullopt;
    case ir::Cond::Gt:
      if (f.lo > k) return true;
      if (f.hi <= k) return false;
      return std::nullopt;
    case ir::Cond::Ge:
      if (f.lo >= k) return true;
      if (f.hi < k) return false;
      return std::nullopt;
    case ir::Cond::Set:
      if (k == 0) return false;
      if ((f.known_one & k) != 0) return true;
      if ((k & ~f.known_zero) == 0) return false;
      if (f.hi < (k & (0u - k))) return false;  // below k's lowest bit
      return std::nullopt;
  }
  return std::nullopt;
}

// The fact refined by knowing whether `v cond k` held.
Fact assume(Fact f, ir::Cond cond, uint32_t k, bool holds) {
  switch (cond) {
    case ir::Cond::Eq:
      if (holds) {
        f.meet(Fact::exactly(k));
      } else {
        f.exclude(k);
      }
      break;
    case ir::Cond::Gt:
      if (holds) {
        if (k == kAll) f.make_contradictory();
        else f.lo = std::max(f.lo, k + 1);
      } else {
        f.hi = std::min(f.hi, k);
      }
      break;
    case ir::Cond::Ge:
      if (holds) {
        f.lo = std::max(f.lo, k);
      } else {
        if (k == 0) f.make_contradictory();
        else f.hi = std::min(f.hi, k - 1);
      }
      break;
    case ir::Cond::Set:
      if (!holds) f.known_zero |= k;
      else if (std::has_single_bit(k)) f.known_one |= k;
      break;
  }
  f.tighten();
  return f;
}

// What the blocks' tests taught about the tested value on each way out.
struct BlockExit {
  ir::ValueId value = ir::kNoValue;
  Fact on_true;
  Fact on_false;
  Fact on_jump;  // after the branch was folded or both edges merged
};

class EdgeFacts {
 public:
  EdgeFacts(ir::Function& f, PassCounters& counters)
      : f_(f), counters_(counters), dom_(f), preds_(ir::predecessors(f)), exits_(f.blocks.size()) {
    find_values_used_elsewhere();
  }

  bool run() {
    walk_dominator_tree();
    if (!changed_) return false;
    remove_unreachable_blocks(f_);
    return true;
  }

 private:
  // ---- the scoped table of facts --------------------------------------
  const Fact* stored(ir::ValueId v) const {
    auto it = facts_.find(v);
    return it == facts_.end() ? nullptr : &it->second;
  }

  void learn(ir::ValueId v, const Fact& fact) {
    auto it = facts_.find(v);
    if (it == facts_.end()) {
      undo_.emplace_back(v, std::nullopt);
      facts_.emplace(v, fact);
    } else {
      undo_.emplace_back(v, it->second);
      it->second.meet(fact);
    }
  }

  void undo_to(size_t mark) {
    while (undo_.size() > mark) {
      auto& [v, previous] = undo_.back();
      if (previous) facts_[v] = std::move(*previous); else facts_.erase(v);
      undo_.pop_back();
    }
  }

  // What the operation itself implies (a byte load is at most 0xff, x & 0xf0
  // has its low bits clear, ...), with what is stored about its operand.
  Fact intrinsic(ir::ValueId v) const {
    const ir::Inst& inst = f_.values[v];
    Fact f;
    auto operand_fact = [&](ir::ValueId x) { const Fact* s = stored(x); return s ? *s : Fact{}; };
    auto with_constant = [&](ir::ValueId& other) -> std::optional<uint32_t> {
      if (auto k = constant_of(f_, inst.b)) { other = inst.a; return k; }
      if (ir::is_commutative(inst.op)) {
        if (auto k = constant_of(f_, inst.a)) { other = inst.b; return k; }
      }
      return std::nullopt;
    };
    ir::ValueId x = ir::kNoValue;
    switch (inst.op) {
      case ir::Op::Const:
        return Fact::exactly(inst.imm);
      case ir::Op::Load:
        if (inst.size < 4) f.hi = (1u << (8 * inst.size)) - 1;
        break;
      case ir::Op::Protochain:
        // The walk's first next-header value, or a byte it read.
        f.hi = std::max<uint32_t>(operand_fact(inst.a).hi, 0xff);
        break;
      case ir::Op::And:
        if (auto k = with_constant(x)) {
          Fact of_x = operand_fact(x);
          f.hi = *k;
          f.known_zero = ~*k | of_x.known_zero;
          f.known_one = *k & of_x.known_one;
        }
        break;
      case ir::Op::Or:
        if (auto k = with_constant(x)) {
          Fact of_x = operand_fact(x);
          f.known_one = *k | of_x.known_one;
          f.known_zero = ~*k & of_x.known_zero;
        }
        break;
      case ir::Op::Shr:
        if (auto k = with_constant(x)) f.hi = *k >= 32 ? 0 : kAll >> *k;
        break;
      case ir::Op::Shl:
        if (auto k = with_constant(x)) {
          if (*k >= 32) return Fact::exactly(0);
          f.known_zero = (1u << *k) - 1;
        }
        break;
      case ir::Op::Mod:
        if (auto k = with_constant(x); k && *k != 0) f.hi = *k - 1;
        break;
      case ir::Op::Phi: {
        // Phis of constants (header offsets, ...): what all of them share.
        // Wide phis (merged lists) are not worth a linear scan per test.
        if (inst.incoming.size() > kMaxPhiInputsScanned) return f;
        std::optional<Fact> all;
        for (const ir::PhiIncoming& in : inst.incoming) {
          auto k = constant_of(f_, in.value);
          if (!k) return f;
          all = all ? Fact::join(*all, Fact::exactly(*k)) : Fact::exactly(*k);
        }
        if (all) return *all;
        break;
      }
      default:
        break;
    }
    f.tighten();
    return f;
  }

  Fact fact_of(ir::ValueId v) const {
    Fact f = intrinsic(v);
    if (const Fact* s = stored(v)) f.meet(*s);
    return f;
  }

  // ---- the walk ---------------------------------------------------------
  void walk_dominator_tree() {
    std::vector<size_t> marks;
    dom_.walk(
        [&](ir::BlockId b) {
          marks.push_back(undo_.size());
          visit(b);
        },
        [&](ir::BlockId) {
          undo_to(marks.back());
          marks.pop_back();
        });
  }

  void visit(ir::BlockId b) {
    // A block whose last predecessor went (a folded branch, a threaded edge)
    // is dead: its dominator subtree is still walked, for the blocks that
    // threading made reachable another way.
    if (b != 0 && preds_[b].empty()) return;
    learn_on_entry(b);
    thread_incoming_edges(b);
    if (b != 0 && preds_[b].empty()) return;
    record_exit(b);
    fold_own_branch(b);
  }

  // The fact about `v` on the edge pred -> b, from pred's own test; nullopt
  // when pred did not test v on that edge.
  std::optional<Fact> edge_fact(ir::BlockId pred, ir::BlockId b, ir::ValueId v) const {
    const BlockExit& exit = exits_[pred];
    if (exit.value != v || v == ir::kNoValue) return std::nullopt;
    const ir::Terminator& t = f_.blocks[pred].term;
    if (t.kind == ir::TermKind::Jump) {
      if (t.on_true != b) return std::nullopt;
      return exit.on_jump;
    }
    if (t.kind != ir::TermKind::Branch) return std::nullopt;
    if (t.on_true == b && t.on_false == b) return Fact::join(exit.on_true, exit.on_false);
    if (t.on_true == b) return exit.on_true;
    if (t.on_false == b) return exit.on_false;
    return std::nullopt;
  }

  // One edge in: its fact. Several: what they all say about a value they
  // all tested (libpcap only knew the single-edge case).
  void learn_on_entry(ir::BlockId b) {
    const auto& preds = preds_[b];
    if (preds.empty()) return;
    const ir::ValueId v = exits_[preds.front()].value;
    if (v == ir::kNoValue) return;
    std::optional<Fact> all;
    for (ir::BlockId p : preds) {
      auto fact = edge_fact(p, b, v);
      if (!fact) return;
      all = all ? Fact::join(*all, *fact) : *fact;
    }
    if (all && !all->is_unknown()) learn(v, *all);
  }

  std::optional<bool> outcome_here(const ir::Terminator& t) const {
    if (t.kind != ir::TermKind::Branch) return std::nullopt;
    if (t.lhs == t.rhs) {
      if (t.cond == ir::Cond::Eq || t.cond == ir::Cond::Ge) return true;
      if (t.cond == ir::Cond::Gt) return false;
    }
    auto test = test_of(f_, t);
    if (!test) return std::nullopt;
    auto holds = decide(fact_of(test->value), test->cond, test->k);
    if (!holds) return std::nullopt;
    return *holds != test->negated;
  }

  void fold_own_branch(ir::BlockId b) {
    ir::Terminator& t = f_.blocks[b].term;
    auto taken = outcome_here(t);
    if (!taken) return;
    const ir::BlockId target = *taken ? t.on_true : t.on_false;
    const ir::BlockId dropped = *taken ? t.on_false : t.on_true;
    fold_branch_to(f_, b, target);
    if (dropped != target) std::erase(preds_[dropped], b);
    BlockExit& exit = exits_[b];
    exit.on_jump = *taken ? exit.on_true : exit.on_false;
    counters_.add("branches folded");
    changed_ = true;
  }

  void record_exit(ir::BlockId b) {
    const ir::Terminator& t = f_.blocks[b].term;
    auto test = test_of(f_, t);
    if (!test) return;
    BlockExit& exit = exits_[b];
    const Fact known = fact_of(test->value);
    exit.value = test->value;
    exit.on_true = assume(known, test->cond, test->k, !test->negated);
    exit.on_false = assume(known, test->cond, test->k, test->negated);
    exit.on_jump = Fact::join(exit.on_true, exit.on_false);
  }

  // ---- jump threading ---------------------------------------------------
  void find_values_used_elsewhere() {
    used_elsewhere_.assign(f_.values.size(), false);
    used_on_edge_.assign(f_.values.size(), false);
    auto use = [&](ir::ValueId x, ir::BlockId at) {
      if (x != ir::kNoValue && f_.values[x].block != at) used_elsewhere_[x] = true;
    };
    for (ir::BlockId b = 0; b < f_.blocks.size(); ++b) {
      for (ir::ValueId v : f_.blocks[b].insts) {
        const ir::Inst& inst = f_.values[v];
        use(inst.a, b);
        use(inst.b, b);
        // A phi input is used at the end of its predecessor: by the edge
        // leaving the value's own block, or past that block.
        for (const ir::PhiIncoming& in : inst.incoming) {
          if (f_.values[in.value].block == in.block) {
            used_on_edge_[in.value] = true;
          } else if (f_.values[in.value].block != b) {
            used_elsewhere_[in.value] = true;
          }
        }
      }
      use(f_.blocks[b].term.lhs, b);
      use(f_.blocks[b].term.rhs, b);
    }
  }

  // Skipping b changes nothing but the path: b cannot end the filter and
  // nothing after it reads its values (its phis may feed the successors'
  // phis: those take the phi's input from the threaded edge instead).
  bool can_skip(ir::BlockId b) const {
    for (ir::ValueId v : f_.blocks[b].insts) {
      const ir::Inst& inst = f_.values[v];
      if (used_elsewhere_[v]) return false;
      if (inst.op == ir::Op::Phi) continue;
      if (used_on_edge_[v] || can_end_filter(f_, inst)) return false;  // only phis have substitutes
    }
    return true;
  }

  // The value `v` (possibly a phi of b) has on the edge pred -> b, and
  // what is known about it there.
  std::pair<ir::ValueId, Fact> value_on_edge(ir::BlockId pred, ir::BlockId b, ir::ValueId v) const {
    if (f_.values[v].block == b && f_.values[v].op == ir::Op::Phi) v = phi_input_from(f_.values[v], pred);
    Fact fact = fact_of(v);
    if (auto on_edge = edge_fact(pred, b, v)) fact.meet(*on_edge);
    return {v, fact};
  }

  void thread_incoming_edges(ir::BlockId b) {
    const ir::Terminator t = f_.blocks[b].term;
    if (t.kind != ir::TermKind::Branch || preds_[b].size() < 2) return;
    auto test = test_of(f_, t);
    if (!test || !can_skip(b)) return;
    const std::vector<ir::BlockId> preds = preds_[b];
    for (ir::BlockId p : preds) {
      if (p != 0 && preds_[p].empty()) continue;  // dead: goes at the end
      auto [value, fact] = value_on_edge(p, b, test->value);
      auto holds = decide(fact, test->cond, test->k);
      if (!holds) continue;
      const ir::BlockId target = *holds != test->negated ? t.on_true : t.on_false;
      if (target == b) continue;
      if (redirect(p, b, target)) {
        counters_.add("jumps threaded");
        changed_ = true;
      }
    }
  }

  // The value target's phi `phi` receives on a new edge pred -> target that
  // replaces pred -> b -> target.
  ir::ValueId threaded_phi_input(ir::ValueId phi, ir::BlockId pred, ir::BlockId b) const {
    ir::ValueId through_b = phi_input_from(f_.values[phi], b);
    const ir::Inst& source = f_.values[through_b];
    if (source.block == b && source.op == ir::Op::Phi) return phi_input_from(source, pred);
    return through_b;
  }

  bool redirect(ir::BlockId pred, ir::BlockId b, ir::BlockId target) {
    ir::Block& from = f_.blocks[pred];
    const bool already_there = std::find(preds_[target].begin(), preds_[target].end(), pred) != preds_[target].end();
    std::vector<std::pair<ir::ValueId, ir::ValueId>> new_inputs;  // phi, input from pred
    for (ir::ValueId phi : f_.blocks[target].insts) {
      if (f_.values[phi].op != ir::Op::Phi) break;
      ir::ValueId input = threaded_phi_input(phi, pred, b);
      if (already_there && phi_input_from(f_.values[phi], pred) != input) return false;
      new_inputs.emplace_back(phi, input);
    }
    remove_phi_inputs_from(f_, b, pred);
    std::erase(preds_[b], pred);
    if (already_there) {
      // Both of pred's edges now lead to target: a jump.
      exits_[pred].on_jump = Fact::join(exits_[pred].on_true, exits_[pred].on_false);
      from.term = ir::Terminator{};
      from.term.kind = ir::TermKind::Jump;
      from.term.on_true = target;
      return true;
    }
    retarget_edges(from, b, target);
    for (auto [phi, input] : new_inputs) {
      auto& incoming = f_.values[phi].incoming;  // kept in predecessor order
      auto at = std::find_if(incoming.begin(), incoming.end(), [&](const ir::PhiIncoming& in) { return in.block > pred; });
      incoming.insert(at, {pred, input});
    }
    auto& target_preds = preds_[target];
    target_preds.insert(std::upper_bound(target_preds.begin(), target_preds.end(), pred), pred);
    return true;
  }

  ir::Function& f_;
  PassCounters& counters_;
  ir::DominatorTree dom_;
  std::vector<std::vector<ir::BlockId>> preds_;  // kept current through the edits
  std::vector<BlockExit> exits_;
  std::vector<bool> used_elsewhere_;
  std::vector<bool> used_on_edge_;
  std::unordered_map<ir::ValueId, Fact> facts_;
  std::vector<std::pair<ir::ValueId, std::optional<Fact>>> undo_;
  bool changed_ = false;
};

}  // namespace

bool propagate_edge_facts(ir::Function& f, PassCounters& counters) {
  if (f.blocks.empty()) return false;
  return EdgeFacts(f, counters).run();
}

}  // namespace bpfc::opt
