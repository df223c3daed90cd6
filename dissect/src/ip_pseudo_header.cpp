// The pseudo-header that transport checksums cover, and the destination it
// names: with a source route (IPv4 LSRR/SSRR, an IPv6 routing header), the
// last hop of the route rather than the next one.
#include "ip_protocols.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

constexpr uint8_t kOptionEnd = 0;
constexpr uint8_t kOptionNop = 1;
constexpr uint8_t kOptionLooseRoute = 131;
constexpr uint8_t kOptionStrictRoute = 137;

const uint8_t* ipv4_final_destination(const Bytes& datagram) {
  const uint8_t* destination = datagram.at(16);
  uint32_t header_length = (datagram.u8(0) & 0x0f) * 4u;
  uint32_t offset = 20;
  while (offset < header_length) {
    if (!datagram.has(offset, 1)) break;
    uint8_t option = datagram.u8(offset);
    if (option == kOptionEnd) break;
    uint32_t length = 1;
    if (option != kOptionNop) {
      if (!datagram.has(offset + 1, 1)) break;
      length = datagram.u8(offset + 1);
      if (length < 2) break;
    }
    if (header_length - offset < length || !datagram.has(offset, length)) break;
    if ((option == kOptionLooseRoute || option == kOptionStrictRoute) && length >= 7) {
      return datagram.at(offset + length - 4);
    }
    offset += length;
  }
  return destination;
}

constexpr uint8_t kRoutingType0 = 0;
constexpr uint8_t kRoutingType2 = 2;
constexpr uint8_t kSegmentRouting = 4;

const uint8_t* ipv6_final_destination(const Bytes& datagram) {
  const uint8_t* destination = datagram.at(24);
  uint8_t next = datagram.u8(6);
  uint32_t offset = 40;
  while (offset < datagram.size) {
    switch (next) {
      case ip_protocol::kHopByHop:
      case ip_protocol::kDestinationOptions:
      case ip_protocol::kMobility:
      case 62:  // old mobility
        if (!datagram.has(offset, 2)) return destination;
        next = datagram.u8(offset);
        offset += (datagram.u8(offset + 1) + 1u) * 8;
        break;
      case ip_protocol::kFragment:
        if (!datagram.has(offset, 1)) return destination;
        next = datagram.u8(offset);
        offset += 8;
        break;
      case ip_protocol::kRouting: {
        if (!datagram.has(offset, 8)) return destination;
        uint32_t length = datagram.u8(offset + 1);
        uint8_t type = datagram.u8(offset + 2);
        if ((type == kRoutingType0 || type == kRoutingType2) && length % 2 == 0) {
          for (uint32_t i = 0; i < length / 2; ++i) {
            uint32_t address = offset + 8 + 16 * i;
            if (!datagram.has(address, 16)) break;
            destination = datagram.at(address);
          }
        } else if (type == kSegmentRouting && length % 2 == 0 && datagram.has(offset + 8, 16)) {
          destination = datagram.at(offset + 8);  // the final segment comes first
        }
        return destination;
      }
      default:
        return destination;
    }
  }
  return destination;
}

}  // namespace

void IpHeader::add_pseudo_header(Checksum& sum, uint8_t protocol, uint32_t length) const {
  if (v6) {
    sum.add(Bytes{header + 8, 16});
    uint8_t next = header[6];
    bool extension = next == ip_protocol::kHopByHop || next == ip_protocol::kDestinationOptions ||
                     next == ip_protocol::kMobility || next == 62 || next == ip_protocol::kFragment ||
                     next == ip_protocol::kRouting;
    sum.add(Bytes{extension ? ipv6_final_destination(datagram) : header + 24, 16});
    sum.add32(length);
    sum.add16(protocol);
  } else {
    sum.add(Bytes{header + 12, 4});
    bool options = (header[0] & 0x0f) != 5;
    sum.add(Bytes{options ? ipv4_final_destination(datagram) : header + 16, 4});
    sum.add16(protocol);
    sum.add16(static_cast<uint16_t>(length));
  }
}

}  // namespace bpfc::dissect
