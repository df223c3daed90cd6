// One compression format's decoder behind a common interface, so that the
// stream layer (decompression.cpp) feeds gzip (zlib), xz (liblzma) and zstd
// (libzstd) alike. Private to the capture library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace bpfc::capture {

class DecompressionCodec {
 public:
  virtual ~DecompressionCodec() = default;

  struct Step {
    size_t consumed = 0;   // bytes of `in` used
    size_t produced = 0;   // bytes written to the front of `out`
    bool end = false;      // the compressed data is complete: no more output
    std::optional<std::string> error;  // corrupt, truncated or trailing data
  };
  // Decodes what it can of `in` into `out` (never empty). `input_ended`:
  // nothing follows `in`, so data that stops short of the end of its last
  // stream is truncated. Consuming and producing nothing without `end` or an
  // error means the codec needs more bytes than `in` has.
  virtual Step decode(std::span<const uint8_t> in, std::span<uint8_t> out, bool input_ended) = 0;
};

// Concatenated members, frames and streams are decoded one after another,
// as gzip -d, xz -d and zstd -d do.
std::unique_ptr<DecompressionCodec> make_gzip_codec();
std::unique_ptr<DecompressionCodec> make_xz_codec();
std::unique_ptr<DecompressionCodec> make_zstd_codec();

}  // namespace bpfc::capture
