// A ByteInput that behaves like the worst stream the ByteInput contract
// allows: a small buffer that is filled only as far as asked, and that moves
// to a fresh allocation whenever a window does not fit (the old one is
// freed). A reader that keeps a view across an unstable window() then reads
// freed memory, which AddressSanitizer reports. It also checks the reader's
// side of the contract (no window below release_before()).
//
// The library's own stream input starts with a buffer of megabytes, so
// inputs of fuzzing size never make it move; this one moves every few
// hundred bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "byte_input.h"

namespace bpfc::capture::fuzz {

class ShiftingStreamInput : public ByteInput {
 public:
  ShiftingStreamInput(std::span<const uint8_t> source, size_t capacity);

  const uint8_t* window(uint64_t pos, size_t n) override;
  size_t available(uint64_t pos) const override;
  bool stable(uint64_t pos, size_t n) const override;
  void release_before(uint64_t pos) override;
  std::optional<uint64_t> size() const override { return std::nullopt; }
  const std::optional<std::string>& read_error() const override { return no_error_; }

 private:
  // Moves the unreleased bytes into a new buffer large enough for [pos, end).
  void relocate(uint64_t pos, uint64_t end);
  // Copies from the source until the absolute offset `end` is buffered.
  void fill_to(uint64_t end);

  std::span<const uint8_t> source_;
  std::unique_ptr<uint8_t[]> buffer_;
  size_t capacity_;
  uint64_t base_ = 0;      // absolute offset of buffer_[0]
  size_t filled_ = 0;      // bytes of buffer_ holding input
  uint64_t released_ = 0;  // the reader needs nothing before this
  bool reached_end_ = false;  // a window failed: the whole rest of the input is "known"
  std::optional<std::string> no_error_;
};

}  // namespace bpfc::capture::fuzz
