// The reference interpreter: the ground truth of the IR contract
// (ir/README.md).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "bpfc/ir/ir.h"

namespace bpfc::ir {

// The kernel metadata that came with a packet (a live Linux socket's); an
// empty field is absent, and a Meta value reading it ends the filter with 0.
struct PacketMetadata {
  std::array<std::optional<uint32_t>, kMetaKindCount> fields{};

  std::optional<uint32_t>& operator[](MetaKind kind) { return fields[static_cast<size_t>(kind)]; }
  const std::optional<uint32_t>& operator[](MetaKind kind) const { return fields[static_cast<size_t>(kind)]; }
};

// Runs a verified function on a packet of which packet.size() bytes were
// captured and `wirelen` were on the wire, with `metadata` (none by
// default, as for a savefile); returns the filter's value.
uint32_t interpret(const Function& f, std::span<const uint8_t> packet, uint32_t wirelen,
                   const PacketMetadata& metadata = {});

// A run as on a target whose loads do not trap (eBPF, native code): a load
// past the captured bytes does not end the filter but is a fault of the
// program, which such a target would turn into a read of memory it must not
// touch. The run stops at the first fault and names the load. Everything
// else (division by zero, protochain's own reads) follows the contract.
struct NonTrappingRun {
  uint32_t verdict = 0;           // meaningful only without a fault
  ValueId faulting_load = kNoValue;  // the load that read out of bounds
  bool faulted() const { return faulting_load != kNoValue; }
};
NonTrappingRun interpret_without_load_traps(const Function& f, std::span<const uint8_t> packet, uint32_t wirelen);

}  // namespace bpfc::ir
