// Detection by magic bytes, and the stream that feeds the compressed input
// through a codec into StreamInput's buffer: the decompressed bytes are
// written where the readers will look at them, with no copy in between.
#include "decompression.h"

#include <algorithm>
#include <string>

#include "decompression_codec.h"

namespace bpfc::capture {

DecompressingInput::DecompressingInput(std::unique_ptr<ByteInput> compressed,
                                       std::unique_ptr<DecompressionCodec> codec)
    : StreamInput(std::nullopt), compressed_(std::move(compressed)), codec_(std::move(codec)) {}

DecompressingInput::~DecompressingInput() = default;

StreamInput::Produced DecompressingInput::produce(uint8_t* into, size_t capacity) {
  size_t want = 1;
  for (;;) {
    // Everything buffered of the compressed input, at least `want` bytes
    // unless it ends first.
    bool input_ended = false;
    if (compressed_->window(position_, want) == nullptr) {
      if (const auto& failure = compressed_->read_error())
        return {0, true, "error reading the compressed data: " + *failure};
      input_ended = true;
    }
    const size_t have = compressed_->available(position_);
    const uint8_t* bytes = compressed_->window(position_, have);
    DecompressionCodec::Step step = codec_->decode({bytes, have}, {into, capacity}, input_ended);
    position_ += step.consumed;
    compressed_->release_before(position_);
    if (step.error) return {step.produced, true, std::move(step.error)};
    if (step.end) return {step.produced, true, std::nullopt};
    if (step.produced > 0) return {step.produced, false, std::nullopt};
    if (step.consumed > 0) {
      want = 1;
    } else if (input_ended) {
      // A codec that can make no progress on the whole rest of the input.
      return {0, true, "the compressed data is truncated"};
    } else {
      want = have + 1;
    }
  }
}

Compression detect_compression(std::span<const uint8_t> head) {
  auto starts_with = [&](std::initializer_list<uint8_t> magic) {
    return head.size() >= magic.size() && std::equal(magic.begin(), magic.end(), head.begin());
  };
  // gzip: ID1 ID2 and the only compression method defined (deflate).
  if (starts_with({0x1f, 0x8b, 0x08})) return Compression::Gzip;
  if (starts_with({0xfd, '7', 'z', 'X', 'Z', 0x00})) return Compression::Xz;
  if (starts_with({0x28, 0xb5, 0x2f, 0xfd})) return Compression::Zstd;
  return Compression::None;
}

std::string_view compression_name(Compression compression) {
  switch (compression) {
    case Compression::Gzip: return "gzip";
    case Compression::Xz: return "xz";
    case Compression::Zstd: return "zstd";
    case Compression::None: break;
  }
  return "";
}

std::unique_ptr<DecompressingInput> decompressing_input(std::unique_ptr<ByteInput> compressed,
                                                       Compression compression) {
  std::unique_ptr<DecompressionCodec> codec;
  switch (compression) {
    case Compression::Gzip: codec = make_gzip_codec(); break;
    case Compression::Xz: codec = make_xz_codec(); break;
    case Compression::Zstd: codec = make_zstd_codec(); break;
    case Compression::None: return nullptr;
  }
  return std::make_unique<DecompressingInput>(std::move(compressed), std::move(codec));
}

}  // namespace bpfc::capture
