// Assignment of scratch memory slots M[0..15] to the values the plan keeps
// in slots, so that values live at the same time never share a slot.
#pragma once

#include <cstdint>
#include <vector>

#include "bpfc/ir/ir.h"
#include "bpfc/support/diagnostic.h"
#include "codegen_plan.h"

namespace bpfc::cbpf::detail {

inline constexpr uint8_t kNoSlot = 0xff;

// Slot of each value (kNoSlot for values not kept in a slot). Fails with
// libpcap's message when more than 16 values would be live at once.
Result<std::vector<uint8_t>> assign_slots(const ir::Function& f, const Plan& plan);

// The slots of the values in `values` (a bit per slot).
uint16_t slot_mask(const ValueSet& values, const std::vector<uint8_t>& slots);

}  // namespace bpfc::cbpf::detail
