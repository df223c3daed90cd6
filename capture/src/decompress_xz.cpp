// xz through liblzma's stream decoder, which itself handles concatenated
// streams and stream padding (LZMA_CONCATENATED), as xz -d does.
#include <lzma.h>

#include <string>

#include "decompression_codec.h"

namespace bpfc::capture {
namespace {

// A crafted header can ask for a dictionary of up to 1.5 GiB; xz -9 needs
// 65 MiB. Refusing above this keeps a hostile file from taking the memory.
constexpr uint64_t kMemoryLimit = 256ull << 20;

const char* describe(lzma_ret status) {
  switch (status) {
    case LZMA_MEM_ERROR: return "out of memory";
    case LZMA_MEMLIMIT_ERROR: return "it needs more than 256 MiB of memory to decompress";
    case LZMA_FORMAT_ERROR: return "not in the .xz format";
    case LZMA_OPTIONS_ERROR: return "unsupported compression options";
    case LZMA_DATA_ERROR: return "compressed data is corrupt";
    case LZMA_BUF_ERROR: return "compressed data is truncated or otherwise corrupt";
    default: return "decompression failed";
  }
}

class XzCodec : public DecompressionCodec {
 public:
  XzCodec() { status_ = lzma_stream_decoder(&stream_, kMemoryLimit, LZMA_CONCATENATED); }
  ~XzCodec() override { lzma_end(&stream_); }
  XzCodec(const XzCodec&) = delete;
  XzCodec& operator=(const XzCodec&) = delete;

  Step decode(std::span<const uint8_t> in, std::span<uint8_t> out, bool input_ended) override {
    Step step;
    if (status_ != LZMA_OK) {
      step.error = std::string("cannot start xz decompression: ") + describe(status_);
      return step;
    }
    stream_.next_in = in.data();
    stream_.avail_in = in.size();
    stream_.next_out = out.data();
    stream_.avail_out = out.size();
    const lzma_ret status = lzma_code(&stream_, input_ended ? LZMA_FINISH : LZMA_RUN);
    step.consumed = in.size() - stream_.avail_in;
    step.produced = out.size() - stream_.avail_out;
    const bool stuck = step.consumed == 0 && step.produced == 0;
    switch (status) {
      case LZMA_STREAM_END:
        step.end = true;
        return step;
      case LZMA_OK:
      case LZMA_BUF_ERROR:
        // No progress with LZMA_FINISH: the input ended inside a stream
        // (liblzma says LZMA_BUF_ERROR only the second time).
        if (input_ended && stuck)
          step.error = "the xz data is truncated: it ends after " + std::to_string(stream_.total_in) +
                       " compressed bytes, inside a stream";
        return step;
      default:
        step.error = "corrupt xz data near compressed byte " + std::to_string(stream_.total_in) + ": " +
                     describe(status);
        return step;
    }
  }

 private:
  lzma_stream stream_ = LZMA_STREAM_INIT;
  lzma_ret status_;
};

}  // namespace

std::unique_ptr<DecompressionCodec> make_xz_codec() { return std::make_unique<XzCodec>(); }

}  // namespace bpfc::capture
