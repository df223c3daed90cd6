// The reference interpreter: the ground truth of the IR contract (see ir.h).
#pragma once

#include <cstdint>
#include <span>

#include "bpfc/ir/ir.h"

namespace bpfc::ir {

// Runs a verified function on a packet of which packet.size() bytes were
// captured and `wirelen` were on the wire; returns the filter's value.
uint32_t interpret(const Function& f, std::span<const uint8_t> packet, uint32_t wirelen);

}  // namespace bpfc::ir
