// The pcapng writer of live captures: a section of its own with one
// Interface Description Block per capture interface, carrying if_name and
// if_filter (the expression), Enhanced Packet Blocks in nanoseconds, and an
// Interface Statistics Block per interface when the capture ends.
#include <cstring>

#include "output_buffer.h"
#include "pcapng_format.h"
#include "pcapng_options.h"
#include "bpfc/capture/live_pcapng.h"

namespace bpfc::capture {
namespace {

using namespace pcapng;

// Interface Statistics Block options.
constexpr uint16_t kOptIsbStartTime = 2;
constexpr uint16_t kOptIsbEndTime = 3;
constexpr uint16_t kOptIsbIfDrop = 5;
constexpr uint16_t kOptIsbFilterAccept = 6;
constexpr uint16_t kOptIsbOsDrop = 7;
constexpr uint16_t kOptIsbUsrDeliv = 8;
constexpr uint8_t kNanosecondResolution = 9;

void append_u64_option(std::vector<uint8_t>& body, uint16_t code, uint64_t value) {
  uint8_t bytes[8];
  store_u64(bytes, value, kHostBigEndian);
  append_option(body, code, std::span<const uint8_t>(bytes, 8), kHostBigEndian);
}

void append_timestamp_option(std::vector<uint8_t>& body, uint16_t code, int64_t ns) {
  const uint64_t ticks = static_cast<uint64_t>(ns);
  uint8_t bytes[8];
  store_u32(bytes, static_cast<uint32_t>(ticks >> 32), kHostBigEndian);
  store_u32(bytes + 4, static_cast<uint32_t>(ticks), kHostBigEndian);
  append_option(body, code, std::span<const uint8_t>(bytes, 8), kHostBigEndian);
}

class LivePcapngWriterImpl final : public LivePcapngWriter {
 public:
  LivePcapngWriterImpl(int fd, bool owns_fd)
      : out_(std::make_unique<OutputBuffer>(fd, owns_fd, OutputBuffer::kDefaultCapacity,
                                            OutputBuffer::Writes::InCaller)) {}
  ~LivePcapngWriterImpl() override { flush(); }

  bool start(const std::vector<InterfaceInfo>& interfaces);
  bool write_block(const Block&) override { return !error_; }
  bool write_packet(const Packet& packet, const InterfaceInfo&) override;
  bool write_statistics(uint32_t interface, const InterfaceStatistics& statistics) override;
  bool flush() override {
    if (error_) return false;
    if (!out_->flush()) return failed();
    return true;
  }
  const std::optional<SavefileError>& error() const override { return error_; }
  uint64_t bytes_written() const override { return out_->bytes_written(); }

 private:
  bool failed() {
    if (!error_) error_ = SavefileError{out_->write_error().value_or("write error"), std::nullopt, false};
    return false;
  }
  bool append_block(uint32_t type, const std::vector<uint8_t>& body) {
    if (error_) return false;
    const size_t length = body.size() + kBlockOverheadBytes;
    uint8_t* block = out_->reserve(length);
    if (block == nullptr) return failed();
    store_u32(block, type, kHostBigEndian);
    store_u32(block + 4, static_cast<uint32_t>(length), kHostBigEndian);
    if (!body.empty()) std::memcpy(block + kBlockHeaderBytes, body.data(), body.size());
    store_u32(block + length - kBlockTrailerBytes, static_cast<uint32_t>(length), kHostBigEndian);
    out_->commit(length);
    return true;
  }

  std::unique_ptr<OutputBuffer> out_;
  std::optional<SavefileError> error_;
  std::vector<uint32_t> linktypes_;
};

bool LivePcapngWriterImpl::start(const std::vector<InterfaceInfo>& interfaces) {
  std::vector<uint8_t> header(kShbFixedBytes);
  store_u32(header.data(), kByteOrderMagic, kHostBigEndian);
  store_u16(header.data() + 4, kMajorVersion, kHostBigEndian);
  store_u16(header.data() + 6, 0, kHostBigEndian);
  store_u64(header.data() + 8, ~uint64_t{0}, kHostBigEndian);
  append_option(header, kOptShbUserApplication, "bpfc", kHostBigEndian);
  append_end_of_options(header, kHostBigEndian);
  if (!append_block(kSectionHeader, header)) return false;
  for (const InterfaceInfo& interface : interfaces) {
    std::vector<uint8_t> body(kIdbFixedBytes);
    store_u16(body.data(), static_cast<uint16_t>(interface.linktype), kHostBigEndian);
    store_u16(body.data() + 2, 0, kHostBigEndian);
    store_u32(body.data() + 4, interface.snaplen, kHostBigEndian);
    if (!interface.name.empty()) append_option(body, kOptIfName, interface.name, kHostBigEndian);
    append_option(body, kOptIfTsresol, std::span<const uint8_t>(&kNanosecondResolution, 1), kHostBigEndian);
    if (interface.filter) {
      // if_filter: a type byte (0: libpcap filter string), then the text.
      std::string value(1, '\0');
      value += *interface.filter;
      append_option(body, kOptIfFilter, value, kHostBigEndian);
    }
    append_end_of_options(body, kHostBigEndian);
    if (!append_block(kInterfaceDescription, body)) return false;
    linktypes_.push_back(interface.linktype);
  }
  // The header goes out at once: a reader at the other end of a pipe can
  // open the capture before the first packet.
  return flush();
}

bool LivePcapngWriterImpl::write_packet(const Packet& packet, const InterfaceInfo&) {
  if (error_) return false;
  const size_t length = kBlockOverheadBytes + kEpbFixedBytes + static_cast<size_t>(pad4(packet.caplen));
  uint8_t* block = out_->reserve(length);
  if (block == nullptr) return failed();
  const uint64_t ticks = static_cast<uint64_t>(packet.timestamp_ns);
  store_u32(block, kEnhancedPacket, kHostBigEndian);
  store_u32(block + 4, static_cast<uint32_t>(length), kHostBigEndian);
  uint8_t* fields = block + kBlockHeaderBytes;
  store_u32(fields, packet.interface, kHostBigEndian);
  store_u32(fields + 4, static_cast<uint32_t>(ticks >> 32), kHostBigEndian);
  store_u32(fields + 8, static_cast<uint32_t>(ticks), kHostBigEndian);
  store_u32(fields + 12, packet.caplen, kHostBigEndian);
  store_u32(fields + 16, packet.wirelen, kHostBigEndian);
  uint8_t* data = fields + kEpbFixedBytes;
  if (packet.caplen > 0) std::memcpy(data, packet.data, packet.caplen);
  std::memset(data + packet.caplen, 0, static_cast<size_t>(pad4(packet.caplen)) - packet.caplen);
  store_u32(block + length - kBlockTrailerBytes, static_cast<uint32_t>(length), kHostBigEndian);
  out_->commit(length);
  return true;
}

bool LivePcapngWriterImpl::write_statistics(uint32_t interface, const InterfaceStatistics& statistics) {
  std::vector<uint8_t> body(kIsbFixedBytes);
  const uint64_t ticks = static_cast<uint64_t>(statistics.end_ns);
  store_u32(body.data(), interface, kHostBigEndian);
  store_u32(body.data() + 4, static_cast<uint32_t>(ticks >> 32), kHostBigEndian);
  store_u32(body.data() + 8, static_cast<uint32_t>(ticks), kHostBigEndian);
  append_timestamp_option(body, kOptIsbStartTime, statistics.start_ns);
  append_timestamp_option(body, kOptIsbEndTime, statistics.end_ns);
  if (statistics.interface_drops) append_u64_option(body, kOptIsbIfDrop, *statistics.interface_drops);
  append_u64_option(body, kOptIsbFilterAccept, statistics.accepted_by_filter);
  append_u64_option(body, kOptIsbOsDrop, statistics.os_drops);
  append_u64_option(body, kOptIsbUsrDeliv, statistics.delivered);
  append_end_of_options(body, kHostBigEndian);
  return append_block(kInterfaceStatistics, body);
}

}  // namespace

std::unique_ptr<LivePcapngWriter> create_live_pcapng(int fd, bool owns_fd,
                                                     const std::vector<InterfaceInfo>& interfaces,
                                                     SavefileError& error) {
  auto writer = std::make_unique<LivePcapngWriterImpl>(fd, owns_fd);
  if (!writer->start(interfaces)) {
    error = *writer->error();
    return nullptr;
  }
  return writer;
}

}  // namespace bpfc::capture
