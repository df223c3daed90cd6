#include "pcapng_options.h"

#include <cstring>

#include "pcapng_format.h"

namespace bpfc::capture::pcapng {

OptionReader::Step OptionReader::next(Option& option) {
  if (rest_.empty()) return Step::End;
  if (rest_.size() < 4) {
    problem_ = "has an option header cut short (" + std::to_string(rest_.size()) + " bytes left)";
    return Step::Malformed;
  }
  const uint16_t code = load_u16(rest_.data(), big_endian_);
  const uint16_t length = load_u16(rest_.data() + 2, big_endian_);
  const uint64_t padded = pad4(length);
  if (padded > rest_.size() - 4) {
    problem_ = "has an option (code " + std::to_string(code) + ", length " + std::to_string(length) +
               ") that runs past the end of the block";
    return Step::Malformed;
  }
  if (code == kOptEndOfOptions) {
    if (length != 0) {
      problem_ = "has opt_endofopt option with length " + std::to_string(length) + " != 0";
      return Step::Malformed;
    }
    rest_ = {};
    return Step::End;
  }
  option.code = code;
  option.value = rest_.subspan(4, length);
  rest_ = rest_.subspan(4 + static_cast<size_t>(padded));
  return Step::Option;
}

bool validate_options(std::span<const uint8_t> area, bool big_endian, std::string& problem) {
  OptionReader reader(area, big_endian);
  Option option;
  for (;;) {
    switch (reader.next(option)) {
      case OptionReader::Step::Option:
        continue;
      case OptionReader::Step::End:
        return true;
      case OptionReader::Step::Malformed:
        problem = reader.problem();
        return false;
    }
  }
}

std::string option_string(std::span<const uint8_t> value) {
  size_t n = value.size();
  while (n > 0 && value[n - 1] == 0) --n;
  return std::string(reinterpret_cast<const char*>(value.data()), n);
}

void append_option(std::vector<uint8_t>& out, uint16_t code, std::span<const uint8_t> value, bool big_endian) {
  // The length field has 16 bits; a longer value is cut rather than corrupting the block.
  if (value.size() > 0xFFFF) value = value.first(0xFFFF);
  const size_t at = out.size();
  out.resize(at + encoded_option_bytes(value.size()), 0);
  store_u16(out.data() + at, code, big_endian);
  store_u16(out.data() + at + 2, static_cast<uint16_t>(value.size()), big_endian);
  if (!value.empty()) std::memcpy(out.data() + at + 4, value.data(), value.size());
}

void append_option(std::vector<uint8_t>& out, uint16_t code, std::string_view value, bool big_endian) {
  append_option(out, code, std::span(reinterpret_cast<const uint8_t*>(value.data()), value.size()), big_endian);
}

void append_end_of_options(std::vector<uint8_t>& out, bool big_endian) {
  const size_t at = out.size();
  out.resize(at + 4, 0);
  store_u16(out.data() + at, kOptEndOfOptions, big_endian);
}

}  // namespace bpfc::capture::pcapng
