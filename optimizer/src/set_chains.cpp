#include "set_chains.h"

#include <algorithm>

namespace bpfc::opt::set_lowering {

using ir::BlockId;
using ir::Cond;
using ir::Inst;
using ir::kNoBlock;
using ir::kNoValue;
using ir::Op;
using ir::TermKind;
using ir::ValueId;

namespace {

// A chain shorter than this gets no tree. A chain of n compares is n
// instructions and up to n compares per packet; the tree is about 1.5 n
// instructions and at most ceil(log2 n) + 1 compares, so lowering trades
// program size for speed and only pays off on long lists. Measured with
// bench_program_size: no EN10MB corpus chain long enough to matter reaches 6
// (thresholds 6..16 give the same 3370 instructions as no lowering; 4 makes
// two corpus filters longer). From 8 keys the tree halves the worst case
// (4 compares instead of 8) for 4 more instructions.
constexpr size_t kMinChainLength = 8;

// May this operation end the filter (out-of-bounds load, division by zero)?
// Coarser than can_end_filter (inst_facts.h), which knows that a division by
// a non-zero constant cannot: chain blocks that divide are rare, and the
// coarser rule keeps the chains this pass has always found.
bool may_fail(Op op) {
  return op == Op::Load || op == Op::Div || op == Op::Mod || op == Op::Protochain || op == Op::Meta;
}

// A mask of contiguous high bits (a network prefix), not all zero.
bool is_prefix_mask(uint32_t mask) {
  uint32_t host = ~mask;
  return mask != 0 && (host & (host + 1)) == 0;
}

uint64_t edge_key(ValueId phi, BlockId pred) { return (uint64_t(phi) << 32) | pred; }

}  // namespace

// What a block's terminator tests: "subject in range" sends it to on_true.
struct ChainFinder::BlockTest {
  uint32_t subject;  // structural number of the compared value
  ValueId value;     // that value, as available at the end of the block
  ValueId compared;  // the branch's own operand (value, or `and value, mask`)
  bool empty;        // the test can never hold (C has bits outside the mask)
  Interval range;
  uint32_t host = kNotPrefix;  // eq tests: the bits the mask clears (0: none)
};

struct ChainFinder::ConstCompare {
  Cond cond;
  ValueId x;
  uint32_t c;
};

// One step of a chain: an eq test, or a range test of two blocks (`ge V, lo`
// then `gt V, hi`, as lowering emits for portrange).
struct ChainFinder::Link {
  BlockTest test;
  BlockId match;                // where values in test.range go
  BlockId next;                 // where the others go
  BlockId second = kNoBlock;    // range links: the block testing the upper end
  BlockId to_match = kNoBlock;  // the block whose edge enters match
};

// The blocks of a link whose edges go on to its `next`.
std::vector<BlockId> ChainFinder::link_exits(const Link& link, BlockId first) {
  if (link.second == kNoBlock) return {first};
  return {first, link.second};
}

ValueId head_value(const HeadValues& values, uint32_t number) {
  for (const auto& [n, v] : values) {
    if (n == number) return v;
  }
  return kNoValue;
}

ChainFinder::ChainFinder(const ir::Function& f) : f_(f), numbers_(f) {
  index_uses();
  index_incoming();
  count_predecessors();
}

// ---- indexes over the original function ----

void ChainFinder::index_uses() {
  // Every use, in one order, twice: counted first, then stored, so that the
  // lists share one array.
  auto each_use = [&](auto&& note) {
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      for (ValueId v : f_.blocks[b].insts) {
        const Inst& inst = f_.value(v);
        if (inst.op == Op::Phi) {
          for (uint32_t i = 0; i < inst.incoming.size(); ++i) note(inst.incoming[i].value, Use{Use::Incoming, v, i}, b);
        } else {
          note(inst.a, Use{Use::OperandA, v, 0}, b);
          note(inst.b, Use{Use::OperandB, v, 0}, b);
        }
      }
      const ir::Terminator& t = f_.blocks[b].term;
      if (t.kind == TermKind::Ret || t.kind == TermKind::Branch) note(t.lhs, Use{Use::TermLhs, b, 0}, b);
      if (t.kind == TermKind::Branch) note(t.rhs, Use{Use::TermRhs, b, 0}, b);
    }
  };
  const size_t n = f_.values.size();
  first_use_.assign(n + 1, 0);
  used_outside_block_.assign(n, false);
  each_use([&](ValueId used, const Use&, BlockId at) {
    if (used == kNoValue || used >= n) return;
    ++first_use_[used + 1];
    if (f_.value(used).block != at) used_outside_block_[used] = true;
  });
  for (size_t v = 0; v < n; ++v) first_use_[v + 1] += first_use_[v];
  uses_.resize(first_use_[n]);
  std::vector<uint32_t> next(first_use_.begin(), first_use_.end() - 1);
  each_use([&](ValueId used, const Use& use, BlockId) {
    if (used == kNoValue || used >= n) return;
    uses_[next[used]++] = use;
  });
}

void ChainFinder::index_incoming() {
  for (BlockId b = 0; b < f_.blocks.size(); ++b) {
    for (ValueId v : f_.blocks[b].insts) {
      const Inst& inst = f_.value(v);
      if (inst.op != Op::Phi) break;
      for (const auto& in : inst.incoming) incoming_.emplace(edge_key(v, in.block), in.value);
    }
  }
}

ValueId ChainFinder::incoming(ValueId phi, BlockId pred) const {
  auto it = incoming_.find(edge_key(phi, pred));
  return it == incoming_.end() ? kNoValue : it->second;
}

void ChainFinder::count_predecessors() {
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
ValueId ChainFinder::through_edges(ValueId x, BlockId b, const std::vector<BlockId>& from) {
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

// `br cond x, const` with two distinct targets.
std::optional<ChainFinder::ConstCompare> ChainFinder::const_compare(BlockId b) {
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
std::optional<ChainFinder::BlockTest> ChainFinder::eq_test(ValueId compared, BlockId b,
                                                           const std::vector<BlockId>& from, uint32_t c) {
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

// One step of a chain starting at block b, entered from `from`.
std::optional<ChainFinder::Link> ChainFinder::read_link(BlockId b, const std::vector<BlockId>& from) {
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
HeadValues ChainFinder::head_expression(const BlockTest& test) {
  HeadValues known;
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

// Can `block` (whose only predecessor is the chain's last block) be
// dropped once the chain is a tree? Every value in it must be a constant,
// recomputation of a head value, or a pure value used only inside it.
bool ChainFinder::removable(BlockId block, const HeadValues& known) {
  for (ValueId v : f_.blocks[block].insts) {
    const Inst& inst = f_.value(v);
    if (inst.op == Op::Const) continue;
    if (head_value(known, numbers_.of(v)) != kNoValue) continue;
    if (may_fail(inst.op) || used_outside_block_[v]) return false;
  }
  return true;
}

bool ChainFinder::same_phi_inputs(BlockId target, BlockId from, BlockId like) {
  for (ValueId v : f_.blocks[target].insts) {
    if (f_.value(v).op != Op::Phi) break;
    ValueId a = incoming(v, from);
    ValueId b = incoming(v, like);
    if (a == kNoValue || b == kNoValue || numbers_.of(a) != numbers_.of(b)) return false;
  }
  return true;
}

std::vector<Chain> ChainFinder::find_chains() {
  std::vector<Chain> chains;
  std::vector<bool> in_chain(f_.blocks.size(), false);
  for (BlockId head = 0; head < f_.blocks.size(); ++head) {
    if (in_chain[head]) continue;
    std::optional<Link> head_link = read_link(head, {});
    if (!head_link || head_link->match == head_link->next) continue;
    const BlockTest& head_test = head_link->test;
    HeadValues known = head_expression(head_test);
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
    chain.head_values = std::move(known);
    chains.push_back(std::move(chain));
  }
  return chains;
}

// A range link enters E from both its blocks: the phi inputs must agree.
bool ChainFinder::same_exit_inputs(const Chain& chain) {
  for (BlockId p : chain.enters_exit) {
    if (!same_phi_inputs(chain.exit, p, chain.enters_exit.front())) return false;
  }
  return true;
}

}  // namespace bpfc::opt::set_lowering
