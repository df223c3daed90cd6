#include "sema/numbers.h"

#include <cstdio>

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
  auto overflow = [&](const char* kind) {
    out.status = Status::Overflow;
    out.overflow_message = std::string(kind) + " number " + std::string(text) + " overflows 32 bits";
    return out;
  };
  auto digit_value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 99;
  };
  uint32_t n = 0;
  if (!text.empty() && text[0] == '0' && text.size() >= 2 && (text[1] == 'x' || text[1] == 'X')) {
    for (char c : text.substr(2)) {
      int digit = digit_value(c);
      if (digit > 15) return out;
      if (n > 0x0FFFFFFFu) return overflow("hexadecimal");
      n = (n << 4) + uint32_t(digit);
    }
  } else if (!text.empty() && text[0] == '0') {
    for (char c : text.substr(1)) {
      int digit = digit_value(c);
      if (digit > 7) return out;
      if (n > 03777777777u) return overflow("octal");
      n = (n << 3) + uint32_t(digit);
    }
  } else {
    constexpr uint32_t kCutoff = 0xFFFFFFFFu / 10, kCutlim = 0xFFFFFFFFu % 10;
    for (char c : text) {
      int digit = digit_value(c);
      if (digit > 9) return out;
      if (n > kCutoff || (n == kCutoff && uint32_t(digit) > kCutlim)) return overflow("decimal");
      n = n * 10 + uint32_t(digit);
    }
  }
  out.status = Status::Ok;
  out.value = n;
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
