#include "capture_statistics.h"

#include <algorithm>
#include <cstdio>

namespace bpfc::cli {
namespace {

std::string line(uint64_t n, const char* what) {
  return std::to_string(n) + (n == 1 ? " packet " : " packets ") + what + "\n";
}

}  // namespace

std::string statistics_text(uint64_t captured, const capture::LiveStatistics& statistics) {
  std::string text = line(captured, "captured");
  text += line(statistics.received_by_filter, "received by filter");
  text += line(statistics.dropped_ring_full, "dropped by kernel");
  if (statistics.dropped_by_interface != 0) text += line(statistics.dropped_by_interface, "dropped by interface");
  if (statistics.lost_in_transit != 0) text += line(statistics.lost_in_transit, "lost between the daemon and bpfc");
  return text;
}

std::string statistics_json(uint64_t captured, const capture::LiveStatistics& statistics) {
  auto field = [](const char* name, uint64_t value) { return std::string("\"") + name + "\":" + std::to_string(value); };
  return "{" + field("captured", captured) + "," + field("received_by_filter", statistics.received_by_filter) + "," +
         field("dropped_by_kernel", statistics.dropped_ring_full) + "," +
         field("dropped_by_interface", statistics.dropped_by_interface) + "," +
         field("ring_freezes", statistics.ring_freezes) + "," +
         field("rejected_in_user_space", statistics.filtered_in_user_space) + "," +
         field("lost_in_transit", statistics.lost_in_transit) + "}\n";
}

}  // namespace bpfc::cli

namespace bpfc::cli {

IntervalStatistics::IntervalStatistics(uint32_t every_seconds, bool json, Clock::time_point start)
    : every_(every_seconds), json_(json), start_(start), last_(start), next_(start + every_) {}

std::string IntervalStatistics::line(Clock::time_point now, uint64_t captured, uint64_t bytes,
                                     const capture::LiveStatistics& statistics) {
  const auto seconds = [](Clock::duration duration) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", std::chrono::duration<double>(duration).count());
    return std::string(text);
  };
  const std::string elapsed = seconds(now - start_);
  const std::string interval = seconds(now - last_);
  const uint64_t packets = captured - captured_;
  const uint64_t matched_bytes = bytes - bytes_;
  const uint64_t kernel_drops = statistics.dropped_ring_full - dropped_by_kernel_;
  const uint64_t interface_drops = statistics.dropped_by_interface >= dropped_by_interface_
                                       ? statistics.dropped_by_interface - dropped_by_interface_
                                       : 0;
  const uint64_t lost = statistics.lost_in_transit - lost_in_transit_;
  lost_in_transit_ = statistics.lost_in_transit;
  captured_ = captured;
  bytes_ = bytes;
  dropped_by_kernel_ = statistics.dropped_ring_full;
  dropped_by_interface_ = std::max(dropped_by_interface_, statistics.dropped_by_interface);
  last_ = now;
  // The next line at the next multiple of the interval that is still ahead.
  while (next_ <= now) next_ += every_;
  if (json_) {
    return "{\"elapsed\":" + elapsed + ",\"interval\":" + interval + ",\"packets\":" + std::to_string(packets) +
           ",\"bytes\":" + std::to_string(matched_bytes) + ",\"dropped_by_kernel\":" + std::to_string(kernel_drops) +
           ",\"dropped_by_interface\":" + std::to_string(interface_drops) +
           ",\"lost_in_transit\":" + std::to_string(lost) + "}\n";
  }
  return elapsed + " s (+" + interval + " s): " + std::to_string(packets) + (packets == 1 ? " packet, " : " packets, ") +
         std::to_string(matched_bytes) + (matched_bytes == 1 ? " byte" : " bytes") + " matched; " +
         std::to_string(kernel_drops) + " dropped by kernel, " + std::to_string(interface_drops) +
         " dropped by interface" + (lost != 0 ? ", " + std::to_string(lost) + " lost in transit" : "") + "\n";
}

}  // namespace bpfc::cli
