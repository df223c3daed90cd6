// The pcapng on-disk vocabulary shared by the reader and the writer: block
// types, option codes, fixed-part sizes, and loads/stores of integers in a
// section's byte order (every section declares its own with the byte-order
// magic, so nothing here assumes the host's).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace bpfc::capture::pcapng {

// Block types (draft-ietf-opsawg-pcapng, "Block Types").
inline constexpr uint32_t kSectionHeader = 0x0A0D0D0A;  // the same in both byte orders
inline constexpr uint32_t kInterfaceDescription = 0x00000001;
inline constexpr uint32_t kObsoletePacket = 0x00000002;
inline constexpr uint32_t kSimplePacket = 0x00000003;
inline constexpr uint32_t kNameResolution = 0x00000004;
inline constexpr uint32_t kInterfaceStatistics = 0x00000005;
inline constexpr uint32_t kEnhancedPacket = 0x00000006;
inline constexpr uint32_t kDecryptionSecrets = 0x0000000A;
inline constexpr uint32_t kCustomCopiable = 0x00000BAD;
inline constexpr uint32_t kCustomNotCopiable = 0x40000BAD;

inline constexpr uint32_t kByteOrderMagic = 0x1A2B3C4D;
inline constexpr uint16_t kMajorVersion = 1;

// Options common to all blocks.
inline constexpr uint16_t kOptEndOfOptions = 0;
inline constexpr uint16_t kOptComment = 1;
// Section Header Block options.
inline constexpr uint16_t kOptShbUserApplication = 4;
// Interface Description Block options.
inline constexpr uint16_t kOptIfName = 2;
inline constexpr uint16_t kOptIfDescription = 3;
inline constexpr uint16_t kOptIfTsresol = 9;
inline constexpr uint16_t kOptIfFilter = 11;
inline constexpr uint16_t kOptIfFcslen = 13;
inline constexpr uint16_t kOptIfTsoffset = 14;

// Sizes of the parts every block of a type has. A block is
// type (4) + total length (4) + body + total length again (4).
inline constexpr uint32_t kBlockHeaderBytes = 8;
inline constexpr uint32_t kBlockTrailerBytes = 4;
inline constexpr uint32_t kBlockOverheadBytes = kBlockHeaderBytes + kBlockTrailerBytes;
// byte-order magic, major, minor, section length
inline constexpr uint32_t kShbFixedBytes = 4 + 2 + 2 + 8;
// link type, reserved, snaplen
inline constexpr uint32_t kIdbFixedBytes = 2 + 2 + 4;
// interface, timestamp high, low, captured length, original length
inline constexpr uint32_t kEpbFixedBytes = 4 + 4 + 4 + 4 + 4;
// interface (16 bits), drops count (16 bits), timestamp high, low, captured, original
inline constexpr uint32_t kPbFixedBytes = 2 + 2 + 4 + 4 + 4 + 4;
// original length
inline constexpr uint32_t kSpbFixedBytes = 4;
// interface, timestamp high, low
inline constexpr uint32_t kIsbFixedBytes = 4 + 4 + 4;
// secrets type, secrets length
inline constexpr uint32_t kDsbFixedBytes = 4 + 4;
// libpcap refuses a first Section Header Block longer than this (BT_SHB_INSANE_MAX).
inline constexpr uint32_t kMaxFirstShbBytes = 1024 * 1024;

constexpr uint64_t pad4(uint64_t n) { return (n + 3) & ~uint64_t{3}; }

inline constexpr bool kHostBigEndian = std::endian::native == std::endian::big;

inline uint16_t load_u16(const uint8_t* p, bool big_endian) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return big_endian == kHostBigEndian ? v : __builtin_bswap16(v);
}
inline uint32_t load_u32(const uint8_t* p, bool big_endian) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return big_endian == kHostBigEndian ? v : __builtin_bswap32(v);
}
inline uint64_t load_u64(const uint8_t* p, bool big_endian) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return big_endian == kHostBigEndian ? v : __builtin_bswap64(v);
}
inline void store_u16(uint8_t* p, uint16_t v, bool big_endian) {
  if (big_endian != kHostBigEndian) v = __builtin_bswap16(v);
  std::memcpy(p, &v, sizeof v);
}
inline void store_u32(uint8_t* p, uint32_t v, bool big_endian) {
  if (big_endian != kHostBigEndian) v = __builtin_bswap32(v);
  std::memcpy(p, &v, sizeof v);
}
inline void store_u64(uint8_t* p, uint64_t v, bool big_endian) {
  if (big_endian != kHostBigEndian) v = __builtin_bswap64(v);
  std::memcpy(p, &v, sizeof v);
}

}  // namespace bpfc::capture::pcapng
