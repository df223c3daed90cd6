// Symbolic execution in instruction order. Forward jumps only go forward,
// so by the time an instruction is reached every edge into it is known: its
// reachability is the disjunction of the edge conditions and each register
// is an if-then-else over the states the edges carry. At most one edge is
// taken on any packet, so the order of that if-then-else is free.
//
// Loops (backward `ja`, as in libpcap's protochain code) are unrolled: the
// program is executed in rounds, round r holding the runs that have taken r
// backward jumps, and a backward jump leads into the next round. run_cbpf
// ends a run with 0 when it would take more backward jumps than its bound
// ((number of backward `ja`) * (2 * caplen + 2)), so unrolling as many
// rounds as the bound allows on the longest packet encodes every run
// exactly; a jump past the bound for the packet's own caplen is no edge.
//
// Every way of ending with 0 (a load out of bounds, division by X == 0, an
// opcode run_cbpf refuses, `ret #0`, an endless loop) is left out of the
// result: the return value is an if-then-else over the other return points,
// with 0 where none of them is reached.
#include "program_encoding.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "z3_assign.h"

namespace bpfc::runtime::equiv {
namespace {

using namespace cbpf;  // opcode constants

// How often loop rounds start from fresh constants (see cut_round_entries).
constexpr uint64_t kRoundsPerCut = 16;

struct MachineState {
  z3::expr a;
  z3::expr x;
  std::vector<z3::expr> m;  // M[0..15]
};

struct Edge {
  z3::expr condition;
  MachineState state;
};

struct ReturnPoint {
  z3::expr condition;
  z3::expr value;
};

z3::expr conjunction(const z3::expr& p, const z3::expr& q) {
  if (p.is_false() || q.is_true()) return p;
  if (q.is_false() || p.is_true()) return q;
  return p && q;
}

z3::expr negation(const z3::expr& p) {
  if (p.is_true()) return p.ctx().bool_val(false);
  if (p.is_false()) return p.ctx().bool_val(true);
  return !p;
}

// Constant folding where every operand is known, so that programs that load
// constants (`ld #k`, `ldx #k`) do not burden the solver; Z3's rewriter
// applies its own semantics, which are the bit-vector ones the encoding uses.
z3::expr folded(const z3::expr& e, const z3::expr& p, const z3::expr& q) {
  return p.is_numeral() && q.is_numeral() ? e.simplify() : e;
}

class Encoder {
 public:
  Encoder(const Program& program, const SymbolicPacket& packet)
      : program_(program), packet_(packet), ctx_(packet.ctx()), incoming_(program.size()),
        next_round_(program.size()), definitions_(packet.ctx()) {}

  // `max_caplen` is the longest packet considered; at most `round_limit`
  // rounds after the first.
  EncodedProgram run(uint32_t max_caplen, uint64_t round_limit) {
    for (const Insn& insn : program_) {
      if (insn.code == (JMP | JA) && static_cast<int32_t>(insn.k) < 0) ++backward_jas_;
    }
    const z3::expr wide_caplen = z3::zext(packet_.caplen(), 32);
    backward_jump_budget_ = ctx_.bv_val(backward_jas_, 64) * (wide_caplen * ctx_.bv_val(2, 64) + ctx_.bv_val(2, 64));
    const uint64_t rounds = std::min(loop_rounds(program_, max_caplen), round_limit);
    MachineState zero{bv(0), bv(0), std::vector<z3::expr>(kMemWords, bv(0))};
    incoming_[0].push_back({ctx_.bool_val(true), std::move(zero)});
    for (uint64_t round = 0; round <= rounds; ++round) {
      round_ = round;
      bool any = false;
      for (uint32_t index = 0; index < program_.size(); ++index) {
        std::vector<Edge> edges = std::move(incoming_[index]);
        incoming_[index].clear();
        if (edges.empty()) continue;  // unreachable
        any = true;
        z3::expr reach = reachability(edges);
        MachineState state = merged_state(edges);
        edges.clear();
        execute(index, reach, std::move(state));
      }
      if (!any) break;
      std::swap(incoming_, next_round_);
      if ((round + 1) % kRoundsPerCut == 0) cut_round_entries();
    }
    z3::expr value = bv(0);
    for (const ReturnPoint& point : returns_) assign(value, z3::ite(point.condition, point.value, value));
    // Runs still going (jumps into a round past the limit).
    z3::expr_vector going(ctx_);
    for (const std::vector<Edge>& edges : incoming_) {
      for (const Edge& edge : edges) going.push_back(edge.condition);
    }
    return {value, going.empty() ? ctx_.bool_val(false) : z3::mk_or(going), std::move(definitions_)};
  }

 private:
  z3::expr bv(uint64_t value) const { return ctx_.bv_val(value, 32); }

  static z3::expr reachability(const std::vector<Edge>& edges) {
    if (edges.size() == 1) return edges.front().condition;
    z3::expr_vector conditions(edges.front().condition.ctx());
    for (const Edge& edge : edges) {
      if (edge.condition.is_true()) return edge.condition;
      conditions.push_back(edge.condition);
    }
    return z3::mk_or(conditions);
  }

  template <typename Field>
  static z3::expr merged(const std::vector<Edge>& edges, Field field) {
    z3::expr value = field(edges.back().state);
    for (size_t i = edges.size() - 1; i-- > 0;) {
      const z3::expr& incoming = field(edges[i].state);
      if (!z3::eq(incoming, value)) assign(value, z3::ite(edges[i].condition, incoming, value));
    }
    return value;
  }

  static MachineState merged_state(const std::vector<Edge>& edges) {
    if (edges.size() == 1) return edges.front().state;
    MachineState state{merged(edges, [](const MachineState& s) -> const z3::expr& { return s.a; }),
                       merged(edges, [](const MachineState& s) -> const z3::expr& { return s.x; }),
                       {}};
    state.m.reserve(kMemWords);
    for (uint32_t slot = 0; slot < kMemWords; ++slot) {
      state.m.push_back(merged(edges, [slot](const MachineState& s) -> const z3::expr& { return s.m[slot]; }));
    }
    return state;
  }

  void go_to(uint64_t target, const z3::expr& condition, MachineState state) {
    if (condition.is_false()) return;
    if (target >= program_.size()) return;  // off the end: run_cbpf returns 0
    incoming_[target].push_back({condition, std::move(state)});
  }

  // Every kRoundsPerCut rounds, the next round starts from fresh constants
  // defined equal to the state the backward jumps carry, so that no term
  // nests more than that many rounds deep: Z3 4.8 takes time quadratic in
  // the depth to free nested terms, which made a 128-byte check of a loop
  // spend most of a minute on cleanup. (Cutting every round costs the
  // solver more than it saves.)
  // A constant is named after the term it stands for (its id in Z3), so
  // two programs that compute the same term share it, as they share the term.
  void cut_round_entries() {
    for (uint32_t index = 0; index < program_.size(); ++index) {
      std::vector<Edge>& edges = incoming_[index];
      if (edges.empty()) continue;
      auto cut = [&](const z3::expr& value) {
        if (value.is_numeral() || value.is_const()) return value;
        const std::string name = "cut" + std::to_string(Z3_get_ast_id(ctx_, value));
        z3::expr constant = ctx_.constant(name.c_str(), value.get_sort());
        definitions_.push_back(constant == value);
        return constant;
      };
      MachineState state = merged_state(edges);
      MachineState entry{cut(state.a), cut(state.x), {}};
      entry.m.reserve(kMemWords);
      for (const z3::expr& slot : state.m) entry.m.push_back(cut(slot));
      const z3::expr reached = cut(reachability(edges));
      edges.clear();
      edges.push_back({reached, std::move(entry)});
    }
  }

  // A backward jump: into the next round, within run_cbpf's bound.
  void go_back_to(uint32_t target, const z3::expr& condition, MachineState state) {
    if (condition.is_false()) return;
    const uint64_t jumps = round_ + 1;  // this one included
    z3::expr allowed = condition;
    // The bound is at least 2 * (number of backward jumps), whatever caplen is.
    if (jumps > 2 * backward_jas_) {
      allowed = conjunction(condition, z3::ule(ctx_.bv_val(jumps, 64), *backward_jump_budget_));
    }
    next_round_[target].push_back({allowed, std::move(state)});
  }

  void return_value(const z3::expr& condition, const z3::expr& value) {
    if (condition.is_false()) return;
    uint64_t known = 0;
    if (value.is_numeral_u64(known) && known == 0) return;  // the default
    returns_.push_back({condition, value});
  }

  void branch(uint32_t index, const Insn& insn, const z3::expr& reach, const z3::expr& taken,
              const MachineState& state) {
    const uint64_t next = uint64_t{index} + 1;
    if (insn.jt == insn.jf) {
      go_to(next + insn.jt, reach, state);
      return;
    }
    go_to(next + insn.jt, conjunction(reach, taken), state);
    go_to(next + insn.jf, conjunction(reach, negation(taken)), state);
  }

  // A packet load into A: the program ends with 0 where it is out of bounds.
  // (The state is copied: the load may have been computed from it.)
  void load_a(uint32_t index, const z3::expr& reach, const SymbolicLoad& load, const MachineState& before) {
    MachineState after = before;
    after.a = load.value;
    go_to(uint64_t{index} + 1, conjunction(reach, load.in_bounds), std::move(after));
  }

  // div/mod by X: the program ends with 0 where X == 0.
  void divide_by_x(uint32_t index, const z3::expr& reach, MachineState state, bool modulus) {
    const z3::expr nonzero = folded(state.x != bv(0), state.x, state.x);
    const z3::expr& a = state.a;
    const z3::expr& x = state.x;
    z3::expr result = folded(modulus ? z3::urem(a, x) : z3::udiv(a, x), a, x);
    assign(state.a, result);
    go_to(uint64_t{index} + 1, conjunction(reach, nonzero), std::move(state));
  }

  void execute(uint32_t index, const z3::expr& reach, MachineState state) {
    const Insn& insn = program_[index];
    const uint32_t k = insn.k;
    const uint64_t next = uint64_t{index} + 1;
    const z3::expr kv = bv(k);
    z3::expr& a = state.a;
    z3::expr& x = state.x;
    switch (insn.code) {
      case RET | K:
        return return_value(reach, kv);
      case RET | RET_A:
        return return_value(reach, a);

      case LD | W | ABS:
        return load_a(index, reach, packet_.load_absolute(k, 4), state);
      case LD | H | ABS:
        return load_a(index, reach, packet_.load_absolute(k, 2), state);
      case LD | B | ABS:
        return load_a(index, reach, packet_.load_absolute(k, 1), state);
      case LD | W | IND:
        return load_a(index, reach, packet_.load_indirect(x, k, 4), state);
      case LD | H | IND:
        return load_a(index, reach, packet_.load_indirect(x, k, 2), state);
      case LD | B | IND:
        return load_a(index, reach, packet_.load_indirect(x, k, 1), state);
      case LDX | B | MSH: {
        SymbolicLoad load = packet_.load_absolute(k, 1);
        assign(x, z3::shl(load.value & bv(0xf), bv(2)));
        return go_to(next, conjunction(reach, load.in_bounds), std::move(state));
      }
      case LD | W | LEN:
        a = packet_.wirelen();
        break;
      case LDX | W | LEN:
        x = packet_.wirelen();
        break;
      case LD | IMM:
        a = kv;
        break;
      case LDX | IMM:
        x = kv;
        break;
      case LD | MEM:
        if (k >= kMemWords) return;
        a = state.m[k];
        break;
      case LDX | MEM:
        if (k >= kMemWords) return;
        x = state.m[k];
        break;
      case ST:
        if (k >= kMemWords) return;
        state.m[k] = a;
        break;
      case STX:
        if (k >= kMemWords) return;
        state.m[k] = x;
        break;

      case JMP | JA:
        // libpcap sign-extends k; validation put every target inside the program.
        if (static_cast<int32_t>(k) < 0) {
          return go_back_to(static_cast<uint32_t>(static_cast<int64_t>(next) + static_cast<int32_t>(k)), reach,
                            std::move(state));
        }
        return go_to(next + k, reach, std::move(state));
      case JMP | JGT | K:
        return branch(index, insn, reach, folded(z3::ugt(a, kv), a, kv), state);
      case JMP | JGE | K:
        return branch(index, insn, reach, folded(z3::uge(a, kv), a, kv), state);
      case JMP | JEQ | K:
        return branch(index, insn, reach, folded(a == kv, a, kv), state);
      case JMP | JSET | K:
        return branch(index, insn, reach, folded((a & kv) != bv(0), a, kv), state);
      case JMP | JGT | X:
        return branch(index, insn, reach, folded(z3::ugt(a, x), a, x), state);
      case JMP | JGE | X:
        return branch(index, insn, reach, folded(z3::uge(a, x), a, x), state);
      case JMP | JEQ | X:
        return branch(index, insn, reach, folded(a == x, a, x), state);
      case JMP | JSET | X:
        return branch(index, insn, reach, folded((a & x) != bv(0), a, x), state);

      case ALU | ADD | X:
        assign(a, folded(a + x, a, x));
        break;
      case ALU | SUB | X:
        assign(a, folded(a - x, a, x));
        break;
      case ALU | MUL | X:
        assign(a, folded(a * x, a, x));
        break;
      case ALU | DIV | X:
        return divide_by_x(index, reach, std::move(state), false);
      case ALU | MOD | X:
        return divide_by_x(index, reach, std::move(state), true);
      case ALU | AND | X:
        assign(a, folded(a & x, a, x));
        break;
      case ALU | OR | X:
        assign(a, folded(a | x, a, x));
        break;
      case ALU | XOR | X:
        assign(a, folded(a ^ x, a, x));
        break;
      case ALU | LSH | X:
        // SMT-LIB's shifts give 0 for counts >= 32, as run_cbpf does.
        assign(a, folded(z3::shl(a, x), a, x));
        break;
      case ALU | RSH | X:
        assign(a, folded(z3::lshr(a, x), a, x));
        break;
      case ALU | ADD | K:
        assign(a, folded(a + kv, a, kv));
        break;
      case ALU | SUB | K:
        assign(a, folded(a - kv, a, kv));
        break;
      case ALU | MUL | K:
        assign(a, folded(a * kv, a, kv));
        break;
      case ALU | DIV | K:
        if (k == 0) return;
        assign(a, folded(z3::udiv(a, kv), a, kv));
        break;
      case ALU | MOD | K:
        if (k == 0) return;
        assign(a, folded(z3::urem(a, kv), a, kv));
        break;
      case ALU | AND | K:
        assign(a, folded(a & kv, a, kv));
        break;
      case ALU | OR | K:
        assign(a, folded(a | kv, a, kv));
        break;
      case ALU | XOR | K:
        assign(a, folded(a ^ kv, a, kv));
        break;
      case ALU | LSH | K:
        assign(a, folded(z3::shl(a, kv), a, kv));
        break;
      case ALU | RSH | K:
        assign(a, folded(z3::lshr(a, kv), a, kv));
        break;
      case ALU | NEG:
        assign(a, folded(-a, a, a));
        break;

      case MISC | TAX:
        x = a;
        break;
      case MISC | TXA:
        a = x;
        break;

      default:
        return;  // an opcode run_cbpf refuses: it returns 0
    }
    go_to(next, reach, std::move(state));
  }

  const Program& program_;
  const SymbolicPacket& packet_;
  z3::context& ctx_;
  std::vector<std::vector<Edge>> incoming_;    // this round's edges into each instruction
  std::vector<std::vector<Edge>> next_round_;  // backward jumps taken in this round, by target
  std::vector<ReturnPoint> returns_;
  z3::expr_vector definitions_;                  // what the fresh constants equal
  uint64_t round_ = 0;                           // backward jumps taken before this round
  uint64_t backward_jas_ = 0;                    // backward `ja` instructions in the program
  std::optional<z3::expr> backward_jump_budget_;  // BV64, run_cbpf's bound
};

}  // namespace

uint64_t loop_rounds(const cbpf::Program& program, uint32_t max_caplen) {
  uint64_t backward_jas = 0;
  for (const Insn& insn : program) {
    if (insn.code == (JMP | JA) && static_cast<int32_t>(insn.k) < 0) ++backward_jas;
  }
  return backward_jas * (2 * uint64_t{max_caplen} + 2);
}

EncodedProgram encode_program(const cbpf::Program& program, const SymbolicPacket& packet, uint64_t round_limit) {
  if (program.empty()) return {packet.ctx().bv_val(0, 32), packet.ctx().bool_val(false), z3::expr_vector(packet.ctx())};
  return Encoder(program, packet).run(packet.max_length(), round_limit);
}

}  // namespace bpfc::runtime::equiv
