// 802.11: the frame-control tests (`type`, `subtype`, `dir`), MAC-48
// addresses in the fields the frame type and direction bits select
// (`wlan host`, `wlan addr1`..`addr4`, `ra`, `ta`), and link-layer multicast.
#pragma once

#include <array>
#include <cstdint>

#include "bpfc/frontend/ast.h"
#include "gencode/codegen.h"

namespace bpfc::lower {

// The frame-control field: byte 0 holds the type and subtype, byte 1 the
// flags, among them the distribution-system direction bits.
namespace wlan {
inline constexpr uint32_t kTypeMask = 0x0c, kTypeCtl = 0x04, kTypeData = 0x08;
inline constexpr uint32_t kSubtypeMask = 0xf0, kSubtypeCts = 0xc0, kSubtypeAck = 0xd0;
inline constexpr uint32_t kSubtypeQos = 0x80;  // in data frames
inline constexpr uint32_t kDirMask = 0x03, kDirToDs = 0x01, kDirFromDs = 0x02, kDirDsToDs = 0x03;
}  // namespace wlan

Fragment gen_wlan(Codegen& cg, const ast::Wlan& wlan);
Fragment gen_wlanhostop(Codegen& cg, const std::array<uint8_t, 6>& mac, ast::Dir dir);
// The group bit of the destination address (addr3 when to the DS, else
// addr1); control frames have none.
Fragment gen_wlan_multicast(Codegen& cg);

}  // namespace bpfc::lower
