// gzip through zlib's inflate. A .gz file may hold several members one after
// another (`cat a.gz b.gz`); each is decoded in turn, as gzip -d does. Zero
// bytes after the last member (tape padding) are ignored, as gzip ignores
// them; anything else after it is reported.
#include <zlib.h>

#include <algorithm>
#include <climits>
#include <string>

#include "decompression_codec.h"

namespace bpfc::capture {
namespace {

class GzipCodec : public DecompressionCodec {
 public:
  GzipCodec() {
    // 16 + 15: a gzip header and trailer (not zlib's), the largest window.
    initialized_ = inflateInit2(&stream_, 16 + MAX_WBITS) == Z_OK;
  }
  ~GzipCodec() override {
    if (initialized_) inflateEnd(&stream_);
  }
  GzipCodec(const GzipCodec&) = delete;
  GzipCodec& operator=(const GzipCodec&) = delete;

  Step decode(std::span<const uint8_t> in, std::span<uint8_t> out, bool input_ended) override {
    Step step;
    if (!initialized_) {
      step.error = "cannot start gzip decompression: out of memory";
      return step;
    }
    if (!in_member_ && !start_member(in, input_ended, step)) return step;
    // zlib counts in uInt; hand it at most that much at a time.
    stream_.next_in = const_cast<Bytef*>(in.data());
    stream_.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT_MAX));
    stream_.next_out = out.data();
    stream_.avail_out = static_cast<uInt>(std::min<size_t>(out.size(), UINT_MAX));
    const int status = inflate(&stream_, Z_NO_FLUSH);
    const size_t consumed = static_cast<size_t>(stream_.next_in - in.data());
    step.consumed += consumed;
    step.produced = static_cast<size_t>(stream_.next_out - out.data());
    consumed_total_ += consumed;
    switch (status) {
      case Z_STREAM_END:
        in_member_ = false;
        return step;
      case Z_OK:
        return step;
      case Z_BUF_ERROR:
        // No progress was possible: out of input (out of room cannot be, the
        // output is never empty).
        if (input_ended) step.error = truncated();
        return step;
      default:
        step.error = "corrupt gzip data at compressed byte " + std::to_string(consumed_total_) + ": " +
                     (stream_.msg != nullptr ? stream_.msg : "inflate failed");
        return step;
    }
  }

 private:
  // After a member: skips zero padding, then starts the next member if one
  // follows. False when there is nothing to inflate now (the end, an error,
  // or too few bytes to tell); `in` is advanced past what was consumed.
  bool start_member(std::span<const uint8_t>& in, bool input_ended, Step& step) {
    size_t zeros = 0;
    while (zeros < in.size() && in[zeros] == 0) ++zeros;
    step.consumed += zeros;
    consumed_total_ += zeros;
    in = in.subspan(zeros);
    if (in.empty()) {
      step.end = input_ended;
      return false;
    }
    if (in[0] != 0x1f || (in.size() >= 2 && in[1] != 0x8b)) {
      step.error = "unexpected data after the end of the gzip data, at compressed byte " +
                   std::to_string(consumed_total_);
      return false;
    }
    if (in.size() < 2) {  // the second magic byte is still to come
      if (input_ended) step.error = truncated();
      return false;
    }
    in_member_ = inflateReset(&stream_) == Z_OK;
    if (!in_member_) step.error = "cannot restart gzip decompression for the next member";
    return in_member_;
  }

  std::string truncated() const {
    return "the gzip data is truncated: it ends after " + std::to_string(consumed_total_) +
           " compressed bytes, inside a member";
  }

  z_stream stream_{};
  bool initialized_ = false;
  bool in_member_ = true;
  uint64_t consumed_total_ = 0;
};

}  // namespace

std::unique_ptr<DecompressionCodec> make_gzip_codec() { return std::make_unique<GzipCodec>(); }

}  // namespace bpfc::capture
