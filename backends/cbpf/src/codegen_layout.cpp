// Relaxation: start with no trampolines, compute positions, give every
// conditional jump that is out of reach a trampoline, repeat. Trampolines
// only ever get added and each one only lengthens jumps, so the positions
// grow monotonically and the loop stops after at most one round per newly
// long jump "wave" — in practice two or three rounds, each one linear.
#include "codegen_layout.h"

#include <optional>
#include <set>
#include <string>

namespace bpfc::cbpf::detail {
namespace {

constexpr uint32_t kMaxOffset = 255;

struct Placement {
  uint32_t start = 0;     // first instruction of the block
  uint32_t exit_at = 0;   // the exit instruction (Cond: the conditional jump)
  bool far_true = false;  // the true target goes through a trampoline
  bool far_false = false;
};

bool is_lone_ret(const MBlock& b) { return b.body.empty() && b.exit.kind == MExit::Kind::Ret; }

// Whether the block reads a scratch slot it has not written itself.
bool reads_incoming_scratch(const MBlock& b) {
  uint32_t written = 0;
  for (const Insn& insn : b.body) {
    InsnEffect e = effect_of(insn);
    if (e.reads & ~written & 0xffff) return true;
    written |= e.writes;
  }
  return false;
}

// Blocks in a topological order that lets a block ending in `jump T` fall
// through into T where it can: among the blocks whose predecessors are all
// placed, T comes right after its jumping block when ready, a block that
// jumps to a target still waiting for other predecessors is held back, and
// otherwise the lowest index goes first (so without such jumps the order is
// the index order, which is topological). Conditional jumps name both
// targets, so their order costs nothing.
//
// Blocks ending in `ret` go last: they have no successors, so edges still
// go forward. Linux's check that scratch slots are written before being
// read walks the code linearly and lets a `ret` "fall through" with its own
// slot state into the next instruction; with the returns at the end (as
// libpcap lays them out) no other block follows a `ret`. A return that
// reads slots itself is only safe right after a jump, so those go first
// among the returns (with two or more of them, the second may still upset
// Linux; returns in real filters are constants).
std::vector<uint32_t> block_order(const std::vector<MBlock>& blocks) {
  const uint32_t n = static_cast<uint32_t>(blocks.size());
  auto in_body = [&](uint32_t b) {
    return blocks[b].present && (b == 0 || blocks[b].exit.kind != MExit::Kind::Ret);
  };
  auto successors = [&](uint32_t b, auto&& visit) {
    const MExit& e = blocks[b].exit;
    if (e.kind == MExit::Kind::Jump) visit(e.on_true);
    if (e.kind == MExit::Kind::Cond) {
      visit(e.on_true);
      if (e.on_false != e.on_true) visit(e.on_false);
    }
  };
  std::vector<uint32_t> waiting(n, 0);  // predecessors not placed yet
  for (uint32_t b = 0; b < n; ++b) {
    if (in_body(b)) successors(b, [&](uint32_t s) { ++waiting[s]; });
  }
  // Ready blocks by index, in two tiers: 0 = free to place, 1 = a jump whose
  // target still waits for another predecessor.
  auto holds_back = [&](uint32_t b) {
    const MExit& e = blocks[b].exit;
    return e.kind == MExit::Kind::Jump && in_body(e.on_true) && waiting[e.on_true] > 1;
  };
  std::set<std::pair<bool, uint32_t>> ready;
  std::vector<std::vector<uint32_t>> held_for(n);  // held-back jumps by target
  auto make_ready = [&](uint32_t b) {
    const bool held = holds_back(b);
    ready.insert({held, b});
    if (held) held_for[blocks[b].exit.on_true].push_back(b);
  };
  std::vector<uint32_t> order;
  if (n > 0 && blocks[0].present) make_ready(0);
  uint32_t preferred = UINT32_MAX;
  while (!ready.empty()) {
    auto it = ready.end();
    if (preferred != UINT32_MAX) it = ready.find({holds_back(preferred), preferred});
    if (it == ready.end()) it = ready.begin();
    const uint32_t b = it->second;
    ready.erase(it);
    order.push_back(b);
    preferred = blocks[b].exit.kind == MExit::Kind::Jump ? blocks[b].exit.on_true : UINT32_MAX;
    successors(b, [&](uint32_t s) {
      if (!in_body(s)) return;
      if (--waiting[s] == 0) make_ready(s);
      // Once s waits for one predecessor only, a jump held back for it is
      // free: it is that predecessor.
      if (waiting[s] == 1) {
        for (uint32_t j : held_for[s]) {
          if (ready.erase({true, j}) != 0) ready.insert({false, j});
        }
        held_for[s].clear();
      }
    });
  }
  std::vector<uint32_t> reading_returns, other_returns;
  for (uint32_t b = 1; b < n; ++b) {
    if (!blocks[b].present || in_body(b)) continue;
    (reads_incoming_scratch(blocks[b]) ? reading_returns : other_returns).push_back(b);
  }
  order.insert(order.end(), reading_returns.begin(), reading_returns.end());
  order.insert(order.end(), other_returns.begin(), other_returns.end());
  return order;
}

class Layout {
 public:
  explicit Layout(const std::vector<MBlock>& blocks) : blocks_(blocks), place_(blocks.size()) {
    order_ = block_order(blocks);
    next_.assign(blocks.size(), UINT32_MAX);
    for (size_t i = 0; i + 1 < order_.size(); ++i) next_[order_[i]] = order_[i + 1];
  }

  Result<Program> run() {
    do {
      place();
    } while (add_trampolines());
    // No length limit here: libpcap compiles programs of any length (user
    // space runs them); the kernel's 4096-instruction limit is checked by
    // the kernel validator, where it applies.
    Program program = emit();
    if (auto problem = check(program)) return error("internal error: cbpf code generator: " + *problem);
    return program;
  }

 private:
  bool jump_falls_through(uint32_t b) const { return blocks_[b].exit.on_true == next_[b]; }

  void place() {
    uint32_t pos = 0;
    for (uint32_t b : order_) {
      const MBlock& mb = blocks_[b];
      Placement& p = place_[b];
      p.start = pos;
      pos += static_cast<uint32_t>(mb.body.size());
      p.exit_at = pos;
      switch (mb.exit.kind) {
        case MExit::Kind::Ret: pos += 1; break;
        case MExit::Kind::Jump: pos += jump_falls_through(b) ? 0 : 1; break;
        case MExit::Kind::Cond: pos += 1 + p.far_true + p.far_false; break;
      }
    }
  }

  // Marks conditional jumps that cannot reach their targets; true if any.
  bool add_trampolines() {
    bool added = false;
    for (uint32_t b : order_) {
      const MExit& exit = blocks_[b].exit;
      if (exit.kind != MExit::Kind::Cond) continue;
      Placement& p = place_[b];
      const uint32_t from = p.exit_at + 1;
      if (!p.far_true && place_[exit.on_true].start - from > kMaxOffset) p.far_true = added = true;
      if (!p.far_false && place_[exit.on_false].start - from > kMaxOffset) p.far_false = added = true;
    }
    return added;
  }

  // A way to get to block `target` from a trampoline: the block's own
  // `ret` when it is nothing else, a `ja` otherwise.
  Insn trampoline(uint32_t at, uint32_t target) const {
    const MBlock& t = blocks_[target];
    if (is_lone_ret(t)) return stmt(t.exit.code, t.exit.k);
    return jump(JMP | JA, place_[target].start - (at + 1), 0, 0);
  }

  Program emit() const {
    Program out;
    for (uint32_t b : order_) {
      const MBlock& mb = blocks_[b];
      const Placement& p = place_[b];
      out.insert(out.end(), mb.body.begin(), mb.body.end());
      const MExit& exit = mb.exit;
      switch (exit.kind) {
        case MExit::Kind::Ret:
          out.push_back(stmt(exit.code, exit.k));
          break;
        case MExit::Kind::Jump:
          if (!jump_falls_through(b)) out.push_back(jump(JMP | JA, place_[exit.on_true].start - (p.exit_at + 1), 0, 0));
          break;
        case MExit::Kind::Cond: {
          const uint32_t from = p.exit_at + 1;
          uint32_t true_at = p.far_true ? from : place_[exit.on_true].start;
          uint32_t false_at = p.far_false ? from + p.far_true : place_[exit.on_false].start;
          out.push_back(jump(exit.code, exit.k, static_cast<uint8_t>(true_at - from), static_cast<uint8_t>(false_at - from)));
          if (p.far_true) out.push_back(trampoline(from, exit.on_true));
          if (p.far_false) out.push_back(trampoline(from + p.far_true, exit.on_false));
          break;
        }
      }
    }
    return out;
  }

  // What bpf_validate() checks, plus: jumps land inside the program (a `ja`
  // goes backward only inside a protochain loop, k sign-extended), and a
  // trailing ret.
  static std::optional<std::string> check(const Program& program) {
    const uint32_t n = static_cast<uint32_t>(program.size());
    if (n == 0) return "empty program";
    for (uint32_t i = 0; i < n; ++i) {
      const Insn& insn = program[i];
      const uint16_t cls = insn_class(insn.code);
      const std::string at = "instruction " + std::to_string(i);
      if ((cls == ST || cls == STX || ((cls == LD || cls == LDX) && insn_mode(insn.code) == MEM)) && insn.k >= kMemWords) {
        return at + " uses scratch slot " + std::to_string(insn.k);
      }
      if (cls == ALU && (insn_op(insn.code) == DIV || insn_op(insn.code) == MOD) && insn_src(insn.code) == K && insn.k == 0) {
        return at + " divides by constant 0";
      }
      if (cls == JMP) {
        const int64_t from = int64_t{i} + 1;
        const int64_t ja_target = from + static_cast<int32_t>(insn.k);
        bool out_of_range = insn_op(insn.code) == JA ? ja_target < 0 || ja_target >= n
                                                     : from + insn.jt >= n || from + insn.jf >= n;
        if (out_of_range) return at + " jumps past the end";
      }
    }
    if (insn_class(program.back().code) != RET) return "the program does not end with ret";
    return std::nullopt;
  }

  const std::vector<MBlock>& blocks_;
  std::vector<Placement> place_;
  std::vector<uint32_t> order_;
  std::vector<uint32_t> next_;
};

}  // namespace

Result<Program> lay_out(const std::vector<MBlock>& blocks) { return Layout(blocks).run(); }

}  // namespace bpfc::cbpf::detail
