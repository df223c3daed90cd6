// zstd through libzstd's streaming decoder. Frames follow one another
// (`cat a.zst b.zst`, skippable frames included), as zstd -d reads them.
#include <zstd.h>

#include <string>

#include "decompression_codec.h"

namespace bpfc::capture {
namespace {

class ZstdCodec : public DecompressionCodec {
 public:
  ZstdCodec() : stream_(ZSTD_createDStream()) {}
  ~ZstdCodec() override { ZSTD_freeDStream(stream_); }
  ZstdCodec(const ZstdCodec&) = delete;
  ZstdCodec& operator=(const ZstdCodec&) = delete;

  Step decode(std::span<const uint8_t> in, std::span<uint8_t> out, bool input_ended) override {
    Step step;
    if (stream_ == nullptr) {
      step.error = "cannot start zstd decompression: out of memory";
      return step;
    }
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    ZSTD_outBuffer output{out.data(), out.size(), 0};
    // Either the input is used up or the output is full; the input can be
    // left over only when the output is.
    const size_t hint = ZSTD_decompressStream(stream_, &output, &input);
    step.consumed = input.pos;
    step.produced = output.pos;
    consumed_total_ += input.pos;
    if (ZSTD_isError(hint)) {
      step.error = "corrupt zstd data near compressed byte " + std::to_string(consumed_total_) + ": " +
                   ZSTD_getErrorName(hint);
      return step;
    }
    // 0: a frame ended and everything of it was flushed. A call that saw and
    // made nothing (after the end) says nothing about the last frame.
    if (input.pos > 0 || output.pos > 0) frame_complete_ = hint == 0;
    if (input_ended && input.pos == in.size() && output.pos < out.size()) {
      // All input was seen and the decoder had room to spare: it is done, or
      // the last frame stops short.
      if (frame_complete_) {
        step.end = true;
      } else if (step.produced == 0) {
        step.error = "the zstd data is truncated: it ends after " + std::to_string(consumed_total_) +
                     " compressed bytes, inside a frame";
      }
    }
    return step;
  }

 private:
  ZSTD_DStream* stream_;
  uint64_t consumed_total_ = 0;
  bool frame_complete_ = true;
};

}  // namespace

std::unique_ptr<DecompressionCodec> make_zstd_codec() { return std::make_unique<ZstdCodec>(); }

}  // namespace bpfc::capture
