#include "cfg_edit.h"

#include <algorithm>
#include <vector>

namespace bpfc::opt {

void remove_phi_inputs_from(ir::Function& f, ir::BlockId block, ir::BlockId pred) {
  for (ir::ValueId v : f.blocks[block].insts) {
    ir::Inst& inst = f.values[v];
    if (inst.op != ir::Op::Phi) break;
    std::erase_if(inst.incoming, [&](const ir::PhiIncoming& in) { return in.block == pred; });
  }
}

void rename_phi_inputs_from(ir::Function& f, ir::BlockId block, ir::BlockId from, ir::BlockId to) {
  for (ir::ValueId v : f.blocks[block].insts) {
    ir::Inst& inst = f.values[v];
    if (inst.op != ir::Op::Phi) break;
    for (ir::PhiIncoming& in : inst.incoming) {
      if (in.block == from) in.block = to;
    }
  }
}

ir::ValueId phi_input_from(const ir::Inst& phi, ir::BlockId pred) {
  for (const ir::PhiIncoming& in : phi.incoming) {
    if (in.block == pred) return in.value;
  }
  return ir::kNoValue;
}

void fold_branch_to(ir::Function& f, ir::BlockId block, ir::BlockId target) {
  ir::Terminator& t = f.blocks[block].term;
  const ir::BlockId dropped = t.on_true == target ? t.on_false : t.on_true;
  if (dropped != target) remove_phi_inputs_from(f, dropped, block);
  t = ir::Terminator{};
  t.kind = ir::TermKind::Jump;
  t.on_true = target;
}

void retarget_edges(ir::Block& block, ir::BlockId from, ir::BlockId to) {
  ir::Terminator& t = block.term;
  if (t.kind != ir::TermKind::Jump && t.kind != ir::TermKind::Branch) return;
  if (t.on_true == from) t.on_true = to;
  if (t.kind == ir::TermKind::Branch && t.on_false == from) t.on_false = to;
}

void put_phis_first(ir::Function& f, ir::BlockId block) {
  auto& insts = f.blocks[block].insts;
  std::stable_partition(insts.begin(), insts.end(), [&](ir::ValueId v) { return f.values[v].op == ir::Op::Phi; });
}

size_t remove_unreachable_blocks(ir::Function& f) {
  const size_t n = f.blocks.size();
  if (n == 0) return 0;
  std::vector<bool> reachable(n, false);
  reachable[0] = true;
  bool forward = true;
  for (ir::BlockId b = 0; b < n; ++b) {
    for (ir::BlockId s : ir::successors(f.blocks[b])) {
      if (s <= b) forward = false;
    }
  }
  if (!forward) {
    const size_t before = f.blocks.size();
    ir::renumber_topologically(f);
    return before - f.blocks.size();
  }
  for (ir::BlockId b = 0; b < n; ++b) {
    if (!reachable[b]) continue;
    for (ir::BlockId s : ir::successors(f.blocks[b])) reachable[s] = true;
  }
  std::vector<ir::BlockId> new_id(n, ir::kNoBlock);
  ir::BlockId next = 0;
  for (ir::BlockId b = 0; b < n; ++b) {
    if (reachable[b]) new_id[b] = next++;
  }
  if (next == n) return 0;

  for (ir::BlockId b = 0; b < n; ++b) {
    if (reachable[b]) continue;
    // Detached values keep no reference to a block: the ids change below.
    for (ir::ValueId v : f.blocks[b].insts) {
      f.values[v].block = ir::kNoBlock;
      f.values[v].incoming.clear();
    }
  }
  std::vector<ir::Block> kept;
  kept.reserve(next);
  for (ir::BlockId b = 0; b < n; ++b) {
    if (!reachable[b]) continue;
    ir::Block block = std::move(f.blocks[b]);
    if (block.term.on_true != ir::kNoBlock) block.term.on_true = new_id[block.term.on_true];
    if (block.term.on_false != ir::kNoBlock) block.term.on_false = new_id[block.term.on_false];
    for (ir::ValueId v : block.insts) {
      ir::Inst& inst = f.values[v];
      inst.block = new_id[b];
      if (inst.op != ir::Op::Phi) continue;
      std::erase_if(inst.incoming, [&](const ir::PhiIncoming& in) { return new_id[in.block] == ir::kNoBlock; });
      for (ir::PhiIncoming& in : inst.incoming) in.block = new_id[in.block];
    }
    kept.push_back(std::move(block));
  }
  f.blocks = std::move(kept);
  return n - next;
}

}  // namespace bpfc::opt
