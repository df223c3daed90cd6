// Whole-record output batching. A flush that fails part way through leaves a
// regular file cut back to the last flush boundary, which is always between
// records, so what is on disk stays a readable savefile. In the background
// mode the writer thread writes one buffer at a time, in order, so the same
// holds: every buffer before the failing one is whole in the file.
#include "output_buffer.h"

#include <limits.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace bpfc::capture {
namespace {

// Writes `pieces` (over `buffer`) to `fd` in order, `size` bytes in all. On
// failure returns the message and cuts a regular file back to where this
// call started; `kept` says how many of the bytes stay in the file either
// way.
std::optional<std::string> write_all(int fd, const uint8_t* buffer, const std::vector<OutputBuffer::Piece>& pieces,
                                     size_t size, size_t& kept) {
  size_t done = 0;
  size_t piece = 0;       // the first piece not wholly written
  size_t piece_done = 0;  // how much of it is
  std::vector<iovec> vectors;
  vectors.reserve(std::min<size_t>(pieces.size(), IOV_MAX));
  while (done < size) {
    vectors.clear();
    for (size_t i = piece; i < pieces.size() && vectors.size() < IOV_MAX; ++i) {
      const uint8_t* base = pieces[i].borrowed != nullptr ? pieces[i].borrowed : buffer + pieces[i].offset;
      const size_t skip = i == piece ? piece_done : 0;
      vectors.push_back({const_cast<uint8_t*>(base + skip), pieces[i].size - skip});
    }
    const ssize_t wrote = writev(fd, vectors.data(), static_cast<int>(vectors.size()));
    if (wrote > 0) {
      done += static_cast<size_t>(wrote);
      size_t advance = static_cast<size_t>(wrote);
      while (advance > 0) {
        const size_t left = pieces[piece].size - piece_done;
        if (advance < left) {
          piece_done += advance;
          break;
        }
        advance -= left;
        ++piece;
        piece_done = 0;
      }
      continue;
    }
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd waiter{fd, POLLOUT, 0};
      poll(&waiter, 1, -1);
      continue;
    }
    const int err = wrote < 0 ? errno : ENOSPC;  // writev() returning 0 means no progress
    // Only borrowed bytes can be unreadable: copied ones are this buffer's.
    const bool lost = err == EFAULT && std::any_of(pieces.begin(), pieces.end(),
                                                    [](const OutputBuffer::Piece& p) { return p.borrowed != nullptr; });
    // Cut a partly written record off a regular file: everything before this
    // call is whole records, the tail written by this one may not be.
    struct stat info {};
    if (done > 0 && fstat(fd, &info) == 0 && S_ISREG(info.st_mode)) {
      const off_t end = lseek(fd, 0, SEEK_CUR);
      if (end >= static_cast<off_t>(done) && ftruncate(fd, end - static_cast<off_t>(done)) == 0) {
        lseek(fd, end - static_cast<off_t>(done), SEEK_SET);
        done = 0;
      }
    }
    kept = done;
    if (lost) return std::string(OutputBuffer::kBorrowedBytesLost);
    return std::string("write error: ") + std::strerror(err);
  }
  kept = done;
  return std::nullopt;
}

}  // namespace

OutputBuffer::OutputBuffer(int fd, bool owns_fd, size_t capacity, Writes writes)
    : fd_(fd), owns_fd_(owns_fd), buffer_(capacity == 0 ? 1 : capacity) {
  // The thread starts with the first full buffer: output that fits in one
  // never pays for it.
  background_ = writes == Writes::InBackground;
}

OutputBuffer::~OutputBuffer() {
  flush();
  if (writer_.joinable()) {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_.notify_one();
    writer_.join();
  }
  if (owns_fd_) close(fd_);
}

void OutputBuffer::writer_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    work_.wait(lock, [this] { return pending_ || stopping_; });
    if (!pending_) return;
    const size_t size = in_flight_;
    lock.unlock();
    size_t kept = 0;
    std::optional<std::string> error = write_all(fd_, spare_.data(), spare_pieces_, size, kept);
    lock.lock();
    in_flight_kept_ = kept;
    in_flight_error_ = std::move(error);
    pending_ = false;
    done_.notify_one();
  }
}

bool OutputBuffer::wait_for_writer() {
  std::unique_lock lock(mutex_);
  done_.wait(lock, [this] { return !pending_; });
  if (in_flight_ > 0) {
    flushed_ += in_flight_kept_;
    in_flight_ = 0;
    if (in_flight_error_) {
      error_ = std::move(in_flight_error_);
      in_flight_error_.reset();
      clear_pending();  // what was buffered after the failed write is lost with it
    }
  }
  return !error_;
}

void OutputBuffer::clear_pending() {
  used_ = 0;
  pieces_.clear();
  pending_bytes_ = 0;
}

bool OutputBuffer::write_in_caller() {
  if (error_) return false;
  if (pending_bytes_ == 0) return true;
  size_t kept = 0;
  error_ = write_all(fd_, buffer_.data(), pieces_, pending_bytes_, kept);
  flushed_ += kept;
  clear_pending();
  return !error_;
}

bool OutputBuffer::hand_off() {
  if (!background_) return write_in_caller();
  if (error_) return false;
  if (pending_bytes_ == 0) return true;
  if (!writer_.joinable()) {
    spare_.resize(buffer_.size());
    writer_ = std::thread([this] { writer_loop(); });
  } else if (!wait_for_writer()) {
    return false;
  }
  {
    std::lock_guard lock(mutex_);
    std::swap(buffer_, spare_);
    std::swap(pieces_, spare_pieces_);
    in_flight_ = pending_bytes_;
    pending_ = true;
  }
  work_.notify_one();
  clear_pending();
  // The buffer given back may be smaller than one grown for a large record.
  if (buffer_.size() < spare_.size()) buffer_.resize(spare_.size());
  return true;
}

uint8_t* OutputBuffer::reserve(size_t n) {
  if (error_) return nullptr;
  if (n > buffer_.size() - used_ || pieces_.size() >= kMaxPieces) {
    if (!hand_off()) return nullptr;
    if (n > buffer_.size()) buffer_.resize(n);
  }
  return buffer_.data() + used_;
}

void OutputBuffer::commit(size_t n) {
  if (n == 0) return;
  // Records copied one after another are one piece.
  if (!pieces_.empty() && pieces_.back().borrowed == nullptr &&
      pieces_.back().offset + pieces_.back().size == used_) {
    pieces_.back().size += n;
  } else {
    pieces_.push_back({nullptr, used_, n});
  }
  used_ += n;
  pending_bytes_ += n;
}

bool OutputBuffer::append_borrowed(const uint8_t* bytes, size_t n) {
  if (error_) return false;
  if (n == 0) return true;
  // A buffer's worth of bytes, or of pieces, is written before more are
  // taken: borrowing never holds more back than copying would.
  if (pending_bytes_ + n > buffer_.size() || pieces_.size() >= kMaxPieces) {
    if (!hand_off()) return false;
  }
  // Records that lie one after another where they are borrowed from (a run
  // of kept packets in a mapped file) are one piece.
  if (!pieces_.empty() && pieces_.back().borrowed != nullptr &&
      pieces_.back().borrowed + pieces_.back().size == bytes) {
    pieces_.back().size += n;
  } else {
    pieces_.push_back({bytes, 0, n});
  }
  pending_bytes_ += n;
  return true;
}

bool OutputBuffer::append(const uint8_t* bytes, size_t n) {
  uint8_t* room = reserve(n);
  if (room == nullptr) return false;
  if (n > 0) std::memcpy(room, bytes, n);
  commit(n);
  return true;
}

bool OutputBuffer::flush() {
  // Until a buffer has filled there is no thread, and none is started just
  // to be waited for.
  if (!writer_.joinable()) return write_in_caller();
  return hand_off() && wait_for_writer();
}

}  // namespace bpfc::capture
