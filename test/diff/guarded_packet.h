// A packet copied to the very end of readable memory: the page after its
// last byte is PROT_NONE, so a filter that reads one byte past the captured
// length crashes the test instead of passing unnoticed.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace bpfc::difftest {

class GuardedPacket {
 public:
  // Room for packets of up to `capacity` bytes.
  explicit GuardedPacket(size_t capacity) {
    page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    readable_ = (capacity + page_ - 1) / page_ * page_;
    if (readable_ == 0) readable_ = page_;
    void* mapped = mmap(nullptr, readable_ + page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) throw std::runtime_error("mmap failed");
    base_ = static_cast<uint8_t*>(mapped);
    if (mprotect(base_ + readable_, page_, PROT_NONE) != 0) throw std::runtime_error("mprotect failed");
  }
  ~GuardedPacket() { munmap(base_, readable_ + page_); }
  GuardedPacket(const GuardedPacket&) = delete;
  GuardedPacket& operator=(const GuardedPacket&) = delete;

  size_t capacity() const { return readable_; }

  // The first `caplen` bytes of `bytes`, ending where the guard page starts.
  const uint8_t* place(const uint8_t* bytes, size_t caplen) {
    if (caplen > readable_) throw std::length_error("packet larger than the guarded buffer");
    uint8_t* at = base_ + readable_ - caplen;
    if (caplen > 0) std::memcpy(at, bytes, caplen);
    return at;
  }

 private:
  size_t page_ = 0;
  size_t readable_ = 0;
  uint8_t* base_ = nullptr;
};

}  // namespace bpfc::difftest
