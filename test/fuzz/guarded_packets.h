// Packets placed so that a read past their captured bytes crashes: each one
// ends exactly where a page follows that is mapped PROT_NONE. Native code is
// not instrumented by AddressSanitizer, so this is how the native-code fuzz
// target sees a load that skipped its length check.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace bpfc::fuzz {

class GuardedPackets {
 public:
  // Room for `slots` packets of up to `slot_bytes` bytes (a multiple of the
  // page size is used). Aborts when the memory cannot be had: the harness
  // cannot run without it.
  GuardedPackets(size_t slots, size_t slot_bytes);
  ~GuardedPackets();
  GuardedPackets(const GuardedPackets&) = delete;
  GuardedPackets& operator=(const GuardedPackets&) = delete;

  size_t slots() const { return slots_; }
  size_t slot_bytes() const { return slot_bytes_; }

  // `bytes` (at most slot_bytes()) copied into slot `slot`, ending at its
  // guard page; the view stays valid until the slot is used again.
  std::span<const uint8_t> place(size_t slot, std::span<const uint8_t> bytes);

 private:
  uint8_t* base_ = nullptr;
  size_t slots_ = 0;
  size_t slot_bytes_ = 0;  // usable bytes; each slot is these plus one guard page
  size_t page_ = 0;
};

}  // namespace bpfc::fuzz
