// Deterministic synthetic traffic for the savefile benchmarks: Ethernet
// frames of a realistic mix (IPv4 and IPv6; TCP to ports 80, 443, 22 and
// others with bulk data, ACKs and handshakes; UDP DNS, QUIC and others;
// ICMP and ICMPv6; about 5% 802.1Q-tagged; a little ARP), 42..1514 bytes
// (1518 with a VLAN tag), written as a microsecond pcap in the machine's
// byte order. The same seed always gives the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace bpfc::bench {

inline constexpr size_t kMaxFrameBytes = 1518;  // a full 1500-byte IP packet with an 802.1Q tag

// Frames one at a time, with their capture timestamps.
class TrafficGenerator {
 public:
  explicit TrafficGenerator(uint64_t seed = 1);

  struct Frame {
    uint64_t timestamp_us;
    size_t length;
  };
  // Writes the next frame into `out` (room for kMaxFrameBytes).
  Frame next_frame(uint8_t* out);

 private:
  struct Flow;
  uint64_t random();
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(random() % n); }
  Flow make_flow();
  size_t write_tcp(Flow& flow, bool from_client, uint8_t* l4);
  size_t write_udp(const Flow& flow, bool from_client, uint8_t* l4);
  size_t write_icmp(const Flow& flow, bool from_client, uint8_t* l4);
  size_t write_arp(uint8_t* out);
  void fill_payload(uint8_t* out, size_t n);

  uint64_t state_;
  uint64_t now_us_;
  std::vector<Flow> flows_;
  std::vector<uint8_t> payload_pool_;  // random bytes that payloads are cut from
};

// Produces a pcap file of at most `target_bytes` (as close as whole records
// allow), handing it to `emit` in chunks of a few MiB. Stops early when
// `emit` returns false.
void generate_pcap(uint64_t target_bytes, uint64_t seed,
                   const std::function<bool(std::span<const uint8_t>)>& emit);

// The same into memory.
std::vector<uint8_t> generate_pcap(uint64_t target_bytes, uint64_t seed = 1);

}  // namespace bpfc::bench
