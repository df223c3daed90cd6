// One input of the compiler fuzz target, decoded: the filter text with the
// compile settings, and the concrete values the text mentions (addresses,
// ports, protocol numbers, ids, constants), which the packet synthesizer
// plants in packets so that filters get past their first tests.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bpfc::fuzz {

struct ValuePool {
  std::vector<uint32_t> ipv4;  // host byte order
  std::vector<std::array<uint8_t, 16>> ipv6;
  std::vector<std::array<uint8_t, 6>> macs;
  std::vector<uint32_t> numbers;  // ports, protocol numbers, ids, literals

  void add_number(uint32_t v) {
    if (numbers.size() < kMaxEach) numbers.push_back(v);
  }
  void add_ipv4(uint32_t v) {
    if (ipv4.size() < kMaxEach) ipv4.push_back(v);
  }
  void add_ipv6(const std::array<uint8_t, 16>& v) {
    if (ipv6.size() < kMaxEach) ipv6.push_back(v);
  }
  void add_mac(const std::array<uint8_t, 6>& v) {
    if (macs.size() < kMaxEach) macs.push_back(v);
  }

 private:
  static constexpr size_t kMaxEach = 256;
};

struct FilterCase {
  std::string text;
  uint32_t linktype = 1;
  uint32_t snaplen = 262144;
  std::optional<uint32_t> netmask;
  ValuePool values;
  bool raw_text = false;  // the text came from the input bytes, not the generator
};

}  // namespace bpfc::fuzz
