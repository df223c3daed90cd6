// The Internet checksum (RFC 1071), as tcpdump verifies it under -v.
#pragma once

#include <cstdint>

#include "bytes.h"

namespace bpfc::dissect {

// A running one's-complement sum of big-endian 16-bit words.
class Checksum {
 public:
  void add(Bytes b);
  void add16(uint16_t value) { sum_ += value; }
  void add32(uint32_t value) { sum_ += (value >> 16) + (value & 0xffff); }
  // The complement of the folded sum: 0 when the checksum field is right.
  uint16_t result() const;

 private:
  uint64_t sum_ = 0;
};

// What a checksum field holding `field` should have held, given the result
// of summing the data with it (tcpdump's in_cksum_shouldbe()).
uint16_t checksum_should_be(uint16_t field, uint16_t result);

}  // namespace bpfc::dissect
