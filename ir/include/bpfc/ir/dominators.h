// The dominator tree of an IR function's CFG: the one dominance analysis of
// the tree, used by the verifier (a definition dominates its uses) and by
// the optimizer's passes that reason about what holds "on every path to
// here" (value numbering, edge facts, tail merging).
//
// The CFG is acyclic and its blocks are in topological order (ir.h), so one
// sweep in block order finds every immediate dominator: it is the nearest
// common ancestor, in the tree built so far, of the block's predecessors.
// Common ancestors are found by binary lifting, so building costs
// O(E log N) even for the long chains that host lists lower to; dominance
// queries are O(1) (pre/post numbering of the tree).
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "bpfc/ir/ir.h"

namespace bpfc::ir {

class DominatorTree {
 public:
  explicit DominatorTree(const Function& f);
  // From predecessor lists (predecessors(f)); a predecessor with an index
  // not below its block's is ignored (it cannot be on an acyclic path).
  explicit DominatorTree(const std::vector<std::vector<BlockId>>& preds);
  explicit DominatorTree(const PredecessorTable& preds);

  size_t size() const { return idom_.size(); }
  // False for blocks the entry does not reach (they have no place in the tree).
  bool reachable(BlockId b) const { return b == 0 || idom_[b] != kNoBlock; }
  // kNoBlock for the entry and for unreachable blocks.
  BlockId idom(BlockId b) const { return idom_[b]; }
  // Blocks whose immediate dominator is b, ascending.
  std::span<const BlockId> children(BlockId b) const {
    return {children_.data() + child_begin_[b], children_.data() + child_begin_[b + 1]};
  }
  uint32_t depth(BlockId b) const { return depth_[b]; }
  // How many blocks b dominates, itself included (0 when unreachable).
  uint32_t subtree_size(BlockId b) const { return reachable(b) ? leave_[b] - enter_[b] + 1 : 0; }

  // Every path from the entry to b passes through a (a dominates itself).
  bool dominates(BlockId a, BlockId b) const;
  // The nearest block that dominates both (both must be reachable).
  BlockId common_dominator(BlockId a, BlockId b) const;

  // Reachable blocks in a depth-first preorder of the tree with children
  // visited in ascending order. In an acyclic CFG in topological order this
  // visits every block after all of its predecessors.
  std::vector<BlockId> preorder() const;

  // The same walk with scopes: enter(b) on the way down, leave(b) once b's
  // whole subtree is done, for passes that keep facts valid only under the
  // block that established them. No recursion: chains are thousands deep.
  template <class Enter, class Leave>
  void walk(Enter&& enter, Leave&& leave) const {
    if (idom_.empty()) return;
    std::vector<std::pair<BlockId, size_t>> stack;  // block, next child
    stack.reserve(idom_.size());                    // no regrowth on deep chains
    enter(BlockId{0});
    stack.emplace_back(0, 0);
    while (!stack.empty()) {
      auto& [b, next] = stack.back();
      if (child_begin_[b] + next < child_begin_[b + 1]) {
        const BlockId child = children_[child_begin_[b] + next++];
        enter(child);
        stack.emplace_back(child, 0);
      } else {
        leave(b);
        stack.pop_back();
      }
    }
  }

 private:
  // Preds: predecessor lists by block (size(), [b] iterable), ascending.
  template <class Preds>
  void build(const Preds& preds);
  void number();

  BlockId ancestor(uint32_t k, BlockId b) const { return ancestors_[k * idom_.size() + b]; }

  // A handful of flat arrays rather than a list per block: passes build a
  // tree on every run, and the allocations were most of the cost.
  std::vector<BlockId> idom_;
  std::vector<uint32_t> depth_;
  // Children of b: children_[child_begin_[b] .. child_begin_[b + 1]), ascending.
  std::vector<uint32_t> child_begin_;
  std::vector<BlockId> children_;
  // ancestors_[k * size() + b]: the 2^k-th dominator above b (kNoBlock past
  // the entry), for k below levels_.
  uint32_t levels_ = 0;
  std::vector<BlockId> ancestors_;
  std::vector<uint32_t> enter_;  // preorder number
  std::vector<uint32_t> leave_;  // largest preorder number in b's subtree
};

}  // namespace bpfc::ir
