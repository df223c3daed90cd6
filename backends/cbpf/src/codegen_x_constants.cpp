// Two analyses over the machine blocks (the CFG is acyclic and block order
// is topological):
//  - backwards, what each block's entry needs from X: nothing (X is written
//    before it is read on every path, or never read), the constant k (some
//    paths start by `ldx #k`, the others do not need X), or anything else;
//  - forwards, which constant X is known to hold on entry to each block.
// An `ldx #k` goes at the top of a block whose entry needs k and does not
// get it; an `ldx #k` that is the first use of X in a block whose entry
// already holds k goes away. Inserting is safe because X is dead there;
// deleting is safe because X already holds k on every path.
#include "codegen_x_constants.h"

#include <optional>

namespace bpfc::cbpf::detail {
namespace {

constexpr uint16_t kLdxImm = LDX | W | IMM;

// How a block's own code starts using X.
struct FirstUse {
  enum class Kind : uint8_t { None, Reads, LoadsConstant, Writes } kind = Kind::None;
  uint32_t k = 0;
  size_t at = 0;  // LoadsConstant: index in the body
};

FirstUse first_use_of_x(const MBlock& b) {
  for (size_t i = 0; i < b.body.size(); ++i) {
    const Insn& insn = b.body[i];
    InsnEffect e = effect_of(insn);
    if (e.reads & kRegX) return {FirstUse::Kind::Reads};
    if (e.writes & kRegX) {
      if (insn.code == kLdxImm) return {FirstUse::Kind::LoadsConstant, insn.k, i};
      return {FirstUse::Kind::Writes};
    }
  }
  if (b.exit.kind == MExit::Kind::Cond && insn_src(b.exit.code) == X) return {FirstUse::Kind::Reads};
  return {};
}

// What a block's entry needs X to hold.
struct Need {
  enum class Kind : uint8_t { Nothing, Constant, Other } kind = Kind::Nothing;
  uint32_t k = 0;
  friend bool operator==(const Need&, const Need&) = default;
};

Need meet(Need a, Need b) {
  if (a.kind == Need::Kind::Nothing) return b;
  if (b.kind == Need::Kind::Nothing) return a;
  if (a == b) return a;
  return {Need::Kind::Other};
}

std::vector<uint32_t> successors_of(const MBlock& b) {
  switch (b.exit.kind) {
    case MExit::Kind::Ret: return {};
    case MExit::Kind::Jump: return {b.exit.on_true};
    case MExit::Kind::Cond: return {b.exit.on_true, b.exit.on_false};
  }
  return {};
}

class XConstantHoisting {
 public:
  explicit XConstantHoisting(const std::vector<MBlock>& blocks)
      : blocks_(blocks), first_(blocks.size()), need_(blocks.size()), preds_(blocks.size()) {
    for (uint32_t b = 0; b < blocks.size(); ++b) {
      if (!blocks[b].present) continue;
      first_[b] = first_use_of_x(blocks[b]);
      for (uint32_t s : successors_of(blocks[b])) preds_[s].push_back(b);
    }
    for (uint32_t b = static_cast<uint32_t>(blocks.size()); b-- > 0;) {
      if (!blocks[b].present) continue;
      switch (first_[b].kind) {
        case FirstUse::Kind::Reads: need_[b] = {Need::Kind::Other}; break;
        case FirstUse::Kind::LoadsConstant: need_[b] = {Need::Kind::Constant, first_[b].k}; break;
        case FirstUse::Kind::Writes: need_[b] = {}; break;
        case FirstUse::Kind::None:
          for (uint32_t s : successors_of(blocks[b])) need_[b] = meet(need_[b], need_[s]);
          break;
      }
    }
  }

  // The rewritten blocks, or nullopt when the rewrite would not pay.
  std::optional<std::vector<MBlock>> run() {
    std::vector<MBlock> out = blocks_;
    std::vector<std::optional<uint32_t>> x_out(out.size());
    int inserted = 0, removed = 0;
    for (uint32_t b = 0; b < out.size(); ++b) {
      MBlock& mb = out[b];
      if (!mb.present) continue;
      // bpf_filter() and the kernel start with X = 0.
      std::optional<uint32_t> x = b == 0 ? std::optional<uint32_t>(0) : std::nullopt;
      for (size_t i = 0; i < preds_[b].size(); ++i) {
        const auto& from = x_out[preds_[b][i]];
        x = i == 0 ? from : (from == x ? x : std::nullopt);
      }
      const Need need = need_[b];
      if (need.kind == Need::Kind::Constant && x != need.k && first_[b].kind == FirstUse::Kind::None &&
          !better_below(b)) {
        mb.body.insert(mb.body.begin(), stmt(kLdxImm, need.k));
        ++inserted;
        x = need.k;
      } else if (first_[b].kind == FirstUse::Kind::LoadsConstant && x == first_[b].k) {
        mb.body.erase(mb.body.begin() + static_cast<std::ptrdiff_t>(first_[b].at));
        ++removed;
        // An edge block left empty disappears with its jump.
        if (mb.body.empty() && mb.exit.kind == MExit::Kind::Jump) ++removed;
      }
      for (const Insn& insn : mb.body) {
        if (effect_of(insn).writes & kRegX) x = insn.code == kLdxImm ? std::optional<uint32_t>(insn.k) : std::nullopt;
      }
      x_out[b] = x;
    }
    if (removed <= inserted) return std::nullopt;
    return out;
  }

 private:
  // Whether the `ldx #k` that block b would get serves the same paths one
  // block lower: exactly one successor needs it, and b is its only way in.
  // Placing it there keeps it off the paths that do not need it.
  bool better_below(uint32_t b) const {
    uint32_t needing = 0, only = 0;
    for (uint32_t s : successors_of(blocks_[b])) {
      if (need_[s].kind == Need::Kind::Constant) {
        ++needing;
        only = s;
      }
    }
    return needing == 1 && preds_[only].size() == 1 && first_[only].kind == FirstUse::Kind::None;
  }

  const std::vector<MBlock>& blocks_;
  std::vector<FirstUse> first_;
  std::vector<Need> need_;
  std::vector<std::vector<uint32_t>> preds_;
};

}  // namespace

bool hoist_x_constants(std::vector<MBlock>& blocks) {
  auto rewritten = XConstantHoisting(blocks).run();
  if (!rewritten) return false;
  blocks = std::move(*rewritten);
  return true;
}

}  // namespace bpfc::cbpf::detail
