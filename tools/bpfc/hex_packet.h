// Packets written as hex strings, for `bpfc run`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bpfc::cli {

// Hex digits, optionally prefixed with 0x; spaces, tabs, ':' and '.' between
// digits are ignored ("45 00 00 54", "00:1b:21..."). nullopt with `error`
// set when a character is not hex or the digit count is odd.
std::optional<std::vector<uint8_t>> parse_hex_packet(std::string_view text, std::string& error);

}  // namespace bpfc::cli
