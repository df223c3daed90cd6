// Link-type names and numbers as libpcap's pcap_datalink_name_to_val() /
// pcap_datalink_val_to_name() know them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace bpfc {

// Accepts a name (case-insensitive, with or without "DLT_") or a number.
std::optional<uint32_t> linktype_from_string(std::string_view text);
// The canonical name ("EN10MB"), or nullopt for an unknown value.
std::optional<std::string_view> linktype_name(uint32_t dlt);

}  // namespace bpfc
