#include "packet_synthesizer.h"

#include <array>

namespace bpfc::fuzz {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr uint16_t kEtherIp = 0x0800, kEtherArp = 0x0806, kEtherRarp = 0x8035, kEtherIpv6 = 0x86dd,
                   kEtherVlan = 0x8100, kEtherQinq = 0x88a8, kEtherMpls = 0x8847, kEtherPppoeDiscovery = 0x8863,
                   kEtherPppoeSession = 0x8864;
constexpr uint16_t kGenevePort = 6081, kVxlanPort = 4789;

enum class Payload { Ipv4, Ipv6, Arp, Rarp, Mpls, PppoeSession, PppoeDiscovery, Other };

class Writer {
 public:
  void u8(uint32_t v) { bytes.push_back(static_cast<uint8_t>(v)); }
  void u16(uint32_t v) { u8(v >> 8), u8(v); }
  void u32(uint32_t v) { u16(v >> 16), u16(v); }
  void u32_little(uint32_t v) { u8(v), u8(v >> 8), u8(v >> 16), u8(v >> 24); }
  template <typename Range>
  void append(const Range& r) {
    bytes.insert(bytes.end(), r.begin(), r.end());
  }
  void patch_u16(size_t at, uint32_t v) {
    if (at + 2 <= bytes.size()) bytes[at] = static_cast<uint8_t>(v >> 8), bytes[at + 1] = static_cast<uint8_t>(v);
  }
  Bytes bytes;
};

class Synthesizer {
 public:
  Synthesizer(FuzzBytes& in, const ValuePool& pool) : in_(in), pool_(pool) {}

  Bytes frame(uint32_t linktype) {
    Writer w;
    Payload payload = pick_payload();
    link_header(w, linktype, payload);
    network(w, payload, 0);
    return std::move(w.bytes);
  }

 private:
  // --- values: mostly what the filter mentions, else input bytes -----------

  uint32_t number(uint32_t limit) {
    if (!pool_.numbers.empty() && in_.percent(60)) return in_.pick(pool_.numbers) % limit;
    return material32() % limit;
  }
  uint32_t port() {
    constexpr uint32_t kPorts[] = {20, 22, 53, 67, 68, 80, 123, 443, 1024, 4789, 6081, 8080, 65535};
    if (!pool_.numbers.empty() && in_.percent(60)) return in_.pick(pool_.numbers) & 0xffff;
    return in_.percent(50) ? in_.pick(kPorts) : material32() & 0xffff;
  }
  uint32_t ipv4() {
    if (!pool_.ipv4.empty() && in_.percent(65)) {
      uint32_t address = in_.pick(pool_.ipv4);
      // Sometimes another host of the same network.
      return in_.percent(20) ? address ^ in_.below(256) : address;
    }
    constexpr uint32_t kSpecial[] = {0xffffffff, 0xe0000001, 0x0a0000ff, 0xc0a801ff, 0x7f000001};
    return in_.percent(30) ? in_.pick(kSpecial) : material32();
  }
  std::array<uint8_t, 16> ipv6() {
    if (!pool_.ipv6.empty() && in_.percent(65)) return in_.pick(pool_.ipv6);
    std::array<uint8_t, 16> address{};
    if (in_.percent(30)) address[0] = 0xff, address[1] = 0x02, address[15] = 1;  // multicast
    else
      for (auto& byte : address) byte = in_.front_byte();
    return address;
  }
  std::array<uint8_t, 6> mac() {
    if (!pool_.macs.empty() && in_.percent(60)) return in_.pick(pool_.macs);
    std::array<uint8_t, 6> address{};
    if (in_.percent(20)) address.fill(0xff);
    else
      for (auto& byte : address) byte = in_.front_byte();
    return address;
  }
  uint32_t material32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | in_.front_byte();
    return v;
  }
  void material(Writer& w, size_t max) {
    size_t n = in_.below(static_cast<uint32_t>(max + 1));
    w.append(in_.take(n));
  }

  Payload pick_payload() {
    switch (in_.below(20)) {
      case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: return Payload::Ipv4;
      case 8: case 9: case 10: case 11: case 12: return Payload::Ipv6;
      case 13: return Payload::Arp;
      case 14: return Payload::Rarp;
      case 15: return Payload::Mpls;
      case 16: return Payload::PppoeSession;
      case 17: return Payload::PppoeDiscovery;
      default: return Payload::Other;
    }
  }

  uint16_t ethertype_of(Payload payload) {
    switch (payload) {
      case Payload::Ipv4: return kEtherIp;
      case Payload::Ipv6: return kEtherIpv6;
      case Payload::Arp: return kEtherArp;
      case Payload::Rarp: return kEtherRarp;
      case Payload::Mpls: return kEtherMpls;
      case Payload::PppoeSession: return kEtherPppoeSession;
      case Payload::PppoeDiscovery: return kEtherPppoeDiscovery;
      case Payload::Other: break;
    }
    constexpr uint16_t kOthers[] = {0x8137, 0x809b, 0x80f3, 0x6003, 0x6004, 0x88cc, 0x0000, 0x05dc, 0x0600, 0xffff};
    return in_.percent(70) ? in_.pick(kOthers) : static_cast<uint16_t>(number(65536));
  }

  uint16_t ppp_protocol_of(Payload payload) {
    switch (payload) {
      case Payload::Ipv4: return 0x0021;
      case Payload::Ipv6: return 0x0057;
      case Payload::Mpls: return 0x0281;
      default: break;
    }
    constexpr uint16_t kOthers[] = {0x0027, 0x0029, 0x002b, 0x0031, 0x0023, 0x003f, 0xc021, 0x8021};
    return in_.percent(70) ? in_.pick(kOthers) : static_cast<uint16_t>(number(65536));
  }

  uint32_t address_family_of(Payload payload) {
    constexpr uint32_t kIpv6Families[] = {10, 24, 28, 30};
    if (payload == Payload::Ipv4) return 2;
    if (payload == Payload::Ipv6) return in_.pick(kIpv6Families);
    return number(256);
  }

  // --- link layers -----------------------------------------------------------

  void ethernet(Writer& w, Payload payload) {
    w.append(mac());
    w.append(mac());
    int tags = in_.percent(80) ? 0 : 1 + static_cast<int>(in_.below(3));
    for (int i = 0; i < tags; ++i) {
      constexpr uint16_t kTagTypes[] = {kEtherVlan, kEtherQinq, 0x9100};
      w.u16(in_.pick(kTagTypes));
      w.u16(in_.percent(60) ? number(4096) : material32());
    }
    if (in_.percent(12)) {  // 802.3 length, then LLC (sometimes SNAP)
      w.u16(in_.below(1501));
      constexpr uint8_t kSaps[] = {0xaa, 0x42, 0xe0, 0xf0, 0xfe, 0x06, 0x98, 0xff};
      uint8_t sap = in_.pick(kSaps);
      w.u8(sap), w.u8(sap), w.u8(in_.percent(70) ? 0x03 : in_.front_byte());
      if (sap == 0xaa) w.u8(0), w.u8(0), w.u8(0), w.u16(ethertype_of(payload));
      return;
    }
    w.u16(ethertype_of(payload));
  }

  void linux_sll_address(Writer& w) {
    auto address = mac();
    w.append(address);
    w.u16(0);
  }

  void link_header(Writer& w, uint32_t linktype, Payload payload) {
    switch (linktype) {
      case 1: ethernet(w, payload); return;
      case 0: {
        uint32_t family = address_family_of(payload);
        if (in_.percent(85)) w.u32_little(family);
        else w.u32(family);
        return;
      }
      case 108: w.u32(address_family_of(payload)); return;
      case 8:  // SLIP: direction byte, then compressed-header bytes
        w.u8(in_.below(3));
        for (int i = 0; i < 15; ++i) w.u8(in_.front_byte());
        return;
      case 9: case 50: w.u8(0xff), w.u8(0x03), w.u16(ppp_protocol_of(payload)); return;
      case 166: w.u8(in_.below(3)), w.u8(0x03), w.u16(ppp_protocol_of(payload)); return;
      case 104: {
        w.u8(in_.percent(80) ? 0x0f : 0x8f), w.u8(0);
        w.u16(payload == Payload::Other && in_.percent(30) ? 0xfefe : ethertype_of(payload));
        return;
      }
      case 12: case 101: case 228: case 229: return;
      case 113: {
        w.u16(in_.below(6));                       // packet type
        w.u16(in_.percent(80) ? 1 : number(65536));  // ARPHRD_
        w.u16(6);
        linux_sll_address(w);
        if (payload == Payload::Other && in_.percent(40)) {
          w.u16(in_.percent(50) ? 0x0001 : 0x0004);
          w.u8(in_.front_byte()), w.u8(in_.front_byte()), w.u8(0x03);
          return;
        }
        w.u16(ethertype_of(payload));
        return;
      }
      case 276:
        w.u16(ethertype_of(payload)), w.u16(0), w.u32(number(64));
        w.u16(in_.percent(80) ? 1 : number(65536)), w.u8(in_.below(6)), w.u8(6);
        linux_sll_address(w);
        return;
      default:  // a link type bpfc does not model: some header bytes
        material(w, 32);
        return;
    }
  }

  // --- network and transport layers -----------------------------------------

  void network(Writer& w, Payload payload, int nesting) {
    switch (payload) {
      case Payload::Ipv4: ipv4_packet(w, nesting); return;
      case Payload::Ipv6: ipv6_packet(w, nesting); return;
      case Payload::Arp: case Payload::Rarp: arp(w); return;
      case Payload::Mpls: {
        int labels = 1 + static_cast<int>(in_.below(3));
        for (int i = 0; i < labels; ++i) {
          bool bottom = i == labels - 1 ? in_.percent(90) : in_.percent(5);
          w.u32((number(1u << 20) << 12) | (bottom ? 0x100 : 0) | in_.below(256));
        }
        network(w, in_.percent(60) ? Payload::Ipv4 : Payload::Ipv6, nesting);
        return;
      }
      case Payload::PppoeSession:
        w.u8(0x11), w.u8(0), w.u16(number(65536)), w.u16(in_.below(1500));
        w.u16(in_.percent(50) ? 0x0021 : 0x0057);
        network(w, in_.percent(60) ? Payload::Ipv4 : Payload::Ipv6, nesting);
        return;
      case Payload::PppoeDiscovery:
        w.u8(0x11), w.u8(in_.front_byte()), w.u16(number(65536)), w.u16(0);
        material(w, 16);
        return;
      case Payload::Other: material(w, 64); return;
    }
  }

  uint8_t ip_protocol() {
    constexpr uint8_t kProtocols[] = {6, 6, 17, 17, 1, 58, 2, 132, 50, 51, 47, 103, 112, 4, 41, 9, 88, 0};
    if (!pool_.numbers.empty() && in_.percent(35)) return static_cast<uint8_t>(in_.pick(pool_.numbers));
    return in_.pick(kProtocols);
  }

  void ipv4_packet(Writer& w, int nesting) {
    size_t start = w.bytes.size();
    uint32_t ihl = in_.percent(80) ? 5 : in_.below(16);
    uint8_t protocol = ip_protocol();
    w.u8(0x40 | ihl), w.u8(in_.front_byte()), w.u16(0), w.u16(material32());
    uint32_t fragment = 0;
    if (in_.percent(15)) fragment = (in_.percent(50) ? 0x2000 : 0) | in_.below(0x2000);
    if (in_.percent(30)) fragment |= 0x4000;  // don't fragment
    w.u16(fragment), w.u8(64), w.u8(protocol), w.u16(0);
    w.u32(ipv4()), w.u32(ipv4());
    for (uint32_t i = 5; i < ihl; ++i) w.u32(in_.percent(50) ? 0x01010101 : material32());
    transport(w, protocol, nesting);
    w.patch_u16(start + 2, in_.percent(90) ? w.bytes.size() - start : material32());
  }

  void ipv6_packet(Writer& w, int nesting) {
    size_t start = w.bytes.size();
    uint8_t last = ip_protocol();
    int extensions = in_.percent(70) ? 0 : 1 + static_cast<int>(in_.below(4));
    constexpr uint8_t kExtensions[] = {0, 43, 44, 60, 51};
    std::vector<uint8_t> chain;
    for (int i = 0; i < extensions; ++i) chain.push_back(in_.pick(kExtensions));
    w.u32(0x60000000 | (material32() & 0xfffff)), w.u16(0);
    w.u8(chain.empty() ? last : chain[0]), w.u8(64);
    w.append(ipv6()), w.append(ipv6());
    for (size_t i = 0; i < chain.size(); ++i) {
      uint8_t next = i + 1 < chain.size() ? chain[i + 1] : last;
      if (chain[i] == 44) {  // fragment header: fixed 8 bytes
        w.u8(next), w.u8(0), w.u16(in_.percent(50) ? 0 : material32()), w.u32(material32());
        continue;
      }
      uint32_t units = in_.below(3);  // length in 8-byte units beyond the first
      if (chain[i] == 51) {           // AH counts 4-byte units, minus 2
        w.u8(next), w.u8(2 * units + 1), w.u16(0);
        for (uint32_t b = 4; b < 8 * (units + 1); ++b) w.u8(in_.front_byte());
        continue;
      }
      w.u8(next), w.u8(units);
      for (uint32_t b = 2; b < 8 * (units + 1); ++b) w.u8(in_.front_byte());
    }
    transport(w, last, nesting);
    w.patch_u16(start + 4, in_.percent(90) ? w.bytes.size() - start - 40 : material32());
  }

  void arp(Writer& w) {
    w.u16(1), w.u16(kEtherIp), w.u8(6), w.u8(4), w.u16(1 + in_.below(4));
    w.append(mac()), w.u32(ipv4()), w.append(mac()), w.u32(ipv4());
  }

  void transport(Writer& w, uint8_t protocol, int nesting) {
    switch (protocol) {
      case 6: {
        w.u16(port()), w.u16(port()), w.u32(material32()), w.u32(material32());
        uint32_t offset = in_.percent(85) ? 5 : in_.below(16);
        w.u8(offset << 4), w.u8(in_.percent(50) ? in_.front_byte() : 0x02), w.u16(material32());
        w.u32(0);
        for (uint32_t i = 5; i < offset; ++i) w.u32(material32());
        break;
      }
      case 17: {
        uint32_t source = port(), destination = port();
        if (nesting == 0 && in_.percent(10)) destination = in_.percent(50) ? kGenevePort : kVxlanPort;
        w.u16(source), w.u16(destination), w.u16(8), w.u16(0);
        if (nesting == 0 && (destination == kGenevePort || destination == kVxlanPort)) {
          tunnel(w, destination == kGenevePort);
          return;
        }
        break;
      }
      case 1: case 58:
        w.u8(number(256)), w.u8(in_.below(4)), w.u16(0), w.u32(material32());
        break;
      case 132: w.u16(port()), w.u16(port()), w.u32(material32()), w.u32(0); break;
      case 2: w.u8(in_.front_byte()), w.u8(0), w.u16(0), w.u32(ipv4()); break;
      default: break;
    }
    material(w, 48);
  }

  // Geneve or VXLAN, then an inner Ethernet frame (Geneve may also carry a
  // bare IP packet, by its protocol type).
  void tunnel(Writer& w, bool geneve) {
    uint32_t vni = number(1u << 24);
    Payload inner = in_.percent(60) ? Payload::Ipv4 : (in_.percent(70) ? Payload::Ipv6 : Payload::Arp);
    if (geneve) {
      uint32_t option_words = in_.percent(80) ? 0 : in_.below(4);
      bool bare_ip = in_.percent(20) && inner != Payload::Arp;
      w.u8(option_words), w.u8(0), w.u16(bare_ip ? ethertype_of(inner) : 0x6558);
      w.u32(vni << 8);
      for (uint32_t i = 0; i < option_words; ++i) w.u32(material32());
      if (bare_ip) return network(w, inner, 1);
    } else {
      w.u32(0x08000000), w.u32(vni << 8);
    }
    ethernet(w, inner);
    network(w, inner, 1);
  }

  FuzzBytes& in_;
  const ValuePool& pool_;
};

TestPacket as_captured(Bytes bytes, FuzzBytes& in) {
  uint32_t size = static_cast<uint32_t>(bytes.size());
  uint32_t wirelen = size;
  if (in.percent(15)) wirelen = size + in.below(2000);
  else if (in.percent(3)) wirelen = in.u32();
  return {std::move(bytes), wirelen};
}

}  // namespace

std::vector<TestPacket> synthesize_packets(FuzzBytes& in, uint32_t linktype, const ValuePool& pool) {
  std::vector<TestPacket> packets;
  Synthesizer synthesizer(in, pool);
  int frames = 1 + static_cast<int>(in.below(4));
  for (int i = 0; i < frames; ++i) {
    Bytes frame = synthesizer.frame(linktype);
    packets.push_back(as_captured(frame, in));
    // Truncated: a captured length the input picks, wire length unchanged.
    uint32_t cut = in.below(static_cast<uint32_t>(frame.size()) + 1);
    packets.push_back({Bytes(frame.begin(), frame.begin() + cut), static_cast<uint32_t>(frame.size())});
    // A few bytes overwritten, where the filter's fields are.
    if (in.percent(50) && !frame.empty()) {
      Bytes mutated = frame;
      int edits = 1 + static_cast<int>(in.below(3));
      for (int e = 0; e < edits; ++e) mutated[in.below(static_cast<uint32_t>(mutated.size()))] = in.front_byte();
      packets.push_back(as_captured(std::move(mutated), in));
    }
  }
  auto raw = in.take(in.below(128));
  packets.push_back(as_captured(Bytes(raw.begin(), raw.end()), in));
  auto tiny = in.take(1 + in.below(12));
  packets.push_back({Bytes(tiny.begin(), tiny.end()), static_cast<uint32_t>(tiny.size())});
  packets.push_back({Bytes{}, in.percent(70) ? 0 : in.below(100)});
  return packets;
}

}  // namespace bpfc::fuzz
