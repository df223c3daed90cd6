#include "bpfc/support/text.h"

#include <cstddef>

namespace bpfc {
namespace {

constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::optional<uint8_t> hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return static_cast<uint8_t>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<uint8_t>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<uint8_t>(c - 'A' + 10);
  return std::nullopt;
}

CNumber parse_c_number(std::string_view text) {
  using Status = CNumber::Status;
  CNumber out;
  auto fail = [&](Status status) {
    out.status = status;
    out.value = 0;
    return out;
  };
  uint32_t n = 0;
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    out.base_name = "hexadecimal";
    for (char c : text.substr(2)) {
      const std::optional<uint8_t> digit = hex_digit_value(c);
      if (!digit) return fail(Status::BadDigit);
      if (n > 0x0FFFFFFFu) return fail(Status::Overflow);
      n = (n << 4) + *digit;
    }
  } else if (!text.empty() && text[0] == '0') {
    out.base_name = "octal";
    for (char c : text.substr(1)) {
      if (c < '0' || c > '7') return fail(Status::BadDigit);
      if (n > 03777777777u) return fail(Status::Overflow);
      n = (n << 3) + static_cast<uint32_t>(c - '0');
    }
  } else {
    constexpr uint32_t kCutoff = 0xFFFFFFFFu / 10u;
    constexpr uint32_t kCutlim = 0xFFFFFFFFu % 10u;
    for (char c : text) {
      if (c < '0' || c > '9') return fail(Status::BadDigit);
      const auto digit = static_cast<uint32_t>(c - '0');
      if (n > kCutoff || (n == kCutoff && digit > kCutlim)) return fail(Status::Overflow);
      n = n * 10 + digit;
    }
  }
  out.value = n;
  return out;
}

}  // namespace bpfc
