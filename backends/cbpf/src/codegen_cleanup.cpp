#include "codegen_cleanup.h"

#include <algorithm>
#include <map>

#include "bpfc/support/unreachable.h"

namespace bpfc::cbpf::detail {
namespace {

uint32_t exit_reads(const MExit& exit) {
  switch (exit.kind) {
    case MExit::Kind::Ret: return exit.code == (RET | RET_A) ? kRegA : 0;
    case MExit::Kind::Cond: return kRegA | (insn_src(exit.code) == X ? kRegX : 0);
    case MExit::Kind::Jump: return 0;
  }
  BPFC_UNREACHABLE("a block exit of no known kind");
}

bool is_lone_ret(const MBlock& b) { return b.present && b.body.empty() && b.exit.kind == MExit::Kind::Ret; }

constexpr MExit kRetZero{MExit::Kind::Ret, RET | K, 0, 0, 0};

// Whether a block with this exit returns 0 whatever happens, given that its
// successors (later blocks) have already been simplified.
bool returns_zero(const MExit& exit, const std::vector<MBlock>& blocks) {
  auto target_zero = [&](uint32_t b) { return blocks[b].body.empty() && blocks[b].exit == kRetZero; };
  switch (exit.kind) {
    case MExit::Kind::Ret: return exit == kRetZero;
    case MExit::Kind::Jump: return target_zero(exit.on_true);
    case MExit::Kind::Cond: return target_zero(exit.on_true) && target_zero(exit.on_false);
  }
  BPFC_UNREACHABLE("a block exit of no known kind");
}

// Everything that determines what a block does, given its targets.
std::vector<uint32_t> signature(const MBlock& b) {
  std::vector<uint32_t> sig;
  sig.reserve(2 * b.body.size() + 5);
  for (const Insn& i : b.body) {
    sig.push_back(uint32_t{i.code} | uint32_t{i.jt} << 16 | uint32_t{i.jf} << 24);
    sig.push_back(i.k);
  }
  sig.push_back(static_cast<uint32_t>(b.exit.kind));
  sig.push_back(b.exit.code);
  sig.push_back(b.exit.k);
  sig.push_back(b.exit.on_true);
  sig.push_back(b.exit.on_false);
  return sig;
}

}  // namespace

bool remove_dead_code(std::vector<MBlock>& blocks) {
  bool changed = false;
  std::vector<uint32_t> live_in(blocks.size(), 0);
  for (size_t b = blocks.size(); b-- > 0;) {
    MBlock& mb = blocks[b];
    if (!mb.present) continue;
    uint32_t live = exit_reads(mb.exit);
    if (mb.exit.kind != MExit::Kind::Ret) live |= live_in[mb.exit.on_true];
    if (mb.exit.kind == MExit::Kind::Cond) live |= live_in[mb.exit.on_false];
    std::vector<Insn> kept;
    kept.reserve(mb.body.size());
    for (size_t i = mb.body.size(); i-- > 0;) {
      const Insn& insn = mb.body[i];
      InsnEffect e = effect_of(insn);
      if (!e.may_end && (e.writes & live) == 0) {
        changed = true;
        continue;
      }
      live = (live & ~e.writes) | e.reads;
      kept.push_back(insn);
    }
    std::reverse(kept.begin(), kept.end());
    mb.body = std::move(kept);
    live_in[b] = live;
  }
  return changed;
}

bool simplify_control_flow(std::vector<MBlock>& blocks) {
  const uint32_t n = static_cast<uint32_t>(blocks.size());
  bool changed = false;
  std::vector<uint32_t> forward(n);
  for (uint32_t b = 0; b < n; ++b) forward[b] = b;
  std::map<std::vector<uint32_t>, uint32_t> first_seen;
  // Backwards, so every target (a later block) is already final.
  for (uint32_t b = n; b-- > 0;) {
    MBlock& mb = blocks[b];
    if (!mb.present) continue;
    MExit& exit = mb.exit;
    const MExit before = exit;
    if (exit.kind != MExit::Kind::Ret) exit.on_true = forward[exit.on_true];
    if (exit.kind == MExit::Kind::Cond) {
      exit.on_false = forward[exit.on_false];
      if (exit.on_true == exit.on_false) exit = MExit{MExit::Kind::Jump, 0, 0, exit.on_true, 0};
    }
    if (exit.kind == MExit::Kind::Jump && is_lone_ret(blocks[exit.on_true])) exit = blocks[exit.on_true].exit;
    // Every path from here returns 0, and so would any check that fails on
    // the way: the block may as well be `ret #0`.
    if (returns_zero(exit, blocks) && !(mb.body.empty() && exit == kRetZero)) {
      mb.body.clear();
      exit = kRetZero;
      changed = true;
    }
    changed = changed || !(exit == before);
    if (b == 0) break;  // the entry stays first, whatever it looks like
    if (mb.body.empty() && exit.kind == MExit::Kind::Jump) {
      forward[b] = exit.on_true;
      continue;
    }
    auto [it, inserted] = first_seen.try_emplace(signature(mb), b);
    if (!inserted) forward[b] = it->second;
  }
  // Drop what is no longer reached; edges go forward, so one pass does.
  std::vector<bool> reached(n, false);
  reached[0] = true;
  for (uint32_t b = 0; b < n; ++b) {
    MBlock& mb = blocks[b];
    if (!mb.present) continue;
    if (!reached[b]) {
      mb.present = false;
      changed = true;
      continue;
    }
    if (mb.exit.kind != MExit::Kind::Ret) reached[mb.exit.on_true] = true;
    if (mb.exit.kind == MExit::Kind::Cond) reached[mb.exit.on_false] = true;
  }
  return changed;
}

}  // namespace bpfc::cbpf::detail
