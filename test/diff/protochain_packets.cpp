#include "protochain_packets.h"


#include "synthetic_packets.h"

namespace bpfc::difftest {
namespace {

constexpr uint8_t kAh = 51;

bool is_extension(uint32_t nh) { return nh == 0 || nh == 43 || nh == 44 || nh == 60; }

void put16(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}

}  // namespace

uint32_t network_offset(uint32_t linktype) {
  switch (linktype) {
    case kDltEn10mb: return 14;
    case kDltNull:
    case kDltLoop: return 4;
    case kDltLinuxSll: return 16;
    case kDltLinuxSll2: return 20;
    default: return 0;  // RAW, IPV4, IPV6
  }
}

std::vector<uint8_t> frame_ip(uint32_t linktype, bool ipv6, const std::vector<uint8_t>& ip) {
  std::vector<uint8_t> b;
  const uint16_t ethertype = ipv6 ? 0x86dd : 0x0800;
  switch (linktype) {
    case kDltEn10mb:
      b = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x66, 0x77, 0x88, 0x99, 0xaa, 0, 0};
      put16(b, 12, ethertype);
      break;
    case kDltNull:  // host byte order, Linux's AF_INET6
      b = {static_cast<uint8_t>(ipv6 ? 10 : 2), 0, 0, 0};
      break;
    case kDltLoop:  // network byte order
      b = {0, 0, 0, static_cast<uint8_t>(ipv6 ? 10 : 2)};
      break;
    case kDltLinuxSll:
      b.assign(16, 0);
      put16(b, 2, 1);
      put16(b, 4, 6);
      put16(b, 14, ethertype);
      break;
    case kDltLinuxSll2:
      b.assign(20, 0);
      put16(b, 0, ethertype);
      b[7] = 1;
      put16(b, 8, 1);
      b[11] = 6;
      break;
    default:
      break;
  }
  b.insert(b.end(), ip.begin(), ip.end());
  return b;
}

std::vector<uint8_t> random_chain(Rng& rng, bool ipv6, uint32_t count, uint32_t ah_percent) {
  static const std::vector<uint8_t> kExtensions = {0, 43, 44, 60};
  std::vector<uint8_t> chain;
  for (uint32_t i = 0; i < count; ++i) {
    chain.push_back(!ipv6 || rng.percent(ah_percent) ? kAh : rng.pick(kExtensions));
  }
  return chain;
}

std::vector<uint8_t> chain_ip_packet(const ChainSpec& spec, Rng& rng) {
  std::vector<uint8_t> p;
  uint32_t off = 0;  // where the chain's first header goes, from the IP header
  if (spec.ipv6) {
    p.assign(40, 0);
    p[0] = 0x60;
    p[7] = 64;
    off = 40;
  } else {
    p.assign(spec.ipv4_header_length, 0);
    p[0] = static_cast<uint8_t>(0x40 | (spec.ipv4_header_length / 4));
    p[8] = 64;
    off = spec.ipv4_header_length;
  }
  const size_t nh_field = spec.ipv6 ? 6 : 9;
  p[nh_field] = spec.headers.empty() ? spec.final_protocol : spec.headers.front();

  for (size_t i = 0; i < spec.headers.size(); ++i) {
    const uint8_t kind = spec.headers[i];
    const uint8_t next = i + 1 < spec.headers.size() ? spec.headers[i + 1] : spec.final_protocol;
    uint32_t size = 0;          // bytes this header fills
    uint32_t next_off = 0;      // where the next one goes
    uint8_t length_field = 0;
    if (kind == kAh && spec.layout == ChainLayout::AsLibpcapWalks) {
      // libpcap's walk takes (length + 2) * 4 as the next header's offset
      // from the IP header: point just past an AH of 8 or more bytes here,
      // or, beyond the 1028 bytes it can reach, anywhere (headers overlap).
      uint32_t words = (off + 8 + 3) / 4 + rng.below(3);
      if (words > 257) words = 2 + rng.below(256);
      length_field = static_cast<uint8_t>(words - 2);
      next_off = words * 4;
      size = next_off > off ? next_off - off : 8;
    } else if (kind == kAh) {
      // On the wire: the length field counts 4-byte words minus 2.
      const uint32_t words = 4 + rng.below(3);
      length_field = static_cast<uint8_t>(words - 2);
      size = words * 4;
      next_off = off + size;
    } else {
      // Extension headers: (length + 1) * 8 bytes; a fragment header's
      // second byte is reserved (0), which libpcap reads as length 0.
      length_field = kind == 44 ? 0 : static_cast<uint8_t>(rng.below(3));
      size = (length_field + 1u) * 8;
      next_off = off + size;
    }
    if (p.size() < off + size) p.resize(off + size, 0);
    for (uint32_t j = 2; j < size; ++j) p[off + j] = rng.byte();
    p[off] = next;
    p[off + 1] = length_field;
    off = next_off;
  }
  if (p.size() < off + spec.payload) p.resize(off + spec.payload, 0);
  for (uint32_t j = 0; j < spec.payload; ++j) p[off + j] = rng.byte();
  if (spec.ipv6) {
    put16(p, 4, static_cast<uint32_t>(p.size() - 40));
  } else {
    put16(p, 2, static_cast<uint32_t>(p.size()));
  }
  return p;
}

WalkTrace trace_libpcap_walk(const uint8_t* packet, uint32_t caplen, uint32_t base, bool ipv6, uint32_t stop,
                             std::vector<uint32_t>* headers) {
  WalkTrace trace;
  auto byte_at = [&](uint64_t at) -> std::optional<uint32_t> {
    if (at >= caplen) return std::nullopt;
    return packet[at];
  };
  // The walk's start: the IP header's next-protocol field and header length.
  std::optional<uint32_t> nh = byte_at(uint64_t{base} + (ipv6 ? 6 : 9));
  std::optional<uint32_t> first = ipv6 ? std::optional<uint32_t>(40) : byte_at(base);
  if (!nh || !first) {
    trace.reads_past_end = true;
    return trace;
  }
  uint32_t off = ipv6 ? 40 : (*first & 0xf) * 4;
  // A step depends only on (whether nh is AH, off) and reads at off, so a
  // walk that ends takes at most 2 * caplen steps: one that takes more has
  // come back to a state it was in.
  for (;;) {
    if (*nh == stop || *nh == 59) return trace;
    const bool extension = ipv6 && is_extension(*nh);
    if (!extension && *nh != kAh) return trace;
    if (trace.steps > 2 * uint64_t{caplen}) {
      trace.endless = true;
      return trace;
    }
    std::optional<uint32_t> next = byte_at(uint64_t{base} + off);
    std::optional<uint32_t> length = byte_at(uint64_t{base} + off + 1);
    if (!next || !length) {
      trace.reads_past_end = true;
      return trace;
    }
    if (headers != nullptr) headers->push_back(base + off);
    off = extension ? off + (*length + 1) * 8 : (*length + 2) * 4;
    nh = next;
    ++trace.steps;
  }
}

}  // namespace bpfc::difftest
