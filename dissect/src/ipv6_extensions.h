// IPv6 extension headers (RFC 8200, RFC 6275, RFC 8754) as tcpdump prints
// them on the way from the IPv6 header to the transport.
#pragma once

#include <cstdint>

#include "bytes.h"
#include "context.h"

namespace bpfc::dissect {

// The walk along the chain of next headers of one IPv6 datagram.
struct Ipv6Chain {
  Bytes b;                  // from the IPv6 header to the end of the datagram, as captured
  uint32_t payload_length;  // the header's field, or a valid Jumbo Payload option's
  uint32_t offset = 0;      // of the extension header being printed
  uint8_t next = 0;         // what follows it, once printed
  bool found_jumbo = false;
};

// Each printer prints the header at chain.offset and returns its length,
// with chain.next set to its next header; 0 when tcpdump stops the line
// there (after printing why).
uint32_t print_hop_by_hop(Context& c, Ipv6Chain& chain);
uint32_t print_destination_options(Context& c, Ipv6Chain& chain);
uint32_t print_routing(Context& c, Ipv6Chain& chain);
uint32_t print_fragment(Context& c, Ipv6Chain& chain);

}  // namespace bpfc::dissect
