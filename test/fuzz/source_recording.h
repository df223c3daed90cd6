// Drains a PacketSource into owned copies of everything it delivers, checking
// the PacketSource contract on every batch. Copying touches every byte of
// every view, so AddressSanitizer sees any view that points outside the
// input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bpfc/capture/savefile.h"

namespace bpfc::capture::fuzz {

// Prints "savefile property violated: <what>" and aborts.
[[noreturn]] void property_failed(const std::string& what);
inline void require(bool holds, const char* what) {
  if (!holds) property_failed(what);
}

// A packet's bytes live in its recording's `packet_bytes`, so that recording
// a packet allocates nothing (inputs with thousands of tiny records are
// common in fuzzing).
struct PacketRecord {
  int64_t timestamp_ns = 0;
  uint32_t caplen = 0;
  uint32_t wirelen = 0;
  uint32_t interface = 0;
  uint32_t linktype = 0;
  size_t bytes_at = 0;  // offset in SourceRecording::packet_bytes
};

struct BlockRecord {
  uint32_t type = 0;
  bool big_endian = false;
  std::vector<uint8_t> raw;
  size_t packets_before = 0;  // packets delivered before it: keeps the input order
  bool operator==(const BlockRecord&) const = default;
};

struct SourceRecording {
  SavefileFormat format = SavefileFormat::Pcap;
  std::vector<PacketRecord> packets;
  std::vector<uint8_t> packet_bytes;
  std::vector<BlockRecord> blocks;
  std::vector<InterfaceInfo> interfaces;  // as known at the end
  std::optional<SavefileError> error;
  std::vector<SavefileError> warnings;
};

// Called with the live views while they are valid (the writers need them).
struct DeliveryObserver {
  std::function<void(const Block&)> on_block;
  std::function<void(const Packet&, const InterfaceInfo&, size_t packet_index)> on_packet;
};

// Reads `source` to its end or error. `batch_limit` is the batch_packets the
// source was opened with.
SourceRecording record_source(PacketSource& source, size_t batch_limit, const DeliveryObserver& observer = {});

// Appends `from.packets[index]` with its bytes and returns the copy.
PacketRecord& copy_packet(const SourceRecording& from, size_t index, SourceRecording& to);

std::string describe_difference(const SourceRecording& expected, const SourceRecording& actual);
bool same_errors(const std::optional<SavefileError>& a, const std::optional<SavefileError>& b);

}  // namespace bpfc::capture::fuzz
