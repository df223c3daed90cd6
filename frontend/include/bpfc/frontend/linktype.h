// Link-type names and numbers as libpcap's pcap_datalink_name_to_val() /
// pcap_datalink_val_to_name() know them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

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

// One named link type of the table above.
struct LinktypeName {
  uint32_t value;                // DLT_ value
  std::string_view name;         // canonical, without "DLT_"
  std::string_view description;  // libpcap's one-line description
};
// Every link type with a canonical name, in libpcap's order (the table the
// lookups above use; aliases are left out).
std::span<const LinktypeName> linktype_names();

// What bpfc's compiler does with a link type, for listings (`bpfc compile
// -L`) and for refusing an unknown DLT number as a usage error up front.
struct LinktypeSupport {
  // libpcap's compiler accepts the value; otherwise it refuses every filter
  // with "unknown data link type".
  bool known = false;
  // bpfc models the link-layer header: the filter language compiles as
  // libpcap compiles it (protocols, addresses, ports...). Without it only
  // filters that read no packet byte compile ('len > 100').
  bool header_modelled = false;
  // The network protocols the link type can say it carries ("ip", "ip6",
  // "arp"...; "any EtherType" for Ethernet-like type fields).
  std::string_view protocols;
  // Link-level primitives that work on it beyond the protocol tests, in
  // filter syntax: "ether host", "vlan", "mpls", "llc", "inbound/outbound",
  // "ifindex": those a probe filter of each compiles for. Only filled in when
  // header_modelled.
  std::vector<std::string_view> primitives;
};
LinktypeSupport linktype_support(uint32_t dlt);

}  // namespace bpfc
