// Batched output to a file descriptor. Writers append one whole record at a
// time (reserve + commit), so a write error or a crash of the caller never
// leaves half a record behind in the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bpfc::capture {

class OutputBuffer {
 public:
  // Takes ownership of `fd` when `owns_fd`.
  OutputBuffer(int fd, bool owns_fd, size_t capacity = 1 << 20);
  ~OutputBuffer();
  OutputBuffer(const OutputBuffer&) = delete;
  OutputBuffer& operator=(const OutputBuffer&) = delete;

  // Room for a record of `n` bytes; flushes first when it does not fit, and
  // grows the buffer for a record larger than its capacity.
  // Returns null after a write error.
  uint8_t* reserve(size_t n);
  // The record written into the last reserve() is complete.
  void commit(size_t n);
  // Reserve + copy + commit.
  bool append(const uint8_t* bytes, size_t n);
  bool flush();

  const std::optional<std::string>& write_error() const { return error_; }
  uint64_t bytes_written() const { return flushed_ + used_; }

 private:
  int fd_;
  bool owns_fd_;
  std::vector<uint8_t> buffer_;
  size_t used_ = 0;
  uint64_t flushed_ = 0;
  std::optional<std::string> error_;
};

}  // namespace bpfc::capture
