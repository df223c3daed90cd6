#include "ring.h"

#include <linux/if_packet.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

namespace bpfc::capture::live {
namespace {

uint32_t align16(uint64_t n) { return static_cast<uint32_t>((n + 15) & ~uint64_t{15}); }

// MemAvailable of /proc/meminfo.
std::optional<uint64_t> available_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  uint64_t kib = 0;
  while (in >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024;
  }
  return std::nullopt;
}

std::string mib(uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

Ring::~Ring() {
  if (base_ != nullptr) munmap(base_, mapped_bytes_);
}

std::optional<LiveError> Ring::create(int fd, const RingOptions& options, uint32_t snaplen, uint32_t header_room) {
  const long page = sysconf(_SC_PAGESIZE);
  if (options.block_bytes == 0 || options.block_bytes % page != 0) {
    return LiveError{LiveError::Kind::System, "the ring's block size (" + std::to_string(options.block_bytes) +
                                                  " bytes) must be a multiple of the page size (" +
                                                  std::to_string(page) + ")"};
  }
  if (options.block_count == 0) return LiveError{LiveError::Kind::System, "the ring needs at least one block"};
  // V3 packs packets of any size into a block; the frame size only sets how
  // many frames the kernel accounts for. A frame that holds a snaplen-long
  // packet, capped at a block.
  uint32_t frame = options.frame_bytes;
  if (frame == 0) frame = align16(uint64_t{header_room} + std::min<uint32_t>(snaplen, 65535) + 64);
  frame = std::min(align16(frame), options.block_bytes);
  tpacket_req3 request{};
  request.tp_block_size = options.block_bytes;
  request.tp_block_nr = options.block_count;
  request.tp_frame_size = frame;
  request.tp_frame_nr = (options.block_bytes / frame) * options.block_count;
  request.tp_retire_blk_tov = options.retire_timeout_ms;
  const uint64_t total = uint64_t{options.block_bytes} * options.block_count;
  // The kernel allocates the whole ring at once and unswappable: one larger
  // than the memory available would wake the OOM killer rather than fail.
  if (const std::optional<uint64_t> available = available_memory_bytes(); available && total > *available / 2) {
    return LiveError{LiveError::Kind::RingTooLarge,
                     "a ring of " + mib(total) + " (" + std::to_string(options.block_count) + " blocks of " +
                         std::to_string(options.block_bytes) + " bytes) is more than half of the " +
                         mib(*available) + " of memory available; ask for less with -B"};
  }
  if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &request, sizeof request) != 0) {
    const int error = errno;
    if (error == ENOMEM) {
      return LiveError{LiveError::Kind::RingTooLarge,
                       "cannot allocate a ring of " + mib(total) + " (" + std::to_string(options.block_count) +
                           " blocks of " + std::to_string(options.block_bytes) +
                           " bytes): not enough memory; ask for less with -B"};
    }
    return LiveError{LiveError::Kind::System, "cannot set up the receive ring (" + std::to_string(options.block_count) +
                                                  " blocks of " + std::to_string(options.block_bytes) +
                                                  " bytes, frames of " + std::to_string(frame) +
                                                  "): " + std::strerror(error)};
  }
  void* mapped = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (mapped == MAP_FAILED) {
    const int error = errno;
    return LiveError{error == ENOMEM ? LiveError::Kind::RingTooLarge : LiveError::Kind::System,
                     "cannot map the receive ring of " + mib(total) + ": " + std::strerror(error)};
  }
  base_ = static_cast<uint8_t*>(mapped);
  mapped_bytes_ = total;
  block_bytes_ = options.block_bytes;
  block_count_ = options.block_count;
  return std::nullopt;
}

uint8_t* Ring::ready_block(uint64_t index) const {
  uint8_t* b = block(index);
  auto* descriptor = reinterpret_cast<tpacket_block_desc*>(b);
  const uint32_t status = __atomic_load_n(&descriptor->hdr.bh1.block_status, __ATOMIC_ACQUIRE);
  return (status & TP_STATUS_USER) != 0 ? b : nullptr;
}

void Ring::release(uint64_t index) const {
  auto* descriptor = reinterpret_cast<tpacket_block_desc*>(block(index));
  __atomic_store_n(&descriptor->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
}

}  // namespace bpfc::capture::live
