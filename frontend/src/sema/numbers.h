// libpcap's own readings of numeric text, which differ from the C library's:
// IPv4 address components (decimal only, each at most 255), DECnet addresses
// (area.node), and the unsigned numbers of the lexer (decimal, 0x hex or 0
// octal, 32 bits). Shared by sema and lowering so both read text the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bpfc::sema {

// pcapint_atoin(): "10", "10.1", "10.1.2", "10.1.2.3" -> the components packed
// into the low bits, and the number of bits they fill (8 per component).
struct PackedIpv4 {
  uint32_t value = 0;
  int bits = 0;
};
std::optional<PackedIpv4> parse_packed_ipv4(std::string_view text);

// pcapint_atodn(): "area.node", area <= 63, node <= 1023, as area << 10 | node.
std::optional<uint16_t> parse_decnet_address(std::string_view text);

// stoulen(): a number as the lexer reads it. Text that is not a number of its
// base is NotANumber (callers may read it as a name); a number that does not
// fit in 32 bits is an error with libpcap's message.
struct LexNumber {
  enum class Status { Ok, NotANumber, Overflow } status = Status::NotANumber;
  uint32_t value = 0;
  std::string overflow_message;  // "decimal number 4294967296 overflows 32 bits"
};
LexNumber parse_lex_number(std::string_view text);

// printf-style helpers for libpcap's messages.
std::string hex_byte(uint32_t value);  // "0x%02x"
std::string hex(uint32_t value);       // "0x%x"

}  // namespace bpfc::sema
