// The pcap savefile writer: version 2.4, host byte order, microsecond or
// nanosecond magic. A record read from a pcap file with the same layout is
// copied as it is; anything else gets its 16-byte header encoded.
#include "writers.h"

#include <bit>
#include <cstring>
#include <string>

#include "pcap_format.h"

namespace bpfc::capture {
namespace {

using namespace pcap_format;
constexpr int64_t kNanosPerSecond = 1000000000;

std::string linktype_name(uint32_t linktype) {
  struct Named {
    uint32_t value;
    const char* name;
  };
  static constexpr Named kNames[] = {
      {0, "NULL"},        {1, "ETHERNET"},        {9, "PPP"},           {101, "RAW"},
      {105, "IEEE802_11"}, {108, "LOOP"},          {113, "LINUX_SLL"},   {127, "IEEE802_11_RADIOTAP"},
      {228, "IPV4"},       {229, "IPV6"},          {276, "LINUX_SLL2"},
  };
  for (const Named& n : kNames)
    if (n.value == linktype) return std::string("LINKTYPE_") + n.name;
  return "LINKTYPE_" + std::to_string(linktype);
}

void store32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, sizeof v); }
void store16(uint8_t* p, uint16_t v) { std::memcpy(p, &v, sizeof v); }

class PcapWriter final : public PacketSink {
 public:
  PcapWriter(std::unique_ptr<OutputBuffer> out, const WriterOptions& options)
      : out_(std::move(out)),
        linktype_(options.linktype),
        nanosecond_(options.nanosecond),
        borrow_(options.borrow_persistent) {
    constexpr bool little = std::endian::native == std::endian::little;
    own_encoding_ = nanosecond_ ? (little ? RecordEncoding::PcapNanoLE : RecordEncoding::PcapNanoBE)
                                : (little ? RecordEncoding::PcapMicroLE : RecordEncoding::PcapMicroBE);
  }

  // The file header goes out at once so that even an empty result is a
  // valid savefile that a reader at the other end of a pipe can open.
  bool write_header(const WriterOptions& options) {
    uint8_t header[24] = {};
    store32(header, nanosecond_ ? kNanoMagic : kMicroMagic);
    store16(header + 4, 2);
    store16(header + 6, 4);
    store32(header + 16, options.snaplen);
    uint32_t linktype_field = options.linktype & 0xffff;
    // The header stores the FCS length in 16-bit units, 0 to 15 of them;
    // a length it cannot express is left out (it is informational).
    if (options.fcs_bytes && *options.fcs_bytes % 2 == 0 && *options.fcs_bytes / 2 <= 15)
      linktype_field |= kFcsPresentBit | (*options.fcs_bytes / 2) << kFcsLengthShift;
    store32(header + 20, linktype_field);
    if (!out_->append(header, sizeof header) || !out_->flush()) return record_write_error();
    return true;
  }

  bool write_block(const Block&) override { return !error_; }

  bool write_packet(const Packet& packet, const InterfaceInfo&) override {
    if (error_) [[unlikely]]
      return false;
    if (packet.linktype != linktype_) [[unlikely]] {
      error_ = SavefileError{"cannot write a " + linktype_name(packet.linktype) + " packet into a pcap file of " +
                                 linktype_name(linktype_) + "; use pcapng",
                             std::nullopt, false};
      return false;
    }
    if (packet.encoding == own_encoding_) {
      const bool appended = borrow_ && packet.persistent ? out_->append_borrowed(packet.raw.data(), packet.raw.size())
                                                         : out_->append(packet.raw.data(), packet.raw.size());
      if (!appended) [[unlikely]]
        return record_write_error();
      return true;
    }
    uint8_t* record = out_->reserve(kRecordHeaderBytes + packet.caplen);
    if (record == nullptr) [[unlikely]]
      return record_write_error();
    int64_t seconds = packet.timestamp_ns / kNanosPerSecond;
    int64_t fraction = packet.timestamp_ns % kNanosPerSecond;
    if (fraction < 0) {  // before 1970: floor, so the fraction stays positive
      seconds -= 1;
      fraction += kNanosPerSecond;
    }
    store32(record, static_cast<uint32_t>(seconds));
    store32(record + 4, static_cast<uint32_t>(nanosecond_ ? fraction : fraction / 1000));
    store32(record + 8, packet.caplen);
    store32(record + 12, packet.wirelen);
    if (packet.caplen > 0) std::memcpy(record + kRecordHeaderBytes, packet.data, packet.caplen);
    out_->commit(kRecordHeaderBytes + packet.caplen);
    return true;
  }

  bool flush() override {
    if (error_) return false;
    if (!out_->flush()) return record_write_error();
    return true;
  }

  const std::optional<SavefileError>& error() const override { return error_; }
  uint64_t bytes_written() const override { return out_->bytes_written(); }

 private:
  bool record_write_error() {
    error_ = SavefileError{out_->write_error().value_or("write error"), std::nullopt, false};
    error_->borrowed_input_lost = out_->borrowed_bytes_lost();
    return false;
  }

  std::unique_ptr<OutputBuffer> out_;
  uint32_t linktype_;
  bool nanosecond_;
  bool borrow_;  // WriterOptions::borrow_persistent
  RecordEncoding own_encoding_;
  std::optional<SavefileError> error_;
};

}  // namespace

std::unique_ptr<PacketSink> make_pcap_writer(std::unique_ptr<OutputBuffer> out, const WriterOptions& options,
                                             SavefileError& error) {
  auto writer = std::make_unique<PcapWriter>(std::move(out), options);
  if (!writer->write_header(options)) {
    error = *writer->error();
    return nullptr;
  }
  return writer;
}

}  // namespace bpfc::capture
