// Conversions of the scanner's literal tokens (numbers, addresses) into
// values, with libpcap's rules and error wording. Private to the parser.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace bpfc::parse_detail {

// A NUM token: decimal, 0 octal or 0x hex digits, or one of the scanner's
// named constants (`tcp-syn`, `icmp-echo`, `icmptype`...). On failure, the
// scanner's message ("number 09 contains non-octal digit", "decimal number
// 4294967296 overflows 32 bits").
std::variant<uint32_t, std::string> number_value(std::string_view text);

// A HID token (`a.b`, `a.b.c`, `a.b.c.d`, components as written), packed as
// libpcap's pcapint_atoin does: components shifted in from the right, so
// "10.1" is 0x0a01 with 2 components. nullopt where atoin rejects the text
// (a component above 255).
struct DottedIpv4 {
  uint32_t value;
  int components;
};
std::optional<DottedIpv4> dotted_ipv4_value(std::string_view text);

// A HID6 token; nullopt if inet_pton rejects it (the scanner then reports
// "invalid IPv6 address <text>").
std::optional<std::array<uint8_t, 16>> ipv6_value(std::string_view text);

// An EID token in any of its forms (xx:xx:xx:xx:xx:xx, xx-xx-..., xx.xx...,
// xxxx.xxxx.xxxx, xxxxxxxxxxxx; components of one or two digits).
std::optional<std::array<uint8_t, 6>> mac48_value(std::string_view text);

// An AID token: `$` and one or two hex digits.
std::optional<uint8_t> mac8_value(std::string_view text);

}  // namespace bpfc::parse_detail
