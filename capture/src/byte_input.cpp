// The ByteInput kinds: a memory range, a mapped regular file, and a
// descriptor read into a reusable buffer.
//
// Regular files are read by default and mapped only when asked: measured on
// the machine the speed goal is set on (a VM), a page-cached 1 GB file maps
// at about 2-2.5 GB/s (the first touch of each 4 KiB page costs microseconds
// there; MAP_POPULATE and MADV_POPULATE_READ do not help) while read() into a
// 1 MiB buffer that stays in cache delivers 5-10 GB/s. Packets are views into
// the mapping or the buffer either way, so the readers copy nothing
// themselves.
#include "byte_input.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

namespace bpfc::capture {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

// Bytes that are all present from the start.
class WholeInput : public ByteInput {
 public:
  explicit WholeInput(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  const uint8_t* window(uint64_t pos, size_t n) override {
    if (pos > bytes_.size() || n > bytes_.size() - pos) return nullptr;
    return bytes_.data() + pos;
  }
  size_t available(uint64_t pos) const override {
    return pos >= bytes_.size() ? 0 : static_cast<size_t>(bytes_.size() - pos);
  }
  bool stable(uint64_t, size_t) const override { return true; }
  void release_before(uint64_t) override {}
  std::optional<uint64_t> size() const override { return bytes_.size(); }
  const std::optional<std::string>& read_error() const override { return no_error_; }

 private:
  std::span<const uint8_t> bytes_;
  std::optional<std::string> no_error_;
};

// A whole regular file mapped read-only; the mapping is the window.
class MappedInput : public WholeInput {
 public:
  MappedInput(void* base, size_t length)
      : WholeInput({static_cast<const uint8_t*>(base), length}), base_(base), length_(length) {}
  ~MappedInput() override { munmap(base_, length_); }
  MappedInput(const MappedInput&) = delete;
  MappedInput& operator=(const MappedInput&) = delete;

 private:
  void* base_;
  size_t length_;
};

// A regular file, pipe, FIFO, socket or terminal. The buffer holds the
// absolute byte range [base_, base_ + filled_); space before released_ is
// reclaimed by moving the live tail to the front, but only when a window
// would not fit otherwise, so views handed out stay valid exactly as
// stable() promises.
class DescriptorInput : public ByteInput {
 public:
  // Big enough that read() calls are few, small enough to stay in cache
  // between the kernel's copy and the reader's pass over the records.
  static constexpr size_t kInitialCapacity = 1 << 20;

  // `size`: the number of bytes a regular file has from the current offset.
  DescriptorInput(int fd, bool owns_fd, std::optional<uint64_t> size)
      : fd_(fd), owns_fd_(owns_fd), size_(size), buffer_(kInitialCapacity) {}
  ~DescriptorInput() override {
    if (owns_fd_) close(fd_);
  }
  DescriptorInput(const DescriptorInput&) = delete;
  DescriptorInput& operator=(const DescriptorInput&) = delete;

  const uint8_t* window(uint64_t pos, size_t n) override {
    const uint64_t end = base_ + filled_;
    if (pos >= base_ && pos <= end && n <= end - pos) return buffer_.data() + (pos - base_);
    if (pos < released_) return nullptr;  // a caller bug; refuse rather than read garbage
    if (!make_room(pos, n)) return nullptr;
    if (!fill_to(pos + n)) return nullptr;
    return buffer_.data() + (pos - base_);
  }

  size_t available(uint64_t pos) const override {
    const uint64_t end = base_ + filled_;
    return pos >= end || pos < base_ ? 0 : static_cast<size_t>(end - pos);
  }

  bool stable(uint64_t pos, size_t n) const override {
    // Reading more only appends after the filled part; only a compaction or
    // a growth moves bytes, and neither happens while the window fits.
    return pos >= base_ && n <= buffer_.size() && pos - base_ <= buffer_.size() - n;
  }

  void release_before(uint64_t pos) override { released_ = std::max(released_, pos); }
  std::optional<uint64_t> size() const override { return size_; }
  const std::optional<std::string>& read_error() const override { return error_; }

 private:
  // Makes [pos, pos + n) fit inside the buffer, moving the unreleased bytes to
  // the front and growing the buffer only for a window larger than it.
  bool make_room(uint64_t pos, size_t n) {
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

  // Reads until the absolute offset `end` is buffered, asking each read() for
  // all the free space so that a fast producer is drained in few calls, but
  // returning as soon as enough is there so a slow one is not waited for.
  bool fill_to(uint64_t end) {
    while (base_ + filled_ < end) {
      if (eof_) return false;
      const ssize_t got = read(fd_, buffer_.data() + filled_, buffer_.size() - filled_);
      if (got > 0) {
        filled_ += static_cast<size_t>(got);
      } else if (got == 0) {
        eof_ = true;
      } else if (errno == EINTR) {
        continue;
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        pollfd waiter{fd_, POLLIN, 0};
        poll(&waiter, 1, -1);
      } else {
        error_ = errno_text(errno);
        eof_ = true;
      }
    }
    return true;
  }

  // Windows are bounded by the readers' record limits; anything near this
  // is a corrupt length that must not turn into a huge allocation.
  static constexpr uint64_t kMaxBuffer = 1ull << 30;

  int fd_;
  bool owns_fd_;
  std::optional<uint64_t> size_;
  std::vector<uint8_t> buffer_;
  uint64_t base_ = 0;      // absolute offset of buffer_[0]
  size_t filled_ = 0;      // valid bytes in buffer_
  uint64_t released_ = 0;  // bytes before this absolute offset may be dropped
  bool eof_ = false;
  std::optional<std::string> error_;
};

std::unique_ptr<ByteInput> input_for_fd(int fd, bool owns_fd, bool map_files, std::string& error) {
  struct stat info {};
  if (fstat(fd, &info) != 0) {
    error = errno_text(errno);
    if (owns_fd) close(fd);
    return nullptr;
  }
  if (S_ISDIR(info.st_mode)) {
    error = errno_text(EISDIR);
    if (owns_fd) close(fd);
    return nullptr;
  }
  std::optional<uint64_t> size;
  if (S_ISREG(info.st_mode)) {
    // Standard input may be a file that was partly consumed before.
    const off_t offset = lseek(fd, 0, SEEK_CUR);
    const auto file_size = static_cast<uint64_t>(info.st_size);
    size = offset > 0 && static_cast<uint64_t>(offset) <= file_size ? file_size - offset : file_size;
    // Only a whole file that was not partly consumed is mapped; an empty one
    // cannot be (and reads as empty through the descriptor path anyway).
    if (map_files && offset <= 0 && file_size > 0 && file_size <= SIZE_MAX) {
      void* base = mmap(nullptr, static_cast<size_t>(file_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (base != MAP_FAILED) {
        madvise(base, static_cast<size_t>(file_size), MADV_SEQUENTIAL);
        if (owns_fd) close(fd);
        return std::make_unique<MappedInput>(base, static_cast<size_t>(file_size));
      }
      // A file system that cannot map falls back to reading.
    }
  }
  return std::make_unique<DescriptorInput>(fd, owns_fd, size);
}

}  // namespace

std::unique_ptr<ByteInput> memory_input(std::span<const uint8_t> bytes) {
  return std::make_unique<WholeInput>(bytes);
}

std::unique_ptr<ByteInput> open_input(const std::string& path, std::string& error, bool map_files) {
  if (path == "-") return input_for_fd(STDIN_FILENO, false, map_files, error);
  int fd;
  do {
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    error = errno_text(errno);
    return nullptr;
  }
  return input_for_fd(fd, true, map_files, error);
}

}  // namespace bpfc::capture
