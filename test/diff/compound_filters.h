// The everyday compound filters of test/corpus/compound/filters.txt as C++
// values: each expression with the link type it is compiled for and the line
// it came from. On them bpfc -O2 must never be longer than libpcap -O
// (test_diff checks it) and should take at most kCompoundSizeGoal of
// libpcap's instructions in total (bench_compound_size reports it); test_diff
// holds the total to kCompoundSizeCeiling, what bpfc reaches today, so that
// it cannot grow back while the goal is not yet met.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bpfc::difftest {

struct CompoundFilter {
  size_t line = 0;
  std::string linktype_name;  // as pcap_datalink_name_to_val takes it
  uint32_t linktype = 1;
  std::string expr;
};

inline constexpr double kCompoundSizeGoal = 0.85;
inline constexpr double kCompoundSizeCeiling = 0.96;

// Every filter of the file. Throws std::runtime_error on an unreadable file
// or an unknown link-type name.
std::vector<CompoundFilter> load_compound_filters(const std::string& path);

}  // namespace bpfc::difftest
