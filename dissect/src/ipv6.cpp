// IPv6 (RFC 8200) as `tcpdump -n -q` prints it: the header, the extension
// headers on the way to the transport (ipv6_extensions.cpp), then what
// they lead to.
#include "ip_protocols.h"
#include "ipv6_extensions.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

namespace ipv6 {
constexpr uint32_t kVersion = 0;  // high nibble
constexpr uint32_t kFlow = 0;     // version, traffic class, flow label
constexpr uint32_t kPayloadLength = 4;
constexpr uint32_t kNextHeader = 6;
constexpr uint32_t kHopLimit = 7;
constexpr uint32_t kHeader = 40;
}  // namespace ipv6

using ExtensionPrinter = uint32_t (*)(Context& c, Ipv6Chain& chain);

struct ExtensionHeader {
  uint8_t next_header;
  ExtensionPrinter print;
};

// The headers tcpdump walks through; anything else ends the chain (AH, ESP
// and IPComp are printed from the IP protocol table).
constexpr ExtensionHeader kExtensionHeaders[] = {
    {ip_protocol::kHopByHop, print_hop_by_hop},
    {ip_protocol::kDestinationOptions, print_destination_options},
    {ip_protocol::kFragment, print_fragment},
    {ip_protocol::kRouting, print_routing},
};

ExtensionPrinter extension_printer(uint8_t next_header) {
  for (const ExtensionHeader& header : kExtensionHeaders) {
    if (header.next_header == next_header) return header.print;
  }
  return nullptr;
}

// -v: the header's fields in parentheses.
void print_header_fields(Text& o, const Bytes& b) {
  uint32_t flow = b.u32(ipv6::kFlow);
  o << '(';
  if ((flow & 0x0ff00000) != 0) o.print("class 0x{:02x}, ", (flow & 0x0ff00000) >> 20);
  if ((flow & 0x000fffff) != 0) o.print("flowlabel 0x{:05x}, ", flow & 0x000fffff);
  uint8_t next = b.u8(ipv6::kNextHeader);
  std::string_view name = ip_protocol_name(next);
  o.print("hlim {}, next-header {} ({}) payload length: {}) ", b.u8(ipv6::kHopLimit),
          name.empty() ? "unknown" : name, next, b.u16(ipv6::kPayloadLength));
}

}  // namespace

void print_ipv6(Context& c, Bytes b, uint32_t length) {
  Text& o = c.o;
  if (!b.has(0, ipv6::kHeader)) return o.truncated("ip6");
  if (length < ipv6::kHeader) {
    o.print("truncated-ip6 {}", length);
    return;
  }
  if (!c.options.link_header) o << "IP6 ";
  unsigned version = b.u8(ipv6::kVersion) >> 4;
  if (version != 6) {
    o.print("version error: {} != 6", version);
    return;
  }
  uint32_t payload_length = b.u16(ipv6::kPayloadLength);
  // The datagram's length as far as it is known: without a payload length
  // (a jumbogram), what the link layer says, until a Jumbo Payload option
  // says more.
  uint32_t datagram_length;
  if (payload_length != 0) {
    datagram_length = payload_length + ipv6::kHeader;
    if (length < datagram_length) o.print("truncated-ip6 - {} bytes missing!", datagram_length - length);
  } else {
    datagram_length = length + ipv6::kHeader;
  }
  if (c.options.verbosity > 0) print_header_fields(o, b);
  Ipv6Chain chain{.b = b.clip(datagram_length), .payload_length = payload_length, .next = b.u8(ipv6::kNextHeader)};
  IpHeader ip{b.data, true, chain.b};
  if (c.facts != nullptr) c.facts->set_addresses("IPv6", b.at(8), b.at(24), 16);
  uint32_t remaining = datagram_length;
  uint32_t advance = ipv6::kHeader;
  uint32_t walked = 0;  // bytes of IPv6 and extension headers
  bool seen_extension = false, seen_hop_by_hop = false, fragmented = false;
  bool first = true;
  while (chain.offset < chain.b.size && advance > 0) {
    if (remaining < advance) return o.truncated("ip6");
    chain.offset += advance;
    remaining -= advance;
    walked += advance;
    if (chain.offset == ipv6::kHeader && !ip_protocol::prints_own_addresses(chain.next)) {
      ip.addresses(o);
      o << ": ";
    }
    uint8_t header = chain.next;
    ExtensionPrinter print = extension_printer(header);
    if (print == nullptr) {
      if (chain.found_jumbo) {
        remaining = chain.payload_length + ipv6::kHeader;
        if (remaining < walked) return o.truncated("ip6");
        if (length < remaining) o.print("truncated-ip6 - {} bytes missing!", remaining - length);
        chain.b = b.clip(remaining);
        remaining -= walked;
      } else if (payload_length == 0) {
        // No payload: an extension header could not have been in it.
        if (seen_extension) return o.truncated("ip6");
        chain.b = b.clip(ipv6::kHeader);
        remaining = 0;
      }
      return print_ip_payload(c, header, chain.b.from(chain.offset), remaining, ip, fragmented);
    }
    if (header == ip_protocol::kHopByHop) {
      if (seen_hop_by_hop) {
        o << "[The Hop-by-Hop Options header was already found]";
        return o.invalid();
      }
      if (!first) {
        o << "[The Hop-by-Hop Options header don't follow the IPv6 header]";
        return o.invalid();
      }
      seen_hop_by_hop = true;
    }
    if (header == ip_protocol::kRouting && !chain.b.has(chain.offset, 1)) return o.truncated("ip6");
    advance = print(c, chain);
    if (advance == 0) return;
    if (header == ip_protocol::kFragment) {
      if (chain.b.size <= chain.offset + advance) return;
      fragmented = true;
    }
    seen_extension = true;
    first = false;
  }
}

}  // namespace bpfc::dissect
