#include "capture_statistics.h"

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
  return text;
}

std::string statistics_json(uint64_t captured, const capture::LiveStatistics& statistics) {
  auto field = [](const char* name, uint64_t value) { return std::string("\"") + name + "\":" + std::to_string(value); };
  return "{" + field("captured", captured) + "," + field("received_by_filter", statistics.received_by_filter) + "," +
         field("dropped_by_kernel", statistics.dropped_ring_full) + "," +
         field("dropped_by_interface", statistics.dropped_by_interface) + "," +
         field("ring_freezes", statistics.ring_freezes) + "," +
         field("rejected_in_user_space", statistics.filtered_in_user_space) + "}\n";
}

}  // namespace bpfc::cli
