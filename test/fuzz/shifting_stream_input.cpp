#include "shifting_stream_input.h"

#include <algorithm>
#include <cstring>

#include "source_recording.h"

namespace bpfc::capture::fuzz {

ShiftingStreamInput::ShiftingStreamInput(std::span<const uint8_t> source, size_t capacity)
    : source_(source), buffer_(std::make_unique<uint8_t[]>(capacity)), capacity_(capacity) {}

bool ShiftingStreamInput::stable(uint64_t pos, size_t n) const {
  return pos >= base_ && n <= capacity_ && pos - base_ <= capacity_ - n;
}

const uint8_t* ShiftingStreamInput::window(uint64_t pos, size_t n) {
  require(pos >= released_, "a reader asked for a window below its release_before() point");
  const uint64_t total = source_.size();
  if (pos > total || n > total - pos) {
    reached_end_ = true;
    return nullptr;
  }
  const uint64_t end = pos + n;
  if (!stable(pos, n)) relocate(pos, end);
  fill_to(end);
  return buffer_.get() + (pos - base_);
}

size_t ShiftingStreamInput::available(uint64_t pos) const {
  // Once a window has failed the stream has been read to its end, so the
  // exact remainder is known; before, only what is buffered.
  const uint64_t known_end = reached_end_ ? source_.size() : base_ + filled_;
  return pos >= known_end ? 0 : static_cast<size_t>(known_end - pos);
}

void ShiftingStreamInput::release_before(uint64_t pos) { released_ = std::max(released_, pos); }

void ShiftingStreamInput::relocate(uint64_t pos, uint64_t end) {
  const uint64_t keep_from = std::min(released_, pos);
  const uint64_t buffered_end = base_ + filled_;
  const size_t new_capacity = std::max<size_t>(capacity_, static_cast<size_t>(end - keep_from));
  auto moved = std::make_unique<uint8_t[]>(new_capacity);
  size_t kept = 0;
  if (keep_from >= base_ && keep_from < buffered_end) {
    kept = static_cast<size_t>(buffered_end - keep_from);
    std::memcpy(moved.get(), buffer_.get() + (keep_from - base_), kept);
  }
  buffer_ = std::move(moved);  // frees the old buffer: stale views now fault under ASan
  capacity_ = new_capacity;
  base_ = keep_from;
  filled_ = kept;
}

void ShiftingStreamInput::fill_to(uint64_t end) {
  const uint64_t buffered_end = base_ + filled_;
  if (end <= buffered_end) return;
  std::memcpy(buffer_.get() + filled_, source_.data() + buffered_end, static_cast<size_t>(end - buffered_end));
  filled_ = static_cast<size_t>(end - base_);
}

}  // namespace bpfc::capture::fuzz
