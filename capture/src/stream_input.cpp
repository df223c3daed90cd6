// The buffer holds the absolute byte range [base_, base_ + filled_); space
// before released_ is reclaimed by moving the live tail to the front, but
// only when a window would not fit otherwise, so views handed out stay valid
// exactly as stable() promises.
#include "stream_input.h"

#include <algorithm>
#include <cstring>

namespace bpfc::capture {

const uint8_t* StreamInput::window(uint64_t pos, size_t n) {
  const uint64_t end = base_ + filled_;
  if (pos >= base_ && pos <= end && n <= end - pos) return buffer_.data() + (pos - base_);
  if (pos < released_) return nullptr;  // a caller bug; refuse rather than read garbage
  if (!make_room(pos, n)) return nullptr;
  if (!fill_to(pos + n)) return nullptr;
  return buffer_.data() + (pos - base_);
}

size_t StreamInput::available(uint64_t pos) const {
  const uint64_t end = base_ + filled_;
  return pos >= end || pos < base_ ? 0 : static_cast<size_t>(end - pos);
}

bool StreamInput::stable(uint64_t pos, size_t n) const {
  // Producing more only appends after the filled part; only a compaction or
  // a growth moves bytes, and neither happens while the window fits.
  return pos >= base_ && n <= buffer_.size() && pos - base_ <= buffer_.size() - n;
}

void StreamInput::release_before(uint64_t pos) { released_ = std::max(released_, pos); }

// Makes [pos, pos + n) fit inside the buffer, moving the unreleased bytes to
// the front and growing the buffer only for a window larger than it.
bool StreamInput::make_room(uint64_t pos, size_t n) {
  if (stable(pos, n)) return true;
  const uint64_t keep_from = std::min(released_, base_ + filled_);
  const size_t drop = static_cast<size_t>(keep_from - base_);
  if (drop > 0) {
    std::memmove(buffer_.data(), buffer_.data() + drop, filled_ - drop);
    filled_ -= drop;
    base_ = keep_from;
  }
  const uint64_t needed = pos + n - base_;
  if (needed > buffer_.size()) {
    if (needed > kMaxBuffer) return false;
    buffer_.resize(std::max<size_t>(static_cast<size_t>(needed), buffer_.size() * 2));
  }
  return true;
}

// Produces until the absolute offset `end` is buffered, offering all the
// free space each time so that a fast producer is drained in few calls, but
// returning as soon as enough is there so a slow one is not waited for.
bool StreamInput::fill_to(uint64_t end) {
  while (base_ + filled_ < end) {
    if (end_) return false;
    Produced got = produce(buffer_.data() + filled_, buffer_.size() - filled_);
    filled_ += got.bytes;
    if (got.end) {
      end_ = true;
      if (got.error) error_ = std::move(got.error);
    }
  }
  return true;
}

}  // namespace bpfc::capture
