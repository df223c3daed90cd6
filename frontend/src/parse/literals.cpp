#include "parse/literals.h"

#include <arpa/inet.h>

#include "bpfc/support/text.h"
#include "bpfc/support/unreachable.h"

namespace bpfc::parse_detail {
namespace {

struct NamedNumber {
  std::string_view name;
  uint32_t value;
};

// The scanner's named constants: header offsets and field values for
// `icmp[icmptype] == icmp-echo` and `tcp[tcpflags] & tcp-syn != 0`.
constexpr NamedNumber kNamedNumbers[] = {
    {"icmptype", 0},
    {"icmpcode", 1},
    {"icmp-echoreply", 0},
    {"icmp-unreach", 3},
    {"icmp-sourcequench", 4},
    {"icmp-redirect", 5},
    {"icmp-echo", 8},
    {"icmp-routeradvert", 9},
    {"icmp-routersolicit", 10},
    {"icmp-timxceed", 11},
    {"icmp-paramprob", 12},
    {"icmp-tstamp", 13},
    {"icmp-tstampreply", 14},
    {"icmp-ireq", 15},
    {"icmp-ireqreply", 16},
    {"icmp-maskreq", 17},
    {"icmp-maskreply", 18},
    {"icmp6type", 0},
    {"icmp6code", 1},
    {"icmp6-destinationunreach", 1},
    {"icmp6-packettoobig", 2},
    {"icmp6-timeexceeded", 3},
    {"icmp6-parameterproblem", 4},
    {"icmp6-echo", 128},
    {"icmp6-echoreply", 129},
    {"icmp6-multicastlistenerquery", 130},
    {"icmp6-multicastlistenerreportv1", 131},
    {"icmp6-multicastlistenerdone", 132},
    {"icmp6-routersolicit", 133},
    {"icmp6-routeradvert", 134},
    {"icmp6-neighborsolicit", 135},
    {"icmp6-neighboradvert", 136},
    {"icmp6-redirect", 137},
    {"icmp6-routerrenum", 138},
    {"icmp6-nodeinformationquery", 139},
    {"icmp6-nodeinformationresponse", 140},
    {"icmp6-ineighbordiscoverysolicit", 141},
    {"icmp6-ineighbordiscoveryadvert", 142},
    {"icmp6-multicastlistenerreportv2", 143},
    {"icmp6-homeagentdiscoveryrequest", 144},
    {"icmp6-homeagentdiscoveryreply", 145},
    {"icmp6-mobileprefixsolicit", 146},
    {"icmp6-mobileprefixadvert", 147},
    {"icmp6-certpathsolicit", 148},
    {"icmp6-certpathadvert", 149},
    {"icmp6-multicastrouteradvert", 151},
    {"icmp6-multicastroutersolicit", 152},
    {"icmp6-multicastrouterterm", 153},
    {"tcpflags", 13},
    {"tcp-fin", 0x01},
    {"tcp-syn", 0x02},
    {"tcp-rst", 0x04},
    {"tcp-push", 0x08},
    {"tcp-ack", 0x10},
    {"tcp-urg", 0x20},
    {"tcp-ece", 0x40},
    {"tcp-cwr", 0x80},
};

bool is_hex_digit(char c) { return hex_digit_value(c).has_value(); }

// The scanner's reading of a number (stoulen), with its messages.
std::variant<uint32_t, std::string> digits_value(std::string_view text) {
  const CNumber number = parse_c_number(text);
  switch (number.status) {
    case CNumber::Status::Ok:
      return number.value;
    case CNumber::Status::BadDigit: {
      // libpcap says "non-hex digit" but "hexadecimal number ... overflows".
      const std::string_view base = number.base_name;
      const std::string_view digit_kind = base == "hexadecimal" ? "hex" : base;
      return "number " + std::string(text) + " contains non-" + std::string(digit_kind) + " digit";
    }
    case CNumber::Status::Overflow:
      return std::string(number.base_name) + " number " + std::string(text) + " overflows 32 bits";
  }
  BPFC_UNREACHABLE("a number reading of no known status");
}

}  // namespace

std::variant<uint32_t, std::string> number_value(std::string_view text) {
  for (const auto& named : kNamedNumbers) {
    if (named.name == text) return named.value;
  }
  return digits_value(text);
}

std::optional<DottedIpv4> dotted_ipv4_value(std::string_view text) {
  // Like pcapint_atoin, every character of a component counts as a decimal
  // digit (hex spellings the scanner lets through end up out of range), and
  // a component is rejected as soon as it must exceed 255.
  uint32_t value = 0;
  int components = 0;
  size_t i = 0;
  for (;;) {
    uint32_t n = 0;
    while (i < text.size() && text[i] != '.') {
      if (n > 25) return std::nullopt;
      n = n * 10 + static_cast<uint32_t>(static_cast<unsigned char>(text[i]) - '0');
      ++i;
    }
    if (n > 255) return std::nullopt;
    value = (value << 8) | (n & 0xff);
    ++components;
    if (i >= text.size()) return DottedIpv4{value, components};
    ++i;
  }
}

std::optional<std::array<uint8_t, 16>> ipv6_value(std::string_view text) {
  std::string copy(text);
  std::array<uint8_t, 16> bytes{};
  if (inet_pton(AF_INET6, copy.c_str(), bytes.data()) != 1) return std::nullopt;
  return bytes;
}

std::optional<std::array<uint8_t, 6>> mac48_value(std::string_view text) {
  std::array<uint8_t, 6> bytes{};
  // Twelve hex digits in a row, or three dot-separated groups of four.
  std::string digits;
  const bool dotted_quads = text.size() == 14 && text[4] == '.' && text[9] == '.';
  if (text.size() == 12 || dotted_quads) {
    for (char c : text) {
      if (c != '.' || !dotted_quads) digits.push_back(c);
    }
  }
  if (digits.size() == 12) {
    bool all_hex = true;
    for (char c : digits) all_hex = all_hex && is_hex_digit(c);
    if (all_hex) {
      for (size_t i = 0; i < 6; ++i) {
        bytes[i] = static_cast<uint8_t>(*hex_digit_value(digits[2 * i]) << 4 | *hex_digit_value(digits[2 * i + 1]));
      }
      return bytes;
    }
  }
  // Six groups of one or two hex digits with one separator, ':', '-' or '.'.
  size_t i = 0;
  char separator = 0;
  for (size_t group = 0; group < 6; ++group) {
    if (group > 0) {
      if (i >= text.size()) return std::nullopt;
      if (separator == 0 && (text[i] == ':' || text[i] == '-' || text[i] == '.')) separator = text[i];
      if (text[i] != separator) return std::nullopt;
      ++i;
    }
    size_t start = i;
    uint8_t byte = 0;
    while (i < text.size() && i - start < 2 && is_hex_digit(text[i])) {
      byte = static_cast<uint8_t>(byte << 4 | *hex_digit_value(text[i]));
      ++i;
    }
    if (i == start) return std::nullopt;
    bytes[group] = byte;
  }
  if (i != text.size()) return std::nullopt;
  return bytes;
}

std::optional<uint8_t> mac8_value(std::string_view text) {
  if (text.size() < 2 || text.size() > 3 || text[0] != '$') return std::nullopt;
  uint8_t value = 0;
  for (char c : text.substr(1)) {
    if (!is_hex_digit(c)) return std::nullopt;
    value = static_cast<uint8_t>(value << 4 | *hex_digit_value(c));
  }
  return value;
}

}  // namespace bpfc::parse_detail
