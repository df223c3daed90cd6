// The fixed packet set the filter-execution benchmark runs programs on:
// the first `count` frames of traffic_generator.h's mix (seed 1), with the
// 64 local IPv4 hosts renumbered into the host lists of or_lists.h: local
// host 192.168.1.h becomes the (1 + 15h)-th list host, 10.0.0.0 + 1 + 15h
// (in IPv4 headers and ARP bodies), so that a 100-host list matches the
// IPv4 traffic of 7 local hosts and a 1000-host list that of all 64, at
// positions spread over the list. (IPv4 header checksums are not updated:
// no filter looks at them.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace bpfc::bench {

struct PacketSet {
  struct Packet {
    size_t offset;  // into bytes
    uint32_t length;  // captured = on the wire
  };
  std::vector<uint8_t> bytes;
  std::vector<Packet> packets;

  const uint8_t* data(const Packet& packet) const { return bytes.data() + packet.offset; }
};

PacketSet make_exec_packet_set(size_t count);

}  // namespace bpfc::bench
