// IPv6 (RFC 8200) as `tcpdump -n -q` prints it: the header, the extension
// headers on the way to the transport, then the transport.
#include "ip_protocols.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

namespace ipv6 {
constexpr uint32_t kVersion = 0;  // high nibble
constexpr uint32_t kPayloadLength = 4;
constexpr uint32_t kNextHeader = 6;
constexpr uint32_t kHeader = 40;
}  // namespace ipv6

// The walk along the chain of next headers.
struct Chain {
  Bytes b;                 // from the IPv6 header to the end of the datagram
  uint32_t payload_length;  // the header's field
  uint32_t remaining;       // bytes of the datagram from `offset` on
  uint32_t offset = 0;      // of the header being looked at
  uint32_t advance = ipv6::kHeader;
  uint8_t next = 0;
  bool previous_was_ip_header = true;
  bool seen_hop_by_hop = false;
  bool seen_extension = false;
  bool fragmented = false;
};

// What an extension header printer decided.
enum class Step { Continue, Stop };

// An options header (hop-by-hop, destination): length in 8-octet units.
bool options_header_length(const Chain& chain, uint32_t& size) {
  if (!chain.b.has(chain.offset, 2)) return false;
  size = (chain.b.u8(chain.offset + 1) + 1u) * 8;
  return chain.b.has(chain.offset, size);
}

Step hop_by_hop(Context& c, Chain& chain) {
  if (chain.seen_hop_by_hop) {
    c.o << "[The Hop-by-Hop Options header was already found] (invalid)";
    return Step::Stop;
  }
  if (!chain.previous_was_ip_header) {
    c.o << "[The Hop-by-Hop Options header don't follow the IPv6 header] (invalid)";
    return Step::Stop;
  }
  uint32_t size = 0;
  if (!options_header_length(chain, size)) {
    c.o.truncated("hbhopt");
    return Step::Stop;
  }
  c.o << "HBH ";
  if (chain.payload_length == 0) {
    c.o << "[No valid Jumbo Payload Hop-by-Hop option found] (invalid)";
    return Step::Stop;
  }
  chain.advance = size;
  chain.seen_hop_by_hop = chain.seen_extension = true;
  chain.next = chain.b.u8(chain.offset);
  return Step::Continue;
}

Step destination_options(Context& c, Chain& chain) {
  uint32_t size = 0;
  if (!options_header_length(chain, size)) {
    c.o.truncated("dstopt");
    return Step::Stop;
  }
  c.o << "DSTOPT ";
  chain.advance = size;
  chain.seen_extension = true;
  chain.next = chain.b.u8(chain.offset);
  return Step::Continue;
}

Step fragment(Context& c, Chain& chain) {
  if (!chain.b.has(chain.offset, 4)) {
    c.o.truncated("frag6");
    return Step::Stop;
  }
  uint32_t fragment_offset = chain.b.u16(chain.offset + 2) & 0xfff8;
  c.o.print("frag ({}|{})", fragment_offset,
            static_cast<uint64_t>(ipv6::kHeader + chain.payload_length) - chain.offset - 8);
  if (fragment_offset != 0) return Step::Stop;  // a later fragment: no transport header
  c.o << ' ';
  chain.advance = 8;
  if (chain.b.size <= chain.offset + chain.advance) return Step::Stop;
  chain.seen_extension = chain.fragmented = true;
  chain.next = chain.b.u8(chain.offset);
  return Step::Continue;
}

}  // namespace

void print_ipv6(Context& c, Bytes b, uint32_t length) {
  Text& o = c.o;
  if (!b.has(0, ipv6::kHeader)) return o.truncated("ip6");
  if (length < ipv6::kHeader) {
    o.print("truncated-ip6 {}", length);
    return;
  }
  o << "IP6 ";
  unsigned version = b.u8(ipv6::kVersion) >> 4;
  if (version != 6) {
    o.print("version error: {} != 6", version);
    return;
  }
  uint32_t payload_length = b.u16(ipv6::kPayloadLength);
  uint32_t remaining;
  if (payload_length != 0) {
    remaining = payload_length + ipv6::kHeader;
    if (length < remaining) o.print("truncated-ip6 - {} bytes missing!", remaining - length);
  } else {
    remaining = length + ipv6::kHeader;  // tcpdump's provisional length while it looks for a jumbo option
  }
  Chain chain{.b = b.clip(remaining), .payload_length = payload_length, .remaining = remaining,
              .next = b.u8(ipv6::kNextHeader)};
  IpHeader ip{chain.b.data, true};
  while (chain.offset < chain.b.size && chain.advance > 0) {
    if (chain.remaining < chain.advance) return o.truncated("ip6");
    chain.offset += chain.advance;
    chain.remaining -= chain.advance;
    if (chain.offset == ipv6::kHeader && !ip_protocol::prints_own_addresses(chain.next)) {
      ip.addresses(o);
      o << ": ";
    }
    Step step;
    switch (chain.next) {
      case ip_protocol::kHopByHop:
        step = hop_by_hop(c, chain);
        break;
      case ip_protocol::kDestinationOptions:
        step = destination_options(c, chain);
        break;
      case ip_protocol::kFragment:
        step = fragment(c, chain);
        break;
      default: {
        Bytes payload = chain.b;
        uint32_t remaining_length = chain.remaining;
        if (payload_length == 0) {
          if (chain.seen_extension) return o.truncated("ip6");
          payload = payload.clip(ipv6::kHeader);
          remaining_length = 0;
        }
        return print_ip_payload(c, chain.next, payload.from(chain.offset), remaining_length, ip, chain.fragmented);
      }
    }
    if (step == Step::Stop) return;
    chain.previous_was_ip_header = false;
  }
}

}  // namespace bpfc::dissect
