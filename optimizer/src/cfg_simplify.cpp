// CFG simplification:
//  - a branch whose two targets are the same block becomes a jump;
//  - an edge into an empty block that only jumps on is threaded to where
//    that block jumps, and an edge into an empty block that repeats the
//    predecessor's own test goes straight to the outcome already known;
//  - a block whose single predecessor jumps only to it is merged into it;
//  - blocks that only return the same constant (or the same value) share
//    one block.
// Each step keeps edges pointing forward, so the blocks keep the order the
// cBPF layout follows; blocks left without predecessors are removed at the
// end.
#include <algorithm>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "cfg_edit.h"
#include "inst_facts.h"
#include "passes.h"
#include "value_replacements.h"

namespace bpfc::opt {
namespace {

constexpr int kMaxRounds = 8;

bool same_test(const ir::Terminator& a, const ir::Terminator& b) {
  return a.kind == ir::TermKind::Branch && b.kind == ir::TermKind::Branch && a.cond == b.cond && a.lhs == b.lhs &&
         a.rhs == b.rhs;
}

class CfgSimplifier {
 public:
  CfgSimplifier(ir::Function& f, PassCounters& counters) : f_(f), counters_(counters) {}

  bool run() {
    bool changed = false;
    for (int round = 0; round < kMaxRounds; ++round) {
      bool round_changed = false;
      round_changed |= jumps_for_equal_targets();
      round_changed |= thread_edges();
      round_changed |= share_returns();
      round_changed |= merge_blocks();
      replacements_.apply(f_);
      counters_.add("blocks removed", remove_unreachable_blocks(f_));
      if (!round_changed) break;
      changed = true;
    }
    return changed;
  }

 private:
  bool is_empty(ir::BlockId b) const { return f_.blocks[b].insts.empty(); }

  bool jumps_for_equal_targets() {
    bool changed = false;
    for (ir::Block& block : f_.blocks) {
      ir::Terminator& t = block.term;
      if (t.kind != ir::TermKind::Branch || t.on_true != t.on_false) continue;
      const ir::BlockId target = t.on_true;
      t = ir::Terminator{};
      t.kind = ir::TermKind::Jump;
      t.on_true = target;
      counters_.add("branches to one block made jumps");
      changed = true;
    }
    return changed;
  }

  // Can the edge pred -> via be redirected to `target`, a successor of via?
  // The phis of `target` then need an input from pred: the one they take
  // from via. If pred already reaches target directly, the inputs must agree.
  bool can_redirect(ir::BlockId pred, ir::BlockId via, ir::BlockId target) const {
    const auto succ = ir::successors(f_.blocks[pred]);
    const bool already = std::find(succ.begin(), succ.end(), target) != succ.end();
    if (!already) return true;
    for (ir::ValueId v : f_.blocks[target].insts) {
      const ir::Inst& phi = f_.values[v];
      if (phi.op != ir::Op::Phi) break;
      if (phi_input_from(phi, pred) != phi_input_from(phi, via)) return false;
    }
    return true;
  }

  // Redirects pred's true (or false) edge, which enters `via`, to `target`
  // (checked by can_redirect).
  void redirect(ir::BlockId pred, ir::BlockId via, ir::BlockId target, bool true_edge) {
    const auto succ = ir::successors(f_.blocks[pred]);
    const bool already = std::find(succ.begin(), succ.end(), target) != succ.end();
    ir::Terminator& t = f_.blocks[pred].term;
    (true_edge ? t.on_true : t.on_false) = target;
    if (!already) {
      for (ir::ValueId v : f_.blocks[target].insts) {
        ir::Inst& phi = f_.values[v];
        if (phi.op != ir::Op::Phi) break;
        phi.incoming.push_back({pred, phi_input_from(phi, via)});
      }
    }
    // `via` may have lost its last edge from pred; it has no phis (it is
    // empty), so nothing else refers to that edge.
  }

  // Where control goes from the empty block `via` when entered from `pred`
  // by its true (or false) edge; kNoBlock when that is not known.
  ir::BlockId known_destination(ir::BlockId pred, ir::BlockId via, bool from_true_edge) const {
    const ir::Terminator& vt = f_.blocks[via].term;
    if (vt.kind == ir::TermKind::Jump) return vt.on_true;
    const ir::Terminator& pt = f_.blocks[pred].term;
    if (same_test(pt, vt) && pt.on_true != pt.on_false) return from_true_edge ? vt.on_true : vt.on_false;
    return ir::kNoBlock;
  }

  bool thread_edges() {
    bool changed = false;
    for (ir::BlockId p = 0; p < f_.blocks.size(); ++p) {
      // Each redirection moves an edge forward, so following chains of
      // empty blocks ends.
      while (thread_one_edge(p)) changed = true;
    }
    return changed;
  }

  bool thread_one_edge(ir::BlockId p) {
    const ir::Terminator& t = f_.blocks[p].term;
    const bool branch = t.kind == ir::TermKind::Branch;
    if (!branch && t.kind != ir::TermKind::Jump) return false;
    for (bool true_edge : {true, false}) {
      if (!true_edge && !branch) break;
      const ir::BlockId via = true_edge ? t.on_true : t.on_false;
      if (!is_empty(via)) continue;
      const ir::BlockId target = known_destination(p, via, true_edge);
      if (target == ir::kNoBlock || !can_redirect(p, via, target)) continue;
      const bool jump = f_.blocks[via].term.kind == ir::TermKind::Jump;
      redirect(p, via, target, true_edge);
      counters_.add(jump ? "jumps threaded through empty blocks" : "repeated tests threaded");
      return true;
    }
    return false;
  }

  // Blocks that hold only constants and return one of them, or hold nothing
  // and return a value defined elsewhere, are interchangeable when they
  // return the same thing: the last of them (so edges still go forward)
  // serves all their predecessors. Return blocks have no phis, so no inputs
  // move.
  bool share_returns() {
    using Key = std::pair<bool, uint32_t>;  // (a constant?, its value : the returned value's id)
    std::map<Key, ir::BlockId> last;
    std::vector<std::optional<Key>> key_of(f_.blocks.size());
    for (ir::BlockId b = 1; b < f_.blocks.size(); ++b) {
      const ir::Block& block = f_.blocks[b];
      if (block.term.kind != ir::TermKind::Ret) continue;
      const bool only_constants = std::all_of(block.insts.begin(), block.insts.end(),
                                              [&](ir::ValueId v) { return f_.values[v].op == ir::Op::Const; });
      if (!only_constants) continue;
      const ir::ValueId r = block.term.lhs;
      if (f_.values[r].block == b) {
        key_of[b] = Key{true, f_.values[r].imm};
      } else if (block.insts.empty()) {
        key_of[b] = Key{false, r};
      } else {
        continue;
      }
      last[*key_of[b]] = b;
    }
    bool changed = false;
    auto share = [&](ir::BlockId& edge) {
      if (!key_of[edge]) return;
      const ir::BlockId shared = last[*key_of[edge]];
      if (shared == edge) return;
      edge = shared;
      counters_.add("edges to identical returns shared");
      changed = true;
    };
    for (ir::Block& block : f_.blocks) {
      ir::Terminator& t = block.term;
      if (t.kind == ir::TermKind::Jump || t.kind == ir::TermKind::Branch) share(t.on_true);
      if (t.kind == ir::TermKind::Branch) share(t.on_false);
    }
    return changed;
  }

  bool merge_blocks() {
    auto preds = ir::predecessors(f_);
    bool changed = false;
    for (ir::BlockId p = 0; p < f_.blocks.size(); ++p) {
      if (p != 0 && preds[p].empty()) continue;  // already merged away
      while (f_.blocks[p].term.kind == ir::TermKind::Jump) {
        const ir::BlockId b = f_.blocks[p].term.on_true;
        if (preds[b].size() != 1) break;
        merge_into_predecessor(p, b, preds);
        counters_.add("blocks merged into their predecessor");
        changed = true;
      }
    }
    return changed;
  }

  void merge_into_predecessor(ir::BlockId p, ir::BlockId b, std::vector<std::vector<ir::BlockId>>& preds) {
    ir::Block& into = f_.blocks[p];
    ir::Block& from = f_.blocks[b];
    for (ir::ValueId v : from.insts) {
      ir::Inst& inst = f_.values[v];
      if (inst.op == ir::Op::Phi) {
        // One predecessor: the phi is its one input.
        replacements_.replace(v, inst.incoming.front().value);
        inst.block = ir::kNoBlock;
        inst.incoming.clear();  // `b` goes away; a later renumbering must not meet its id here
        continue;
      }
      inst.block = p;
      into.insts.push_back(v);
    }
    from.insts.clear();
    into.term = from.term;
    for (ir::BlockId s : ir::successors(into)) {
      rename_phi_inputs_from(f_, s, b, p);
      for (ir::BlockId& q : preds[s]) {
        if (q == b) q = p;
      }
    }
    preds[b].clear();
    // b is now unreachable and names no block; the end of the round
    // removes it.
    from.term = ir::Terminator{};
  }

  ir::Function& f_;
  PassCounters& counters_;
  ValueReplacements replacements_;
};

}  // namespace

bool simplify_cfg(ir::Function& f, PassCounters& counters) { return CfgSimplifier(f, counters).run(); }

}  // namespace bpfc::opt
