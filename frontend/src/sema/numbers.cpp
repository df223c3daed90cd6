#include "sema/numbers.h"

#include <cstdio>

#include "bpfc/support/text.h"

namespace bpfc::sema {

std::optional<PackedIpv4> parse_packed_ipv4(std::string_view text) {
  // Mirrors libpcap's loose loop: any non-dot character counts as a digit
  // ('0'-based), and a component is rejected once it must exceed 255.
  PackedIpv4 out;
  size_t i = 0;
  while (true) {
    uint32_t component = 0;
    while (i < text.size() && text[i] != '.') {
      if (component > 25) return std::nullopt;
      component = component * 10 + static_cast<uint32_t>(static_cast<unsigned char>(text[i]) - '0');
      ++i;
    }
    if (component > 255) return std::nullopt;
    out.value = (out.value << 8) | (component & 0xff);
    out.bits += 8;
    if (i >= text.size()) return out;
    ++i;  // the dot
  }
}

std::optional<uint16_t> parse_decnet_address(std::string_view text) {
  constexpr uint32_t kMaxArea = 63, kMaxNode = 1023;
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= text.size()) return std::nullopt;
  uint32_t area = 0, node = 0;
  for (char c : text.substr(0, dot)) {
    if (!is_digit(c)) return std::nullopt;
    area = area * 10 + uint32_t(c - '0');
    if (area > kMaxArea) return std::nullopt;
  }
  for (char c : text.substr(dot + 1)) {
    if (!is_digit(c)) return std::nullopt;
    node = node * 10 + uint32_t(c - '0');
    if (node > kMaxNode) return std::nullopt;
  }
  return static_cast<uint16_t>(area << 10 | node);
}

LexNumber parse_lex_number(std::string_view text) {
  using Status = LexNumber::Status;
  LexNumber out;
  const CNumber number = parse_c_number(text);
  switch (number.status) {
    case CNumber::Status::Ok:
      out.status = Status::Ok;
      out.value = number.value;
      break;
    case CNumber::Status::BadDigit:
      break;  // NotANumber
    case CNumber::Status::Overflow:
      out.status = Status::Overflow;
      out.overflow_message = std::string(number.base_name) + " number " + std::string(text) + " overflows 32 bits";
      break;
  }
  return out;
}

std::string hex_byte(uint32_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0x%02x", value);
  return buffer;
}

std::string hex(uint32_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0x%x", value);
  return buffer;
}

}  // namespace bpfc::sema
