// Hand-built packets for the lowering tests.
#include "lower_test_packets.h"

#include <initializer_list>
#include <map>
#include <mutex>

namespace bpfc::lowertest {

namespace {

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
Bytes be16(uint32_t v) { return {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}; }
Bytes be32(uint32_t v) {
  return {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8),
          static_cast<uint8_t>(v)};
}
Bytes le32(uint32_t v) {
  return {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v >> 16),
          static_cast<uint8_t>(v >> 24)};
}
Bytes fill(size_t n, uint8_t v) { return Bytes(n, v); }

const Bytes kMacA = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
const Bytes kMacB = {0xaa, 0x00, 0x04, 0x00, 0x14, 0x0e};
const Bytes kMacBroadcast = fill(6, 0xff);
const Bytes kMacMulticast = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};

Bytes eth(uint32_t type, const Bytes& payload, const Bytes& dst = kMacA, const Bytes& src = kMacB) {
  return cat({dst, src, be16(type), payload});
}
// An 802.3 frame: the type field is the length of what follows.
Bytes eth8023(const Bytes& payload, const Bytes& dst = kMacA) {
  return cat({dst, kMacB, be16(static_cast<uint32_t>(payload.size())), payload});
}

Bytes ipv4(uint8_t proto, const Bytes& payload, uint32_t src = 0x0a000001, uint32_t dst = 0x7f000001,
           uint16_t frag = 0x4000, const Bytes& options = {}) {
  const auto ihl = static_cast<uint8_t>(0x40 | ((20 + options.size()) / 4));
  const auto total = static_cast<uint32_t>(20 + options.size() + payload.size());
  return cat({{ihl, 0x00},
              be16(total),
              be16(0x1234),
              be16(frag),
              {64, proto},
              be16(0),
              be32(src),
              be32(dst),
              options,
              payload});
}

using V6 = Bytes;
const V6 kV6Loopback = cat({fill(15, 0), {1}});
const V6 kV6LinkLocal = cat({{0xfe, 0x80}, fill(13, 0), {1}});
const V6 kV6Multicast = cat({{0xff, 0x02}, fill(13, 0), {1}});
const V6 kV6Corpus = {0xfd, 0x00, 0xa1, 0xb2, 0xc3, 0xd4, 0,    0,
                      0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80};

Bytes ipv6(uint8_t nh, const Bytes& payload, const V6& src = kV6LinkLocal, const V6& dst = kV6Loopback) {
  return cat({{0x60, 0, 0, 0}, be16(static_cast<uint32_t>(payload.size())), {nh, 64}, src, dst, payload});
}
Bytes ext(uint8_t nh, const Bytes& rest = fill(6, 0)) { return cat({{nh, 0}, rest}); }
Bytes frag6(uint8_t nh, uint16_t offset = 0) { return cat({{nh, 0}, be16(offset), be32(7)}); }
Bytes ah(uint8_t nh) { return cat({{nh, 4, 0, 0}, be32(0x100), be32(1), fill(12, 0)}); }

Bytes tcp(uint16_t sport, uint16_t dport, uint8_t flags = 0x02) {
  return cat({be16(sport), be16(dport), be32(1), be32(0), {0x50, flags}, be16(512), be16(0), be16(0)});
}
Bytes udp(uint16_t sport, uint16_t dport, const Bytes& payload = fill(4, 0x61)) {
  return cat({be16(sport), be16(dport), be16(static_cast<uint32_t>(8 + payload.size())), be16(0), payload});
}
Bytes sctp(uint16_t sport, uint16_t dport) {
  return cat({be16(sport), be16(dport), be32(9), be32(0), {1, 0}, be16(4)});
}
Bytes icmp(uint8_t type) { return cat({{type, 0}, be16(0), be16(1), be16(2), fill(8, 0x55)}); }
Bytes arp(uint16_t op, uint32_t spa, uint32_t tpa) {
  return cat({be16(1), be16(0x0800), {6, 4}, be16(op), kMacB, be32(spa), fill(6, 0), be32(tpa)});
}

Bytes geneve(const Bytes& inner, uint32_t proto = 0x6558, uint8_t optwords = 0, uint32_t vni = 0x123456) {
  return cat({{optwords, 0}, be16(proto), be32(vni << 8), fill(4u * optwords, 0x07), inner});
}
Bytes vxlan(const Bytes& inner, uint32_t vni = 0x123456, uint8_t flags = 0x08) {
  return cat({{flags, 0, 0, 0}, be32(vni << 8), inner});
}
Bytes mpls(uint32_t label, bool bottom, const Bytes& inner) {
  return cat({be32((label << 12) | (bottom ? 0x100 : 0) | 64), inner});
}
Bytes pppoe_session(uint16_t session, uint32_t ppp_proto, const Bytes& inner) {
  return cat(
      {{0x11, 0x00}, be16(session), be16(static_cast<uint32_t>(inner.size() + 2)), be16(ppp_proto), inner});
}

// Network-layer datagrams, each with the Ethernet type that carries it.
struct Datagram {
  uint32_t ethertype;
  Bytes bytes;
};

std::vector<Datagram> datagrams() {
  const Bytes tcp80 = tcp(12345, 80);
  std::vector<Datagram> d = {
      {0x0800, ipv4(6, tcp80)},
      {0x0800, ipv4(6, tcp(80, 1023), 0x7f000001, 0x0a000002)},
      {0x0800, ipv4(6, tcp(22, 20), 0xc0a8aad3, 0x0a000002)},
      {0x0800, ipv4(17, udp(53, 5353))},
      {0x0800, ipv4(17, udp(1024, 7), 0x0a000001, 0xffffffff)},
      {0x0800, ipv4(17, udp(68, 67), 0, 0xc0a801ff)},
      {0x0800, ipv4(132, sctp(5672, 2000), 0xc0a80001, 0xe0000001)},
      {0x0800, ipv4(1, icmp(8), 0x0a141e28, 0x7f000001)},
      {0x0800, ipv4(2, icmp(0x11), 0x0a000001, 0xe00000fb)},
      {0x0800, ipv4(112, fill(20, 0x21), 0xc0a80101, 0xe0000012)},
      {0x0800, ipv4(103, fill(20, 0x20))},
      {0x0800, ipv4(9, fill(16, 0x09))},
      {0x0800, ipv4(51, ah(6))},
      {0x0800, ipv4(50, fill(24, 0x32))},
      {0x0800, ipv4(6, tcp(80, 80), 0x0a000001, 0x7f000001, 0x2001)},              // later fragment
      {0x0800, ipv4(17, udp(7, 7), 0x0a000001, 0x7f000001, 0x2000)},               // first fragment
      {0x0800, ipv4(6, tcp(7, 443), 0x0a000001, 0x7f000001, 0x4000, fill(4, 1))},  // options
      {0x0800, ipv4(17, udp(6081, 6081, geneve(eth(0x0800, ipv4(6, tcp(1, 80))))))},
      {0x0800, ipv4(17, udp(5000, 6081, geneve(ipv4(17, udp(53, 53)), 0x0800, 1)))},
      {0x0800, ipv4(17, udp(5000, 4789, vxlan(eth(0x86dd, ipv6(17, udp(53, 80))))))},
      {0x0800, ipv4(17, udp(5000, 4789, vxlan(eth(0x0806, arp(1, 0x7f000001, 0x0a000001)))))},
      {0x86dd, ipv6(6, tcp(443, 80))},
      {0x86dd, ipv6(17, udp(53, 7), kV6Corpus, kV6Multicast)},
      {0x86dd, ipv6(58, icmp(128), kV6Loopback, kV6Corpus)},
      {0x86dd, ipv6(132, sctp(1, 5672))},
      {0x86dd, ipv6(0, cat({ext(60), ext(43), frag6(17), udp(7, 7)}))},
      {0x86dd, ipv6(44, cat({frag6(6), tcp(80, 22)}))},
      {0x86dd, ipv6(51, cat({ah(17), udp(1, 2)}))},
      {0x86dd, ipv6(59, fill(8, 0))},
      {0x86dd, ipv6(17, udp(1, 6081, geneve(eth(0x0800, ipv4(1, icmp(0))), 0x6558, 2)))},
      {0x0806, arp(1, 0x7f000001, 0x0a000001)},
      {0x0806, arp(2, 0xc0a80001, 0x7f000001)},
      {0x8035, arp(3, 0x0a141e28, 0xc0a80001)},
      {0x6003, fill(20, 0x26)},
      // DECnet routing headers: long, long after a pad byte, short (1.2 -> 10.20).
      {0x6003, cat({{0x20, 0x00, 0x06, 0, 0, 0xaa, 0, 4, 0, 0x02, 0x04, 0, 0, 0xaa, 0, 4, 0, 0x14, 0x28},
                    fill(8, 0)})},
      {0x6003,
       cat({{0x20, 0x00, 0x81, 0x0e, 0, 0, 0xaa, 0, 4, 0, 0x14, 0x28, 0, 0, 0xaa, 0, 4, 0, 0x02, 0x04},
            fill(8, 0)})},
      {0x6003, cat({{0x10, 0x00, 0x02, 0x02, 0x04, 0x14, 0x28, 0x00}, fill(8, 0)})},
      {0x6004, fill(20, 0x00)},
      {0x6001, fill(20, 0x01)},
      {0x809b, fill(20, 0x02)},
      {0x8137, fill(30, 0xff)},
      {0x88cc, fill(20, 0x02)},
  };
  return d;
}

// Ethernet frames: every datagram, plus what only Ethernet carries.
std::vector<Bytes> ethernet_frames() {
  std::vector<Bytes> out;
  for (const Datagram& d : datagrams()) out.push_back(eth(d.ethertype, d.bytes));
  const Bytes ip_tcp = ipv4(6, tcp(1234, 80));
  const Bytes ip6_udp = ipv6(17, udp(53, 53));
  out.push_back(eth(0x0800, ip_tcp, kMacBroadcast));
  out.push_back(eth(0x0800, ip_tcp, kMacMulticast, kMacA));
  out.push_back(eth(0x8100, cat({be16(0x0064), be16(0x0800), ip_tcp})));
  out.push_back(eth(0x8100, cat({be16(0x2064), be16(0x86dd), ip6_udp})));
  out.push_back(eth(0x88a8, cat({be16(0x00c8), be16(0x8100), be16(0x0064), be16(0x0800), ip_tcp})));
  out.push_back(eth(0x9100, cat({be16(0x0001), be16(0x0806), arp(1, 1, 2)})));
  out.push_back(eth(0x8100, cat({be16(0x0064), be16(0x8847), mpls(100, true, ip_tcp)})));
  out.push_back(eth(0x8847, mpls(100, true, ip_tcp)));
  out.push_back(eth(0x8847, mpls(100, false, mpls(1024, true, ip6_udp))));
  out.push_back(eth(0x8847, mpls(123, true, fill(20, 0x45))));
  out.push_back(eth(0x8863, cat({{0x11, 0x09}, be16(0), be16(4), fill(4, 0)})));
  out.push_back(eth(0x8864, pppoe_session(1234, 0x0021, ip_tcp)));
  out.push_back(eth(0x8864, pppoe_session(0x0281, 0x0057, ip6_udp)));
  out.push_back(eth(0x8864, pppoe_session(7, 0x0281, mpls(123, true, ip_tcp))));
  // 802.3 frames with 802.2 LLC headers.
  out.push_back(eth8023(cat({{0xfe, 0xfe, 0x03, 0x81}, fill(20, 0x11)})));  // CLNP
  out.push_back(eth8023(cat({{0xfe, 0xfe, 0x03, 0x82}, fill(20, 0x12)})));  // ES-IS
  out.push_back(
      eth8023(cat({{0xfe, 0xfe, 0x03, 0x83, 0x1b, 0x01, 0x00, 0x12}, fill(20, 0)})));  // IS-IS L1 LSP
  out.push_back(
      eth8023(cat({{0xfe, 0xfe, 0x03, 0x83, 0x1b, 0x01, 0x00, 0x19}, fill(20, 0)})));  // IS-IS L2 CSNP
  out.push_back(eth8023(cat({{0x42, 0x42, 0x03}, fill(35, 0)}), {0x01, 0x80, 0xc2, 0, 0, 0}));  // STP
  out.push_back(eth8023(cat({{0xf0, 0xf0, 0x03}, fill(20, 0)})));                               // NetBEUI
  out.push_back(eth8023(cat({{0xe0, 0xe0, 0x03}, fill(30, 0xff)})));                            // IPX 802.2
  out.push_back(eth8023(cat({{0xff, 0xff}, fill(30, 0)})));  // raw 802.3 IPX
  out.push_back(
      eth8023(cat({{0xaa, 0xaa, 0x03, 0x08, 0x00, 0x07, 0x80, 0x9b}, fill(20, 0)})));  // SNAP AppleTalk
  out.push_back(eth8023(cat({{0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x80, 0xf3}, fill(20, 0)})));  // SNAP AARP
  out.push_back(eth8023(cat({{0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x81, 0x37}, fill(20, 0)})));  // SNAP IPX
  out.push_back(eth8023(cat({{0x06, 0x06, 0x03}, ip_tcp})));  // IP over 802.2
  return out;
}

Bytes sll(uint32_t proto, const Bytes& payload, uint16_t pkttype = 0) {
  return cat({be16(pkttype), be16(1), be16(6), kMacB, be16(0), be16(proto), payload});
}
Bytes sll2(uint32_t proto, const Bytes& payload, uint8_t pkttype = 0) {
  return cat({be16(proto), be16(0), be32(3), be16(1), {pkttype, 6}, kMacB, be16(0), payload});
}

std::vector<Bytes> frames_for(int dlt) {
  std::vector<Bytes> out;
  const std::vector<Datagram> ds = datagrams();
  switch (dlt) {
    case 1: return ethernet_frames();
    case 113:  // LINUX_SLL
      for (const Datagram& d : ds)
        out.push_back(sll(d.ethertype, d.bytes, static_cast<uint16_t>(out.size() % 5)));
      out.push_back(sll(0x0004, cat({{0xfe, 0xfe, 0x03, 0x83, 0x1b, 0, 0, 0x12}, fill(20, 0)})));
      out.push_back(sll(0x0004, cat({{0x42, 0x42, 0x03}, fill(20, 0)})));
      out.push_back(sll(0x0004, cat({{0xe0, 0xe0, 0x03}, fill(20, 0)})));
      out.push_back(sll(0x0004, cat({{0xaa, 0xaa, 0x03, 0x08, 0x00, 0x07, 0x80, 0x9b}, fill(20, 0)})));
      out.push_back(sll(0x0001, fill(30, 0xff)));
      out.push_back(sll(0x8100, cat({be16(0x0064), be16(0x0800), ds[0].bytes})));
      out.push_back(sll(0x8864, pppoe_session(1, 0x0021, ds[0].bytes)));
      return out;
    case 276:  // LINUX_SLL2
      for (const Datagram& d : ds)
        out.push_back(sll2(d.ethertype, d.bytes, static_cast<uint8_t>(out.size() % 5)));
      out.push_back(sll2(0x0004, cat({{0x42, 0x42, 0x03}, fill(20, 0)})));
      out.push_back(sll2(0x00fe, fill(20, 0)));
      return out;
    case 0:    // NULL: AF_ value in the capturing host's byte order
    case 108:  // LOOP: network byte order
      for (const Datagram& d : ds) {
        if (d.ethertype != 0x0800 && d.ethertype != 0x86dd) continue;
        const std::vector<uint32_t> families =
            d.ethertype == 0x0800 ? std::vector<uint32_t>{2} : std::vector<uint32_t>{10, 24, 28, 30};
        for (uint32_t af : families) out.push_back(cat({dlt == 0 ? le32(af) : be32(af), d.bytes}));
      }
      out.push_back(cat({dlt == 0 ? le32(7) : be32(7), ds[0].bytes}));
      return out;
    case 12:   // RAW
    case 228:  // IPV4
    case 229:  // IPV6
      for (const Datagram& d : ds) {
        if (d.ethertype == 0x0800 || d.ethertype == 0x86dd) out.push_back(d.bytes);
      }
      out.push_back(cat({{0x50}, fill(30, 0)}));
      return out;
    case 9:    // PPP
    case 50:   // PPP_SERIAL
    case 166:  // PPP_PPPD
      for (const Datagram& d : ds) {
        if (d.ethertype == 0x0800) out.push_back(cat({{0xff, 0x03}, be16(0x0021), d.bytes}));
        if (d.ethertype == 0x86dd) out.push_back(cat({{0xff, 0x03}, be16(0x0057), d.bytes}));
      }
      out.push_back(cat({{0x01, 0x03}, be16(0x0281), mpls(5, true, ds[0].bytes)}));
      out.push_back(cat({{0x00, 0x03}, be16(0x0023), {0x81}, fill(20, 0)}));
      return out;
    case 104:  // C_HDLC
      for (const Datagram& d : ds) out.push_back(cat({{0x0f, 0x00}, be16(d.ethertype), d.bytes}));
      out.push_back(cat({{0x0f, 0x00}, be16(0xfefe), {0x00, 0x83, 0x1b, 0, 0, 0, 0x12}, fill(20, 0)}));
      out.push_back(cat({{0x0f, 0x00}, be16(0x8847), mpls(5, true, ds[0].bytes)}));
      return out;
    case 8:  // SLIP
      for (const Datagram& d : ds) {
        if (d.ethertype == 0x0800 || d.ethertype == 0x86dd) {
          out.push_back(cat({{static_cast<uint8_t>(out.size() % 2)}, fill(15, 0), d.bytes}));
        }
      }
      return out;
    default: return out;
  }
}

}  // namespace

std::vector<Packet> synthetic_packets(int dlt) {
  std::vector<Packet> out;
  int index = 0;
  for (Bytes& f : frames_for(dlt)) {
    const auto len = static_cast<uint32_t>(f.size());
    out.push_back(Packet{std::move(f), len, "synthetic #" + std::to_string(index++)});
  }
  return out;
}

const std::vector<Packet>& standard_packets(int dlt) {
  static std::mutex mutex;
  static std::map<int, std::vector<Packet>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(dlt);
  if (it != cache.end()) return it->second;
  std::vector<Packet> set;
  uint32_t seed = 1;
  for (const Packet& p : synthetic_packets(dlt)) {
    for (Packet& t : truncations(p)) set.push_back(std::move(t));
    for (Packet& m : mutations(p, 6, seed++)) {
      set.push_back(m);
      // A few truncations of each mutation as well.
      for (size_t cut : {size_t{14}, size_t{20}, size_t{24}, size_t{34}, size_t{38}, size_t{54}}) {
        if (cut < m.data.size()) {
          set.push_back(Packet{Bytes(m.data.begin(), m.data.begin() + static_cast<long>(cut)), m.wirelen,
                               m.origin + " cut to " + std::to_string(cut)});
        }
      }
    }
  }
  const std::vector<Packet>& saved = savefile_packets();
  for (size_t i = 0; i < saved.size(); i += 3) set.push_back(saved[i]);
  return cache.emplace(dlt, std::move(set)).first->second;
}

}  // namespace bpfc::lowertest
