// IP protocol numbers (IPv4 protocol field, IPv6 next header) that the
// printers dispatch on.
#pragma once

#include <cstdint>

namespace bpfc::dissect::ip_protocol {

constexpr uint8_t kHopByHop = 0;
constexpr uint8_t kIcmp = 1;
constexpr uint8_t kIgmp = 2;
constexpr uint8_t kIpv4 = 4;
constexpr uint8_t kTcp = 6;
constexpr uint8_t kUdp = 17;
constexpr uint8_t kDccp = 33;
constexpr uint8_t kIpv6 = 41;
constexpr uint8_t kRouting = 43;
constexpr uint8_t kFragment = 44;
constexpr uint8_t kGre = 47;
constexpr uint8_t kEsp = 50;
constexpr uint8_t kAh = 51;
constexpr uint8_t kIcmpv6 = 58;
constexpr uint8_t kNoNext = 59;
constexpr uint8_t kDestinationOptions = 60;
constexpr uint8_t kNd = 77;
constexpr uint8_t kPim = 103;
constexpr uint8_t kIpcomp = 108;
constexpr uint8_t kVrrp = 112;
constexpr uint8_t kSctp = 132;
constexpr uint8_t kMobility = 135;

// Transports whose printers write the addresses themselves, with the ports.
inline bool prints_own_addresses(uint8_t protocol) {
  return protocol == kTcp || protocol == kUdp || protocol == kSctp || protocol == kDccp;
}

}  // namespace bpfc::dissect::ip_protocol
