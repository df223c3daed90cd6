// Packet timestamps as tcpdump prints them before each packet.
#pragma once

#include <cstdint>
#include <string>

namespace bpfc::dissect {

class TimestampFormat {
 public:
  // `nanosecond`: nine fraction digits instead of six (tcpdump --nano).
  explicit TimestampFormat(bool nanosecond) : nanosecond_(nanosecond) {}

  // Appends the time of a packet captured at `timestamp_ns` (since the Unix
  // epoch) and the space after it.
  void append(std::string& out, int64_t timestamp_ns);

 private:
  bool nanosecond_;
  // localtime_r() per packet is costly; packets mostly share the second of
  // their predecessor.
  int64_t cached_second_ = INT64_MIN;
  char cached_clock_[8] = {};
};

}  // namespace bpfc::dissect
