// The pcapng writer: encoding packets from pcap sources (one IDB per link
// type/snaplen/FCS combination, µs or ns units), copying pcapng sources
// byte for byte (only the SHB's section length becomes -1), the sections
// it opens when sources mix, the file it leaves when given nothing, and
// write errors.
#include <fcntl.h>
#include <unistd.h>

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
using testing::NgOption;
using testing::opt_bytes;
using testing::opt_comment;
using testing::opt_end;
using testing::opt_string;
using testing::opt_u64;
using testing::opt_u8;
using testing::OwnedPacket;
using testing::PcapBytes;
using testing::PcapngBytes;
using testing::read_file_bytes;
using testing::TempPath;
using testing::test_payload;

WriterOptions pcapng_options(bool nanosecond = false, uint32_t linktype = 1, uint32_t snaplen = 262144) {
  WriterOptions options;
  options.format = SavefileFormat::Pcapng;
  options.nanosecond = nanosecond;
  options.linktype = linktype;
  options.snaplen = snaplen;
  return options;
}

std::unique_ptr<PacketSink> create(const TempPath& path, const WriterOptions& options) {
  SavefileError error;
  auto sink = create_savefile(path.string(), options, error);
  EXPECT_TRUE(sink) << error.message;
  return sink;
}

CollectedPackets read_back(const std::vector<uint8_t>& bytes, std::vector<InterfaceInfo>* interfaces = nullptr) {
  SavefileError error;
  auto source = open_savefile_memory(bytes, error);
  EXPECT_TRUE(source) << error.describe("written file");
  if (!source) return {};
  EXPECT_EQ(source->format(), SavefileFormat::Pcapng);
  CollectedPackets got = collect(*source);
  EXPECT_FALSE(got.error) << got.error->describe("written file");
  if (interfaces) *interfaces = source->interfaces();
  return got;
}

uint32_t le32(const std::vector<uint8_t>& b, size_t at) {
  return b[at] | b[at + 1] << 8 | b[at + 2] << 16 | uint32_t{b[at + 3]} << 24;
}

// The block types of a little-endian file, in order.
std::vector<uint32_t> block_types(const std::vector<uint8_t>& bytes) {
  std::vector<uint32_t> types;
  for (size_t at = 0; at + 12 <= bytes.size(); at += le32(bytes, at + 4)) {
    types.push_back(le32(bytes, at));
    if (le32(bytes, at + 4) < 12) break;
  }
  return types;
}

Packet packet_of(const std::vector<uint8_t>& data, int64_t timestamp_ns, uint32_t linktype,
                 std::optional<uint32_t> wirelen = std::nullopt) {
  Packet p;
  p.timestamp_ns = timestamp_ns;
  p.caplen = static_cast<uint32_t>(data.size());
  p.wirelen = wirelen.value_or(p.caplen);
  p.linktype = linktype;
  p.data = data.data();
  p.encoding = RecordEncoding::PcapMicroLE;
  return p;
}

InterfaceInfo interface_of(uint32_t linktype, uint32_t snaplen, std::optional<uint32_t> fcs = std::nullopt) {
  InterfaceInfo info;
  info.linktype = linktype;
  info.snaplen = snaplen;
  info.fcs_bytes = fcs;
  return info;
}

TEST(PcapngWriter, EncodesPacketsFromPcapSourcesInMicrosecondsOrNanoseconds) {
  const auto a = test_payload(60, 1), b = test_payload(1514, 2), c = test_payload(1, 3);
  for (const bool nano : {false, true}) {
    SCOPED_TRACE(nano ? "ns" : "µs");
    TempPath path("encode.pcapng");
    {
      auto sink = create(path, pcapng_options(nano));
      ASSERT_TRUE(sink);
      const InterfaceInfo eth = interface_of(1, 65535);
      EXPECT_TRUE(sink->write_packet(packet_of(a, 1700000000123456789, 1), eth));
      EXPECT_TRUE(sink->write_packet(packet_of(b, 1700000001000000000, 1, 9000), eth));
      EXPECT_TRUE(sink->write_packet(packet_of(c, -1500, 1), eth));  // before 1970: rounds down
      EXPECT_TRUE(sink->flush());
      EXPECT_EQ(sink->bytes_written(), std::filesystem::file_size(path.path()));
    }
    const auto bytes = read_file_bytes(path.path());
    EXPECT_EQ(block_types(bytes), (std::vector<uint32_t>{testing::kNgShb, testing::kNgIdb, testing::kNgEpb,
                                                         testing::kNgEpb, testing::kNgEpb}));
    // SHB: byte-order magic, version 1.0, unknown section length.
    EXPECT_EQ(le32(bytes, 8), 0x1A2B3C4Du);
    EXPECT_EQ(le32(bytes, 12), 1u);
    EXPECT_EQ(le32(bytes, 16), 0xFFFFFFFFu);
    EXPECT_EQ(le32(bytes, 20), 0xFFFFFFFFu);
    std::vector<InterfaceInfo> interfaces;
    const CollectedPackets got = read_back(bytes, &interfaces);
    ASSERT_EQ(interfaces.size(), 1u);
    EXPECT_EQ(interfaces[0].linktype, 1u);
    EXPECT_EQ(interfaces[0].snaplen, 65535u);
    EXPECT_EQ(interfaces[0].ticks_per_second, nano ? 1000000000u : 1000000u);
    ASSERT_EQ(got.packets.size(), 3u);
    EXPECT_EQ(got.packets[0].timestamp_ns, nano ? 1700000000123456789 : 1700000000123456000);
    EXPECT_EQ(got.packets[0].bytes, a);
    EXPECT_EQ(got.packets[1].timestamp_ns, 1700000001000000000);
    EXPECT_EQ(got.packets[1].wirelen, 9000u);
    EXPECT_EQ(got.packets[1].bytes, b);
    EXPECT_EQ(got.packets[2].bytes, c);
    EXPECT_EQ(got.packets[2].timestamp_ns, nano ? -1500 : -2000);
  }
}

TEST(PcapngWriter, AddsAnInterfaceForEveryNewLinkTypeSnaplenAndFcsLength) {
  const auto data = test_payload(40, 1);
  TempPath path("interfaces.pcapng");
  {
    auto sink = create(path, pcapng_options());
    ASSERT_TRUE(sink);
    const InterfaceInfo infos[] = {interface_of(1, 65535), interface_of(101, 65535), interface_of(1, 65535),
                                   interface_of(1, 128), interface_of(1, 65535, 4), interface_of(101, 65535)};
    for (size_t i = 0; i < std::size(infos); ++i) {
      EXPECT_TRUE(sink->write_packet(packet_of(data, static_cast<int64_t>(i) * 1000, infos[i].linktype), infos[i]));
    }
  }
  const auto bytes = read_file_bytes(path.path());
  std::vector<InterfaceInfo> interfaces;
  const CollectedPackets got = read_back(bytes, &interfaces);
  ASSERT_EQ(interfaces.size(), 4u);
  EXPECT_EQ(interfaces[2].snaplen, 128u);
  EXPECT_EQ(interfaces[3].fcs_bytes, std::optional<uint32_t>(4));
  ASSERT_EQ(got.packets.size(), 6u);
  const uint32_t expected_interface[] = {0, 1, 0, 2, 3, 1};
  const uint32_t expected_linktype[] = {1, 101, 1, 1, 1, 101};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(got.packets[i].interface, expected_interface[i]) << i;
    EXPECT_EQ(got.packets[i].linktype, expected_linktype[i]) << i;
    EXPECT_EQ(got.packets[i].timestamp_ns, static_cast<int64_t>(i) * 1000) << i;
  }
}

// A file with every kind of block, two sections in different byte orders,
// SHB section lengths that are not -1, comments and custom options.
PcapngBytes rich_file(bool first_big_endian) {
  PcapngBytes file(first_big_endian, {opt_string(2, "hardware"), opt_comment("section one"), opt_end()});
  file.cut(file.size());
  file.shb(first_big_endian, {opt_string(2, "hardware"), opt_comment("section one"), opt_end()}, 1, 0, 4000);
  file.idb(1, 65535, {opt_string(2, "eth0"), opt_u8(9, 9), opt_comment("ns"), opt_end()});
  file.idb(101, 2048, {opt_u8(9, 0x80 | 20), opt_u64(14, 3600)});
  file.epb(0, 1700000000000000001ull, test_payload(64, 1), 100,
           {opt_comment("a packet comment"), opt_bytes(2, {1, 0, 0, 0}), opt_end()});
  file.nrb_ipv4({192, 0, 2, 1}, "example.test", {opt_comment("names")});
  file.epb(1, 5, test_payload(21, 2));
  file.isb(0, 1700000000000000002ull, {opt_u64(4, 10), opt_u64(5, 1), opt_end()});
  file.dsb(0x544c534b, test_payload(37, 3), {opt_comment("keys")});
  file.custom(testing::kNgCustom, 32473, test_payload(11, 4));
  file.custom(testing::kNgCustomNoCopy, 32473, test_payload(12, 5));
  file.custom(0x00001234, 0, test_payload(5, 6));
  file.spb(80, test_payload(80, 7));
  file.pb(1, 0, 77, test_payload(30, 8), 30, {opt_comment("old")});
  file.shb(!first_big_endian, {opt_string(4, "other app")}, 1, 2, 123456);
  file.idb(113, 0, {opt_bytes(11, {0, 'u', 'd', 'p'})});
  file.epb(0, 9, test_payload(45, 9), std::nullopt, {NgOption{2989, {0, 0, 0x7e, 0xd9, 1, 2, 3}, {}, {}}});
  file.custom(0x80000010, 7, test_payload(4, 10));
  return file;
}

// The input with every SHB's section length set to -1.
std::vector<uint8_t> with_unknown_section_lengths(const PcapngBytes& file) {
  std::vector<uint8_t> bytes = file.bytes();
  // Walk with the section byte order known from each SHB.
  bool big_endian = false;
  size_t at = 0;
  while (at + 12 <= bytes.size()) {
    const uint32_t type_le = le32(bytes, at);
    if (type_le == testing::kNgShb) {
      big_endian = bytes[at + 8] == 0x1A;
      std::fill(bytes.begin() + static_cast<ptrdiff_t>(at + 16), bytes.begin() + static_cast<ptrdiff_t>(at + 24),
                0xFF);
    }
    const uint32_t length = big_endian ? uint32_t{bytes[at + 4]} << 24 | bytes[at + 5] << 16 | bytes[at + 6] << 8 |
                                             bytes[at + 7]
                                       : le32(bytes, at + 4);
    at += length;
  }
  return bytes;
}

TEST(PcapngWriter, CopiesPcapngByteForByteExceptSectionLengths) {
  for (const bool big_endian : {false, true}) {
    SCOPED_TRACE(big_endian ? "big-endian first" : "little-endian first");
    const PcapngBytes input = rich_file(big_endian);
    TempPath path("copy.pcapng");
    {
      SavefileError error;
      auto source = open_savefile_memory(input.span(), error);
      ASSERT_TRUE(source) << error.describe("input");
      auto sink = create(path, pcapng_options());
      ASSERT_TRUE(sink);
      ASSERT_TRUE(copy_savefile(*source, *sink));
    }
    const auto output = read_file_bytes(path.path());
    const auto expected = with_unknown_section_lengths(input);
    ASSERT_EQ(output.size(), expected.size());
    EXPECT_TRUE(output == expected);
    EXPECT_NE(output, input.bytes());  // the section lengths did change
    const CollectedPackets before = read_back(input.bytes());
    const CollectedPackets after = read_back(output);
    EXPECT_EQ(after.packets, before.packets);
    EXPECT_EQ(after.packets.size(), 5u);
  }
}

TEST(PcapngWriter, DroppedPacketsLeaveTheOtherBlocksInPlace) {
  const PcapngBytes input = rich_file(false);
  TempPath path("filtered.pcapng");
  {
    SavefileError error;
    auto source = open_savefile_memory(input.span(), error);
    ASSERT_TRUE(source);
    auto sink = create(path, pcapng_options());
    ASSERT_TRUE(sink);
    ASSERT_TRUE(copy_savefile(*source, *sink, [](size_t i) { return i % 2 == 1; }));
  }
  const CollectedPackets all = read_back(input.bytes());
  const CollectedPackets kept = read_back(read_file_bytes(path.path()));
  ASSERT_EQ(all.packets.size(), 5u);
  ASSERT_EQ(kept.packets.size(), 2u);
  EXPECT_EQ(kept.packets[0], all.packets[1]);
  EXPECT_EQ(kept.packets[1], all.packets[3]);
  // Every non-packet block is still there.
  SavefileError error;
  auto reread = open_savefile(path.string(), error);
  ASSERT_TRUE(reread);
  size_t blocks = 0;
  Batch batch;
  for (bool more = true; more;) {
    more = reread->next(batch);
    blocks += batch.blocks.size();
  }
  EXPECT_EQ(blocks, 12u);  // 2 SHB, 3 IDB, NRB, ISB, DSB, 4 custom/unknown
}

TEST(PcapngWriter, AnEmptyOutputIsStillAValidFile) {
  TempPath path("empty.pcapng");
  {
    auto sink = create(path, pcapng_options(true, 105, 4096));
    ASSERT_TRUE(sink);
  }
  const auto bytes = read_file_bytes(path.path());
  EXPECT_EQ(block_types(bytes), (std::vector<uint32_t>{testing::kNgShb, testing::kNgIdb}));
  std::vector<InterfaceInfo> interfaces;
  const CollectedPackets got = read_back(bytes, &interfaces);
  EXPECT_TRUE(got.packets.empty());
  ASSERT_EQ(interfaces.size(), 1u);
  EXPECT_EQ(interfaces[0].linktype, 105u);
  EXPECT_EQ(interfaces[0].snaplen, 4096u);
  EXPECT_EQ(interfaces[0].ticks_per_second, 1000000000u);
}

TEST(PcapngWriter, PcapngPacketsWithoutTheirBlocksAreEncodedAfresh) {
  const PcapngBytes input = rich_file(true);
  TempPath path("packets_only.pcapng");
  const CollectedPackets expected = read_back(input.bytes());
  {
    SavefileError error;
    auto source = open_savefile_memory(input.span(), error);
    ASSERT_TRUE(source);
    auto sink = create(path, pcapng_options(true));
    ASSERT_TRUE(sink);
    Batch batch;
    for (bool more = true; more;) {
      more = source->next(batch);
      for (const Packet& p : batch.packets) ASSERT_TRUE(sink->write_packet(p, source->interfaces()[p.interface]));
    }
  }
  const auto bytes = read_file_bytes(path.path());
  const CollectedPackets got = read_back(bytes);
  ASSERT_EQ(got.packets.size(), expected.packets.size());
  for (size_t i = 0; i < got.packets.size(); ++i) {
    EXPECT_EQ(got.packets[i].timestamp_ns, expected.packets[i].timestamp_ns) << i;
    EXPECT_EQ(got.packets[i].caplen, expected.packets[i].caplen) << i;
    EXPECT_EQ(got.packets[i].wirelen, expected.packets[i].wirelen) << i;
    EXPECT_EQ(got.packets[i].linktype, expected.packets[i].linktype) << i;
    EXPECT_EQ(got.packets[i].bytes, expected.packets[i].bytes) << i;
  }
}

TEST(PcapngWriter, PacketsAreNotCopiedIntoASectionOfAnotherSource) {
  PcapngBytes first;
  first.idb(1, 0).epb(0, 1000, test_payload(20, 1));
  PcapngBytes second;
  second.idb(101, 0).epb(0, 2000, test_payload(30, 2));
  TempPath path("two_sources.pcapng");
  {
    auto sink = create(path, pcapng_options());
    ASSERT_TRUE(sink);
    SavefileError error;
    auto a = open_savefile_memory(first.span(), error);
    ASSERT_TRUE(a);
    ASSERT_TRUE(copy_savefile(*a, *sink));
    // The second file's packets come without its blocks: its interface 0
    // (raw IP) must not become the first file's interface 0 (Ethernet).
    auto b = open_savefile_memory(second.span(), error);
    ASSERT_TRUE(b);
    Batch batch;
    for (bool more = true; more;) {
      more = b->next(batch);
      for (const Packet& p : batch.packets) ASSERT_TRUE(sink->write_packet(p, b->interfaces()[p.interface]));
    }
  }
  const CollectedPackets got = read_back(read_file_bytes(path.path()));
  ASSERT_EQ(got.packets.size(), 2u);
  EXPECT_EQ(got.packets[0].linktype, 1u);
  EXPECT_EQ(got.packets[1].linktype, 101u);
  EXPECT_EQ(got.packets[1].timestamp_ns, 2000000);
  EXPECT_EQ(got.packets[1].bytes, test_payload(30, 2));
}

TEST(PcapngWriter, BlocksWithoutASectionHeaderGetOneInTheirByteOrder) {
  PcapngBytes input(true);
  input.idb(1, 0).epb(0, 42, test_payload(10, 1));
  SavefileError error;
  auto source = open_savefile_memory(input.span(), error);
  ASSERT_TRUE(source);
  TempPath path("no_shb.pcapng");
  {
    auto sink = create(path, pcapng_options());
    Batch batch;
    for (bool more = true; more;) {
      more = source->next(batch);
      for (const Block& b : batch.blocks) {
        if (b.type != testing::kNgShb) {
          ASSERT_TRUE(sink->write_block(b));
        }
      }
      for (const Packet& p : batch.packets) ASSERT_TRUE(sink->write_packet(p, source->interfaces()[p.interface]));
    }
  }
  const auto bytes = read_file_bytes(path.path());
  EXPECT_EQ(bytes[8], 0x1A);  // big-endian byte-order magic
  // IDB and EPB are the input's bytes.
  const size_t shb_length = bytes[7];
  EXPECT_TRUE(std::equal(bytes.begin() + static_cast<ptrdiff_t>(shb_length), bytes.end(),
                         input.bytes().begin() + 28, input.bytes().end()));
  const CollectedPackets got = read_back(bytes);
  ASSERT_EQ(got.packets.size(), 1u);
  EXPECT_EQ(got.packets[0].timestamp_ns, 42000);
}

TEST(PcapngWriter, MixedSourcesGetSectionsOfTheirOwn) {
  // pcapng (big-endian), then pcap, then pcapng again.
  PcapngBytes first(true);
  first.idb(1, 0).epb(0, 1000001, test_payload(20, 1));
  PcapBytes middle;
  middle.packet(3, 4, test_payload(30, 2));
  PcapngBytes last(false);
  last.idb(101, 0).epb(0, 5000000, test_payload(40, 3));

  TempPath path("mixed.pcapng");
  std::vector<OwnedPacket> expected;
  {
    auto sink = create(path, pcapng_options());
    ASSERT_TRUE(sink);
    for (const std::span<const uint8_t> input : {first.span(), middle.span(), last.span()}) {
      SavefileError error;
      auto source = open_savefile_memory(input, error);
      ASSERT_TRUE(source) << error.message;
      ASSERT_TRUE(copy_savefile(*source, *sink));
      auto again = open_savefile_memory(input, error);
      for (const OwnedPacket& p : collect(*again).packets) expected.push_back(p);
    }
  }
  std::vector<InterfaceInfo> interfaces;
  const CollectedPackets got = read_back(read_file_bytes(path.path()), &interfaces);
  ASSERT_EQ(got.packets.size(), 3u);
  ASSERT_EQ(interfaces.size(), 3u);
  EXPECT_EQ(interfaces[0].section, 0u);
  EXPECT_EQ(interfaces[1].section, 1u);
  EXPECT_EQ(interfaces[2].section, 2u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(got.packets[i].timestamp_ns, expected[i].timestamp_ns) << i;
    EXPECT_EQ(got.packets[i].bytes, expected[i].bytes) << i;
    EXPECT_EQ(got.packets[i].linktype, expected[i].linktype) << i;
    EXPECT_EQ(got.packets[i].interface, i) << i;
  }
}

TEST(PcapngWriter, WriteErrorsAreReported) {
  const int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
  if (fd < 0) GTEST_SKIP() << "no /dev/full";
  SavefileError error;
  auto sink = create_savefile_fd(fd, pcapng_options(), error);
  ASSERT_TRUE(sink);
  const auto data = test_payload(1000, 1);
  bool all_ok = true;
  for (int i = 0; i < 3000 && all_ok; ++i) all_ok = sink->write_packet(packet_of(data, i, 1), interface_of(1, 0));
  all_ok = all_ok && sink->flush();
  EXPECT_FALSE(all_ok);
  ASSERT_TRUE(sink->error());
  EXPECT_NE(sink->error()->message.find("No space left on device"), std::string::npos) << sink->error()->message;
  EXPECT_FALSE(sink->write_packet(packet_of(data, 0, 1), interface_of(1, 0)));
  sink.reset();
  close(fd);
}

}  // namespace
}  // namespace bpfc::capture
