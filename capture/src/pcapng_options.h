// pcapng options: the code/length/value records (values padded to 32 bits)
// that end most block bodies. The reader walks them to validate and to pick
// out the few it interprets; the writer encodes the ones it produces.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bpfc::capture::pcapng {

struct Option {
  uint16_t code = 0;
  std::span<const uint8_t> value;  // exactly `length` bytes, padding excluded
};

// Walks the options that fill `area` (a block body after its fixed fields,
// trailer excluded). An empty area has no options; opt_endofopt ends the
// walk early and whatever follows it is ignored, as libpcap does.
class OptionReader {
 public:
  enum class Step { Option, End, Malformed };

  OptionReader(std::span<const uint8_t> area, bool big_endian) : rest_(area), big_endian_(big_endian) {}

  // Every call that returns Option consumes at least 4 bytes, so a walk
  // always ends. After Malformed, problem() completes a sentence that starts
  // with the block's name ("... has an option ... that runs past ...").
  Step next(Option& option);
  const std::string& problem() const { return problem_; }

 private:
  std::span<const uint8_t> rest_;
  bool big_endian_;
  std::string problem_;
};

// Checks that `area` is a well-formed option list; on failure returns false
// and sets `problem` as OptionReader::problem() does.
bool validate_options(std::span<const uint8_t> area, bool big_endian, std::string& problem);

// The value of a string option: UTF-8, not NUL-terminated by the format,
// though some writers add NULs, which are dropped.
std::string option_string(std::span<const uint8_t> value);

// Encoding, for the writer.
constexpr size_t encoded_option_bytes(size_t value_bytes) { return 4 + ((value_bytes + 3) & ~size_t{3}); }
void append_option(std::vector<uint8_t>& out, uint16_t code, std::span<const uint8_t> value, bool big_endian);
void append_option(std::vector<uint8_t>& out, uint16_t code, std::string_view value, bool big_endian);
void append_end_of_options(std::vector<uint8_t>& out, bool big_endian);

}  // namespace bpfc::capture::pcapng
