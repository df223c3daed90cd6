#include "pcapng_timestamp.h"

namespace bpfc::capture::pcapng {

std::optional<TimestampScale> TimestampScale::from_tsresol(uint8_t tsresol, std::string& problem) {
  TimestampScale scale;
  if (tsresol & 0x80) {
    const unsigned shift = tsresol & 0x7F;
    if (shift > 63) {
      problem = "Interface Description Block if_tsresol option resolution 2^-" + std::to_string(shift) +
                " is too high";
      return std::nullopt;
    }
    scale.kind_ = Kind::Binary;
    scale.shift_ = shift;
    scale.ticks_per_second_ = uint64_t{1} << shift;
    return scale;
  }
  if (tsresol > 19) {
    problem = "Interface Description Block if_tsresol option resolution 10^-" + std::to_string(tsresol) +
              " is too high";
    return std::nullopt;
  }
  uint64_t ticks_per_second = 1;
  for (unsigned i = 0; i < tsresol; ++i) ticks_per_second *= 10;
  scale.ticks_per_second_ = ticks_per_second;
  if (ticks_per_second <= kNanosPerSecond) {
    scale.kind_ = Kind::MultiplyDecimal;
    scale.factor_ = kNanosPerSecond / ticks_per_second;
  } else {
    scale.kind_ = Kind::DivideDecimal;
    scale.factor_ = ticks_per_second / kNanosPerSecond;
  }
  return scale;
}

uint64_t TimestampScale::binary_to_ns(uint64_t ticks) const {
  const uint64_t seconds = shift_ == 0 ? ticks : ticks >> shift_;
  const uint64_t fraction = shift_ == 0 ? 0 : ticks & ((uint64_t{1} << shift_) - 1);
  // fraction * 10^9 / 2^shift, rounded down, without a 128-bit product:
  // below 2^34 the product fits in 64 bits (10^9 < 2^30); above, split the
  // fraction into 32-bit halves: floor((hi*2^32 + lo) * 10^9 / 2^shift)
  // == floor((hi*10^9 + floor(lo*10^9 / 2^32)) / 2^(shift-32)).
  uint64_t fraction_ns;
  if (shift_ < 34) {
    fraction_ns = (fraction * kNanosPerSecond) >> shift_;
  } else {
    const uint64_t hi = fraction >> 32;           // < 2^31
    const uint64_t lo = fraction & 0xFFFFFFFFu;
    const uint64_t scaled = hi * kNanosPerSecond + ((lo * kNanosPerSecond) >> 32);  // < 2^62
    fraction_ns = scaled >> (shift_ - 32);
  }
  return seconds * kNanosPerSecond + fraction_ns;
}

}  // namespace bpfc::capture::pcapng
