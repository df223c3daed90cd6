#include "guarded_packets.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace bpfc::fuzz {

GuardedPackets::GuardedPackets(size_t slots, size_t slot_bytes) : slots_(slots) {
  page_ = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  slot_bytes_ = (slot_bytes + page_ - 1) / page_ * page_;
  const size_t stride = slot_bytes_ + page_;
  void* mapped = ::mmap(nullptr, slots_ * stride, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) {
    std::perror("guarded packets: mmap");
    std::abort();
  }
  base_ = static_cast<uint8_t*>(mapped);
  for (size_t i = 0; i < slots_; ++i) {
    if (::mprotect(base_ + i * stride + slot_bytes_, page_, PROT_NONE) != 0) {
      std::perror("guarded packets: mprotect");
      std::abort();
    }
  }
}

GuardedPackets::~GuardedPackets() { ::munmap(base_, slots_ * (slot_bytes_ + page_)); }

std::span<const uint8_t> GuardedPackets::place(size_t slot, std::span<const uint8_t> bytes) {
  if (slot >= slots_ || bytes.size() > slot_bytes_) {
    std::fprintf(stderr, "guarded packets: slot %zu of %zu, %zu bytes of %zu\n", slot, slots_, bytes.size(),
                 slot_bytes_);
    std::abort();
  }
  uint8_t* end = base_ + slot * (slot_bytes_ + page_) + slot_bytes_;
  uint8_t* start = end - bytes.size();
  if (!bytes.empty()) std::memcpy(start, bytes.data(), bytes.size());
  return {start, bytes.size()};
}

}  // namespace bpfc::fuzz
