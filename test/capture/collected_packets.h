// Reads a whole PacketSource into owned copies, so that tests can compare
// what two readers (bpfc on a file and on a pipe, bpfc and libpcap) deliver.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <vector>

#include "bpfc/capture/savefile.h"

namespace bpfc::testing {

struct OwnedPacket {
  int64_t timestamp_ns = 0;
  uint32_t caplen = 0;
  uint32_t wirelen = 0;
  uint32_t interface = 0;
  uint32_t linktype = 0;
  std::vector<uint8_t> bytes;
  capture::RecordEncoding encoding = capture::RecordEncoding::Other;

  bool operator==(const OwnedPacket&) const = default;
};

inline std::ostream& operator<<(std::ostream& out, const OwnedPacket& p) {
  return out << "{ts " << p.timestamp_ns << ", caplen " << p.caplen << ", len " << p.wirelen << ", if "
             << p.interface << ", linktype " << p.linktype << ", " << p.bytes.size() << " bytes}";
}

struct CollectedPackets {
  std::vector<OwnedPacket> packets;
  std::vector<size_t> batch_sizes;
  std::optional<capture::SavefileError> error;
  std::vector<capture::SavefileError> warnings;
  uint64_t final_position = 0;
};

inline OwnedPacket own(const capture::Packet& p) {
  return {p.timestamp_ns, p.caplen, p.wirelen, p.interface, p.linktype, {p.data, p.data + p.caplen}, p.encoding};
}

// `max_calls` guards against a reader that never ends.
inline CollectedPackets collect(capture::PacketSource& source, size_t max_calls = 10000000) {
  CollectedPackets out;
  capture::Batch batch;
  for (size_t calls = 0; calls < max_calls; ++calls) {
    const bool more = source.next(batch);
    if (!batch.packets.empty()) out.batch_sizes.push_back(batch.packets.size());
    for (const capture::Packet& p : batch.packets) out.packets.push_back(own(p));
    if (!more) break;
  }
  out.error = source.error();
  out.warnings = source.warnings();
  out.final_position = source.position();
  return out;
}

}  // namespace bpfc::testing
