// Structural checks of an ir::Function, in an order where each stage may rely
// on the previous ones: value placement, terminators and edges (topological
// order), reachability, then per-instruction operand checks and SSA
// dominance. The first problem found is reported, naming the value or block.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "bpfc/ir/verifier.h"

#include "bpfc/ir/dominators.h"

namespace bpfc::ir {
namespace {

// "v12" / "b3" ("_" for none). Built by appending: GCC 12 warns wrongly
// (-Wrestrict, GCC bug 105329) about "literal" + std::to_string(...).
std::string numbered(char prefix, uint32_t n, uint32_t none) {
  if (n == none) return "_";
  std::string name(1, prefix);
  name += std::to_string(n);
  return name;
}
std::string v_name(ValueId v) { return numbered('v', v, kNoValue); }
std::string b_name(BlockId b) { return numbered('b', b, kNoBlock); }

class Verifier {
 public:
  Verifier(const Function& f, const VerifyOptions& options)
      : f_(f), options_(options), position_(f.values.size(), kUnplaced) {}

  std::optional<std::string> run() {
    if (f_.blocks.empty()) return "function has no blocks";
    if (auto e = check_placement()) return e;
    if (auto e = check_terminators()) return e;
    preds_ = PredecessorTable(f_);
    if (auto e = check_reachability()) return e;
    DominatorTree dom(preds_);
    dom_ = &dom;
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      if (auto e = check_block(b)) return e;
    }
    return std::nullopt;
  }

 private:
  static constexpr uint32_t kUnplaced = UINT32_MAX;

  // Every listed value exists, is listed once, and records its block.
  std::optional<std::string> check_placement() {
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      const auto& insts = f_.blocks[b].insts;
      for (uint32_t i = 0; i < insts.size(); ++i) {
        ValueId v = insts[i];
        if (v >= f_.values.size()) return b_name(b) + ": " + v_name(v) + " does not exist";
        if (position_[v] != kUnplaced) return v_name(v) + " is listed more than once";
        if (f_.values[v].block != b) {
          return b_name(b) + ": " + v_name(v) + " is listed in " + b_name(b) + " but records block " +
                 b_name(f_.values[v].block);
        }
        position_[v] = i;
      }
    }
    return std::nullopt;
  }

  std::optional<std::string> check_terminators() {
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      const Terminator& t = f_.blocks[b].term;
      if (t.kind == TermKind::None) return b_name(b) + " has no terminator";
      for (BlockId s : successors(f_.blocks[b])) {
        if (s == kNoBlock || s >= f_.blocks.size()) return b_name(b) + ": branch target " + b_name(s) + " does not exist";
        if (s <= b) {
          return b_name(b) + ": edge to " + b_name(s) + " does not go forward (blocks must be in topological order)";
        }
      }
    }
    return std::nullopt;
  }

  // With edges going forward, a block other than the entry is reachable iff
  // it has a reachable predecessor.
  std::optional<std::string> check_reachability() {
    std::vector<bool> reachable(f_.blocks.size(), false);
    reachable[0] = true;
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      if (!reachable[b]) return b_name(b) + " is unreachable from the entry block";
      for (BlockId s : successors(f_.blocks[b])) reachable[s] = true;
    }
    return std::nullopt;
  }

  std::optional<std::string> check_block(BlockId b) {
    const Block& block = f_.blocks[b];
    bool seen_non_phi = false;
    for (uint32_t i = 0; i < block.insts.size(); ++i) {
      ValueId v = block.insts[i];
      const Inst& inst = f_.values[v];
      if (inst.checked && inst.op != Op::Load) return v_name(v) + ": only loads are marked checked";
      if (inst.op == Op::Phi) {
        if (seen_non_phi) return v_name(v) + ": phi is not at the start of " + b_name(b);
        if (auto e = check_phi(v, b)) return e;
        continue;
      }
      seen_non_phi = true;
      if (auto e = check_inst(v, b, i)) return e;
    }
    const Terminator& t = block.term;
    const auto where = [b] { return b_name(b) + " terminator"; };
    if (t.kind == TermKind::Ret) return check_use(where, t.lhs, b, kEndOfBlock);
    if (t.kind == TermKind::Branch) {
      if (auto e = check_use(where, t.lhs, b, kEndOfBlock)) return e;
      return check_use(where, t.rhs, b, kEndOfBlock);
    }
    return std::nullopt;
  }

  std::optional<std::string> check_inst(ValueId v, BlockId b, uint32_t pos) {
    const Inst& inst = f_.values[v];
    const auto where = [v] { return v_name(v); };
    if (!inst.incoming.empty()) return where() + ": only phis have incoming values";
    switch (inst.op) {
      case Op::Const:
      case Op::Len:
      case Op::Caplen:
        return std::nullopt;
      case Op::Meta:
        if (inst.a != kNoValue || inst.b != kNoValue) return where() + ": meta takes no operands";
        if (inst.imm >= kMetaKindCount) return where() + ": unknown metadata kind " + std::to_string(inst.imm);
        if (!options_.kernel_metadata) {
          return where() + ": meta." + meta_kind_name(static_cast<MetaKind>(inst.imm)) +
                 " reads kernel packet metadata, which this compile context does not provide";
        }
        return std::nullopt;
      case Op::Load:
        if (inst.size != 1 && inst.size != 2 && inst.size != 4) {
          return where() + ": load size " + std::to_string(inst.size) + " is not 1, 2 or 4";
        }
        if (inst.a == kNoValue) return std::nullopt;
        return check_use(where, inst.a, b, pos);
      case Op::Neg:
        return check_use(where, inst.a, b, pos);
      case Op::Protochain:
        if (inst.size != 4 && inst.size != 6) {
          return where() + ": protochain IP version " + std::to_string(inst.size) + " is not 4 or 6";
        }
        if (auto e = check_use(where, inst.a, b, pos)) return e;
        return check_use(where, inst.b, b, pos);
      case Op::Phi:
        break;
      default:
        if (!is_binary(inst.op)) return where() + ": unknown operation";
        if (auto e = check_use(where, inst.a, b, pos)) return e;
        return check_use(where, inst.b, b, pos);
    }
    return std::nullopt;
  }

  // Exactly one incoming value per predecessor, each available at the end of
  // that predecessor.
  std::optional<std::string> check_phi(ValueId v, BlockId b) {
    const Inst& inst = f_.values[v];
    const std::span<const BlockId> preds = preds_[b];
    if (preds.empty()) return v_name(v) + ": phi in " + b_name(b) + ", which has no predecessors";
    // seen_ is all false between phis: only this phi's entries are set, and
    // cleared again below.
    seen_.resize(f_.blocks.size(), false);
    const auto problem = phi_problem(v, b, inst, preds);
    for (const PhiIncoming& in : inst.incoming) {
      if (in.block < seen_.size()) seen_[in.block] = false;
    }
    return problem;
  }

  std::optional<std::string> phi_problem(ValueId v, BlockId b, const Inst& inst, std::span<const BlockId> preds) {
    std::vector<bool>& seen = seen_;
    for (const PhiIncoming& in : inst.incoming) {
      bool is_pred = in.block < f_.blocks.size() && std::binary_search(preds.begin(), preds.end(), in.block);
      if (!is_pred) {
        return v_name(v) + ": incoming value from " + b_name(in.block) + ", which is not a predecessor of " + b_name(b);
      }
      if (seen[in.block]) return v_name(v) + ": two incoming values from " + b_name(in.block);
      seen[in.block] = true;
      const auto where = [v, &in] { return v_name(v) + " (incoming from " + b_name(in.block) + ")"; };
      if (auto e = check_use(where, in.value, in.block, kEndOfBlock)) {
        return e;
      }
    }
    for (BlockId p : preds) {
      if (!seen[p]) return v_name(v) + ": no incoming value for predecessor " + b_name(p);
    }
    return std::nullopt;
  }

  static constexpr uint32_t kEndOfBlock = UINT32_MAX;

  // `operand` is used at position `pos` of block `b` (kEndOfBlock: by the
  // terminator or by a successor's phi): it must exist and its definition
  // must dominate that point. `where()` names the user; it is only called
  // (and the name only built) when there is a problem to report.
  template <class Where>
  std::optional<std::string> check_use(const Where& where, ValueId operand, BlockId b, uint32_t pos) {
    if (operand == kNoValue) return where() + ": missing operand";
    if (operand >= f_.values.size() || position_[operand] == kUnplaced) {
      return where() + ": operand " + v_name(operand) + " is not defined in any block";
    }
    BlockId def_block = f_.values[operand].block;
    bool dominated = def_block == b ? position_[operand] < pos : dom_->dominates(def_block, b);
    if (!dominated) return where() + ": operand " + v_name(operand) + " does not dominate its use";
    return std::nullopt;
  }

  const Function& f_;
  VerifyOptions options_;
  std::vector<uint32_t> position_;  // index of each value in its block's insts
  PredecessorTable preds_;
  std::vector<bool> seen_;  // check_phi's incoming blocks, all false between phis
  const DominatorTree* dom_ = nullptr;
};

}  // namespace

std::optional<std::string> verify(const Function& f, const VerifyOptions& options) {
  return Verifier(f, options).run();
}

}  // namespace bpfc::ir
