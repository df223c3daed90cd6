// A ByteInput over a stream that is read forward into a reusable buffer: a
// descriptor (pipe, regular file, stdin) or a decompressor. Subclasses only
// say how to produce more bytes; the buffer keeps the window contract of
// ByteInput (views stay valid while stable() says so).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "byte_input.h"

namespace bpfc::capture {

class StreamInput : public ByteInput {
 public:
  // Big enough that refills are few, small enough to stay in cache between
  // the producer's copy and the reader's pass over the records.
  static constexpr size_t kInitialCapacity = 1 << 20;

  explicit StreamInput(std::optional<uint64_t> size) : size_(size), buffer_(kInitialCapacity) {}

  const uint8_t* window(uint64_t pos, size_t n) final;
  size_t available(uint64_t pos) const final;
  bool stable(uint64_t pos, size_t n) const final;
  void release_before(uint64_t pos) final;
  std::optional<uint64_t> size() const final { return size_; }
  const std::optional<std::string>& read_error() const final { return error_; }

 protected:
  // What one call of produce() achieved.
  struct Produced {
    size_t bytes = 0;   // written to the front of the space given
    bool end = false;   // no more bytes will ever come (also on error)
    std::optional<std::string> error;  // why the stream failed, with `end`
  };
  // Writes at most `capacity` (> 0) bytes to `into`. May return fewer, even
  // none without `end` (then it is called again).
  virtual Produced produce(uint8_t* into, size_t capacity) = 0;
  // The absolute offset up to which bytes have been produced.
  uint64_t produced_end() const { return base_ + filled_; }

 private:
  bool make_room(uint64_t pos, size_t n);
  bool fill_to(uint64_t end);

  // Windows are bounded by the readers' record limits; anything near this
  // is a corrupt length that must not turn into a huge allocation.
  static constexpr uint64_t kMaxBuffer = 1ull << 30;

  std::optional<uint64_t> size_;
  std::vector<uint8_t> buffer_;
  uint64_t base_ = 0;      // absolute offset of buffer_[0]
  size_t filled_ = 0;      // valid bytes in buffer_
  uint64_t released_ = 0;  // bytes before this absolute offset may be dropped
  bool end_ = false;
  std::optional<std::string> error_;
};

}  // namespace bpfc::capture
