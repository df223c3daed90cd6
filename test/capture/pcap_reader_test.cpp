// The pcap reader: every header variant, both byte orders and precisions, the
// modified format, libpcap's version/link-type/snaplen rules, every kind of
// damaged input (message text and offset), batching, streaming through a
// pipe, and libpcap as the oracle on the corpus savefiles and on every
// truncation of them.
#include <pcap/pcap.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "bpfc/capture/linktype_map.h"
#include "bpfc/capture/savefile.h"
#include "collected_packets.h"
#include "fed_pipe.h"
#include "pcap_bytes.h"

namespace bpfc::capture {
namespace {

using testing::collect;
using testing::CollectedPackets;
using testing::FedPipe;
using testing::OwnedPacket;
using testing::PcapBytes;
using testing::PcapHeader;
using testing::test_payload;

const std::filesystem::path kPcapsDir = std::filesystem::path(BPFC_TEST_DIR) / "corpus" / "pcaps";

std::vector<uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("bpfc_pcap_reader_" + std::to_string(getpid()) + "_" + name);
}

void write_file(const std::filesystem::path& path, std::span<const uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Opens bytes in memory; fails the test when they are refused.
std::unique_ptr<PacketSource> open_ok(std::span<const uint8_t> bytes, const ReaderOptions& options = {}) {
  SavefileError error;
  auto source = open_savefile_memory(bytes, error, options);
  EXPECT_TRUE(source) << error.describe("memory");
  return source;
}

SavefileError refusal(std::span<const uint8_t> bytes) {
  SavefileError error;
  auto source = open_savefile_memory(bytes, error);
  EXPECT_FALSE(source);
  return error;
}

CollectedPackets read_all(std::span<const uint8_t> bytes, const ReaderOptions& options = {}) {
  auto source = open_ok(bytes, options);
  if (!source) return {};
  return collect(*source);
}

// Three packets with distinct sizes and timestamps, for header variants.
PcapBytes three_packets(const PcapHeader& header) {
  PcapBytes file(header);
  file.packet(1700000000, 123456, test_payload(60, 1), 60);
  file.packet(1700000001, 999999, test_payload(1514, 2), 1514);
  file.packet(1700000002, 0, test_payload(100, 3), 1500);
  return file;
}

struct Variant {
  uint32_t magic;
  bool big_endian;
  RecordEncoding encoding;
};

class HeaderVariants : public ::testing::TestWithParam<Variant> {};

TEST_P(HeaderVariants, ReadsEveryField) {
  const Variant v = GetParam();
  const bool nano = v.magic == testing::kPcapNanoMagic;
  PcapHeader header{.magic = v.magic, .big_endian = v.big_endian, .snaplen = 65535, .linktype_field = 1};
  const PcapBytes file = three_packets(header);
  auto source = open_ok(file.span());
  ASSERT_TRUE(source);
  EXPECT_EQ(source->format(), SavefileFormat::Pcap);
  ASSERT_EQ(source->interfaces().size(), 1u);
  const InterfaceInfo& info = source->interfaces()[0];
  EXPECT_EQ(info.linktype, 1u);
  // Modified-format Ethernet snaplens grow by a fake Ethernet header, as in libpcap.
  EXPECT_EQ(info.snaplen, v.magic == testing::kPcapModifiedMagic ? 65549u : 65535u);
  EXPECT_EQ(info.nanosecond_file, nano);
  EXPECT_EQ(info.ticks_per_second, nano ? 1000000000u : 1000000u);
  EXPECT_FALSE(info.fcs_bytes);
  EXPECT_EQ(source->size(), file.size());

  const CollectedPackets got = collect(*source);
  EXPECT_FALSE(got.error);
  EXPECT_TRUE(got.warnings.empty());
  ASSERT_EQ(got.packets.size(), 3u);
  const int64_t unit = nano ? 1 : 1000;
  EXPECT_EQ(got.packets[0].timestamp_ns, 1700000000LL * 1000000000 + 123456 * unit);
  EXPECT_EQ(got.packets[1].timestamp_ns, 1700000001LL * 1000000000 + 999999 * unit);
  EXPECT_EQ(got.packets[2].timestamp_ns, 1700000002LL * 1000000000);
  EXPECT_EQ(got.packets[0].caplen, 60u);
  EXPECT_EQ(got.packets[1].wirelen, 1514u);
  EXPECT_EQ(got.packets[2].caplen, 100u);
  EXPECT_EQ(got.packets[2].wirelen, 1500u);
  EXPECT_EQ(got.packets[1].bytes, test_payload(1514, 2));
  for (const OwnedPacket& p : got.packets) {
    EXPECT_EQ(p.encoding, v.encoding);
    EXPECT_EQ(p.linktype, 1u);
    EXPECT_EQ(p.interface, 0u);
  }
  EXPECT_EQ(got.final_position, file.size());
}

INSTANTIATE_TEST_SUITE_P(
    Pcap, HeaderVariants,
    ::testing::Values(Variant{testing::kPcapMicroMagic, false, RecordEncoding::PcapMicroLE},
                      Variant{testing::kPcapMicroMagic, true, RecordEncoding::PcapMicroBE},
                      Variant{testing::kPcapNanoMagic, false, RecordEncoding::PcapNanoLE},
                      Variant{testing::kPcapNanoMagic, true, RecordEncoding::PcapNanoBE},
                      Variant{testing::kPcapModifiedMagic, false, RecordEncoding::Other},
                      Variant{testing::kPcapModifiedMagic, true, RecordEncoding::Other}));

TEST(PcapReader, RawIsTheWholeRecord) {
  const PcapBytes file = three_packets({});
  auto source = open_ok(file.span());
  ASSERT_TRUE(source);
  Batch batch;
  source->next(batch);
  ASSERT_EQ(batch.packets.size(), 3u);
  const uint8_t* base = file.bytes().data();
  EXPECT_EQ(batch.packets[0].raw.data(), base + 24);
  EXPECT_EQ(batch.packets[0].raw.size(), 16u + 60);
  EXPECT_EQ(batch.packets[0].data, base + 24 + 16);  // a view, not a copy
  EXPECT_EQ(batch.packets[1].raw.data(), base + 24 + 76);
  EXPECT_TRUE(batch.blocks.empty());
}

TEST(PcapReader, ModifiedFormatEthernetSnaplenGrowsBy14) {
  PcapHeader header{.magic = testing::kPcapModifiedMagic, .snaplen = 96, .linktype_field = 1};
  PcapBytes file(header);
  file.packet(1, 2, test_payload(110, 1));  // within 96 + 14: not cut
  auto source = open_ok(file.span());
  ASSERT_TRUE(source);
  EXPECT_EQ(source->interfaces()[0].snaplen, 110u);
  const CollectedPackets got = collect(*source);
  ASSERT_EQ(got.packets.size(), 1u);
  EXPECT_EQ(got.packets[0].caplen, 110u);
  EXPECT_EQ(got.packets[0].timestamp_ns, 1000002000);
  EXPECT_TRUE(got.warnings.empty());
}

TEST(PcapReader, OldVersionsHaveExchangedLengths) {
  for (auto [major, minor] : std::vector<std::pair<uint16_t, uint16_t>>{{2, 0}, {2, 2}, {543, 0}}) {
    PcapBytes file({.version_major = major, .version_minor = minor});
    file.record_fields(5, 6, /*len*/ 1500, /*caplen*/ 40, test_payload(40, 1));
    const CollectedPackets got = read_all(file.span());
    ASSERT_EQ(got.packets.size(), 1u) << major << "." << minor;
    EXPECT_EQ(got.packets[0].caplen, 40u);
    EXPECT_EQ(got.packets[0].wirelen, 1500u);
    EXPECT_EQ(got.packets[0].encoding, RecordEncoding::Other);
  }
}

TEST(PcapReader, Version23ExchangesOnlyWhenCaplenExceedsLen) {
  PcapBytes file({.version_major = 2, .version_minor = 3});
  file.record_fields(1, 0, 40, 1500, test_payload(40, 1));   // caplen <= len: as stored
  file.record_fields(2, 0, 1500, 40, test_payload(40, 2));   // caplen > len: exchanged
  const CollectedPackets got = read_all(file.span());
  ASSERT_EQ(got.packets.size(), 2u);
  EXPECT_EQ(got.packets[0].caplen, 40u);
  EXPECT_EQ(got.packets[0].wirelen, 1500u);
  EXPECT_EQ(got.packets[1].caplen, 40u);
  EXPECT_EQ(got.packets[1].wirelen, 1500u);
  EXPECT_FALSE(got.error);
}

TEST(PcapReader, RefusesUnsupportedVersions) {
  for (auto [major, minor] : std::vector<std::pair<uint16_t, uint16_t>>{{1, 4}, {2, 5}, {3, 0}, {543, 1}, {0, 0}}) {
    const PcapBytes file({.version_major = major, .version_minor = minor});
    const SavefileError error = refusal(file.span());
    EXPECT_EQ(error.message,
              "unsupported pcap savefile version " + std::to_string(major) + "." + std::to_string(minor));
    EXPECT_FALSE(error.damaged);
  }
}

TEST(PcapReader, LinktypeFieldFcsAndReservedBits) {
  // FCS length present, 2 units of 16 bits: a 4-byte FCS.
  auto source = open_ok(PcapBytes({.linktype_field = 0x24000001}).span());
  ASSERT_TRUE(source);
  EXPECT_EQ(source->interfaces()[0].linktype, 1u);
  EXPECT_EQ(source->interfaces()[0].fcs_bytes, 4u);
  // The FCS length without the "present" bit means nothing.
  source = open_ok(PcapBytes({.linktype_field = 0x20000069}).span());
  ASSERT_TRUE(source);
  EXPECT_EQ(source->interfaces()[0].linktype, 105u);
  EXPECT_FALSE(source->interfaces()[0].fcs_bytes);
  // Bit 27 is not checked (as libpcap), the 10 bits above the link type are.
  EXPECT_TRUE(open_ok(PcapBytes({.linktype_field = 0x08000001}).span()));
  const SavefileError error = refusal(PcapBytes({.linktype_field = 0x00010001}).span());
  EXPECT_EQ(error.message, "savefile linktype reserved field not zero (0x00010000)");
}

TEST(PcapReader, SnaplenZeroOrHugeMeansTheLinktypeMaximum) {
  auto source = open_ok(PcapBytes({.snaplen = 0}).span());
  ASSERT_TRUE(source);
  EXPECT_EQ(source->interfaces()[0].snaplen, 262144u);
  source = open_ok(PcapBytes({.snaplen = 0x80000000u}).span());
  ASSERT_TRUE(source);
  EXPECT_EQ(source->interfaces()[0].snaplen, 262144u);
  source = open_ok(PcapBytes({.snaplen = 0x7fffffffu}).span());  // kept, as libpcap does
  ASSERT_TRUE(source);
  EXPECT_EQ(source->interfaces()[0].snaplen, 0x7fffffffu);
  source = open_ok(PcapBytes({.snaplen = 0, .linktype_field = 231}).span());  // D-Bus
  ASSERT_TRUE(source);
  EXPECT_EQ(source->interfaces()[0].snaplen, 128u * 1024 * 1024);
}

TEST(PcapReader, BatchesHoldAtMostBatchPackets) {
  PcapBytes file;
  for (uint32_t i = 0; i < 10; ++i) file.packet(i, 0, test_payload(50 + i, i));
  const CollectedPackets got = read_all(file.span(), {.batch_packets = 3});
  EXPECT_EQ(got.batch_sizes, (std::vector<size_t>{3, 3, 3, 1}));
  ASSERT_EQ(got.packets.size(), 10u);
  for (uint32_t i = 0; i < 10; ++i) EXPECT_EQ(got.packets[i].bytes, test_payload(50 + i, i));
}

TEST(PcapReader, PositionAdvancesByBatch) {
  PcapBytes file;
  for (uint32_t i = 0; i < 4; ++i) file.packet(i, 0, test_payload(100, i));
  auto source = open_ok(file.span(), {.batch_packets = 2});
  ASSERT_TRUE(source);
  EXPECT_EQ(source->position(), 24u);
  Batch batch;
  EXPECT_TRUE(source->next(batch));
  EXPECT_EQ(source->position(), 24u + 2 * 116);
  EXPECT_TRUE(source->next(batch));
  EXPECT_EQ(source->position(), 24u + 4 * 116);
  EXPECT_FALSE(source->next(batch));
  EXPECT_TRUE(batch.packets.empty());
  EXPECT_FALSE(source->error());
  EXPECT_FALSE(source->next(batch));  // stays at the end
}

TEST(PcapReader, HeaderOnlyFileHasNoPackets) {
  const CollectedPackets got = read_all(PcapBytes().span());
  EXPECT_TRUE(got.packets.empty());
  EXPECT_FALSE(got.error);
}

TEST(PcapReader, TimestampFieldsAreUnsigned) {
  PcapBytes file;
  file.packet(0xfffffff0u, 0, test_payload(10, 1));  // after 2038
  const CollectedPackets got = read_all(file.span());
  ASSERT_EQ(got.packets.size(), 1u);
  EXPECT_EQ(got.packets[0].timestamp_ns, int64_t{0xfffffff0u} * 1000000000);
}

// --- Bad input: the message, the offset, and what was delivered before.

TEST(PcapBadInput, EmptyFile) {
  const std::vector<uint8_t> nothing;
  const SavefileError error = refusal(nothing);
  EXPECT_EQ(error.message, "empty file: not a pcap or pcapng savefile");
  EXPECT_FALSE(error.offset);
  EXPECT_EQ(error.describe("x.pcap"), "x.pcap: empty file: not a pcap or pcapng savefile");
}

TEST(PcapBadInput, TooShortForAMagicNumber) {
  const std::vector<uint8_t> two = {0xd4, 0xc3};
  EXPECT_EQ(refusal(two).message, "truncated dump file; tried to read 4 file header bytes, only got 2");
}

TEST(PcapBadInput, NotASavefile) {
  const std::string elf = "\x7f" "ELF\x02\x01\x01";
  const std::vector<uint8_t> bytes(elf.begin(), elf.end());
  const SavefileError error = refusal(bytes);
  EXPECT_EQ(error.message, "not a pcap or pcapng savefile (first bytes 0x7f454c46)");
  EXPECT_EQ(error.describe("a.out"), "a.out: not a pcap or pcapng savefile (first bytes 0x7f454c46)");
}

TEST(PcapBadInput, TruncatedFileHeader) {
  PcapBytes file;
  file.cut(14);
  const SavefileError error = refusal(file.span());
  EXPECT_EQ(error.message, "truncated dump file; tried to read 24 file header bytes, only got 10 (14 bytes missing)");
  EXPECT_FALSE(error.damaged);
}

TEST(PcapBadInput, TruncatedRecordHeader) {
  PcapBytes file = three_packets({});
  const uint64_t last = file.size();
  file.packet(9, 9, test_payload(20, 9)).cut(20 + 6);  // 10 of 16 header bytes remain
  const CollectedPackets got = read_all(file.span());
  EXPECT_EQ(got.packets.size(), 3u);  // everything before is delivered
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->message, "truncated dump file; tried to read 16 header bytes, only got 10 (6 bytes missing)");
  EXPECT_EQ(got.error->offset, last);
  EXPECT_TRUE(got.error->damaged);
  EXPECT_EQ(got.error->describe("t.pcap"), "t.pcap: byte offset " + std::to_string(last) +
                                               ": truncated dump file; tried to read 16 header bytes, only got 10 "
                                               "(6 bytes missing)");
}

TEST(PcapBadInput, TruncatedRecordData) {
  PcapBytes file = three_packets({});
  const uint64_t last = file.size();
  file.packet(9, 9, test_payload(1514, 9)).cut(1314);
  const CollectedPackets got = read_all(file.span());
  EXPECT_EQ(got.packets.size(), 3u);
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->message,
            "truncated dump file; tried to read 1514 captured bytes, only got 200 (1314 bytes missing)");
  EXPECT_EQ(got.error->offset, last);
  EXPECT_TRUE(got.error->damaged);
}

TEST(PcapBadInput, TruncatedModifiedRecordHeader) {
  PcapBytes file({.magic = testing::kPcapModifiedMagic});
  file.packet(1, 1, test_payload(10, 1)).cut(10 + 4);
  const CollectedPackets got = read_all(file.span());
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->message, "truncated dump file; tried to read 24 header bytes, only got 20 (4 bytes missing)");
  EXPECT_EQ(got.error->offset, 24u);
}

TEST(PcapBadInput, CaplenAboveTheMaximum) {
  // Above 256 KiB and above the snaplen: libpcap's wording names the snaplen.
  PcapBytes file({.snaplen = 65535});
  file.packet(1, 0, test_payload(100, 1));
  const uint64_t bad = file.size();
  file.record_fields(2, 0, 300000, 300000, test_payload(300000, 2));
  file.packet(3, 0, test_payload(100, 3));
  CollectedPackets got = read_all(file.span());
  EXPECT_EQ(got.packets.size(), 1u);
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->message, "invalid packet capture length 300000, bigger than snaplen of 65535");
  EXPECT_EQ(got.error->offset, bad);
  EXPECT_TRUE(got.error->damaged);

  // A header snaplen above the maximum: the maximum is named.
  PcapBytes big_snaplen({.snaplen = 1000000});
  big_snaplen.record_fields(2, 0, 262145, 262145, test_payload(262145, 2));
  got = read_all(big_snaplen.span());
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->message, "invalid packet capture length 262145, bigger than maximum of 262144");
  EXPECT_EQ(got.error->offset, 24u);

  // A corrupt length field near 4 GiB must not be trusted for anything.
  PcapBytes corrupt;
  corrupt.record_fields(2, 0, 0xfffffff0u, 60, test_payload(60, 2));
  got = read_all(corrupt.span());
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->message, "invalid packet capture length 4294967280, bigger than snaplen of 65535");
}

TEST(PcapBadInput, CaplenAboveSnaplenIsCutWithAWarning) {
  PcapBytes file({.snaplen = 100});
  file.packet(1, 0, test_payload(60, 1));
  const uint64_t first_cut = file.size();
  file.packet(2, 0, test_payload(150, 2), 1500);
  file.packet(3, 0, test_payload(200, 3), 200);
  file.packet(4, 0, test_payload(80, 4));
  const CollectedPackets got = read_all(file.span());
  EXPECT_FALSE(got.error);
  ASSERT_EQ(got.packets.size(), 4u);
  const auto first_150 = test_payload(150, 2);
  EXPECT_EQ(got.packets[1].caplen, 100u);
  EXPECT_EQ(got.packets[1].wirelen, 1500u);
  EXPECT_EQ(got.packets[1].bytes, std::vector<uint8_t>(first_150.begin(), first_150.begin() + 100));
  EXPECT_EQ(got.packets[1].encoding, RecordEncoding::Other);  // raw no longer matches
  EXPECT_EQ(got.packets[2].caplen, 100u);
  EXPECT_EQ(got.packets[3].caplen, 80u);
  EXPECT_EQ(got.packets[3].encoding, RecordEncoding::PcapMicroLE);
  EXPECT_EQ(got.packets[3].bytes, test_payload(80, 4));  // the next record starts after all 200 bytes
  ASSERT_EQ(got.warnings.size(), 1u);
  EXPECT_EQ(got.warnings[0].offset, first_cut);
  EXPECT_EQ(got.warnings[0].message,
            "2 packets have a capture length bigger than the snaplen of 100 (first: 150 bytes); cut to the "
            "snaplen, as libpcap does");
}

TEST(PcapBadInput, CaplenAboveWirelenIsAWarning) {
  PcapBytes file;
  file.packet(1, 0, test_payload(60, 1), 50);
  const CollectedPackets got = read_all(file.span());
  ASSERT_EQ(got.packets.size(), 1u);
  EXPECT_EQ(got.packets[0].caplen, 60u);
  ASSERT_EQ(got.warnings.size(), 1u);
  EXPECT_EQ(got.warnings[0].message,
            "1 packet has a capture length bigger than its length on the wire (first: 60 > 50)");
  EXPECT_EQ(got.warnings[0].offset, 24u);
}

TEST(PcapBadInput, EveryTruncationEndsCleanlyOrWithAnError) {
  const PcapBytes file = three_packets({.magic = testing::kPcapNanoMagic, .big_endian = true});
  const std::vector<uint64_t> boundaries = {24, 24 + 76, 24 + 76 + 1530, file.size()};
  for (size_t length = 24; length <= file.size(); ++length) {
    const std::span<const uint8_t> prefix(file.bytes().data(), length);
    const CollectedPackets got = read_all(prefix);
    size_t whole = 0;
    while (whole + 1 < boundaries.size() && boundaries[whole + 1] <= length) ++whole;
    EXPECT_EQ(got.packets.size(), whole) << length;
    const bool at_boundary = boundaries[whole] == length;
    EXPECT_EQ(got.error.has_value(), !at_boundary) << length;
    if (got.error) {
      EXPECT_EQ(got.error->offset, boundaries[whole]) << length;
    }
  }
}

// --- Files and streams.

TEST(PcapStreaming, PipeGivesTheSamePacketsAsTheMappedFile) {
  // ~24 MiB with packets up to the 256 KiB maximum, so that the stream
  // buffer fills, compacts and batches end early at its edge.
  PcapBytes file({.snaplen = 262144});
  for (uint32_t i = 0; i < 400; ++i) {
    const size_t size = i % 7 == 0 ? 262144 - i : 40 + (i * 977) % 3000;
    file.packet(1600000000 + i, i, test_payload(size, i));
  }
  const auto path = temp_path("stream.pcap");
  write_file(path, file.span());

  SavefileError error;
  auto mapped = open_savefile(path, error);
  ASSERT_TRUE(mapped) << error.describe(path.string());
  EXPECT_EQ(mapped->size(), file.size());
  const CollectedPackets from_file = collect(*mapped);

  FedPipe pipe(file.bytes(), 50000);
  auto streamed = open_savefile(pipe.path(), error);
  ASSERT_TRUE(streamed) << error.describe(pipe.path());
  EXPECT_FALSE(streamed->size());
  const CollectedPackets from_pipe = collect(*streamed);

  auto really_mapped = open_savefile(path, error, {.map_files = true});
  ASSERT_TRUE(really_mapped) << error.describe(path.string());
  const CollectedPackets from_mapping = collect(*really_mapped);

  EXPECT_FALSE(from_file.error);
  EXPECT_FALSE(from_pipe.error);
  EXPECT_FALSE(from_mapping.error);
  ASSERT_EQ(from_file.packets.size(), 400u);
  EXPECT_TRUE(from_file.packets == from_pipe.packets);
  EXPECT_TRUE(from_file.packets == from_mapping.packets);
  EXPECT_EQ(from_pipe.final_position, file.size());
  std::filesystem::remove(path);
}

TEST(PcapStreaming, RecordsLargerThanTheStreamBuffer) {
  // D-Bus allows 128 MiB records; 6 MiB ones exceed the initial buffer.
  PcapBytes file({.snaplen = 0, .linktype_field = 231});
  file.packet(1, 0, test_payload(100, 1));
  file.packet(2, 0, test_payload(6 << 20, 2));
  file.packet(3, 0, test_payload(3 << 20, 3));
  file.packet(4, 0, test_payload(9 << 20, 4));
  file.packet(5, 0, test_payload(100, 5));
  FedPipe pipe(file.bytes(), 1 << 20);
  SavefileError error;
  auto streamed = open_savefile(pipe.path(), error);
  ASSERT_TRUE(streamed) << error.describe(pipe.path());
  const CollectedPackets from_pipe = collect(*streamed);
  const CollectedPackets from_memory = read_all(file.span());
  EXPECT_FALSE(from_pipe.error);
  ASSERT_EQ(from_pipe.packets.size(), 5u);
  EXPECT_TRUE(from_pipe.packets == from_memory.packets);
}

TEST(PcapStreaming, TruncationInAStreamIsReportedAtTheSameOffset) {
  PcapBytes file;
  for (uint32_t i = 0; i < 1000; ++i) file.packet(i, 0, test_payload(1000 + i, i));
  file.cut(500);
  FedPipe pipe(file.bytes(), 4096);
  SavefileError error;
  auto streamed = open_savefile(pipe.path(), error);
  ASSERT_TRUE(streamed);
  const CollectedPackets from_pipe = collect(*streamed);
  const CollectedPackets from_memory = read_all(file.span());
  ASSERT_TRUE(from_pipe.error);
  ASSERT_TRUE(from_memory.error);
  EXPECT_EQ(from_pipe.error->offset, from_memory.error->offset);
  EXPECT_EQ(from_pipe.error->message, from_memory.error->message);
  EXPECT_EQ(from_pipe.packets.size(), 999u);
  EXPECT_TRUE(from_pipe.packets == from_memory.packets);
}

TEST(PcapStreaming, EmptyAndShortStreams) {
  {
    FedPipe pipe({}, 1);
    SavefileError error;
    EXPECT_FALSE(open_savefile(pipe.path(), error));
    EXPECT_EQ(error.message, "empty file: not a pcap or pcapng savefile");
  }
  {
    FedPipe pipe({0xd4, 0xc3, 0xb2, 0xa1, 2, 0}, 1);
    SavefileError error;
    EXPECT_FALSE(open_savefile(pipe.path(), error));
    EXPECT_EQ(error.message, "truncated dump file; tried to read 24 file header bytes, only got 6 (18 bytes missing)");
  }
}

// "-" reads standard input, whether it is a pipe or a regular file (which
// may have been partly consumed: reading starts at its current offset).
// Checked in a child process whose standard input is replaced.
TEST(PcapFiles, StandardInput) {
  PcapBytes file;
  for (uint32_t i = 0; i < 50; ++i) file.packet(i, i, test_payload(100 + i, i));
  const size_t expected_packets = 50;
  const auto path = temp_path("stdin.pcap");
  std::vector<uint8_t> with_prefix = {'j', 'u', 'n', 'k'};
  with_prefix.insert(with_prefix.end(), file.bytes().begin(), file.bytes().end());
  write_file(path, with_prefix);
  for (bool through_pipe : {false, true}) {
    SCOPED_TRACE(through_pipe ? "pipe" : "regular file");
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      alarm(30);  // a hang fails the test instead of blocking it
      // The pipe is made in the child, so that no other process holds its
      // write end open and the end of input is seen.
      std::thread writer;
      if (through_pipe) {
        int fds[2];
        if (pipe(fds) != 0 || dup2(fds[0], STDIN_FILENO) < 0) _exit(10);
        close(fds[0]);
        writer = std::thread([&file, fd = fds[1]] {
          size_t done = 0;
          while (done < file.size()) {
            const ssize_t n = write(fd, file.bytes().data() + done, std::min<size_t>(1000, file.size() - done));
            if (n <= 0) break;
            done += static_cast<size_t>(n);
          }
          close(fd);
        });
      } else {
        const int fd = open(path.c_str(), O_RDONLY);
        if (fd < 0 || dup2(fd, STDIN_FILENO) < 0) _exit(10);
        if (lseek(STDIN_FILENO, 4, SEEK_SET) != 4) _exit(11);
      }
      SavefileError error;
      auto source = open_savefile("-", error);
      if (!source) _exit(12);
      if (through_pipe == source->size().has_value()) _exit(13);
      if (!through_pipe && *source->size() != file.size()) _exit(14);
      const CollectedPackets got = collect(*source);
      if (got.error || got.packets.size() != expected_packets) _exit(15);
      if (got.packets[49].bytes != test_payload(149, 49)) _exit(16);
      if (writer.joinable()) writer.join();
      _exit(0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  std::filesystem::remove(path);
}

TEST(PcapFiles, OpenErrorsNameTheCause) {
  SavefileError error;
  EXPECT_FALSE(open_savefile("/nonexistent/x.pcap", error));
  EXPECT_EQ(error.describe("/nonexistent/x.pcap"), "/nonexistent/x.pcap: No such file or directory");
  const auto empty = temp_path("empty.pcap");
  write_file(empty, {});
  EXPECT_FALSE(open_savefile(empty, error));
  EXPECT_EQ(error.message, "empty file: not a pcap or pcapng savefile");
  std::filesystem::remove(empty);
}

// --- libpcap as the oracle.

struct OracleResult {
  bool opened = false;
  std::string open_error;
  std::vector<OwnedPacket> packets;
  bool ended_with_error = false;
  int dlt = -1;
  int snapshot = 0;
};

OracleResult read_with_libpcap(std::span<const uint8_t> bytes) {
  OracleResult result;
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  FILE* memory = fmemopen(const_cast<uint8_t*>(bytes.data()), bytes.size(), "rb");
  if (memory == nullptr) return result;
  pcap_t* p = pcap_fopen_offline_with_tstamp_precision(memory, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (p == nullptr) {
    fclose(memory);
    result.open_error = errbuf;
    return result;
  }
  result.opened = true;
  result.dlt = pcap_datalink(p);
  result.snapshot = pcap_snapshot(p);
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int status;
  while ((status = pcap_next_ex(p, &header, &data)) == 1) {
    OwnedPacket packet;
    packet.timestamp_ns = static_cast<int64_t>(header->ts.tv_sec) * 1000000000 + header->ts.tv_usec;
    packet.caplen = header->caplen;
    packet.wirelen = header->len;
    packet.bytes.assign(data, data + header->caplen);
    result.packets.push_back(std::move(packet));
  }
  result.ended_with_error = status == PCAP_ERROR;
  pcap_close(p);  // closes `memory`
  return result;
}

// The fields libpcap reports (not the encoding or link type).
std::vector<OwnedPacket> comparable(std::vector<OwnedPacket> packets) {
  for (OwnedPacket& p : packets) {
    p.encoding = RecordEncoding::Other;
    p.linktype = 0;
  }
  return packets;
}

// Files the newer libpcap of the corpus refuses and Debian's 1.10.3 (the
// oracle) still opens, with the newer wording bpfc follows.
const std::map<std::string, std::string> kRefusedSinceOracle = {
    {"linktype-reserved-field-not-zero.pcap", "savefile linktype reserved field not zero (0x00300000)"},
};
// Files both refuse, with the corpus' wording (1.10.3 words the first one
// "archaic pcap savefile format").
const std::map<std::string, std::string> kCorpusRefusals = {
    {"pcap-invalid-version-1.pcap", "unsupported pcap savefile version 1.4"},
    {"pcap-invalid-version-2.pcap", "unsupported pcap savefile version 2.5"},
};

std::vector<std::filesystem::path> corpus_pcaps() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(kPcapsDir))
    if (entry.path().extension() == ".pcap") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

TEST(PcapCorpus, EverySavefileReadsAsLibpcapReadsIt) {
  const auto files = corpus_pcaps();
  ASSERT_GT(files.size(), 30u);
  size_t compared_packets = 0;
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    const auto bytes = read_file(path);
    const OracleResult oracle = read_with_libpcap(bytes);
    SavefileError error;
    auto source = open_savefile(path, error);
    const std::string name = path.filename().string();
    if (auto refused = kRefusedSinceOracle.find(name); refused != kRefusedSinceOracle.end()) {
      EXPECT_FALSE(source);
      EXPECT_EQ(error.message, refused->second);
      continue;
    }
    if (!oracle.opened) {
      EXPECT_FALSE(source) << "libpcap refuses: " << oracle.open_error;
      if (auto refused = kCorpusRefusals.find(name); refused != kCorpusRefusals.end()) {
        EXPECT_EQ(error.message, refused->second);
      }
      continue;
    }
    ASSERT_TRUE(source) << error.describe(name);
    EXPECT_EQ(dlt_from_linktype(source->interfaces()[0].linktype), static_cast<uint32_t>(oracle.dlt));
    EXPECT_EQ(source->interfaces()[0].snaplen, static_cast<uint32_t>(oracle.snapshot));
    const CollectedPackets got = collect(*source);
    EXPECT_EQ(got.error.has_value(), oracle.ended_with_error);
    EXPECT_EQ(comparable(got.packets), oracle.packets);
    auto mapped = open_savefile(path, error, {.map_files = true});
    ASSERT_TRUE(mapped) << error.describe(name);
    const CollectedPackets got_mapped = collect(*mapped);
    EXPECT_EQ(got_mapped.error.has_value(), oracle.ended_with_error);
    EXPECT_EQ(comparable(got_mapped.packets), oracle.packets);
    compared_packets += got.packets.size();
  }
  EXPECT_GT(compared_packets, 100u);
}

// Synthetic files in every header variant, including the ones the corpus
// lacks (big-endian nanosecond, modified format, old versions with exchanged
// lengths, caplen above snaplen, zero snaplen), read by both.
TEST(PcapOracle, SyntheticVariantsMatchLibpcap) {
  const std::vector<std::pair<uint16_t, uint16_t>> versions = {{2, 4}, {2, 3}, {2, 2}, {2, 0}, {543, 0}};
  size_t cases = 0;
  for (uint32_t magic : {testing::kPcapMicroMagic, testing::kPcapNanoMagic, testing::kPcapModifiedMagic}) {
    for (bool big_endian : {false, true}) {
      for (auto [major, minor] : versions) {
        for (uint32_t snaplen : {0u, 80u, 65535u, 0x80000000u}) {
          PcapBytes file({magic, big_endian, major, minor, snaplen, 1});
          for (uint32_t i = 0; i < 6; ++i) {
            const auto data = test_payload(30 + 25 * i, i);
            const auto caplen = static_cast<uint32_t>(data.size());
            const uint32_t wirelen = i % 2 ? caplen + 100 : caplen;
            if (i == 3)
              file.record_fields(1000 + i, 999999 - i, wirelen, caplen, data);  // exchanged order
            else
              file.record_fields(1000 + i, 999999 - i, caplen, wirelen, data);
          }
          SCOPED_TRACE(::testing::Message() << std::hex << magic << std::dec << " be=" << big_endian << " v" << major
                                            << "." << minor << " snaplen " << snaplen);
          const OracleResult oracle = read_with_libpcap(file.span());
          ASSERT_TRUE(oracle.opened) << oracle.open_error;
          auto source = open_ok(file.span());
          ASSERT_TRUE(source);
          EXPECT_EQ(source->interfaces()[0].snaplen, static_cast<uint32_t>(oracle.snapshot));
          const CollectedPackets got = collect(*source);
          EXPECT_EQ(got.error.has_value(), oracle.ended_with_error);
          EXPECT_EQ(comparable(got.packets), oracle.packets);
          ++cases;
        }
      }
    }
  }
  EXPECT_EQ(cases, 3u * 2 * 5 * 4);
}

// Every corpus savefile cut at every length (and with its last record's
// caplen corrupted): libpcap and bpfc deliver the same packets and agree on
// whether the input ended in an error.
TEST(PcapCorpus, EveryTruncationMatchesLibpcap) {
  size_t cases = 0;
  for (const auto& path : corpus_pcaps()) {
    const std::string name = path.filename().string();
    if (kRefusedSinceOracle.count(name) || kCorpusRefusals.count(name)) continue;
    SCOPED_TRACE(name);
    const auto bytes = read_file(path);
    for (size_t length = 0; length <= bytes.size(); ++length) {
      const std::span<const uint8_t> prefix(bytes.data(), length);
      const OracleResult oracle = read_with_libpcap(prefix);
      SavefileError error;
      auto source = open_savefile_memory(prefix, error);
      ASSERT_EQ(source != nullptr, oracle.opened) << length << ": " << error.message << " / " << oracle.open_error;
      ++cases;
      if (!source) continue;
      const CollectedPackets got = collect(*source);
      ASSERT_EQ(got.error.has_value(), oracle.ended_with_error) << length;
      ASSERT_EQ(comparable(got.packets), oracle.packets) << length;
    }
  }
  EXPECT_GT(cases, 50000u);
}

TEST(PcapCorpus, CorruptLengthFieldsMatchLibpcap) {
  // Overwrite the caplen of the second record with values around the limits.
  const auto bytes = read_file(kPcapsDir / "isakmp4500.pcap");
  const uint32_t first_caplen = bytes[32] | bytes[33] << 8 | bytes[34] << 16 | uint32_t{bytes[35]} << 24;
  const size_t second = 24 + 16 + first_caplen;
  for (uint32_t caplen : {0u, 1u, 1535u, 1536u, 1537u, 65535u, 262144u, 262145u, 0x7fffffffu, 0xffffffffu}) {
    auto copy = bytes;
    std::memcpy(copy.data() + second + 8, &caplen, 4);
    const OracleResult oracle = read_with_libpcap(copy);
    const CollectedPackets got = read_all(copy);
    EXPECT_EQ(got.error.has_value(), oracle.ended_with_error) << caplen;
    EXPECT_EQ(comparable(got.packets), oracle.packets) << caplen;
  }
}

// --- LINKTYPE_ <-> DLT_ against libpcap: reading a header with a LINKTYPE_
// gives pcap_datalink() = linktype_to_dlt(); dumping a DLT_ writes
// dlt_to_linktype().

TEST(LinktypeMap, LinktypeToDltMatchesLibpcap) {
  for (uint32_t linktype = 0; linktype < 320; ++linktype) {
    const OracleResult oracle = read_with_libpcap(PcapBytes({.linktype_field = linktype}).span());
    ASSERT_TRUE(oracle.opened) << linktype;
    EXPECT_EQ(dlt_from_linktype(linktype), static_cast<uint32_t>(oracle.dlt)) << linktype;
  }
}

TEST(LinktypeMap, DltToLinktypeMatchesLibpcap) {
  for (int dlt = 0; dlt < 320; ++dlt) {
    pcap_t* dead = pcap_open_dead(dlt, 65535);
    ASSERT_NE(dead, nullptr);
    char* buffer = nullptr;
    size_t size = 0;
    FILE* memory = open_memstream(&buffer, &size);
    pcap_dumper_t* dumper = pcap_dump_fopen(dead, memory);
    if (dumper != nullptr) {
      pcap_dump_close(dumper);  // closes `memory`
      ASSERT_GE(size, 24u);
      uint32_t field;
      std::memcpy(&field, buffer + 20, 4);
      EXPECT_EQ(linktype_from_dlt(static_cast<uint32_t>(dlt)), field) << dlt;
    } else {
      fclose(memory);
      // libpcap has no LINKTYPE_ for it; bpfc passes the number through.
      EXPECT_EQ(linktype_from_dlt(static_cast<uint32_t>(dlt)), static_cast<uint32_t>(dlt)) << dlt;
    }
    free(buffer);
    pcap_close(dead);
  }
}

}  // namespace
}  // namespace bpfc::capture
