// Link types by name and number, made from the one table (dlt.h): the
// lookups libpcap's pcap_datalink_name_to_val() / pcap_datalink_val_to_name()
// do, and the LINKTYPE_ <-> DLT_ numbering savefiles need. The compiler, the
// savefile code, the packet printer and the tools all ask here.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
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

// One named link type of the table.
struct LinktypeName {
  uint32_t value;                // DLT_ value
  std::string_view name;         // canonical, without "DLT_"
  std::string_view description;  // libpcap's one-line description
};
// Every link type with a canonical name, in libpcap's order (the table the
// lookups above use; aliases are left out).
std::span<const LinktypeName> linktype_names();

// Savefiles store LINKTYPE_ values; the compiler and pcap-filter speak DLT_
// values. They are the same number except for a few historical types
// (LINKTYPE_RAW 101 is DLT_RAW 12 on Linux, LINKTYPE_ATM_RFC1483 100 is 11…),
// as libpcap's linktype_to_dlt() / dlt_to_linktype() map them.
uint32_t dlt_from_linktype(uint32_t linktype);
uint32_t linktype_from_dlt(uint32_t dlt);

}  // namespace bpfc
