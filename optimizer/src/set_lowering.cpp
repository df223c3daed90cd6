// Set lowering: a chain of blocks that each test one value against one
// constant, prefix or range, all sending a match to the same block T and
// continuing on a mismatch (set_chains.h says which chains qualify), is the
// membership test "V in S -> T, else E". Lowering (which replays libpcap's
// optimizer) emits such chains for host, port, net and portrange lists,
// costing one compare per key on every packet that misses. This pass
// replaces each long chain by a balanced binary search over the sorted,
// merged intervals of S (set_search_tree.h): about 1.5 compares per key in
// program size, at most ceil(log2 n) + 1 per packet. A short chain is
// rewritten as a linear chain over the merged intervals when that takes
// fewer compares (`portrange 53` is `ge 53, gt 53`: one eq; keys
// 0x18..0x1b: one range). A tree over prefixes of one length (a `net` list
// of /24s) searches value >> (32 - length), where each prefix is one value
// rather than a range of two compares.
//
// Both polarities are one shape: in a disjunction T accepts, in a
// conjunction of negations T rejects; either way T is the eq target.
//
// Correctness against the IR contract: the removed blocks contain no load or
// division other than ones structurally identical to a value computed on the
// head's path (so they could not end the filter), and the new blocks compute
// nothing that can fail. Values of removed blocks that are still used further
// on are replaced by the head's identical value, or, for constants, moved
// into the head, which dominates every such use.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "entry_constants.h"
#include "passes.h"
#include "set_chains.h"
#include "set_search_tree.h"

namespace bpfc::opt {
namespace {

using namespace set_lowering;
using ir::BlockId;
using ir::Function;
using ir::kNoBlock;
using ir::kNoValue;
using ir::Op;
using ir::ValueId;

class SetLowering {
 public:
  SetLowering(Function& f, PassCounters& counters) : f_(f), counters_(counters), chains_(f) {}

  bool run() {
    std::vector<Chain> chains = chains_.find_chains();
    if (chains.empty()) return false;
    constants_.emplace(f_);
    rewritten_head_.assign(f_.blocks.size(), false);
    // The trees need at most two blocks and two constants per key: grow the
    // function once rather than vector by vector.
    size_t keys = 0;
    for (const Chain& chain : chains) keys += chain.keys.size();
    f_.blocks.reserve(f_.blocks.size() + 2 * keys);
    f_.values.reserve(f_.values.size() + 2 * keys + 2 * chains.size());
    uint64_t compares = 0;
    for (Chain& chain : chains) {
      compares += chain.members.size() + 1;
      rewrite(chain);
    }
    constants_->place();
    fix_phis();
    ir::renumber_topologically(f_);
    counters_.add("chains lowered", chains.size());
    counters_.add("chain compares replaced", compares);
    return true;
  }

 private:
  void rewrite(Chain& chain) {
    const HeadValues& known = chain.head_values;
    member_of_.resize(f_.blocks.size(), kNoBlock);
    for (BlockId m : chain.members) member_of_[m] = chain.head;
    // Phi inputs the new edges carry: into T those of the head's edge; into
    // E those of the last block's edge, as the head computes them.
    const BlockId last = chain.enters_exit.front();
    std::vector<std::pair<ValueId, ValueId>> exit_inputs;  // (phi, value)
    for (ValueId v : f_.blocks[chain.exit].insts) {
      if (f_.value(v).op != Op::Phi) break;
      exit_inputs.emplace_back(v, chains_.incoming(v, last));
    }
    std::vector<std::pair<ValueId, ValueId>> match_inputs;
    for (ValueId v : f_.blocks[chain.match].insts) {
      if (f_.value(v).op != Op::Phi) break;
      match_inputs.emplace_back(v, chains_.incoming(v, chain.enters_match));
    }
    // Values of the dropped blocks still used further on.
    for (BlockId m : chain.members) {
      const std::vector<ValueId> insts = f_.blocks[m].insts;  // move_constant edits the list
      for (ValueId v : insts) {
        if (!chains_.used_outside_block(v)) continue;
        if (f_.value(v).op == Op::Const) {
          move_constant(v, m, chain.head);
        } else {
          replace_uses(v, head_value(known, chains_.number(v)));
        }
      }
    }
    for (auto* inputs : {&exit_inputs, &match_inputs}) {
      for (auto& [phi, value] : *inputs) {
        if (value != kNoValue && f_.value(value).op != Op::Const && f_.value(value).block < member_of_.size() &&
            member_of_[f_.value(value).block] == chain.head) {
          value = head_value(known, chains_.number(value));
        }
      }
    }

    // A tree over prefixes of one length searches the prefix itself
    // (value >> host bits): each key is then one value, not a range.
    ValueId searched = chain.value;
    if (!chain.linear && chain.host != kNotPrefix && chain.host != 0) {
      const uint32_t bits = static_cast<uint32_t>(std::popcount(chain.host));
      for (Interval& k : chain.keys) k = {k.lo >> bits, k.hi >> bits};
      ir::Builder b(f_);
      b.set_block(chain.head);
      searched = b.binary(Op::Shr, chain.value, constants_->get(bits));
      counters_.add("prefix trees");
    }
    std::vector<Interval> keys = sorted_merged(std::move(chain.keys));
    std::vector<BlockId> tree_blocks{chain.head};
    SearchTreeBuilder builder{f_, searched, chain.match, chain.exit, tree_blocks, *constants_};
    if (chain.linear) {
      builder.fill_leaf(chain.head, keys, 0, keys.size(), 0, UINT32_MAX);
    } else {
      builder.fill(chain.head, keys, 0, keys.size(), 0, UINT32_MAX);
    }
    rewritten_head_[chain.head] = true;

    for (BlockId b : tree_blocks) {
      auto succ = ir::successors(f_.blocks[b]);
      if (succ.size() == 2 && succ[0] == succ[1]) succ.pop_back();
      for (BlockId s : succ) {
        if (s == chain.match) {
          for (auto [phi, value] : match_inputs) additions_.push_back({phi, b, value});
        } else if (s == chain.exit) {
          for (auto [phi, value] : exit_inputs) additions_.push_back({phi, b, value});
        }
      }
    }
    counters_.add("tree blocks", tree_blocks.size());
  }

  void move_constant(ValueId v, BlockId from, BlockId to) {
    auto& insts = f_.blocks[from].insts;
    insts.erase(std::find(insts.begin(), insts.end(), v));
    f_.blocks[to].insts.push_back(v);
    f_.value(v).block = to;
  }

  void replace_uses(ValueId old_value, ValueId new_value) {
    for (const Use& use : chains_.uses(old_value)) {
      switch (use.kind) {
        case Use::OperandA: f_.value(use.where).a = new_value; break;
        case Use::OperandB: f_.value(use.where).b = new_value; break;
        case Use::Incoming: f_.value(use.where).incoming[use.index].value = new_value; break;
        case Use::TermLhs: f_.blocks[use.where].term.lhs = new_value; break;
        case Use::TermRhs: f_.blocks[use.where].term.rhs = new_value; break;
      }
    }
  }

  // Drops phi inputs of edges that no longer exist (from rewritten heads and
  // from blocks now unreachable) and adds those of the tree's edges.
  void fix_phis() {
    std::vector<bool> reachable(f_.blocks.size(), false);
    reachable[0] = true;
    std::vector<BlockId> work{0};
    while (!work.empty()) {
      BlockId b = work.back();
      work.pop_back();
      for (BlockId s : ir::successors(f_.blocks[b])) {
        if (!reachable[s]) {
          reachable[s] = true;
          work.push_back(s);
        }
      }
    }
    rewritten_head_.resize(f_.blocks.size(), false);
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      if (!reachable[b]) continue;
      for (ValueId v : f_.blocks[b].insts) {
        ir::Inst& phi = f_.value(v);
        if (phi.op != Op::Phi) break;
        std::erase_if(phi.incoming, [&](const ir::PhiIncoming& in) {
          if (!reachable[in.block] || rewritten_head_[in.block]) return true;
          const ir::Terminator& t = f_.blocks[in.block].term;
          return t.on_true != b && t.on_false != b;
        });
      }
    }
    for (const auto& a : additions_) f_.value(a.phi).incoming.push_back({a.from, a.value});
  }

  struct Addition {
    ValueId phi;
    BlockId from;
    ValueId value;
  };

  Function& f_;
  PassCounters& counters_;
  ChainFinder chains_;  // indexes the function as it was before any rewrite
  std::vector<BlockId> member_of_;
  std::vector<bool> rewritten_head_;
  std::vector<Addition> additions_;
  std::optional<EntryConstants> constants_;  // once there is a chain to rewrite
};

}  // namespace

bool lower_sets(Function& f, PassCounters& counters) { return SetLowering(f, counters).run(); }

}  // namespace bpfc::opt
