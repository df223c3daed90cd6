#include "dominators.h"

#include <utility>

namespace bpfc::opt {

DominatorTree::DominatorTree(const ir::Function& f) { build(ir::predecessors(f)); }

DominatorTree::DominatorTree(const std::vector<std::vector<ir::BlockId>>& preds) { build(preds); }

void DominatorTree::build(const std::vector<std::vector<ir::BlockId>>& preds) {
  const size_t n = preds.size();
  idom_.assign(n, ir::kNoBlock);
  depth_.assign(n, 0);
  children_.assign(n, {});
  uint32_t levels = 1;
  while ((size_t{1} << levels) < n) ++levels;
  ancestors_.assign(levels, std::vector<ir::BlockId>(n, ir::kNoBlock));
  for (ir::BlockId b = 1; b < n; ++b) {
    ir::BlockId common = ir::kNoBlock;
    for (ir::BlockId p : preds[b]) {
      if (p >= b || !reachable(p)) continue;  // unreachable or malformed: no path through it
      common = common == ir::kNoBlock ? p : common_dominator(common, p);
    }
    if (common == ir::kNoBlock) continue;
    idom_[b] = common;
    depth_[b] = depth_[common] + 1;
    children_[common].push_back(b);  // b ascends, so children stay sorted
    ancestors_[0][b] = common;
    for (uint32_t k = 1; k < levels; ++k) {
      ir::BlockId half = ancestors_[k - 1][b];
      ancestors_[k][b] = half == ir::kNoBlock ? ir::kNoBlock : ancestors_[k - 1][half];
    }
  }
  number();
}

ir::BlockId DominatorTree::common_dominator(ir::BlockId a, ir::BlockId b) const {
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

// Pre/post numbering by an explicit stack: filters lower to chains thousands
// of blocks deep, too deep for recursion.
void DominatorTree::number() {
  const size_t n = idom_.size();
  enter_.assign(n, 0);
  leave_.assign(n, 0);
  if (n == 0) return;
  uint32_t counter = 0;
  std::vector<std::pair<ir::BlockId, size_t>> stack{{0, 0}};
  enter_[0] = counter++;
  while (!stack.empty()) {
    auto& [block, next_child] = stack.back();
    if (next_child < children_[block].size()) {
      ir::BlockId child = children_[block][next_child++];
      enter_[child] = counter++;
      stack.emplace_back(child, 0);
    } else {
      leave_[block] = counter - 1;
      stack.pop_back();
    }
  }
}

bool DominatorTree::dominates(ir::BlockId a, ir::BlockId b) const {
  if (!reachable(a) || !reachable(b)) return false;
  return enter_[a] <= enter_[b] && enter_[b] <= leave_[a];
}

std::vector<ir::BlockId> DominatorTree::preorder() const {
  std::vector<ir::BlockId> order;
  if (idom_.empty()) return order;
  order.reserve(idom_.size());
  std::vector<ir::BlockId> stack{0};
  while (!stack.empty()) {
    ir::BlockId b = stack.back();
    stack.pop_back();
    order.push_back(b);
    const auto& kids = children_[b];
    for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.push_back(*it);
  }
  return order;
}

}  // namespace bpfc::opt
