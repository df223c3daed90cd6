// Compressed savefiles: gzip, xz and zstd, recognized by their magic bytes
// (never by the file name) and decompressed as a stream layer under the
// savefile readers. The readers see a ByteInput of decompressed bytes with
// the usual window contract, so a file damaged part-way still delivers
// everything before the damage; the decompressor's own failures (truncated or
// corrupt compressed data) surface as the input's read_error().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "byte_input.h"
#include "stream_input.h"

namespace bpfc::capture {

enum class Compression { None, Gzip, Xz, Zstd };

// The longest magic number detect_compression() looks at.
inline constexpr size_t kCompressionMagicBytes = 6;

// Which compression the input starts with (`head`: its first bytes, fewer
// when the input is shorter).
Compression detect_compression(std::span<const uint8_t> head);
// "gzip", "xz", "zstd" (empty for None).
std::string_view compression_name(Compression compression);

class DecompressionCodec;

// The decompressed bytes of a compressed input as a stream (size() unknown).
// Its read_error() says why the stream failed: the compressed data ends
// before the end of its last stream, is corrupt, or cannot be read.
class DecompressingInput : public StreamInput {
 public:
  DecompressingInput(std::unique_ptr<ByteInput> compressed, std::unique_ptr<DecompressionCodec> codec);
  ~DecompressingInput() override;
  DecompressingInput(const DecompressingInput&) = delete;
  DecompressingInput& operator=(const DecompressingInput&) = delete;

  // How far decompression has got, for progress reporting (the
  // decompressed size is not known in advance).
  std::optional<uint64_t> compressed_size() const { return compressed_->size(); }
  uint64_t compressed_position() const { return position_; }

 private:
  Produced produce(uint8_t* into, size_t capacity) override;

  std::unique_ptr<ByteInput> compressed_;
  std::unique_ptr<DecompressionCodec> codec_;
  uint64_t position_ = 0;  // compressed bytes consumed
};

// Null for Compression::None.
std::unique_ptr<DecompressingInput> decompressing_input(std::unique_ptr<ByteInput> compressed,
                                                       Compression compression);

}  // namespace bpfc::capture
