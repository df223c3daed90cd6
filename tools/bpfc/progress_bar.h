// A one-line progress display on standard error for long runs over large
// inputs: percent done, throughput and time left, redrawn in place at most
// ten times a second and erased when the run ends.
#pragma once

#include <chrono>
#include <cstdint>

namespace bpfc::cli {

class ProgressBar {
 public:
  // Inputs larger than this (in total) get a progress bar.
  static constexpr uint64_t kMinimumBytes = 300ull * 1000 * 1000;

  // Active only when standard error is a terminal and `total_bytes` exceeds
  // kMinimumBytes; otherwise every call does nothing.
  explicit ProgressBar(uint64_t total_bytes);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  bool active() const { return active_; }
  // `done_bytes` of the total have been consumed. Cheap when called often:
  // it only redraws when 100 ms have passed since the last redraw.
  void update(uint64_t done_bytes);
  // Erases the line (before other messages are printed on stderr).
  void clear();

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kInterval{100};

  void draw(uint64_t done_bytes, Clock::time_point now);

  bool active_ = false;
  bool drawn_ = false;
  uint64_t total_ = 0;
  Clock::time_point start_;
  Clock::time_point last_draw_;
};

}  // namespace bpfc::cli
