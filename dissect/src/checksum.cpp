#include "checksum.h"

namespace bpfc::dissect {

void Checksum::add(Bytes b) {
  uint32_t i = 0;
  for (; i + 1 < b.size; i += 2) sum_ += b.u16(i);
  if (i < b.size) sum_ += static_cast<uint32_t>(b.u8(i)) << 8;
}

uint16_t Checksum::result() const {
  uint64_t sum = sum_;
  while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

uint16_t checksum_should_be(uint16_t field, uint16_t result) {
  uint32_t should_be = static_cast<uint32_t>(field) + result;
  should_be = (should_be & 0xffff) + (should_be >> 16);
  should_be = (should_be & 0xffff) + (should_be >> 16);
  return static_cast<uint16_t>(should_be);
}

}  // namespace bpfc::dissect
