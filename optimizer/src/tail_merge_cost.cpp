// Tail merging's cost model: how many classic-BPF instructions a merge
// removes and how many its phis and its join add.
#include "inst_facts.h"
#include "tail_merge.h"

namespace bpfc::opt::tail_merge {

using ir::Op;

int insn_estimate(const ir::Inst& inst) {
  switch (inst.op) {
    case Op::Const:
    case Op::Phi:
    case Op::Len:
    case Op::Caplen:
      return 0;
    case Op::Protochain:
      return 20;  // the cBPF loop
    default:
      return 1;
  }
}

int terminator_estimate(const ir::Function& f, const ir::Terminator& t) {
  switch (t.kind) {
    case ir::TermKind::Branch: return 1;
    // Returning a constant: the code generator shares identical returns.
    case ir::TermKind::Ret: return constant_of(f, t.lhs) ? 0 : 1;
    default: return 0;
  }
}

// Each phi is a register or scratch copy on each path (a constant index is
// one `ldx #k`; an index value is already in X for the loads it fed), and
// one of the two paths needs a jump to the merged code unless its copies can
// move up and leave it empty, which the cBPF back end does for a lone
// constant index.
int join_cost_estimate(const ir::Function& f, const Merge& m) {
  int cost = 0;
  bool side_needs_code[2] = {false, false};
  for (int side = 0; side < 2; ++side) {
    const auto& insts = f.blocks[m.entry[side]].insts;
    for (size_t k = 0; k < m.suffix_start[side]; ++k) {
      if (insn_estimate(f.values[insts[k]]) > 0) side_needs_code[side] = true;
    }
  }
  for (size_t i = 0; i < m.phis.size(); ++i) {
    const Term terms[2] = {m.phis[i].first, m.phis[i].second};
    for (int side = 0; side < 2; ++side) {
      if (m.phi_is_index[i]) {
        cost += terms[side].is_constant ? 1 : 0;
        // An index from above the entry is copied into X there.
        if (!terms[side].is_constant && f.values[terms[side].value].block != m.entry[side]) {
          side_needs_code[side] = true;
        }
      } else {
        cost += 2;  // into A or X, then a scratch slot; and read back below
        side_needs_code[side] = true;
      }
    }
    if (!m.phi_is_index[i]) cost += 1;
  }
  int constant_index_phis = 0;
  for (size_t i = 0; i < m.phis.size(); ++i) constant_index_phis += m.phi_is_index[i] ? 1 : 0;
  if (constant_index_phis > 1) {
    side_needs_code[0] = side_needs_code[1] = true;
    // X holds one index at a time: with several, each is parked in a
    // scratch slot on both paths and read back into X before its loads.
    cost += 3 * constant_index_phis;
  }
  if (side_needs_code[0] && side_needs_code[1]) cost += 1;
  return cost;
}

}  // namespace bpfc::opt::tail_merge
