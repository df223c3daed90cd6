// The statistics `bpfc capture` prints when it ends (and on SIGUSR1): the
// lines tcpdump prints, or one JSON object; and the per-interval lines of
// --stats-every.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "bpfc/capture/live.h"

namespace bpfc::cli {

// "N packets captured\nN packets received by filter\nN packets dropped by
// kernel\n" and, when the interface dropped any, "N packets dropped by
// interface\n", as tcpdump says them. `captured`: packets the command kept.
std::string statistics_text(uint64_t captured, const capture::LiveStatistics& statistics);

// {"captured":N,"received_by_filter":N,"dropped_by_kernel":N,...} on one line.
std::string statistics_json(uint64_t captured, const capture::LiveStatistics& statistics);

// --stats-every SECONDS: one line per interval with what it matched (the
// packets the command kept, and their bytes on the wire) and what was
// dropped in it, text or one JSON object. The last line, when the capture
// ends, covers the rest of the time, so that the lines add up to the totals.
class IntervalStatistics {
 public:
  using Clock = std::chrono::steady_clock;

  IntervalStatistics(uint32_t every_seconds, bool json, Clock::time_point start);

  bool due(Clock::time_point now) const { return now >= next_; }
  // The line for the time since the last one; `captured`, `bytes` and
  // `statistics` are totals since the start.
  std::string line(Clock::time_point now, uint64_t captured, uint64_t bytes, const capture::LiveStatistics& statistics);

 private:
  std::chrono::seconds every_;
  bool json_;
  Clock::time_point start_, last_, next_;
  uint64_t captured_ = 0, bytes_ = 0, dropped_by_kernel_ = 0, dropped_by_interface_ = 0, lost_in_transit_ = 0;
};

}  // namespace bpfc::cli
