// RotatingSink: tcpdump's -C/-G/-W file names and rotation points, with a
// clock the test moves by hand, and every file complete and readable on
// its own (pcap and pcapng). The differential test against tcpdump itself
// is test/cli/rotation_test.cpp.
#include "bpfc/capture/rotating_sink.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "collected_packets.h"
#include "pcap_bytes.h"
#include "pcapng_bytes.h"
#include "../support/scratch_dir.h"

namespace bpfc::testing {
namespace {

using capture::RotatingSink;
using capture::RotationOptions;
using capture::rotation_file_name;

using testsupport::ScratchDir;

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

CollectedPackets read_file(const std::string& path) {
  capture::SavefileError error;
  auto source = capture::open_savefile(path, error);
  if (!source) {
    ADD_FAILURE() << path << ": " << error.message;
    return {};
  }
  CollectedPackets packets = collect(*source);
  EXPECT_FALSE(packets.error) << path << ": " << packets.error->message;
  return packets;
}

// A pcap savefile of `count` Ethernet-sized packets of varying sizes.
std::vector<uint8_t> pcap_input(size_t count) {
  PcapBytes file;
  for (size_t i = 0; i < count; ++i) {
    file.packet(1000 + static_cast<uint32_t>(i), 0, test_payload(60 + (i * 97) % 400, static_cast<uint32_t>(i)));
  }
  return file.bytes();
}

// Feeds every block and packet of `input` to `sink`; stops at the first
// packet it refuses and returns how many were written.
size_t feed(capture::PacketSink& sink, std::span<const uint8_t> input) {
  capture::SavefileError error;
  auto source = capture::open_savefile_memory(input, error);
  EXPECT_TRUE(source) << error.message;
  if (!source) return 0;
  size_t written = 0;
  capture::Batch batch;
  bool more = true;
  while (more) {
    more = source->next(batch);
    for (const capture::Block& block : batch.blocks) EXPECT_TRUE(sink.write_block(block));
    for (const capture::Packet& packet : batch.packets) {
      if (!sink.write_packet(packet, source->interfaces()[packet.interface])) return written;
      ++written;
    }
  }
  return written;
}

std::vector<OwnedPacket> packets_of(std::span<const uint8_t> input) {
  capture::SavefileError error;
  auto source = capture::open_savefile_memory(input, error);
  return source ? collect(*source).packets : std::vector<OwnedPacket>{};
}

// Compares without the record encoding, which depends on the writer.
void expect_same_records(const std::vector<OwnedPacket>& got, const std::vector<OwnedPacket>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].timestamp_ns, want[i].timestamp_ns) << "packet " << i;
    EXPECT_EQ(got[i].wirelen, want[i].wirelen) << "packet " << i;
    EXPECT_EQ(got[i].bytes, want[i].bytes) << "packet " << i;
  }
}

TEST(RotationFileName, FollowsTcpdumpNumbering) {
  RotationOptions size{.path = "out", .max_file_bytes = 1000000};
  EXPECT_EQ(rotation_file_name(size, 0, 0), "out");
  EXPECT_EQ(rotation_file_name(size, 0, 1), "out1");
  EXPECT_EQ(rotation_file_name(size, 0, 12), "out12");
  // -W pads to the width of COUNT - 1; a ring of one is never numbered.
  const std::pair<uint32_t, std::vector<std::string>> rings[] = {
      {1, {"out", "out"}}, {2, {"out0", "out1"}}, {10, {"out0", "out9"}},
      {11, {"out00", "out10"}}, {101, {"out000", "out100"}},
  };
  for (const auto& [files, names] : rings) {
    RotationOptions ring = size;
    ring.max_files = files;
    EXPECT_EQ(rotation_file_name(ring, 0, 0), names[0]) << "-W " << files;
    EXPECT_EQ(rotation_file_name(ring, 0, files - 1), names[1]) << "-W " << files;
  }
  // -G expands strftime(3) patterns; without -C no number is added.
  RotationOptions by_time{.path = "cap-%s-%%", .rotate_seconds = 60};
  EXPECT_EQ(rotation_file_name(by_time, 1234567, 0), "cap-1234567-%");
  by_time.max_files = 3;
  EXPECT_EQ(rotation_file_name(by_time, 1234567, 0), "cap-1234567-%");
  by_time.max_file_bytes = 1000000;
  EXPECT_EQ(rotation_file_name(by_time, 1234567, 2), "cap-1234567-%2");
  // Without -G, '%' is an ordinary character.
  EXPECT_EQ(rotation_file_name(RotationOptions{.path = "a%sb", .max_file_bytes = 1}, 5, 1), "a%sb1");
}

TEST(RotatingSink, SizeRotationClosesAFileOnceItHoldsMoreThanTheLimit) {
  ScratchDir dir;
  const std::vector<uint8_t> input = pcap_input(200);
  constexpr uint64_t kLimit = 10000;
  capture::SavefileError error;
  auto sink = RotatingSink::create({.path = dir / "out", .max_file_bytes = kLimit}, {}, error);
  ASSERT_TRUE(sink) << error.message;
  EXPECT_EQ(feed(*sink, input), 200u);
  ASSERT_TRUE(sink->flush());
  const size_t files = sink->opened_paths().size();
  ASSERT_GT(files, 3u);
  std::vector<OwnedPacket> all;
  for (size_t i = 0; i < files; ++i) {
    const std::string path = dir / ("out" + (i == 0 ? std::string() : std::to_string(i)));
    EXPECT_EQ(sink->opened_paths()[i], path);
    const std::vector<uint8_t> bytes = read_bytes(path);
    const CollectedPackets packets = read_file(path);
    ASSERT_FALSE(packets.packets.empty()) << path;
    if (i + 1 < files) {
      // Over the limit with its last packet, not over it without.
      EXPECT_GT(bytes.size(), kLimit) << path;
      EXPECT_LE(bytes.size() - 16 - packets.packets.back().caplen, kLimit) << path;
    }
    all.insert(all.end(), packets.packets.begin(), packets.packets.end());
  }
  EXPECT_EQ(dir.names().size(), files);
  expect_same_records(all, packets_of(input));
  EXPECT_EQ(sink->bytes_written(), input.size() + 24 * (files - 1));
}

TEST(RotatingSink, RingOfFilesOverwritesTheOldest) {
  ScratchDir dir;
  const std::vector<uint8_t> input = pcap_input(200);
  capture::SavefileError error;
  auto sink = RotatingSink::create({.path = dir / "r", .max_file_bytes = 10000, .max_files = 3}, {}, error);
  ASSERT_TRUE(sink) << error.message;
  EXPECT_EQ(feed(*sink, input), 200u);
  ASSERT_TRUE(sink->flush());
  const std::vector<std::string>& opened = sink->opened_paths();
  ASSERT_GT(opened.size(), 4u);
  for (size_t i = 0; i < opened.size(); ++i) EXPECT_EQ(opened[i], dir / ("r" + std::to_string(i % 3)));
  EXPECT_EQ((dir.names()), (std::vector<std::string>{"r0", "r1", "r2"}));
  // The file written last holds the last packets of the input.
  const std::vector<OwnedPacket> last = read_file(opened.back()).packets;
  const std::vector<OwnedPacket> want = packets_of(input);
  ASSERT_FALSE(last.empty());
  expect_same_records(last, std::vector<OwnedPacket>(want.end() - static_cast<ptrdiff_t>(last.size()), want.end()));
}

TEST(RotatingSink, TimeRotationFollowsTheClockAndStopsAfterCountFiles) {
  ScratchDir dir;
  std::time_t now = 100;
  capture::SavefileError error;
  auto sink = RotatingSink::create({.path = dir / "t%s", .rotate_seconds = 5, .max_files = 2}, {}, error,
                                   [&now] { return now; });
  ASSERT_TRUE(sink) << error.message;
  const std::vector<uint8_t> input = pcap_input(6);
  capture::SavefileError ignored;
  auto source = capture::open_savefile_memory(input, ignored);
  capture::Batch batch;
  source->next(batch);
  ASSERT_EQ(batch.packets.size(), 6u);
  const capture::InterfaceInfo& interface = source->interfaces()[0];
  // Four seconds later is still the first period; the fifth starts a new
  // file named by its own time.
  const std::time_t clock_at[] = {100, 102, 104, 105, 109};
  for (size_t i = 0; i < 5; ++i) {
    now = clock_at[i];
    EXPECT_TRUE(sink->write_packet(batch.packets[i], interface)) << i;
  }
  EXPECT_EQ(sink->current_path(), dir / "t105");
  // A third period would be the third file of -W 2: refused, without error.
  now = 110;
  EXPECT_FALSE(sink->write_packet(batch.packets[5], interface));
  EXPECT_TRUE(sink->limit_reached());
  EXPECT_FALSE(sink->error());
  EXPECT_TRUE(sink->flush());
  EXPECT_EQ((dir.names()), (std::vector<std::string>{"t100", "t105"}));
  EXPECT_EQ(read_file(dir / "t100").packets.size(), 3u);
  EXPECT_EQ(read_file(dir / "t105").packets.size(), 2u);
}

TEST(RotatingSink, TimeRotationRestartsTheSizeCount) {
  ScratchDir dir;
  std::time_t now = 200;
  capture::SavefileError error;
  auto sink = RotatingSink::create({.path = dir / "g%s-", .max_file_bytes = 300, .rotate_seconds = 10}, {}, error,
                                   [&now] { return now; });
  ASSERT_TRUE(sink) << error.message;
  const std::vector<uint8_t> input = pcap_input(8);
  capture::SavefileError ignored;
  auto source = capture::open_savefile_memory(input, ignored);
  capture::Batch batch;
  source->next(batch);
  const capture::InterfaceInfo& interface = source->interfaces()[0];
  for (size_t i = 0; i < 8; ++i) {
    now = i < 4 ? 200 : 210;  // the period changes before packet 4
    ASSERT_TRUE(sink->write_packet(batch.packets[i], interface)) << i;
  }
  ASSERT_TRUE(sink->flush());
  // Records of 76, 173, 270, 367 | 464, 161, 258, 355 bytes after a 24-byte
  // header: over 300 bytes after packets 2 | 4, 6.
  const std::vector<std::string> want = {dir / "g200-", dir / "g200-1", dir / "g210-", dir / "g210-1", dir / "g210-2"};
  EXPECT_EQ(sink->opened_paths(), want);
  size_t total = 0;
  for (const std::string& path : dir.names()) total += read_file(dir / path).packets.size();
  EXPECT_EQ(total, 8u);
}

TEST(RotatingSink, EveryPcapngFileStartsWithTheSectionAndItsInterfaces) {
  ScratchDir dir;
  PcapngBytes input;
  input.idb(1, 65535, {opt_string(2, "eth0"), opt_end()}).idb(101, 65535, {opt_string(2, "tun0"), opt_end()});
  for (uint32_t i = 0; i < 60; ++i) input.epb(i % 2, 1000000ull * i, test_payload(100 + i * 7, i));
  capture::SavefileError error;
  capture::WriterOptions pcapng;
  pcapng.format = capture::SavefileFormat::Pcapng;
  auto sink = RotatingSink::create({.path = dir / "ng", .max_file_bytes = 2000}, pcapng, error);
  ASSERT_TRUE(sink) << error.message;
  EXPECT_EQ(feed(*sink, input.span()), 60u);
  ASSERT_TRUE(sink->flush());
  const size_t files = sink->opened_paths().size();
  ASSERT_GT(files, 3u);
  std::vector<OwnedPacket> all;
  for (const std::string& path : sink->opened_paths()) {
    const std::vector<uint8_t> bytes = read_bytes(path);
    ASSERT_GE(bytes.size(), 4u);
    EXPECT_EQ(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 4), (std::vector<uint8_t>{0x0a, 0x0d, 0x0d, 0x0a}))
        << path;
    capture::SavefileError open_error;
    auto source = capture::open_savefile(path, open_error);
    ASSERT_TRUE(source) << open_error.message;
    const CollectedPackets packets = collect(*source);
    EXPECT_FALSE(packets.error);
    ASSERT_EQ(source->interfaces().size(), 2u) << path;
    EXPECT_EQ(source->interfaces()[0].name, "eth0");
    EXPECT_EQ(source->interfaces()[1].linktype, 101u);
    all.insert(all.end(), packets.packets.begin(), packets.packets.end());
  }
  const std::vector<OwnedPacket> want = packets_of(input.span());
  expect_same_records(all, want);
  for (size_t i = 0; i < all.size() && i < want.size(); ++i) {
    EXPECT_EQ(all[i].interface, want[i].interface) << i;
    EXPECT_EQ(all[i].linktype, want[i].linktype) << i;
  }
}

TEST(RotatingSink, ReportsAFileItCannotCreate) {
  ScratchDir dir;
  capture::SavefileError error;
  auto sink = RotatingSink::create({.path = dir / "missing/out", .max_file_bytes = 1}, {}, error);
  EXPECT_FALSE(sink);
  EXPECT_NE(error.message.find(dir / "missing/out"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("No such file"), std::string::npos) << error.message;
}

}  // namespace
}  // namespace bpfc::testing
