// Dominator-scoped value numbering (issue 4; libpcap issue #110, redundant
// reloads).
//
// Blocks are visited in a preorder of the dominator tree, with a table of the
// computations available there: those of the block's dominators and those
// earlier in the block. A computation already in the table is replaced by
// the one there, which dominates it. That covers loads too, with exactly the
// IR contract's rule: a load is reused only where an identical load
// dominates it. Nothing is moved, except constants, which cannot end the
// filter and are gathered in the entry block, one per value.
//
// Phis whose inputs are all one value become that value; two phis of one
// block with the same inputs become one.
#include <algorithm>
#include <cstdint>
#include <tuple>
#include <utility>
#include <vector>

#include "bpfc/ir/dominators.h"
#include "bpfc/ir/value_table.h"
#include "cfg_edit.h"
#include "inst_facts.h"
#include "passes.h"
#include "value_replacements.h"

namespace bpfc::opt {
namespace {

// What identifies a computation: the operation and its (already numbered)
// operands, commutative operands in a fixed order.
struct KeyFields {
  ir::Op op;
  uint8_t size = 0;
  uint32_t imm = 0;
  ir::ValueId a = ir::kNoValue;
  ir::ValueId b = ir::kNoValue;
  uint32_t stop = 0;  // Protochain only
};
using Key = std::tuple<ir::Op, uint8_t, uint32_t, ir::ValueId, ir::ValueId, uint32_t>;

Key key_of(const ir::Inst& inst) {
  KeyFields k{inst.op};
  switch (inst.op) {
    case ir::Op::Const:
      k.imm = inst.imm;
      break;
    case ir::Op::Len:
    case ir::Op::Caplen:
      break;
    case ir::Op::Meta:
      // Reused, like a load, only under a dominating read of the same field.
      k.imm = inst.imm;
      break;
    case ir::Op::Load:
      k.size = inst.size;
      k.imm = inst.imm;
      k.a = inst.a;
      break;
    case ir::Op::Neg:
      k.a = inst.a;
      break;
    case ir::Op::Protochain:
      // The walk reads the packet: like a load, it is reused only under a
      // dominating identical walk, which either ended the filter or gave
      // the same result.
      k.size = inst.size;
      k.imm = inst.imm;
      k.stop = inst.stop;
      k.a = inst.a;
      k.b = inst.b;
      break;
    default:
      k.a = inst.a;
      k.b = inst.b;
      if (ir::is_commutative(inst.op) && k.b < k.a) std::swap(k.a, k.b);
      break;
  }
  return {k.op, k.size, k.imm, k.a, k.b, k.stop};
}

class ValueNumbering {
 public:
  ValueNumbering(ir::Function& f, PassCounters& counters) : f_(f), counters_(counters), dom_(f) {}

  bool run() {
    gather_constants();
    walk_dominator_tree();
    if (!changed_) return false;
    drop_removed_values();
    return true;
  }

 private:
  // One Const per distinct constant, at the start of the entry block.
  void gather_constants() {
    ir::FlatKeyMap<std::tuple<uint32_t>, ir::ValueId> first;  // by constant
    std::vector<ir::ValueId> entry_constants;
    std::vector<ir::ValueId> replaced_constants;
    for (ir::BlockId b = 0; b < f_.blocks.size(); ++b) {
      if (!dom_.reachable(b)) continue;
      for (ir::ValueId v : f_.blocks[b].insts) {
        const ir::Inst& inst = f_.values[v];
        if (inst.op != ir::Op::Const) continue;
        auto [first_v, inserted] = first.try_emplace({inst.imm}, v);
        if (inserted) {
          entry_constants.push_back(v);
          if (b != 0) {
            counters_.add("constants moved to the entry");
            changed_ = true;
          }
        } else {
          replacements_.replace(v, *first_v);
          replaced_constants.push_back(v);
          counters_.add("constants unified");
          changed_ = true;
        }
      }
    }
    if (!changed_) return;
    // Keep the entry's constants first, then its other instructions.
    for (ir::BlockId b = 0; b < f_.blocks.size(); ++b) {
      if (!dom_.reachable(b)) continue;
      std::erase_if(f_.blocks[b].insts, [&](ir::ValueId v) { return f_.values[v].op == ir::Op::Const; });
    }
    auto& entry = f_.blocks[0].insts;
    entry.insert(entry.begin(), entry_constants.begin(), entry_constants.end());
    for (ir::ValueId v : entry_constants) f_.values[v].block = 0;
    // The duplicates left their blocks here; their uses are rewritten as
    // the walk reaches them.
    for (ir::ValueId v : replaced_constants) f_.values[v].block = ir::kNoBlock;
  }

  void walk_dominator_tree() {
    const size_t base = table_.mark();
    std::vector<size_t> marks;
    dom_.walk(
        [&](ir::BlockId b) {
          marks.push_back(table_.mark());
          number_block(b);
        },
        [&](ir::BlockId) {
          table_.undo_to(marks.back());
          marks.pop_back();
        });
    table_.undo_to(base);
  }

  // Every predecessor of b was numbered before b (see DominatorTree::preorder),
  // so all of b's operands, phi inputs included, already read their numbers.
  void number_block(ir::BlockId b) {
    ir::Block& block = f_.blocks[b];
    std::vector<ir::ValueId> phis_kept;
    for (ir::ValueId v : block.insts) {
      ir::Inst& inst = f_.values[v];
      replacements_.rewrite_operands(inst);
      if (inst.op == ir::Op::Const) continue;  // numbered by gather_constants
      if (inst.op == ir::Op::Phi) {
        if (ir::ValueId same = phi_equivalent(inst, phis_kept); same != ir::kNoValue) {
          remove(v, same, "phis removed");
        } else {
          phis_kept.push_back(v);
        }
        continue;
      }
      const Key k = key_of(inst);
      if (ir::ValueId earlier = table_.find(k, ir::kNoValue); earlier != ir::kNoValue) {
        remove(v, earlier, inst.op == ir::Op::Load ? "loads reused" : "computations reused");
      } else {
        table_.insert(k, v);
      }
    }
    replacements_.rewrite_operands(block.term);
  }

  // A value the phi always equals: its only input, or an identical phi of
  // the same block.
  ir::ValueId phi_equivalent(const ir::Inst& phi, const std::vector<ir::ValueId>& earlier_phis) const {
    if (phi.incoming.empty()) return ir::kNoValue;
    const ir::ValueId first = phi.incoming.front().value;
    bool all_same = std::all_of(phi.incoming.begin(), phi.incoming.end(),
                                [&](const ir::PhiIncoming& in) { return in.value == first; });
    if (all_same) return first;
    for (ir::ValueId other : earlier_phis) {
      const ir::Inst& o = f_.values[other];
      if (o.incoming.size() != phi.incoming.size()) continue;
      bool same = std::all_of(phi.incoming.begin(), phi.incoming.end(), [&](const ir::PhiIncoming& in) {
        return phi_input_from(o, in.block) == in.value;
      });
      if (same) return other;
    }
    return ir::kNoValue;
  }

  void remove(ir::ValueId v, ir::ValueId with, const char* what) {
    replacements_.replace(v, with);
    removed_.push_back(v);
    counters_.add(what);
    changed_ = true;
  }

  void drop_removed_values() {
    std::vector<bool> gone(f_.values.size(), false);
    std::vector<bool> touched(f_.blocks.size(), false);
    for (ir::ValueId v : removed_) {
      gone[v] = true;
      touched[f_.values[v].block] = true;
      f_.values[v].block = ir::kNoBlock;
    }
    for (ir::BlockId b = 0; b < f_.blocks.size(); ++b) {
      if (touched[b]) std::erase_if(f_.blocks[b].insts, [&](ir::ValueId v) { return gone[v]; });
    }
    // Uses in blocks the walk did not reach (unreachable ones) too.
    replacements_.apply(f_);
  }

  ir::Function& f_;
  PassCounters& counters_;
  ir::DominatorTree dom_;
  ValueReplacements replacements_;
  // Dominator-scoped: what a block adds is withdrawn when the walk leaves
  // its subtree, so a match always dominates.
  ir::ScopedValueTable<Key, ir::ValueId> table_;
  std::vector<ir::ValueId> removed_;
  bool changed_ = false;
};

}  // namespace

bool number_values(ir::Function& f, PassCounters& counters) {
  if (f.blocks.empty()) return false;
  return ValueNumbering(f, counters).run();
}

}  // namespace bpfc::opt
