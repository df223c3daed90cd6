// pflog reason and action names as libpcap's grammar knows them (`reason R`,
// `action A`). Sema checks names with these; the lowering takes their values
// from them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace bpfc::sema {

// Case-insensitive, with the values of the pf headers libpcap is built with.
std::optional<uint32_t> pf_reason_by_name(std::string_view name);
std::optional<uint32_t> pf_action_by_name(std::string_view name);

}  // namespace bpfc::sema
