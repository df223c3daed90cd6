#include "crafted_frames.h"

#include <initializer_list>

namespace bpfc::bench {
namespace {

constexpr uint8_t kTcp = 6, kUdp = 17;
constexpr uint8_t kSyn = 0x02, kFin = 0x01, kAck = 0x10;

struct Frame {
  std::vector<uint8_t> bytes;

  void put(std::initializer_list<uint8_t> values) { bytes.insert(bytes.end(), values); }
  void put16(uint16_t value) { put({static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)}); }
  void put32(uint32_t value) {
    put16(static_cast<uint16_t>(value >> 16));
    put16(static_cast<uint16_t>(value));
  }
  void zeros(size_t n) { bytes.insert(bytes.end(), n, 0); }
};

// Ethernet addresses, an optional 802.1Q tag (VLAN 100), the EtherType.
Frame ethernet(uint16_t ether_type, bool tagged) {
  Frame f;
  f.put({0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02});
  if (tagged) {
    f.put16(0x8100);
    f.put16(100);
  }
  f.put16(ether_type);
  return f;
}

void ipv4_header(Frame& f, uint8_t protocol, uint32_t source, uint32_t destination, uint16_t payload) {
  f.put({0x45, 0});
  f.put16(static_cast<uint16_t>(20 + payload));
  f.put({0, 1, 0x40, 0, 64, protocol, 0, 0});  // id 1, DF, TTL 64, checksum not computed
  f.put32(source);
  f.put32(destination);
}

// 2001:db8::<source> -> 2001:db8::<destination>
void ipv6_header(Frame& f, uint8_t next_header, uint16_t source, uint16_t destination, uint16_t payload) {
  f.put({0x60, 0, 0, 0});
  f.put16(payload);
  f.put({next_header, 64});
  for (uint16_t host : {source, destination}) {
    f.put({0x20, 0x01, 0x0d, 0xb8});
    f.zeros(10);
    f.put16(host);
  }
}

void tcp_header(Frame& f, uint16_t source_port, uint16_t destination_port, uint8_t flags) {
  f.put16(source_port);
  f.put16(destination_port);
  f.put32(1000);
  f.put32(flags & kAck ? 2000 : 0);
  f.put({0x50, flags});
  f.put16(502);
  f.zeros(4);
}

void udp_header(Frame& f, uint16_t source_port, uint16_t destination_port, uint16_t payload) {
  f.put16(source_port);
  f.put16(destination_port);
  f.put16(static_cast<uint16_t>(8 + payload));
  f.zeros(2);
  f.zeros(payload);
}

constexpr uint32_t ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return static_cast<uint32_t>(a) << 24 | static_cast<uint32_t>(b) << 16 | static_cast<uint32_t>(c) << 8 | d;
}

std::vector<uint8_t> tcp4(bool tagged, uint32_t source, uint32_t destination, uint16_t source_port,
                          uint16_t destination_port, uint8_t flags) {
  Frame f = ethernet(0x0800, tagged);
  ipv4_header(f, kTcp, source, destination, 20);
  tcp_header(f, source_port, destination_port, flags);
  return f.bytes;
}

std::vector<uint8_t> tcp6(bool tagged, uint16_t source, uint16_t destination, uint16_t source_port,
                          uint16_t destination_port, uint8_t flags) {
  Frame f = ethernet(0x86dd, tagged);
  ipv6_header(f, kTcp, source, destination, 20);
  tcp_header(f, source_port, destination_port, flags);
  return f.bytes;
}

std::vector<uint8_t> udp4(bool tagged, uint32_t source, uint32_t destination, uint16_t destination_port) {
  Frame f = ethernet(0x0800, tagged);
  ipv4_header(f, kUdp, source, destination, 8 + 32);
  udp_header(f, 40000, destination_port, 32);
  return f.bytes;
}

std::vector<uint8_t> udp6(bool tagged, uint16_t source, uint16_t destination, uint16_t destination_port) {
  Frame f = ethernet(0x86dd, tagged);
  ipv6_header(f, kUdp, source, destination, 8 + 32);
  udp_header(f, 40000, destination_port, 32);
  return f.bytes;
}

std::vector<uint8_t> arp_request(uint32_t sender, uint32_t target) {
  Frame f = ethernet(0x0806, false);
  f.put({0, 1, 0x08, 0, 6, 4, 0, 1});
  f.put({0x02, 0, 0, 0, 0, 0x02});
  f.put32(sender);
  f.zeros(6);
  f.put32(target);
  f.zeros(18);  // padding to the 60-byte minimum
  return f.bytes;
}

}  // namespace

std::vector<std::vector<uint8_t>> crafted_frames() {
  const uint32_t outside = ipv4(203, 0, 113, 7), inside = ipv4(10, 0, 0, 16), server = ipv4(198, 51, 100, 9);
  return {
      tcp4(false, outside, inside, 51000, 80, kSyn),            // SYN from outside 10/8, port 80
      tcp4(false, inside, server, 40001, 80, kFin | kAck),      // FIN from inside 10/8
      tcp4(false, server, outside, 443, 51002, kSyn | kAck),    // SYN-ACK, neither end in 10/8
      tcp4(false, outside, server, 51003, 8080, kAck),          // plain ACK: no SYN, no FIN
      tcp6(false, 1, 2, 443, 50000, kSyn | kAck),               // IPv6 SYN-ACK
      tcp6(true, 5, 6, 50001, 80, kSyn),                        // tagged IPv6 TCP SYN to port 80
      tcp6(true, 7, 8, 22, 50002, kAck),                        // tagged IPv6 TCP ACK
      tcp4(true, outside, inside, 51004, 80, kSyn),             // tagged IPv4 TCP SYN to port 80
      udp4(false, inside, ipv4(192, 0, 2, 53), 53),             // DNS query
      udp4(false, ipv4(192, 0, 2, 53), inside, 40002),          // UDP from port 40000, to another port
      udp6(false, 3, 4, 53),                                    // IPv6 DNS query
      udp6(true, 3, 4, 53),                                     // tagged IPv6 DNS query
      arp_request(inside, ipv4(10, 0, 0, 1)),
  };
}

PacketSet with_crafted_frames(const PacketSet& base, size_t every) {
  const std::vector<std::vector<uint8_t>> crafted = crafted_frames();
  PacketSet set;
  size_t next_crafted = 0;
  auto append = [&set](const uint8_t* bytes, size_t length) {
    set.packets.push_back({set.bytes.size(), static_cast<uint32_t>(length)});
    set.bytes.insert(set.bytes.end(), bytes, bytes + length);
  };
  for (size_t i = 0; i < base.packets.size(); ++i) {
    append(base.data(base.packets[i]), base.packets[i].length);
    if (every != 0 && (i + 1) % every == 0) {
      const std::vector<uint8_t>& frame = crafted[next_crafted++ % crafted.size()];
      append(frame.data(), frame.size());
    }
  }
  return set;
}

}  // namespace bpfc::bench
