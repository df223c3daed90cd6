#include "synthetic_packets.h"

#include <array>
#include <string>

#include "rng.h"
#include "test_values.h"

namespace bpfc::difftest {
namespace {

using Bytes = std::vector<uint8_t>;

enum class Network { Ipv4, Ipv6, Arp, Rarp, Other };

struct NetworkPacket {
  Network kind = Network::Other;
  uint16_t ethertype = 0;
  Bytes bytes;
};

void append16(Bytes& b, uint32_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void append32(Bytes& b, uint32_t v) {
  append16(b, v >> 16);
  append16(b, v & 0xffff);
}
template <typename Container>
void append(Bytes& b, const Container& bytes) {
  b.insert(b.end(), bytes.begin(), bytes.end());
}
void append_random(Bytes& b, Rng& rng, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) b.push_back(rng.byte());
}

uint16_t port(Rng& rng) { return rng.percent(85) ? rng.pick(port_pool()) : static_cast<uint16_t>(rng.next()); }

// The transport header (and a little payload) for IP protocol `protocol`.
Bytes transport(uint8_t protocol, Rng& rng) {
  Bytes b;
  switch (protocol) {
    case 6:  // TCP: ports, seq, ack, offset, flags, window, checksum, urgent
      append16(b, port(rng));
      append16(b, port(rng));
      append32(b, static_cast<uint32_t>(rng.next()));
      append32(b, static_cast<uint32_t>(rng.next()));
      b.push_back(0x50);
      b.push_back(rng.byte());
      append_random(b, rng, 6);
      break;
    case 17:   // UDP
    case 132:  // SCTP: ports, verification tag, checksum
      append16(b, port(rng));
      append16(b, port(rng));
      append_random(b, rng, protocol == 17 ? 4 : 8);
      break;
    case 1:   // ICMP
    case 58: {  // ICMPv6
      constexpr uint8_t kTypes[] = {0, 3, 8, 11, 128, 129, 133, 135, 136};
      b.push_back(kTypes[rng.below(sizeof kTypes)]);
      append_random(b, rng, 7);
      break;
    }
    default:
      append_random(b, rng, 8);
      break;
  }
  append_random(b, rng, rng.below(24));
  return b;
}

uint8_t ip_protocol(Rng& rng) {
  if (rng.percent(60)) return rng.percent(50) ? 6 : 17;
  return rng.percent(90) ? rng.pick(ip_protocol_pool()) : rng.byte();
}

Bytes ipv4(Rng& rng) {
  uint8_t protocol = ip_protocol(rng);
  uint32_t options = rng.percent(15) ? 4 * (1 + rng.below(2)) : 0;
  Bytes payload = transport(protocol, rng);
  Bytes b;
  b.push_back(static_cast<uint8_t>(0x40 | (5 + options / 4)));
  b.push_back(rng.byte());                                            // TOS
  append16(b, static_cast<uint32_t>(20 + options + payload.size()));  // total length
  append16(b, static_cast<uint32_t>(rng.next()));                     // id
  if (rng.percent(75)) {
    append16(b, rng.percent(50) ? 0x4000 : 0);  // DF or nothing
  } else {  // a fragment: MF and/or an offset
    append16(b, (rng.percent(50) ? 0x2000 : 0) | (rng.percent(60) ? 1 + rng.below(0x1fff) : 0));
  }
  b.push_back(static_cast<uint8_t>(1 + rng.below(255)));  // TTL
  b.push_back(protocol);
  append16(b, 0);  // checksum, unchecked by filters
  append(b, rng.percent(85) ? rng.pick(ipv4_pool()).bytes : std::array<uint8_t, 4>{rng.byte(), rng.byte(), rng.byte(), rng.byte()});
  append(b, rng.percent(85) ? rng.pick(ipv4_pool()).bytes : std::array<uint8_t, 4>{rng.byte(), rng.byte(), rng.byte(), rng.byte()});
  for (uint32_t i = 0; i < options; ++i) b.push_back(1);  // NOP options
  append(b, payload);
  return b;
}

Bytes ipv6(Rng& rng) {
  uint8_t final_protocol = rng.percent(20) ? 58 : ip_protocol(rng);
  // Zero to two extension headers: hop-by-hop, destination options, routing,
  // fragment (8 bytes each here).
  constexpr uint8_t kExtensions[] = {0, 60, 43, 44};
  Bytes chain;
  uint8_t first = final_protocol;
  uint32_t extensions = rng.percent(70) ? 0 : 1 + rng.below(2);
  std::vector<uint8_t> kinds;
  for (uint32_t i = 0; i < extensions; ++i) kinds.push_back(kExtensions[rng.below(4)]);
  if (!kinds.empty()) first = kinds.front();
  for (size_t i = 0; i < kinds.size(); ++i) {
    chain.push_back(i + 1 < kinds.size() ? kinds[i + 1] : final_protocol);
    if (kinds[i] == 44) {  // fragment: reserved, offset+flags, id
      chain.push_back(0);
      append16(chain, rng.percent(50) ? 0 : (rng.below(0x2000) << 3) | rng.below(2));
      append32(chain, static_cast<uint32_t>(rng.next()));
    } else {
      chain.push_back(0);  // length in 8-byte units, not counting the first 8
      append_random(chain, rng, 6);
    }
  }
  Bytes payload = transport(final_protocol, rng);
  Bytes b;
  append32(b, 0x60000000u | (rng.below(256) << 20));
  append16(b, static_cast<uint32_t>(chain.size() + payload.size()));
  b.push_back(first);
  b.push_back(64);  // hop limit
  append(b, rng.pick(ipv6_pool()).bytes);
  append(b, rng.pick(ipv6_pool()).bytes);
  append(b, chain);
  append(b, payload);
  return b;
}

Bytes arp(Rng& rng, bool reverse) {
  Bytes b;
  append16(b, 1);       // Ethernet hardware
  append16(b, 0x0800);  // IPv4 protocol
  b.push_back(6);
  b.push_back(4);
  append16(b, reverse ? 3 + rng.below(2) : 1 + rng.below(2));
  append(b, rng.pick(mac_pool()).bytes);
  append(b, rng.pick(ipv4_pool()).bytes);
  append(b, rng.pick(mac_pool()).bytes);
  append(b, rng.pick(ipv4_pool()).bytes);
  return b;
}

NetworkPacket network_packet(Rng& rng, bool ip_only, bool allow_arp) {
  uint32_t choice = rng.below(100);
  if (ip_only) choice = choice < 60 ? 0 : 60;
  if (!allow_arp && choice >= 80 && choice < 90) choice = 95;
  NetworkPacket p;
  if (choice < 50) {
    p = {Network::Ipv4, 0x0800, ipv4(rng)};
  } else if (choice < 80) {
    p = {Network::Ipv6, 0x86dd, ipv6(rng)};
  } else if (choice < 85) {
    p = {Network::Arp, 0x0806, arp(rng, false)};
  } else if (choice < 90) {
    p = {Network::Rarp, 0x8035, arp(rng, true)};
  } else {  // DECnet, AppleTalk, IPX, or anything
    constexpr uint16_t kOthers[] = {0x6003, 0x809b, 0x8137, 0x88cc, 0x1234};
    p.kind = Network::Other;
    p.ethertype = kOthers[rng.below(sizeof kOthers / sizeof kOthers[0])];
    append_random(p.bytes, rng, 20 + rng.below(40));
  }
  return p;
}

// Ethernet, possibly with VLAN tags, MPLS labels or a PPPoE session in front
// of the network packet.
Bytes ethernet(Rng& rng) {
  NetworkPacket net = network_packet(rng, false, true);
  Bytes b;
  append(b, rng.percent(80) ? rng.pick(mac_pool()).bytes : std::array<uint8_t, 6>{rng.byte(), 0, 0, 0, 0, rng.byte()});
  append(b, rng.pick(mac_pool()).bytes);
  bool is_ip = net.kind == Network::Ipv4 || net.kind == Network::Ipv6;
  uint32_t encapsulation = rng.below(100);
  if (encapsulation < 22) {  // one or two VLAN tags
    uint32_t tags = encapsulation < 15 ? 1 : 2;
    constexpr uint16_t kTpids[] = {0x8100, 0x88a8, 0x9100};
    for (uint32_t i = 0; i < tags; ++i) {
      append16(b, i == 0 ? kTpids[rng.below(3)] : 0x8100);
      append16(b, (rng.below(8) << 13) | rng.pick(vlan_pool()));
    }
    append16(b, net.ethertype);
  } else if (encapsulation < 32 && is_ip) {  // MPLS, one or two labels
    append16(b, rng.percent(85) ? 0x8847 : 0x8848);
    uint32_t labels = 1 + rng.below(2);
    for (uint32_t i = 0; i < labels; ++i) {
      bool bottom = i + 1 == labels;
      append32(b, (rng.pick(mpls_label_pool()) << 12) | (bottom ? 0x100 : 0) | 64);
    }
  } else if (encapsulation < 42 && is_ip) {  // PPPoE session carrying PPP
    append16(b, 0x8864);
    b.push_back(0x11);
    b.push_back(0);
    append16(b, rng.pick(pppoe_session_pool()));
    append16(b, static_cast<uint32_t>(net.bytes.size() + 2));
    append16(b, net.kind == Network::Ipv4 ? 0x0021 : 0x0057);
  } else if (encapsulation < 45) {  // PPPoE discovery
    append16(b, 0x8863);
    b.push_back(0x11);
    b.push_back(0x09);
    append16(b, 0);
    append16(b, 0);
  } else if (encapsulation < 50) {  // 802.3 length + LLC/SNAP
    append16(b, static_cast<uint32_t>(net.bytes.size() + 8));
    append(b, std::array<uint8_t, 6>{0xaa, 0xaa, 0x03, 0, 0, 0});
    append16(b, net.ethertype);
  } else {
    append16(b, net.ethertype);
  }
  append(b, net.bytes);
  return b;
}

// NULL and LOOP carry an address family: AF_INET is 2, AF_INET6 differs
// between systems (10 Linux, 24 BSDs, 28 FreeBSD, 30 macOS).
Bytes loopback(Rng& rng, bool network_order) {
  NetworkPacket net = network_packet(rng, true, false);
  constexpr uint32_t kInet6[] = {10, 24, 28, 30};
  uint32_t family = net.kind == Network::Ipv4 ? 2 : kInet6[rng.below(4)];
  if (rng.percent(10)) family = rng.below(40);
  bool big_endian = network_order ? !rng.percent(10) : rng.percent(30);  // both orders appear in captures
  Bytes b;
  if (big_endian) {
    append32(b, family);
  } else {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(family >> (8 * i)));
  }
  append(b, net.bytes);
  return b;
}

uint16_t sll_protocol(const NetworkPacket& net, Rng& rng) {
  if (rng.percent(8)) return rng.percent(50) ? 0x0004 : 0x0001;  // 802.2 LLC, Novell 802.3
  return net.ethertype;
}

Bytes linux_sll(Rng& rng) {
  NetworkPacket net = network_packet(rng, false, true);
  Bytes b;
  append16(b, rng.below(5));  // packet type: host, broadcast, multicast, other host, outgoing
  append16(b, 1);             // ARPHRD_ETHER
  append16(b, 6);
  append(b, rng.pick(mac_pool()).bytes);
  append16(b, 0);
  append16(b, sll_protocol(net, rng));
  append(b, net.bytes);
  return b;
}

Bytes linux_sll2(Rng& rng) {
  NetworkPacket net = network_packet(rng, false, true);
  Bytes b;
  append16(b, sll_protocol(net, rng));
  append16(b, 0);
  append32(b, 1 + rng.below(4));  // interface index
  append16(b, 1);
  b.push_back(static_cast<uint8_t>(rng.below(5)));
  b.push_back(6);
  append(b, rng.pick(mac_pool()).bytes);
  append16(b, 0);
  append(b, net.bytes);
  return b;
}

Bytes raw_ip(Rng& rng, bool v4, bool v6) {
  if (v4 && !v6) return ipv4(rng);
  if (v6 && !v4) return ipv6(rng);
  uint32_t choice = rng.below(100);
  if (choice < 55) return ipv4(rng);
  if (choice < 95) return ipv6(rng);
  Bytes b;
  append_random(b, rng, 1 + rng.below(40));
  return b;
}

// An 802.2 header and the network packet: SNAP with the EtherType mostly,
// sometimes a SAP of its own (IP, ISO, IPX, NetBEUI, STP) or random bytes.
Bytes llc_payload(Rng& rng) {
  NetworkPacket net = network_packet(rng, false, true);
  Bytes b;
  const uint32_t choice = rng.below(100);
  if (choice < 75) {
    append(b, std::array<uint8_t, 6>{0xaa, 0xaa, 0x03, 0, 0, 0});
    if (rng.percent(5)) b[5] = 0x07, b[3] = 0x08;  // AppleTalk's organization code
    append16(b, net.ethertype);
  } else if (choice < 92) {
    constexpr uint8_t kSaps[] = {0x06, 0xfe, 0xe0, 0xf0, 0x42, 0x04};
    const uint8_t sap = kSaps[rng.below(sizeof kSaps)];
    b.push_back(sap);
    b.push_back(rng.percent(80) ? sap : rng.byte());
    b.push_back(rng.percent(70) ? 0x03 : rng.byte());
  } else {
    append_random(b, rng, 1 + rng.below(8));
  }
  append(b, net.bytes);
  return b;
}

std::array<uint8_t, 6> wlan_address(Rng& rng) {
  if (rng.percent(10)) return {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  if (rng.percent(10)) return {0x01, 0x00, 0x5e, 0x00, 0x00, rng.byte()};
  return rng.pick(mac_pool()).bytes;
}

// An 802.11 frame: management, control or data, any direction, QoS or not,
// with 4 addresses between access points; data frames carry LLC. `pad_to`
// is where the header starts relative to a 4-byte boundary when radiotap
// announces padding (-1: no padding).
Bytes ieee80211_frame(Rng& rng, int pad_from) {
  const uint32_t kind = rng.below(100);
  const uint8_t type = kind < 60 ? 0x08 : kind < 80 ? 0x00 : kind < 95 ? 0x04 : 0x0c;
  uint8_t fc0 = static_cast<uint8_t>(type | (rng.below(16) << 4));
  if (type == 0x04 && rng.percent(40)) fc0 = rng.percent(50) ? 0xc4 : 0xd4;  // CTS, ACK
  const uint8_t fc1 = static_cast<uint8_t>(rng.below(4) | (rng.percent(20) ? rng.byte() & 0xfc : 0));
  Bytes b = {fc0, fc1};
  append16(b, rng.below(0x8000));
  append(b, wlan_address(rng));
  if (type == 0x04 && (fc0 == 0xc4 || fc0 == 0xd4)) return b;
  append(b, wlan_address(rng));
  if (type == 0x04) return b;
  append(b, wlan_address(rng));
  append16(b, rng.below(0x10000));
  if ((fc1 & 3) == 3) append(b, wlan_address(rng));
  if (type == 0x08 && (fc0 & 0x80) != 0) append16(b, rng.below(0x10000));
  if (pad_from >= 0) {
    while ((pad_from + b.size()) % 4 != 0) b.push_back(0);
  }
  if (type == 0x08 && (fc0 & 0x40) == 0) {
    append(b, llc_payload(rng));
  } else {
    append_random(b, rng, rng.below(24));
  }
  return b;
}

void append16le(Bytes& b, uint32_t v) {
  b.push_back(static_cast<uint8_t>(v));
  b.push_back(static_cast<uint8_t>(v >> 8));
}
void append32le(Bytes& b, uint32_t v) {
  append16le(b, v & 0xffff);
  append16le(b, v >> 16);
}

// Radiotap: a TSFT, flags (with the data-padding bit) and rate field, in
// the order and alignment the standard gives; sometimes a second present
// word, sometimes a length that does not match.
Bytes radiotap(Rng& rng) {
  const bool tsft = rng.percent(50), flags = rng.percent(70), ext = rng.percent(12), rate = rng.percent(50);
  const bool datapad = flags && rng.percent(50);
  uint32_t present = (tsft ? 1u : 0u) | (flags ? 2u : 0u) | (rate ? 4u : 0u) | (ext ? 0x80000000u : 0u);
  Bytes b = {0, 0, 0, 0};
  append32le(b, present);
  if (ext) append32le(b, rng.below(4));
  if (tsft) {
    while (b.size() % 8 != 0) b.push_back(0);
    append_random(b, rng, 8);
  }
  if (flags) b.push_back(static_cast<uint8_t>((datapad ? 0x20 : 0) | (rng.percent(20) ? 0x10 : 0)));
  if (rate) b.push_back(static_cast<uint8_t>(2 + rng.below(100)));
  if (rng.percent(30)) append_random(b, rng, rng.below(12));
  uint32_t length = static_cast<uint32_t>(b.size());
  if (rng.percent(5)) length = rng.below(64);
  b[2] = static_cast<uint8_t>(length);
  b[3] = static_cast<uint8_t>(length >> 8);
  append(b, ieee80211_frame(rng, datapad ? static_cast<int>(b.size() % 4) : -1));
  return b;
}

// Prism's 144-byte header, or the AVS header some drivers give instead
// (recognized by its cookie, with its length at offset 4).
Bytes prism_or_avs(Rng& rng, bool avs) {
  Bytes b;
  if (avs) {
    append32(b, 0x80211000u | rng.below(3));
    const uint32_t length = rng.percent(90) ? 64 : rng.below(100);
    append32(b, length);
    append_random(b, rng, 56);
  } else {
    append32(b, rng.percent(90) ? 0x00000044u : static_cast<uint32_t>(rng.next()));
    append32(b, 144);
    append_random(b, rng, 136);
  }
  append(b, ieee80211_frame(rng, -1));
  return b;
}

// PPI: the encapsulated link type (802.11 mostly), a header length counting
// some fields.
Bytes ppi(Rng& rng) {
  Bytes b = {0, 0, 0, 0};
  append32le(b, rng.percent(85) ? 105 : 1);
  append_random(b, rng, 4 * rng.below(8));
  const uint32_t length = static_cast<uint32_t>(b.size());
  b[2] = static_cast<uint8_t>(length);
  b[3] = static_cast<uint8_t>(length >> 8);
  append(b, ieee80211_frame(rng, -1));
  return b;
}

// FDDI, Token Ring and RFC 2625 IP over Fibre Channel: a MAC header with
// MAC-48 addresses, then LLC.
Bytes llc_link(Rng& rng, uint32_t linktype) {
  Bytes b;
  if (linktype == kDltFddi) b.push_back(rng.percent(80) ? 0x50 : rng.byte());
  if (linktype == kDltIeee802) b = {0x10, 0x40};
  if (linktype == kDltIpOverFc) append16(b, 0x1000);
  append(b, wlan_address(rng));
  if (linktype == kDltIpOverFc) append16(b, 0x1000);
  append(b, rng.pick(mac_pool()).bytes);
  append(b, llc_payload(rng));
  return b;
}

// Ethernet behind a netANALYZER pseudo-header (4 bytes), and for the
// transparent form also the preamble and start-of-frame delimiter.
Bytes netanalyzer(Rng& rng, bool transparent) {
  Bytes b;
  append_random(b, rng, 4);
  if (transparent) append(b, std::array<uint8_t, 8>{0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0xd5});
  append(b, ethernet(rng));
  return b;
}

// Ethernet with a 4-byte switch tag after the addresses: Broadcom's (opcode
// in the top 3 bits: 0 to the CPU, 1 from it) or Marvell's DSA (mode in the
// top 2 bits).
Bytes dsa_tagged(Rng& rng) {
  Bytes frame = ethernet(rng);
  Bytes tag;
  tag.push_back(static_cast<uint8_t>((rng.below(4) << 6) | (rng.below(2) << 5) | (rng.byte() & 0x1f)));
  append_random(tag, rng, 3);
  frame.insert(frame.begin() + 12, tag.begin(), tag.end());
  return frame;
}

// One-byte station addresses, the corpus' among them.
uint8_t mac8_address(Rng& rng) {
  constexpr uint8_t kAddresses[] = {0x00, 0x0e, 0x8c, 0xa4, 0xa8, 0xb3, 0x01, 0xff};
  return rng.percent(85) ? kAddresses[rng.below(sizeof kAddresses)] : rng.byte();
}

// ARCnet (RFC 1201 and RFC 1051 system codes), source first; the Linux form
// has a 2-byte offset field before the system code.
Bytes arcnet(Rng& rng, bool linux_form) {
  constexpr uint8_t kSystemCodes[] = {0xd4, 0xd5, 0xd6, 0xdd, 0xc4, 0xf0, 0xf1, 0xfa};
  Bytes b = {mac8_address(rng), mac8_address(rng)};
  if (linux_form) append_random(b, rng, 2);
  const uint8_t code = rng.percent(90) ? kSystemCodes[rng.below(sizeof kSystemCodes)] : rng.byte();
  b.push_back(code);
  append_random(b, rng, 3);  // split flag, sequence number
  if (code == 0xc4) {
    append(b, ipv6(rng));
  } else if (code == 0xd5 || code == 0xd6) {
    append(b, arp(rng, code == 0xd6));
  } else {
    append(b, ipv4(rng));
  }
  return b;
}

// BACnet MS/TP: preamble, frame type, destination, source, length, CRC.
Bytes bacnet_mstp(Rng& rng) {
  Bytes b = {0x55, 0xff, static_cast<uint8_t>(rng.below(8)), mac8_address(rng), mac8_address(rng)};
  append_random(b, rng, 3 + rng.below(24));
  return b;
}

// SunATM: the pseudo-header (flags and protocol type, VPI, VCI), then an
// LLC-encapsulated PDU, LANE-encapsulated Ethernet (after a LEC ID, or an
// LE control frame) or a signalling PDU with a Q.2931 message type.
Bytes sunatm(Rng& rng) {
  constexpr uint8_t kProtocols[] = {0x01, 0x02, 0x02, 0x05, 0x06, 0x00};
  constexpr uint8_t kVpis[] = {0, 0, 100, 101, 102, 1};
  constexpr uint16_t kVcis[] = {1, 2, 3, 4, 5, 16, 20001, 20002, 20004, 20005, 10, 0xdb, 0700, 32};
  constexpr uint8_t kMessages[] = {0x05, 0x02, 0x07, 0x0f, 0x4d, 0x5a, 0x01};
  const uint8_t protocol = rng.percent(90) ? kProtocols[rng.below(sizeof kProtocols)] : rng.byte();
  Bytes b = {static_cast<uint8_t>((rng.byte() & 0xf0) | (protocol & 0x0f))};
  b.push_back(rng.percent(90) ? kVpis[rng.below(sizeof kVpis)] : rng.byte());
  append16(b, rng.percent(90) ? kVcis[rng.below(sizeof kVcis / sizeof kVcis[0])] : static_cast<uint32_t>(rng.below(65536)));
  switch (protocol & 0x0f) {
    case 0x01:
      append16(b, rng.percent(20) ? 0xff00 : rng.below(256));
      append(b, ethernet(rng));
      break;
    case 0x02: append(b, llc_payload(rng)); break;
    default:
      append_random(b, rng, 5);
      b.push_back(kMessages[rng.below(sizeof kMessages)]);
      append_random(b, rng, rng.below(16));
      break;
  }
  return b;
}

// A network packet behind `prefix_length` bytes of which the Ethernet type
// (or 16-bit protocol) is at `type_offset`.
Bytes typed_prefix(Rng& rng, uint32_t type_offset, uint32_t prefix_length) {
  NetworkPacket net = network_packet(rng, false, true);
  Bytes b;
  append_random(b, rng, type_offset);
  append16(b, rng.percent(90) ? net.ethertype : static_cast<uint32_t>(rng.below(65536)));
  if (b.size() < prefix_length) append_random(b, rng, prefix_length - static_cast<uint32_t>(b.size()));
  append(b, net.bytes);
  return b;
}

// PPP after `type_offset` bytes (PPPoE session header, BSD/OS PPP header),
// with VJ-compressed protocol numbers now and then.
Bytes ppp_at(Rng& rng, uint32_t type_offset, uint32_t prefix_length) {
  constexpr uint16_t kProtocols[] = {0x0021, 0x0057, 0x002d, 0x002f, 0x0023, 0x0029};
  Bytes b;
  append_random(b, rng, type_offset);
  const uint16_t protocol = rng.percent(90) ? kProtocols[rng.below(6)] : static_cast<uint16_t>(rng.next());
  append16(b, protocol);
  if (b.size() < prefix_length) append_random(b, rng, prefix_length - static_cast<uint32_t>(b.size()));
  append(b, protocol == 0x0057 ? ipv6(rng) : ipv4(rng));
  return b;
}

// OpenBSD enc: an address family in either byte order, SPI and flags.
Bytes enc(Rng& rng) {
  constexpr uint32_t kFamilies[] = {2, 24, 28, 30, 10};
  const uint32_t af = kFamilies[rng.below(5)];
  Bytes b;
  append32(b, rng.percent(50) ? af : (af << 24));
  append_random(b, rng, 8);
  append(b, af == 2 ? ipv4(rng) : ipv6(rng));
  return b;
}

// Solaris ipnet: version, family, direction (htype), then the rest of the
// 24-byte header.
Bytes ipnet(Rng& rng) {
  const uint8_t family = rng.percent(90) ? (rng.percent(50) ? 2 : 26) : rng.byte();
  Bytes b = {1, family};
  append16(b, rng.percent(90) ? 1 + rng.below(2) : rng.below(65536));
  append_random(b, rng, 20);
  append(b, family == 26 ? ipv6(rng) : ipv4(rng));
  return b;
}

// Frame Relay: a 2-byte DLCI, the Q.933 control byte and an NLPID.
Bytes frelay(Rng& rng) {
  constexpr uint8_t kNlpids[] = {0xcc, 0x8e, 0x81, 0x82, 0x83, 0x80};
  Bytes b;
  append_random(b, rng, 2);
  b.push_back(rng.percent(90) ? 0x03 : rng.byte());
  const uint8_t nlpid = kNlpids[rng.below(6)];
  b.push_back(nlpid);
  append(b, nlpid == 0x8e ? ipv6(rng) : ipv4(rng));
  return b;
}

// Juniper: the "MGC" magic number (now and then not), flags with the
// direction bit, then what the link type's payload offset skips, and IP.
Bytes juniper(Rng& rng, uint32_t payload_offset) {
  Bytes b = {0x4d, 0x47, 0x43};
  if (rng.percent(10)) b[static_cast<size_t>(rng.below(3))] = rng.byte();
  b.push_back(rng.byte());
  if (payload_offset > 4) append_random(b, rng, payload_offset - 4);
  append(b, rng.percent(50) ? ipv4(rng) : ipv6(rng));
  return b;
}

// pflog: the header (its length rounded up to 4 by readers; 61 on OpenBSD),
// with the interface, ruleset and rule numbers the corpus names now and
// then, the address family as Linux or a BSD writes it, then IPv4 or IPv6.
Bytes pflog(Rng& rng) {
  constexpr uint8_t kLengths[] = {61, 64, 68, 45};
  constexpr uint8_t kFamilies[] = {2, 10, 24, 28, 30, 1, 26};
  Bytes b;
  const uint8_t length = rng.percent(90) ? kLengths[rng.below(sizeof kLengths)] : rng.byte();
  b.push_back(length);
  const uint8_t af = rng.percent(90) ? kFamilies[rng.below(sizeof kFamilies)] : rng.byte();
  b.push_back(af);
  b.push_back(static_cast<uint8_t>(rng.below(rng.percent(80) ? 20 : 256)));  // action
  b.push_back(static_cast<uint8_t>(rng.below(rng.percent(80) ? 20 : 256)));  // reason
  auto name = [&](const char* text) {
    Bytes field(16, 0);
    if (rng.percent(40)) {
      for (size_t i = 0; text[i] != 0 && i < 15; ++i) field[i] = static_cast<uint8_t>(text[i]);
    } else if (rng.percent(30)) {
      for (size_t i = 0; i < 15; ++i) field[i] = rng.byte();
    }
    append(b, field);
  };
  name("testname1");
  name("testruleset2");
  append32(b, rng.percent(30) ? 0x456789 : static_cast<uint32_t>(rng.below(1000)));  // rule number
  append32(b, rng.percent(30) ? 123 : static_cast<uint32_t>(rng.below(1000)));       // sub-rule number
  append_random(b, rng, 16);                                                            // uid, pid, rule uid, rule pid
  b.push_back(rng.percent(90) ? static_cast<uint8_t>(rng.below(3)) : rng.byte());       // direction
  const size_t padded = (static_cast<size_t>(length) + 3) & ~size_t{3};
  if (b.size() < padded) {
    append_random(b, rng, static_cast<uint32_t>(padded - b.size()));
  } else {
    b.resize(padded);
  }
  const bool v6 = af == 10 || af == 24 || af == 28 || af == 30 ? rng.percent(90) : rng.percent(20);
  append(b, v6 ? ipv6(rng) : ipv4(rng));
  return b;
}

// MTP2 signal units, plain or high-speed (12-bit sequence numbers, 9-bit
// length indicator), with MTP3 routing labels from the corpus' values:
// SIO, then DPC, OPC and SLS packed little-endian into 32 bits.
Bytes mtp2(Rng& rng) {
  constexpr uint32_t kPointCodes[] = {0x31d6, 0x1273, 0x1274, 0x1275, 0x1276, 0x3b35, 0x607, 0x608,
                                      0x609,  0x60a,  0x0ab5, 0x0ab6, 0x0ab7, 0x0ab8, 0x3aba, 0x3fff};
  constexpr uint8_t kSios[] = {0xd2, 0xa1, 0xa2, 0xa4, 0xa5, 73, 74, 75, 0x41, 0x42, 0x43, 0x44, 0x03};
  auto point_code = [&] {
    return rng.percent(80) ? kPointCodes[rng.below(sizeof kPointCodes / sizeof kPointCodes[0])]
                           : static_cast<uint32_t>(rng.below(0x4000));
  };
  auto label = [&](Bytes& b) {
    b.push_back(rng.percent(85) ? kSios[rng.below(sizeof kSios)] : rng.byte());
    const uint32_t sls = static_cast<uint32_t>(rng.below(16));
    const uint32_t word = point_code() | (point_code() << 14) | (sls << 28);
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(word >> (8 * i)));
  };
  Bytes b;
  if (rng.percent(50)) {
    append_random(b, rng, 2);  // BSN, FSN
    const uint8_t li = rng.percent(85) ? static_cast<uint8_t>(rng.below(5)) : rng.byte();
    b.push_back(static_cast<uint8_t>((rng.byte() & 0xc0) | (li & 0x3f)));
    if (rng.percent(80)) label(b);
  } else {
    append_random(b, rng, 4);  // 12-bit BSN and FSN with their bits
    const uint32_t li = rng.percent(85) ? static_cast<uint32_t>(rng.below(5)) : static_cast<uint32_t>(rng.below(512));
    append16(b, (li << 7) | (rng.byte() & 0x7f));
    if (rng.percent(80)) label(b);
  }
  append_random(b, rng, rng.below(24));
  return b;
}

Bytes link_packet(uint32_t linktype, Rng& rng) {
  switch (linktype) {
    case kDltEn10mb: return ethernet(rng);
    case kDltNull: return loopback(rng, false);
    case kDltLoop: return loopback(rng, true);
    case kDltLinuxSll: return linux_sll(rng);
    case kDltLinuxSll2: return linux_sll2(rng);
    case kDltIpv4: return raw_ip(rng, true, false);
    case kDltIpv6: return raw_ip(rng, false, true);
    case kDltIeee80211: return ieee80211_frame(rng, -1);
    case kDltIeee80211Radio: return radiotap(rng);
    case kDltPrismHeader: return prism_or_avs(rng, rng.percent(15));
    case kDltIeee80211RadioAvs: return prism_or_avs(rng, true);
    case kDltPpi: return ppi(rng);
    case kDltFddi:
    case kDltIeee802:
    case kDltIpOverFc: return llc_link(rng, linktype);
    case kDltPflog: return pflog(rng);
    case kDltSunatm: return sunatm(rng);
    case kDltAtmClip:
    case kDltAtmRfc1483: return llc_payload(rng);
    case kDltSymantecFirewall: return typed_prefix(rng, 6, 44);
    case kDltAppleIpOverIeee1394: return typed_prefix(rng, 16, 18);
    case kDltPppEther: return ppp_at(rng, 6, 8);
    case kDltPppBsdos: return ppp_at(rng, 5, 24);
    case kDltSlipBsdos: {
      Bytes b;
      append_random(b, rng, 24);
      append(b, rng.percent(50) ? ipv4(rng) : ipv6(rng));
      return b;
    }
    case kDltLtalk: {
      Bytes b;
      append_random(b, rng, 3 + rng.below(40));
      return b;
    }
    case kDltEnc: return enc(rng);
    case kDltIpnet: return ipnet(rng);
    case kDltFrelay: return frelay(rng);
    // SLIP: libpcap's 16-byte header (direction first), then IP.
    case kDltSlip: {
      Bytes b = {static_cast<uint8_t>(rng.below(3))};
      append_random(b, rng, 15);
      append(b, rng.percent(50) ? ipv4(rng) : ipv6(rng));
      return b;
    }
    // Cisco HDLC: address, control, an Ethernet type (0xfefe for OSI).
    case kDltCHdlc: return typed_prefix(rng, 2, 4);
    case kDltJuniperMfr:
    case kDltJuniperPpp: return juniper(rng, 4);
    case kDltJuniperAtm2: return juniper(rng, 8);
    case kDltJuniperEther: return juniper(rng, 14 + 18);
    case kDltJuniperGgsn:
    case kDltJuniperMonitor: return juniper(rng, 12);
    case kDltArcnet: return arcnet(rng, false);
    case kDltArcnetLinux: return arcnet(rng, true);
    case kDltBacnetMsTp: return bacnet_mstp(rng);
    case kDltNetanalyzer: return netanalyzer(rng, false);
    case kDltNetanalyzerTransparent: return netanalyzer(rng, true);
    case kDltDsaTagBrcm:
    case kDltDsaTagDsa: return dsa_tagged(rng);
    case kDltMtp2: return mtp2(rng);
    default: return raw_ip(rng, true, true);
  }
}

}  // namespace

std::vector<Packet> synthesize_packets(uint32_t linktype, int count, uint64_t seed) {
  Rng rng(seed ^ (uint64_t{linktype} << 32));
  std::vector<Packet> packets;
  for (int i = 0; i < count; ++i) {
    Packet packet;
    packet.bytes = link_packet(linktype, rng);
    packet.wirelen = static_cast<uint32_t>(packet.bytes.size());
    if (rng.percent(10)) packet.wirelen += 1 + rng.below(1500);  // captured with a short snaplen
    packet.origin = "synthetic packet " + std::to_string(i + 1) + " for DLT " + std::to_string(linktype);
    packets.push_back(std::move(packet));
  }
  return packets;
}

}  // namespace bpfc::difftest
