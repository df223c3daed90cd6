// zstd through libzstd's streaming decoder. Frames follow one another
// (`cat a.zst b.zst`, skippable frames included), as zstd -d reads them.
#include <zstd.h>

#include <algorithm>
#include <string>

#include "decompression_codec.h"

namespace bpfc::capture {
namespace {

// The fewest bytes from which a frame header's size can be told.
constexpr size_t kFrameHeaderPrefix = 5;

class ZstdCodec : public DecompressionCodec {
 public:
  ZstdCodec() : stream_(ZSTD_createDStream()) {
    if (stream_ != nullptr) wanted_ = ZSTD_initDStream(stream_);
  }
  ~ZstdCodec() override { ZSTD_freeDStream(stream_); }
  ZstdCodec(const ZstdCodec&) = delete;
  ZstdCodec& operator=(const ZstdCodec&) = delete;

  Step decode(std::span<const uint8_t> in, std::span<uint8_t> out, bool input_ended) override {
    Step step;
    if (stream_ == nullptr) {
      step.error = "cannot start zstd decompression: out of memory";
      return step;
    }
    // One block at a time: a call that meets a corrupt block fails without
    // saying how much it wrote, so the blocks before must have been delivered
    // by earlier calls. The decoder's hint asks for a block's content and the
    // next block's 3-byte header together; offering 3 bytes less keeps the
    // header (which may be the corrupt part) for the next call. Where the
    // hint is for something else, the decoder just asks for the rest.
    constexpr size_t kBlockHeaderBytes = 3;
    const size_t want = wanted_ > kBlockHeaderBytes ? wanted_ - kBlockHeaderBytes : std::max<size_t>(wanted_, 1);
    const size_t offered = std::min(in.size(), want);
    ZSTD_inBuffer input{in.data(), offered, 0};
    ZSTD_outBuffer output{out.data(), out.size(), 0};
    const size_t hint = ZSTD_decompressStream(stream_, &output, &input);
    if (ZSTD_isError(hint)) {
      step.error = "corrupt zstd data near compressed byte " + std::to_string(consumed_total_ + offered) + ": " +
                   ZSTD_getErrorName(hint);
      return step;
    }
    step.consumed = input.pos;
    step.produced = output.pos;
    consumed_total_ += input.pos;
    wanted_ = hint == 0 ? kFrameHeaderPrefix : hint;
    // 0: a frame ended and everything of it was flushed. A call that saw and
    // made nothing (after the end) says nothing about the last frame.
    if (input.pos > 0 || output.pos > 0) frame_complete_ = hint == 0;
    const bool saw_everything = input_ended && offered == in.size() && input.pos == offered;
    if (saw_everything && output.pos < out.size()) {
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
  size_t wanted_ = kFrameHeaderPrefix;  // the decoder's hint for its next input
  uint64_t consumed_total_ = 0;
  bool frame_complete_ = true;
};

}  // namespace

std::unique_ptr<DecompressionCodec> make_zstd_codec() { return std::make_unique<ZstdCodec>(); }

}  // namespace bpfc::capture
