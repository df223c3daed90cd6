// Link-type names and numbers as libpcap's pcap_datalink_name_to_val() /
// pcap_datalink_val_to_name() know them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bpfc {

// Accepts a name (case-insensitive, with or without "DLT_") or a number.
std::optional<uint32_t> linktype_from_string(std::string_view text);
// The canonical name ("EN10MB"), or nullopt for an unknown value.
std::optional<std::string_view> linktype_name(uint32_t dlt);
// libpcap's description ("Ethernet"), or nullopt for an unknown value.
std::optional<std::string_view> linktype_description(uint32_t dlt);
// How libpcap's compiler names a link type in its messages:
// "DLT_EN10MB (Ethernet)", or "DLT 150" for a value without a name.
std::string linktype_display(uint32_t dlt);

}  // namespace bpfc
