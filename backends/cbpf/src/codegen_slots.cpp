// Greedy colouring in definition order. SSA interference graphs are chordal
// and definition order along the dominator tree (here: block order, then
// instruction order) is a perfect elimination order, so the greedy colouring
// uses as many slots as the largest set of simultaneously live values.
//
// A phi is written by its predecessors just before their terminators, so
// it must not share a slot with anything live at that point in any
// predecessor (including other phis written there and the incoming values
// still to be copied), which keeps the copies order-independent.
#include "codegen_slots.h"

#include <bit>

#include "bpfc/cbpf/insn.h"

namespace bpfc::cbpf::detail {
namespace {

class SlotAssigner {
 public:
  SlotAssigner(const ir::Function& f, const Plan& plan) : f_(f), plan_(plan), slot_(f.values.size(), kNoSlot) {}

  Result<std::vector<uint8_t>> run() {
    for (ir::BlockId b = 0; b < f_.blocks.size(); ++b) {
      const BlockPlan& bp = plan_.blocks[b];
      if (!bp.reachable || bp.traps) continue;
      for (ir::ValueId phi : bp.slot_phis) {
        uint16_t taken = 0;
        for (ir::BlockId p : bp.preds) taken |= colours_except(plan_.liveness[p].during_phi_phase, phi);
        if (!pick(phi, taken)) return too_many();
      }
      const BlockLiveness& lv = plan_.liveness[b];
      for (size_t i = 0; i < bp.roots.size(); ++i) {
        ir::ValueId r = bp.roots[i];
        if (plan_.role[r] != Role::Slot) continue;
        if (!pick(r, colours_except(lv.after_root[i], r))) return too_many();
      }
    }
    return std::move(slot_);
  }

 private:
  uint16_t colours_except(const ValueSet& values, ir::ValueId self) const {
    uint16_t mask = 0;
    for (ir::ValueId v : values.items()) {
      if (v != self && slot_[v] != kNoSlot) mask |= static_cast<uint16_t>(1u << slot_[v]);
    }
    return mask;
  }

  bool pick(ir::ValueId v, uint16_t taken) {
    if (taken == 0xffff) return false;
    slot_[v] = static_cast<uint8_t>(std::countr_one(taken));
    return true;
  }

  static Diagnostic too_many() { return error("too many registers needed to evaluate expression"); }

  const ir::Function& f_;
  const Plan& plan_;
  std::vector<uint8_t> slot_;
};

}  // namespace

Result<std::vector<uint8_t>> assign_slots(const ir::Function& f, const Plan& plan) {
  static_assert(kMemWords == 16, "slot masks are 16 bits wide");
  return SlotAssigner(f, plan).run();
}

uint16_t slot_mask(const ValueSet& values, const std::vector<uint8_t>& slots) {
  uint16_t mask = 0;
  for (ir::ValueId v : values.items()) {
    if (slots[v] != kNoSlot) mask |= static_cast<uint16_t>(1u << slots[v]);
  }
  return mask;
}

}  // namespace bpfc::cbpf::detail
