// What libpcap's code generator knows about each link type, as far as it
// decides which filters are accepted: how a "link proto" test is generated
// and which values it accepts, which primitives the link type supports, and
// whether its headers have variable length. Looked up by the link type in
// force at a point of the filter (`pppoes`, `lane`, `geneve` and `vxlan`
// switch it for what follows them).
#pragma once

#include <cstdint>

namespace bpfc::sema {

// How gen_linktype() treats a link-layer protocol value on a link type.
enum class LinkProtoTest : uint8_t {
  Unsupported,    // "link-layer type filtering not implemented for ..."
  EtherLike,      // values <= 1500 are LLC SAPs (max 255), others EtherTypes (max 65535)
  EtherTypeOnly,  // a generic 16-bit type field: EtherTypes up to 65535
  CiscoHdlc,      // "HDLC protocol" up to 65535
  Ppp,            // mapped to PPP protocols; unmapped values up to 65535
  Unchecked,      // a fixed set of matches (AF_ values, ARCnet types, ...); never an error
};

// Primitive families whose support depends on the link type.
enum LinkFeature : uint32_t {
  kMac48Addresses = 1u << 0,    // `ether host`, `gateway`, broadcast by MAC-48
  kMac8Addresses = 1u << 1,     // `link host $XX`, ARCnet/MS-TP broadcast
  kMulticast = 1u << 2,         // `ether multicast`
  kWlanHeader = 1u << 3,        // 802.11 header: addr1..ta, type/subtype/dir
  kVlan = 1u << 4,
  kMpls = 1u << 5,
  kLlc = 1u << 6,
  kDirectionField = 1u << 7,    // `inbound`/`outbound` from packet data
  kIfindexField = 1u << 8,      // `ifindex` from packet data
  kRadioHeader = 1u << 9,       // `radio[...]`
  kSs7 = 1u << 10,              // MTP2/MTP3 fields
  kSunAtm = 1u << 11,           // ATM pseudo-header fields
  kLinkHeaderVariable = 1u << 12,   // a variable-length header precedes the link header
  kLinkPayloadVariable = 1u << 13,  // the link-layer header itself has variable length
  kFrameRelayNlpid = 1u << 14,  // `iso proto` is an NLPID test without LLC
  kCiscoHdlcIso = 1u << 15,     // `iso proto` after a Cisco HDLC type of 0xfefe
};

struct LinkTraits {
  bool known = false;  // libpcap's init_linktype() accepts the value
  LinkProtoTest proto_test = LinkProtoTest::Unsupported;
  uint32_t features = 0;

  bool has(LinkFeature feature) const { return (features & feature) != 0; }
};

LinkTraits link_traits(uint32_t dlt);

}  // namespace bpfc::sema
