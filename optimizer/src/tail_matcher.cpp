// Matching two tails (see tail_merging.cpp): their blocks are paired by
// walking the terminators in parallel, then their instructions, from the
// longest common suffix of the entry blocks down, collecting the phis,
// operand rewrites and load address forms of a Merge.
#include "tail_matcher.h"

#include <algorithm>
#include <cstddef>

#include "inst_facts.h"

namespace bpfc::opt::tail_merge {

using ir::BlockId;
using ir::kNoBlock;
using ir::kNoValue;
using ir::Op;
using ir::ValueId;

TailMatcher::TailMatcher(const ir::Function& f, const ir::DominatorTree& dom)
    : f_(f), dom_(dom), map_to1_(f.values.size(), kNoValue),
      block_to1_(f.blocks.size(), kNoBlock), block_to2_(f.blocks.size(), kNoBlock) {}

std::optional<Merge> TailMatcher::match(BlockId e1, BlockId e2) {
  if (budget_ == 0 || dom_.dominates(e1, e2) || dom_.dominates(e2, e1)) return std::nullopt;
  entry_[0] = e1;
  entry_[1] = e2;
  std::optional<Merge> result;
  if (match_blocks()) {
    const size_t longest = common_suffix_length();
    for (size_t len = longest + 1; len-- > 0 && !result;) {
      result = match_values(len);
    }
  }
  for (auto [b1, b2] : pairs_) {
    block_to1_[b2] = kNoBlock;
    block_to2_[b1] = kNoBlock;
  }
  pairs_.clear();
  return result;
}


// Pairs the blocks of the two tails by walking their terminators.
bool TailMatcher::match_blocks() {
  pairs_.push_back({entry_[0], entry_[1]});
  block_to1_[entry_[1]] = entry_[0];
  block_to2_[entry_[0]] = entry_[1];
  for (size_t i = 0; i < pairs_.size(); ++i) {
    if (budget_ == 0) return false;
    --budget_;
    auto [b1, b2] = pairs_[i];
    const ir::Terminator& t1 = f_.blocks[b1].term;
    const ir::Terminator& t2 = f_.blocks[b2].term;
    if (t1.kind != t2.kind || (t1.kind == ir::TermKind::Branch && t1.cond != t2.cond)) return false;
    auto s1 = ir::successors(f_.blocks[b1]);
    auto s2 = ir::successors(f_.blocks[b2]);
    if (s1.size() != s2.size()) return false;
    for (size_t k = 0; k < s1.size(); ++k) {
      const bool inside1 = in_tail(0, s1[k]), inside2 = in_tail(1, s2[k]);
      if (inside1 != inside2) return false;
      if (!inside1) {
        if (s1[k] != s2[k]) return false;
        continue;
      }
      if (block_to1_[s2[k]] == kNoBlock && block_to2_[s1[k]] == kNoBlock) {
        block_to1_[s2[k]] = s1[k];
        block_to2_[s1[k]] = s2[k];
        pairs_.push_back({s1[k], s2[k]});
      } else if (block_to1_[s2[k]] != s1[k]) {
        return false;
      }
    }
  }
  // Every block of each tail is reached from its entry inside the tail.
  return pairs_.size() == dom_.subtree_size(entry_[0]) && pairs_.size() == dom_.subtree_size(entry_[1]);
}

size_t TailMatcher::non_phi_start(BlockId b) const {
  const auto& insts = f_.blocks[b].insts;
  size_t i = 0;
  while (i < insts.size() && f_.values[insts[i]].op == Op::Phi) ++i;
  return i;
}

// Loads may differ in their offsets (pair_loads folds them into an index).
bool TailMatcher::same_shape(const ir::Inst& a, const ir::Inst& b) const {
  if (a.op != b.op || a.size != b.size) return false;
  return a.op == Op::Load || ir::same_operation(a, b);
}

// How many trailing instructions of the two entries look alike.
size_t TailMatcher::common_suffix_length() const {
  const auto& i1 = f_.blocks[entry_[0]].insts;
  const auto& i2 = f_.blocks[entry_[1]].insts;
  const size_t n1 = i1.size() - non_phi_start(entry_[0]);
  const size_t n2 = i2.size() - non_phi_start(entry_[1]);
  size_t len = 0;
  while (len < n1 && len < n2 &&
         same_shape(f_.values[i1[i1.size() - 1 - len]], f_.values[i2[i2.size() - 1 - len]])) {
    ++len;
  }
  return len;
}

std::optional<Source> TailMatcher::phi_for(Term t1, Term t2, bool as_index) {
  auto key = std::pair(t1, t2);
  auto [it, inserted] = phi_index_.try_emplace(key, static_cast<uint32_t>(merge_.phis.size()));
  if (inserted) {
    merge_.phis.push_back(key);
    merge_.phi_is_index.push_back(as_index);
  } else if (!as_index) {
    merge_.phi_is_index[it->second] = false;
  }
  return Source{Source::Kind::Phi, it->second};
}

// Whether v is computed inside the tail of `side` (0 or 1).
bool TailMatcher::defined_inside(int side, ValueId v) const {
  const BlockId b = f_.values[v].block;
  if (b == kNoBlock || !in_tail(side, b)) return false;
  if (b != entry_[side]) return true;
  const auto& insts = f_.blocks[b].insts;
  return std::find(insts.begin() + static_cast<std::ptrdiff_t>(merge_.suffix_start[side]), insts.end(), v) !=
         insts.end();
}

// Pairs operand x1 of the surviving tail with x2 of the other. false: they
// cannot be paired; true with out empty: x1 serves; true with out set: the
// operand is rewritten to out.
bool TailMatcher::pair_operands(ValueId x1, ValueId x2, std::optional<Source>& out) {
  out.reset();
  const bool in1 = defined_inside(0, x1), in2 = defined_inside(1, x2);
  if (in1 || in2) return in1 && in2 && map_to1_[x2] == x1;
  if (x1 == x2) return true;  // defined above both tails: dominates the merged one
  auto c1 = constant_of(f_, x1), c2 = constant_of(f_, x2);
  if (c1 && c2 && *c1 == *c2) {
    out = Source{Source::Kind::Constant, *c1};
    return true;
  }
  out = phi_for(Term{false, x1}, Term{false, x2}, false);
  return true;
}

bool TailMatcher::pair_site(Site site, uint32_t where, ValueId x1, ValueId x2, BlockId from) {
  std::optional<Source> source;
  if (!pair_operands(x1, x2, source)) return false;
  if (source) merge_.rewrites.push_back(Rewrite{site, where, from, *source});
  return true;
}

Term TailMatcher::index_term(ValueId index) const {
  if (index == kNoValue) return Term{true, 0};
  if (auto c = constant_of(f_, index)) return Term{true, *c};
  return Term{false, index};
}

bool TailMatcher::pair_loads(ValueId l1, ValueId l2) {
  const ir::Inst& a = f_.values[l1];
  const ir::Inst& b = f_.values[l2];
  const bool in1 = a.a != kNoValue && defined_inside(0, a.a);
  const bool in2 = b.a != kNoValue && defined_inside(1, b.a);
  if (in1 || in2) return in1 && in2 && map_to1_[b.a] == a.a && a.imm == b.imm;
  const Term t1 = index_term(a.a), t2 = index_term(b.a);
  const uint64_t addr1 = uint64_t{t1.value} + a.imm, addr2 = uint64_t{t2.value} + b.imm;
  if (!t1.is_constant && !t2.is_constant) {
    if (a.imm != b.imm) return false;
    if (a.a == b.a) return true;
    merge_.loads.push_back(LoadRewrite{l1, phi_for(t1, t2, true), a.imm});
    return true;
  }
  if (t1.is_constant && t2.is_constant) {
    if (addr1 > UINT32_MAX || addr2 > UINT32_MAX) return false;
    if (addr1 == addr2) {
      if (a.a != kNoValue) merge_.loads.push_back(LoadRewrite{l1, std::nullopt, static_cast<uint32_t>(addr1)});
      return true;
    }
    const uint64_t offset = std::min(addr1, addr2);
    merge_.loads.push_back(LoadRewrite{l1,
                                       phi_for(Term{true, static_cast<uint32_t>(addr1 - offset)},
                                               Term{true, static_cast<uint32_t>(addr2 - offset)}, true),
                                       static_cast<uint32_t>(offset)});
    return true;
  }
  // One index is a value, the other a constant: the merged load keeps the
  // value's offset and the constant absorbs the difference.
  const uint32_t offset = t1.is_constant ? b.imm : a.imm;
  const uint64_t constant_addr = t1.is_constant ? addr1 : addr2;
  if (constant_addr < offset || constant_addr - offset > UINT32_MAX) return false;
  const Term folded{true, static_cast<uint32_t>(constant_addr - offset)};
  merge_.loads.push_back(
      LoadRewrite{l1, t1.is_constant ? phi_for(folded, t2, true) : phi_for(t1, folded, true), offset});
  return true;
}

bool TailMatcher::pair_insts(ValueId v1, ValueId v2) {
  const ir::Inst& a = f_.values[v1];
  const ir::Inst& b = f_.values[v2];
  if (!same_shape(a, b)) return false;
  bool ok = true;
  switch (a.op) {
    case Op::Const:
    case Op::Len:
    case Op::Caplen:
    case Op::Meta:
      break;
    case Op::Load:
      ok = pair_loads(v1, v2);
      break;
    case Op::Neg:
      ok = pair_site(Site::OperandA, v1, a.a, b.a);
      break;
    case Op::Phi: {
      if (a.incoming.size() != b.incoming.size()) return false;
      for (const ir::PhiIncoming& in2 : b.incoming) {
        const BlockId from1 = block_to1_[in2.block];
        if (from1 == kNoBlock) return false;
        ValueId x1 = kNoValue;
        for (const ir::PhiIncoming& in1 : a.incoming) {
          if (in1.block == from1) x1 = in1.value;
        }
        if (x1 == kNoValue || !pair_site(Site::PhiInput, v1, x1, in2.value, from1)) return false;
      }
      break;
    }
    default:
      ok = pair_site(Site::OperandA, v1, a.a, b.a) && pair_site(Site::OperandB, v1, a.b, b.b);
      break;
  }
  if (!ok) return false;
  map_to1_[v2] = v1;
  touched_.push_back(v2);
  return true;
}

bool TailMatcher::pair_terminators(BlockId b1, BlockId b2) {
  const ir::Terminator& t1 = f_.blocks[b1].term;
  const ir::Terminator& t2 = f_.blocks[b2].term;
  if (t1.kind == ir::TermKind::Ret) return pair_site(Site::TermLhs, b1, t1.lhs, t2.lhs);
  if (t1.kind == ir::TermKind::Branch) {
    if (!pair_site(Site::TermLhs, b1, t1.lhs, t2.lhs) || !pair_site(Site::TermRhs, b1, t1.rhs, t2.rhs)) return false;
  }
  // Phis of blocks outside the tails receive one value from both.
  auto succs = ir::successors(f_.blocks[b1]);
  for (size_t k = 0; k < succs.size(); ++k) {
    const BlockId s = succs[k];
    if (in_tail(0, s) || (k == 1 && succs[0] == s)) continue;
    for (ValueId v : f_.blocks[s].insts) {
      const ir::Inst& phi = f_.values[v];
      if (phi.op != Op::Phi) break;
      ValueId x1 = kNoValue, x2 = kNoValue;
      for (const ir::PhiIncoming& in : phi.incoming) {
        if (in.block == b1) x1 = in.value;
        if (in.block == b2) x2 = in.value;
      }
      if (x1 == kNoValue || x2 == kNoValue || !pair_site(Site::PhiInput, v, x1, x2, b1)) return false;
    }
  }
  return true;
}

std::optional<Merge> TailMatcher::match_values(size_t suffix_len) {
  merge_ = Merge{};
  phi_index_.clear();
  for (ValueId v : touched_) map_to1_[v] = kNoValue;
  touched_.clear();
  bool ok = true;
  std::vector<std::pair<BlockId, BlockId>> ordered = pairs_;
  std::sort(ordered.begin() + 1, ordered.end());  // topological on the surviving side
  for (size_t side = 0; side < 2; ++side) {
    merge_.entry[side] = entry_[side];
    merge_.suffix_start[side] = f_.blocks[entry_[side]].insts.size() - suffix_len;
  }
  for (auto [b1, b2] : ordered) {
    const auto& i1 = f_.blocks[b1].insts;
    const size_t work = 1 + i1.size();
    if (budget_ < work) {
      budget_ = 0;
      ok = false;
      break;
    }
    budget_ -= work;
    const auto& i2 = f_.blocks[b2].insts;
    const bool is_entry = b1 == entry_[0];
    const size_t start1 = is_entry ? merge_.suffix_start[0] : 0;
    const size_t start2 = is_entry ? merge_.suffix_start[1] : 0;
    if (i1.size() - start1 != i2.size() - start2) {
      ok = false;
      break;
    }
    for (size_t k = 0; ok && k < i1.size() - start1; ++k) ok = pair_insts(i1[start1 + k], i2[start2 + k]);
    ok = ok && pair_terminators(b1, b2);
    if (!ok) break;
    for (size_t k = start2; k < i2.size(); ++k) merge_.removed += insn_estimate(f_.values[i2[k]]);
    merge_.removed += terminator_estimate(f_, f_.blocks[b2].term);
  }
  for (ValueId v : touched_) map_to1_[v] = kNoValue;
  touched_.clear();
  if (!ok) return std::nullopt;
  merge_.blocks = std::move(ordered);
  merge_.cost = join_cost_estimate(f_, merge_);
  return std::move(merge_);
}

}  // namespace bpfc::opt::tail_merge
