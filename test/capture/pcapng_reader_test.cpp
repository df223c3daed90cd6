// The pcapng reader on synthetic files: every block type and the options it
// interprets, both byte orders, several sections, mixed link types,
// timestamp units, the batch contract, streaming, and each kind of damage
// (message, offset, and what was delivered before it).
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "bpfc/capture/savefile.h"
#include "collected_packets.h"
#include "fed_pipe.h"
#include "pcap_bytes.h"
#include "pcapng_bytes.h"

namespace bpfc::capture {
namespace {

using testing::collect;
using testing::CollectedPackets;
using testing::FedPipe;
using testing::NgOptions;
using testing::opt_bytes;
using testing::opt_comment;
using testing::opt_end;
using testing::opt_string;
using testing::opt_u64;
using testing::opt_u8;
using testing::PcapngBytes;
using testing::test_payload;

constexpr uint16_t kIfName = 2, kIfDescription = 3, kIfTsresol = 9, kIfFilter = 11, kIfFcslen = 13, kIfTsoffset = 14;
constexpr int64_t kSecond = 1000000000;

std::unique_ptr<PacketSource> open_ok(const PcapngBytes& file, const ReaderOptions& options = {}) {
  SavefileError error;
  auto source = open_savefile_memory(file.span(), error, options);
  EXPECT_TRUE(source) << error.describe("memory");
  return source;
}

// Every batch of a source, blocks and packets as delivered.
struct Delivery {
  std::vector<std::vector<Block>> blocks;
  std::vector<std::vector<Packet>> packets;
  bool ended_clean = false;
};
Delivery deliver(PacketSource& source) {
  Delivery out;
  Batch batch;
  for (int calls = 0; calls < 100000; ++calls) {
    const bool more = source.next(batch);
    if (!batch.blocks.empty() || !batch.packets.empty()) {
      out.blocks.push_back(batch.blocks);
      out.packets.push_back(batch.packets);
    }
    if (!more) break;
  }
  out.ended_clean = !source.error();
  return out;
}

TEST(PcapngReader, ReadsASimpleFileInBothByteOrders) {
  for (const bool big_endian : {false, true}) {
    SCOPED_TRACE(big_endian ? "big-endian" : "little-endian");
    const auto a = test_payload(60, 1), b = test_payload(61, 2), c = test_payload(1514, 3);
    PcapngBytes file(big_endian);
    file.idb(1, 65535);
    file.epb(0, 1700000000123456ull, a).epb(0, 1700000001000001ull, b, 70).epb(0, 1700000002999999ull, c);
    auto source = open_ok(file);
    ASSERT_TRUE(source);
    EXPECT_EQ(source->format(), SavefileFormat::Pcapng);
    const CollectedPackets got = collect(*source);
    EXPECT_FALSE(got.error);
    EXPECT_TRUE(got.warnings.empty());
    ASSERT_EQ(got.packets.size(), 3u);
    EXPECT_EQ(got.packets[0].timestamp_ns, 1700000000123456000ll);
    EXPECT_EQ(got.packets[0].caplen, 60u);
    EXPECT_EQ(got.packets[0].wirelen, 60u);
    EXPECT_EQ(got.packets[0].bytes, a);
    EXPECT_EQ(got.packets[0].linktype, 1u);
    EXPECT_EQ(got.packets[0].interface, 0u);
    EXPECT_EQ(got.packets[0].encoding, RecordEncoding::Pcapng);
    EXPECT_EQ(got.packets[1].timestamp_ns, 1700000001000001000ll);
    EXPECT_EQ(got.packets[1].caplen, 61u);
    EXPECT_EQ(got.packets[1].wirelen, 70u);
    EXPECT_EQ(got.packets[1].bytes, b);
    EXPECT_EQ(got.packets[2].bytes, c);
    EXPECT_EQ(got.final_position, file.size());
    EXPECT_EQ(source->position(), file.size());
    EXPECT_EQ(source->size(), file.size());
    ASSERT_EQ(source->interfaces().size(), 1u);
    EXPECT_EQ(source->interfaces()[0].linktype, 1u);
    EXPECT_EQ(source->interfaces()[0].snaplen, 65535u);
    EXPECT_EQ(source->interfaces()[0].ticks_per_second, 1000000u);
    EXPECT_EQ(source->interfaces()[0].section, 0u);
  }
}

TEST(PcapngReader, DeliversHeaderBlocksFirstAndPacketsAsViewsOfTheirBlocks) {
  const auto data = test_payload(42, 7);
  PcapngBytes file(true);
  const size_t shb_end = file.size();
  file.idb(1, 0);
  const size_t idb_end = file.size();
  file.epb(0, 5, data);
  auto source = open_ok(file);
  ASSERT_TRUE(source);
  const Delivery got = deliver(*source);
  ASSERT_TRUE(got.ended_clean);
  ASSERT_EQ(got.blocks.size(), 1u);
  ASSERT_EQ(got.blocks[0].size(), 2u);
  EXPECT_EQ(got.blocks[0][0].type, testing::kNgShb);
  EXPECT_TRUE(got.blocks[0][0].big_endian);
  EXPECT_EQ(got.blocks[0][0].raw.data(), file.bytes().data());
  EXPECT_EQ(got.blocks[0][0].raw.size(), shb_end);
  EXPECT_EQ(got.blocks[0][1].type, testing::kNgIdb);
  EXPECT_EQ(got.blocks[0][1].raw.data(), file.bytes().data() + shb_end);
  EXPECT_EQ(got.blocks[0][1].raw.size(), idb_end - shb_end);
  ASSERT_EQ(got.packets[0].size(), 1u);
  const Packet& packet = got.packets[0][0];
  EXPECT_EQ(packet.raw.data(), file.bytes().data() + idb_end);  // zero-copy: views into the input
  EXPECT_EQ(packet.raw.size(), file.size() - idb_end);
  EXPECT_EQ(packet.data, file.bytes().data() + idb_end + 28);
}

TEST(PcapngReader, NonPacketBlocksComeInOrderAndABlockAfterAPacketStartsANewBatch) {
  const auto data = test_payload(20, 1);
  const std::vector<uint8_t> secrets = {'C', 'L', 'I', 'E', 'N', 'T', '_', 'R'};
  PcapngBytes file;
  file.idb(1, 0);
  file.epb(0, 1, data).epb(0, 2, data);
  file.nrb_ipv4({10, 0, 0, 1}, "host.example", {opt_comment("names"), opt_end()});
  file.isb(0, 3, {opt_u64(4, 17), opt_u64(5, 2), opt_end()});  // isb_ifrecv, isb_ifdrop
  file.dsb(0x544c534b, secrets);
  file.custom(testing::kNgCustom, 32473, test_payload(9, 4));
  file.custom(testing::kNgCustomNoCopy, 32473, test_payload(3, 5));
  file.custom(0x12345678, 0, {});   // an unknown type
  file.custom(0x80000001, 1, {});   // a local-use type
  file.epb(0, 4, data);
  auto source = open_ok(file);
  ASSERT_TRUE(source);
  const Delivery got = deliver(*source);
  ASSERT_TRUE(got.ended_clean);
  ASSERT_EQ(got.packets.size(), 2u);
  EXPECT_EQ(got.packets[0].size(), 2u);
  ASSERT_EQ(got.blocks[1].size(), 7u);
  const uint32_t expected[] = {testing::kNgNrb,    testing::kNgIsb,          testing::kNgDsb, testing::kNgCustom,
                               testing::kNgCustomNoCopy, 0x12345678, 0x80000001};
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(got.blocks[1][i].type, expected[i]) << i;
  ASSERT_EQ(got.packets[1].size(), 1u);
  EXPECT_EQ(got.packets[1][0].timestamp_ns, 4000);
}

TEST(PcapngReader, BatchesHoldAtMostBatchPackets) {
  PcapngBytes file;
  file.idb(1, 0);
  for (int i = 0; i < 10; ++i) file.epb(0, static_cast<uint64_t>(i), test_payload(30, static_cast<uint32_t>(i)));
  ReaderOptions options;
  options.batch_packets = 3;
  auto source = open_ok(file, options);
  ASSERT_TRUE(source);
  const CollectedPackets got = collect(*source);
  EXPECT_EQ(got.batch_sizes, (std::vector<size_t>{3, 3, 3, 1}));
  EXPECT_FALSE(got.error);
}

TEST(PcapngReader, SectionsResetInterfaceNumbersAndMayChangeByteOrder) {
  const auto data = test_payload(50, 9);
  PcapngBytes file(false);
  file.idb(1, 1500).idb(101, 65535);  // Ethernet and raw IP in one section
  file.epb(1, 10, data).epb(0, 11, data);
  file.shb(true);
  file.idb(113, 262144, {opt_string(kIfName, "any")});
  file.epb(0, 12, data);
  file.shb(false);
  file.idb(228, 0);
  file.spb(50, data);
  auto source = open_ok(file);
  ASSERT_TRUE(source);
  const CollectedPackets got = collect(*source);
  ASSERT_FALSE(got.error) << got.error->describe("file");
  ASSERT_EQ(got.packets.size(), 4u);
  EXPECT_EQ(got.packets[0].interface, 1u);
  EXPECT_EQ(got.packets[0].linktype, 101u);
  EXPECT_EQ(got.packets[1].interface, 0u);
  EXPECT_EQ(got.packets[1].linktype, 1u);
  EXPECT_EQ(got.packets[2].interface, 2u);
  EXPECT_EQ(got.packets[2].linktype, 113u);
  EXPECT_EQ(got.packets[2].bytes, data);
  EXPECT_EQ(got.packets[3].interface, 3u);
  EXPECT_EQ(got.packets[3].linktype, 228u);
  const auto& interfaces = source->interfaces();
  ASSERT_EQ(interfaces.size(), 4u);
  EXPECT_EQ(interfaces[0].section, 0u);
  EXPECT_EQ(interfaces[1].section, 0u);
  EXPECT_EQ(interfaces[2].section, 1u);
  EXPECT_EQ(interfaces[2].name, "any");
  EXPECT_EQ(interfaces[3].section, 2u);
}

TEST(PcapngReader, InterfaceOptions) {
  PcapngBytes file;
  file.idb(127, 4096,
           {opt_string(kIfName, "wlan0"), opt_string(kIfDescription, std::string("Wi-Fi\0\0", 7)),
            opt_bytes(kIfFilter, {0, 't', 'c', 'p'}), opt_u8(kIfFcslen, 32), opt_comment("a comment"),
            opt_bytes(4, {192, 168, 0, 1, 255, 255, 255, 0}), opt_end()});
  file.idb(1, 0, {opt_bytes(kIfFilter, {1, 0, 0, 0, 0, 0, 0, 0, 0}), opt_u8(kIfFcslen, 4)});  // a BPF program
  file.idb(1, 0);
  auto source = open_ok(file);
  ASSERT_TRUE(source);
  collect(*source);
  const auto& interfaces = source->interfaces();
  ASSERT_EQ(interfaces.size(), 3u);
  EXPECT_EQ(interfaces[0].linktype, 127u);
  EXPECT_EQ(interfaces[0].snaplen, 4096u);
  EXPECT_EQ(interfaces[0].name, "wlan0");
  EXPECT_EQ(interfaces[0].description, "Wi-Fi");
  EXPECT_EQ(interfaces[0].filter, std::optional<std::string>("tcp"));
  EXPECT_EQ(interfaces[0].fcs_bytes, std::optional<uint32_t>(4));  // 32 bits
  EXPECT_FALSE(interfaces[1].filter);
  EXPECT_EQ(interfaces[1].fcs_bytes, std::optional<uint32_t>(4));  // a writer that counted bytes
  EXPECT_FALSE(interfaces[2].fcs_bytes);
  EXPECT_TRUE(interfaces[2].name.empty());
}

// ns = floor(ticks * 10^9 / ticks_per_second) + offset * 10^9, computed with 128 bits.
int64_t expected_ns(uint64_t ticks, unsigned __int128 ticks_per_second, int64_t offset_seconds = 0) {
  const unsigned __int128 ns = static_cast<unsigned __int128>(ticks) * kSecond / ticks_per_second;
  return static_cast<int64_t>(static_cast<uint64_t>(ns)) + offset_seconds * kSecond;
}

TEST(PcapngReader, TimestampUnitsConvertExactly) {
  struct Case {
    uint8_t tsresol;
    unsigned __int128 ticks_per_second;
  };
  const Case cases[] = {
      {6, 1000000},           {9, 1000000000},        {3, 1000},      {0, 1},
      {12, 1000000000000ull}, {19, 10000000000000000000ull},          {0x80 | 20, 1u << 20},
      {0x80 | 10, 1024},      {0x80 | 0, 1},          {0x80 | 63, static_cast<unsigned __int128>(1) << 63},
      {0x80 | 40, static_cast<unsigned __int128>(1) << 40},
  };
  // Tick counts that land in 2024 for each unit, and awkward fractions.
  for (const Case& c : cases) {
    SCOPED_TRACE("tsresol " + std::to_string(c.tsresol));
    const uint64_t second = 1717171717;
    const auto tps = c.ticks_per_second;
    std::vector<uint64_t> ticks;
    if (tps <= (~uint64_t{0}) / second) {
      const uint64_t base = static_cast<uint64_t>(second * tps);
      ticks = {base, base + 1, base + static_cast<uint64_t>(tps - 1), base + static_cast<uint64_t>(tps / 3)};
    } else {
      ticks = {~uint64_t{0}, 1, static_cast<uint64_t>(tps / 7 * 3) + 12345};  // units finer than 2^64 / 2024's second
    }
    PcapngBytes file;
    file.idb(1, 0, {opt_u8(kIfTsresol, c.tsresol), opt_end()});
    for (uint64_t t : ticks) file.epb(0, t, test_payload(4, 1));
    auto source = open_ok(file);
    ASSERT_TRUE(source);
    const CollectedPackets got = collect(*source);
    ASSERT_FALSE(got.error) << got.error->describe("file");
    ASSERT_EQ(got.packets.size(), ticks.size());
    EXPECT_EQ(source->interfaces()[0].ticks_per_second, static_cast<uint64_t>(tps));
    for (size_t i = 0; i < ticks.size(); ++i) EXPECT_EQ(got.packets[i].timestamp_ns, expected_ns(ticks[i], tps)) << i;
  }
}

TEST(PcapngReader, TimestampOffsetIsAddedInSeconds) {
  PcapngBytes file;
  file.idb(1, 0, {opt_u64(kIfTsoffset, 1000000000), opt_u8(kIfTsresol, 9)});
  file.idb(1, 0, {opt_u64(kIfTsoffset, static_cast<uint64_t>(-5))});
  file.epb(0, 1234567890, test_payload(4, 1)).epb(1, 7000001, test_payload(4, 1));
  auto source = open_ok(file);
  ASSERT_TRUE(source);
  const CollectedPackets got = collect(*source);
  ASSERT_EQ(got.packets.size(), 2u);
  EXPECT_EQ(got.packets[0].timestamp_ns, 1000000000 * kSecond + 1234567890);
  EXPECT_EQ(got.packets[1].timestamp_ns, 7000001000 - 5 * kSecond);
  EXPECT_EQ(source->interfaces()[0].ts_offset_seconds, 1000000000);
  EXPECT_EQ(source->interfaces()[1].ts_offset_seconds, -5);
}

TEST(PcapngReader, SimplePacketBlocksUseInterfaceZerosSnaplenAndTheRoomInTheBlock) {
  const auto data = test_payload(100, 3);
  PcapngBytes file;
  file.idb(1, 64, {opt_u64(kIfTsoffset, 77)});
  file.idb(101, 0);
  file.spb(100, std::span(data).first(64));  // cut to the snaplen by the writer
  file.spb(40, std::span(data).first(40));   // shorter than the snaplen
  file.spb(1514, std::span(data).first(20)); // the block holds only 20 bytes
  auto source = open_ok(file);
  ASSERT_TRUE(source);
  const CollectedPackets got = collect(*source);
  ASSERT_FALSE(got.error) << got.error->describe("file");
  ASSERT_EQ(got.packets.size(), 3u);
  EXPECT_EQ(got.packets[0].caplen, 64u);
  EXPECT_EQ(got.packets[0].wirelen, 100u);
  EXPECT_EQ(got.packets[0].bytes, std::vector<uint8_t>(data.begin(), data.begin() + 64));
  EXPECT_EQ(got.packets[0].interface, 0u);
  EXPECT_EQ(got.packets[0].linktype, 1u);
  EXPECT_EQ(got.packets[0].timestamp_ns, 77 * kSecond);  // no timestamp: the offset alone, as libpcap
  EXPECT_EQ(got.packets[1].caplen, 40u);
  EXPECT_EQ(got.packets[1].wirelen, 40u);
  EXPECT_EQ(got.packets[2].caplen, 20u);
  EXPECT_EQ(got.packets[2].wirelen, 1514u);
  EXPECT_TRUE(got.warnings.empty());
}

TEST(PcapngReader, ObsoletePacketBlocks) {
  const auto data = test_payload(33, 8);
  for (const bool big_endian : {false, true}) {
    PcapngBytes file(big_endian);
    file.idb(1, 0).idb(105, 0);
    file.pb(1, 3, 1600000000000001ull, data, 99, {opt_u64(2, 1), opt_end()});
    auto source = open_ok(file);
    ASSERT_TRUE(source);
    const CollectedPackets got = collect(*source);
    ASSERT_FALSE(got.error) << got.error->describe("file");
    ASSERT_EQ(got.packets.size(), 1u);
    EXPECT_EQ(got.packets[0].interface, 1u);
    EXPECT_EQ(got.packets[0].linktype, 105u);
    EXPECT_EQ(got.packets[0].timestamp_ns, 1600000000000001000ll);
    EXPECT_EQ(got.packets[0].caplen, 33u);
    EXPECT_EQ(got.packets[0].wirelen, 99u);
    EXPECT_EQ(got.packets[0].bytes, data);
  }
}

TEST(PcapngReader, PacketOptionsAndCommentsAreSkipped) {
  const auto data = test_payload(31, 2);
  PcapngBytes file(true, {opt_string(2, "hw"), opt_string(3, "os"), opt_string(4, "app"), opt_end()});
  file.idb(1, 0, {opt_comment("the interface"), opt_end()});
  file.epb(0, 9, data, std::nullopt,
           {opt_comment("first"), opt_bytes(2, {0, 0, 0, 1}), opt_bytes(3, {2, 1, 2, 3, 4}), opt_u64(4, 0),
            opt_bytes(2988, {0, 0, 0x7e, 0xd9, 'x'}), opt_end()});
  file.epb(0, 10, data, std::nullopt, {opt_comment("no end of options")});
  auto source = open_ok(file);
  ASSERT_TRUE(source);
  const CollectedPackets got = collect(*source);
  ASSERT_FALSE(got.error) << got.error->describe("file");
  ASSERT_EQ(got.packets.size(), 2u);
  EXPECT_EQ(got.packets[0].bytes, data);
  EXPECT_EQ(got.packets[1].bytes, data);
}

TEST(PcapngReader, VersionsAreCheckedAsLibpcapDoes) {
  for (const auto& [major, minor, accepted] : std::vector<std::tuple<uint16_t, uint16_t, bool>>{
           {1, 0, true}, {1, 2, true}, {1, 1, false}, {0, 1, false}, {2, 0, false}}) {
    PcapngBytes versioned(false);
    versioned.cut(versioned.size());  // replace the default 1.0 header
    versioned.shb(false, {}, major, minor);
    versioned.idb(1, 0);
    SavefileError error;
    auto source = open_savefile_memory(versioned.span(), error);
    EXPECT_EQ(source != nullptr, accepted) << major << "." << minor;
    if (!accepted) {
      EXPECT_EQ(error.message, "unsupported pcapng savefile version " + std::to_string(major) + "." +
                                   std::to_string(minor));
      EXPECT_EQ(error.offset, 0u);
      EXPECT_FALSE(error.damaged);
    }
  }
}

TEST(PcapngReader, LaterSectionsNeedMajorVersionOneOnly) {
  PcapngBytes file;
  file.idb(1, 0).epb(0, 1, test_payload(4, 1));
  file.shb(true, {}, 1, 5);  // libpcap checks only the major version after the first section
  file.idb(1, 0).epb(0, 2, test_payload(4, 1));
  const size_t bad_section = file.size();
  file.shb(false, {}, 2, 0);
  file.idb(1, 0).epb(0, 3, test_payload(4, 1));
  auto source = open_ok(file);
  ASSERT_TRUE(source);
  const CollectedPackets got = collect(*source);
  EXPECT_EQ(got.packets.size(), 2u);
  ASSERT_TRUE(got.error);
  EXPECT_EQ(got.error->message, "unknown pcapng savefile major version number 2");
  EXPECT_EQ(got.error->offset, bad_section);
  EXPECT_TRUE(got.error->damaged);
}

TEST(PcapngReader, OpeningNeedsAnInterfaceBeforeAnyPacket) {
  {
    PcapngBytes file;
    file.nrb_ipv4({1, 2, 3, 4}, "a");
    SavefileError error;
    EXPECT_FALSE(open_savefile_memory(file.span(), error));
    EXPECT_EQ(error.message, "the capture file has no Interface Description Blocks");
  }
  {
    PcapngBytes file;
    file.custom(testing::kNgCustom, 1, {});
    const size_t packet_at = file.size();
    file.epb(0, 1, test_payload(4, 1));
    file.idb(1, 0);
    SavefileError error;
    EXPECT_FALSE(open_savefile_memory(file.span(), error));
    EXPECT_EQ(error.message, "the capture file has a packet block before any Interface Description Blocks");
    EXPECT_EQ(error.offset, packet_at);
  }
  {
    // Damage before the first interface is found when opening, as libpcap does.
    PcapngBytes file;
    const size_t idb_at = file.size();
    const std::vector<uint8_t> body = {1, 0, 0, 0, 0, 0, 0, 0};
    file.block(testing::kNgIdb, body, std::nullopt, 0x30303030);
    SavefileError error;
    EXPECT_FALSE(open_savefile_memory(file.span(), error));
    EXPECT_EQ(error.message, "block total length in header 20 and trailer 808464432 don't match");
    EXPECT_EQ(error.offset, idb_at);
    EXPECT_TRUE(error.damaged);
  }
}

TEST(PcapngReader, BadFirstSectionHeaders) {
  const auto refused = [](const std::vector<uint8_t>& bytes) {
    SavefileError error;
    auto source = open_savefile_memory(bytes, error);
    EXPECT_FALSE(source);
    EXPECT_FALSE(error.damaged);
    return error.message;
  };
  PcapngBytes good;
  good.idb(1, 0);
  std::vector<uint8_t> bytes = good.bytes();
  EXPECT_EQ(refused({0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0}),
            "unknown file format: 8 bytes are too few for a pcapng Section Header Block");
  bytes = good.bytes();
  bytes[8] = 0x11;  // byte-order magic
  EXPECT_EQ(refused(bytes), "unknown file format: a pcapng Section Header Block type without the byte-order magic");
  bytes = good.bytes();
  bytes[4] = 24;
  EXPECT_EQ(refused(bytes), "Section Header Block in pcapng dump file has invalid length 24 (it must be between 28 "
                            "and 1048576)");
  bytes = good.bytes();
  bytes[6] = 0x20;  // 2 MiB
  EXPECT_EQ(refused(bytes), "Section Header Block in pcapng dump file has invalid length 2097180 (it must be between 28 and "
            "1048576)");
  bytes = std::vector<uint8_t>(good.bytes().begin(), good.bytes().begin() + 20);
  EXPECT_EQ(refused(bytes), "truncated pcapng dump file; tried to read 28 bytes, only got 20");
  bytes = good.bytes();
  bytes[4] = 30;
  EXPECT_EQ(refused(bytes), "block in pcapng dump file has a length of 30 that is not a multiple of 4");
  bytes = good.bytes();
  bytes[24] = 29;
  EXPECT_EQ(refused(bytes), "block total length in header 28 and trailer 29 don't match");
  PcapngBytes long_option(false, {testing::NgOption{2, {'x'}, {}, 200}});
  long_option.idb(1, 0);
  EXPECT_EQ(refused(long_option.bytes()),
            "Section Header Block has an option (code 2, length 200) that runs past the end of the block");
}

// A file that goes bad at `offset`: the packets before it are delivered,
// then the error with that offset.
struct DamageCase {
  std::string name;
  PcapngBytes file;
  size_t offset = 0;
  std::string message;
  size_t packets_before = 1;
};

std::vector<DamageCase> damage_cases() {
  std::vector<DamageCase> cases;
  const auto data = test_payload(64, 5);
  const auto start = [&] {
    PcapngBytes file;
    file.idb(1, 0);
    file.epb(0, 1, data);
    return file;
  };
  const auto add = [&](std::string name, PcapngBytes file, size_t offset, std::string message, size_t before = 1) {
    cases.push_back({std::move(name), std::move(file), offset, std::move(message), before});
  };
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.epb(0, 2, data);
    f.patch32(at + 4, 93);
    add("length not a multiple of 4", f, at, "block in pcapng dump file has a length of 93 that is not a multiple of 4");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.block(0x99, {}, 8, 8);
    add("length below 12", f, at, "block in pcapng dump file has a length of 8 < 12");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.block(testing::kNgEpb, data, 0x7FFFFFF0u);
    add("length above the maximum", f, at, "pcapng block size 2147483632 > maximum 16777216");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.epb(0, 2, data);
    f.patch32(f.size() - 4, 100);
    add("trailer mismatch", f, at, "block total length in header 96 and trailer 100 don't match");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.epb(0, 2, data).cut(10);
    add("truncated block", f, at, "truncated pcapng dump file; tried to read 96 bytes, only got 86");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.append(std::vector<uint8_t>{6, 0, 0});
    add("file ends in a block header", f, at, "truncated pcapng dump file; tried to read 8 bytes, only got 3");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.shb(false).cut(f.size() - at - 10);
    add("file ends in a section header", f, at, "truncated pcapng dump file; tried to read 12 bytes, only got 10");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.epb_fields(0, 2, 262145, 262145, data);
    add("caplen above 256 KiB", f, at, "invalid packet capture length 262145, bigger than maximum of 262144");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.epb_fields(0, 2, 65, 65, data);
    add("caplen past the block", f, at,
        "block of type 6 in pcapng dump file is too short: the captured length 65 runs past the end of the block");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.block(testing::kNgEpb, std::vector<uint8_t>(16, 0));
    add("EPB shorter than its fixed part", f, at,
        "block of type 6 in pcapng dump file is too short (Enhanced Packet Block of 28 bytes, at least 32 needed)");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.epb(1, 2, data);
    add("unknown interface", f, at,
        "a packet arrived on interface 1, but there's no Interface Description Block for that interface");
  }
  {
    PcapngBytes f = start();
    f.shb(true);
    const size_t at = f.size();
    f.spb(4, test_payload(4, 1));
    add("SPB in a section without interfaces", f, at,
        "a packet arrived on interface 0, but there's no Interface Description Block for that interface");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.epb(0, 2, data, std::nullopt, {testing::NgOption{1, {'a', 'b', 'c', 'd'}, {}, 9}});
    add("EPB option past the block", f, at,
        "Enhanced Packet Block has an option (code 1, length 9) that runs past the end of the block");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.epb(0, 2, data, std::nullopt, {testing::NgOption{0, {0, 0, 0, 0}, {}, {}}});
    add("opt_endofopt with a length", f, at, "Enhanced Packet Block has opt_endofopt option with length 4 != 0");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.idb(1, 0, {testing::NgOption{kIfName, {'e', 't', 'h'}, {}, 0x7FFF}});
    add("IDB option past the block", f, at,
        "Interface Description Block has an option (code 2, length 32767) that runs past the end of the block");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.idb(1, 0, {opt_bytes(kIfTsresol, {6, 0})});
    add("if_tsresol of length 2", f, at, "Interface Description Block has if_tsresol option with length 2 != 1");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.idb(1, 0, {opt_u8(kIfTsresol, 6), opt_u8(kIfTsresol, 9)});
    add("two if_tsresol", f, at, "Interface Description Block has more than one if_tsresol option");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.idb(1, 0, {opt_u8(kIfTsresol, 20)});
    add("if_tsresol 10^-20", f, at, "Interface Description Block if_tsresol option resolution 10^-20 is too high");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.idb(1, 0, {opt_u8(kIfTsresol, 0x80 | 64)});
    add("if_tsresol 2^-64", f, at, "Interface Description Block if_tsresol option resolution 2^-64 is too high");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.idb(1, 0, {opt_bytes(kIfTsoffset, {1, 2, 3, 4})});
    add("if_tsoffset of length 4", f, at, "Interface Description Block has if_tsoffset option with length 4 != 8");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.block(testing::kNgIdb, std::vector<uint8_t>{1, 0, 0, 0});
    add("IDB shorter than its fixed part", f, at,
        "block of type 1 in pcapng dump file is too short (Interface Description Block of 16 bytes, at least 20 "
        "needed)");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.block(testing::kNgNrb, std::vector<uint8_t>{1, 0, 40, 0, 10, 0, 0, 1});
    add("NRB record past the block", f, at,
        "Name Resolution Block has a record (type 1, length 40) that runs past the end of the block");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.isb(0, 1, {testing::NgOption{4, {}, 5, 12}});
    add("ISB option past the block", f, at,
        "Interface Statistics Block has an option (code 4, length 12) that runs past the end of the block");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.block(testing::kNgDsb, std::vector<uint8_t>{1, 0, 0, 0, 100, 0, 0, 0, 1, 2, 3, 4});
    add("DSB secrets past the block", f, at,
        "Decryption Secrets Block has secrets of 100 bytes that run past the end of the block");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.shb(false);
    f.patch32(at + 8, 0x11223344);
    add("bad byte-order magic in a later section", f, at, "the file has a section with a bad byte order magic field");
  }
  {
    PcapngBytes f = start();
    const size_t at = f.size();
    f.shb(false, {testing::NgOption{3, {}, {}, 100}});
    add("later SHB option past the block", f, at,
        "Section Header Block has an option (code 3, length 100) that runs past the end of the block");
  }
  return cases;
}

TEST(PcapngReader, DamageIsReportedWithTheBlocksOffsetAfterTheGoodPackets) {
  for (const DamageCase& c : damage_cases()) {
    SCOPED_TRACE(c.name);
    auto source = open_ok(c.file);
    ASSERT_TRUE(source);
    const CollectedPackets got = collect(*source, 1000);
    EXPECT_EQ(got.packets.size(), c.packets_before);
    ASSERT_TRUE(got.error);
    EXPECT_EQ(got.error->message, c.message);
    EXPECT_EQ(got.error->offset, c.offset);
    EXPECT_TRUE(got.error->damaged);
    // The source stays stopped.
    Batch batch;
    EXPECT_FALSE(source->next(batch));
    EXPECT_TRUE(batch.packets.empty());
  }
}

TEST(PcapngReader, DamageIsReportedTheSameWhenStreamed) {
  for (const DamageCase& c : damage_cases()) {
    if (c.name == "length above the maximum") continue;  // a stream would wait for 2 GiB before failing
    SCOPED_TRACE(c.name);
    FedPipe pipe(c.file.bytes(), 5);
    SavefileError error;
    auto source = open_savefile(pipe.path(), error);
    ASSERT_TRUE(source) << error.describe("pipe");
    EXPECT_FALSE(source->size());
    const CollectedPackets got = collect(*source, 1000);
    EXPECT_EQ(got.packets.size(), c.packets_before);
    ASSERT_TRUE(got.error);
    EXPECT_EQ(got.error->message, c.message);
    EXPECT_EQ(got.error->offset, c.offset);
  }
}

TEST(PcapngReader, CaplenAboveSnaplenIsCutWithAWarning) {
  const auto data = test_payload(200, 6);
  PcapngBytes file;
  file.idb(1, 100);
  const size_t first_at = file.size();
  file.epb(0, 1, data).epb(0, 2, std::span(data).first(50)).epb(0, 3, data);
  const size_t short_wire_at = file.size();
  file.epb(0, 4, std::span(data).first(80), 60);
  auto source = open_ok(file);
  ASSERT_TRUE(source);
  const CollectedPackets got = collect(*source);
  ASSERT_FALSE(got.error);
  ASSERT_EQ(got.packets.size(), 4u);
  EXPECT_EQ(got.packets[0].caplen, 100u);
  EXPECT_EQ(got.packets[0].wirelen, 200u);
  EXPECT_EQ(got.packets[0].bytes, std::vector<uint8_t>(data.begin(), data.begin() + 100));
  EXPECT_EQ(got.packets[1].caplen, 50u);
  EXPECT_EQ(got.packets[3].caplen, 80u);
  EXPECT_EQ(got.packets[3].wirelen, 60u);
  ASSERT_EQ(got.warnings.size(), 2u);
  EXPECT_EQ(got.warnings[0].message,
            "2 packets have a captured length above the interface's snaplen, cut to the snaplen (the first at this "
            "offset)");
  EXPECT_EQ(got.warnings[0].offset, first_at);
  EXPECT_EQ(got.warnings[1].message, "1 packet has a captured length above the wire length (the first at this offset)");
  EXPECT_EQ(got.warnings[1].offset, short_wire_at);
}

// Enough data to make the stream buffer compact and grow; batches must stay
// valid until the next call.
TEST(PcapngReader, StreamedInputDeliversTheSamePacketsAsMemory) {
  PcapngBytes file;
  file.idb(1, 0);
  for (uint32_t i = 0; i < 6000; ++i) {
    const size_t size = 60 + (i * 37) % 1400;
    if (i % 500 == 0) file.nrb_ipv4({10, 0, 0, static_cast<uint8_t>(i / 500)}, "n");
    if (i == 3000) file.shb(true).idb(1, 0);
    if (i % 1000 == 999) file.custom(testing::kNgCustom, 1, test_payload(300000, i));  // larger than batches
    file.epb(0, i, test_payload(size, i));
  }
  auto memory = open_ok(file);
  ASSERT_TRUE(memory);
  const CollectedPackets expected = collect(*memory);
  ASSERT_FALSE(expected.error);
  ASSERT_EQ(expected.packets.size(), 6000u);
  for (const size_t chunk : {size_t{1} << 16, size_t{4093}}) {
    FedPipe pipe(file.bytes(), chunk);
    SavefileError error;
    auto streamed = open_savefile(pipe.path(), error);
    ASSERT_TRUE(streamed) << error.describe("pipe");
    const CollectedPackets got = collect(*streamed);
    EXPECT_FALSE(got.error);
    EXPECT_EQ(got.final_position, file.size());
    ASSERT_EQ(got.packets.size(), expected.packets.size());
    for (size_t i = 0; i < got.packets.size(); ++i) ASSERT_EQ(got.packets[i], expected.packets[i]) << i;
  }
}

// Mutated files never crash, never loop, and either end cleanly or with an error.
TEST(PcapngReader, MutatedFilesAlwaysEnd) {
  PcapngBytes base;
  base.idb(1, 128, {opt_u8(kIfTsresol, 0x80 | 20), opt_string(kIfName, "x"), opt_end()});
  base.epb(0, 5, test_payload(70, 1), std::nullopt, {opt_comment("c")});
  base.spb(20, test_payload(20, 2));
  base.pb(0, 0, 5, test_payload(9, 3));
  base.nrb_ipv4({1, 1, 1, 1}, "one");
  base.isb(0, 1, {opt_u64(4, 1)});
  base.dsb(1, test_payload(5, 4));
  base.shb(true).idb(1, 0).epb(0, 1, test_payload(3, 5));
  std::mt19937 random(12345);
  for (int round = 0; round < 10000; ++round) {
    std::vector<uint8_t> bytes = base.bytes();
    const int flips = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < flips; ++i) {
      const size_t at = random() % bytes.size();
      bytes[at] = random() % 3 == 0 ? static_cast<uint8_t>(random()) : static_cast<uint8_t>(bytes[at] ^ (1u << (random() % 8)));
    }
    if (random() % 4 == 0) bytes.resize(random() % bytes.size());
    SavefileError error;
    auto source = open_savefile_memory(bytes, error);
    if (!source) continue;
    Batch batch;
    uint64_t last_position = 0;
    int calls = 0;
    while (source->next(batch)) {
      ASSERT_LT(++calls, 1000) << "round " << round;
      ASSERT_GE(source->position(), last_position);
      last_position = source->position();
      for (const Packet& p : batch.packets) {
        ASSERT_GE(p.data, bytes.data());
        ASSERT_LE(p.data + p.caplen, bytes.data() + bytes.size());
      }
    }
    ASSERT_LE(source->position(), bytes.size());
  }
}

}  // namespace
}  // namespace bpfc::capture
