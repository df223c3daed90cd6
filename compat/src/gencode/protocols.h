// Protocol numbers and what each protocol keyword means, in one place.
// Values are the wire constants libpcap's compiler uses.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "bpfc/frontend/ast.h"

namespace bpfc::lower {

namespace ethertype {
inline constexpr uint32_t kIp = 0x0800, kArp = 0x0806, kRevArp = 0x8035, kIpv6 = 0x86dd;
inline constexpr uint32_t kAtalk = 0x809b, kAarp = 0x80f3, kDecnet = 0x6003, kSca = 0x6007;
inline constexpr uint32_t kLat = 0x6004, kMopDl = 0x6001, kMopRc = 0x6002, kNs = 0x0600;
inline constexpr uint32_t kVlan = 0x8100, kQinQ8021ad = 0x88a8, kQinQ = 0x9100;
inline constexpr uint32_t kMpls = 0x8847, kPppoeDiscovery = 0x8863, kPppoeSession = 0x8864;
inline constexpr uint32_t kIpx = 0x8137, kTeb = 0x6558, kLoopback = 0x9000;
inline constexpr uint32_t kLldp = 0x88cc, kSlow = 0x8809;
inline constexpr uint32_t kEtherMtu = 1500;  // type/length values up to this are 802.3 lengths
}  // namespace ethertype

namespace llcsap {
inline constexpr uint32_t kIp = 0x06, kIsoNs = 0xfe, kNetbeui = 0xf0, kIpx = 0xe0, kStp = 0x42, kSnap = 0xaa;
}

namespace ipproto {
inline constexpr uint32_t kHopOpts = 0, kIcmp = 1, kIgmp = 2, kTcp = 6, kIgrp = 9, kUdp = 17;
inline constexpr uint32_t kRouting = 43, kFragment = 44, kEsp = 50, kAh = 51, kIcmpv6 = 58;
inline constexpr uint32_t kNone = 59, kDstOpts = 60, kPim = 103, kVrrp = 112, kCarp = 112;
inline constexpr uint32_t kSctp = 132;
}  // namespace ipproto

namespace osi {
inline constexpr uint32_t kClnp = 0x81, kEsis = 0x82, kIsis = 0x83;
inline constexpr uint32_t kIsisL1LanIih = 15, kIsisL2LanIih = 16, kIsisPtpIih = 17;
inline constexpr uint32_t kIsisL1Lsp = 18, kIsisL2Lsp = 20, kIsisL1Csnp = 24, kIsisL2Csnp = 25;
inline constexpr uint32_t kIsisL1Psnp = 26, kIsisL2Psnp = 27;
}  // namespace osi

namespace ppptype {
inline constexpr uint32_t kIp = 0x0021, kOsi = 0x0023, kNs = 0x0025, kDecnet = 0x0027;
inline constexpr uint32_t kApple = 0x0029, kIpx = 0x002b, kVjc = 0x002d, kVjnc = 0x002f;
inline constexpr uint32_t kBrpdu = 0x0031, kIpv6 = 0x0057, kMplsUnicast = 0x0281;
}  // namespace ppptype

inline constexpr uint16_t kGenevePort = 6081;
inline constexpr uint16_t kVxlanPort = 4789;

// What a bare protocol keyword (`tcp`, `ip6`, `l1`...) tests.
struct ProtoMeaning {
  enum class Kind : uint8_t {
    LinkType,  // the link layer's protocol field equals `value`
    NetProto,  // the network protocol `over` carries protocol `value` (gen_proto)
    IsisPdus,  // IS-IS with any of the PDU types in `pdus`
    Invalid,   // not usable as a protocol test (link, radio)
  };
  Kind kind = Kind::Invalid;
  uint32_t value = 0;
  ast::Proto over = ast::Proto::Default;
  std::vector<uint32_t> pdus;
};
ProtoMeaning proto_meaning(ast::Proto p);

// The keyword libpcap prints for a protocol qualifier in its messages.
std::string_view proto_keyword(ast::Proto p);

// libpcap's built-in names for `ether proto \NAME`: Ethernet types, then
// 802.2 SAPs.
std::optional<uint32_t> ether_proto_by_name(std::string_view name);
// `iso proto \NAME`.
std::optional<uint32_t> osi_proto_by_name(std::string_view name);

// The PPP protocol number libpcap tests for an Ethernet type on PPP links.
uint32_t ethertype_to_ppptype(uint32_t ll_proto);

}  // namespace bpfc::lower
