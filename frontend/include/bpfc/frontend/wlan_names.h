// 802.11 frame-control names as libpcap's grammar knows them: the type,
// subtype and direction words of `type T subtype S`, `subtype S` and `dir D`.
// Sema checks names with these; the lowering takes their values from them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace bpfc::sema {

// 802.11 frame-control names (case-insensitive). Types are the FC0 type bits
// (mgt 0x00, ctl 0x04, data 0x08); subtypes the FC0 subtype bits.
std::optional<uint32_t> wlan_type_by_name(std::string_view name);
// The subtype table of `type`, if libpcap has one for it.
bool wlan_type_has_subtypes(uint32_t type);
std::optional<uint32_t> wlan_subtype_by_name(uint32_t type, std::string_view name);
// `subtype NAME` alone: the first of the mgt, ctl, data tables that knows the
// name; the result is type | subtype.
std::optional<uint32_t> wlan_type_subtype_by_name(std::string_view name);
// nods 0, tods 1, fromds 2, dstods 3.
std::optional<uint32_t> wlan_dir_by_name(std::string_view name);

}  // namespace bpfc::sema
