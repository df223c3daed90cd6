// Dominators by nearest common ancestors over a tree built in block order
// (see dominators.h), with binary lifting for the ancestor queries.
#include "bpfc/ir/dominators.h"

#include <utility>

namespace bpfc::ir {

DominatorTree::DominatorTree(const Function& f) { build(PredecessorTable(f)); }

DominatorTree::DominatorTree(const PredecessorTable& preds) { build(preds); }

DominatorTree::DominatorTree(const std::vector<std::vector<BlockId>>& preds) { build(preds); }

template <class Preds>
void DominatorTree::build(const Preds& preds) {
  const size_t n = preds.size();
  idom_.assign(n, kNoBlock);
  depth_.assign(n, 0);
  uint32_t levels = 1;
  while ((size_t{1} << levels) < n) ++levels;
  levels_ = levels;
  ancestors_.assign(size_t{levels} * n, kNoBlock);
  for (BlockId b = 1; b < n; ++b) {
    BlockId common = kNoBlock;
    for (BlockId p : preds[b]) {
      if (p >= b || !reachable(p)) continue;  // unreachable or malformed: no path through it
      common = common == kNoBlock ? p : common_dominator(common, p);
    }
    if (common == kNoBlock) continue;
    idom_[b] = common;
    depth_[b] = depth_[common] + 1;
    ancestors_[b] = common;
    for (uint32_t k = 1; k < levels; ++k) {
      BlockId half = ancestor(k - 1, b);
      ancestors_[k * n + b] = half == kNoBlock ? kNoBlock : ancestor(k - 1, half);
    }
  }
  // Children by counting: b ascends, so each block's children stay sorted.
  child_begin_.assign(n + 1, 0);
  for (BlockId b = 1; b < n; ++b) {
    if (idom_[b] != kNoBlock) ++child_begin_[idom_[b] + 1];
  }
  for (size_t b = 0; b < n; ++b) child_begin_[b + 1] += child_begin_[b];
  children_.assign(child_begin_[n], kNoBlock);
  std::vector<uint32_t> next(child_begin_.begin(), child_begin_.end() - 1);
  for (BlockId b = 1; b < n; ++b) {
    if (idom_[b] != kNoBlock) children_[next[idom_[b]]++] = b;
  }
  number();
}

BlockId DominatorTree::common_dominator(BlockId a, BlockId b) const {
  if (depth_[a] < depth_[b]) std::swap(a, b);
  for (uint32_t k = levels_; k-- > 0;) {
    if (depth_[a] - depth_[b] >= (uint32_t{1} << k)) a = ancestor(k, a);
  }
  if (a == b) return a;
  for (uint32_t k = levels_; k-- > 0;) {
    if (ancestor(k, a) != ancestor(k, b)) {
      a = ancestor(k, a);
      b = ancestor(k, b);
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
