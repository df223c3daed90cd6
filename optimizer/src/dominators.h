// The dominator tree of a function's CFG, for passes that reason about what
// holds "on every path to here" (value numbering, edge facts).
//
// The CFG is acyclic and its blocks are in topological order, so one sweep in
// block order finds every immediate dominator: it is the nearest common
// ancestor, in the tree built so far, of the block's predecessors. Common
// ancestors are found by binary lifting, so building costs O(E log N) even
// for the long chains that host lists lower to; dominance queries are O(1)
// (pre/post numbering of the tree).
#pragma once

#include <cstdint>
#include <vector>

#include "bpfc/ir/ir.h"

namespace bpfc::opt {

class DominatorTree {
 public:
  explicit DominatorTree(const ir::Function& f);
  // From predecessor lists (each block's predecessors must have smaller
  // indices than the block).
  explicit DominatorTree(const std::vector<std::vector<ir::BlockId>>& preds);

  size_t size() const { return idom_.size(); }
  // False for blocks the entry does not reach (they have no place in the tree).
  bool reachable(ir::BlockId b) const { return b == 0 || idom_[b] != ir::kNoBlock; }
  // kNoBlock for the entry and for unreachable blocks.
  ir::BlockId idom(ir::BlockId b) const { return idom_[b]; }
  // Blocks whose immediate dominator is b, ascending.
  const std::vector<ir::BlockId>& children(ir::BlockId b) const { return children_[b]; }
  uint32_t depth(ir::BlockId b) const { return depth_[b]; }

  // Every path from the entry to b passes through a (a dominates itself).
  bool dominates(ir::BlockId a, ir::BlockId b) const;
  // The nearest block that dominates both (both must be reachable).
  ir::BlockId common_dominator(ir::BlockId a, ir::BlockId b) const;

  // Reachable blocks in a depth-first preorder of the tree with children
  // visited in ascending order. In an acyclic CFG in topological order this
  // visits every block after all of its predecessors.
  std::vector<ir::BlockId> preorder() const;

 private:
  void build(const std::vector<std::vector<ir::BlockId>>& preds);
  void number();

  std::vector<ir::BlockId> idom_;
  std::vector<uint32_t> depth_;
  std::vector<std::vector<ir::BlockId>> children_;
  // ancestors_[k][b]: the 2^k-th dominator above b (kNoBlock past the entry).
  std::vector<std::vector<ir::BlockId>> ancestors_;
  std::vector<uint32_t> enter_;  // preorder number
  std::vector<uint32_t> leave_;  // largest preorder number in b's subtree
};

}  // namespace bpfc::opt
