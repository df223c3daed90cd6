// The matcher of tail merging: whether the tails of two blocks (a suffix of
// the block and every block it dominates) do the same work, and if so the
// Merge that makes them one.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "bpfc/ir/dominators.h"
#include "bpfc/ir/ir.h"
#include "tail_merge.h"

namespace bpfc::opt::tail_merge {

class TailMatcher {
 public:
  TailMatcher(const ir::Function& f, const ir::DominatorTree& dom);

  // The merge of the tails at e1 (which survives) and e2, with the longest
  // suffix of the entries that matches; nullopt when they do not match, one
  // dominates the other, or the matcher's work budget is spent.
  std::optional<Merge> match(ir::BlockId e1, ir::BlockId e2);

 private:
  // Work per instruction and block of the function a matcher may spend in
  // all its calls together.
  static constexpr size_t kWorkPerInstruction = 16;

  bool in_tail(int side, ir::BlockId b) const { return dom_.dominates(entry_[side], b); }
  bool match_blocks();
  size_t non_phi_start(ir::BlockId b) const;
  bool same_shape(const ir::Inst& a, const ir::Inst& b) const;
  size_t common_suffix_length() const;
  std::optional<Source> phi_for(Term t1, Term t2, bool as_index);
  bool defined_inside(int side, ir::ValueId v) const;
  bool pair_operands(ir::ValueId x1, ir::ValueId x2, std::optional<Source>& out);
  bool pair_site(Site site, uint32_t where, ir::ValueId x1, ir::ValueId x2, ir::BlockId from = ir::kNoBlock);
  Term index_term(ir::ValueId index) const;
  bool pair_loads(ir::ValueId l1, ir::ValueId l2);
  bool pair_insts(ir::ValueId v1, ir::ValueId v2);
  bool pair_terminators(ir::BlockId b1, ir::BlockId b2);
  std::optional<Merge> match_values(size_t suffix_len);

  const ir::Function& f_;
  const ir::DominatorTree& dom_;
  // Block pairs and instructions the matcher may still visit in this round:
  // a constant times the function's size, so that a round stays linear even
  // when many large tails look alike until late.
  size_t budget_ = kWorkPerInstruction * (f_.values.size() + f_.blocks.size());
  ir::BlockId entry_[2] = {ir::kNoBlock, ir::kNoBlock};
  std::vector<ir::ValueId> map_to1_;  // value of the second tail -> its twin in the first
  std::vector<ir::ValueId> touched_;
  std::vector<ir::BlockId> block_to1_, block_to2_;
  std::vector<std::pair<ir::BlockId, ir::BlockId>> pairs_;
  Merge merge_;
  std::map<std::pair<Term, Term>, uint32_t> phi_index_;
};

}  // namespace bpfc::opt::tail_merge
