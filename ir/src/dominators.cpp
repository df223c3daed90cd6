// Dominators by nearest common ancestors over a tree built in block order
// (see dominators.h), with binary lifting for the ancestor queries.
#include "bpfc/ir/dominators.h"

#include <utility>

namespace bpfc::ir {

DominatorTree::DominatorTree(const Function& f) { build(predecessors(f)); }

DominatorTree::DominatorTree(const std::vector<std::vector<BlockId>>& preds) { build(preds); }

void DominatorTree::build(const std::vector<std::vector<BlockId>>& preds) {
  const size_t n = preds.size();
  idom_.assign(n, kNoBlock);
  depth_.assign(n, 0);
  children_.assign(n, {});
  uint32_t levels = 1;
  while ((size_t{1} << levels) < n) ++levels;
  ancestors_.assign(levels, std::vector<BlockId>(n, kNoBlock));
  for (BlockId b = 1; b < n; ++b) {
    BlockId common = kNoBlock;
    for (BlockId p : preds[b]) {
      if (p >= b || !reachable(p)) continue;  // unreachable or malformed: no path through it
      common = common == kNoBlock ? p : common_dominator(common, p);
    }
    if (common == kNoBlock) continue;
    idom_[b] = common;
    depth_[b] = depth_[common] + 1;
    children_[common].push_back(b);  // b ascends, so children stay sorted
    ancestors_[0][b] = common;
    for (uint32_t k = 1; k < levels; ++k) {
      BlockId half = ancestors_[k - 1][b];
      ancestors_[k][b] = half == kNoBlock ? kNoBlock : ancestors_[k - 1][half];
    }
  }
  number();
}

BlockId DominatorTree::common_dominator(BlockId a, BlockId b) const {
  if (depth_[a] < depth_[b]) std::swap(a, b);
  for (uint32_t k = static_cast<uint32_t>(ancestors_.size()); k-- > 0;) {
    if (depth_[a] - depth_[b] >= (uint32_t{1} << k)) a = ancestors_[k][a];
  }
  if (a == b) return a;
  for (uint32_t k = static_cast<uint32_t>(ancestors_.size()); k-- > 0;) {
    if (ancestors_[k][a] != ancestors_[k][b]) {
      a = ancestors_[k][a];
      b = ancestors_[k][b];
    }
  }
  return idom_[a];
}

void DominatorTree::number() {
  const size_t n = idom_.size();
  enter_.assign(n, 0);
  leave_.assign(n, 0);
  uint32_t counter = 0;
  walk([&](BlockId b) { enter_[b] = counter++; }, [&](BlockId b) { leave_[b] = counter - 1; });
}

bool DominatorTree::dominates(BlockId a, BlockId b) const {
  if (!reachable(a) || !reachable(b)) return false;
  return enter_[a] <= enter_[b] && enter_[b] <= leave_[a];
}

std::vector<BlockId> DominatorTree::preorder() const {
  std::vector<BlockId> order;
  order.reserve(idom_.size());
  walk([&](BlockId b) { order.push_back(b); }, [](BlockId) {});
  return order;
}

}  // namespace bpfc::ir
