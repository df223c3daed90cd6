// Ethernet (DIX and 802.3 framing, 802.1Q/802.1ad tags) as `tcpdump -n -q`
// prints it, and the table of ethertypes: their names and, for those with
// one, their printers.
#include "names.h"
#include "protocols.h"

namespace bpfc::dissect {
namespace {

namespace ethernet {
constexpr uint32_t kDestination = 0;
constexpr uint32_t kSource = 6;
constexpr uint32_t kType = 12;
constexpr uint32_t kHeader = 14;
constexpr uint32_t kTag = 4;          // an 802.1Q tag: TCI, then the next type
constexpr uint32_t kTaggedType = 2;
// Type/length fields up to this value are 802.3 lengths, not ethertypes.
constexpr uint16_t kMaxLength = 1500;
}  // namespace ethernet

constexpr Name kEthertypeNames[] = {
    {0x0800, "IPv4"},
    {0x8847, "MPLS unicast"},
    {0x8848, "MPLS multicast"},
    {0x86dd, "IPv6"},
    {0x8100, "802.1Q"},
    {0x9100, "802.1Q-9100"},
    {0x88a8, "802.1Q-QinQ"},
    {0x9200, "802.1Q-9200"},
    {0x88e5, "802.1AE MACsec"},
    {0x0200, "PUP"},
    {0x0806, "ARP"},
    {0x8035, "Reverse ARP"},
    {0x0600, "NS"},
    {0x0500, "Sprite"},
    {0x1000, "Trail"},
    {0x6001, "MOP DL"},
    {0x6002, "MOP RC"},
    {0x6003, "DN"},
    {0x6004, "LAT"},
    {0x6007, "SCA"},
    {0x6558, "TEB"},
    {0x8038, "Lanbridge"},
    {0x803c, "DEC DNS"},
    {0x803e, "DEC DTS"},
    {0x805b, "VEXP"},
    {0x805c, "VPROD"},
    {0x809b, "Appletalk"},
    {0x80f3, "Appletalk ARP"},
    {0x8137, "IPX"},
    {0x880b, "PPP"},
    {0x8808, "MPCP"},
    {0x8809, "Slow Protocols"},
    {0x8863, "PPPoE D"},
    {0x8864, "PPPoE S"},
    {0x888e, "EAPOL"},
    {0x8899, "Realtek protocols"},
    {0x886f, "MS NLB heartbeat"},
    {0x8870, "Jumbo"},
    {0x894f, "NSH"},
    {0x9000, "Loopback"},
    {0xfefe, "OSI"},
    {0x00fe, "GRE-OSI"},
    {0xabcd, "CFM (old)"},
    {0x8902, "CFM"},
    {0x893a, "IEEE1905.1"},
    {0x88cc, "LLDP"},
    {0x88ca, "TIPC"},
    {0x0707, "GeoNet (old)"},
    {0x8947, "GeoNet"},
    {0x1111, "CALM FAST"},
    {0x88a2, "AoE"},
    {0x88f7, "PTP"},
    {0xd28b, "Arista Vendor Specific Protocol"},
};

using EthertypePrinter = void (*)(Context& c, Bytes b, uint32_t length);

struct EthertypeEntry {
  uint16_t type;
  EthertypePrinter print;
};

void print_novell_ipx(Context& c, Bytes b, uint32_t length) {
  c.o << "(NOV-ETHII) ";
  print_ipx(c, b, length);
}

void print_ppp_frames(Context& c, Bytes b, uint32_t length) {
  if (length == 0) return;
  c.o << ": ";
  print_ppp(c, b, length);
}

// IPv4 first: the lookup is a scan, and it is the common case.
constexpr EthertypeEntry kPrinters[] = {
    {0x0800, print_ipv4},
    {0x86dd, print_ipv6},
    {0x0806, print_arp},
    {0x8035, print_arp},
    {0x8847, print_mpls},
    {0x8848, print_mpls},
    {0x8863, print_pppoe},  // discovery
    {0x8864, print_pppoe},  // session
    {0x3c12, print_pppoe},  // the same on some 3Com equipment
    {0x3c13, print_pppoe},
    {0x880b, print_ppp_frames},
    {0x6003, print_decnet},
    {0x8137, print_novell_ipx},
};

constexpr uint16_t kJumbo = 0x8870;

bool is_vlan_tpid(uint16_t type) { return type == 0x8100 || type == 0x9100 || type == 0x9200 || type == 0x88a8; }

}  // namespace

std::string_view ethertype_name(uint16_t type) { return name_of(kEthertypeNames, type); }

bool print_ethertype_payload(Context& c, uint16_t type, Bytes b, uint32_t length) {
  for (const EthertypeEntry& entry : kPrinters) {
    if (entry.type == type) {
      entry.print(c, b, length);
      return true;
    }
  }
  return false;
}

namespace {

// tcpdump -q's name of a type field: the ethertype's name or its number.
void print_type(Text& o, uint16_t type) {
  std::string_view name = ethertype_name(type);
  if (name.empty()) {
    o << "Unknown Ethertype (0x";
    o.hex4(type) << ')';
  } else {
    o << name;
  }
}

void print_tci(Text& o, uint16_t tci) {
  o.print("vlan {}, p {}{}, ", tci & 0xfff, tci >> 13, (tci & 0x1000) != 0 ? ", DEI" : "");
}

}  // namespace

void print_ethernet(Context& c, Bytes b, uint32_t length) {
  Text& o = c.o;
  const bool link_header = c.options.link_header;
  if (b.size < ethernet::kHeader) {
    c.link_header_length = b.size;  // tcpdump dumps nothing of such a frame
    return o.truncated("ether");
  }
  const uint32_t frame_length = length;
  const uint8_t* destination = b.at(ethernet::kDestination);
  const uint8_t* source = b.at(ethernet::kSource);
  auto addresses = [&] {
    o.mac(source) << " > ";
    o.mac(destination) << ", ";
  };
  if (link_header) addresses();
  uint16_t type = b.u16(ethernet::kType);
  if (c.facts != nullptr) {
    c.facts->mac_source = source;
    c.facts->mac_destination = destination;
  }
  uint32_t header_length = ethernet::kHeader;
  b = b.from(ethernet::kHeader);
  length -= ethernet::kHeader;
  // With -e, the frame length follows the first type field printed.
  bool printed_length = false;
  auto type_and_length = [&](uint16_t shown) {
    print_type(o, shown);
    if (printed_length) {
      o << ", ";
    } else {
      o.print(", length {}: ", frame_length);
      printed_length = true;
    }
  };
  while (is_vlan_tpid(type)) {
    if (b.size < ethernet::kTag || length < ethernet::kTag) {
      c.link_header_length = header_length + std::min(b.size, length);
      return o.truncated("vlan");
    }
    if (link_header) {
      type_and_length(type);
      print_tci(o, b.u16(0));
    }
    if (c.facts != nullptr && c.facts->vlan_count < Facts::kMaxVlans) {
      c.facts->vlans[c.facts->vlan_count++] = b.u16(0) & 0x0fff;
    }
    type = b.u16(ethernet::kTaggedType);
    b = b.from(ethernet::kTag);
    length -= ethernet::kTag;
    header_length += ethernet::kTag;
  }
  c.link_header_length = header_length;
  if (c.facts != nullptr) c.facts->ethertype = type;
  LinkAddresses link_addresses{source, destination};
  if (type <= ethernet::kMaxLength) {
    // 802.3: the type field is the length of what follows, an 802.2 LLC
    // header and its payload; bytes past it are padding.
    if (type < length) {
      length = type;
      b = b.clip(length);
    }
    if (link_header) {
      o << "802.3";
      if (!printed_length) o.print(", length {}: ", length);
    }
    int llc_length = print_llc(c, b, length, link_addresses);
    c.link_header_length = header_length + static_cast<uint32_t>(llc_length < 0 ? -llc_length : llc_length);
    return;
  }
  if (type == kJumbo) {
    // Alteon jumbo frames carry LLC too.
    int llc_length = print_llc(c, b, length, link_addresses);
    c.link_header_length = header_length + static_cast<uint32_t>(llc_length < 0 ? -llc_length : llc_length);
    return;
  }
  if (link_header) type_and_length(type);
  if (print_ethertype_payload(c, type, b, length)) return;
  if (!link_header) {
    addresses();
    print_type(o, type);
    o.print(", length {}: ", frame_length);
  }
}

}  // namespace bpfc::dissect
