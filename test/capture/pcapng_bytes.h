// Synthetic pcapng files for tests: sections in either byte order and every
// block type, written field by field independently of bpfc's own encoder,
// with hooks to build damaged files (lying lengths, trailers, options).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bpfc::testing {

inline constexpr uint32_t kNgShb = 0x0A0D0D0A;
inline constexpr uint32_t kNgIdb = 1;
inline constexpr uint32_t kNgPb = 2;
inline constexpr uint32_t kNgSpb = 3;
inline constexpr uint32_t kNgNrb = 4;
inline constexpr uint32_t kNgIsb = 5;
inline constexpr uint32_t kNgEpb = 6;
inline constexpr uint32_t kNgDsb = 0x0A;
inline constexpr uint32_t kNgCustom = 0x00000BAD;
inline constexpr uint32_t kNgCustomNoCopy = 0x40000BAD;

// One option as it will be stored. `number` values are written in the
// block's byte order (8 bytes); `declared_length` lies about the length.
struct NgOption {
  uint16_t code = 0;
  std::vector<uint8_t> value;
  std::optional<uint64_t> number;
  std::optional<uint16_t> declared_length;
};
using NgOptions = std::vector<NgOption>;

inline NgOption opt_bytes(uint16_t code, std::vector<uint8_t> value) { return {code, std::move(value), {}, {}}; }
inline NgOption opt_string(uint16_t code, std::string_view text) {
  return {code, std::vector<uint8_t>(text.begin(), text.end()), {}, {}};
}
inline NgOption opt_u8(uint16_t code, uint8_t value) { return {code, {value}, {}, {}}; }
inline NgOption opt_u64(uint16_t code, uint64_t value) { return {code, {}, value, {}}; }
inline NgOption opt_end() { return {0, {}, {}, {}}; }
inline NgOption opt_comment(std::string_view text) { return opt_string(1, text); }

class PcapngBytes {
 public:
  // Starts with a Section Header Block (version 1.0, section length -1).
  explicit PcapngBytes(bool big_endian = false, const NgOptions& options = {}) { shb(big_endian, options); }

  // A new section; later blocks use its byte order.
  PcapngBytes& shb(bool big_endian, const NgOptions& options = {}, uint16_t major = 1, uint16_t minor = 0,
                   uint64_t section_length = ~uint64_t{0}) {
    big_endian_ = big_endian;
    std::vector<uint8_t> body;
    put32(body, 0x1A2B3C4D);
    put16(body, major);
    put16(body, minor);
    put64(body, section_length);
    put_options(body, options);
    return block(kNgShb, body);
  }

  PcapngBytes& idb(uint16_t linktype, uint32_t snaplen, const NgOptions& options = {}) {
    std::vector<uint8_t> body;
    put16(body, linktype);
    put16(body, 0);
    put32(body, snaplen);
    put_options(body, options);
    return block(kNgIdb, body);
  }

  // An EPB whose caplen is data.size(); `ticks` in the interface's unit.
  PcapngBytes& epb(uint32_t interface, uint64_t ticks, std::span<const uint8_t> data,
                   std::optional<uint32_t> wirelen = std::nullopt, const NgOptions& options = {}) {
    return epb_fields(interface, ticks, static_cast<uint32_t>(data.size()),
                      wirelen.value_or(static_cast<uint32_t>(data.size())), data, options);
  }
  // An EPB with its length fields as given, whatever the data.
  PcapngBytes& epb_fields(uint32_t interface, uint64_t ticks, uint32_t caplen, uint32_t wirelen,
                          std::span<const uint8_t> data, const NgOptions& options = {}) {
    std::vector<uint8_t> body;
    put32(body, interface);
    put32(body, static_cast<uint32_t>(ticks >> 32));
    put32(body, static_cast<uint32_t>(ticks));
    put32(body, caplen);
    put32(body, wirelen);
    put_padded(body, data);
    put_options(body, options);
    return block(kNgEpb, body);
  }

  PcapngBytes& spb(uint32_t wirelen, std::span<const uint8_t> data) {
    std::vector<uint8_t> body;
    put32(body, wirelen);
    put_padded(body, data);
    return block(kNgSpb, body);
  }

  PcapngBytes& pb(uint16_t interface, uint16_t drops, uint64_t ticks, std::span<const uint8_t> data,
                  std::optional<uint32_t> wirelen = std::nullopt, const NgOptions& options = {}) {
    std::vector<uint8_t> body;
    put16(body, interface);
    put16(body, drops);
    put32(body, static_cast<uint32_t>(ticks >> 32));
    put32(body, static_cast<uint32_t>(ticks));
    put32(body, static_cast<uint32_t>(data.size()));
    put32(body, wirelen.value_or(static_cast<uint32_t>(data.size())));
    put_padded(body, data);
    put_options(body, options);
    return block(kNgPb, body);
  }

  // A Name Resolution Block with one IPv4 record (address, name) and the end record.
  PcapngBytes& nrb_ipv4(std::array<uint8_t, 4> address, std::string_view name, const NgOptions& options = {}) {
    std::vector<uint8_t> record(address.begin(), address.end());
    record.insert(record.end(), name.begin(), name.end());
    record.push_back(0);
    std::vector<uint8_t> body;
    put16(body, 1);  // nrb_record_ipv4
    put16(body, static_cast<uint16_t>(record.size()));
    put_padded(body, record);
    put16(body, 0);  // nrb_record_end
    put16(body, 0);
    put_options(body, options);
    return block(kNgNrb, body);
  }

  PcapngBytes& isb(uint32_t interface, uint64_t ticks, const NgOptions& options = {}) {
    std::vector<uint8_t> body;
    put32(body, interface);
    put32(body, static_cast<uint32_t>(ticks >> 32));
    put32(body, static_cast<uint32_t>(ticks));
    put_options(body, options);
    return block(kNgIsb, body);
  }

  PcapngBytes& dsb(uint32_t secrets_type, std::span<const uint8_t> secrets, const NgOptions& options = {}) {
    std::vector<uint8_t> body;
    put32(body, secrets_type);
    put32(body, static_cast<uint32_t>(secrets.size()));
    put_padded(body, secrets);
    put_options(body, options);
    return block(kNgDsb, body);
  }

  // A custom block (or any block type) with a Private Enterprise Number and opaque data.
  PcapngBytes& custom(uint32_t type, uint32_t pen, std::span<const uint8_t> data) {
    std::vector<uint8_t> body;
    put32(body, pen);
    put_padded(body, data);
    return block(type, body);
  }

  // Any block: `body` (padded to 4 bytes) between the length fields, with
  // optional lies in the leading and trailing length.
  PcapngBytes& block(uint32_t type, std::span<const uint8_t> body, std::optional<uint32_t> length = std::nullopt,
                     std::optional<uint32_t> trailer = std::nullopt) {
    last_block_offset_ = bytes_.size();
    const auto padded = static_cast<uint32_t>((body.size() + 3) & ~size_t{3});
    const uint32_t total = padded + 12;
    put32(bytes_, type);
    put32(bytes_, length.value_or(total));
    bytes_.insert(bytes_.end(), body.begin(), body.end());
    bytes_.resize(bytes_.size() + (padded - body.size()), 0);
    put32(bytes_, trailer.value_or(total));
    return *this;
  }

  PcapngBytes& append(std::span<const uint8_t> raw) {
    last_block_offset_ = bytes_.size();
    bytes_.insert(bytes_.end(), raw.begin(), raw.end());
    return *this;
  }
  // Drops the last `n` bytes (a file cut short).
  PcapngBytes& cut(size_t n) {
    bytes_.resize(bytes_.size() - n);
    return *this;
  }
  // Overwrites 32 bits at `offset` in the current byte order.
  PcapngBytes& patch32(size_t offset, uint32_t value) {
    std::vector<uint8_t> v;
    put32(v, value);
    std::memcpy(bytes_.data() + offset, v.data(), 4);
    return *this;
  }

  bool big_endian() const { return big_endian_; }
  size_t last_block_offset() const { return last_block_offset_; }
  size_t size() const { return bytes_.size(); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  std::span<const uint8_t> span() const { return bytes_; }

 private:
  void put16(std::vector<uint8_t>& out, uint16_t v) const {
    for (int i = 0; i < 2; ++i) out.push_back(static_cast<uint8_t>(v >> (big_endian_ ? 8 - 8 * i : 8 * i)));
  }
  void put32(std::vector<uint8_t>& out, uint32_t v) const {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (big_endian_ ? 24 - 8 * i : 8 * i)));
  }
  void put64(std::vector<uint8_t>& out, uint64_t v) const {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (big_endian_ ? 56 - 8 * i : 8 * i)));
  }
  static void put_padded(std::vector<uint8_t>& out, std::span<const uint8_t> data) {
    out.insert(out.end(), data.begin(), data.end());
    out.resize(out.size() + ((4 - data.size() % 4) % 4), 0);
  }
  void put_options(std::vector<uint8_t>& out, const NgOptions& options) const {
    for (const NgOption& option : options) {
      std::vector<uint8_t> value = option.value;
      if (option.number) {
        value.clear();
        put64(value, *option.number);
      }
      put16(out, option.code);
      put16(out, option.declared_length.value_or(static_cast<uint16_t>(value.size())));
      put_padded(out, value);
    }
  }

  bool big_endian_ = false;
  size_t last_block_offset_ = 0;
  std::vector<uint8_t> bytes_;
};

}  // namespace bpfc::testing
