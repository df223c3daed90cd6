// Batched output to a file descriptor. Writers append one whole record at a
// time (reserve + commit), so a write error or a crash of the caller never
// leaves half a record behind in the file.
//
// A record whose bytes stay where they are until the next flush() (a packet
// of a mapped input file) can be borrowed instead of copied: the buffer then
// holds where it lies, and the write takes it from there (writev), in order
// with the copied records around it.
//
// With Writes::InBackground a full buffer is handed to a writer thread and
// filling goes on in a second buffer, so the kernel's copy into the page
// cache overlaps the caller's work. flush() still waits until everything is
// written; a background write's error shows at the next reserve() or flush().
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace bpfc::capture {

class OutputBuffer {
 public:
  enum class Writes { InCaller, InBackground };
  static constexpr size_t kDefaultCapacity = 1 << 20;

  // Takes ownership of `fd` when `owns_fd`.
  OutputBuffer(int fd, bool owns_fd, size_t capacity = kDefaultCapacity, Writes writes = Writes::InCaller);
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
  // A whole record written from `bytes` itself, which the caller keeps valid
  // and unchanged until the next flush() (or the destructor) returns.
  bool append_borrowed(const uint8_t* bytes, size_t n);
  // Writes out everything appended, and waits for it.
  bool flush();

  const std::optional<std::string>& write_error() const { return error_; }
  // The write failed because borrowed bytes were no longer there (the file
  // they were mapped from was cut short): the kernel's EFAULT.
  bool borrowed_bytes_lost() const { return error_ == kBorrowedBytesLost; }
  static constexpr std::string_view kBorrowedBytesLost =
      "write error: the packets to write are gone from the input they were borrowed from (cut short?)";
  // Bytes appended and not lost to a write error (written, being written, or
  // still buffered).
  uint64_t bytes_written() const { return flushed_ + in_flight_ + pending_bytes_; }

  // What one write hands to the kernel: runs of the buffer and borrowed
  // records, in output order.
  struct Piece {
    const uint8_t* borrowed;  // null: buffer bytes [offset, offset + size)
    size_t offset;
    size_t size;
  };

 private:
  // How many pieces a buffer holds before it is written: one writev().
  static constexpr size_t kMaxPieces = 1024;

  // The buffer is full: starts writing it, in the caller or by handing it to
  // the writer thread (after the previous one is written).
  bool hand_off();
  bool write_in_caller();
  // Nothing is pending any more: the buffer and the pieces start over.
  void clear_pending();
  // Background: waits until the writer thread is idle and takes over its
  // outcome. False when a write has failed.
  bool wait_for_writer();
  void writer_loop();

  int fd_;
  bool owns_fd_;
  std::vector<uint8_t> buffer_;
  size_t used_ = 0;             // bytes of buffer_ in use
  std::vector<Piece> pieces_;   // what the next write holds
  size_t pending_bytes_ = 0;    // their total: used_ plus the borrowed bytes
  uint64_t flushed_ = 0;
  std::optional<std::string> error_;

  // The writer thread and what it shares with the caller, under mutex_:
  // spare_pieces_ (over spare_, in_flight_ bytes) are handed to it while
  // pending_, then its outcome
  // is left in in_flight_kept_ (bytes that stay in the file) and
  // in_flight_error_. Only the caller changes in_flight_ and spare_.
  bool background_ = false;
  std::vector<uint8_t> spare_;
  std::vector<Piece> spare_pieces_;
  size_t in_flight_ = 0;
  bool pending_ = false;
  size_t in_flight_kept_ = 0;
  std::optional<std::string> in_flight_error_;
  bool stopping_ = false;
  std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable done_;
  std::thread writer_;
};

}  // namespace bpfc::capture
