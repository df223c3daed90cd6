// Set lowering: a chain of blocks that each test one value against one
// constant (or one prefix: `and V, mask` == C with a contiguous mask), or
// against one range (two blocks, `ge V, lo` then `gt V, hi`, as portrange
// gives), all sending a match to the same block T and continuing on a
// mismatch, is the membership test "V in S -> T, else E". Lowering (which
// replays libpcap's optimizer) emits such chains for host, port, net and
// portrange lists, costing one compare per key on every packet that misses.
// This pass replaces each long chain by a balanced binary search over the
// sorted, merged intervals of S: about 1.5 compares per key in program size,
// at most ceil(log2 n) + 1 per packet. A short chain is rewritten as a
// linear chain over the merged intervals when that takes fewer compares
// (`portrange 53` is `ge 53, gt 53`: one eq; keys 0x18..0x1b: one range).
// A tree over prefixes of one length (a `net` list of /24s) searches
// value >> (32 - length), where each prefix is one value rather than a
// range of two compares. Leaves test their keys in ascending order, so a
// value below one key's range leaves the leaf at once.
//
// Both polarities are one shape: in a disjunction T accepts, in a
// conjunction of negations T rejects; either way T is the eq target.
//
// Chains are found in one forward walk over the blocks: a step continues the
// chain when all its block's predecessors are the previous step's blocks, it
// compares the same value (equal by structure, phis mapped through the
// edges) and sends a match to the same T with the same phi inputs there. A
// block entered from elsewhere too starts a chain of its own, so every block
// belongs to at most one chain and a tail shared by several heads is lowered
// once, not once per head.
//
// Correctness against the IR contract: the removed blocks contain no load or
// division other than ones structurally identical to a value computed on the
// head's path (so they could not end the filter), and the new blocks compute
// nothing that can fail. Values of removed blocks that are still used further
// on are replaced by the head's identical value, or, for constants, moved
// into the head, which dominates every such use.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "entry_constants.h"
#include "passes.h"

namespace bpfc::opt {
namespace {

using ir::BlockId;
using ir::Cond;
using ir::Function;
using ir::Inst;
using ir::kNoBlock;
using ir::kNoValue;
using ir::Op;
using ir::TermKind;
using ir::ValueId;

// A chain shorter than this gets no tree. A chain of n compares is n
// instructions and up to n compares per packet; the tree is about 1.5 n
// instructions and at most ceil(log2 n) + 1 compares, so lowering trades
// program size for speed and only pays off on long lists. Measured with
// bench_program_size: no EN10MB corpus chain long enough to matter reaches 6
// (thresholds 6..16 give the same 3370 instructions as no lowering; 4 makes
// two corpus filters longer). From 8 keys the tree halves the worst case
// (4 compares instead of 8) for 4 more instructions.
constexpr size_t kMinChainLength = 8;

// Keys tested one after the other at a leaf of the search tree. Two keys per
// leaf keep the worst case at log2(n) + 1 compares (as a tree of single-key
// leaves) while removing a quarter of the tree's instructions.
constexpr size_t kLeafKeys = 2;

struct Interval {
  uint32_t lo;
  uint32_t hi;
};

// May this operation end the filter (out-of-bounds load, division by zero)?
bool may_fail(Op op) {
  return op == Op::Load || op == Op::Div || op == Op::Mod || op == Op::Protochain || op == Op::Meta;
}

// Structural value numbers: two values with the same number compute the same
// 32-bit result wherever both are defined on one path. A phi with one
// incoming value is its incoming value; any other phi is only itself.
class StructuralNumbers {
 public:
  explicit StructuralNumbers(const Function& f) : f_(f), number_(f.values.size(), kUnset) {}

  uint32_t of(ValueId root) {
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
      number_[v] = number_for(inst);
    }
    return number_[root];
  }

 private:
  static constexpr uint32_t kUnset = UINT32_MAX;

  struct Key {
    uint64_t head;  // op, size, imm
    uint64_t operands;
    uint32_t stop;  // Protochain's protocol number (0 for the others)
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<uint64_t>()((k.head * 0x9e3779b97f4a7c15ULL ^ k.operands) * 0xbf58476d1ce4e5b9ULL ^ k.stop);
    }
  };

  uint32_t number_for(const Inst& inst) {
    if (inst.op == Op::Phi) {
      if (inst.incoming.size() == 1) return number_[inst.incoming[0].value];
      return fresh();
    }
    uint32_t a = inst.a == kNoValue ? kUnset : number_[inst.a];
    uint32_t b = inst.b == kNoValue ? kUnset : number_[inst.b];
    if (ir::is_commutative(inst.op) && a > b) std::swap(a, b);
    Key key{(uint64_t(inst.op) << 40) | (uint64_t(inst.size) << 32) | inst.imm, (uint64_t(a) << 32) | b, inst.stop};
    auto [it, inserted] = table_.try_emplace(key, next_);
    if (inserted) ++next_;
    return it->second;
  }
  uint32_t fresh() { return next_++; }

  const Function& f_;
  std::vector<uint32_t> number_;
  std::unordered_map<Key, uint32_t, KeyHash> table_;
  uint32_t next_ = 0;
};

// What a block's terminator tests: "subject in range" sends it to on_true.
// BlockTest::host of a range test. A prefix mask is never 0, so no prefix
// has all 32 host bits (a /31 has host bits 1, a /32 none).
constexpr uint32_t kNotPrefix = UINT32_MAX;

struct BlockTest {
  uint32_t subject;  // structural number of the compared value
  ValueId value;     // that value, as available at the end of the block
  ValueId compared;  // the branch's own operand (value, or `and value, mask`)
  bool empty;        // the test can never hold (C has bits outside the mask)
  Interval range;
  uint32_t host = kNotPrefix;  // eq tests: the bits the mask clears (0: none)
};

ValueId strip_single_phis(const Function& f, ValueId v) {
  while (f.value(v).op == Op::Phi && f.value(v).incoming.size() == 1) v = f.value(v).incoming[0].value;
  return v;
}

// A mask of contiguous high bits (a network prefix), not all zero.
bool is_prefix_mask(uint32_t mask) {
  uint32_t host = ~mask;
  return mask != 0 && (host & (host + 1)) == 0;
}

// One place where a value is used, so that it can be redirected.
struct Use {
  enum Kind : uint8_t { OperandA, OperandB, Incoming, TermLhs, TermRhs } kind;
  uint32_t where;  // the using value, or the block whose terminator uses it
  uint32_t index;  // Incoming: position in the phi's incoming list
};

struct Chain {
  BlockId head;
  std::vector<BlockId> members;  // the blocks after the head, in order
  BlockId match;                 // T: where a value in the set goes
  BlockId exit;                  // E: where every other value goes
  ValueId value;                 // what the tree compares (head's)
  std::vector<Interval> keys;    // unsorted, as collected
  BlockId enters_match;          // a chain block whose edge enters T
  std::vector<BlockId> enters_exit;  // the chain blocks whose edges enter E
  bool linear = false;               // rewritten as a linear chain, not a tree
  // The host bits every link's prefix mask clears, when all links are eq
  // tests with one mask (0: plain values); kNotPrefix otherwise.
  uint32_t host = kNotPrefix;
};

class SetLowering {
 public:
  SetLowering(Function& f, PassCounters& counters) : f_(f), counters_(counters), numbers_(f) {}

  bool run() {
    index_uses();
    index_incoming();
    count_predecessors();
    std::vector<Chain> chains = find_chains();
    if (chains.empty()) return false;
    constants_.emplace(f_);
    rewritten_head_.assign(f_.blocks.size(), false);
    // The trees need at most two blocks and two constants per key: grow the
    // function once rather than vector by vector.
    size_t keys = 0;
    for (const Chain& chain : chains) keys += chain.keys.size();
    f_.blocks.reserve(f_.blocks.size() + 2 * keys);
    f_.values.reserve(f_.values.size() + 2 * keys + 2 * chains.size());
    uint64_t compares = 0;
    for (Chain& chain : chains) {
      compares += chain.members.size() + 1;
      rewrite(chain);
    }
    constants_->place();
    fix_phis();
    ir::renumber_topologically(f_);
    counters_.add("chains lowered", chains.size());
    counters_.add("chain compares replaced", compares);
    return true;
  }

 private:
  // ---- indexes over the original function ----

  void index_uses() {
    uses_.assign(f_.values.size(), {});
    used_outside_block_.assign(f_.values.size(), false);
    auto note = [&](ValueId used, Use use, BlockId at) {
      if (used == kNoValue || used >= f_.values.size()) return;
      uses_[used].push_back(use);
      if (f_.value(used).block != at) used_outside_block_[used] = true;
    };
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      for (ValueId v : f_.blocks[b].insts) {
        const Inst& inst = f_.value(v);
        if (inst.op == Op::Phi) {
          for (uint32_t i = 0; i < inst.incoming.size(); ++i) note(inst.incoming[i].value, {Use::Incoming, v, i}, b);
        } else {
          note(inst.a, {Use::OperandA, v, 0}, b);
          note(inst.b, {Use::OperandB, v, 0}, b);
        }
      }
      const ir::Terminator& t = f_.blocks[b].term;
      if (t.kind == TermKind::Ret || t.kind == TermKind::Branch) note(t.lhs, {Use::TermLhs, b, 0}, b);
      if (t.kind == TermKind::Branch) note(t.rhs, {Use::TermRhs, b, 0}, b);
    }
  }

  static uint64_t edge_key(ValueId phi, BlockId pred) { return (uint64_t(phi) << 32) | pred; }

  void index_incoming() {
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      for (ValueId v : f_.blocks[b].insts) {
        const Inst& inst = f_.value(v);
        if (inst.op != Op::Phi) break;
        for (const auto& in : inst.incoming) incoming_.emplace(edge_key(v, in.block), in.value);
      }
    }
  }

  ValueId incoming(ValueId phi, BlockId pred) const {
    auto it = incoming_.find(edge_key(phi, pred));
    return it == incoming_.end() ? kNoValue : it->second;
  }

  void count_predecessors() {
    pred_count_.assign(f_.blocks.size(), 0);
    for (const auto& block : f_.blocks) {
      const auto& t = block.term;
      if (t.kind == TermKind::Jump) ++pred_count_[t.on_true];
      if (t.kind == TermKind::Branch) {
        ++pred_count_[t.on_true];
        if (t.on_false != t.on_true) ++pred_count_[t.on_false];
      }
    }
  }

  // ---- recognising chains ----

  // `x` as seen along the edges from `from` into b: a phi of b is its
  // incoming value (the same, by structure, on every one of those edges).
  ValueId through_edges(ValueId x, BlockId b, const std::vector<BlockId>& from) {
    x = strip_single_phis(f_, x);
    if (f_.value(x).op != Op::Phi || f_.value(x).block != b || from.empty()) return x;
    ValueId first = incoming(x, from[0]);
    if (first == kNoValue) return kNoValue;
    for (BlockId p : from) {
      ValueId other = incoming(x, p);
      if (other == kNoValue || numbers_.of(other) != numbers_.of(first)) return kNoValue;
    }
    return strip_single_phis(f_, first);
  }

  struct ConstCompare {
    Cond cond;
    ValueId x;
    uint32_t c;
  };

  // `br cond x, const` with two distinct targets.
  std::optional<ConstCompare> const_compare(BlockId b) {
    const ir::Terminator& t = f_.blocks[b].term;
    if (t.kind != TermKind::Branch || t.on_true == t.on_false) return std::nullopt;
    ValueId x = t.lhs;
    ValueId k = t.rhs;
    // Only eq is symmetric; gt/ge with the constant on the left are not
    // range tests of the kind lowering emits.
    if (t.cond == Cond::Eq && f_.value(k).op != Op::Const) std::swap(x, k);
    if (f_.value(k).op != Op::Const || f_.value(x).op == Op::Const) return std::nullopt;
    if (t.cond == Cond::Set) return std::nullopt;
    return ConstCompare{t.cond, x, f_.value(k).imm};
  }

  // The test of an eq block: value == c, or (value & prefix mask) == c.
  std::optional<BlockTest> eq_test(ValueId compared, BlockId b, const std::vector<BlockId>& from, uint32_t c) {
    ValueId x = through_edges(compared, b, from);
    if (x == kNoValue) return std::nullopt;
    const Inst& xi = f_.value(x);
    if (xi.op == Op::And) {
      for (auto [mask_v, masked] : {std::pair{xi.b, xi.a}, std::pair{xi.a, xi.b}}) {
        if (f_.value(mask_v).op != Op::Const || !is_prefix_mask(f_.value(mask_v).imm)) continue;
        uint32_t host = ~f_.value(mask_v).imm;
        ValueId base = strip_single_phis(f_, masked);
        return BlockTest{numbers_.of(base), base, x, (c & host) != 0, {c, c | host}, host};
      }
    }
    return BlockTest{numbers_.of(x), x, x, false, {c, c}, 0};
  }

  // One step of a chain starting at block b, entered from `from`: an eq
  // test, or a range test of two blocks (`ge V, lo` then `gt V, hi`, as
  // lowering emits for portrange).
  struct Link {
    BlockTest test;
    BlockId match;                // where values in test.range go
    BlockId next;                 // where the others go
    BlockId second = kNoBlock;    // range links: the block testing the upper end
    BlockId to_match = kNoBlock;  // the block whose edge enters match
  };

  std::optional<Link> read_link(BlockId b, const std::vector<BlockId>& from) {
    std::optional<ConstCompare> first = const_compare(b);
    if (!first) return std::nullopt;
    const ir::Terminator& t = f_.blocks[b].term;
    if (first->cond == Cond::Eq) {
      std::optional<BlockTest> test = eq_test(first->x, b, from, first->c);
      if (!test) return std::nullopt;
      return Link{*test, t.on_true, t.on_false, kNoBlock, b};
    }
    // Range: b sends values >= lo to `upper`, which sends those > hi on.
    if (first->cond == Cond::Gt && first->c == UINT32_MAX) return std::nullopt;
    const uint32_t lo = first->cond == Cond::Ge ? first->c : first->c + 1;
    const BlockId upper = t.on_true;
    const BlockId next = t.on_false;
    if (pred_count_[upper] != 1) return std::nullopt;
    std::optional<ConstCompare> second = const_compare(upper);
    if (!second || second->cond == Cond::Eq) return std::nullopt;
    if (second->cond == Cond::Ge && second->c == 0) return std::nullopt;
    const uint32_t hi = second->cond == Cond::Gt ? second->c : second->c - 1;
    const ir::Terminator& u = f_.blocks[upper].term;
    if (u.on_true != next || u.on_false == b || u.on_false == next) return std::nullopt;
    ValueId x = through_edges(first->x, b, from);
    ValueId y = through_edges(second->x, upper, {b});
    if (x == kNoValue || y == kNoValue || numbers_.of(x) != numbers_.of(y)) return std::nullopt;
    BlockTest test{numbers_.of(x), x, x, lo > hi, {lo, hi}};
    return Link{test, u.on_false, next, upper, upper};
  }

  // The head's values that later blocks may recompute: the compared value
  // and the operands it was computed from, by structural number.
  std::vector<std::pair<uint32_t, ValueId>> head_expression(const BlockTest& test) {
    std::vector<std::pair<uint32_t, ValueId>> known;
    std::vector<ValueId> stack{test.compared, test.value};
    while (!stack.empty() && known.size() < 64) {
      ValueId v = strip_single_phis(f_, stack.back());
      stack.pop_back();
      uint32_t n = numbers_.of(v);
      if (std::any_of(known.begin(), known.end(), [&](const auto& e) { return e.first == n; })) continue;
      known.emplace_back(n, v);
      const Inst& inst = f_.value(v);
      if (inst.op == Op::Phi) continue;
      if (inst.a != kNoValue) stack.push_back(inst.a);
      if (inst.b != kNoValue) stack.push_back(inst.b);
    }
    return known;
  }

  static ValueId known_value(const std::vector<std::pair<uint32_t, ValueId>>& known, uint32_t number) {
    for (const auto& [n, v] : known) {
      if (n == number) return v;
    }
    return kNoValue;
  }

  // Can `block` (whose only predecessor is the chain's last block) be
  // dropped once the chain is a tree? Every value in it must be a constant,
  // recomputation of a head value, or a pure value used only inside it.
  bool removable(BlockId block, const std::vector<std::pair<uint32_t, ValueId>>& known) {
    for (ValueId v : f_.blocks[block].insts) {
      const Inst& inst = f_.value(v);
      if (inst.op == Op::Const) continue;
      if (known_value(known, numbers_.of(v)) != kNoValue) continue;
      if (may_fail(inst.op) || used_outside_block_[v]) return false;
    }
    return true;
  }

  bool same_phi_inputs(BlockId target, BlockId from, BlockId like) {
    for (ValueId v : f_.blocks[target].insts) {
      if (f_.value(v).op != Op::Phi) break;
      ValueId a = incoming(v, from);
      ValueId b = incoming(v, like);
      if (a == kNoValue || b == kNoValue || numbers_.of(a) != numbers_.of(b)) return false;
    }
    return true;
  }

  std::vector<Chain> find_chains() {
    std::vector<Chain> chains;
    std::vector<bool> in_chain(f_.blocks.size(), false);
    for (BlockId head = 0; head < f_.blocks.size(); ++head) {
      if (in_chain[head]) continue;
      std::optional<Link> head_link = read_link(head, {});
      if (!head_link || head_link->match == head_link->next) continue;
      const BlockTest& head_test = head_link->test;
      auto known = head_expression(head_test);
      if (head_link->second != kNoBlock && !removable(head_link->second, known)) continue;
      Chain chain{head, {}, head_link->match, kNoBlock, head_test.value, {}, head_link->to_match, {}};
      if (head_link->second != kNoBlock) chain.members.push_back(head_link->second);
      if (!head_test.empty) chain.keys.push_back(head_test.range);
      chain.host = head_test.host;
      size_t links = 1;
      std::vector<BlockId> from = link_exits(*head_link, head);
      BlockId next = head_link->next;
      while (next != chain.match && pred_count_[next] == from.size()) {
        std::optional<Link> link = read_link(next, from);
        if (!link || link->test.subject != head_test.subject) break;
        if (link->match != chain.match || link->next == chain.match) break;
        if (!same_phi_inputs(chain.match, link->to_match, chain.enters_match)) break;
        if (!removable(next, known)) break;
        if (link->second != kNoBlock && !removable(link->second, known)) break;
        for (BlockId m : {next, link->second}) {
          if (m == kNoBlock) continue;
          in_chain[m] = true;
          chain.members.push_back(m);
        }
        if (!link->test.empty) chain.keys.push_back(link->test.range);
        if (link->test.host != chain.host) chain.host = kNotPrefix;
        ++links;
        from = link_exits(*link, next);
        next = link->next;
      }
      for (BlockId m : chain.members) in_chain[m] = true;
      chain.exit = next;
      chain.enters_exit = from;
      if (!same_exit_inputs(chain)) continue;
      if (links < kMinChainLength) {
        // A short chain stays linear, and is rewritten only when its
        // merged intervals take fewer compares than it has now: a range
        // of one value is one eq, adjacent keys are one range.
        chain.linear = true;
        if (linear_compares(sorted_merged(chain.keys)) >= chain.members.size() + 1) continue;
      }
      known_by_head_.emplace(head, std::move(known));
      chains.push_back(std::move(chain));
    }
    return chains;
  }

  // The compares a linear chain over these sorted, merged intervals makes
  // (test_interval with nothing known about the value).
  static size_t linear_compares(const std::vector<Interval>& keys) {
    size_t n = 0;
    for (const Interval& iv : keys) {
      const bool low_open = iv.lo == 0;
      const bool high_open = iv.hi == UINT32_MAX;
      if (low_open && high_open) return 0;
      n += (iv.lo == iv.hi || low_open || high_open) ? 1 : 2;
    }
    return n;
  }

  // The blocks of a link whose edges go on to its `next`.
  static std::vector<BlockId> link_exits(const Link& link, BlockId first) {
    if (link.second == kNoBlock) return {first};
    return {first, link.second};
  }

  // A range link enters E from both its blocks: the phi inputs must agree.
  bool same_exit_inputs(const Chain& chain) {
    for (BlockId p : chain.enters_exit) {
      if (!same_phi_inputs(chain.exit, p, chain.enters_exit.front())) return false;
    }
    return true;
  }

  // ---- building the tree ----

  void rewrite(Chain& chain) {
    const auto& known = known_by_head_.at(chain.head);
    member_of_.resize(f_.blocks.size(), kNoBlock);
    for (BlockId m : chain.members) member_of_[m] = chain.head;
    // Phi inputs the new edges carry: into T those of the head's edge; into
    // E those of the last block's edge, as the head computes them.
    const BlockId last = chain.enters_exit.front();
    std::vector<std::pair<ValueId, ValueId>> exit_inputs;  // (phi, value)
    for (ValueId v : f_.blocks[chain.exit].insts) {
      if (f_.value(v).op != Op::Phi) break;
      exit_inputs.emplace_back(v, incoming(v, last));
    }
    std::vector<std::pair<ValueId, ValueId>> match_inputs;
    for (ValueId v : f_.blocks[chain.match].insts) {
      if (f_.value(v).op != Op::Phi) break;
      match_inputs.emplace_back(v, incoming(v, chain.enters_match));
    }
    // Values of the dropped blocks still used further on.
    for (BlockId m : chain.members) {
      const std::vector<ValueId> insts = f_.blocks[m].insts;  // move_constant edits the list
      for (ValueId v : insts) {
        if (!used_outside_block_[v]) continue;
        if (f_.value(v).op == Op::Const) {
          move_constant(v, m, chain.head);
        } else {
          replace_uses(v, known_value(known, numbers_.of(v)));
        }
      }
    }
    for (auto* inputs : {&exit_inputs, &match_inputs}) {
      for (auto& [phi, value] : *inputs) {
        if (value != kNoValue && f_.value(value).op != Op::Const && f_.value(value).block < member_of_.size() &&
            member_of_[f_.value(value).block] == chain.head) {
          value = known_value(known, numbers_.of(value));
        }
      }
    }

    // A tree over prefixes of one length searches the prefix itself
    // (value >> host bits): each key is then one value, not a range.
    ValueId searched = chain.value;
    if (!chain.linear && chain.host != kNotPrefix && chain.host != 0) {
      const uint32_t bits = static_cast<uint32_t>(std::popcount(chain.host));
      for (Interval& k : chain.keys) k = {k.lo >> bits, k.hi >> bits};
      ir::Builder b(f_);
      b.set_block(chain.head);
      searched = b.binary(Op::Shr, chain.value, constants_->get(bits));
      counters_.add("prefix trees");
    }
    std::vector<Interval> keys = sorted_merged(std::move(chain.keys));
    std::vector<BlockId> tree_blocks{chain.head};
    TreeBuilder builder{f_, searched, chain.match, chain.exit, tree_blocks, *constants_};
    if (chain.linear) {
      builder.fill_leaf(chain.head, keys, 0, keys.size(), 0, UINT32_MAX);
    } else {
      builder.fill(chain.head, keys, 0, keys.size(), 0, UINT32_MAX);
    }
    rewritten_head_[chain.head] = true;

    for (BlockId b : tree_blocks) {
      auto succ = ir::successors(f_.blocks[b]);
      if (succ.size() == 2 && succ[0] == succ[1]) succ.pop_back();
      for (BlockId s : succ) {
        if (s == chain.match) {
          for (auto [phi, value] : match_inputs) additions_.push_back({phi, b, value});
        } else if (s == chain.exit) {
          for (auto [phi, value] : exit_inputs) additions_.push_back({phi, b, value});
        }
      }
    }
    counters_.add("tree blocks", tree_blocks.size());
  }

  static std::vector<Interval> sorted_merged(std::vector<Interval> keys) {
    std::sort(keys.begin(), keys.end(), [](const Interval& a, const Interval& b) { return a.lo < b.lo; });
    std::vector<Interval> merged;
    for (const Interval& k : keys) {
      if (!merged.empty() && (k.lo <= merged.back().hi || k.lo - 1 == merged.back().hi)) {
        merged.back().hi = std::max(merged.back().hi, k.hi);
      } else {
        merged.push_back(k);
      }
    }
    return merged;
  }

  // Emits the decision tree into existing and new blocks.
  struct TreeBuilder {
    Function& f;
    ValueId value;
    BlockId match;
    BlockId exit;
    std::vector<BlockId>& created;
    EntryConstants& constants;

    // Makes `b` send `value` in keys[i, j) to match and the rest to exit,
    // knowing lo <= value <= hi there.
    void fill(BlockId b, const std::vector<Interval>& keys, size_t i, size_t j, uint32_t lo, uint32_t hi) {
      if (j - i <= kLeafKeys) {
        fill_leaf(b, keys, i, j, lo, hi);
        return;
      }
      // Split on a leaf boundary: every leaf but the last is full, so the
      // tree has ceil(n / kLeafKeys) - 1 splits.
      size_t leaves = (j - i + kLeafKeys - 1) / kLeafKeys;
      size_t mid = i + (leaves / 2) * kLeafKeys;
      uint32_t split = keys[mid - 1].hi;  // left: value <= split, right: value > split
      BlockId right = target(keys, mid, j, split + 1, hi);
      BlockId left = target(keys, i, mid, lo, split);
      branch(b, Cond::Gt, split, right, left);
    }

    BlockId target(const std::vector<Interval>& keys, size_t i, size_t j, uint32_t lo, uint32_t hi) {
      if (i == j) return exit;
      if (j - i == 1 && keys[i].lo <= lo && keys[i].hi >= hi) return match;
      BlockId b = new_block();
      fill(b, keys, i, j, lo, hi);
      return b;
    }

    // Tests the keys one after the other, in ascending order: a value below
    // one key's lower end is below every later key too, and goes to exit.
    void fill_leaf(BlockId b, const std::vector<Interval>& keys, size_t i, size_t j, uint32_t lo, uint32_t hi) {
      if (i == j) {
        jump(b, exit);
        return;
      }
      for (size_t k = i; k < j; ++k) {
        BlockId above = k + 1 == j ? exit : new_block();
        const bool past = test_interval(b, keys[k], lo, hi, exit, above);
        b = above;
        if (past) lo = keys[k].hi + 1;
      }
    }

    // In `b`: value in iv -> match, below iv -> below, above iv -> above
    // (where an eq test cannot tell, a value not in iv goes to above). True
    // when every value sent to `above` is greater than iv.hi.
    bool test_interval(BlockId b, Interval iv, uint32_t lo, uint32_t hi, BlockId below, BlockId above) {
      bool low_open = iv.lo <= lo;   // no need to test the lower end
      bool high_open = iv.hi >= hi;  // no need to test the upper end
      if (low_open && high_open) {
        jump(b, match);
        return false;
      }
      if (iv.lo == iv.hi) {
        branch(b, Cond::Eq, iv.lo, match, above);
        return false;
      }
      if (low_open) {
        branch(b, Cond::Gt, iv.hi, above, match);
      } else if (high_open) {
        branch(b, Cond::Ge, iv.lo, match, below);
      } else {
        BlockId upper = new_block();
        branch(b, Cond::Ge, iv.lo, upper, below);
        branch(upper, Cond::Gt, iv.hi, above, match);
      }
      return iv.hi != UINT32_MAX;
    }

    BlockId new_block() {
      BlockId b = ir::Builder(f).new_block();
      created.push_back(b);
      return b;
    }
    void branch(BlockId b, Cond cond, uint32_t k, BlockId on_true, BlockId on_false) {
      ir::Builder builder(f);
      builder.set_block(b);
      if (on_true == on_false) {
        builder.jump(on_true);
        return;
      }
      builder.branch(cond, value, constants.get(k), on_true, on_false);
    }
    void jump(BlockId b, BlockId to) {
      ir::Builder builder(f);
      builder.set_block(b);
      builder.jump(to);
    }
  };

  void move_constant(ValueId v, BlockId from, BlockId to) {
    auto& insts = f_.blocks[from].insts;
    insts.erase(std::find(insts.begin(), insts.end(), v));
    f_.blocks[to].insts.push_back(v);
    f_.value(v).block = to;
  }

  void replace_uses(ValueId old_value, ValueId new_value) {
    for (const Use& use : uses_[old_value]) {
      switch (use.kind) {
        case Use::OperandA: f_.value(use.where).a = new_value; break;
        case Use::OperandB: f_.value(use.where).b = new_value; break;
        case Use::Incoming: f_.value(use.where).incoming[use.index].value = new_value; break;
        case Use::TermLhs: f_.blocks[use.where].term.lhs = new_value; break;
        case Use::TermRhs: f_.blocks[use.where].term.rhs = new_value; break;
      }
    }
  }

  // Drops phi inputs of edges that no longer exist (from rewritten heads and
  // from blocks now unreachable) and adds those of the tree's edges.
  void fix_phis() {
    std::vector<bool> reachable(f_.blocks.size(), false);
    reachable[0] = true;
    std::vector<BlockId> work{0};
    while (!work.empty()) {
      BlockId b = work.back();
      work.pop_back();
      for (BlockId s : ir::successors(f_.blocks[b])) {
        if (!reachable[s]) {
          reachable[s] = true;
          work.push_back(s);
        }
      }
    }
    rewritten_head_.resize(f_.blocks.size(), false);
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      if (!reachable[b]) continue;
      for (ValueId v : f_.blocks[b].insts) {
        Inst& phi = f_.value(v);
        if (phi.op != Op::Phi) break;
        std::erase_if(phi.incoming, [&](const ir::PhiIncoming& in) {
          if (!reachable[in.block] || rewritten_head_[in.block]) return true;
          const ir::Terminator& t = f_.blocks[in.block].term;
          return t.on_true != b && t.on_false != b;
        });
      }
    }
    for (const auto& a : additions_) f_.value(a.phi).incoming.push_back({a.from, a.value});
  }

  struct Addition {
    ValueId phi;
    BlockId from;
    ValueId value;
  };

  Function& f_;
  PassCounters& counters_;
  StructuralNumbers numbers_;
  std::vector<std::vector<Use>> uses_;
  std::vector<bool> used_outside_block_;
  std::unordered_map<uint64_t, ValueId> incoming_;
  std::vector<uint32_t> pred_count_;
  std::unordered_map<BlockId, std::vector<std::pair<uint32_t, ValueId>>> known_by_head_;
  std::vector<BlockId> member_of_;
  std::vector<bool> rewritten_head_;
  std::vector<Addition> additions_;
  std::optional<EntryConstants> constants_;  // once there is a chain to rewrite
};

}  // namespace

bool lower_sets(Function& f, PassCounters& counters) { return SetLowering(f, counters).run(); }

}  // namespace bpfc::opt
