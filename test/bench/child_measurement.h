// Runs one measurement in a forked child, so that each measurement starts
// from the same small process and its peak memory (the child's ru_maxrss,
// read with wait4) belongs to that measurement alone; a measurement that
// exceeds its time limit is killed and reported as such, and one that
// crashes (e.g. a stack overflow on a deep expression) cannot take the
// benchmark down with it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace bpfc::bench {

// What the measured work reports from inside the child.
struct WorkResult {
  bool ok = false;
  double seconds = 0;         // wall time of the measured part only
  uint64_t instructions = 0;  // length of the program it produced
  std::string error;          // why it failed, when !ok
};

struct ChildLimits {
  double seconds = 120;                   // wall time, from fork to result
  uint64_t memory_bytes = uint64_t{4} << 30;  // RLIMIT_AS; 0 = none (always none under AddressSanitizer)
};

struct ChildMeasurement {
  enum class Outcome { Finished, TimedOut, Crashed };
  Outcome outcome = Outcome::Crashed;
  WorkResult work;              // when Finished: what the child reported
  double elapsed_seconds = 0;   // the child's whole life, seen from the parent
  long peak_rss_kib = 0;        // ru_maxrss of the child (at its end or when killed)
  std::string crash;            // when Crashed: how the child ended
};

// Forks, runs `work` in the child and waits at most `limits.seconds`. The
// caller must be single-threaded (the child only runs `work` and _exit()s).
ChildMeasurement measure_in_child(const std::function<WorkResult()>& work, const ChildLimits& limits);

}  // namespace bpfc::bench
