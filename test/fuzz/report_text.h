// How the fuzz targets show what they ran when a property fails: bytes in
// hex, text with everything unprintable escaped.
#pragma once

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>

namespace bpfc::fuzz {

inline std::string hex(std::span<const uint8_t> bytes) {
  std::string out;
  char pair[4];
  for (uint8_t b : bytes) std::snprintf(pair, sizeof pair, "%02x", b), out += pair;
  return out;
}

inline std::string escaped(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char code[8];
      std::snprintf(code, sizeof code, "\\x%02x", c);
      out += code;
    }
  }
  return out;
}

}  // namespace bpfc::fuzz
