// The pcapng reader: walks blocks one at a time (never trusting the SHB's
// section length), keeps every section's interfaces, and hands out packets
// as views into the input, non-packet blocks as raw views, in input order.
//
// Every block is framed before it is interpreted: its length must be at
// least 12, a multiple of 4, at most kMaxBlockBytes, fully present, and
// repeated in the trailer. Each step of the walk advances by that length, so
// damaged input ends the walk with an error naming the block's offset
// instead of a crash or a loop.
#include <algorithm>
#include <array>
#include <string>

#include "pcapng_blocks.h"
#include "pcapng_format.h"
#include "pcapng_options.h"
#include "pcapng_timestamp.h"
#include "readers.h"
#include "record_prefetch.h"

namespace bpfc::capture {
namespace {

using namespace pcapng;

bool is_packet_block(uint32_t type) {
  return type == kEnhancedPacket || type == kSimplePacket || type == kObsoletePacket;
}

// What the packet loop needs of an interface, kept apart from the
// InterfaceInfo strings so that the per-packet lookup stays in cache.
struct InterfaceTiming {
  uint32_t linktype = 0;
  uint32_t snaplen = 0;
  TimestampScale scale;
  int64_t offset_seconds = 0;
};

struct Section {
  bool big_endian = false;
  uint32_t number = 0;           // 0-based count of SHBs before this one
  size_t first_interface = 0;    // global index of this section's interface 0
  uint32_t interface_count = 0;  // IDBs seen so far in this section
};

// A block that passed framing.
struct FramedBlock {
  const uint8_t* bytes = nullptr;
  uint32_t type = 0;
  uint32_t length = 0;
  bool big_endian = false;
  std::span<const uint8_t> body() const { return {bytes + kBlockHeaderBytes, length - kBlockOverheadBytes}; }
};

std::string truncated_message(uint64_t wanted, uint64_t got) {
  return "truncated pcapng dump file; tried to read " + std::to_string(wanted) + " bytes, only got " +
         std::to_string(got);
}

class PcapngReader final : public PacketSource {
 public:
  PcapngReader(std::unique_ptr<ByteInput> input, const ReaderOptions& options)
      : input_(std::move(input)), batch_limit_(std::max<size_t>(1, options.batch_packets)) {}

  // Checks the first Section Header Block, then reads ahead to the first
  // Interface Description Block as libpcap does when it opens a file, so a
  // file libpcap refuses to open is refused here too. Nothing is consumed:
  // next() starts again at offset 0.
  bool open(SavefileError& error);

  bool next(Batch& batch) override;
  const std::optional<SavefileError>& error() const override { return error_; }
  const std::vector<SavefileError>& warnings() const override;
  SavefileFormat format() const override { return SavefileFormat::Pcapng; }
  const std::vector<InterfaceInfo>& interfaces() const override { return interfaces_; }
  std::optional<uint64_t> size() const override { return input_->size(); }
  uint64_t position() const override { return pos_; }

 private:
  enum class Frame { Block, End, NotBuffered, Error };
  enum Warning { kCaplenAboveSnaplen, kCaplenAboveWirelen, kWarningKinds };

  bool check_first_section_header(SavefileError& error);
  Frame frame_block(uint64_t pos, bool batch_has_views, FramedBlock& block);
  bool read_failure(uint64_t pos, uint64_t wanted);
  // Applies a non-packet block (a new section, a new interface) and checks
  // its contents; appends it to `batch` when there is one.
  bool interpret_block(uint64_t pos, const FramedBlock& block, Batch* batch);
  bool read_packet(uint64_t pos, const FramedBlock& block, Batch& batch);
  bool fail(uint64_t pos, std::string message) {
    error_ = SavefileError{std::move(message), pos, true};
    return false;
  }
  void warn(Warning kind, uint64_t pos) {
    WarningTally& tally = warning_tallies_[kind];
    if (tally.count++ == 0) tally.first_offset = pos;
    warnings_stale_ = true;
  }

  std::unique_ptr<ByteInput> input_;
  size_t batch_limit_;
  uint64_t pos_ = 0;
  uint64_t prefetched_ = 0;  // the bytes before this offset have been asked into the cache
  bool finished_ = false;
  Section section_;
  std::vector<InterfaceInfo> interfaces_;
  std::vector<InterfaceTiming> timing_;  // parallel to interfaces_
  std::optional<SavefileError> error_;

  struct WarningTally {
    uint64_t first_offset = 0;
    uint64_t count = 0;
  };
  std::array<WarningTally, kWarningKinds> warning_tallies_{};
  mutable bool warnings_stale_ = false;
  mutable std::vector<SavefileError> warnings_;
};

bool PcapngReader::check_first_section_header(SavefileError& error) {
  auto refuse = [&](std::string message) {
    error = SavefileError{std::move(message), 0, false};
    return false;
  };
  const uint8_t* head = input_->window(0, kBlockHeaderBytes + 4);
  if (head == nullptr) {
    if (const auto& read_error = input_->read_error()) return refuse("error reading dump file: " + *read_error);
    return refuse("unknown file format: " + std::to_string(input_->available(0)) +
                  " bytes are too few for a pcapng Section Header Block");
  }
  if (load_u32(head, false) != kSectionHeader) return refuse("unknown file format");
  const std::optional<bool> big_endian = section_big_endian(head);
  if (!big_endian) {
    return refuse("unknown file format: a pcapng Section Header Block type without the byte-order magic");
  }
  const uint32_t length = load_u32(head + 4, *big_endian);
  if (length < kBlockOverheadBytes + kShbFixedBytes || length > kMaxFirstShbBytes) {
    return refuse("Section Header Block in pcapng dump file has invalid length " + std::to_string(length) +
                  " (it must be between " + std::to_string(kBlockOverheadBytes + kShbFixedBytes) + " and " +
                  std::to_string(kMaxFirstShbBytes) + ")");
  }
  const uint8_t* bytes = input_->window(0, length);
  if (bytes == nullptr) {
    if (const auto& read_error = input_->read_error()) return refuse("error reading dump file: " + *read_error);
    return refuse(truncated_message(length, input_->available(0)));
  }
  const uint16_t major = load_u16(bytes + 12, *big_endian);
  const uint16_t minor = load_u16(bytes + 14, *big_endian);
  // 1.2 is written by programs that add block types; it reads as 1.0 does.
  if (major != kMajorVersion || (minor != 0 && minor != 2)) {
    return refuse("unsupported pcapng savefile version " + std::to_string(major) + "." + std::to_string(minor));
  }
  if (length % 4 != 0) {
    return refuse("block in pcapng dump file has a length of " + std::to_string(length) +
                  " that is not a multiple of 4");
  }
  const uint32_t trailer = load_u32(bytes + length - kBlockTrailerBytes, *big_endian);
  if (trailer != length) {
    return refuse("block total length in header " + std::to_string(length) + " and trailer " +
                  std::to_string(trailer) + " don't match");
  }
  SectionHeader header;
  std::string problem;
  const FramedBlock block{bytes, kSectionHeader, length, *big_endian};
  if (!parse_section_header(block.body(), *big_endian, header, problem)) return refuse(problem);
  return true;
}

bool PcapngReader::open(SavefileError& error) {
  if (!check_first_section_header(error)) return false;

  // Read ahead to the first interface with the same code next() uses, then
  // forget what was learnt.
  uint64_t pos = 0;
  for (;;) {
    FramedBlock block;
    const Frame frame = frame_block(pos, false, block);
    if (frame == Frame::End) {
      error = SavefileError{"the capture file has no Interface Description Blocks", pos, false};
      return false;
    }
    if (frame != Frame::Block) break;  // Error (NotBuffered cannot happen without views)
    if (is_packet_block(block.type)) {
      fail(pos, "the capture file has a packet block before any Interface Description Blocks");
      break;
    }
    if (!interpret_block(pos, block, nullptr)) break;
    if (block.type == kInterfaceDescription) {
      section_ = Section{};
      interfaces_.clear();
      timing_.clear();
      return true;
    }
    pos += block.length;
  }
  error = *error_;
  error_.reset();
  return false;
}

PcapngReader::Frame PcapngReader::frame_block(uint64_t pos, bool batch_has_views, FramedBlock& block) {
  if (batch_has_views && input_->available(pos) < kBlockHeaderBytes) return Frame::NotBuffered;
  const uint8_t* head = input_->window(pos, kBlockHeaderBytes);
  if (head == nullptr) {
    if (!input_->read_error() && input_->available(pos) == 0) return Frame::End;
    read_failure(pos, kBlockHeaderBytes);
    return Frame::Error;
  }
  bool big_endian = section_.big_endian;
  const uint32_t type = load_u32(head, big_endian);
  if (type == kSectionHeader) {
    // A new section may change the byte order, which its length is written in.
    if (batch_has_views && input_->available(pos) < kBlockHeaderBytes + 4) return Frame::NotBuffered;
    head = input_->window(pos, kBlockHeaderBytes + 4);
    if (head == nullptr) {
      read_failure(pos, kBlockHeaderBytes + 4);
      return Frame::Error;
    }
    const std::optional<bool> order = section_big_endian(head);
    if (!order) {
      fail(pos, "the file has a section with a bad byte order magic field");
      return Frame::Error;
    }
    big_endian = *order;
  }
  const uint32_t length = load_u32(head + 4, big_endian);
  if (length < kBlockOverheadBytes) {
    fail(pos, "block in pcapng dump file has a length of " + std::to_string(length) + " < " +
                  std::to_string(kBlockOverheadBytes));
    return Frame::Error;
  }
  if (length % 4 != 0) {
    fail(pos, "block in pcapng dump file has a length of " + std::to_string(length) +
                  " that is not a multiple of 4");
    return Frame::Error;
  }
  if (length > kMaxBlockBytes) {
    fail(pos, "pcapng block size " + std::to_string(length) + " > maximum " + std::to_string(kMaxBlockBytes));
    return Frame::Error;
  }
  if (batch_has_views && input_->available(pos) < length) return Frame::NotBuffered;
  const uint8_t* bytes = input_->window(pos, length);
  if (bytes == nullptr) {
    read_failure(pos, length);
    return Frame::Error;
  }
  const uint32_t trailer = load_u32(bytes + length - kBlockTrailerBytes, big_endian);
  if (trailer != length) {
    fail(pos, "block total length in header " + std::to_string(length) + " and trailer " +
                  std::to_string(trailer) + " don't match");
    return Frame::Error;
  }
  block = FramedBlock{bytes, type, length, big_endian};
  return Frame::Block;
}

bool PcapngReader::read_failure(uint64_t pos, uint64_t wanted) {
  if (const auto& read_error = input_->read_error()) return fail(pos, "error reading dump file: " + *read_error);
  return fail(pos, truncated_message(wanted, input_->available(pos)));
}

bool PcapngReader::interpret_block(uint64_t pos, const FramedBlock& block, Batch* batch) {
  std::string problem;
  switch (block.type) {
    case kSectionHeader: {
      SectionHeader header;
      if (!parse_section_header(block.body(), block.big_endian, header, problem)) return fail(pos, problem);
      if (header.major_version != kMajorVersion) {
        return fail(pos, "unknown pcapng savefile major version number " + std::to_string(header.major_version));
      }
      // Interface numbers start again at 0 in every section.
      const uint32_t number = pos == 0 ? 0 : section_.number + 1;
      section_ = Section{block.big_endian, number, interfaces_.size(), 0};
      break;
    }
    case kInterfaceDescription: {
      InterfaceDescription idb;
      if (!parse_interface_description(block.body(), block.big_endian, idb, problem)) return fail(pos, problem);
      idb.info.section = section_.number;
      timing_.push_back(InterfaceTiming{idb.info.linktype, idb.info.snaplen, idb.scale, idb.info.ts_offset_seconds});
      interfaces_.push_back(std::move(idb.info));
      ++section_.interface_count;
      break;
    }
    default:
      if (!validate_other_block(block.type, block.body(), block.big_endian, problem)) return fail(pos, problem);
      break;
  }
  if (batch != nullptr) {
    batch->blocks.push_back(Block{block.type, {block.bytes, block.length}, block.big_endian});
  }
  return true;
}

// The hot path: no allocation, no copy; the packet is a view into the block.
bool PcapngReader::read_packet(uint64_t pos, const FramedBlock& block, Batch& batch) {
  const std::span<const uint8_t> body = block.body();
  const uint8_t* const fields = body.data();
  const bool big_endian = block.big_endian;
  uint32_t interface_id;
  uint64_t ticks;
  uint32_t caplen;
  uint32_t wirelen;
  size_t data_at;

  if (block.type == kSimplePacket) {
    if (body.size() < kSpbFixedBytes) return fail(pos, too_short_problem(block.type, body.size(), kSpbFixedBytes));
    // No interface field: interface 0 of the section; no timestamp either.
    interface_id = 0;
    ticks = 0;
    wirelen = load_u32(fields, big_endian);
    data_at = kSpbFixedBytes;
    caplen = 0;  // set below, once the interface's snaplen is known
  } else {
    const uint32_t fixed = block.type == kEnhancedPacket ? kEpbFixedBytes : kPbFixedBytes;
    if (body.size() < fixed) return fail(pos, too_short_problem(block.type, body.size(), fixed));
    interface_id = block.type == kEnhancedPacket ? load_u32(fields, big_endian) : load_u16(fields, big_endian);
    ticks = uint64_t{load_u32(fields + 4, big_endian)} << 32 | load_u32(fields + 8, big_endian);
    caplen = load_u32(fields + 12, big_endian);
    wirelen = load_u32(fields + 16, big_endian);
    data_at = fixed;
  }

  if (interface_id >= section_.interface_count) {
    return fail(pos, "a packet arrived on interface " + std::to_string(interface_id) +
                         ", but there's no Interface Description Block for that interface");
  }
  const size_t global_interface = section_.first_interface + interface_id;
  const InterfaceTiming& interface = timing_[global_interface];
  const size_t room = body.size() - data_at;

  if (block.type == kSimplePacket) {
    // The captured length is what the snaplen and the block leave of the
    // wire length (libpcap's snapshot: an unset snaplen means the maximum).
    const uint32_t snaplen =
        interface.snaplen == 0 || interface.snaplen > kMaxPacketBytes ? kMaxPacketBytes : interface.snaplen;
    caplen = static_cast<uint32_t>(std::min<uint64_t>({wirelen, snaplen, room}));
  } else {
    if (caplen > kMaxPacketBytes) {
      return fail(pos, "invalid packet capture length " + std::to_string(caplen) + ", bigger than maximum of " +
                           std::to_string(kMaxPacketBytes));
    }
    if (caplen > room) {
      return fail(pos, "block of type " + std::to_string(block.type) +
                           " in pcapng dump file is too short: the captured length " + std::to_string(caplen) +
                           " runs past the end of the block");
    }
    // Options follow the padded data; opt_endofopt-less blocks are usual.
    const size_t options_at = data_at + static_cast<size_t>(pad4(caplen));
    if (options_at < body.size()) {
      std::string problem;
      if (!validate_options(body.subspan(options_at), big_endian, problem)) {
        return fail(pos, block_name(block.type) + " " + problem);
      }
    }
  }

  uint32_t delivered = caplen;
  if (interface.snaplen != 0 && caplen > interface.snaplen) {
    warn(kCaplenAboveSnaplen, pos);
    delivered = interface.snaplen;
  }
  if (caplen > wirelen) warn(kCaplenAboveWirelen, pos);

  Packet& packet = batch.packets.emplace_back();
  packet.timestamp_ns = interface.scale.to_ns(ticks, interface.offset_seconds);
  packet.caplen = delivered;
  packet.wirelen = wirelen;
  packet.interface = static_cast<uint32_t>(global_interface);
  packet.linktype = interface.linktype;
  packet.data = fields + data_at;
  packet.raw = {block.bytes, block.length};
  packet.encoding = RecordEncoding::Pcapng;
  return true;
}

bool PcapngReader::next(Batch& batch) {
  batch.clear();
  if (finished_) return false;
  input_->release_before(pos_);
  while (batch.packets.size() < batch_limit_ && batch.blocks.size() < batch_limit_) {
    const bool has_views = !batch.packets.empty() || !batch.blocks.empty();
    FramedBlock block;
    switch (frame_block(pos_, has_views, block)) {
      case Frame::Block:
        break;
      case Frame::NotBuffered:
        return true;  // the next block is still to come: hand over what the batch has
      case Frame::End:
      case Frame::Error:
        finished_ = true;
        return false;
    }
    // Ask for the blocks ahead of this one (record_prefetch.h).
    const uint64_t ahead = pos_ + std::min<uint64_t>(input_->available(pos_), block.length + kPrefetchAheadBytes);
    if (prefetched_ < ahead) {
      const uint8_t* next = block.bytes + (std::max(prefetched_, pos_) - pos_);
      prefetch_until(next, block.bytes + (ahead - pos_));
      prefetched_ = pos_ + static_cast<uint64_t>(next - block.bytes);
    }
    if (is_packet_block(block.type)) {
      if (!read_packet(pos_, block, batch)) {
        finished_ = true;
        return false;
      }
    } else {
      // A block after a packet opens the next batch, so that blocks always
      // come before the packets they precede.
      if (!batch.packets.empty()) return true;
      if (!interpret_block(pos_, block, &batch)) {
        finished_ = true;
        return false;
      }
    }
    pos_ += block.length;
  }
  return true;
}

const std::vector<SavefileError>& PcapngReader::warnings() const {
  if (warnings_stale_) {
    warnings_.clear();
    const auto add = [&](Warning kind, const std::string& what) {
      const WarningTally& tally = warning_tallies_[kind];
      if (tally.count == 0) return;
      warnings_.push_back(SavefileError{std::to_string(tally.count) + (tally.count == 1 ? " packet has " : " packets have ") +
                                            what + " (the first at this offset)",
                                        tally.first_offset, false});
    };
    add(kCaplenAboveSnaplen, "a captured length above the interface's snaplen, cut to the snaplen");
    add(kCaplenAboveWirelen, "a captured length above the wire length");
    warnings_stale_ = false;
  }
  return warnings_;
}

}  // namespace

std::unique_ptr<PacketSource> open_pcapng(std::unique_ptr<ByteInput> input, SavefileError& error,
                                          const ReaderOptions& options) {
  auto reader = std::make_unique<PcapngReader>(std::move(input), options);
  if (!reader->open(error)) return nullptr;
  return reader;
}

}  // namespace bpfc::capture
