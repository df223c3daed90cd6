// The classic pcap savefile layout, shared by the reader, the writer and the
// format detection: magic numbers, header sizes and the link-type field.
#pragma once

#include <cstddef>
#include <cstdint>

namespace bpfc::capture::pcap_format {

inline constexpr size_t kFileHeaderBytes = 24;
inline constexpr size_t kRecordHeaderBytes = 16;
// Records of the "modified" (Kuznetzov) format add an interface index, a
// protocol and a packet type after the usual 16 bytes.
inline constexpr size_t kModifiedRecordHeaderBytes = 24;

inline constexpr uint32_t kMicroMagic = 0xa1b2c3d4;
inline constexpr uint32_t kNanoMagic = 0xa1b23c4d;
inline constexpr uint32_t kModifiedMagic = 0xa1b2cd34;

// Any of the magic numbers, in either byte order.
inline constexpr bool is_magic(uint32_t magic) {
  for (uint32_t m : {kMicroMagic, kNanoMagic, kModifiedMagic})
    if (magic == m || magic == __builtin_bswap32(m)) return true;
  return false;
}

// The link-type field: LINKTYPE_ in the low 16 bits, then 10 reserved bits
// that must be zero, an "FCS length present" bit, one more bit, and the FCS
// length in 16-bit units in the top 4 bits.
inline constexpr uint32_t kLinktypeMask = 0x0000ffff;
inline constexpr uint32_t kReservedMask = 0x03ff0000;
inline constexpr uint32_t kFcsPresentBit = 0x04000000;
inline constexpr unsigned kFcsLengthShift = 28;

}  // namespace bpfc::capture::pcap_format
