// Hand-built frames mixed into the eBPF benchmark's packet set, so that each
// of its filters has packets it accepts and near misses it rejects: the
// generated traffic (traffic_generator.h) is mostly mid-connection, with
// almost no SYN or FIN and few tagged frames. Deterministic: the same frames
// in the same places every run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "exec_packet_set.h"

namespace bpfc::bench {

// The hand-built frames: IPv4 and IPv6 TCP with SYN, SYN-ACK and FIN from
// inside and outside 10.0.0.0/8, 802.1Q-tagged IPv6 and IPv4, UDP to port 53
// with and without a tag, and ARP.
std::vector<std::vector<uint8_t>> crafted_frames();

// `base` with one crafted frame (in turn) after every `every` frames.
PacketSet with_crafted_frames(const PacketSet& base, size_t every);

}  // namespace bpfc::bench
