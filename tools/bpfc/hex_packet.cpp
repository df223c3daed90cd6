#include "hex_packet.h"

#include "bpfc/support/text.h"

namespace bpfc::cli {
namespace {

bool is_separator(char c) { return c == ' ' || c == '\t' || c == ':' || c == '.' || c == '\r'; }

}  // namespace

std::optional<std::vector<uint8_t>> parse_hex_packet(std::string_view text, std::string& error) {
  size_t first = text.find_first_not_of(" \t");
  if (first != std::string_view::npos) text.remove_prefix(first);
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text.remove_prefix(2);
  std::vector<uint8_t> bytes;
  int pending = -1;  // the high nibble waiting for its low nibble
  for (char c : text) {
    if (is_separator(c)) continue;
    const std::optional<uint8_t> digit = hex_digit_value(c);
    if (!digit) {
      error = std::string("'") + c + "' is not a hex digit";
      return std::nullopt;
    }
    if (pending < 0) {
      pending = *digit;
    } else {
      bytes.push_back(static_cast<uint8_t>(pending << 4 | *digit));
      pending = -1;
    }
  }
  if (pending >= 0) {
    error = "odd number of hex digits";
    return std::nullopt;
  }
  return bytes;
}

}  // namespace bpfc::cli
