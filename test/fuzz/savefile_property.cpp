#include "savefile_property.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <optional>
#include <string>
#include <vector>

#include "output_buffer.h"
#include "shifting_stream_input.h"
#include "source_recording.h"
#include "writers.h"

namespace bpfc::capture::fuzz {
namespace {

constexpr uint32_t kSectionHeaderBlock = 0x0A0D0D0A;
constexpr uint32_t kInterfaceDescriptionBlock = 0x00000001;
constexpr size_t kBigBatch = ReaderOptions{}.batch_packets;

// An anonymous in-memory file the writers write into through a descriptor,
// exactly as they would into a regular file.
class MemoryFile {
 public:
  MemoryFile() : fd_(memfd_create("bpfc-fuzz-output", MFD_CLOEXEC)) { require(fd_ >= 0, "memfd_create failed"); }
  ~MemoryFile() { close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  int fd() const { return fd_; }

  std::vector<uint8_t> contents() const {
    struct stat st {};
    require(fstat(fd_, &st) == 0, "fstat on the output failed");
    std::vector<uint8_t> bytes(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = pread(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
      require(n > 0, "reading the output back failed");
      done += static_cast<size_t>(n);
    }
    return bytes;
  }

 private:
  int fd_;
};

std::optional<SourceRecording> read_from_memory(std::span<const uint8_t> input, ReaderFactory open_reader,
                                                size_t batch_packets, const DeliveryObserver& observer = {}) {
  SavefileError error;
  auto source = open_reader(memory_input(input), error, ReaderOptions{batch_packets});
  if (!source) return std::nullopt;
  return record_source(*source, batch_packets, observer);
}

// The streaming path, through a buffer that moves as often as the ByteInput
// contract allows. Its capacity varies with the input so that buffer
// boundaries fall at different places in the records.
std::optional<SourceRecording> read_as_shifting_stream(std::span<const uint8_t> input, ReaderFactory open_reader) {
  const size_t capacity = 16 + input.size() % 509;
  SavefileError error;
  auto source = open_reader(std::make_unique<ShiftingStreamInput>(input, capacity), error, ReaderOptions{kBigBatch});
  if (!source) return std::nullopt;
  return record_source(*source, kBigBatch);
}

// The writers over a deliberately small output buffer, so that flushing
// between records and growing for a record larger than the buffer happen
// all the time.
std::unique_ptr<PacketSink> make_writer(int fd, const WriterOptions& options) {
  constexpr size_t kSmallOutputBuffer = 256;
  SavefileError error;
  auto out = std::make_unique<OutputBuffer>(fd, false, kSmallOutputBuffer);
  auto sink = options.format == SavefileFormat::Pcap ? make_pcap_writer(std::move(out), options, error)
                                                     : make_pcapng_writer(std::move(out), options, error);
  if (!sink) property_failed("a writer refused to start: " + error.describe("output"));
  return sink;
}

void require_same(const SourceRecording& expected, const SourceRecording& actual, const char* what) {
  std::string difference = describe_difference(expected, actual);
  if (!difference.empty()) property_failed(std::string(what) + ": " + difference);
}

// A pcap record stores 32-bit seconds: a time outside 1970..2106 (or a
// microsecond field of a million or more in the input) comes back modulo
// 2^32 seconds, as libpcap's own writer does it; a microsecond file drops
// the nanoseconds. A record copied unchanged keeps its bytes and its time.
int64_t as_pcap_would_store(int64_t timestamp_ns, bool nanosecond) {
  constexpr int64_t kNanosPerSecond = 1000000000;
  int64_t seconds = timestamp_ns / kNanosPerSecond;
  int64_t fraction = timestamp_ns % kNanosPerSecond;
  if (fraction < 0) {
    seconds -= 1;
    fraction += kNanosPerSecond;
  }
  if (!nanosecond) fraction -= fraction % 1000;
  return static_cast<int64_t>(static_cast<uint32_t>(seconds)) * kNanosPerSecond + fraction;
}

// The layout the pcap writer copies records in unchanged.
RecordEncoding native_pcap_encoding(bool nanosecond) {
  const bool little = std::endian::native == std::endian::little;
  return nanosecond ? (little ? RecordEncoding::PcapNanoLE : RecordEncoding::PcapNanoBE)
                    : (little ? RecordEncoding::PcapMicroLE : RecordEncoding::PcapMicroBE);
}

bool is_section_or_interface(uint32_t type) {
  return type == kSectionHeaderBlock || type == kInterfaceDescriptionBlock;
}

// Writes what a source delivers, as it delivers it, with both writers, and
// checks afterwards that each output reads back as what was written.
class WriterRoundTrip {
 public:
  explicit WriterRoundTrip(const PacketSource& source) : source_format_(source.format()) {
    WriterOptions options;
    options.format = SavefileFormat::Pcapng;
    options.nanosecond = true;
    if (!source.interfaces().empty()) options.linktype = source.interfaces().front().linktype;
    pcapng_sink_ = make_writer(pcapng_file_.fd(), options);
  }

  DeliveryObserver observer() {
    return {[this](const Block& block) { write_block(block); },
            [this](const Packet& packet, const InterfaceInfo& interface, size_t index) {
              write_pcap(packet, interface, index);
              write_pcapng(packet, interface, index);
            }};
  }

  void verify(const SourceRecording& original) {
    verify_pcap_output(original);
    verify_pcapng_output(original);
  }

 private:
  void write_block(const Block& block) {
    if (pcap_sink_ && !pcap_failed_) pcap_failed_ = !pcap_sink_->write_block(block);
    if (pcapng_failed_) return;
    if (!pcapng_sink_->write_block(block)) {
      require(pcapng_sink_->error().has_value(), "write_block failed without an error");
      pcapng_failed_ = true;
      return;
    }
    if (!is_section_or_interface(block.type)) pcapng_blocks_.push_back({block.raw.begin(), block.raw.end()});
  }

  // A pcap file has one link type: the first packet's. Packets of other link
  // types (from a pcapng input) are not offered to it.
  void write_pcap(const Packet& packet, const InterfaceInfo& interface, size_t index) {
    if (!pcap_sink_) {
      WriterOptions options;
      options.format = SavefileFormat::Pcap;
      // Like `bpfc filter`, keep a pcap input's precision, so that records
      // in the machine's byte order are copied unchanged; a pcapng input's
      // nanoseconds need the nanosecond format.
      options.nanosecond = interface.nanosecond_file || source_format_ == SavefileFormat::Pcapng;
      options.linktype = packet.linktype;
      options.snaplen = kMaxPacketBytes;  // so that reading back never cuts a packet
      options.fcs_bytes = interface.fcs_bytes;
      pcap_sink_ = make_writer(pcap_file_.fd(), options);
      pcap_linktype_ = packet.linktype;
      pcap_nanosecond_ = options.nanosecond;
      pcap_fcs_ = interface.fcs_bytes;
    }
    if (pcap_failed_ || packet.linktype != pcap_linktype_) return;
    if (!pcap_sink_->write_packet(packet, interface)) {
      require(pcap_sink_->error().has_value(), "pcap write_packet failed without an error");
      pcap_failed_ = true;
      return;
    }
    pcap_written_.push_back({index, packet.encoding == native_pcap_encoding(pcap_nanosecond_)});
  }

  void write_pcapng(const Packet& packet, const InterfaceInfo& interface, size_t index) {
    if (pcapng_failed_) return;
    if (!pcapng_sink_->write_packet(packet, interface)) {
      require(pcapng_sink_->error().has_value(), "pcapng write_packet failed without an error");
      pcapng_failed_ = true;
      return;
    }
    pcapng_written_.push_back(index);
  }

  static SourceRecording read_back(const std::vector<uint8_t>& bytes, SavefileFormat expected_format,
                                   const char* what) {
    SavefileError error;
    auto source = open_savefile_memory(bytes, error);
    if (!source) property_failed(std::string(what) + " output does not open: " + error.describe("output"));
    require(source->format() == expected_format, "the output reads back in another format");
    SourceRecording recording = record_source(*source, kBigBatch);
    if (recording.error) {
      property_failed(std::string(what) + " output reads back with an error: " + recording.error->describe("output"));
    }
    return recording;
  }

  void verify_pcap_output(const SourceRecording& original) {
    if (!pcap_sink_) return;  // no packet was delivered
    require(pcap_sink_->flush() || pcap_failed_, "pcap flush failed");
    SourceRecording back = read_back(pcap_file_.contents(), SavefileFormat::Pcap, "pcap");
    require(back.interfaces.size() == 1, "a pcap output has one interface");
    require(back.interfaces[0].linktype == pcap_linktype_, "the pcap output's link type changed");
    require(back.interfaces[0].nanosecond_file == pcap_nanosecond_, "the pcap output's timestamp precision changed");
    if (original.format == SavefileFormat::Pcap) {
      require(back.interfaces[0].fcs_bytes == pcap_fcs_, "the pcap output's FCS length changed");
    }
    SourceRecording expected;
    for (const auto& [index, copied_unchanged] : pcap_written_) {
      PacketRecord& packet = copy_packet(original, index, expected);
      packet.interface = 0;
      if (!copied_unchanged) packet.timestamp_ns = as_pcap_would_store(packet.timestamp_ns, pcap_nanosecond_);
    }
    expected.warnings = back.warnings;  // an odd record stays odd; warnings are not the point here
    require_same(expected, back, "pcap output read back");
  }

  void verify_pcapng_output(const SourceRecording& original) {
    require(pcapng_sink_->flush() || pcapng_failed_, "pcapng flush failed");
    std::vector<uint8_t> bytes = pcapng_file_.contents();
    if (bytes.empty() && pcapng_written_.empty() && pcapng_blocks_.empty()) return;
    SourceRecording back = read_back(bytes, SavefileFormat::Pcapng, "pcapng");
    SourceRecording expected;
    for (size_t index : pcapng_written_) copy_packet(original, index, expected);
    // Section and interface blocks may be rewritten (section length -1, a
    // writer's own header for a pcap input); every other block is copied.
    std::vector<std::vector<uint8_t>> back_blocks;
    for (const BlockRecord& block : back.blocks) {
      if (!is_section_or_interface(block.type)) back_blocks.push_back(block.raw);
    }
    back.blocks.clear();
    expected.warnings = back.warnings;
    require_same(expected, back, "pcapng output read back");
    require(back_blocks == pcapng_blocks_, "the pcapng output's copied-through blocks differ");
    if (original.format == SavefileFormat::Pcapng && !pcapng_failed_) {
      require(back.interfaces.size() == original.interfaces.size(), "the pcapng output's interface count changed");
      for (size_t i = 0; i < back.interfaces.size(); ++i) {
        const InterfaceInfo& a = original.interfaces[i];
        const InterfaceInfo& b = back.interfaces[i];
        require(a.linktype == b.linktype && a.snaplen == b.snaplen && a.ticks_per_second == b.ticks_per_second &&
                    a.ts_offset_seconds == b.ts_offset_seconds && a.fcs_bytes == b.fcs_bytes && a.name == b.name &&
                    a.description == b.description && a.filter == b.filter,
                "an interface description changed in the pcapng output");
      }
    }
  }

  SavefileFormat source_format_;
  MemoryFile pcap_file_;
  MemoryFile pcapng_file_;
  std::unique_ptr<PacketSink> pcap_sink_;  // created at the first packet, with its link type
  std::unique_ptr<PacketSink> pcapng_sink_;
  uint32_t pcap_linktype_ = 0;
  bool pcap_nanosecond_ = false;
  std::optional<uint32_t> pcap_fcs_;
  bool pcap_failed_ = false;
  bool pcapng_failed_ = false;
  struct WrittenToPcap {
    size_t index;
    bool copied_unchanged;  // the input record had the writer's own layout
  };
  std::vector<WrittenToPcap> pcap_written_;  // the packets each writer accepted, by index
  std::vector<size_t> pcapng_written_;
  std::vector<std::vector<uint8_t>> pcapng_blocks_;  // copied-through blocks the pcapng writer accepted
};

}  // namespace

void check_reader_property(std::span<const uint8_t> input, ReaderFactory open_reader) {
  SavefileError error;
  auto source = open_reader(memory_input(input), error, ReaderOptions{kBigBatch});
  if (!source) {
    require(!error.message.empty(), "a refused input comes without a message");
    require(!read_from_memory(input, open_reader, 1), "an input refused once opens the next time");
    require(!read_as_shifting_stream(input, open_reader), "an input refused in memory opens as a stream");
    return;
  }

  WriterRoundTrip round_trip(*source);
  SourceRecording reference = record_source(*source, kBigBatch, round_trip.observer());

  std::optional<SourceRecording> one_by_one = read_from_memory(input, open_reader, 1);
  require(one_by_one.has_value(), "an input opened once is refused the next time");
  require_same(reference, *one_by_one, "one-packet batches");

  std::optional<SourceRecording> streamed = read_as_shifting_stream(input, open_reader);
  require(streamed.has_value(), "a streamed input is refused although the same bytes in memory open");
  require_same(reference, *streamed, "streaming");

  round_trip.verify(reference);
}

}  // namespace bpfc::capture::fuzz
