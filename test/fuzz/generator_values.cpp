#include "generator_values.h"

#include <cstdio>

namespace bpfc::fuzz {
namespace {

constexpr uint32_t kEdgeNumbers[] = {0,     1,      2,      3,          4,          7,          8,
                                     15,    16,     31,     32,         33,         63,         64,
                                     127,   128,    254,    255,        256,        1500,       1501,
                                     4094,  4095,   4096,   65534,      65535,      65536,      0xfffff,
                                     1u << 20, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff};

constexpr uint32_t kInterestingIpv4[] = {
    0x00000000, 0x0a000001, 0x0a000002, 0x0a010203, 0x7f000001, 0xc0a80101, 0xc0a801ff,
    0xac100504, 0xe0000001, 0xefffffff, 0xffffffff, 0x0a141e28, 0xc0a8f301, 0x01020304};

constexpr std::array<uint8_t, 16> kInterestingIpv6[] = {
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
    {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
    {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
    {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1},
    {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

constexpr std::array<uint8_t, 6> kInterestingMacs[] = {{0x00, 0x11, 0x22, 0x33, 0x44, 0x55},
                                                       {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
                                                       {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01},
                                                       {0x33, 0x33, 0x00, 0x00, 0x00, 0x01},
                                                       {0x00, 0x00, 0x00, 0x00, 0x00, 0x00}};

const char* const kUnknownNames[] = {"no-such-host.invalid", "nosuchservice", "x", "a.b", "0x", "1a", "-"};

std::string hex(uint32_t v) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%x", v);
  return text;
}

std::string octal(uint32_t v) {
  char text[16];
  std::snprintf(text, sizeof text, "0%o", v);
  return text;
}

std::string hex_byte(uint8_t v, bool pad) {
  char text[4];
  std::snprintf(text, sizeof text, pad ? "%02x" : "%x", v);
  return text;
}

std::string dotted(uint32_t address, int parts) {
  // "10", "10.1", "10.1.2" and "10.1.2.3": the leading bytes of the network.
  std::string text;
  for (int i = 0; i < parts; ++i) {
    if (i) text += '.';
    text += std::to_string((address >> (24 - 8 * i)) & 0xff);
  }
  return text;
}

}  // namespace

std::string ValueSpeller::number() {
  uint32_t value;
  switch (in_.below(8)) {
    case 0: value = in_.u32(); break;
    case 1: value = in_.below(65536); break;
    default: value = in_.pick(kEdgeNumbers); break;
  }
  pool_.add_number(value);
  // A misspelled number ends the whole filter with an error, so those stay
  // rare: one in thirty-two.
  uint32_t style = in_.below(64);
  if (style < 8) return hex(value);
  if (style < 12) return value == 0 ? "0" : octal(value);
  if (style == 12) return "4294967296";              // one past 32 bits
  if (style == 13) return "08";                      // not octal
  if (style == 14) return hex(value) + "0";          // past 32 bits when value is big
  return std::to_string(value);
}

std::string ValueSpeller::small_number(uint32_t limit) {
  uint32_t value = in_.percent(80) ? in_.below(limit < 64 ? limit : 64) : in_.below(limit);
  pool_.add_number(value);
  return in_.percent(15) ? hex(value) : std::to_string(value);
}

std::string ValueSpeller::port() {
  if (!names_.services.empty() && in_.percent(25)) {
    const NamedNumber& service = in_.pick(names_.services);
    pool_.add_number(service.value);
    return service.name;
  }
  if (in_.percent(5)) return name_not_in_fixtures();
  constexpr uint32_t kPorts[] = {0, 1, 20, 22, 53, 67, 80, 123, 443, 1023, 1024, 4789, 6081, 8080, 65535, 65536, 70000};
  uint32_t value = in_.percent(70) ? in_.pick(kPorts) : in_.below(65536);
  pool_.add_number(value);
  return in_.percent(10) ? hex(value) : std::to_string(value);
}

std::string ValueSpeller::port_range() {
  if (!names_.services.empty() && in_.percent(15)) {
    const NamedNumber& low = in_.pick(names_.services);
    const NamedNumber& high = in_.pick(names_.services);
    pool_.add_number(low.value);
    pool_.add_number(high.value);
    return low.name + "-" + high.name;
  }
  uint32_t low = in_.percent(50) ? in_.below(1100) : in_.below(65537);
  uint32_t high = in_.percent(70) ? low + in_.below(300) : in_.below(65537);
  pool_.add_number(low);
  pool_.add_number(high);
  pool_.add_number(high + 1);
  return std::to_string(low) + "-" + std::to_string(high);
}

std::string ValueSpeller::protocol_value() {
  if (!names_.protocols.empty() && in_.percent(30)) {
    const NamedNumber& protocol = in_.pick(names_.protocols);
    pool_.add_number(protocol.value);
    return protocol.name;
  }
  if (in_.percent(10)) {
    // Keywords that are also protocol names must be escaped.
    const char* const kEscaped[] = {"\\tcp", "\\udp", "\\icmp", "\\sctp", "\\ip", "\\igmp", "\\ah", "\\esp"};
    return in_.pick(kEscaped);
  }
  if (in_.percent(5)) return name_not_in_fixtures();
  constexpr uint32_t kProtocols[] = {0,  1,  2,  4,  6,  17,  41,  43,  44,  47, 50,
                                     51, 58, 59, 60, 103, 112, 132, 135, 255, 256};
  uint32_t value = in_.percent(80) ? in_.pick(kProtocols) : in_.below(300);
  pool_.add_number(value);
  return std::to_string(value);
}

uint32_t ValueSpeller::ipv4_value() {
  uint32_t value = in_.percent(60) ? in_.pick(kInterestingIpv4) : in_.u32();
  pool_.add_ipv4(value);
  return value;
}

std::array<uint8_t, 16> ValueSpeller::ipv6_value() {
  std::array<uint8_t, 16> value = in_.pick(kInterestingIpv6);
  if (in_.percent(40)) {
    for (auto& byte : value) byte = static_cast<uint8_t>(in_.percent(50) ? 0 : in_.below(256));
  }
  pool_.add_ipv6(value);
  return value;
}

std::string ValueSpeller::spell_ipv6(const std::array<uint8_t, 16>& address) {
  uint16_t groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = static_cast<uint16_t>(address[2 * i] << 8 | address[2 * i + 1]);
  // The longest run of zero groups becomes "::" unless the input says to
  // write all eight (or the IPv4 tail form).
  int best = -1, best_length = 0;
  for (int i = 0; i < 8;) {
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > best_length) best = i, best_length = j - i;
    i = j == i ? i + 1 : j;
  }
  bool v4_tail = in_.percent(10);
  int last_group = v4_tail ? 6 : 8;
  if (best + best_length > last_group) best_length = last_group - best;
  bool compress = best >= 0 && best_length > 0 && in_.percent(80);
  std::string text;
  for (int i = 0; i < last_group; ++i) {
    if (compress && i == best) {
      text += "::";
      i += best_length - 1;
      continue;
    }
    if (!text.empty() && text.back() != ':') text += ':';
    char group[8];
    std::snprintf(group, sizeof group, "%x", groups[i]);
    text += group;
  }
  if (v4_tail) {
    if (!text.empty() && text.back() != ':') text += ':';
    text += std::to_string(address[12]) + "." + std::to_string(address[13]) + "." + std::to_string(address[14]) +
            "." + std::to_string(address[15]);
  }
  return text;
}

std::string ValueSpeller::ipv4_host() {
  if (!names_.hosts4.empty() && in_.percent(15)) {
    const NamedIpv4& host = in_.pick(names_.hosts4);
    pool_.add_ipv4(host.address);
    return host.name;
  }
  return dotted(ipv4_value(), 4);
}

std::string ValueSpeller::ipv6_host() {
  if (!names_.hosts6.empty() && in_.percent(15)) {
    const NamedIpv6& host = in_.pick(names_.hosts6);
    pool_.add_ipv6(host.address);
    return host.name;
  }
  return spell_ipv6(ipv6_value());
}

std::string ValueSpeller::mac() {
  if (!names_.ethers.empty() && in_.percent(15)) {
    const NamedMac& host = in_.pick(names_.ethers);
    pool_.add_mac(host.address);
    return host.name;
  }
  std::array<uint8_t, 6> value = in_.pick(kInterestingMacs);
  if (in_.percent(40))
    for (auto& byte : value) byte = static_cast<uint8_t>(in_.below(256));
  pool_.add_mac(value);
  std::string text;
  switch (in_.below(6)) {
    case 0:  // 0011.2233.4455
      for (int i = 0; i < 6; i += 2) text += (i ? "." : "") + hex_byte(value[i], true) + hex_byte(value[i + 1], true);
      return text;
    case 1:  // 001122334455
      for (uint8_t byte : value) text += hex_byte(byte, true);
      return text;
    default: {
      const char separators[] = {':', ':', '-', '.'};
      char separator = separators[in_.below(4)];
      bool pad = in_.percent(70);
      for (int i = 0; i < 6; ++i) text += (i ? std::string(1, separator) : "") + hex_byte(value[i], pad);
      return text;
    }
  }
}

std::string ValueSpeller::arcnet() {
  uint32_t value = in_.percent(30) ? 0 : in_.below(256);
  pool_.add_number(value);
  return "$" + hex_byte(static_cast<uint8_t>(value), in_.percent(50));
}

std::string ValueSpeller::host_value() {
  switch (in_.below(10)) {
    case 0: case 1: case 2: case 3: case 4: return ipv4_host();
    case 5: case 6: return ipv6_host();
    case 7: return mac();
    case 8: return arcnet();
    default: return in_.percent(50) ? name_not_in_fixtures() : number();
  }
}

std::string ValueSpeller::network() {
  switch (in_.below(10)) {
    case 0: case 1: {  // 1 to 4 leading bytes: a classful network
      int parts = 1 + static_cast<int>(in_.below(4));
      return dotted(ipv4_value(), parts);
    }
    case 2: case 3: case 4: {  // address/prefix, mostly without host bits set
      uint32_t length = in_.percent(95) ? in_.below(33) : 33 + in_.below(8);
      int parts = in_.percent(80) ? 4 : 1 + static_cast<int>(in_.below(3));
      uint32_t address = ipv4_value();
      if (length <= 32 && in_.percent(85)) address &= length == 0 ? 0 : ~0u << (32 - length);
      pool_.add_ipv4(address);
      return dotted(address, parts) + "/" + std::to_string(length);
    }
    case 5: {  // address mask netmask, contiguous or not
      uint32_t mask = in_.percent(80) ? (in_.below(33) == 0 ? 0 : ~0u << in_.below(32)) : in_.u32();
      uint32_t address = ipv4_value();
      if (in_.percent(85)) address &= mask;
      pool_.add_ipv4(address);
      return dotted(address, 4) + " mask " + dotted(mask, in_.percent(95) ? 4 : 2);
    }
    case 6: case 7: {
      uint32_t length = in_.percent(95) ? in_.below(129) : 129 + in_.below(8);
      std::array<uint8_t, 16> address = ipv6_value();
      if (length <= 128 && in_.percent(85)) {
        for (uint32_t bit = length; bit < 128; ++bit) address[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
        pool_.add_ipv6(address);
      }
      return spell_ipv6(address) + (in_.percent(85) ? "/" + std::to_string(length) : "");
    }
    case 8:
      if (!names_.networks.empty()) {
        const NamedIpv4& network = in_.pick(names_.networks);
        pool_.add_ipv4(network.address);
        return network.name;
      }
      [[fallthrough]];
    default: return in_.percent(50) ? number() : name_not_in_fixtures();
  }
}

std::string ValueSpeller::any_id() {
  switch (in_.below(6)) {
    case 0: return host_value();
    case 1: return network();
    case 2: return port();
    case 3: return port_range();
    case 4: return protocol_value();
    default: return number();
  }
}

std::string ValueSpeller::name_not_in_fixtures() { return in_.pick(kUnknownNames); }

}  // namespace bpfc::fuzz
