// The captured bytes a dissector may look at: a bounds-checked view whose
// reads are big-endian. Like tcpdump, an IP layer narrows the view to the
// end of its datagram, so link-layer padding is never parsed.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstdint>

namespace bpfc::dissect {

inline uint16_t load_be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t load_be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 |
         p[3];
}

struct Bytes {
  const uint8_t* data = nullptr;
  uint32_t size = 0;

  // Whether `n` bytes from `offset` were captured.
  bool has(uint32_t offset, uint32_t n) const { return offset <= size && n <= size - offset; }
  Bytes from(uint32_t offset) const {
    return offset <= size ? Bytes{data + offset, size - offset} : Bytes{data + size, 0};
  }
  Bytes clip(uint32_t n) const { return {data, std::min(size, n)}; }
  // Reads; the caller checked has() first (debug builds check it again).
  uint8_t u8(uint32_t offset) const {
    assert(has(offset, 1));
    return data[offset];
  }
  uint16_t u16(uint32_t offset) const {
    assert(has(offset, 2));
    return load_be16(data + offset);
  }
  uint32_t u32(uint32_t offset) const {
    assert(has(offset, 4));
    return load_be32(data + offset);
  }
  const uint8_t* at(uint32_t offset) const {
    assert(offset <= size);
    return data + offset;
  }
};

}  // namespace bpfc::dissect
