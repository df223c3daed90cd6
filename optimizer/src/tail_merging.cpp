// Tail merging: two parts of the CFG that do the same work on different
// paths become one, with phis for the operands that differ.
//
// The typical case is a protocol test reached over IPv4 and over IPv6:
//   IPv4:  load.2 [msh + 14]; br eq 7  ->  load.2 [msh + 16]; br eq 7
//   IPv6:  load.2 [54];       br eq 7  ->  load.2 [56];       br eq 7
// Both read the same bytes relative to a header whose start differs, so one
// copy that loads at [p + 14] and [p + 16], with p = phi(msh, 40), does the
// work of both. Every path still performs the same loads at the same
// addresses in the same order (the IR contract forbids anything else), so
// every verdict stays, truncated packets included.
//
// What is merged is a *tail*: a suffix of one block (its entry) together
// with every block that entry dominates. Two tails match when walking them
// in parallel finds the same operations, the same conditions, the same
// constants and the same blocks outside them, and loads whose addresses can
// be written as (one index on each path) + (one offset). The entry blocks
// keep their prefixes and jump to the merged tail.
//
// A merge is done only when the classic-BPF code it removes is longer than
// what the phis will cost there (a register load per constant, and a jump).
#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "bpfc/ir/dominators.h"
#include "bpfc/ir/ir.h"
#include "entry_constants.h"
#include "passes.h"
#include "value_replacements.h"

namespace bpfc::opt {
namespace {

using ir::BlockId;
using ir::kNoBlock;
using ir::kNoValue;
using ir::Op;
using ir::ValueId;

// Bounds that keep the pass linear on huge functions: merges per call, and
// how many earlier tails with the same signature each tail is compared with.
constexpr int kMaxMerges = 64;
constexpr size_t kCandidatesPerTail = 4;
constexpr size_t kWorkPerInstruction = 16;

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}

std::optional<uint32_t> constant_value(const ir::Function& f, ValueId v) {
  if (v == kNoValue || f.values[v].op != Op::Const) return std::nullopt;
  return f.values[v].imm;
}

// ---- what a merge does ---------------------------------------------------

// What a load index is on one path: a value, or a constant (no index is 0).
struct Term {
  bool is_constant = false;
  uint32_t value = 0;  // a ValueId, or the constant
  friend auto operator<=>(const Term&, const Term&) = default;
};

// Where a rewritten operand of the surviving tail gets its value from.
struct Source {
  enum class Kind : uint8_t { Phi, Constant } kind = Kind::Phi;
  uint32_t index = 0;  // Phi: into Merge::phis; Constant: the constant
};

enum class Site : uint8_t { OperandA, OperandB, TermLhs, TermRhs, PhiInput };

struct Rewrite {
  Site site;
  uint32_t where;        // the value (operands, phi inputs) or block (terminators)
  BlockId from = kNoBlock;  // PhiInput: the predecessor
  Source source;
};

// A load of the surviving tail that gets a new address form.
struct LoadRewrite {
  ValueId load;
  std::optional<Source> index;  // nullopt: absolute
  uint32_t offset;
};

struct Merge {
  BlockId entry[2];
  size_t suffix_start[2];  // index in the entry block's insts
  std::vector<std::pair<BlockId, BlockId>> blocks;  // corresponding blocks, entries first
  std::vector<std::pair<Term, Term>> phis;
  std::vector<bool> phi_is_index;  // parallel to phis: used only as a load index
  std::vector<Rewrite> rewrites;
  std::vector<LoadRewrite> loads;
  int removed = 0;  // estimated cBPF instructions of the tail that goes away
  int cost = 0;     // estimated cBPF instructions the phis and the join add
};

// Roughly what a value costs in classic BPF: constants are immediates and
// phis are copies counted separately.
int insn_estimate(const ir::Inst& inst) {
  switch (inst.op) {
    case Op::Const:
    case Op::Phi:
    case Op::Len:
    case Op::Caplen:
      return 0;
    case Op::Protochain:
      return 20;  // the cBPF loop
    default:
      return 1;
  }
}

int terminator_estimate(const ir::Function& f, const ir::Terminator& t) {
  switch (t.kind) {
    case ir::TermKind::Branch: return 1;
    // Returning a constant: the code generator shares identical returns.
    case ir::TermKind::Ret: return constant_value(f, t.lhs) ? 0 : 1;
    default: return 0;
  }
}

// ---- matching ------------------------------------------------------------

class Matcher {
 public:
  Matcher(const ir::Function& f, const ir::DominatorTree& dom)
      : f_(f), dom_(dom), map_to1_(f.values.size(), kNoValue),
        block_to1_(f.blocks.size(), kNoBlock), block_to2_(f.blocks.size(), kNoBlock) {}

  std::optional<Merge> match(BlockId e1, BlockId e2) {
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

 private:
  bool in_tail(int side, BlockId b) const { return dom_.dominates(entry_[side], b); }

  // Pairs the blocks of the two tails by walking their terminators.
  bool match_blocks() {
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

  size_t non_phi_start(BlockId b) const {
    const auto& insts = f_.blocks[b].insts;
    size_t i = 0;
    while (i < insts.size() && f_.values[insts[i]].op == Op::Phi) ++i;
    return i;
  }

  // Loads may differ in their offsets (pair_loads folds them into an index).
  bool same_shape(const ir::Inst& a, const ir::Inst& b) const {
    if (a.op != b.op || a.size != b.size) return false;
    return a.op == Op::Load || ir::same_operation(a, b);
  }

  // How many trailing instructions of the two entries look alike.
  size_t common_suffix_length() const {
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

  // ---- operands ----

  std::optional<Source> phi_for(Term t1, Term t2, bool as_index) {
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

  // Pairs operand x1 of the surviving tail with x2 of the other. nullopt
  // with ok=false: they cannot be paired; nullopt with ok=true: x1 serves.
  // Whether v is computed inside the tail of `side` (0 or 1).
  bool defined_inside(int side, ValueId v) const {
    const BlockId b = f_.values[v].block;
    if (b == kNoBlock || !in_tail(side, b)) return false;
    if (b != entry_[side]) return true;
    const auto& insts = f_.blocks[b].insts;
    return std::find(insts.begin() + static_cast<std::ptrdiff_t>(merge_.suffix_start[side]), insts.end(), v) !=
           insts.end();
  }

  bool pair_operands(ValueId x1, ValueId x2, std::optional<Source>& out) {
    out.reset();
    const bool in1 = defined_inside(0, x1), in2 = defined_inside(1, x2);
    if (in1 || in2) return in1 && in2 && map_to1_[x2] == x1;
    if (x1 == x2) return true;  // defined above both tails: dominates the merged one
    auto c1 = constant_value(f_, x1), c2 = constant_value(f_, x2);
    if (c1 && c2 && *c1 == *c2) {
      out = Source{Source::Kind::Constant, *c1};
      return true;
    }
    out = phi_for(Term{false, x1}, Term{false, x2}, false);
    return true;
  }

  bool pair_site(Site site, uint32_t where, ValueId x1, ValueId x2, BlockId from = kNoBlock) {
    std::optional<Source> source;
    if (!pair_operands(x1, x2, source)) return false;
    if (source) merge_.rewrites.push_back(Rewrite{site, where, from, *source});
    return true;
  }

  Term index_term(ValueId index) const {
    if (index == kNoValue) return Term{true, 0};
    if (auto c = constant_value(f_, index)) return Term{true, *c};
    return Term{false, index};
  }

  bool pair_loads(ValueId l1, ValueId l2) {
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

  bool pair_insts(ValueId v1, ValueId v2) {
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

  bool pair_terminators(BlockId b1, BlockId b2) {
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

  std::optional<Merge> match_values(size_t suffix_len) {
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
    merge_.cost = estimate_cost(f_, merge_);
    return std::move(merge_);
  }

  // What the join costs in classic BPF: each phi is a register or scratch
  // copy on each path (a constant index is one `ldx #k`; an index value is
  // already in X for the loads it fed), and one of the two paths needs a
  // jump to the merged code unless its copies can move up and leave it
  // empty, which the cBPF back end does for a lone constant index.
  static int estimate_cost(const ir::Function& f, const Merge& m) {
    int cost = 0;
    bool side_needs_code[2] = {false, false};
    for (int side = 0; side < 2; ++side) {
      const auto& insts = f.blocks[m.entry[side]].insts;
      for (size_t k = 0; k < m.suffix_start[side]; ++k) {
        if (insn_estimate(f.values[insts[k]]) > 0) side_needs_code[side] = true;
      }
    }
    for (size_t i = 0; i < m.phis.size(); ++i) {
      const Term terms[2] = {m.phis[i].first, m.phis[i].second};
      for (int side = 0; side < 2; ++side) {
        if (m.phi_is_index[i]) {
          cost += terms[side].is_constant ? 1 : 0;
          // An index from above the entry is copied into X there.
          if (!terms[side].is_constant && f.values[terms[side].value].block != m.entry[side]) {
            side_needs_code[side] = true;
          }
        } else {
          cost += 2;  // into A or X, then a scratch slot; and read back below
          side_needs_code[side] = true;
        }
      }
      if (!m.phi_is_index[i]) cost += 1;
    }
    int constant_index_phis = 0;
    for (size_t i = 0; i < m.phis.size(); ++i) constant_index_phis += m.phi_is_index[i] ? 1 : 0;
    if (constant_index_phis > 1) {
      side_needs_code[0] = side_needs_code[1] = true;
      // X holds one index at a time: with several, each is parked in a
      // scratch slot on both paths and read back into X before its loads.
      cost += 3 * constant_index_phis;
    }
    if (side_needs_code[0] && side_needs_code[1]) cost += 1;
    return cost;
  }

  const ir::Function& f_;
  const ir::DominatorTree& dom_;
  // Block pairs and instructions the matcher may still visit in this round:
  // a constant times the function's size, so that a round stays linear even
  // when many large tails look alike until late.
  size_t budget_ = kWorkPerInstruction * (f_.values.size() + f_.blocks.size());
  BlockId entry_[2] = {kNoBlock, kNoBlock};
  std::vector<ValueId> map_to1_;     // value of the second tail -> its twin in the first
  std::vector<ValueId> touched_;
  std::vector<BlockId> block_to1_, block_to2_;
  std::vector<std::pair<BlockId, BlockId>> pairs_;
  Merge merge_;
  std::map<std::pair<Term, Term>, uint32_t> phi_index_;
};

// ---- candidates ----------------------------------------------------------

// Signatures that tails which can match share: of a block's exit (its
// terminator, the shapes of the operands it computes itself, its targets),
// and of a whole block inside a tail (its instructions too).
class Signatures {
 public:
  explicit Signatures(const ir::Function& f) : f_(f), exit_(f.blocks.size()), whole_(f.blocks.size()) {
    for (BlockId b = static_cast<BlockId>(f.blocks.size()); b-- > 0;) {
      const ir::Block& block = f.blocks[b];
      uint64_t h = mix(static_cast<uint64_t>(block.term.kind), static_cast<uint64_t>(block.term.cond));
      h = mix(h, operand_shape(b, block.term.lhs));
      h = mix(h, operand_shape(b, block.term.rhs));
      // A successor is described by what it does, not by its number: a
      // block inside one tail has a twin (with another number) in the other.
      for (BlockId s : ir::successors(block)) h = mix(h, whole_[s]);
      exit_[b] = h;
      for (ValueId v : block.insts) {
        const ir::Inst& inst = f.values[v];
        h = mix(h, uint64_t{static_cast<uint8_t>(inst.op)} << 40 | uint64_t{inst.size} << 32 |
                       (inst.op == Op::Const ? inst.imm : 0));
      }
      whole_[b] = h;
    }
  }
  uint64_t exit(BlockId b) const { return exit_[b]; }

 private:
  uint64_t operand_shape(BlockId b, ValueId v) const {
    if (v == kNoValue) return 0;
    const ir::Inst& inst = f_.values[v];
    if (inst.block != b) return inst.op == Op::Const ? mix(2, inst.imm) : 3;
    return mix(uint64_t{static_cast<uint8_t>(inst.op)} << 8 | inst.size, inst.op == Op::Const ? inst.imm : 0);
  }

  const ir::Function& f_;
  std::vector<uint64_t> exit_, whole_;
};

// ---- rewriting -----------------------------------------------------------

// Puts the blocks in `order` (old ids; kNoBlock-free), dropping the others.
void reorder_blocks(ir::Function& f, const std::vector<BlockId>& order) {
  std::vector<BlockId> new_id(f.blocks.size(), kNoBlock);
  for (BlockId i = 0; i < order.size(); ++i) new_id[order[i]] = i;
  std::vector<ir::Block> blocks;
  blocks.reserve(order.size());
  for (BlockId old : order) blocks.push_back(std::move(f.blocks[old]));
  for (ir::Block& b : blocks) {
    ir::Terminator& t = b.term;
    if (t.on_true != kNoBlock) t.on_true = new_id[t.on_true];
    if (t.on_false != kNoBlock) t.on_false = new_id[t.on_false];
  }
  for (ir::Inst& v : f.values) {
    // Values other passes detached keep stale phi inputs, which may name
    // blocks that no longer exist: they are dropped, not renumbered.
    if (v.block == kNoBlock) {
      v.incoming.clear();
      continue;
    }
    v.block = new_id[v.block];
    for (ir::PhiIncoming& in : v.incoming) in.block = new_id[in.block];
  }
  f.blocks = std::move(blocks);
}

bool edges_go_forward(const ir::Function& f) {
  for (BlockId b = 0; b < f.blocks.size(); ++b) {
    for (BlockId s : ir::successors(f.blocks[b])) {
      if (s <= b) return false;
    }
  }
  return true;
}

ValueId append_value(ir::Function& f, ir::Inst inst) {
  f.values.push_back(std::move(inst));
  return static_cast<ValueId>(f.values.size() - 1);
}

void detach(ir::Function& f, ValueId v) {
  ir::Inst& inst = f.values[v];
  inst.block = kNoBlock;
  inst.incoming.clear();
  inst.a = inst.b = kNoValue;
}

void apply_merge(ir::Function& f, const Merge& m) {
  const BlockId e1 = m.entry[0], e2 = m.entry[1];
  const size_t old_count = f.blocks.size();
  const BlockId merged = static_cast<BlockId>(old_count);
  f.blocks.emplace_back();

  // New constants go to the entry block, once the blocks are rearranged.
  EntryConstants constants(f);

  // The phis.
  std::vector<ValueId> phis;
  for (const auto& [t1, t2] : m.phis) {
    ValueId in[2];
    const Term terms[2] = {t1, t2};
    for (int side = 0; side < 2; ++side) {
      in[side] = terms[side].is_constant ? constants.get(terms[side].value) : terms[side].value;
    }
    ir::Inst phi;
    phi.op = Op::Phi;
    phi.block = merged;
    phi.incoming = {{e1, in[0]}, {e2, in[1]}};
    phis.push_back(append_value(f, phi));
  }
  auto resolve = [&](const Source& s) -> ValueId {
    return s.kind == Source::Kind::Phi ? phis[s.index] : constants.get(s.index);
  };

  for (const Rewrite& r : m.rewrites) {
    const ValueId with = resolve(r.source);
    switch (r.site) {
      case Site::OperandA: f.values[r.where].a = with; break;
      case Site::OperandB: f.values[r.where].b = with; break;
      case Site::TermLhs: f.blocks[r.where].term.lhs = with; break;
      case Site::TermRhs: f.blocks[r.where].term.rhs = with; break;
      case Site::PhiInput:
        for (ir::PhiIncoming& in : f.values[r.where].incoming) {
          if (in.block == r.from) in.value = with;
        }
        break;
    }
  }
  for (const LoadRewrite& l : m.loads) {
    f.values[l.load].a = l.index ? resolve(*l.index) : kNoValue;
    f.values[l.load].imm = l.offset;
  }

  // The surviving entry's suffix moves into the merged block, which takes
  // over its terminator; the entry keeps its prefix and jumps there.
  ir::Block& merged_block = f.blocks[merged];
  merged_block.insts = phis;
  {
    ir::Block& entry = f.blocks[e1];
    for (size_t k = m.suffix_start[0]; k < entry.insts.size(); ++k) {
      f.values[entry.insts[k]].block = merged;
      merged_block.insts.push_back(entry.insts[k]);
    }
    entry.insts.resize(m.suffix_start[0]);
    merged_block.term = entry.term;
    entry.term = ir::Terminator{};
    entry.term.kind = ir::TermKind::Jump;
    entry.term.on_true = merged;
  }
  for (BlockId s : ir::successors(f.blocks[merged])) {
    for (ValueId v : f.blocks[s].insts) {
      ir::Inst& phi = f.values[v];
      if (phi.op != Op::Phi) break;
      for (ir::PhiIncoming& in : phi.incoming) {
        if (in.block == e1) in.block = merged;
      }
    }
  }

  // The other tail goes: its blocks' values are detached and blocks outside
  // it stop receiving phi inputs from it.
  std::vector<bool> dropped(old_count + 1, false);
  for (auto [b1, b2] : m.blocks) {
    ir::Block& block = f.blocks[b2];
    const size_t start = b2 == e2 ? m.suffix_start[1] : 0;
    for (BlockId s : ir::successors(block)) {
      for (ValueId v : f.blocks[s].insts) {
        ir::Inst& phi = f.values[v];
        if (phi.op != Op::Phi) break;
        std::erase_if(phi.incoming, [b2 = b2](const ir::PhiIncoming& in) { return in.block == b2; });
      }
    }
    for (size_t k = start; k < block.insts.size(); ++k) detach(f, block.insts[k]);
    block.insts.resize(start);
    if (b2 != e2) dropped[b2] = true;
  }
  constants.place();
  {
    ir::Block& entry = f.blocks[e2];
    entry.term = ir::Terminator{};
    entry.term.kind = ir::TermKind::Jump;
    entry.term.on_true = merged;
  }

  // Order: the merged tail goes right after the later entry, and the entry
  // whose prefix does real work goes right before it, so that it falls
  // through; the other reaches the tail by its own jump (or, once its
  // constant copies move up in the back end, by the branches that led to it).
  auto work = [&](BlockId b) {
    int n = 0;
    for (ValueId v : f.blocks[b].insts) n += insn_estimate(f.values[v]);
    return n;
  };
  const BlockId heavy = work(e1) >= work(e2) ? e1 : e2;
  const BlockId anchor = std::max(e1, e2);
  std::vector<bool> moved(old_count + 1, false);
  moved[heavy] = true;
  std::vector<BlockId> tail_blocks;
  for (auto [b1, b2] : m.blocks) {
    if (b1 != e1) {
      moved[b1] = true;
      tail_blocks.push_back(b1);
    }
  }
  std::sort(tail_blocks.begin(), tail_blocks.end());
  std::vector<BlockId> order;
  order.reserve(old_count + 1);
  for (BlockId b = 0; b < old_count; ++b) {
    if (!dropped[b] && !moved[b]) order.push_back(b);
    if (b == anchor) {
      order.push_back(heavy);
      order.push_back(merged);
      order.insert(order.end(), tail_blocks.begin(), tail_blocks.end());
    }
  }
  reorder_blocks(f, order);
  if (!edges_go_forward(f)) ir::renumber_topologically(f);
}

// A phi whose inputs are all one value (a block after the merged tail that
// both tails used to reach) is that value: it dominates every predecessor,
// hence the phi's block. Left alone, the code generator would copy it
// through a scratch slot.
void remove_trivial_phis(ir::Function& f) {
  ValueReplacements replacements;
  for (ir::Block& block : f.blocks) {
    std::erase_if(block.insts, [&](ValueId v) {
      ir::Inst& phi = f.values[v];
      if (phi.op != Op::Phi || phi.incoming.empty()) return false;
      const ValueId first = replacements.resolve(phi.incoming.front().value);
      for (const ir::PhiIncoming& in : phi.incoming) {
        if (replacements.resolve(in.value) != first) return false;
      }
      replacements.replace(v, first);
      detach(f, v);
      return true;
    });
  }
  replacements.apply(f);
}

std::optional<Merge> best_merge(const ir::Function& f) {
  const auto preds = ir::predecessors(f);
  const ir::DominatorTree dom(preds);
  const Signatures sigs(f);
  Matcher matcher(f, dom);
  // The reachable blocks grouped by exit signature, each group in block
  // order: a block's candidates are the few before it in its group.
  std::vector<std::pair<uint64_t, BlockId>> by_signature;
  by_signature.reserve(f.blocks.size());
  for (BlockId b = 0; b < f.blocks.size(); ++b) {
    if (b == 0 || dom.idom(b) != kNoBlock) by_signature.emplace_back(sigs.exit(b), b);
  }
  std::sort(by_signature.begin(), by_signature.end());
  std::vector<uint32_t> position(f.blocks.size(), 0);  // in by_signature
  for (uint32_t i = 0; i < by_signature.size(); ++i) position[by_signature[i].second] = i;
  std::optional<Merge> best;
  for (BlockId b = 0; b < f.blocks.size(); ++b) {
    if (b != 0 && dom.idom(b) == kNoBlock) continue;
    const uint32_t at = position[b];
    for (uint32_t i = at, tried = 0; i-- > 0 && tried < kCandidatesPerTail; ++tried) {
      if (by_signature[i].first != by_signature[at].first) break;
      auto m = matcher.match(by_signature[i].second, b);
      if (!m || m->removed <= m->cost) continue;
      if (!best || m->removed - m->cost > best->removed - best->cost) best = std::move(m);
    }
  }
  return best;
}

}  // namespace

bool merge_tails(ir::Function& f, PassCounters& counters) {
  if (f.blocks.empty()) return false;
  bool changed = false;
  for (int round = 0; round < kMaxMerges; ++round) {
    auto m = best_merge(f);
    if (!m) break;
    apply_merge(f, *m);
    remove_trivial_phis(f);
    counters.add("tails merged");
    counters.add("estimated instructions saved", static_cast<uint64_t>(m->removed - m->cost));
    changed = true;
  }
  // A merge leaves the surviving entry jumping to the merged block, often
  // from an empty block: clean the CFG up here rather than in another round
  // of the whole pipeline.
  if (changed) {
    PassCounters cleanup;
    simplify_cfg(f, cleanup);
    for (const auto& [what, n] : cleanup.entries()) counters.add("clean-up: " + what, n);
  }
  return changed;
}

}  // namespace bpfc::opt
