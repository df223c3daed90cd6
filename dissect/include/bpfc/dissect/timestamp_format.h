// Packet timestamps as tcpdump prints them before each packet, in each of
// its -t formats.
#pragma once

#include <cstdint>
#include <string>

namespace bpfc::dissect {

enum class TimeFormat : uint8_t {
  TimeOfDay,      // default: local time of day, 15:04:05.123456
  None,           // -t: no timestamp
  Epoch,          // -tt: seconds since the epoch, 1700000000.123456
  SincePrevious,  // -ttt: since the previous packet, " 00:00:01.000250"
  DateAndTime,    // -tttt: local date and time, 2023-11-14 22:13:20.123456
  SinceFirst,     // -ttttt: since the first packet
};

class TimestampFormat {
 public:
  // `nanosecond`: nine fraction digits instead of six (tcpdump --nano).
  TimestampFormat(TimeFormat format, bool nanosecond) : format_(format), nanosecond_(nanosecond) {}

  // Appends the time of a packet captured at `timestamp_ns` (since the Unix
  // epoch) and the space after it; nothing for TimeFormat::None.
  void append(std::string& out, int64_t timestamp_ns);

 private:
  void append_local(std::string& out, int64_t second, bool with_date);
  void append_elapsed(std::string& out, int64_t ticks);
  void append_fraction(std::string& out, int64_t fraction);

  TimeFormat format_;
  bool nanosecond_;
  // localtime_r() per packet is costly; packets mostly share the second of
  // their predecessor.
  int64_t cached_second_ = INT64_MIN;
  bool cached_with_date_ = false;
  char cached_clock_[24] = {};
  size_t cached_length_ = 0;
  // -ttt, -ttttt: the time differences are measured from, in ticks of the
  // printed precision (µs or ns). Zero means not set yet, as in tcpdump
  // (whose first packet at exactly the epoch therefore sets nothing).
  int64_t reference_ticks_ = 0;
};

}  // namespace bpfc::dissect
