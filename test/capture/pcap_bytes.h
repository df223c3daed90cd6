// Synthetic pcap savefiles for tests: a file header with any magic, byte
// order, version, snaplen and link-type field, then records whose header
// fields may disagree with their data (to build damaged files).
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace bpfc::testing {

inline constexpr uint32_t kPcapMicroMagic = 0xa1b2c3d4;
inline constexpr uint32_t kPcapNanoMagic = 0xa1b23c4d;
inline constexpr uint32_t kPcapModifiedMagic = 0xa1b2cd34;

struct PcapHeader {
  uint32_t magic = kPcapMicroMagic;
  bool big_endian = false;
  uint16_t version_major = 2;
  uint16_t version_minor = 4;
  uint32_t snaplen = 65535;
  uint32_t linktype_field = 1;  // the whole 32-bit field, FCS and reserved bits included
};

// `size` bytes of recognisable content that differs per `seed`.
inline std::vector<uint8_t> test_payload(size_t size, uint32_t seed) {
  std::vector<uint8_t> bytes(size);
  uint32_t state = seed * 2654435761u + 1;
  for (auto& b : bytes) {
    state = state * 1103515245u + 12345u;
    b = static_cast<uint8_t>(state >> 16);
  }
  return bytes;
}

class PcapBytes {
 public:
  explicit PcapBytes(const PcapHeader& header = {}) : header_(header) {
    put32(header.magic);
    put16(header.version_major);
    put16(header.version_minor);
    put32(0);  // thiszone
    put32(0);  // sigfigs
    put32(header.snaplen);
    put32(header.linktype_field);
  }

  // A record whose length fields are given as stored (`first_length` at
  // offset 8, `second_length` at 12: caplen then len in version 2.4).
  PcapBytes& record_fields(uint32_t seconds, uint32_t fraction, uint32_t first_length, uint32_t second_length,
                           std::span<const uint8_t> data) {
    put32(seconds);
    put32(fraction);
    put32(first_length);
    put32(second_length);
    if (header_.magic == kPcapModifiedMagic) {
      put32(7);      // interface index
      put16(0x0800); // protocol
      bytes_.push_back(0);  // packet type
      bytes_.push_back(0);  // padding
    }
    bytes_.insert(bytes_.end(), data.begin(), data.end());
    return *this;
  }

  // A well-formed record: caplen = data.size(), len = `wirelen` or caplen.
  PcapBytes& packet(uint32_t seconds, uint32_t fraction, std::span<const uint8_t> data,
                    std::optional<uint32_t> wirelen = std::nullopt) {
    const auto caplen = static_cast<uint32_t>(data.size());
    return record_fields(seconds, fraction, caplen, wirelen.value_or(caplen), data);
  }

  PcapBytes& append(std::span<const uint8_t> data) {
    bytes_.insert(bytes_.end(), data.begin(), data.end());
    return *this;
  }

  // Drops the last `n` bytes (a truncated file).
  PcapBytes& cut(size_t n) {
    bytes_.resize(bytes_.size() - n);
    return *this;
  }

  size_t size() const { return bytes_.size(); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  std::span<const uint8_t> span() const { return bytes_; }

 private:
  void put32(uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (header_.big_endian ? 24 - 8 * i : 8 * i)));
  }
  void put16(uint16_t v) {
    for (int i = 0; i < 2; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (header_.big_endian ? 8 - 8 * i : 8 * i)));
  }

  PcapHeader header_;
  std::vector<uint8_t> bytes_;
};

}  // namespace bpfc::testing
