#include "synthetic_packets.h"

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

Bytes link_packet(uint32_t linktype, Rng& rng) {
  switch (linktype) {
    case kDltEn10mb: return ethernet(rng);
    case kDltNull: return loopback(rng, false);
    case kDltLoop: return loopback(rng, true);
    case kDltLinuxSll: return linux_sll(rng);
    case kDltLinuxSll2: return linux_sll2(rng);
    case kDltIpv4: return raw_ip(rng, true, false);
    case kDltIpv6: return raw_ip(rng, false, true);
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
