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
//
// This file finds candidate pairs of tails and runs the merge rounds; the
// matcher is in tail_matcher.cpp, the cost model in tail_merge_cost.cpp and
// the rewrite in tail_merge_apply.cpp (their shared types: tail_merge.h).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "bpfc/ir/dominators.h"
#include "bpfc/ir/ir.h"
#include "passes.h"
#include "tail_matcher.h"
#include "tail_merge.h"

namespace bpfc::opt {
namespace {

using namespace tail_merge;
using ir::BlockId;
using ir::kNoBlock;
using ir::kNoValue;
using ir::Op;
using ir::ValueId;

// Bounds that keep the pass linear on huge functions: merges per call, and
// how many earlier tails with the same signature each tail is compared with
// (the matcher bounds its own work per call).
constexpr int kMaxMerges = 64;
constexpr size_t kCandidatesPerTail = 4;

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}

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

std::optional<Merge> best_merge(const ir::Function& f) {
  const ir::DominatorTree dom(f);
  const Signatures sigs(f);
  TailMatcher matcher(f, dom);
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
