// The TPACKET_V3 receive ring of a packet socket: blocks the kernel fills
// with packets and hands over (TP_STATUS_USER) when full or when the retire
// timeout passes, then takes back when user space releases them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "bpfc/capture/live.h"

namespace bpfc::capture::live {

class Ring {
 public:
  Ring() = default;
  ~Ring();
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  // Sets up PACKET_RX_RING on `fd` (TPACKET_V3 already chosen) and maps it.
  // `header_room` is what each frame needs before the packet (the tpacket
  // header and the reserve). Errors: RingTooLarge, System.
  std::optional<LiveError> create(int fd, const RingOptions& options, uint32_t snaplen, uint32_t header_room);

  // The block at `index` (mod the block count), if the kernel handed it over.
  uint8_t* ready_block(uint64_t index) const;
  // Gives a handed-over block back to the kernel.
  void release(uint64_t index) const;
  uint32_t block_count() const { return block_count_; }
  uint32_t block_bytes() const { return block_bytes_; }

 private:
  uint8_t* block(uint64_t index) const { return base_ + (index % block_count_) * size_t{block_bytes_}; }

  uint8_t* base_ = nullptr;
  size_t mapped_bytes_ = 0;
  uint32_t block_bytes_ = 0;
  uint32_t block_count_ = 0;
};

}  // namespace bpfc::capture::live
