// The reference interpreter: the ground truth of the IR contract (see ir.h).
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

}  // namespace bpfc::ir
