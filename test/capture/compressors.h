// Compressing test data in the test itself, with the same Debian libraries
// the reader decompresses with (zlib, liblzma, libzstd), so the compressed
// round trips need no command-line tool. Each makes one member / stream /
// frame; concatenating results makes multi-member files.
#pragma once

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

namespace bpfc::testing {

enum class Codec { Gzip, Xz, Zstd };

inline const char* codec_name(Codec codec) {
  switch (codec) {
    case Codec::Gzip: return "gzip";
    case Codec::Xz: return "xz";
    case Codec::Zstd: return "zstd";
  }
  return "?";
}

inline std::vector<uint8_t> gzip_bytes(std::span<const uint8_t> data, int level = 6) {
  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  std::vector<uint8_t> out(deflateBound(&z, data.size()) + 64);
  z.next_in = const_cast<Bytef*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

inline std::vector<uint8_t> xz_bytes(std::span<const uint8_t> data, uint32_t preset = 6) {
  std::vector<uint8_t> out(lzma_stream_buffer_bound(data.size()));
  size_t written = 0;
  if (lzma_easy_buffer_encode(preset, LZMA_CHECK_CRC64, nullptr, data.data(), data.size(), out.data(), &written,
                              out.size()) != LZMA_OK)
    std::abort();
  out.resize(written);
  return out;
}

inline std::vector<uint8_t> zstd_bytes(std::span<const uint8_t> data, int level = 3) {
  std::vector<uint8_t> out(ZSTD_compressBound(data.size()));
  const size_t written = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), level);
  if (ZSTD_isError(written)) std::abort();
  out.resize(written);
  return out;
}

// `fast`: the lowest compression level (xz's default preset sets up a 94 MB
// encoder, which dominates a fuzzer's time).
inline std::vector<uint8_t> compress(Codec codec, std::span<const uint8_t> data, bool fast = false) {
  switch (codec) {
    case Codec::Gzip: return gzip_bytes(data, fast ? 1 : 6);
    case Codec::Xz: return xz_bytes(data, fast ? 0 : 6);
    case Codec::Zstd: return zstd_bytes(data, fast ? 1 : 3);
  }
  std::abort();
}

// `data` cut into `parts` pieces, each compressed on its own, concatenated:
// gzip members, xz streams or zstd frames one after another.
inline std::vector<uint8_t> compress_in_parts(Codec codec, std::span<const uint8_t> data, size_t parts,
                                              bool fast = false) {
  std::vector<uint8_t> out;
  const size_t step = (data.size() + parts - 1) / parts;
  for (size_t begin = 0; begin < data.size(); begin += step) {
    auto piece = compress(codec, data.subspan(begin, std::min(step, data.size() - begin)), fast);
    out.insert(out.end(), piece.begin(), piece.end());
  }
  return out;
}

}  // namespace bpfc::testing
