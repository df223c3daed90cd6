// Packets for the protochain tests: an IPv4 or IPv6 header followed by a
// chain of headers libpcap's protochain walk follows (IPv6 hop-by-hop,
// routing, fragment, destination options; AH after either version), framed
// for each link type the differential suite covers; and, as the tests' own
// account of what the walk does on a packet, a trace of libpcap's walk
// (how many steps, whether it never ends: libpcap 1.10.3's bpf_filter()
// then spins for ever, so the tests must not hand it such packets).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "packets.h"
#include "rng.h"

namespace bpfc::difftest {

// Offset of the network header for a covered link type.
uint32_t network_offset(uint32_t linktype);

// `ip` (an IPv4 or IPv6 packet) behind `linktype`'s header.
std::vector<uint8_t> frame_ip(uint32_t linktype, bool ipv6, const std::vector<uint8_t>& ip);

// How the chain is laid out.
enum class ChainLayout : uint8_t {
  // Where libpcap's walk looks for each header: its AH step sets the
  // offset to (length + 2) * 4 from the IP header, so an AH header's length
  // is chosen to point past the headers before it (while that is possible).
  AsLibpcapWalks,
  // As a real stack would: each header right after the one before.
  AsOnTheWire,
};

struct ChainSpec {
  bool ipv6 = true;
  std::vector<uint8_t> headers;  // next-header values of the chain's headers (0, 43, 44, 60, 51)
  uint8_t final_protocol = 6;    // what the last header announces
  ChainLayout layout = ChainLayout::AsLibpcapWalks;
  uint32_t ipv4_header_length = 20;  // 20..60, a multiple of 4
  uint32_t payload = 20;         // bytes after the chain
};

// The IP packet (no link header) the spec describes.
std::vector<uint8_t> chain_ip_packet(const ChainSpec& spec, Rng& rng);

// `count` random chain kinds: extension headers only for IPv4 = false..., AH
// among them with the given percentage (IPv4 chains are all AH).
std::vector<uint8_t> random_chain(Rng& rng, bool ipv6, uint32_t count, uint32_t ah_percent);

// What libpcap's walk does on the first `caplen` bytes of `packet` when the
// network header is at `base`.
struct WalkTrace {
  bool reads_past_end = false;  // a read failed: the filter returns 0
  bool endless = false;         // it comes back to a state it was in
  uint64_t steps = 0;           // headers stepped over (when it ends)
};
// `headers`, when given, receives where the headers stepped over start.
WalkTrace trace_libpcap_walk(const uint8_t* packet, uint32_t caplen, uint32_t base, bool ipv6, uint32_t stop,
                             std::vector<uint32_t>* headers = nullptr);

}  // namespace bpfc::difftest
