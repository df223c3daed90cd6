// Small CFG edits the passes share. They keep phi arity right (one incoming
// value per predecessor) and leave block order alone, so the order lowering
// chose, which the cBPF layout follows, survives the passes.
#pragma once

#include <cstddef>

#include "bpfc/ir/ir.h"

namespace bpfc::opt {

// Drops the incoming values that `block`'s phis receive from `pred`.
void remove_phi_inputs_from(ir::Function& f, ir::BlockId block, ir::BlockId pred);

// Phis of `block` that received a value from `from` receive it from `to`.
void rename_phi_inputs_from(ir::Function& f, ir::BlockId block, ir::BlockId from, ir::BlockId to);

// The incoming value `phi` receives from `pred` (kNoValue if none).
ir::ValueId phi_input_from(const ir::Inst& phi, ir::BlockId pred);

// Replaces the branch ending `block` by a jump to `target` (one of its
// targets); the other target loses this predecessor and its phi inputs.
void fold_branch_to(ir::Function& f, ir::BlockId block, ir::BlockId target);

// Points every edge from `block` to `from` at `to` instead. Phi inputs are the
// caller's business.
void retarget_edges(ir::Block& block, ir::BlockId from, ir::BlockId to);

// Moves a block's phis back in front of its other instructions (after a phi
// was rewritten into some other operation).
void put_phis_first(ir::Function& f, ir::BlockId block);

// Removes the blocks the entry no longer reaches, keeping the others in their
// order, detaching their values and dropping the phi inputs they provided.
// Returns how many blocks went. Edges must go forward (as every pass keeps
// them); if one does not, the blocks are renumbered topologically instead.
size_t remove_unreachable_blocks(ir::Function& f);

}  // namespace bpfc::opt
