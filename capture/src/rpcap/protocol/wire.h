// Big-endian reading and writing for the RPCAP codec. The reader never reads
// past its span: every take() says whether the bytes were there, and a
// failed take leaves the reader failed, so a decoder checks once per field
// group instead of trusting a length.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace bpfc::capture::rpcap::wire {

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  size_t remaining() const { return failed_ ? 0 : bytes_.size() - pos_; }
  size_t position() const { return pos_; }
  bool failed() const { return failed_; }

  // The next `count` bytes, or an empty span (and the reader failed) when
  // fewer remain.
  std::span<const uint8_t> take(size_t count) {
    if (failed_ || count > bytes_.size() - pos_) {
      failed_ = true;
      return {};
    }
    std::span<const uint8_t> out = bytes_.subspan(pos_, count);
    pos_ += count;
    return out;
  }
  uint8_t u8() {
    std::span<const uint8_t> b = take(1);
    return b.empty() ? 0 : b[0];
  }
  uint16_t u16() {
    std::span<const uint8_t> b = take(2);
    return b.empty() ? 0 : static_cast<uint16_t>(b[0] << 8 | b[1]);
  }
  uint32_t u32() {
    std::span<const uint8_t> b = take(4);
    return b.empty() ? 0
                     : static_cast<uint32_t>(b[0]) << 24 | static_cast<uint32_t>(b[1]) << 16 |
                           static_cast<uint32_t>(b[2]) << 8 | b[3];
  }
  std::string text(size_t count) {
    std::span<const uint8_t> b = take(count);
    return std::string(b.begin(), b.end());
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
  bool failed_ = false;
};

class Writer {
 public:
  explicit Writer(std::vector<uint8_t>& out) : out_(out) {}
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v) {
    out_.push_back(static_cast<uint8_t>(v >> 8));
    out_.push_back(static_cast<uint8_t>(v));
  }
  void u32(uint32_t v) {
    u16(static_cast<uint16_t>(v >> 16));
    u16(static_cast<uint16_t>(v));
  }
  void bytes(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void text(const std::string& s) { out_.insert(out_.end(), s.begin(), s.end()); }
  void zeros(size_t count) { out_.insert(out_.end(), count, 0); }

 private:
  std::vector<uint8_t>& out_;
};

}  // namespace bpfc::capture::rpcap::wire
