#include "progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace bpfc::cli {

ProgressBar::ProgressBar(uint64_t total_bytes)
    : active_(total_bytes > kMinimumBytes && isatty(STDERR_FILENO) == 1), total_(total_bytes) {
  start_ = Clock::now();
  last_draw_ = start_;
}

ProgressBar::~ProgressBar() { clear(); }

void ProgressBar::update(uint64_t done_bytes) {
  if (!active_) return;
  Clock::time_point now = Clock::now();
  if (now - last_draw_ < kInterval) return;
  last_draw_ = now;
  draw(done_bytes, now);
}

void ProgressBar::draw(uint64_t done_bytes, Clock::time_point now) {
  done_bytes = std::min(done_bytes, total_);
  double seconds = std::chrono::duration<double>(now - start_).count();
  double fraction = static_cast<double>(done_bytes) / static_cast<double>(total_);
  double megabytes_per_second = seconds > 0 ? static_cast<double>(done_bytes) / 1e6 / seconds : 0;
  constexpr int kBarWidth = 30;
  char bar[kBarWidth + 1];
  int filled = static_cast<int>(fraction * kBarWidth);
  for (int i = 0; i < kBarWidth; ++i) bar[i] = i < filled ? '#' : '-';
  bar[kBarWidth] = '\0';
  char eta[32] = "--:--";
  if (done_bytes > 0 && megabytes_per_second > 0) {
    auto left = static_cast<long long>(static_cast<double>(total_ - done_bytes) / 1e6 / megabytes_per_second);
    std::snprintf(eta, sizeof eta, "%lld:%02lld", left / 60, left % 60);
  }
  // "\r" + "\033[K": back to the start of the line and erase what was there.
  std::fprintf(stderr, "\r\033[K[%s] %5.1f%%  %7.1f MB/s  ETA %s", bar, fraction * 100, megabytes_per_second, eta);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::clear() {
  if (!drawn_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace bpfc::cli
