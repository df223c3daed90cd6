// The pcapng writer. Blocks from a pcapng source are copied through
// verbatim, so options, comments, name resolution, statistics, secrets,
// custom and unknown blocks survive; only an SHB's section length becomes
// -1, because packets may have been dropped. Packets whose blocks were
// copied are copied too. Anything else (packets from a pcap source) is
// encoded as an Enhanced Packet Block in a section of the writer's own,
// with one Interface Description Block per (link type, snaplen, FCS length).
//
// A section holds either blocks copied from a source or the writer's own
// interfaces, never both: adding an interface to a copied section would
// shift the numbers of the source's later interfaces, which its copied
// packets refer to.
#include <cstring>
#include <utility>
#include <vector>

#include "pcapng_format.h"
#include "pcapng_options.h"
#include "writers.h"

namespace bpfc::capture {
namespace {

using namespace pcapng;

// What distinguishes the interfaces the writer describes itself.
struct OwnInterface {
  uint32_t linktype = 0;
  uint32_t snaplen = 0;
  std::optional<uint32_t> fcs_bytes;
  bool operator==(const OwnInterface&) const = default;
};

// Wraps a body into a block: type, total length, body, total length.
std::vector<uint8_t> make_block(uint32_t type, const std::vector<uint8_t>& body, bool big_endian) {
  const uint32_t length = static_cast<uint32_t>(body.size()) + kBlockOverheadBytes;
  std::vector<uint8_t> block(length);
  store_u32(block.data(), type, big_endian);
  store_u32(block.data() + 4, length, big_endian);
  if (!body.empty()) std::memcpy(block.data() + kBlockHeaderBytes, body.data(), body.size());
  store_u32(block.data() + length - kBlockTrailerBytes, length, big_endian);
  return block;
}

class PcapngWriter final : public PacketSink {
 public:
  PcapngWriter(std::unique_ptr<OutputBuffer> out, const WriterOptions& options)
      : out_(std::move(out)), options_(options) {}
  ~PcapngWriter() override { flush(); }
  PcapngWriter(const PcapngWriter&) = delete;
  PcapngWriter& operator=(const PcapngWriter&) = delete;

  bool write_block(const Block& block) override;
  bool write_packet(const Packet& packet, const InterfaceInfo& interface) override;
  bool flush() override;
  const std::optional<SavefileError>& error() const override { return error_; }
  uint64_t bytes_written() const override { return out_->bytes_written(); }

 private:
  enum class SectionKind { None, Copied, Own };

  bool append(const uint8_t* bytes, size_t n);
  bool append(const std::vector<uint8_t>& bytes) { return append(bytes.data(), bytes.size()); }
  bool start_own_section_header(bool big_endian);
  bool copy_section_header(const Block& block);
  // The index of the writer's own interface for `key` in the current own
  // section, writing its IDB first when it is new; -1 on a write error.
  int64_t own_interface(const OwnInterface& key);
  bool can_copy_packet(const Packet& packet) const;
  bool write_enhanced_packet(const Packet& packet, uint32_t interface_id);
  bool failed(std::string message) {
    if (!error_) error_ = SavefileError{std::move(message), std::nullopt, false};
    return false;
  }

  std::unique_ptr<OutputBuffer> out_;
  WriterOptions options_;
  std::optional<SavefileError> error_;
  bool wrote_anything_ = false;
  SectionKind section_ = SectionKind::None;
  bool section_big_endian_ = kHostBigEndian;
  std::vector<uint32_t> section_linktypes_;     // of the current section's IDBs, by interface id
  std::vector<OwnInterface> own_interfaces_;    // own section: index == interface id
  size_t last_own_interface_ = 0;               // the one the previous packet used
};

bool PcapngWriter::append(const uint8_t* bytes, size_t n) {
  if (error_) return false;
  if (!out_->append(bytes, n)) return failed(out_->write_error().value_or("write error"));
  wrote_anything_ = true;
  return true;
}

bool PcapngWriter::start_own_section_header(bool big_endian) {
  std::vector<uint8_t> body(kShbFixedBytes);
  store_u32(body.data(), kByteOrderMagic, big_endian);
  store_u16(body.data() + 4, kMajorVersion, big_endian);
  store_u16(body.data() + 6, 0, big_endian);
  store_u64(body.data() + 8, ~uint64_t{0}, big_endian);  // section length unknown
  append_option(body, kOptShbUserApplication, "bpfc", big_endian);
  append_end_of_options(body, big_endian);
  section_big_endian_ = big_endian;
  section_linktypes_.clear();
  own_interfaces_.clear();
  return append(make_block(kSectionHeader, body, big_endian));
}

bool PcapngWriter::copy_section_header(const Block& block) {
  const size_t n = block.raw.size();
  if (n < kBlockOverheadBytes + kShbFixedBytes) {
    return failed("cannot copy a Section Header Block of " + std::to_string(n) + " bytes");
  }
  if (error_) return false;
  uint8_t* room = out_->reserve(n);
  if (room == nullptr) return failed(out_->write_error().value_or("write error"));
  std::memcpy(room, block.raw.data(), n);
  // The section length (-1: unknown) reads the same in both byte orders.
  std::memset(room + kBlockHeaderBytes + 8, 0xFF, 8);
  out_->commit(n);
  wrote_anything_ = true;
  section_ = SectionKind::Copied;
  section_big_endian_ = block.big_endian;
  section_linktypes_.clear();
  own_interfaces_.clear();
  return true;
}

bool PcapngWriter::write_block(const Block& block) {
  if (error_) return false;
  if (block.type == kSectionHeader) return copy_section_header(block);
  if (block.raw.size() < kBlockOverheadBytes) {
    return failed("cannot copy a block of " + std::to_string(block.raw.size()) + " bytes");
  }
  // A block that comes without its SHB still needs a section of its own
  // byte order that holds only copied blocks.
  if (section_ != SectionKind::Copied || section_big_endian_ != block.big_endian) {
    if (!start_own_section_header(block.big_endian)) return false;
    section_ = SectionKind::Copied;
  }
  if (!append(block.raw.data(), block.raw.size())) return false;
  if (block.type == kInterfaceDescription) {
    const bool has_linktype = block.raw.size() >= kBlockOverheadBytes + kIdbFixedBytes;
    section_linktypes_.push_back(has_linktype ? load_u16(block.raw.data() + kBlockHeaderBytes, block.big_endian)
                                              : ~uint32_t{0});
  }
  return true;
}

bool PcapngWriter::can_copy_packet(const Packet& packet) const {
  if (packet.encoding != RecordEncoding::Pcapng || section_ != SectionKind::Copied) return false;
  if (packet.raw.size() < kBlockOverheadBytes + 4) return false;
  // The copied block must name an interface of the current section with
  // the packet's link type (a packet whose own blocks were not copied
  // would otherwise be attributed to someone else's interface).
  const uint8_t* raw = packet.raw.data();
  uint32_t interface_id;
  switch (load_u32(raw, section_big_endian_)) {
    case kEnhancedPacket:
      interface_id = load_u32(raw + kBlockHeaderBytes, section_big_endian_);
      break;
    case kObsoletePacket:
      interface_id = load_u16(raw + kBlockHeaderBytes, section_big_endian_);
      break;
    case kSimplePacket:
      interface_id = 0;
      break;
    default:
      return false;
  }
  return interface_id < section_linktypes_.size() && section_linktypes_[interface_id] == packet.linktype;
}

int64_t PcapngWriter::own_interface(const OwnInterface& key) {
  if (last_own_interface_ < own_interfaces_.size() && own_interfaces_[last_own_interface_] == key) {
    return static_cast<int64_t>(last_own_interface_);
  }
  for (size_t i = 0; i < own_interfaces_.size(); ++i) {
    if (own_interfaces_[i] == key) {
      last_own_interface_ = i;
      return static_cast<int64_t>(i);
    }
  }
  const bool big_endian = section_big_endian_;
  std::vector<uint8_t> body(kIdbFixedBytes);
  store_u16(body.data(), static_cast<uint16_t>(key.linktype), big_endian);
  store_u16(body.data() + 2, 0, big_endian);
  store_u32(body.data() + 4, key.snaplen, big_endian);
  const uint8_t tsresol = options_.nanosecond ? 9 : 6;
  append_option(body, kOptIfTsresol, std::span(&tsresol, 1), big_endian);
  if (key.fcs_bytes && *key.fcs_bytes * 8 <= 0xFF) {
    const uint8_t fcs_bits = static_cast<uint8_t>(*key.fcs_bytes * 8);  // if_fcslen counts bits
    append_option(body, kOptIfFcslen, std::span(&fcs_bits, 1), big_endian);
  }
  append_end_of_options(body, big_endian);
  if (!append(make_block(kInterfaceDescription, body, big_endian))) return -1;
  own_interfaces_.push_back(key);
  section_linktypes_.push_back(key.linktype);
  last_own_interface_ = own_interfaces_.size() - 1;
  return static_cast<int64_t>(last_own_interface_);
}

bool PcapngWriter::write_enhanced_packet(const Packet& packet, uint32_t interface_id) {
  const bool big_endian = section_big_endian_;
  const size_t length = kBlockOverheadBytes + kEpbFixedBytes + static_cast<size_t>(pad4(packet.caplen));
  uint8_t* block = out_->reserve(length);
  if (block == nullptr) return failed(out_->write_error().value_or("write error"));
  // Ticks of the IDB's unit (if_tsresol 6 or 9), rounded down, also before 1970.
  const int64_t divisor = options_.nanosecond ? 1 : 1000;
  int64_t ticks = packet.timestamp_ns / divisor;
  if (packet.timestamp_ns % divisor < 0) --ticks;
  const uint64_t unsigned_ticks = static_cast<uint64_t>(ticks);
  store_u32(block, kEnhancedPacket, big_endian);
  store_u32(block + 4, static_cast<uint32_t>(length), big_endian);
  uint8_t* fields = block + kBlockHeaderBytes;
  store_u32(fields, interface_id, big_endian);
  store_u32(fields + 4, static_cast<uint32_t>(unsigned_ticks >> 32), big_endian);
  store_u32(fields + 8, static_cast<uint32_t>(unsigned_ticks), big_endian);
  store_u32(fields + 12, packet.caplen, big_endian);
  store_u32(fields + 16, packet.wirelen, big_endian);
  uint8_t* data = fields + kEpbFixedBytes;
  if (packet.caplen > 0) std::memcpy(data, packet.data, packet.caplen);
  std::memset(data + packet.caplen, 0, static_cast<size_t>(pad4(packet.caplen)) - packet.caplen);
  store_u32(block + length - kBlockTrailerBytes, static_cast<uint32_t>(length), big_endian);
  out_->commit(length);
  wrote_anything_ = true;
  return true;
}

bool PcapngWriter::write_packet(const Packet& packet, const InterfaceInfo& interface) {
  if (error_) return false;
  if (can_copy_packet(packet)) return append(packet.raw.data(), packet.raw.size());
  if (section_ != SectionKind::Own) {
    if (!start_own_section_header(kHostBigEndian)) return false;
    section_ = SectionKind::Own;
  }
  const int64_t interface_id = own_interface(OwnInterface{interface.linktype, interface.snaplen, interface.fcs_bytes});
  if (interface_id < 0) return false;
  return write_enhanced_packet(packet, static_cast<uint32_t>(interface_id));
}

bool PcapngWriter::flush() {
  // An output with nothing in it is still a file every reader opens: a
  // section with the interface the options describe.
  if (!wrote_anything_ && !error_) {
    if (start_own_section_header(kHostBigEndian)) {
      section_ = SectionKind::Own;
      own_interface(OwnInterface{options_.linktype, options_.snaplen, options_.fcs_bytes});
    }
  }
  if (error_) return false;
  if (!out_->flush()) return failed(out_->write_error().value_or("write error"));
  return true;
}

}  // namespace

std::unique_ptr<PacketSink> make_pcapng_writer(std::unique_ptr<OutputBuffer> out, const WriterOptions& options,
                                               SavefileError& /*error*/) {
  return std::make_unique<PcapngWriter>(std::move(out), options);
}

}  // namespace bpfc::capture
