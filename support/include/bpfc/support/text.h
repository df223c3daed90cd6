// Small text helpers every library may need: ASCII only and independent of
// the C locale, because filter expressions, link-type names, program
// listings and the name files (hosts, ethers, services, ...) are read the
// way libpcap and the C library read them in the "C" locale.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace bpfc {

// Whether a and b are the same text when ASCII letters are compared without
// regard to case ("DLT_EN10MB" and "dlt_en10mb"); other bytes must be equal.
bool equals_ignoring_case(std::string_view a, std::string_view b);

// The value of a hexadecimal digit (0-9, a-f, A-F); nullopt for any other
// character.
std::optional<uint8_t> hex_digit_value(char c);

// An unsigned 32-bit number written as in C: "0x" or "0X" and hexadecimal
// digits, "0" and octal digits, or decimal digits (the empty text and a bare
// "0x" are 0). The digits are checked left to right and the first problem
// ends the reading, as in libpcap's scanner (stoulen): "0037777777778" has a
// bad octal digit, "003777777777778" overflows before reaching its 8.
struct CNumber {
  enum class Status : uint8_t { Ok, BadDigit, Overflow } status = Status::Ok;
  // "decimal", "octal" or "hexadecimal": the base the text is written in.
  const char* base_name = "decimal";
  uint32_t value = 0;  // Ok only
};
CNumber parse_c_number(std::string_view text);

}  // namespace bpfc
