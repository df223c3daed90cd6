// pcapng timestamps are 64-bit tick counts in a per-interface unit (if_tsresol:
// 10^-n or 2^-n seconds, default 10^-6) plus a per-interface offset in
// seconds (if_tsoffset). This converts them to nanoseconds since the epoch
// exactly, rounding down for units finer than a nanosecond, with 64-bit
// arithmetic only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace bpfc::capture::pcapng {

class TimestampScale {
 public:
  // Microseconds, the unit when an interface has no if_tsresol option.
  TimestampScale() = default;

  // Interprets an if_tsresol byte; nullopt and `problem` (libpcap's wording)
  // when the unit is too fine to count in 64 bits (10^-20 and beyond, 2^-64
  // and beyond).
  static std::optional<TimestampScale> from_tsresol(uint8_t tsresol, std::string& problem);

  uint64_t ticks_per_second() const { return ticks_per_second_; }

  // Nanoseconds since the epoch for `ticks` of this unit plus
  // `offset_seconds`. Values past the int64 range wrap (they cannot come from
  // a real capture; wrapping keeps the conversion free of undefined
  // behaviour).
  int64_t to_ns(uint64_t ticks, int64_t offset_seconds) const {
    uint64_t ns;
    switch (kind_) {
      case Kind::MultiplyDecimal:
        ns = ticks * factor_;  // ticks * (10^9 / ticks_per_second): exact
        break;
      case Kind::DivideDecimal:
        ns = ticks / factor_;  // ticks / (ticks_per_second / 10^9): rounds down
        break;
      case Kind::Binary:
      default:
        ns = binary_to_ns(ticks);
        break;
    }
    return static_cast<int64_t>(ns + static_cast<uint64_t>(offset_seconds) * kNanosPerSecond);
  }

 private:
  enum class Kind : uint8_t { MultiplyDecimal, DivideDecimal, Binary };
  static constexpr uint64_t kNanosPerSecond = 1000000000;

  uint64_t binary_to_ns(uint64_t ticks) const;

  Kind kind_ = Kind::MultiplyDecimal;
  uint64_t factor_ = 1000;  // nanoseconds per tick, or ticks per nanosecond
  unsigned shift_ = 0;      // Binary: ticks_per_second == 2^shift_
  uint64_t ticks_per_second_ = 1000000;
};

}  // namespace bpfc::capture::pcapng
