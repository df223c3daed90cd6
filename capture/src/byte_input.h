// Where a reader's bytes come from: a memory range, or a file descriptor
// (regular file, pipe, stdin) read into a buffer, or a mapped regular file. Readers address bytes by
// their absolute offset in the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace bpfc::capture {

class ByteInput {
 public:
  virtual ~ByteInput() = default;
  // Returns a pointer to `n` bytes starting at absolute offset `pos`, or
  // nullptr when the input ends before pos + n (then available(pos) says how
  // many bytes there are) or a read fails (then read_error() is set).
  // `pos` must not be below the last release_before() point.
  virtual const uint8_t* window(uint64_t pos, size_t n) = 0;
  // How many bytes are known to exist from `pos` (after window() failed:
  // exactly how many remain).
  virtual size_t available(uint64_t pos) const = 0;
  // True when window(pos, n) can succeed without moving bytes already handed
  // out since the last release_before() (always true for memory). A reader
  // that has views in its current batch and gets false ends the batch there.
  virtual bool stable(uint64_t pos, size_t n) const = 0;
  // Bytes before `pos` are no longer needed; a stream may reuse their space.
  virtual void release_before(uint64_t pos) = 0;
  // True when every byte handed out stays valid and unchanged for the life
  // of the input, released or not (memory, a mapped file).
  virtual bool persistent() const { return false; }
  virtual std::optional<uint64_t> size() const = 0;  // known for memory and files
  virtual const std::optional<std::string>& read_error() const = 0;
};

std::unique_ptr<ByteInput> memory_input(std::span<const uint8_t> bytes);
// Reads `path` through a buffer, without seeking; "-" is standard input.
// With `map_files`, a regular file (standard input too, when it is one and
// nothing of it was read yet) is mapped whole instead (see byte_input.cpp
// for why that is not the default). size() is known for regular files.
// Null and `error` set on failure.
std::unique_ptr<ByteInput> open_input(const std::string& path, std::string& error, bool map_files = false);

}  // namespace bpfc::capture
