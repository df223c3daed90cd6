// The classic pcap savefile reader, with libpcap's acceptance rules (sf-pcap.c
// of the libpcap the corpus comes from): its magic numbers, version checks,
// link-type field layout, snapshot-length fallbacks, caplen limits and error
// wording. Packets are views into the input; the per-record loop neither
// allocates nor copies.
#include "readers.h"

#include <algorithm>
#include <bit>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "pcap_format.h"
#include "record_prefetch.h"

namespace bpfc::capture {
namespace {

using namespace pcap_format;

constexpr uint32_t kLinktypeEthernet = 1;

template <bool kSwap>
inline uint32_t load32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return kSwap ? __builtin_bswap32(v) : v;
}

inline uint16_t load16(const uint8_t* p, bool swap) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return swap ? __builtin_bswap16(v) : v;
}

// libpcap's largest sane caplen per link type (max_snaplen_for_dlt); the
// three exceptions have the same number as LINKTYPE_ and DLT_.
uint32_t max_caplen_for(uint32_t linktype) {
  switch (linktype) {
    case 231: return 128 * 1024 * 1024;  // D-Bus messages
    case 279: return 8 * 1024 * 1024;    // EBHSCR
    case 249: return 1024 * 1024;        // USBPcap
    default: return kMaxPacketBytes;
  }
}

// Before version 2.3 the record header had len before caplen; some 2.3
// files still do, and DG/UX wrote 543.0 files that way.
enum class LengthOrder { Normal, Exchanged, ExchangedWhenCaplenExceedsLen };

std::string truncation(size_t wanted, size_t got, const char* what) {
  return "truncated dump file; tried to read " + std::to_string(wanted) + " " + what + ", only got " +
         std::to_string(got) + " (" + std::to_string(wanted - got) + " bytes missing)";
}

struct FileHeader {
  bool swapped = false;
  uint32_t magic = 0;  // in host order
  uint16_t version_major = 0;
  uint16_t version_minor = 0;
  uint32_t snaplen = 0;
  uint32_t linktype_field = 0;
};

class PcapReader final : public PacketSource {
 public:
  PcapReader(std::unique_ptr<ByteInput> input, const FileHeader& header, const ReaderOptions& options)
      : input_(std::move(input)),
        swapped_(header.swapped),
        batch_limit_(options.batch_packets == 0 ? 1 : options.batch_packets),
        pos_(kFileHeaderBytes) {
    const bool modified = header.magic == kModifiedMagic;
    const bool nano = header.magic == kNanoMagic;
    header_bytes_ = modified ? kModifiedRecordHeaderBytes : kRecordHeaderBytes;
    frac_to_ns_ = nano ? 1 : 1000;
    linktype_ = header.linktype_field & kLinktypeMask;
    max_caplen_ = max_caplen_for(linktype_);

    // pcap_adjust_snapshot: a missing or absurd snaplen means the link type's maximum.
    snapshot_ = header.snaplen;
    if (snapshot_ == 0 || snapshot_ > INT_MAX) snapshot_ = max_caplen_;
    // Modified-format Ethernet captures may have been made in cooked mode,
    // where a 14-byte fake Ethernet header was added on top of the snaplen.
    if (modified && linktype_ == kLinktypeEthernet) snapshot_ = snapshot_ <= INT_MAX - 14 ? snapshot_ + 14 : INT_MAX;

    if (header.version_major == 543 || (header.version_major == 2 && header.version_minor < 3))
      length_order_ = LengthOrder::Exchanged;
    else if (header.version_major == 2 && header.version_minor == 3)
      length_order_ = LengthOrder::ExchangedWhenCaplenExceedsLen;

    if (modified || length_order_ == LengthOrder::Exchanged) {
      encoding_ = RecordEncoding::Other;
    } else {
      const bool little = (std::endian::native == std::endian::little) != swapped_;
      encoding_ = nano ? (little ? RecordEncoding::PcapNanoLE : RecordEncoding::PcapNanoBE)
                       : (little ? RecordEncoding::PcapMicroLE : RecordEncoding::PcapMicroBE);
    }

    InterfaceInfo info;
    info.linktype = linktype_;
    info.snaplen = snapshot_;
    info.nanosecond_file = nano;
    info.swapped = swapped_;
    info.ticks_per_second = nano ? 1000000000 : 1000000;
    if (header.linktype_field & kFcsPresentBit)
      info.fcs_bytes = (header.linktype_field >> kFcsLengthShift) * 2;
    interfaces_.push_back(std::move(info));
  }

  bool next(Batch& batch) override {
    batch.clear();
    if (finished_) return false;
    input_->release_before(pos_);
    batch.packets.reserve(batch_limit_);
    const bool more = swapped_ ? fill<true>(batch) : fill<false>(batch);
    publish_warnings();
    return more;
  }

  const std::optional<SavefileError>& error() const override { return error_; }
  const std::vector<SavefileError>& warnings() const override { return warnings_; }
  SavefileFormat format() const override { return SavefileFormat::Pcap; }
  const std::vector<InterfaceInfo>& interfaces() const override { return interfaces_; }
  std::optional<uint64_t> size() const override { return input_->size(); }
  uint64_t position() const override { return pos_; }

 private:
  // Counts one kind of tolerated oddity; its message is written only when a
  // batch ends, so the per-packet cost is an increment.
  struct Oddity {
    uint64_t count = 0;
    uint64_t first_offset = 0;
    uint32_t first_caplen = 0;
    uint32_t first_other = 0;
    uint64_t published = 0;
    size_t slot = SIZE_MAX;  // index in warnings_
  };

  template <bool kSwap>
  bool fill(Batch& batch) {
    std::vector<Packet>& packets = batch.packets;
    for (;;) {
      const size_t have = input_->available(pos_);
      const uint8_t* cursor = have > 0 ? input_->window(pos_, have) : nullptr;
      size_t left = cursor != nullptr ? have : 0;
      uint64_t pos = pos_;
      size_t needed = header_bytes_;
      const uint8_t* prefetched = cursor;  // requested into the cache up to here
      while (packets.size() < batch_limit_) {
        if (left < header_bytes_) {
          needed = header_bytes_;
          break;
        }
        uint32_t caplen = load32<kSwap>(cursor + 8);
        uint32_t wirelen = load32<kSwap>(cursor + 12);
        // A version 2.3 record whose lengths were exchanged does not read as
        // the same record in the 2.4 layout writers produce: never copy it raw.
        bool exchanged = false;
        if (length_order_ != LengthOrder::Normal &&
            (length_order_ == LengthOrder::Exchanged || caplen > wirelen)) [[unlikely]] {
          std::swap(caplen, wirelen);
          exchanged = true;
        }
        if (caplen > max_caplen_) {
          pos_ = pos;
          return fail(oversized_message(caplen), pos);
        }
        const size_t record = header_bytes_ + caplen;
        if (left < record) {
          needed = record;
          break;
        }
        Packet& packet = packets.emplace_back();
        packet.timestamp_ns = static_cast<int64_t>(load32<kSwap>(cursor)) * 1000000000 +
                              static_cast<int64_t>(load32<kSwap>(cursor + 4)) * frac_to_ns_;
        packet.caplen = caplen;
        packet.wirelen = wirelen;
        packet.linktype = linktype_;
        packet.data = cursor + header_bytes_;
        packet.raw = {cursor, record};
        packet.encoding = exchanged ? RecordEncoding::Other : encoding_;
        packet.persistent = persistent_;
        if (caplen > wirelen) [[unlikely]]
          note(above_wirelen_, pos, caplen, wirelen);
        if (caplen > snapshot_) [[unlikely]] {
          // libpcap hands out only the first snaplen bytes of such a record.
          note(above_snaplen_, pos, caplen, snapshot_);
          packet.caplen = snapshot_;
          packet.encoding = RecordEncoding::Other;
        }
        prefetch_until(prefetched, cursor + std::min<size_t>(left, record + kPrefetchAheadBytes));
        cursor += record;
        left -= record;
        pos += record;
      }
      pos_ = pos;
      if (packets.size() >= batch_limit_) return true;
      // The record at pos_ is not entirely buffered. With packets in hand
      // the batch ends here: reading more could wait on a pipe that a live
      // capture feeds slowly (tcpdump -U -w - | bpfc filter -r -), and a
      // stream may have to move bytes to make room, which views forbid.
      if (!packets.empty()) return true;
      if (input_->window(pos_, needed) == nullptr) return finish(needed);
    }
  }

  // The input ended (or failed) inside the record at pos_, or exactly
  // before it.
  bool finish(size_t needed) {
    if (input_->read_error()) return fail("error reading dump file: " + *input_->read_error(), pos_);
    const size_t have = input_->available(pos_);
    if (have == 0) {
      finished_ = true;
      return false;
    }
    if (have < header_bytes_) return fail(truncation(header_bytes_, have, "header bytes"), pos_);
    return fail(truncation(needed - header_bytes_, have - header_bytes_, "captured bytes"), pos_);
  }

  bool fail(std::string message, uint64_t offset) {
    error_ = SavefileError{std::move(message), offset, true};
    finished_ = true;
    return false;
  }

  std::string oversized_message(uint32_t caplen) const {
    if (caplen > snapshot_)
      return "invalid packet capture length " + std::to_string(caplen) + ", bigger than snaplen of " +
             std::to_string(snapshot_);
    return "invalid packet capture length " + std::to_string(caplen) + ", bigger than maximum of " +
           std::to_string(max_caplen_);
  }

  static void note(Oddity& oddity, uint64_t offset, uint32_t caplen, uint32_t other) {
    if (oddity.count++ == 0) {
      oddity.first_offset = offset;
      oddity.first_caplen = caplen;
      oddity.first_other = other;
    }
  }

  void publish_warnings() {
    publish(above_snaplen_, [](const Oddity& o) {
      return std::to_string(o.count) + (o.count == 1 ? " packet has" : " packets have") +
             " a capture length bigger than the snaplen of " + std::to_string(o.first_other) + " (first: " +
             std::to_string(o.first_caplen) + " bytes); cut to the snaplen, as libpcap does";
    });
    publish(above_wirelen_, [](const Oddity& o) {
      return std::to_string(o.count) + (o.count == 1 ? " packet has" : " packets have") +
             " a capture length bigger than its length on the wire (first: " + std::to_string(o.first_caplen) +
             " > " + std::to_string(o.first_other) + ")";
    });
  }

  template <typename Describe>
  void publish(Oddity& oddity, Describe describe) {
    if (oddity.count == oddity.published) return;
    if (oddity.slot == SIZE_MAX) {
      oddity.slot = warnings_.size();
      warnings_.push_back({"", oddity.first_offset, false});
    }
    warnings_[oddity.slot].message = describe(oddity);
    oddity.published = oddity.count;
  }

  std::unique_ptr<ByteInput> input_;
  bool swapped_;
  size_t batch_limit_;
  uint64_t pos_;  // absolute offset of the next record
  size_t header_bytes_ = kRecordHeaderBytes;
  int64_t frac_to_ns_ = 1000;
  uint32_t linktype_ = 0;
  uint32_t snapshot_ = 0;
  uint32_t max_caplen_ = kMaxPacketBytes;
  LengthOrder length_order_ = LengthOrder::Normal;
  RecordEncoding encoding_ = RecordEncoding::Other;
  const bool persistent_ = input_->persistent();  // Packet::persistent
  bool finished_ = false;
  Oddity above_snaplen_;
  Oddity above_wirelen_;
  std::vector<InterfaceInfo> interfaces_;
  std::optional<SavefileError> error_;
  std::vector<SavefileError> warnings_;
};

}  // namespace

std::unique_ptr<PacketSource> open_pcap(std::unique_ptr<ByteInput> input, SavefileError& error,
                                        const ReaderOptions& options) {
  const uint8_t* bytes = input->window(0, kFileHeaderBytes);
  if (bytes == nullptr) {
    if (input->read_error())
      error = {"error reading dump file: " + *input->read_error(), std::nullopt, false};
    else
      error = {truncation(kFileHeaderBytes, input->available(0), "file header bytes"), std::nullopt, false};
    return nullptr;
  }
  FileHeader header;
  header.magic = load32<false>(bytes);
  if (header.magic != kMicroMagic && header.magic != kNanoMagic && header.magic != kModifiedMagic) {
    header.swapped = true;
    header.magic = __builtin_bswap32(header.magic);
  }
  if (header.magic != kMicroMagic && header.magic != kNanoMagic && header.magic != kModifiedMagic) {
    error = {"not a pcap savefile", std::nullopt, false};
    return nullptr;
  }
  header.version_major = load16(bytes + 4, header.swapped);
  header.version_minor = load16(bytes + 6, header.swapped);
  header.snaplen = header.swapped ? load32<true>(bytes + 16) : load32<false>(bytes + 16);
  header.linktype_field = header.swapped ? load32<true>(bytes + 20) : load32<false>(bytes + 20);

  // Versions 2.0 to 2.4, and 543.0 from DG/UX tcpdump.
  const bool supported = (header.version_major == 2 && header.version_minor <= 4) ||
                         (header.version_major == 543 && header.version_minor == 0);
  if (!supported) {
    error = {"unsupported pcap savefile version " + std::to_string(header.version_major) + "." +
                 std::to_string(header.version_minor),
             std::nullopt, false};
    return nullptr;
  }
  if (header.linktype_field & kReservedMask) {
    char text[80];
    std::snprintf(text, sizeof text, "savefile linktype reserved field not zero (0x%08x)",
                  header.linktype_field & kReservedMask);
    error = {text, std::nullopt, false};
    return nullptr;
  }
  return std::make_unique<PcapReader>(std::move(input), header, options);
}

}  // namespace bpfc::capture
