#include "set_search_tree.h"

#include <algorithm>

namespace bpfc::opt::set_lowering {

using ir::BlockId;
using ir::Cond;

namespace {

// Keys tested one after the other at a leaf of the search tree. Two keys per
// leaf keep the worst case at log2(n) + 1 compares (as a tree of single-key
// leaves) while removing a quarter of the tree's instructions.
constexpr size_t kLeafKeys = 2;

}  // namespace

std::vector<Interval> sorted_merged(std::vector<Interval> keys) {
  std::sort(keys.begin(), keys.end(), [](const Interval& a, const Interval& b) { return a.lo < b.lo; });
  std::vector<Interval> merged;
  for (const Interval& k : keys) {
    if (!merged.empty() && (k.lo <= merged.back().hi || k.lo - 1 == merged.back().hi)) {
      merged.back().hi = std::max(merged.back().hi, k.hi);
    } else {
      merged.push_back(k);
    }
  }
  return merged;
}

size_t linear_compares(const std::vector<Interval>& keys) {
  size_t n = 0;
  for (const Interval& iv : keys) {
    const bool low_open = iv.lo == 0;
    const bool high_open = iv.hi == UINT32_MAX;
    if (low_open && high_open) return 0;
    n += (iv.lo == iv.hi || low_open || high_open) ? 1 : 2;
  }
  return n;
}

void SearchTreeBuilder::fill(BlockId b, const std::vector<Interval>& keys, size_t i, size_t j, uint32_t lo,
                             uint32_t hi) {
  if (j - i <= kLeafKeys) {
    fill_leaf(b, keys, i, j, lo, hi);
    return;
  }
  // Split on a leaf boundary: every leaf but the last is full, so the
  // tree has ceil(n / kLeafKeys) - 1 splits.
  size_t leaves = (j - i + kLeafKeys - 1) / kLeafKeys;
  size_t mid = i + (leaves / 2) * kLeafKeys;
  uint32_t split = keys[mid - 1].hi;  // left: value <= split, right: value > split
  BlockId right = target(keys, mid, j, split + 1, hi);
  BlockId left = target(keys, i, mid, lo, split);
  branch(b, Cond::Gt, split, right, left);
}

BlockId SearchTreeBuilder::target(const std::vector<Interval>& keys, size_t i, size_t j, uint32_t lo, uint32_t hi) {
  if (i == j) return exit;
  if (j - i == 1 && keys[i].lo <= lo && keys[i].hi >= hi) return match;
  BlockId b = new_block();
  fill(b, keys, i, j, lo, hi);
  return b;
}

void SearchTreeBuilder::fill_leaf(BlockId b, const std::vector<Interval>& keys, size_t i, size_t j, uint32_t lo,
                                  uint32_t hi) {
  if (i == j) {
    jump(b, exit);
    return;
  }
  for (size_t k = i; k < j; ++k) {
    BlockId above = k + 1 == j ? exit : new_block();
    const bool past = test_interval(b, keys[k], lo, hi, exit, above);
    b = above;
    if (past) lo = keys[k].hi + 1;
  }
}

// In `b`: value in iv -> match, below iv -> below, above iv -> above
// (where an eq test cannot tell, a value not in iv goes to above). True
// when every value sent to `above` is greater than iv.hi.
bool SearchTreeBuilder::test_interval(BlockId b, Interval iv, uint32_t lo, uint32_t hi, BlockId below,
                                      BlockId above) {
  bool low_open = iv.lo <= lo;   // no need to test the lower end
  bool high_open = iv.hi >= hi;  // no need to test the upper end
  if (low_open && high_open) {
    jump(b, match);
    return false;
  }
  if (iv.lo == iv.hi) {
    branch(b, Cond::Eq, iv.lo, match, above);
    return false;
  }
  if (low_open) {
    branch(b, Cond::Gt, iv.hi, above, match);
  } else if (high_open) {
    branch(b, Cond::Ge, iv.lo, match, below);
  } else {
    BlockId upper = new_block();
    branch(b, Cond::Ge, iv.lo, upper, below);
    branch(upper, Cond::Gt, iv.hi, above, match);
  }
  return iv.hi != UINT32_MAX;
}

BlockId SearchTreeBuilder::new_block() {
  BlockId b = ir::Builder(f).new_block();
  created.push_back(b);
  return b;
}

void SearchTreeBuilder::branch(BlockId b, Cond cond, uint32_t k, BlockId on_true, BlockId on_false) {
  ir::Builder builder(f);
  builder.set_block(b);
  if (on_true == on_false) {
    builder.jump(on_true);
    return;
  }
  builder.branch(cond, value, constants.get(k), on_true, on_false);
}

void SearchTreeBuilder::jump(BlockId b, BlockId to) {
  ir::Builder builder(f);
  builder.set_block(b);
  builder.jump(to);
}

}  // namespace bpfc::opt::set_lowering
