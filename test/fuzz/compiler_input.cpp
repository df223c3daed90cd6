#include "compiler_input.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <string>

#include "filter_generator.h"
#include "fuzz_bytes.h"

namespace bpfc::fuzz {
namespace {

constexpr size_t kHeaderBytes = 5;
constexpr uint32_t kTextSnaplens[] = {262144, 65535, 96, 68, 1, 0, 0xffffffff, 1500};
constexpr uint32_t kTextNetmasks[] = {0xffffff00, 0xffff0000, 0, 0xffffffff, 0xff00ff00};

bool is_separator(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')' || c == '[' || c == ']' ||
         c == '!' || c == '&' || c == '|' || c == '=' || c == '<' || c == '>' || c == '+' || c == '*' || c == '/';
}

// The values a raw-text filter mentions, found the cheap way: words that
// read as numbers, IPv4/IPv6/MAC addresses or fixture names.
void collect_text_values(std::string_view text, const FixtureNames& names, ValuePool& pool) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_separator(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !is_separator(text[i])) ++i;
    std::string word(text.substr(start, i - start));
    if (word.empty()) continue;
    uint32_t number = 0;
    bool is_hex = word.size() > 2 && word[0] == '0' && (word[1] == 'x' || word[1] == 'X');
    const char* digits = word.c_str() + (is_hex ? 2 : 0);
    auto [end, ec] = std::from_chars(digits, word.c_str() + word.size(), number, is_hex ? 16 : 10);
    if (ec == std::errc() && end == word.c_str() + word.size()) {
      pool.add_number(number);
      continue;
    }
    in_addr v4{};
    in6_addr v6{};
    if (inet_pton(AF_INET, word.c_str(), &v4) == 1) {
      pool.add_ipv4(ntohl(v4.s_addr));
    } else if (inet_pton(AF_INET6, word.c_str(), &v6) == 1) {
      std::array<uint8_t, 16> address;
      std::copy(v6.s6_addr, v6.s6_addr + 16, address.begin());
      pool.add_ipv6(address);
    } else if (word.size() == 17 && word[2] == ':' && word[5] == ':') {
      std::array<uint8_t, 6> mac{};
      bool ok = true;
      for (int b = 0; b < 6 && ok; ++b) {
        auto [p, e] = std::from_chars(word.c_str() + 3 * b, word.c_str() + 3 * b + 2, mac[b], 16);
        ok = e == std::errc() && p == word.c_str() + 3 * b + 2;
      }
      if (ok) pool.add_mac(mac);
    }
    for (const auto& host : names.hosts4)
      if (host.name == word) pool.add_ipv4(host.address);
    for (const auto& host : names.hosts6)
      if (host.name == word) pool.add_ipv6(host.address);
    for (const auto& ether : names.ethers)
      if (ether.name == word) pool.add_mac(ether.address);
    for (const auto& network : names.networks)
      if (network.name == word) pool.add_ipv4(network.address);
    for (const auto& service : names.services)
      if (service.name == word) pool.add_number(service.value);
    for (const auto& protocol : names.protocols)
      if (protocol.name == word) pool.add_number(protocol.value);
  }
}

CompilerInput decode_text_input(std::span<const uint8_t> data, const FixtureNames& names) {
  CompilerInput input;
  FilterCase& filter = input.filter;
  filter.raw_text = true;
  auto byte = [&](size_t i) -> uint8_t { return i < data.size() ? data[i] : 0; };
  filter.linktype = static_cast<uint32_t>(byte(1) << 8 | byte(2));
  filter.snaplen = kTextSnaplens[byte(3) % std::size(kTextSnaplens)];
  if (byte(4) != 0) filter.netmask = kTextNetmasks[byte(4) % std::size(kTextNetmasks)];
  std::span<const uint8_t> rest = data.size() > kHeaderBytes ? data.subspan(kHeaderBytes) : std::span<const uint8_t>();
  auto nul = std::find(rest.begin(), rest.end(), uint8_t{0});
  filter.text.assign(rest.begin(), nul);
  std::span<const uint8_t> material =
      nul == rest.end() ? std::span<const uint8_t>() : rest.subspan(nul - rest.begin() + 1);
  collect_text_values(filter.text, names, filter.values);
  FuzzBytes in(material);
  input.packets = synthesize_packets(in, filter.linktype, filter.values);
  return input;
}

}  // namespace

CompilerInput decode_compiler_input(std::span<const uint8_t> data, const FixtureNames& names) {
  if (data.empty() || data[0] % 8 == 0) return decode_text_input(data, names);
  CompilerInput input;
  FuzzBytes in(data.subspan(1));
  input.filter = generate_filter(in, names);
  input.packets = synthesize_packets(in, input.filter.linktype, input.filter.values);
  return input;
}

std::vector<uint8_t> encode_text_input(uint16_t dlt, std::string_view text, std::span<const uint8_t> packet_material) {
  std::vector<uint8_t> bytes = {0, static_cast<uint8_t>(dlt >> 8), static_cast<uint8_t>(dlt), 0, 0};
  bytes.insert(bytes.end(), text.begin(), text.end());
  bytes.push_back(0);
  bytes.insert(bytes.end(), packet_material.begin(), packet_material.end());
  return bytes;
}

}  // namespace bpfc::fuzz
