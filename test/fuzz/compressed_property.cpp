#include "compressed_property.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "compressors.h"
#include "decompression.h"
#include "readers.h"
#include "shifting_stream_input.h"
#include "source_recording.h"

namespace bpfc::capture::fuzz {
namespace {

using bpfc::testing::Codec;

constexpr size_t kBatch = ReaderOptions{}.batch_packets;
constexpr Codec kCodecs[] = {Codec::Gzip, Codec::Xz, Codec::Zstd};
enum class Damage { None, Truncated, Corrupted, RawBytes };

Compression compression_of(Codec codec) {
  switch (codec) {
    case Codec::Gzip: return Compression::Gzip;
    case Codec::Xz: return Compression::Xz;
    case Codec::Zstd: return Compression::Zstd;
  }
  return Compression::None;
}

std::vector<uint8_t> magic_of(Codec codec) {
  switch (codec) {
    case Codec::Gzip: return {0x1f, 0x8b, 0x08};
    case Codec::Xz: return {0xfd, '7', 'z', 'X', 'Z', 0x00};
    case Codec::Zstd: return {0x28, 0xb5, 0x2f, 0xfd};
  }
  return {};
}

std::optional<SourceRecording> read_memory(std::span<const uint8_t> bytes) {
  SavefileError error;
  auto source = open_savefile_memory(bytes, error);
  if (!source) return std::nullopt;
  return record_source(*source, kBatch);
}

// The decompressor over an input whose buffer moves all the time, below the
// format detection: the reader is chosen by the decompressed magic.
std::optional<SourceRecording> read_shifting(std::span<const uint8_t> compressed, Codec codec,
                                             std::span<const uint8_t> plain) {
  if (plain.size() < 4) return std::nullopt;
  const uint32_t magic = uint32_t{plain[0]} | uint32_t{plain[1]} << 8 | uint32_t{plain[2]} << 16 |
                         uint32_t{plain[3]} << 24;
  const bool pcapng = magic == 0x0a0d0d0a;
  auto input = decompressing_input(std::make_unique<ShiftingStreamInput>(compressed, 16 + compressed.size() % 301),
                                   compression_of(codec));
  SavefileError error;
  ReaderOptions options;
  auto source = pcapng ? open_pcapng(std::move(input), error, options) : open_pcap(std::move(input), error, options);
  if (!source) return std::nullopt;
  return record_source(*source, kBatch);
}

void require_prefix(const SourceRecording& whole, const SourceRecording& part) {
  require(part.packets.size() <= whole.packets.size(), "a truncated file delivered more packets than the whole");
  SourceRecording prefix;
  for (size_t i = 0; i < part.packets.size(); ++i) copy_packet(whole, i, prefix);
  prefix.blocks.assign(part.blocks.begin(), part.blocks.end());  // blocks are not the point here
  prefix.error = part.error;
  prefix.warnings = part.warnings;
  std::string difference = describe_difference(prefix, part);
  if (!difference.empty()) property_failed("a truncated file delivered other packets: " + difference);
}

}  // namespace

void check_compressed_property(std::span<const uint8_t> input) {
  if (input.size() < 2) return;
  const Codec codec = kCodecs[input[0] % 3];
  const auto damage = static_cast<Damage>((input[0] / 3) % 4);
  const size_t parts = 1 + (input[0] / 12) % 4;
  const uint8_t parameter = input[1];
  const std::span<const uint8_t> plain = input.subspan(2);

  std::vector<uint8_t> compressed;
  if (damage == Damage::RawBytes) {
    compressed = magic_of(codec);
    compressed.insert(compressed.end(), plain.begin(), plain.end());
  } else {
    compressed = bpfc::testing::compress_in_parts(codec, plain, parts, true);
    if (compressed.empty()) compressed = bpfc::testing::compress(codec, plain, true);  // empty plain bytes
  }
  if (damage == Damage::Truncated) compressed.resize(compressed.size() * parameter / 256);
  if (damage == Damage::Corrupted && !compressed.empty()) {
    compressed[compressed.size() * parameter / 256] ^= static_cast<uint8_t>(1 + input.size() % 255);
  }

  const std::optional<SourceRecording> got = read_memory(compressed);
  if (damage != Damage::RawBytes) {
    // Corrupt data is only read (the contract checked): how much of it a
    // decoder turns into output before it notices depends on how the input
    // arrives (zstd, given a corrupt frame in pieces, may decode it to
    // garbage that it refuses when given it whole).
    std::optional<SourceRecording> shifting = read_shifting(compressed, codec, plain);
    if (got && shifting && damage != Damage::Corrupted) {
      std::string difference = describe_difference(*got, *shifting);
      if (!difference.empty()) property_failed("memory and shifting stream differ: " + difference);
    }
  }
  // Bytes that are compressed data themselves decompress when read plain:
  // nothing to compare them with.
  if (detect_compression(plain.first(std::min(plain.size(), kCompressionMagicBytes))) != Compression::None) return;
  if (damage == Damage::None) {
    const std::optional<SourceRecording> want = read_memory(plain);
    require(got.has_value() == want.has_value(), "compressed and plain bytes are not refused alike");
    if (got) {
      std::string difference = describe_difference(*want, *got);
      if (!difference.empty()) property_failed("compressed and plain bytes read differently: " + difference);
    }
  }
  if (damage == Damage::Truncated && got) {
    if (const std::optional<SourceRecording> want = read_memory(plain)) require_prefix(*want, *got);
    require(parts > 1 || got->error.has_value(), "truncated compressed data ended without an error");
  }
}

}  // namespace bpfc::capture::fuzz
