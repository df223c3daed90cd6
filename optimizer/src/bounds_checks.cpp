// opt::legalize_bounds_checks: explicit guards for targets whose loads do not
// trap. The rule it implements is ir/README.md's "Bounds-check
// legalization"; the names below follow it.
//
// Two analyses over the (acyclic, topologically ordered) CFG:
//  - backward, the *anticipated need* at each load: for its index (or none),
//    the largest end E such that "caplen < E" (for an indexed load:
//    "index + E > caplen") guarantees that every path from the load returns
//    0 (by a failing load or a `ret` of constant 0) before any other
//    return. A guard with that bound at the load is sound, and covers every
//    later load with the same index whose end is at most E;
//  - forward, the *established* bounds: what the guards already inserted
//    prove on every path to a point (minimum over predecessors).
// A load whose end is not established gets a guard right before it, with
// its anticipated need as the bound.
#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

#include "bpfc/optimizer/legalize.h"
#include "cfg_edit.h"

namespace bpfc::opt {
namespace {

using ir::BlockId;
using ir::Op;
using ir::ValueId;

// An end offset (offset + size, plus an index value for indexed loads),
// computed without wrapping: it may exceed 2^32 - 1.
using End = uint64_t;
// Requirements keyed by the load's index value; ir::kNoValue for absolute.
using Ends = std::map<ValueId, End>;

End end_of(const ir::Inst& load) { return End{load.imm} + load.size; }

// The anticipated need at a point: `every_path_returns_0` when each path
// from here returns 0 whatever caplen is (any guard is sound there).
struct Need {
  bool every_path_returns_0 = false;
  Ends ends;
};

// Both successors' needs hold on the branch: for each index, the smaller.
Need meet(const Need& x, const Need& y) {
  if (x.every_path_returns_0) return y;
  if (y.every_path_returns_0) return x;
  Need out;
  for (const auto& [index, end] : x.ends) {
    auto it = y.ends.find(index);
    if (it != y.ends.end()) out.ends[index] = std::min(end, it->second);
  }
  return out;
}

bool returns_constant_zero(const ir::Function& f, const ir::Terminator& t) {
  if (t.kind != ir::TermKind::Ret) return false;
  const ir::Inst& v = f.values[t.lhs];
  return v.op == Op::Const && v.imm == 0;
}

struct GuardPlan {
  BlockId block;
  size_t position;  // in the block's insts: the guard goes before this one
  ValueId index;    // kNoValue: caplen >= bound; else index + bound <= caplen
  End bound;
  bool caplen_established;  // caplen >= bound already holds (indexed guards)
};

void require(Ends& ends, ValueId index, End end) {
  End& at = ends[index];
  at = std::max(at, end);
}

// What a block's phis needed, per phi: on the edge from a predecessor the
// need becomes one of the value the phi takes from there.
using PhiNeeds = std::vector<std::pair<ValueId, End>>;

// The need on the edge from `pred` into `succ`: the need at succ's entry,
// and its phis' needs in terms of what they receive from pred. A phi that
// receives a constant C there needs caplen >= C + E: its indexed load
// fails on every shorter packet.
Need need_on_edge(const ir::Function& f, BlockId pred, BlockId succ, const std::vector<Need>& at_entry,
                  const std::vector<PhiNeeds>& phi_needs) {
  Need need = at_entry[succ];
  if (need.every_path_returns_0) return need;
  for (const auto& [phi, end] : phi_needs[succ]) {
    const ValueId incoming = phi_input_from(f.values[phi], pred);
    if (incoming == ir::kNoValue) continue;
    const ir::Inst& value = f.values[incoming];
    if (value.op == Op::Const) {
      require(need.ends, ir::kNoValue, End{value.imm} + end);
    } else {
      require(need.ends, incoming, end);
    }
  }
  return need;
}

// Anticipated need at each load (kNoValue-indexed map by load id).
//
// An indexed load needs caplen >= its end as well, whatever the index (an
// index is at least 0): that absolute need meets the other successor's
// like any other, so `ip6 or ip` paths that each reach a port at an
// offset of their own share one guard at the entry for what both need.
std::vector<End> anticipated_needs(const ir::Function& f) {
  constexpr End kAnyBound = UINT64_MAX;
  std::vector<End> need_at(f.values.size(), 0);
  std::vector<Need> at_entry(f.blocks.size());
  std::vector<PhiNeeds> phi_needs(f.blocks.size());
  for (BlockId b = static_cast<BlockId>(f.blocks.size()); b-- > 0;) {
    const ir::Block& block = f.blocks[b];
    Need need;
    switch (block.term.kind) {
      case ir::TermKind::Ret:
        need.every_path_returns_0 = returns_constant_zero(f, block.term);
        break;
      case ir::TermKind::Jump:
        need = need_on_edge(f, b, block.term.on_true, at_entry, phi_needs);
        break;
      case ir::TermKind::Branch:
        need = meet(need_on_edge(f, b, block.term.on_true, at_entry, phi_needs),
                    need_on_edge(f, b, block.term.on_false, at_entry, phi_needs));
        break;
      case ir::TermKind::None:
        break;
    }
    for (size_t i = block.insts.size(); i-- > 0;) {
      const ValueId v = block.insts[i];
      const ir::Inst& inst = f.values[v];
      // No load above v's definition can use v: its entry goes (keeping
      // the maps to the indexes live here). A phi's goes to the edges.
      if (auto it = need.ends.find(v); it != need.ends.end()) {
        if (inst.op == Op::Phi) phi_needs[b].emplace_back(v, it->second);
        need.ends.erase(it);
      }
      if (inst.op != Op::Load) continue;
      if (need.every_path_returns_0) {
        need_at[v] = kAnyBound;
        continue;
      }
      End& end = need.ends[inst.a];
      end = std::max(end, end_of(inst));
      need_at[v] = end;
      if (inst.a != ir::kNoValue) require(need.ends, ir::kNoValue, end);
    }
    at_entry[b] = std::move(need);
  }
  return need_at;
}

// Where the guards go, from the needs and the bounds established so far.
std::vector<GuardPlan> plan_guards(const ir::Function& f, const std::vector<End>& need_at, BoundsChecks& report) {
  constexpr End kAnyBound = UINT64_MAX;
  const auto preds = ir::predecessors(f);
  std::vector<Ends> at_exit(f.blocks.size());
  std::vector<GuardPlan> plans;
  for (BlockId b = 0; b < f.blocks.size(); ++b) {
    Ends known;
    for (size_t i = 0; i < preds[b].size(); ++i) {
      const Ends& from = at_exit[preds[b][i]];
      if (i == 0) {
        known = from;
        continue;
      }
      for (auto it = known.begin(); it != known.end();) {
        auto there = from.find(it->first);
        if (there == from.end()) {
          it = known.erase(it);
        } else {
          it->second = std::min(it->second, there->second);
          ++it;
        }
      }
    }
    const auto& insts = f.blocks[b].insts;
    std::map<ValueId, bool> indexes_seen;  // loads per block and index, for the report
    for (size_t i = 0; i < insts.size(); ++i) {
      const ir::Inst& load = f.values[insts[i]];
      if (load.op != Op::Load) continue;
      ++report.loads;
      indexes_seen[load.a] = true;
      const End end = end_of(load);
      if (load.checked || (known.contains(load.a) && known[load.a] >= end)) continue;
      End bound = need_at[insts[i]];
      if (bound == kAnyBound) {
        // Every path from here returns 0: any bound is sound; this block's
        // loads with the same index are the ones it can cover for sure.
        bound = end;
        for (size_t j = i + 1; j < insts.size(); ++j) {
          const ir::Inst& later = f.values[insts[j]];
          if (later.op == Op::Load && later.a == load.a) bound = std::max(bound, end_of(later));
        }
      }
      const bool caplen_known = known.contains(ir::kNoValue) && known[ir::kNoValue] >= bound;
      plans.push_back({b, i, load.a, bound, caplen_known});
      known[load.a] = std::max(known[load.a], bound);
      // An indexed guard first proves caplen >= bound (see insert_guard).
      known[ir::kNoValue] = std::max(known[ir::kNoValue], bound);
    }
    report.guards_per_block += indexes_seen.size();
    at_exit[b] = std::move(known);
  }
  return plans;
}

class GuardInserter {
 public:
  GuardInserter(ir::Function& f, ValueId caplen) : f_(f), caplen_(caplen) {}

  // Splits `block` before `plan.position` and ends it with the guard; the
  // instructions from there on, and the old terminator, go to a new block.
  // Returns the number of conditional branches the guard took.
  size_t insert(const GuardPlan& plan) {
    const BlockId rest = split(plan.block, plan.position);
    ir::Builder build(f_);
    build.set_block(plan.block);
    if (plan.bound > UINT32_MAX) {
      // caplen < bound on every packet: the guard always fails.
      build.jump(fail_block());
      return 0;
    }
    const ValueId bound = build.constant(static_cast<uint32_t>(plan.bound));
    if (plan.index == ir::kNoValue) {
      build.branch(ir::Cond::Gt, bound, caplen_, fail_block(), rest);
      return 1;
    }
    // index + bound <= caplen without wrapping: caplen >= bound, then
    // index <= caplen - bound (which cannot wrap any more).
    size_t branches = 0;
    if (!plan.caplen_established) {
      const BlockId next = build.new_block();
      build.branch(ir::Cond::Gt, bound, caplen_, fail_block(), next);
      build.set_block(next);
      ++branches;
    }
    const ValueId room = build.binary(Op::Sub, caplen_, bound);
    build.branch(ir::Cond::Gt, plan.index, room, fail_block(), rest);
    return branches + 1;
  }

 private:
  BlockId split(BlockId b, size_t position) {
    const BlockId rest = ir::Builder(f_).new_block();
    ir::Block& from = f_.blocks[b];
    ir::Block& to = f_.blocks[rest];
    to.insts.assign(from.insts.begin() + static_cast<std::ptrdiff_t>(position), from.insts.end());
    from.insts.resize(position);
    for (ValueId v : to.insts) f_.values[v].block = rest;
    to.term = from.term;
    from.term = ir::Terminator{};
    for (BlockId s : ir::successors(to)) {
      for (ValueId v : f_.blocks[s].insts) {
        for (ir::PhiIncoming& in : f_.values[v].incoming) {
          if (in.block == b) in.block = rest;
        }
      }
    }
    return rest;
  }

  BlockId fail_block() {
    if (fail_ == ir::kNoBlock) {
      ir::Builder build(f_);
      fail_ = build.new_block();
      build.set_block(fail_);
      build.ret_const(0);
    }
    return fail_;
  }

  ir::Function& f_;
  ValueId caplen_;
  BlockId fail_ = ir::kNoBlock;
};

}  // namespace

BoundsChecks legalize_bounds_checks(ir::Function& f) {
  BoundsChecks report;
  const auto unchecked_load = [&](ValueId v) { return f.values[v].op == Op::Load && !f.values[v].checked; };
  const bool any_unchecked = std::any_of(f.blocks.begin(), f.blocks.end(), [&](const ir::Block& block) {
    return std::any_of(block.insts.begin(), block.insts.end(), unchecked_load);
  });
  if (!any_unchecked) return report;

  // The captured length, read once at the entry (which has no phis).
  ir::Builder build(f);
  build.set_block(0);
  const ValueId caplen = build.caplen();
  auto& entry = f.blocks[0].insts;
  std::rotate(entry.begin(), entry.end() - 1, entry.end());

  const std::vector<GuardPlan> plans = plan_guards(f, anticipated_needs(f), report);
  report.unmerged_guards = report.loads;
  report.guards = plans.size();
  // From the last guard of each block to the first, so that positions stay
  // valid while blocks are split.
  GuardInserter inserter(f, caplen);
  for (auto it = plans.rbegin(); it != plans.rend(); ++it) report.branches += inserter.insert(*it);
  for (ir::Inst& inst : f.values) {
    if (inst.op == Op::Load && inst.block != ir::kNoBlock) inst.checked = true;
  }
  // New blocks were appended; an always-failing guard leaves code behind it
  // unreachable, which this drops.
  ir::renumber_topologically(f);
  ir::compact_values(f);
  return report;
}

std::string describe(const BoundsChecks& checks) {
  return std::to_string(checks.loads) + " loads checked by " + std::to_string(checks.guards) + " guards (" +
         std::to_string(checks.branches) + " branches; one guard per load would be " +
         std::to_string(checks.unmerged_guards) + ", one per block and index " +
         std::to_string(checks.guards_per_block) + ")";
}

}  // namespace bpfc::opt
