// What a tail merge is (see tail_merging.cpp): the plan the matcher
// (tail_matcher.h) makes for two tails that do the same work, its estimated
// saving in classic-BPF instructions, and the rewrite that carries it out.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "bpfc/ir/ir.h"

namespace bpfc::opt::tail_merge {

// What a load index is on one path: a value, or a constant (no index is 0).
struct Term {
  bool is_constant = false;
  uint32_t value = 0;  // a ValueId, or the constant
  friend auto operator<=>(const Term&, const Term&) = default;
};

// Where a rewritten operand of the surviving tail gets its value from.
struct Source {
  enum class Kind : uint8_t { Phi, Constant } kind = Kind::Phi;
  uint32_t index = 0;  // Phi: into Merge::phis; Constant: the constant
};

enum class Site : uint8_t { OperandA, OperandB, TermLhs, TermRhs, PhiInput };

struct Rewrite {
  Site site;
  uint32_t where;        // the value (operands, phi inputs) or block (terminators)
  ir::BlockId from = ir::kNoBlock;  // PhiInput: the predecessor
  Source source;
};

// A load of the surviving tail that gets a new address form.
struct LoadRewrite {
  ir::ValueId load;
  std::optional<Source> index;  // nullopt: absolute
  uint32_t offset;
};

// Two tails found to do the same work: the first (entry[0]'s) survives,
// rewritten as listed, and the second goes.
struct Merge {
  ir::BlockId entry[2];
  size_t suffix_start[2];  // index in the entry block's insts
  std::vector<std::pair<ir::BlockId, ir::BlockId>> blocks;  // corresponding blocks, entries first
  std::vector<std::pair<Term, Term>> phis;
  std::vector<bool> phi_is_index;  // parallel to phis: used only as a load index
  std::vector<Rewrite> rewrites;
  std::vector<LoadRewrite> loads;
  int removed = 0;  // estimated cBPF instructions of the tail that goes away
  int cost = 0;     // estimated cBPF instructions the phis and the join add
};

// Roughly what a value costs in classic BPF: constants are immediates and
// phis are copies counted separately.
int insn_estimate(const ir::Inst& inst);
int terminator_estimate(const ir::Function& f, const ir::Terminator& t);
// What the join of a merge costs in classic BPF (Merge::cost).
int join_cost_estimate(const ir::Function& f, const Merge& m);

// Carries out the merge: the surviving tail gets the phis and rewrites, both
// entries jump to it, the other tail's blocks go, and the blocks are put back
// in an order where every edge goes forward.
void apply_merge(ir::Function& f, const Merge& m);

// Replaces each phi whose inputs are all one value by that value.
void remove_trivial_phis(ir::Function& f);

}  // namespace bpfc::opt::tail_merge
