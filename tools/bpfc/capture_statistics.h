// The statistics `bpfc capture` prints when it ends (and on SIGUSR1): the
// lines tcpdump prints, or one JSON object.
#pragma once

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

}  // namespace bpfc::cli
