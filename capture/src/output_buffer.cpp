// Whole-record output batching. A flush that fails part way through leaves a
// regular file cut back to the last flush boundary, which is always between
// records, so what is on disk stays a readable savefile.
#include "output_buffer.h"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bpfc::capture {

OutputBuffer::OutputBuffer(int fd, bool owns_fd, size_t capacity)
    : fd_(fd), owns_fd_(owns_fd), buffer_(capacity == 0 ? 1 : capacity) {}

OutputBuffer::~OutputBuffer() {
  flush();
  if (owns_fd_) close(fd_);
}

uint8_t* OutputBuffer::reserve(size_t n) {
  if (error_) return nullptr;
  if (n > buffer_.size() - used_) {
    if (used_ > 0 && !flush()) return nullptr;
    if (n > buffer_.size()) buffer_.resize(n);
  }
  return buffer_.data() + used_;
}

void OutputBuffer::commit(size_t n) { used_ += n; }

bool OutputBuffer::append(const uint8_t* bytes, size_t n) {
  uint8_t* room = reserve(n);
  if (room == nullptr) return false;
  if (n > 0) std::memcpy(room, bytes, n);
  commit(n);
  return true;
}

bool OutputBuffer::flush() {
  if (error_) return false;
  size_t done = 0;
  while (done < used_) {
    const ssize_t wrote = write(fd_, buffer_.data() + done, used_ - done);
    if (wrote > 0) {
      done += static_cast<size_t>(wrote);
      continue;
    }
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd waiter{fd_, POLLOUT, 0};
      poll(&waiter, 1, -1);
      continue;
    }
    const int err = wrote < 0 ? errno : ENOSPC;  // write() returning 0 means no progress
    error_ = std::string("write error: ") + std::strerror(err);
    // Cut a partly written record off a regular file: everything before this
    // flush is whole records, the tail written by this one may not be.
    struct stat info {};
    if (done > 0 && fstat(fd_, &info) == 0 && S_ISREG(info.st_mode)) {
      const off_t end = lseek(fd_, 0, SEEK_CUR);
      if (end >= static_cast<off_t>(done) && ftruncate(fd_, end - static_cast<off_t>(done)) == 0) {
        lseek(fd_, end - static_cast<off_t>(done), SEEK_SET);
        done = 0;
      }
    }
    flushed_ += done;
    used_ = 0;
    return false;
  }
  flushed_ += used_;
  used_ = 0;
  return true;
}

}  // namespace bpfc::capture
