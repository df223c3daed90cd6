#include "bpfc/dissect/timestamp_format.h"

#include <algorithm>
#include <ctime>

#include <fmt/compile.h>
#include <fmt/format.h>

namespace bpfc::dissect {

void TimestampFormat::append(std::string& out, int64_t timestamp_ns) {
  int64_t second = timestamp_ns / 1000000000;
  int64_t fraction_ns = timestamp_ns % 1000000000;
  if (fraction_ns < 0) {
    fraction_ns += 1000000000;
    --second;
  }
  // tcpdump refuses times whose low 32 bits look negative.
  if ((static_cast<uint32_t>(second) & 0x80000000u) != 0) {
    out.append("[Error converting time] ");
    return;
  }
  if (second != cached_second_) {
    time_t t = static_cast<time_t>(second);
    struct tm local {};
    if (localtime_r(&t, &local) == nullptr) {
      out.append("[Error converting time] ");
      return;
    }
    char text[16];
    std::strftime(text, sizeof text, "%H:%M:%S", &local);
    std::copy(text, text + 8, cached_clock_);
    cached_second_ = second;
  }
  out.append(cached_clock_, 8);
  char fraction[16];
  char* end = nanosecond_ ? fmt::format_to(fraction, FMT_COMPILE(".{:09} "), fraction_ns)
                          : fmt::format_to(fraction, FMT_COMPILE(".{:06} "), fraction_ns / 1000);
  out.append(fraction, static_cast<size_t>(end - fraction));
}

}  // namespace bpfc::dissect
