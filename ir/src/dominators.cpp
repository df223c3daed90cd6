// Cooper, Harvey and Kennedy's "simple, fast" dominance algorithm, which on
// an acyclic CFG in topological order needs a single pass: every predecessor
// of a block is finished before the block, and walking up the tree from the
// larger index always moves towards the common dominator.
#include "dominators.h"

namespace bpfc::ir {

DominatorTree::DominatorTree(const std::vector<std::vector<BlockId>>& preds) : idom_(preds.size(), kNoBlock) {
  for (BlockId b = 1; b < preds.size(); ++b) {
    BlockId common = kNoBlock;
    // Highest predecessor first: for a long chain of tests that all jump to
    // one block (an address list) each walk up the tree is then one step,
    // where lowest first walks the whole chain for every predecessor.
    for (auto it = preds[b].rbegin(); it != preds[b].rend(); ++it) {
      const BlockId p = *it;
      if (common == kNoBlock) {
        common = p;
        continue;
      }
      BlockId x = p;
      while (x != common) {
        if (x > common) {
          x = idom_[x];
        } else {
          common = idom_[common];
        }
      }
    }
    idom_[b] = common;
  }
}

bool DominatorTree::dominates(BlockId a, BlockId b) const {
  // Indices decrease going up the tree, so stop once b passes a.
  while (b != kNoBlock && b > a) b = idom_[b];
  return b == a;
}

}  // namespace bpfc::ir
