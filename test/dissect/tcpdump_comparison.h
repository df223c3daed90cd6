// `tcpdump -n -q FLAGS -r FILE` against `bpfc filter FLAGS -r FILE`: the
// whole standard output of each, compared after the normalizations that
// stand for bpfc's deliberate differences (each one named and narrow).
#pragma once

#include <string>
#include <vector>

namespace bpfc::dissecttest {

struct Differences {
  // bpfc never ends a line with a space; tcpdump does on some lines (after
  // DECnet fields, "Unknown (7) " ARP operations, an unknown-ethertype line
  // it would follow with a hex dump without -q...). tcpdump's lines are
  // compared without trailing spaces, and bpfc's are checked to have none.
  // With -A, where trailing spaces are packet payload that both print as
  // is, both sides are compared without them.
  bool payload_as_text = false;
  // SLL2: tcpdump names the interface by the index's name on the machine
  // reading the file (the tests use index 1, which is "lo" everywhere);
  // bpfc prints "if1", which does not depend on the reader's machine.
  bool sll2_interface_1 = false;
};

struct ComparisonResult {
  bool ran = false;        // both tools exited 0
  bool identical = false;
  size_t lines = 0;        // lines compared
  std::string report;      // what differed, with context, or why it did not run
};

// Runs both tools; `flags` go to both (tcpdump also gets -n -q).
ComparisonResult compare_with_tcpdump(const std::string& path, const std::vector<std::string>& flags,
                                      const Differences& differences = {});

// "-e -x" for messages.
std::string join_flags(const std::vector<std::string>& flags);

}  // namespace bpfc::dissecttest
