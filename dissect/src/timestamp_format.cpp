#include "bpfc/dissect/timestamp_format.h"

#include <algorithm>
#include <ctime>

#include <fmt/compile.h>
#include <fmt/format.h>

namespace bpfc::dissect {
namespace {

constexpr std::string_view kError = "[Error converting time]";

// tcpdump refuses times whose low 32 bits look negative.
bool convertible(int64_t second) { return (static_cast<uint32_t>(second) & 0x80000000u) == 0; }

int64_t floor_divide(int64_t value, int64_t divisor) {
  int64_t quotient = value / divisor;
  return value % divisor < 0 ? quotient - 1 : quotient;
}

}  // namespace

void TimestampFormat::append_fraction(std::string& out, int64_t fraction) {
  char text[16];
  char* end = nanosecond_ ? fmt::format_to(text, FMT_COMPILE(".{:09}"), fraction)
                          : fmt::format_to(text, FMT_COMPILE(".{:06}"), fraction);
  out.append(text, static_cast<size_t>(end - text));
}

void TimestampFormat::append_local(std::string& out, int64_t second, bool with_date) {
  if (second != cached_second_ || with_date != cached_with_date_) {
    time_t t = static_cast<time_t>(second);
    struct tm local {};
    if (localtime_r(&t, &local) == nullptr) {
      out.append(kError);
      return;
    }
    cached_length_ = std::strftime(cached_clock_, sizeof cached_clock_, with_date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S",
                                   &local);
    cached_second_ = second;
    cached_with_date_ = with_date;
  }
  out.append(cached_clock_, cached_length_);
}

// A duration as tcpdump prints it: a sign column, then the time of day it
// would be that long after midnight UTC.
void TimestampFormat::append_elapsed(std::string& out, int64_t ticks) {
  if (reference_ticks_ == 0) reference_ticks_ = ticks;
  bool negative = ticks < reference_ticks_;
  int64_t elapsed = negative ? reference_ticks_ - ticks : ticks - reference_ticks_;
  if (format_ == TimeFormat::SincePrevious) reference_ticks_ = ticks;
  out.push_back(negative ? '-' : ' ');
  int64_t units = nanosecond_ ? 1000000000 : 1000000;
  int64_t second = elapsed / units;
  if (!convertible(second)) {
    out.append(kError);
    return;
  }
  int64_t of_day = second % 86400;
  char text[16];
  char* end = fmt::format_to(text, FMT_COMPILE("{:02}:{:02}:{:02}"), of_day / 3600, of_day / 60 % 60, of_day % 60);
  out.append(text, static_cast<size_t>(end - text));
  append_fraction(out, elapsed % units);
}

void TimestampFormat::append(std::string& out, int64_t timestamp_ns) {
  if (format_ == TimeFormat::None) return;
  // tcpdump's timeval: whole seconds and a fraction in the printed precision.
  int64_t ticks = nanosecond_ ? timestamp_ns : floor_divide(timestamp_ns, 1000);
  int64_t units = nanosecond_ ? 1000000000 : 1000000;
  int64_t second = floor_divide(ticks, units);
  int64_t fraction = ticks - second * units;
  switch (format_) {
    case TimeFormat::None:
      return;
    case TimeFormat::TimeOfDay:
    case TimeFormat::DateAndTime:
      if (!convertible(second)) {
        out.append(kError);
        break;
      }
      append_local(out, second, format_ == TimeFormat::DateAndTime);
      append_fraction(out, fraction);
      break;
    case TimeFormat::Epoch: {
      if (!convertible(second)) {
        out.append(kError);
        break;
      }
      char text[16];
      char* end = fmt::format_to(text, FMT_COMPILE("{}"), static_cast<uint32_t>(second));
      out.append(text, static_cast<size_t>(end - text));
      append_fraction(out, fraction);
      break;
    }
    case TimeFormat::SincePrevious:
    case TimeFormat::SinceFirst:
      append_elapsed(out, ticks);
      break;
  }
  out.push_back(' ');
}

}  // namespace bpfc::dissect
