// The parts of the ELF64 format (System V ABI, elf.h) the object writer and
// reader use, and little-endian byte buffers for both. Written out rather
// than taken from <elf.h> so that the layout is fixed by this file, whatever
// the host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bpfc::ebpf::elf {

inline constexpr uint8_t kMagic[4] = {0x7f, 'E', 'L', 'F'};
inline constexpr uint8_t kClass64 = 2, kData2Lsb = 1, kVersionCurrent = 1;
inline constexpr uint16_t kTypeRel = 1;
inline constexpr uint16_t kMachineBpf = 247;

inline constexpr size_t kHeaderSize = 64, kSectionHeaderSize = 64, kSymbolSize = 24;

inline constexpr uint32_t kShtNull = 0, kShtProgbits = 1, kShtSymtab = 2, kShtStrtab = 3, kShtRela = 4,
                          kShtNobits = 8, kShtRel = 9;
inline constexpr uint64_t kShfWrite = 0x1, kShfAlloc = 0x2, kShfExecinstr = 0x4;
inline constexpr uint16_t kShnUndef = 0, kShnLoreserve = 0xff00, kShnXindex = 0xffff;

inline constexpr uint8_t kStbLocal = 0, kStbGlobal = 1;
inline constexpr uint8_t kSttFunc = 2;
inline constexpr uint8_t kStvDefault = 0, kStvHidden = 2;
inline constexpr uint8_t symbol_info(uint8_t bind, uint8_t type) { return static_cast<uint8_t>((bind << 4) | type); }

// Appends little-endian integers and raw bytes.
class Writer {
 public:
  void u8(uint8_t v) { bytes_.push_back(v); }
  void u16(uint16_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void raw(std::span<const uint8_t> data) { bytes_.insert(bytes_.end(), data.begin(), data.end()); }
  void text(std::string_view s) { bytes_.insert(bytes_.end(), s.begin(), s.end()); }
  void align(size_t alignment) {
    while (bytes_.size() % alignment != 0) bytes_.push_back(0);
  }
  size_t size() const { return bytes_.size(); }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  void put(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> bytes_;
};

// Reads little-endian integers at offsets that are checked against the data:
// every read returns nullopt instead of reading past the end.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}
  bool has(uint64_t offset, uint64_t length) const {
    return offset <= data_.size() && length <= data_.size() - offset;
  }
  std::optional<uint64_t> get(uint64_t offset, int n) const {
    if (!has(offset, static_cast<uint64_t>(n))) return std::nullopt;
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(data_[offset + i]) << (8 * i);
    return v;
  }
  std::span<const uint8_t> slice(uint64_t offset, uint64_t length) const { return data_.subspan(offset, length); }
  size_t size() const { return data_.size(); }

 private:
  std::span<const uint8_t> data_;
};

// A string table under construction: offset 0 is the empty string.
class StringTable {
 public:
  StringTable() { data_.push_back('\0'); }
  uint32_t add(std::string_view s) {
    const auto offset = static_cast<uint32_t>(data_.size());
    data_.append(s);
    data_.push_back('\0');
    return offset;
  }
  const std::string& data() const { return data_; }

 private:
  std::string data_;
};

}  // namespace bpfc::ebpf::elf
