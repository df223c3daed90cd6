#include "source_recording.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <tuple>

namespace bpfc::capture::fuzz {
namespace {

constexpr uint32_t kBlockFramingBytes = 12;  // type, total length, trailing total length

uint32_t load_u32(const uint8_t* p, bool big_endian) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return big_endian ? __builtin_bswap32(v) : v;
}

// A source that keeps answering "more" without delivering anything or
// moving forward would loop forever in `bpfc filter`; a generous bound on
// such calls catches it long before libFuzzer's timeout.
constexpr int kMaxCallsWithoutProgress = 1000;

void check_block(const Block& block, const PacketSource& source) {
  require(source.format() == SavefileFormat::Pcapng, "a pcap source delivered a pcapng block");
  require(block.raw.size() >= kBlockFramingBytes, "block shorter than its framing");
  require(block.raw.size() <= kMaxBlockBytes, "block larger than kMaxBlockBytes");
  const uint8_t* raw = block.raw.data();
  const size_t size = block.raw.size();
  require(load_u32(raw, block.big_endian) == block.type, "Block::type differs from the type in Block::raw");
  require(load_u32(raw + 4, block.big_endian) == size, "leading block length differs from Block::raw's size");
  require(load_u32(raw + size - 4, block.big_endian) == size,
          "trailing block length differs from Block::raw's size");
}

void check_packet(const Packet& packet, const PacketSource& source) {
  require(packet.caplen <= kMaxPacketBytes, "caplen above kMaxPacketBytes");
  require(packet.caplen == 0 || packet.data != nullptr, "packet with bytes but no data pointer");
  if (!packet.raw.empty() && packet.caplen > 0) {
    const uint8_t* begin = packet.raw.data();
    const uint8_t* end = begin + packet.raw.size();
    require(packet.data >= begin && packet.data + packet.caplen <= end, "packet data outside Packet::raw");
  }
  const auto& interfaces = source.interfaces();
  require(packet.interface < interfaces.size(), "packet names an interface the source has not described");
  require(packet.linktype == interfaces[packet.interface].linktype,
          "packet link type differs from its interface's");
  if (source.format() == SavefileFormat::Pcap) {
    require(packet.interface == 0, "pcap packet on an interface other than 0");
    require(packet.encoding != RecordEncoding::Pcapng, "pcap packet claims the pcapng encoding");
  } else {
    require(packet.encoding == RecordEncoding::Pcapng || packet.encoding == RecordEncoding::Other,
            "pcapng packet claims a pcap encoding");
  }
}

uint64_t touch(std::span<const uint8_t> bytes) {
  uint64_t sum = 0;
  for (uint8_t b : bytes) sum += b;
  return sum;
}

std::string describe_packet(const PacketRecord& p) {
  char text[160];
  std::snprintf(text, sizeof text, "ts=%" PRId64 "ns caplen=%u wirelen=%u interface=%u linktype=%u", p.timestamp_ns,
                p.caplen, p.wirelen, p.interface, p.linktype);
  return text;
}

std::string describe_error(const std::optional<SavefileError>& e) {
  if (!e) return "(none)";
  return e->describe("input") + (e->damaged ? " [damaged]" : "");
}

}  // namespace

void property_failed(const std::string& what) {
  std::fprintf(stderr, "savefile property violated: %s\n", what.c_str());
  std::abort();
}

bool same_errors(const std::optional<SavefileError>& a, const std::optional<SavefileError>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->message == b->message && a->offset == b->offset && a->damaged == b->damaged;
}

PacketRecord& copy_packet(const SourceRecording& from, size_t index, SourceRecording& to) {
  const PacketRecord& packet = from.packets[index];
  const uint8_t* bytes = from.packet_bytes.data() + packet.bytes_at;
  to.packets.push_back(packet);
  to.packets.back().bytes_at = to.packet_bytes.size();
  to.packet_bytes.insert(to.packet_bytes.end(), bytes, bytes + packet.caplen);
  return to.packets.back();
}

SourceRecording record_source(PacketSource& source, size_t batch_limit, const DeliveryObserver& observer) {
  SourceRecording recording;
  recording.format = source.format();
  Batch batch;
  uint64_t last_position = source.position();
  int calls_without_progress = 0;
  volatile uint64_t sink = 0;  // keeps the byte touching from being optimised away
  for (;;) {
    const bool more = source.next(batch);
    require(batch.packets.size() <= batch_limit, "batch larger than ReaderOptions::batch_packets");
    const uint64_t position = source.position();
    require(position >= last_position, "position() went backwards");
    if (auto size = source.size()) require(position <= *size, "position() beyond size()");

    for (const Block& block : batch.blocks) {
      check_block(block, source);
      recording.blocks.push_back({block.type, block.big_endian, {block.raw.begin(), block.raw.end()},
                                  recording.packets.size()});
      if (observer.on_block) observer.on_block(block);
    }
    for (const Packet& packet : batch.packets) {
      check_packet(packet, source);
      sink = sink + touch(packet.raw);
      recording.packets.push_back({packet.timestamp_ns, packet.caplen, packet.wirelen, packet.interface,
                                   packet.linktype, recording.packet_bytes.size()});
      recording.packet_bytes.insert(recording.packet_bytes.end(), packet.data, packet.data + packet.caplen);
      if (observer.on_packet) {
        observer.on_packet(packet, source.interfaces()[packet.interface], recording.packets.size() - 1);
      }
    }

    if (!more) break;
    const bool progressed = position > last_position || !batch.packets.empty() || !batch.blocks.empty();
    calls_without_progress = progressed ? 0 : calls_without_progress + 1;
    require(calls_without_progress < kMaxCallsWithoutProgress, "next() keeps returning true without progress");
    last_position = position;
  }
  recording.interfaces = source.interfaces();
  recording.error = source.error();
  recording.warnings = source.warnings();
  return recording;
}

std::string describe_difference(const SourceRecording& expected, const SourceRecording& actual) {
  if (expected.packets.size() != actual.packets.size()) {
    return "packet count " + std::to_string(expected.packets.size()) + " vs " +
           std::to_string(actual.packets.size());
  }
  for (size_t i = 0; i < expected.packets.size(); ++i) {
    const PacketRecord& a = expected.packets[i];
    const PacketRecord& b = actual.packets[i];
    const bool same_header = a.timestamp_ns == b.timestamp_ns && a.caplen == b.caplen && a.wirelen == b.wirelen &&
                             a.interface == b.interface && a.linktype == b.linktype;
    if (!same_header) return "packet " + std::to_string(i) + ": " + describe_packet(a) + " vs " + describe_packet(b);
    if (a.caplen > 0 && std::memcmp(&expected.packet_bytes[a.bytes_at], &actual.packet_bytes[b.bytes_at], a.caplen) != 0) {
      return "packet " + std::to_string(i) + ": the bytes differ";
    }
  }
  if (expected.blocks.size() != actual.blocks.size()) {
    return "block count " + std::to_string(expected.blocks.size()) + " vs " + std::to_string(actual.blocks.size());
  }
  for (size_t i = 0; i < expected.blocks.size(); ++i) {
    if (!(expected.blocks[i] == actual.blocks[i])) return "block " + std::to_string(i) + " differs";
  }
  if (!same_errors(expected.error, actual.error)) {
    return "error " + describe_error(expected.error) + " vs " + describe_error(actual.error);
  }
  // One warning per kind; the contract does not order the kinds.
  const auto by_offset_then_text = [](const SavefileError& a, const SavefileError& b) {
    return std::tie(a.offset, a.message) < std::tie(b.offset, b.message);
  };
  std::vector<SavefileError> expected_warnings = expected.warnings;
  std::vector<SavefileError> actual_warnings = actual.warnings;
  std::sort(expected_warnings.begin(), expected_warnings.end(), by_offset_then_text);
  std::sort(actual_warnings.begin(), actual_warnings.end(), by_offset_then_text);
  if (expected_warnings.size() != actual_warnings.size()) return "warning count differs";
  for (size_t i = 0; i < expected_warnings.size(); ++i) {
    if (!same_errors(expected_warnings[i], actual_warnings[i])) {
      return "warning " + describe_error(expected_warnings[i]) + " vs " + describe_error(actual_warnings[i]);
    }
  }
  return {};
}

}  // namespace bpfc::capture::fuzz
