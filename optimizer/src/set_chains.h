// Recognising the chains set lowering rewrites: blocks that each test one
// value against one constant (or one prefix: `and V, mask` == C with a
// contiguous mask), or against one range (two blocks, `ge V, lo` then
// `gt V, hi`, as portrange gives), all sending a match to the same block T
// and continuing on a mismatch.
//
// Chains are found in one forward walk over the blocks: a step continues the
// chain when all its block's predecessors are the previous step's blocks, it
// compares the same value (equal by structure, phis mapped through the
// edges) and sends a match to the same T with the same phi inputs there. A
// block entered from elsewhere too starts a chain of its own, so every block
// belongs to at most one chain and a tail shared by several heads is lowered
// once, not once per head.
//
// A block joins a chain only if set lowering may drop it: it contains no
// load or division other than ones structurally identical to a value
// computed on the head's path (so it could not end the filter), and its
// other values are constants or used only inside it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "bpfc/ir/ir.h"
#include "set_search_tree.h"
#include "structural_numbers.h"

namespace bpfc::opt::set_lowering {

// The `host` bits of a test that is no prefix test (a range test), and of a
// chain whose links are not all prefixes of one length. A prefix mask is
// never 0, so no prefix has all 32 host bits (a /31 has host bits 1, a /32
// none).
constexpr uint32_t kNotPrefix = UINT32_MAX;

// The head's values that later blocks may recompute, by structural number.
using HeadValues = std::vector<std::pair<uint32_t, ir::ValueId>>;

// The value of `values` with this structural number, or kNoValue.
ir::ValueId head_value(const HeadValues& values, uint32_t number);

// "value in keys -> match, else exit", as a chain of tests computes it.
struct Chain {
  ir::BlockId head;
  std::vector<ir::BlockId> members;  // the blocks after the head, in order
  ir::BlockId match;                 // T: where a value in the set goes
  ir::BlockId exit;                  // E: where every other value goes
  ir::ValueId value;                 // what the tree compares (head's)
  std::vector<Interval> keys;        // unsorted, as collected
  ir::BlockId enters_match;          // a chain block whose edge enters T
  std::vector<ir::BlockId> enters_exit;  // the chain blocks whose edges enter E
  bool linear = false;                   // rewritten as a linear chain, not a tree
  // The host bits every link's prefix mask clears, when all links are eq
  // tests with one mask (0: plain values); kNotPrefix otherwise.
  uint32_t host = kNotPrefix;
  HeadValues head_values = {};  // what the members' surviving values are replaced by
};

// One place where a value is used, so that it can be redirected.
struct Use {
  enum Kind : uint8_t { OperandA, OperandB, Incoming, TermLhs, TermRhs } kind;
  uint32_t where;  // the using value, or the block whose terminator uses it
  uint32_t index;  // Incoming: position in the phi's incoming list
};

// Finds the chains worth rewriting. Its indexes describe the function as it
// was when the finder was made, which is what rewriting the chains asks
// about too (uses of the dropped blocks' values, phi inputs of old edges).
class ChainFinder {
 public:
  explicit ChainFinder(const ir::Function& f);

  // The chains that are long enough for a tree, or short ones that merged
  // intervals test with fewer compares; no block is in two of them.
  std::vector<Chain> find_chains();

  uint32_t number(ir::ValueId v) { return numbers_.of(v); }
  // The value phi receives on the edge from pred, or kNoValue.
  ir::ValueId incoming(ir::ValueId phi, ir::BlockId pred) const;
  bool used_outside_block(ir::ValueId v) const { return used_outside_block_[v]; }
  std::span<const Use> uses(ir::ValueId v) const {
    return {uses_.data() + first_use_[v], uses_.data() + first_use_[v + 1]};
  }

 private:
  struct BlockTest;
  struct ConstCompare;
  struct Link;

  void index_uses();
  void index_incoming();
  void count_predecessors();

  ir::ValueId through_edges(ir::ValueId x, ir::BlockId b, const std::vector<ir::BlockId>& from);
  std::optional<ConstCompare> const_compare(ir::BlockId b);
  std::optional<BlockTest> eq_test(ir::ValueId compared, ir::BlockId b, const std::vector<ir::BlockId>& from,
                                   uint32_t c);
  std::optional<Link> read_link(ir::BlockId b, const std::vector<ir::BlockId>& from);
  HeadValues head_expression(const BlockTest& test);
  bool removable(ir::BlockId block, const HeadValues& known);
  bool same_phi_inputs(ir::BlockId target, ir::BlockId from, ir::BlockId like);
  bool same_exit_inputs(const Chain& chain);
  static std::vector<ir::BlockId> link_exits(const Link& link, ir::BlockId first);

  const ir::Function& f_;
  StructuralNumbers numbers_;
  // Uses of v: uses_[first_use_[v] .. first_use_[v + 1]), in function order.
  std::vector<uint32_t> first_use_;
  std::vector<Use> uses_;
  std::vector<bool> used_outside_block_;
  std::unordered_map<uint64_t, ir::ValueId> incoming_;
  std::vector<uint32_t> pred_count_;
};

}  // namespace bpfc::opt::set_lowering
