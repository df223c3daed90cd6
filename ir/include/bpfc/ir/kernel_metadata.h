// Where Linux keeps each field of ir::MetaKind: a classic BPF socket filter
// reads it with an absolute load at SKF_AD_OFF + the field's offset
// (<linux/filter.h>), which the kernel answers from the packet's metadata,
// whatever the load's size. The sizes are those libpcap's code generator
// uses, so that bpfc's listings match libpcap's.
#pragma once

#include <cstdint>
#include <optional>

#include "bpfc/ir/ir.h"

namespace bpfc::ir {

inline constexpr uint32_t kSkfAdOff = 0xfffff000;  // SKF_AD_OFF, -0x1000

struct AncillaryField {
  uint32_t offset;  // from SKF_AD_OFF
  uint8_t size;     // 1, 2 or 4 bytes
};

constexpr AncillaryField ancillary_field(MetaKind kind) {
  switch (kind) {
    case MetaKind::Protocol: return {0, 2};         // SKF_AD_PROTOCOL
    case MetaKind::PacketType: return {4, 2};       // SKF_AD_PKTTYPE
    case MetaKind::Ifindex: return {8, 4};          // SKF_AD_IFINDEX
    case MetaKind::VlanTci: return {44, 2};         // SKF_AD_VLAN_TAG
    case MetaKind::VlanTagPresent: return {48, 1};  // SKF_AD_VLAN_TAG_PRESENT
  }
  return {0, 0};
}

// The field an absolute load at `address` reads, if it is one of them.
constexpr std::optional<MetaKind> meta_kind_at(uint32_t address) {
  if (address < kSkfAdOff) return std::nullopt;
  for (uint32_t k = 0; k < kMetaKindCount; ++k) {
    const auto kind = static_cast<MetaKind>(k);
    if (address - kSkfAdOff == ancillary_field(kind).offset) return kind;
  }
  return std::nullopt;
}

}  // namespace bpfc::ir
