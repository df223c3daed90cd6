// Compressed savefiles: gzip, xz and zstd inputs are recognized by their
// magic bytes and read exactly as their decompressed content, from memory, a
// file (read or mapped) and a pipe; several members/streams/frames in a row;
// truncated or corrupt compressed data ends the read with an error after
// everything before it; compressed data that is no savefile is refused with
// a message saying so. The files are compressed by the test itself, and also
// by the gzip, xz and zstd commands where they are installed.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "bpfc/capture/savefile.h"
#include "collected_packets.h"
#include "compressors.h"
#include "fed_pipe.h"
#include "pcap_bytes.h"
#include "savefile_copy.h"

namespace bpfc::capture {
namespace {

using testing::Codec;
using testing::codec_name;
using testing::collect;
using testing::CollectedPackets;
using testing::compress;
using testing::FedPipe;
using testing::PcapBytes;
using testing::read_file_bytes;
using testing::TempPath;
using testing::test_payload;
using testing::write_file_bytes;

const std::filesystem::path kPcapsDir = std::filesystem::path(BPFC_TEST_DIR) / "corpus" / "pcaps";
constexpr Codec kCodecs[] = {Codec::Gzip, Codec::Xz, Codec::Zstd};

// A pcap file of about `bytes` bytes: packets of varied sizes whose payload
// compresses a little (so compressed streams span many blocks).
std::vector<uint8_t> big_pcap(size_t bytes) {
  PcapBytes file;
  uint32_t seconds = 1700000000;
  for (uint32_t i = 0; file.bytes().size() < bytes; ++i) {
    std::vector<uint8_t> payload = test_payload(60 + (i * 37) % 1400, i);
    for (size_t b = 0; b < payload.size(); b += 3) payload[b] = 0;
    file.packet(seconds + i / 100, (i % 100) * 1000, payload);
  }
  return file.bytes();
}

CollectedPackets read_memory(std::span<const uint8_t> bytes) {
  SavefileError error;
  auto source = open_savefile_memory(bytes, error);
  if (!source) {
    ADD_FAILURE() << "refused: " << error.describe("memory");
    return {};
  }
  return collect(*source);
}

CollectedPackets read_path(const std::string& path, const ReaderOptions& options = {}) {
  SavefileError error;
  auto source = open_savefile(path, error, options);
  if (!source) {
    ADD_FAILURE() << "refused: " << error.describe(path);
    return {};
  }
  return collect(*source);
}

// The message a refused input gets.
std::string refusal(std::span<const uint8_t> bytes) {
  SavefileError error;
  auto source = open_savefile_memory(bytes, error);
  EXPECT_FALSE(source) << "accepted";
  return error.describe("in");
}

void expect_same_packets(const CollectedPackets& got, const CollectedPackets& want) {
  EXPECT_EQ(got.packets.size(), want.packets.size());
  EXPECT_TRUE(got.packets == want.packets);
  EXPECT_EQ(got.error.has_value(), want.error.has_value());
  if (got.error && want.error) {
    EXPECT_EQ(got.error->message, want.error->message);
  }
}

TEST(CompressedInput, EachCodecReadsLikeTheUncompressedFileFromMemoryFilesAndPipes) {
  const std::vector<uint8_t> plain = big_pcap(3 << 20);
  const CollectedPackets want = read_memory(plain);
  ASSERT_GT(want.packets.size(), 1000u);
  ASSERT_FALSE(want.error);
  for (Codec codec : kCodecs) {
    SCOPED_TRACE(codec_name(codec));
    const std::vector<uint8_t> packed = compress(codec, plain);
    ASSERT_LT(packed.size(), plain.size());
    expect_same_packets(read_memory(packed), want);
    TempPath file(std::string("big.pcap.") + codec_name(codec));
    write_file_bytes(file.path(), packed);
    expect_same_packets(read_path(file.string()), want);
    expect_same_packets(read_path(file.string(), {.map_files = true}), want);
    FedPipe pipe(packed, 4093);
    expect_same_packets(read_path(pipe.path()), want);
  }
}

TEST(CompressedInput, EveryCorpusSavefileReadsLikeItsUncompressedSelf) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kPcapsDir)) {
    const std::vector<uint8_t> plain = read_file_bytes(entry.path());
    SavefileError plain_error;
    auto plain_source = open_savefile_memory(plain, plain_error);
    for (Codec codec : kCodecs) {
      SCOPED_TRACE(entry.path().filename().string() + " " + codec_name(codec));
      const std::vector<uint8_t> packed = compress(codec, plain);
      SavefileError error;
      auto source = open_savefile_memory(packed, error);
      if (!plain_source) {
        // Refused alike, and the message says the problem is inside.
        ASSERT_FALSE(source);
        EXPECT_NE(error.describe("in").find(plain_error.message), std::string::npos) << error.describe("in");
        EXPECT_NE(error.describe("in").find(std::string("decompress")), std::string::npos)
            << error.describe("in");
        continue;
      }
      ASSERT_TRUE(source) << error.describe("in");
      expect_same_packets(collect(*source), collect(*open_savefile_memory(plain, plain_error)));
    }
    ++files;
  }
  EXPECT_GT(files, 30);
}

TEST(CompressedInput, MembersStreamsAndFramesOneAfterAnotherReadAsOneFile) {
  const std::vector<uint8_t> plain = big_pcap(600 << 10);
  const CollectedPackets want = read_memory(plain);
  for (Codec codec : kCodecs) {
    SCOPED_TRACE(codec_name(codec));
    // Cut at arbitrary bytes, so records straddle the joins.
    expect_same_packets(read_memory(testing::compress_in_parts(codec, plain, 7)), want);
  }
}

TEST(CompressedInput, ZeroPaddingAfterGzipIsIgnoredOtherTrailingBytesAreDamage) {
  const std::vector<uint8_t> plain = big_pcap(100 << 10);
  const CollectedPackets want = read_memory(plain);
  std::vector<uint8_t> padded = compress(Codec::Gzip, plain);
  padded.insert(padded.end(), 512, 0);
  expect_same_packets(read_memory(padded), want);

  std::vector<uint8_t> trailing = compress(Codec::Gzip, plain);
  const size_t compressed_size = trailing.size();
  trailing.insert(trailing.end(), {'j', 'u', 'n', 'k'});
  const CollectedPackets got = read_memory(trailing);
  EXPECT_TRUE(got.packets == want.packets);
  ASSERT_TRUE(got.error);
  EXPECT_TRUE(got.error->damaged);
  EXPECT_EQ(got.error->describe("in"),
            "in: byte offset " + std::to_string(plain.size()) +
                " of the decompressed gzip data: error reading dump file: unexpected data after the end of the "
                "gzip data, at compressed byte " +
                std::to_string(compressed_size));
}

// Every cut of a compressed file delivers a prefix of the packets, then
// reports the truncation as damage (or, when nothing could be decompressed
// yet, refuses the file), never a clean end.
TEST(CompressedInput, TruncatedCompressedDataIsDamageAfterEverythingBeforeIt) {
  const std::vector<uint8_t> plain = big_pcap(2 << 20);
  const CollectedPackets want = read_memory(plain);
  for (Codec codec : kCodecs) {
    SCOPED_TRACE(codec_name(codec));
    const std::vector<uint8_t> packed = compress(codec, plain);
    size_t delivered_some = 0;
    for (size_t cut : {size_t{1}, size_t{7}, packed.size() / 10, packed.size() / 2, packed.size() * 9 / 10,
                       packed.size() - 1}) {
      SCOPED_TRACE("cut at " + std::to_string(cut) + " of " + std::to_string(packed.size()));
      std::span<const uint8_t> truncated(packed.data(), cut);
      SavefileError error;
      auto source = open_savefile_memory(truncated, error);
      if (!source) {
        EXPECT_NE(error.message.find("truncated"), std::string::npos) << error.describe("in");
        EXPECT_FALSE(error.damaged);
        continue;
      }
      const CollectedPackets got = collect(*source);
      // (A cut in gzip's trailer still decompresses everything.)
      ASSERT_LE(got.packets.size(), want.packets.size());
      EXPECT_TRUE(std::equal(got.packets.begin(), got.packets.end(), want.packets.begin()));
      ASSERT_TRUE(got.error);
      EXPECT_TRUE(got.error->damaged);
      EXPECT_EQ(got.error->compression, codec_name(codec));
      const std::string text = got.error->describe("in.pcap.z");
      EXPECT_NE(text.find(std::string("of the decompressed ") + codec_name(codec) + " data: "), std::string::npos)
          << text;
      EXPECT_NE(text.find(std::string("the ") + codec_name(codec) + " data is truncated: it ends after " +
                          std::to_string(cut) + " compressed bytes"),
                std::string::npos)
          << text;
      delivered_some += !got.packets.empty();
    }
    EXPECT_GE(delivered_some, 2u);
  }
}

TEST(CompressedInput, CorruptCompressedDataEndsTheReadWithAnError) {
  const std::vector<uint8_t> plain = big_pcap(1 << 20);
  for (Codec codec : {Codec::Gzip, Codec::Xz}) {  // both checksum their content
    SCOPED_TRACE(codec_name(codec));
    std::vector<uint8_t> packed = compress(codec, plain);
    for (size_t at : {packed.size() / 3, packed.size() / 2, packed.size() - 12}) {
      std::vector<uint8_t> corrupt = packed;
      corrupt[at] ^= 0x5a;
      SavefileError error;
      auto source = open_savefile_memory(corrupt, error);
      if (!source) continue;
      const CollectedPackets got = collect(*source);
      ASSERT_TRUE(got.error) << "byte " << at;
      EXPECT_TRUE(got.error->damaged);
    }
  }
  // zstd frames made without a checksum may decode to other bytes; reading
  // them must still end without crashing.
  std::vector<uint8_t> packed = compress(Codec::Zstd, plain);
  packed[packed.size() / 2] ^= 0x5a;
  SavefileError error;
  if (auto source = open_savefile_memory(packed, error)) collect(*source);
}

// Magic number, frame header descriptor and the fields it announces
// (RFC 8878 section 3.1.1.1): where a zstd frame's first block header is.
size_t zstd_frame_header_size(const std::vector<uint8_t>& frame) {
  const uint8_t descriptor = frame.at(4);
  const bool single_segment = (descriptor & 0x20) != 0;
  const size_t dictionary_id[] = {0, 1, 2, 4};
  const size_t content_size[] = {single_segment ? 1u : 0u, 2, 4, 8};
  return 5 + (single_segment ? 0 : 1) + dictionary_id[descriptor & 3] + content_size[descriptor >> 6];
}

// A corrupt block after good ones in a zstd frame: everything the good
// blocks hold is delivered before the error, however much input the decoder
// had at once. (libzstd, failing in a call, does not say how much that call
// wrote, so the decoder is fed a block at a time.)
TEST(CompressedInput, ZstdBlocksBeforeACorruptOneAreDelivered) {
  const std::vector<uint8_t> plain = big_pcap(600 << 10);
  std::vector<uint8_t> packed = testing::zstd_bytes(plain);
  // Each block but the last holds 128 KiB of the input; the fourth becomes
  // of the "reserved" type, which the decoder refuses.
  constexpr size_t kBlockBytes = 128 << 10;
  size_t at = zstd_frame_header_size(packed);
  for (int block = 0; block < 3; ++block) {
    const uint32_t header = packed.at(at) | packed.at(at + 1) << 8 | packed.at(at + 2) << 16;
    ASSERT_EQ(header & 1, 0u) << "block " << block << " is the last";
    const uint32_t type = (header >> 1) & 3, size = header >> 3;
    at += 3 + (type == 1 ? 1 : size);  // an RLE block stores one byte
  }
  packed.at(at) |= 0x06;
  const CollectedPackets good = read_memory(std::span<const uint8_t>(plain.data(), 3 * kBlockBytes));
  ASSERT_GT(good.packets.size(), 100u);
  SavefileError error;
  auto source = open_savefile_memory(packed, error);
  ASSERT_TRUE(source) << error.describe("in");
  const CollectedPackets got = collect(*source);
  EXPECT_TRUE(got.packets == good.packets) << got.packets.size() << " packets instead of " << good.packets.size();
  ASSERT_TRUE(got.error);
  EXPECT_NE(got.error->message.find("corrupt zstd data"), std::string::npos) << got.error->message;
}

TEST(CompressedInput, CompressedDataThatIsNoSavefileIsRefusedSayingSo) {
  const std::string text = "hello, world\n";
  const std::vector<uint8_t> hello(text.begin(), text.end());
  for (Codec codec : kCodecs) {
    SCOPED_TRACE(codec_name(codec));
    const std::string name = codec_name(codec);
    EXPECT_EQ(refusal(compress(codec, hello)),
              "in: not a pcap or pcapng savefile after " + name + " decompression (first bytes 0x68656c6c)");
    EXPECT_EQ(refusal(compress(codec, std::vector<uint8_t>{})),
              "in: no data after " + name + " decompression: not a pcap or pcapng savefile");
    EXPECT_EQ(refusal(compress(codec, std::vector<uint8_t>{0xd4, 0xc3})),
              "in: truncated dump file; tried to read 4 file header bytes, only got 2 (after " + name +
                  " decompression)");
  }
  const std::vector<uint8_t> nested = compress(Codec::Gzip, compress(Codec::Xz, big_pcap(1000)));
  EXPECT_EQ(refusal(nested), "in: not a pcap or pcapng savefile after gzip decompression: it holds xz-compressed data");
  // A savefile header the reader refuses, inside.
  const std::vector<uint8_t> bad_version = read_file_bytes(kPcapsDir / "pcap-invalid-version-1.pcap");
  SavefileError plain_error;
  ASSERT_FALSE(open_savefile_memory(bad_version, plain_error));
  EXPECT_EQ(refusal(compress(Codec::Zstd, bad_version)),
            "in: " + plain_error.message + " (after zstd decompression)");
}

TEST(CompressedInput, ProgressCountsCompressedBytes) {
  const std::vector<uint8_t> plain = big_pcap(1 << 20);
  for (Codec codec : kCodecs) {
    SCOPED_TRACE(codec_name(codec));
    const std::vector<uint8_t> packed = compress(codec, plain);
    TempPath file("progress");
    write_file_bytes(file.path(), packed);
    SavefileError error;
    auto source = open_savefile(file.string(), error);
    ASSERT_TRUE(source) << error.describe("file");
    EXPECT_EQ(source->size(), packed.size());
    const CollectedPackets got = collect(*source);
    EXPECT_EQ(got.final_position, packed.size());
  }
}

// Files made by the real tools, where they are installed.
class CompressedByTool : public ::testing::TestWithParam<const char*> {};

TEST_P(CompressedByTool, ReadsLikeTheUncompressedFile) {
  const std::string tool = GetParam();
  if (std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) != 0)
    GTEST_SKIP() << tool << " is not installed: files made by it are not tested";
  const std::vector<uint8_t> plain = big_pcap(1 << 20);
  TempPath input("tool.pcap");
  TempPath output("tool.pcap.compressed");
  write_file_bytes(input.path(), plain);
  const std::string command = tool + " -c " + input.string() + " > " + output.string();
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  expect_same_packets(read_path(output.string()), read_memory(plain));
}

INSTANTIATE_TEST_SUITE_P(Tools, CompressedByTool, ::testing::Values("gzip", "xz", "zstd"));

}  // namespace
}  // namespace bpfc::capture
