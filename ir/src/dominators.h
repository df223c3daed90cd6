// Immediate dominators of a CFG whose blocks are in topological order (every
// edge goes forward) and all reachable from block 0 — the shape the verifier
// establishes before it asks about dominance.
#pragma once

#include <vector>

#include "bpfc/ir/ir.h"

namespace bpfc::ir {

class DominatorTree {
 public:
  DominatorTree(const std::vector<std::vector<BlockId>>& preds);

  // idom(0) is kNoBlock; every other block's idom has a smaller index.
  BlockId idom(BlockId b) const { return idom_[b]; }
  // True when every path from the entry to `b` passes through `a` (a block
  // dominates itself).
  bool dominates(BlockId a, BlockId b) const;

 private:
  std::vector<BlockId> idom_;
};

}  // namespace bpfc::ir
