// The pcap writer: the header it writes, verbatim copies of records in its
// own layout, re-encoding for every other layout (µs <-> ns, swapped,
// modified), link-type mismatches, write errors, and libpcap reading what it
// wrote back identically.
#include <fcntl.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "bpfc/capture/savefile.h"
#include "collected_packets.h"
#include "pcap_bytes.h"

namespace bpfc::capture {
namespace {

using testing::collect;
using testing::CollectedPackets;
using testing::OwnedPacket;
using testing::PcapBytes;
using testing::PcapHeader;
using testing::test_payload;

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("bpfc_pcap_writer_" + std::to_string(getpid()) + "_" + name);
}

WriterOptions pcap_options(uint32_t linktype, uint32_t snaplen = 262144, bool nanosecond = false,
                           std::optional<uint32_t> fcs_bytes = std::nullopt) {
  WriterOptions options;
  options.format = SavefileFormat::Pcap;
  options.nanosecond = nanosecond;
  options.linktype = linktype;
  options.snaplen = snaplen;
  options.fcs_bytes = fcs_bytes;
  return options;
}

std::vector<uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

uint32_t le32(const std::vector<uint8_t>& b, size_t at) {
  return b[at] | b[at + 1] << 8 | b[at + 2] << 16 | uint32_t{b[at + 3]} << 24;
}

// Copies every packet of `input` into a new pcap file written with `options`.
std::vector<uint8_t> copy_to_pcap(std::span<const uint8_t> input, WriterOptions options) {
  SavefileError error;
  auto source = open_savefile_memory(input, error);
  EXPECT_TRUE(source) << error.message;
  if (!source) return {};
  const auto path = temp_path("copy.pcap");
  {
    auto sink = create_savefile(path, options, error);
    EXPECT_TRUE(sink) << error.message;
    if (!sink) return {};
    Batch batch;
    bool more = true;
    while (more) {
      more = source->next(batch);
      for (const Packet& p : batch.packets)
        EXPECT_TRUE(sink->write_packet(p, source->interfaces()[p.interface]));
    }
    EXPECT_TRUE(sink->flush());
    EXPECT_FALSE(sink->error());
  }
  auto bytes = read_file(path);
  std::filesystem::remove(path);
  return bytes;
}

CollectedPackets read_back(std::span<const uint8_t> bytes) {
  SavefileError error;
  auto source = open_savefile_memory(bytes, error);
  EXPECT_TRUE(source) << error.message;
  if (!source) return {};
  return collect(*source);
}

// What libpcap reads, in nanoseconds.
std::vector<OwnedPacket> libpcap_packets(std::span<const uint8_t> bytes, std::string* open_error = nullptr) {
  std::vector<OwnedPacket> packets;
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  FILE* memory = fmemopen(const_cast<uint8_t*>(bytes.data()), bytes.size(), "rb");
  pcap_t* p = pcap_fopen_offline_with_tstamp_precision(memory, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (p == nullptr) {
    if (open_error) *open_error = errbuf;
    fclose(memory);
    return packets;
  }
  pcap_pkthdr* header;
  const u_char* data;
  while (pcap_next_ex(p, &header, &data) == 1) {
    OwnedPacket packet;
    packet.timestamp_ns = static_cast<int64_t>(header->ts.tv_sec) * 1000000000 + header->ts.tv_usec;
    packet.caplen = header->caplen;
    packet.wirelen = header->len;
    packet.bytes.assign(data, data + header->caplen);
    packets.push_back(std::move(packet));
  }
  pcap_close(p);
  return packets;
}

std::vector<OwnedPacket> comparable(std::vector<OwnedPacket> packets) {
  for (OwnedPacket& p : packets) {
    p.encoding = RecordEncoding::Other;
    p.linktype = 0;
  }
  return packets;
}

PcapBytes sample(const PcapHeader& header) {
  PcapBytes file(header);
  file.packet(1700000000, header.magic == testing::kPcapNanoMagic ? 123456789 : 123456, test_payload(60, 1));
  file.packet(1700000001, 0, test_payload(1514, 2));
  file.packet(1700000002, header.magic == testing::kPcapNanoMagic ? 999999999 : 999999, test_payload(100, 3), 1500);
  file.packet(1700000003, 1, {});
  return file;
}

TEST(PcapWriter, WritesTheHeaderAtOnce) {
  for (bool nano : {false, true}) {
    const auto path = temp_path("header.pcap");
    SavefileError error;
    auto sink = create_savefile(path, pcap_options(105, 4096, nano), error);
    ASSERT_TRUE(sink) << error.message;
    // Already on disk before any packet or flush: an empty result is a valid file.
    const auto bytes = read_file(path);
    ASSERT_EQ(bytes.size(), 24u);
    EXPECT_EQ(le32(bytes, 0), nano ? 0xa1b23c4du : 0xa1b2c3d4u);
    EXPECT_EQ(bytes[4] | bytes[5] << 8, 2);
    EXPECT_EQ(bytes[6] | bytes[7] << 8, 4);
    EXPECT_EQ(le32(bytes, 8), 0u);
    EXPECT_EQ(le32(bytes, 12), 0u);
    EXPECT_EQ(le32(bytes, 16), 4096u);
    EXPECT_EQ(le32(bytes, 20), 105u);
    EXPECT_EQ(sink->bytes_written(), 24u);
    std::string open_error;
    EXPECT_TRUE(libpcap_packets(bytes, &open_error).empty());
    EXPECT_EQ(open_error, "");
    std::filesystem::remove(path);
  }
}

TEST(PcapWriter, FcsLengthGoesIntoTheLinktypeField) {
  const auto path = temp_path("fcs.pcap");
  SavefileError error;
  {
    auto sink = create_savefile(path, pcap_options(1, 262144, false, 4), error);
    ASSERT_TRUE(sink);
  }
  auto bytes = read_file(path);
  EXPECT_EQ(le32(bytes, 20), 0x24000001u);
  auto source = open_savefile(path, error);
  ASSERT_TRUE(source);
  EXPECT_EQ(source->interfaces()[0].fcs_bytes, 4u);
  {
    auto sink = create_savefile(path, pcap_options(1, 262144, false, 3), error);  // not expressible: left out
    ASSERT_TRUE(sink);
  }
  bytes = read_file(path);
  EXPECT_EQ(le32(bytes, 20), 1u);
  std::filesystem::remove(path);
}

TEST(PcapWriter, SameLayoutCopiesTheFileByteForByte) {
  const PcapBytes input = sample({.snaplen = 65535});
  EXPECT_EQ(copy_to_pcap(input.span(), pcap_options(1, 65535)), input.bytes());
  const PcapBytes nano = sample({.magic = testing::kPcapNanoMagic, .snaplen = 65535});
  EXPECT_EQ(copy_to_pcap(nano.span(), pcap_options(1, 65535, true)), nano.bytes());
}

struct RoundTrip {
  uint32_t magic;
  bool big_endian;
  bool write_nano;
};

class PcapRoundTrips : public ::testing::TestWithParam<RoundTrip> {};

TEST_P(PcapRoundTrips, KeepEveryPacketAndLibpcapAgrees) {
  const RoundTrip t = GetParam();
  const PcapBytes input = sample({.magic = t.magic, .big_endian = t.big_endian, .snaplen = 65535});
  const CollectedPackets original = read_back(input.span());
  ASSERT_EQ(original.packets.size(), 4u);
  const auto output = copy_to_pcap(input.span(), pcap_options(1, 65535, t.write_nano));
  const CollectedPackets copied = read_back(output);
  EXPECT_FALSE(copied.error);
  ASSERT_EQ(copied.packets.size(), 4u);
  const bool loses_precision = t.magic == testing::kPcapNanoMagic && !t.write_nano;
  for (size_t i = 0; i < 4; ++i) {
    const OwnedPacket& a = original.packets[i];
    const OwnedPacket& b = copied.packets[i];
    EXPECT_EQ(b.timestamp_ns, loses_precision ? a.timestamp_ns / 1000 * 1000 : a.timestamp_ns) << i;
    EXPECT_EQ(b.caplen, a.caplen);
    EXPECT_EQ(b.wirelen, a.wirelen);
    EXPECT_EQ(b.bytes, a.bytes);
    EXPECT_EQ(b.encoding, t.write_nano ? RecordEncoding::PcapNanoLE : RecordEncoding::PcapMicroLE);
  }
  // libpcap reads the written file as bpfc does.
  EXPECT_EQ(libpcap_packets(output), comparable(copied.packets));
  EXPECT_EQ(le32(output, 0), t.write_nano ? 0xa1b23c4du : 0xa1b2c3d4u);
}

INSTANTIATE_TEST_SUITE_P(
    Pcap, PcapRoundTrips,
    ::testing::Values(RoundTrip{testing::kPcapMicroMagic, false, true},     // µs -> ns
                      RoundTrip{testing::kPcapNanoMagic, false, false},     // ns -> µs
                      RoundTrip{testing::kPcapMicroMagic, true, false},     // swapped -> native
                      RoundTrip{testing::kPcapNanoMagic, true, true},       // swapped ns -> native ns
                      RoundTrip{testing::kPcapModifiedMagic, false, false}, // modified -> standard
                      RoundTrip{testing::kPcapModifiedMagic, true, true}));

TEST(PcapWriter, CutPacketsAreWrittenAsDelivered) {
  PcapBytes input({.snaplen = 100});
  input.packet(1, 0, test_payload(300, 1), 300);
  const auto output = copy_to_pcap(input.span(), pcap_options(1, 100));
  const CollectedPackets copied = read_back(output);
  ASSERT_EQ(copied.packets.size(), 1u);
  EXPECT_EQ(copied.packets[0].caplen, 100u);
  EXPECT_EQ(copied.packets[0].wirelen, 300u);
  EXPECT_TRUE(copied.warnings.empty());  // the output is clean
  EXPECT_EQ(output.size(), 24u + 16 + 100);
}

// Version 2.3 stored some records with caplen and len exchanged; the reader
// puts them right, so the 2.4 file written from it must hold them right too
// (a verbatim copy would carry the exchanged fields along).
TEST(PcapWriter, ExchangedVersion23RecordsAreWrittenInTheRightOrder) {
  PcapBytes input({.version_major = 2, .version_minor = 3});
  input.record_fields(1, 0, 40, 1500, test_payload(40, 1));  // as stored
  input.record_fields(2, 0, 1500, 40, test_payload(40, 2));  // exchanged
  const CollectedPackets read = read_back(input.span());
  ASSERT_EQ(read.packets.size(), 2u);
  EXPECT_NE(read.packets[0].encoding, RecordEncoding::Other);
  EXPECT_EQ(read.packets[1].encoding, RecordEncoding::Other);
  const auto output = copy_to_pcap(input.span(), pcap_options(1, 262144));
  const CollectedPackets copied = read_back(output);
  EXPECT_FALSE(copied.error);
  ASSERT_EQ(copied.packets.size(), 2u);
  for (const auto& packet : copied.packets) {
    EXPECT_EQ(packet.caplen, 40u);
    EXPECT_EQ(packet.wirelen, 1500u);
  }
}

TEST(PcapWriter, EncodesTimestampsBefore1970) {
  const auto path = temp_path("old.pcap");
  SavefileError error;
  {
    auto sink = create_savefile(path, pcap_options(1, 262144), error);
    ASSERT_TRUE(sink);
    const auto data = test_payload(20, 1);
    Packet packet;
    packet.timestamp_ns = -1500000;  // 1.5 ms before the epoch
    packet.caplen = packet.wirelen = 20;
    packet.linktype = 1;
    packet.data = data.data();
    ASSERT_TRUE(sink->write_packet(packet, {}));
  }
  const auto bytes = read_file(path);
  EXPECT_EQ(le32(bytes, 24), 0xffffffffu);  // second -1
  EXPECT_EQ(le32(bytes, 28), 998500u);
  std::filesystem::remove(path);
}

TEST(PcapWriter, RefusesAPacketOfAnotherLinktype) {
  const auto path = temp_path("mismatch.pcap");
  SavefileError error;
  auto sink = create_savefile(path, pcap_options(1, 262144), error);
  ASSERT_TRUE(sink);
  const auto data = test_payload(20, 1);
  Packet packet;
  packet.caplen = packet.wirelen = 20;
  packet.linktype = 1;
  packet.data = data.data();
  ASSERT_TRUE(sink->write_packet(packet, {}));
  const uint64_t before = sink->bytes_written();
  packet.linktype = 113;
  EXPECT_FALSE(sink->write_packet(packet, {}));
  ASSERT_TRUE(sink->error());
  EXPECT_EQ(sink->error()->message,
            "cannot write a LINKTYPE_LINUX_SLL packet into a pcap file of LINKTYPE_ETHERNET; use pcapng");
  EXPECT_EQ(sink->bytes_written(), before);  // nothing partial
  packet.linktype = 1;
  EXPECT_FALSE(sink->write_packet(packet, {}));  // the error sticks
  sink.reset();
  const auto bytes = read_file(path);
  EXPECT_EQ(bytes.size(), 24u + 16 + 20);
  EXPECT_EQ(libpcap_packets(bytes).size(), 1u);

  sink = create_savefile(path, pcap_options(4242, 262144), error);
  packet.linktype = 1;
  EXPECT_FALSE(sink->write_packet(packet, {}));
  EXPECT_EQ(sink->error()->message, "cannot write a LINKTYPE_ETHERNET packet into a pcap file of LINKTYPE_4242; use pcapng");
  std::filesystem::remove(path);
}

TEST(PcapWriter, IgnoresBlocks) {
  const auto path = temp_path("blocks.pcap");
  SavefileError error;
  auto sink = create_savefile(path, pcap_options(1, 262144), error);
  ASSERT_TRUE(sink);
  const uint8_t bytes[12] = {};
  EXPECT_TRUE(sink->write_block({.type = 5, .raw = bytes}));
  EXPECT_EQ(sink->bytes_written(), 24u);
  std::filesystem::remove(path);
}

TEST(PcapWriter, CreateErrors) {
  SavefileError error;
  EXPECT_FALSE(create_savefile("/nonexistent/dir/out.pcap", {}, error));
  EXPECT_EQ(error.describe("/nonexistent/dir/out.pcap"), "/nonexistent/dir/out.pcap: No such file or directory");
  // The header cannot be written to a read-only descriptor.
  const int fd = open("/dev/null", O_RDONLY);
  EXPECT_FALSE(create_savefile_fd(fd, {}, error));
  EXPECT_EQ(error.message, "write error: Bad file descriptor");
  close(fd);
}

TEST(PcapWriter, WriteErrorsAreReported) {
  const int fd = open("/dev/full", O_WRONLY);
  ASSERT_GE(fd, 0);
  SavefileError error;
  auto sink = create_savefile_fd(fd, pcap_options(1, 262144), error);
  EXPECT_FALSE(sink);
  EXPECT_EQ(error.message, "write error: No space left on device");
  close(fd);
}

TEST(PcapWriter, WritesIntoADescriptorTheCallerOwns) {
  const auto path = temp_path("fd.pcap");
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  const PcapBytes input = sample({});
  SavefileError error;
  {
    auto source = open_savefile_memory(input.span(), error);
    auto sink = create_savefile_fd(fd, pcap_options(1, 65535), error);
    ASSERT_TRUE(sink);
    Batch batch;
    while (true) {
      const bool more = source->next(batch);
      for (const Packet& p : batch.packets) ASSERT_TRUE(sink->write_packet(p, source->interfaces()[0]));
      if (!more) break;
    }
  }
  EXPECT_EQ(fcntl(fd, F_GETFD), 0);  // not closed
  close(fd);
  EXPECT_EQ(read_file(path), input.bytes());
  std::filesystem::remove(path);
}

// Many packets through the 1 MiB buffer: every flush boundary is crossed.
// Many megabytes in the writer's own layout: the records go out verbatim
// through several buffers (written by the background thread for a regular
// file) and the file is the input, byte for byte.
TEST(PcapWriter, LargeSameLayoutCopiesAreByteForByte) {
  PcapBytes input({.snaplen = 262144});
  for (uint32_t i = 0; i < 4000; ++i) input.packet(i, i * 7 % 1000000, test_payload(1 + (i * 977) % 3000, i));
  ASSERT_GT(input.bytes().size(), 4u << 20);
  EXPECT_EQ(copy_to_pcap(input.span(), pcap_options(1, 262144)), input.bytes());
}

TEST(PcapWriter, LargeCopiesStayIdentical) {
  PcapBytes input({.magic = testing::kPcapNanoMagic, .big_endian = true, .snaplen = 262144});
  for (uint32_t i = 0; i < 3000; ++i) input.packet(i, i * 7, test_payload(1 + (i * 613) % 9000, i));
  const auto output = copy_to_pcap(input.span(), pcap_options(1, 262144, true));
  const CollectedPackets a = read_back(input.span());
  const CollectedPackets b = read_back(output);
  EXPECT_EQ(comparable(a.packets), comparable(b.packets));
  EXPECT_EQ(libpcap_packets(output), comparable(b.packets));
}

}  // namespace
}  // namespace bpfc::capture
