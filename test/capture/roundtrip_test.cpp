// Round trips through bpfc's own writers and readers: pcap -> pcap,
// pcapng -> pcapng, pcap -> pcapng and pcapng -> pcap keep every packet's
// timestamp, lengths and bytes, for the corpus savefiles and for synthetic
// files that exercise both byte orders and every timestamp unit.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "bpfc/capture/savefile.h"
#include "collected_packets.h"
#include "pcap_bytes.h"
#include "pcapng_bytes.h"
#include "savefile_copy.h"

namespace bpfc::capture {
namespace {

using testing::collect;
using testing::CollectedPackets;
using testing::copy_savefile;
using testing::opt_comment;
using testing::opt_end;
using testing::opt_u64;
using testing::opt_u8;
using testing::OwnedPacket;
using testing::PcapBytes;
using testing::PcapHeader;
using testing::PcapngBytes;
using testing::read_file_bytes;
using testing::TempPath;
using testing::test_payload;

// What a round trip must keep of a packet.
struct Kept {
  int64_t timestamp_ns;
  uint32_t caplen;
  uint32_t wirelen;
  uint32_t linktype;
  std::vector<uint8_t> bytes;
  bool operator==(const Kept&) const = default;
};

void PrintTo(const Kept& k, std::ostream* out) {
  *out << "{ts " << k.timestamp_ns << ", caplen " << k.caplen << ", len " << k.wirelen << ", linktype " << k.linktype
       << ", " << k.bytes.size() << " bytes}";
}

std::vector<Kept> kept_of(const std::vector<OwnedPacket>& packets, int64_t round_to_ns = 1) {
  std::vector<Kept> out;
  for (const OwnedPacket& p : packets) {
    int64_t ts = p.timestamp_ns / round_to_ns * round_to_ns;
    if (p.timestamp_ns % round_to_ns < 0) ts -= round_to_ns;
    out.push_back({ts, p.caplen, p.wirelen, p.linktype, p.bytes});
  }
  return out;
}

struct Input {
  std::string name;
  std::vector<uint8_t> bytes;
};

std::vector<Input> corpus_inputs(SavefileFormat format) {
  std::vector<Input> inputs;
  const std::filesystem::path dir = std::filesystem::path(BPFC_TEST_DIR) / "corpus" / "pcaps";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const bool is_pcapng = entry.path().extension() == ".pcapng";
    if (is_pcapng != (format == SavefileFormat::Pcapng)) continue;
    inputs.push_back({entry.path().filename().string(), read_file_bytes(entry.path())});
  }
  std::sort(inputs.begin(), inputs.end(), [](const Input& a, const Input& b) { return a.name < b.name; });
  return inputs;
}

std::vector<Input> synthetic_pcap_inputs() {
  std::vector<Input> inputs;
  for (const uint32_t magic : {testing::kPcapMicroMagic, testing::kPcapNanoMagic}) {
    for (const bool big_endian : {false, true}) {
      PcapHeader header;
      header.magic = magic;
      header.big_endian = big_endian;
      header.snaplen = 262144;
      header.linktype_field = 1;
      PcapBytes file(header);
      for (uint32_t i = 0; i < 50; ++i) {
        file.packet(1700000000 + i, magic == testing::kPcapNanoMagic ? 999999999 - i : 999999 - i,
                    test_payload(14 + i * 29, i), 14 + i * 29 + (i % 3));
      }
      inputs.push_back({std::string(magic == testing::kPcapNanoMagic ? "ns" : "us") + (big_endian ? "-be" : "-le"),
                        file.bytes()});
    }
  }
  return inputs;
}

// Single-link-type pcapng files (so that pcap can hold them too).
std::vector<Input> synthetic_pcapng_inputs() {
  std::vector<Input> inputs;
  // Up to 10^-10: finer units cannot count to 2024 in 64 bits.
  const uint8_t resolutions[] = {6, 9, 3, 0x80 | 20, 10};
  for (const bool big_endian : {false, true}) {
    for (const uint8_t tsresol : resolutions) {
      PcapngBytes file(big_endian, {opt_comment("synthetic"), opt_end()});
      file.idb(1, 0, {opt_u8(9, tsresol), opt_end()});
      file.idb(1, 65535, {opt_u64(14, 100), opt_u8(9, tsresol)});
      uint64_t ticks_per_second = 1;
      if (tsresol & 0x80) {
        ticks_per_second = uint64_t{1} << (tsresol & 0x7F);
      } else {
        for (int i = 0; i < tsresol; ++i) ticks_per_second *= 10;
      }
      for (uint32_t i = 0; i < 40; ++i) {
        const uint64_t ticks =
            (1700000000ull + i) * ticks_per_second + (uint64_t{i} * 7919 * 7919 * 7919) % ticks_per_second;
        file.epb(i % 2, ticks, test_payload(60 + i * 31, i), 60 + i * 31 + i, {opt_comment("p")});
        if (i == 20) file.isb(0, ticks).shb(!big_endian).idb(1, 1500, {opt_u8(9, tsresol)}).idb(1, 0, {opt_u8(9, tsresol)});
        if (i > 20 && i % 5 == 0) file.spb(1500, test_payload(1000, i));
      }
      inputs.push_back({std::string(big_endian ? "be-" : "le-") + std::to_string(tsresol), file.bytes()});
    }
  }
  return inputs;
}

struct Read {
  bool opened = false;
  CollectedPackets packets;
  std::vector<InterfaceInfo> interfaces;
};

Read read_bytes(std::span<const uint8_t> bytes) {
  Read read;
  SavefileError error;
  auto source = open_savefile_memory(bytes, error);
  if (!source) return read;
  read.opened = true;
  read.packets = collect(*source);
  read.interfaces = source->interfaces();
  return read;
}

// Writes `input` with `options` (blocks and packets, as `bpfc filter -w`
// would) and returns the written file.
std::vector<uint8_t> rewrite(std::span<const uint8_t> input, const WriterOptions& options) {
  SavefileError error;
  auto source = open_savefile_memory(input, error);
  EXPECT_TRUE(source);
  if (!source) return {};
  TempPath path("roundtrip");
  {
    auto sink = create_savefile(path.string(), options, error);
    EXPECT_TRUE(sink) << error.message;
    if (!sink) return {};
    copy_savefile(*source, *sink);  // a damaged input still yields the packets before the damage
    EXPECT_TRUE(sink->flush());
    EXPECT_FALSE(sink->error());
  }
  return read_file_bytes(path.path());
}

bool fits_in_microseconds(const std::vector<InterfaceInfo>& interfaces) {
  for (const InterfaceInfo& i : interfaces) {
    if (i.ticks_per_second > 1000000) return false;
  }
  return true;
}

// Returns whether the input was readable at all.
bool check_round_trip(const Input& input, SavefileFormat to) {
  SCOPED_TRACE(input.name + (to == SavefileFormat::Pcap ? " -> pcap" : " -> pcapng"));
  const Read original = read_bytes(input.bytes);
  if (!original.opened) return false;  // refused inputs are the reader tests' business
  EXPECT_FALSE(original.interfaces.empty());
  if (original.interfaces.empty()) return true;
  const InterfaceInfo& first = original.interfaces[0];
  for (const bool nanosecond : {false, true}) {
    WriterOptions options;
    options.format = to;
    options.nanosecond = nanosecond;
    options.linktype = first.linktype;
    options.snaplen = 262144;
    options.fcs_bytes = first.fcs_bytes;
    const std::vector<uint8_t> written = rewrite(input.bytes, options);
    const Read again = read_bytes(written);
    EXPECT_TRUE(again.opened);
    if (!again.opened) continue;
    EXPECT_FALSE(again.packets.error) << again.packets.error->describe("written");
    // A µs file keeps what a µs unit can hold; copied pcapng blocks keep everything.
    const bool copied = to == SavefileFormat::Pcapng && original.packets.packets.size() > 0 &&
                        original.packets.packets[0].encoding == RecordEncoding::Pcapng;
    const int64_t unit = nanosecond || copied || fits_in_microseconds(original.interfaces) ? 1 : 1000;
    const std::vector<Kept> got = kept_of(again.packets.packets);
    const std::vector<Kept> expected = kept_of(original.packets.packets, unit);
    EXPECT_EQ(got.size(), expected.size()) << (nanosecond ? "ns" : "µs") << " output";
    for (size_t i = 0; i < std::min(got.size(), expected.size()); ++i) {
      if (got[i] != expected[i]) {
        ADD_FAILURE() << "packet " << i << ", " << (nanosecond ? "ns" : "µs") << " output: "
                      << ::testing::PrintToString(got[i]) << " != " << ::testing::PrintToString(expected[i]);
        break;
      }
    }
  }
  return true;
}

TEST(RoundTrip, CorpusPcapToPcapAndPcapng) {
  size_t readable = 0;
  for (const Input& input : corpus_inputs(SavefileFormat::Pcap)) {
    readable += check_round_trip(input, SavefileFormat::Pcap);
    check_round_trip(input, SavefileFormat::Pcapng);
  }
  EXPECT_GE(readable, 35u);
}

TEST(RoundTrip, CorpusPcapngToPcapngAndPcap) {
  size_t readable = 0;
  for (const Input& input : corpus_inputs(SavefileFormat::Pcapng)) {
    readable += check_round_trip(input, SavefileFormat::Pcapng);
    check_round_trip(input, SavefileFormat::Pcap);
  }
  EXPECT_EQ(readable, 1u);  // rarp_req_reply.pcapng; the others are refused as libpcap refuses them
}

TEST(RoundTrip, SyntheticPcapToPcapAndPcapng) {
  for (const Input& input : synthetic_pcap_inputs()) {
    check_round_trip(input, SavefileFormat::Pcap);
    check_round_trip(input, SavefileFormat::Pcapng);
  }
}

TEST(RoundTrip, SyntheticPcapngToPcapngAndPcap) {
  for (const Input& input : synthetic_pcapng_inputs()) {
    const Read original = read_bytes(input.bytes);
    ASSERT_TRUE(original.opened) << input.name;
    ASSERT_FALSE(original.packets.error) << original.packets.error->describe(input.name);
    ASSERT_EQ(original.packets.packets.size(), 43u) << input.name;
    check_round_trip(input, SavefileFormat::Pcapng);
    check_round_trip(input, SavefileFormat::Pcap);
  }
}

// pcap -> pcapng -> pcap gives back the very same file when the pcap is in
// the host's byte order: nothing is lost on the way.
TEST(RoundTrip, PcapThroughPcapngAndBackIsTheSameFile) {
  for (const Input& input : synthetic_pcap_inputs()) {
    if (input.name.ends_with("-be")) continue;
    SCOPED_TRACE(input.name);
    const bool nano = input.name.starts_with("ns");
    WriterOptions to_pcapng;
    to_pcapng.format = SavefileFormat::Pcapng;
    to_pcapng.nanosecond = nano;
    WriterOptions to_pcap;
    to_pcap.format = SavefileFormat::Pcap;
    to_pcap.nanosecond = nano;
    to_pcap.linktype = 1;
    to_pcap.snaplen = 262144;
    const std::vector<uint8_t> pcapng = rewrite(input.bytes, to_pcapng);
    const std::vector<uint8_t> back = rewrite(pcapng, to_pcap);
    EXPECT_TRUE(back == input.bytes);
  }
}

}  // namespace
}  // namespace bpfc::capture
