// ir::verify_checked_loads: proves, independently of the pass that placed
// them, that the guards cover every load marked `checked`. Facts flow
// forward over the acyclic CFG: a guard's branch establishes a bound on the
// edge that goes on (the other edge returns 0), a merge keeps what holds on
// every incoming edge.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bpfc/ir/verifier.h"

namespace bpfc::ir {
namespace {

// Established bounds: for kNoValue, caplen >= bound; for an index value I,
// I + bound <= caplen (without wrapping).
using Bounds = std::map<ValueId, uint64_t>;

Bounds meet(const Bounds& x, const Bounds& y) {
  Bounds out;
  for (const auto& [index, bound] : x) {
    auto it = y.find(index);
    if (it != y.end()) out[index] = std::min(bound, it->second);
  }
  return out;
}

class CheckedLoads {
 public:
  explicit CheckedLoads(const Function& f) : f_(f), incoming_(f.blocks.size()) {}

  std::optional<std::string> run() {
    for (BlockId b = 0; b < f_.blocks.size(); ++b) {
      Bounds known = incoming_[b].value_or(Bounds{});
      for (ValueId v : f_.blocks[b].insts) {
        const Inst& load = f_.values[v];
        if (load.op != Op::Load || !load.checked) continue;
        const uint64_t end = uint64_t{load.imm} + load.size;
        auto it = known.find(load.a);
        if (it == known.end() || it->second < end) {
          // Built by appending: GCC 12 warns wrongly (-Wrestrict, GCC bug
          // 105329) about "literal" + std::to_string(...).
          std::string message(1, 'v');
          message += std::to_string(v);
          message += " is marked checked, but no guard proves ";
          if (load.a == kNoValue) {
            message += "caplen >= ";
          } else {
            message += 'v';
            message += std::to_string(load.a);
            message += " + ";
          }
          message += std::to_string(end);
          if (load.a != kNoValue) message += " <= caplen";
          message += " on every path to it";
          return message;
        }
      }
      leave(b, known);
    }
    return std::nullopt;
  }

 private:
  void arrive(BlockId to, const Bounds& bounds) {
    incoming_[to] = incoming_[to] ? meet(*incoming_[to], bounds) : bounds;
  }

  void leave(BlockId b, const Bounds& known) {
    const Terminator& t = f_.blocks[b].term;
    if (t.kind == TermKind::Jump) return arrive(t.on_true, known);
    if (t.kind != TermKind::Branch) return;
    Bounds going_on = known;
    if (t.cond == Cond::Gt && returns_zero(t.on_true)) learn(t, going_on);
    arrive(t.on_true, known);
    arrive(t.on_false, going_on);
  }

  // `br gt K, caplen, fail, next`: caplen >= K on to next.
  // `br gt I, R, fail, next` with R = sub caplen, K where caplen >= K is
  // known (so R did not wrap): I + K <= caplen on to next.
  void learn(const Terminator& t, Bounds& bounds) const {
    if (is(t.rhs, Op::Caplen)) {
      if (auto k = constant(t.lhs)) raise(bounds, kNoValue, *k);
      return;
    }
    const Inst& room = f_.values[t.rhs];
    if (room.op != Op::Sub || !is(room.a, Op::Caplen)) return;
    auto k = constant(room.b);
    if (!k) return;
    auto caplen_bound = bounds.find(kNoValue);
    if (caplen_bound == bounds.end() || caplen_bound->second < *k) return;
    raise(bounds, t.lhs, *k);
  }

  static void raise(Bounds& bounds, ValueId index, uint64_t bound) {
    uint64_t& b = bounds[index];
    b = std::max(b, bound);
  }

  bool is(ValueId v, Op op) const { return f_.values[v].op == op; }

  std::optional<uint32_t> constant(ValueId v) const {
    if (!is(v, Op::Const)) return std::nullopt;
    return f_.values[v].imm;
  }

  bool returns_zero(BlockId b) const {
    const Terminator& t = f_.blocks[b].term;
    return t.kind == TermKind::Ret && constant(t.lhs) == 0u;
  }

  const Function& f_;
  std::vector<std::optional<Bounds>> incoming_;
};

}  // namespace

std::optional<std::string> verify_checked_loads(const Function& f) { return CheckedLoads(f).run(); }

}  // namespace bpfc::ir
