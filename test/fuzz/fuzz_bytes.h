// The fuzzer's input seen as two streams: decisions (which rule, which
// qualifier, how many terms) are read from the back, raw material (packet
// bytes, expression text) from the front, as libFuzzer's FuzzedDataProvider
// does. Mutating a decision then changes the expression without shifting
// every packet byte, and the reverse. An exhausted stream reads zeros, so
// every input, even an empty one, decodes to something.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace bpfc::fuzz {

class FuzzBytes {
 public:
  explicit FuzzBytes(std::span<const uint8_t> data) : data_(data) {}

  // A decision in [0, n); n > 0. One byte for n <= 256, two above.
  uint32_t below(uint32_t n) {
    uint32_t raw = back_byte();
    if (n > 256) raw = (raw << 8) | back_byte();
    return raw % n;
  }
  // True p times in 100; false on an exhausted input, so that rare choices
  // are not what running out of bytes picks.
  bool percent(uint32_t p) { return below(100) >= 100 - p; }
  template <typename T>
  const T& pick(std::span<const T> values) {
    return values[below(static_cast<uint32_t>(values.size()))];
  }
  template <typename T, size_t N>
  const T& pick(const T (&values)[N]) {
    return values[below(static_cast<uint32_t>(N))];
  }
  // One of the first `limit` entries.
  template <typename T, size_t N>
  const T& pick(const T (&values)[N], size_t limit) {
    return values[below(static_cast<uint32_t>(limit < N ? limit : N))];
  }
  template <typename T>
  const T& pick(const std::vector<T>& values) {
    return values[below(static_cast<uint32_t>(values.size()))];
  }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | back_byte();
    return v;
  }

  // Up to n bytes of material from the front (fewer when it runs out).
  std::span<const uint8_t> take(size_t n) {
    size_t available = end_ - begin_;
    if (n > available) n = available;
    auto out = data_.subspan(begin_, n);
    begin_ += n;
    return out;
  }
  uint8_t front_byte() {
    auto b = take(1);
    return b.empty() ? 0 : b[0];
  }
  size_t remaining() const { return end_ - begin_; }
  // The same bytes, seen from the back: how many decisions are left.
  size_t decisions_left() const { return end_ - begin_; }

 private:
  uint8_t back_byte() {
    if (end_ == begin_) return 0;
    return data_[--end_];
  }

  std::span<const uint8_t> data_;
  size_t begin_ = 0;
  size_t end_ = data_.size();
};

}  // namespace bpfc::fuzz
