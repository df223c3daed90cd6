// The code set lowering puts in place of a chain of membership tests: a
// balanced binary search over the sorted, merged intervals of the set, or,
// for a short chain, a linear run of compares over those intervals. Each
// interval is one compare when it is one value or open at one end (`eq`,
// `gt`, `ge`), two otherwise. Leaves test their keys in ascending order, so
// a value below one key's range leaves the leaf at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "bpfc/ir/ir.h"
#include "entry_constants.h"

namespace bpfc::opt::set_lowering {

// The values lo..hi, both included.
struct Interval {
  uint32_t lo;
  uint32_t hi;
};

// The keys sorted by their lower ends, with overlapping and adjacent
// intervals merged into one.
std::vector<Interval> sorted_merged(std::vector<Interval> keys);

// The compares a linear chain over these sorted, merged intervals makes
// (SearchTreeBuilder::fill_leaf with nothing known about the value).
size_t linear_compares(const std::vector<Interval>& keys);

// Emits the decision tree for "value in keys -> match, else exit" into
// existing and new blocks of f; new blocks are appended to `created`.
struct SearchTreeBuilder {
  ir::Function& f;
  ir::ValueId value;
  ir::BlockId match;
  ir::BlockId exit;
  std::vector<ir::BlockId>& created;
  EntryConstants& constants;

  // Makes `b` send `value` in keys[i, j) to match and the rest to exit,
  // knowing lo <= value <= hi there: a binary search down to leaves of a
  // few keys each.
  void fill(ir::BlockId b, const std::vector<Interval>& keys, size_t i, size_t j, uint32_t lo, uint32_t hi);

  // The same as one leaf: the keys tested one after the other, in ascending
  // order (a value below one key's lower end is below every later key too,
  // and goes to exit).
  void fill_leaf(ir::BlockId b, const std::vector<Interval>& keys, size_t i, size_t j, uint32_t lo, uint32_t hi);

 private:
  ir::BlockId target(const std::vector<Interval>& keys, size_t i, size_t j, uint32_t lo, uint32_t hi);
  bool test_interval(ir::BlockId b, Interval iv, uint32_t lo, uint32_t hi, ir::BlockId below, ir::BlockId above);
  ir::BlockId new_block();
  void branch(ir::BlockId b, ir::Cond cond, uint32_t k, ir::BlockId on_true, ir::BlockId on_false);
  void jump(ir::BlockId b, ir::BlockId to);
};

}  // namespace bpfc::opt::set_lowering
