// Dead-code elimination: blocks the entry does not reach, and values nothing
// uses that cannot end the filter.
//
// Loads stay even when unused: a load past the captured bytes ends the
// filter with 0, so removing it would change the verdict on truncated
// packets. The exception is an absolute load that cannot fail because, on
// every path to it, loads reaching at least as far have already succeeded
// (value numbering leaves such loads behind when it reuses an earlier one).
// A division or modulus stays unless its divisor is a non-zero constant.
#include <algorithm>
#include <vector>

#include "cfg_edit.h"
#include "inst_facts.h"
#include "passes.h"

namespace bpfc::opt {
namespace {

// For every absolute load, whether the captured length is known to cover it
// when it runs: a forward must-analysis of the shortest capture length that
// the loads done so far imply (the minimum over predecessors at a join).
std::vector<bool> loads_known_in_bounds(const ir::Function& f) {
  std::vector<bool> in_bounds(f.values.size(), false);
  const ir::PredecessorTable preds(f);
  std::vector<uint64_t> covered_at_exit(f.blocks.size(), 0);
  for (ir::BlockId b = 0; b < f.blocks.size(); ++b) {
    uint64_t covered = 0;
    if (!preds[b].empty()) {
      covered = UINT64_MAX;
      for (ir::BlockId p : preds[b]) covered = std::min(covered, covered_at_exit[p]);
    }
    for (ir::ValueId v : f.blocks[b].insts) {
      const ir::Inst& inst = f.values[v];
      if (inst.op != ir::Op::Load) continue;
      if (inst.a != ir::kNoValue) {
        // An indexed load that succeeded covers at least its offset + size.
        covered = std::max(covered, uint64_t{inst.imm} + inst.size);
        continue;
      }
      const uint64_t end = uint64_t{inst.imm} + inst.size;
      if (end <= covered) in_bounds[v] = true;
      covered = std::max(covered, end);
    }
    covered_at_exit[b] = covered;
  }
  return in_bounds;
}

class DeadCodeRemover {
 public:
  DeadCodeRemover(ir::Function& f, PassCounters& counters) : f_(f), counters_(counters) {}

  bool run() {
    const size_t unreachable = remove_unreachable_blocks(f_);
    counters_.add("unreachable blocks removed", unreachable);
    mark_live();
    const size_t removed = sweep();
    return unreachable > 0 || removed > 0;
  }

 private:
  bool must_stay(ir::ValueId v, const std::vector<bool>& in_bounds) const {
    const ir::Inst& inst = f_.values[v];
    if (inst.op == ir::Op::Load) return !in_bounds[v];
    return can_end_filter(f_, inst);
  }

  // Backwards over blocks and instructions: every use comes after its
  // definition in that order (phi inputs come from earlier blocks), so one
  // sweep finds every live value.
  void mark_live() {
    const std::vector<bool> in_bounds = loads_known_in_bounds(f_);
    live_.assign(f_.values.size(), false);
    auto use = [&](ir::ValueId v) {
      if (v != ir::kNoValue && v < live_.size()) live_[v] = true;
    };
    for (ir::BlockId b = static_cast<ir::BlockId>(f_.blocks.size()); b-- > 0;) {
      const ir::Block& block = f_.blocks[b];
      use(block.term.lhs);
      use(block.term.rhs);
      for (auto it = block.insts.rbegin(); it != block.insts.rend(); ++it) {
        const ir::ValueId v = *it;
        if (!live_[v] && must_stay(v, in_bounds)) live_[v] = true;
        if (!live_[v]) continue;
        const ir::Inst& inst = f_.values[v];
        use(inst.a);
        use(inst.b);
        for (const ir::PhiIncoming& in : inst.incoming) use(in.value);
      }
    }
  }

  size_t sweep() {
    size_t removed = 0, loads = 0;
    for (ir::Block& block : f_.blocks) {
      std::erase_if(block.insts, [&](ir::ValueId v) {
        if (live_[v]) return false;
        ir::Inst& inst = f_.values[v];
        if (inst.op == ir::Op::Load) ++loads;
        inst.block = ir::kNoBlock;
        ++removed;
        return true;
      });
    }
    counters_.add("unused values removed", removed - loads);
    counters_.add("unused loads removed (in bounds on every path)", loads);
    return removed;
  }

  ir::Function& f_;
  PassCounters& counters_;
  std::vector<bool> live_;
};

}  // namespace

bool remove_dead_code(ir::Function& f, PassCounters& counters) { return DeadCodeRemover(f, counters).run(); }

}  // namespace bpfc::opt
