// Hermeticity for the benchmark programs, which hand expressions to libpcap:
// move into a new, empty network namespace when allowed (root), so that even
// a bug that passes a name to a resolver cannot send a query anywhere. The
// benchmarks only ever give libpcap numeric expressions; this is the second
// line of defence. (test/support/network_isolation.h does the same for the
// GoogleTest executables.)
#pragma once

#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace bpfc::bench {

struct NetworkIsolation {
  bool applied = false;
  std::string message;  // a line saying what was done, for the benchmark's header
};

inline NetworkIsolation isolate_from_network() {
  if (geteuid() != 0) return {false, "network isolation not applied (not root); only numeric expressions reach libpcap"};
  if (unshare(CLONE_NEWNET) != 0) {
    return {false, std::string("network isolation not applied: unshare(CLONE_NEWNET) failed: ") + std::strerror(errno)};
  }
  return {true, "network isolation applied: running in a new, empty network namespace"};
}

}  // namespace bpfc::bench
