// Carrying out a tail merge (see tail_merging.cpp): the surviving tail takes
// the phis and the rewritten operands and load addresses, both entries jump
// to it, the other tail is dropped, and the blocks are reordered so that
// every edge still goes forward.
#include <algorithm>
#include <vector>

#include "entry_constants.h"
#include "tail_merge.h"
#include "value_replacements.h"

namespace bpfc::opt::tail_merge {

using ir::BlockId;
using ir::kNoBlock;
using ir::kNoValue;
using ir::Op;
using ir::ValueId;

namespace {

// Puts the blocks in `order` (old ids; kNoBlock-free), dropping the others.
void reorder_blocks(ir::Function& f, const std::vector<BlockId>& order) {
  std::vector<BlockId> new_id(f.blocks.size(), kNoBlock);
  for (BlockId i = 0; i < order.size(); ++i) new_id[order[i]] = i;
  std::vector<ir::Block> blocks;
  blocks.reserve(order.size());
  for (BlockId old : order) blocks.push_back(std::move(f.blocks[old]));
  for (ir::Block& b : blocks) {
    ir::Terminator& t = b.term;
    if (t.on_true != kNoBlock) t.on_true = new_id[t.on_true];
    if (t.on_false != kNoBlock) t.on_false = new_id[t.on_false];
  }
  for (ir::Inst& v : f.values) {
    // Values other passes detached keep stale phi inputs, which may name
    // blocks that no longer exist: they are dropped, not renumbered.
    if (v.block == kNoBlock) {
      v.incoming.clear();
      continue;
    }
    v.block = new_id[v.block];
    for (ir::PhiIncoming& in : v.incoming) in.block = new_id[in.block];
  }
  f.blocks = std::move(blocks);
}

bool edges_go_forward(const ir::Function& f) {
  for (BlockId b = 0; b < f.blocks.size(); ++b) {
    for (BlockId s : ir::successors(f.blocks[b])) {
      if (s <= b) return false;
    }
  }
  return true;
}

ValueId append_value(ir::Function& f, ir::Inst inst) {
  f.values.push_back(std::move(inst));
  return static_cast<ValueId>(f.values.size() - 1);
}

void detach(ir::Function& f, ValueId v) {
  ir::Inst& inst = f.values[v];
  inst.block = kNoBlock;
  inst.incoming.clear();
  inst.a = inst.b = kNoValue;
}

}  // namespace

void apply_merge(ir::Function& f, const Merge& m) {
  const BlockId e1 = m.entry[0], e2 = m.entry[1];
  const size_t old_count = f.blocks.size();
  const BlockId merged = static_cast<BlockId>(old_count);
  f.blocks.emplace_back();

  // New constants go to the entry block, once the blocks are rearranged.
  EntryConstants constants(f);

  // The phis.
  std::vector<ValueId> phis;
  for (const auto& [t1, t2] : m.phis) {
    ValueId in[2];
    const Term terms[2] = {t1, t2};
    for (int side = 0; side < 2; ++side) {
      in[side] = terms[side].is_constant ? constants.get(terms[side].value) : terms[side].value;
    }
    ir::Inst phi;
    phi.op = Op::Phi;
    phi.block = merged;
    phi.incoming = {{e1, in[0]}, {e2, in[1]}};
    phis.push_back(append_value(f, phi));
  }
  auto resolve = [&](const Source& s) -> ValueId {
    return s.kind == Source::Kind::Phi ? phis[s.index] : constants.get(s.index);
  };

  for (const Rewrite& r : m.rewrites) {
    const ValueId with = resolve(r.source);
    switch (r.site) {
      case Site::OperandA: f.values[r.where].a = with; break;
      case Site::OperandB: f.values[r.where].b = with; break;
      case Site::TermLhs: f.blocks[r.where].term.lhs = with; break;
      case Site::TermRhs: f.blocks[r.where].term.rhs = with; break;
      case Site::PhiInput:
        for (ir::PhiIncoming& in : f.values[r.where].incoming) {
          if (in.block == r.from) in.value = with;
        }
        break;
    }
  }
  for (const LoadRewrite& l : m.loads) {
    f.values[l.load].a = l.index ? resolve(*l.index) : kNoValue;
    f.values[l.load].imm = l.offset;
  }

  // The surviving entry's suffix moves into the merged block, which takes
  // over its terminator; the entry keeps its prefix and jumps there.
  ir::Block& merged_block = f.blocks[merged];
  merged_block.insts = phis;
  {
    ir::Block& entry = f.blocks[e1];
    for (size_t k = m.suffix_start[0]; k < entry.insts.size(); ++k) {
      f.values[entry.insts[k]].block = merged;
      merged_block.insts.push_back(entry.insts[k]);
    }
    entry.insts.resize(m.suffix_start[0]);
    merged_block.term = entry.term;
    entry.term = ir::Terminator{};
    entry.term.kind = ir::TermKind::Jump;
    entry.term.on_true = merged;
  }
  for (BlockId s : ir::successors(f.blocks[merged])) {
    for (ValueId v : f.blocks[s].insts) {
      ir::Inst& phi = f.values[v];
      if (phi.op != Op::Phi) break;
      for (ir::PhiIncoming& in : phi.incoming) {
        if (in.block == e1) in.block = merged;
      }
    }
  }

  // The other tail goes: its blocks' values are detached and blocks outside
  // it stop receiving phi inputs from it.
  std::vector<bool> dropped(old_count + 1, false);
  for (auto [b1, b2] : m.blocks) {
    ir::Block& block = f.blocks[b2];
    const size_t start = b2 == e2 ? m.suffix_start[1] : 0;
    for (BlockId s : ir::successors(block)) {
      for (ValueId v : f.blocks[s].insts) {
        ir::Inst& phi = f.values[v];
        if (phi.op != Op::Phi) break;
        std::erase_if(phi.incoming, [b2 = b2](const ir::PhiIncoming& in) { return in.block == b2; });
      }
    }
    for (size_t k = start; k < block.insts.size(); ++k) detach(f, block.insts[k]);
    block.insts.resize(start);
    if (b2 != e2) dropped[b2] = true;
  }
  constants.place();
  {
    ir::Block& entry = f.blocks[e2];
    entry.term = ir::Terminator{};
    entry.term.kind = ir::TermKind::Jump;
    entry.term.on_true = merged;
  }

  // Order: the merged tail goes right after the later entry, and the entry
  // whose prefix does real work goes right before it, so that it falls
  // through; the other reaches the tail by its own jump (or, once its
  // constant copies move up in the back end, by the branches that led to it).
  auto work = [&](BlockId b) {
    int n = 0;
    for (ValueId v : f.blocks[b].insts) n += insn_estimate(f.values[v]);
    return n;
  };
  const BlockId heavy = work(e1) >= work(e2) ? e1 : e2;
  const BlockId anchor = std::max(e1, e2);
  std::vector<bool> moved(old_count + 1, false);
  moved[heavy] = true;
  std::vector<BlockId> tail_blocks;
  for (auto [b1, b2] : m.blocks) {
    if (b1 != e1) {
      moved[b1] = true;
      tail_blocks.push_back(b1);
    }
  }
  std::sort(tail_blocks.begin(), tail_blocks.end());
  std::vector<BlockId> order;
  order.reserve(old_count + 1);
  for (BlockId b = 0; b < old_count; ++b) {
    if (!dropped[b] && !moved[b]) order.push_back(b);
    if (b == anchor) {
      order.push_back(heavy);
      order.push_back(merged);
      order.insert(order.end(), tail_blocks.begin(), tail_blocks.end());
    }
  }
  reorder_blocks(f, order);
  if (!edges_go_forward(f)) ir::renumber_topologically(f);
}

// A phi whose inputs are all one value (a block after the merged tail that
// both tails used to reach) is that value: it dominates every predecessor,
// hence the phi's block. Left alone, the code generator would copy it
// through a scratch slot.
void remove_trivial_phis(ir::Function& f) {
  ValueReplacements replacements;
  for (ir::Block& block : f.blocks) {
    std::erase_if(block.insts, [&](ValueId v) {
      ir::Inst& phi = f.values[v];
      if (phi.op != Op::Phi || phi.incoming.empty()) return false;
      const ValueId first = replacements.resolve(phi.incoming.front().value);
      for (const ir::PhiIncoming& in : phi.incoming) {
        if (replacements.resolve(in.value) != first) return false;
      }
      replacements.replace(v, first);
      detach(f, v);
      return true;
    });
  }
  replacements.apply(f);
}

}  // namespace bpfc::opt::tail_merge
