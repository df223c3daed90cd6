// What bpfc's compiler supports on each link type. The link types
// themselves, their names and numbers, are the link-type table's
// (bpfc/linktype/linktype.h, included here for the compiler's users).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "bpfc/linktype/linktype.h"

namespace bpfc {

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
