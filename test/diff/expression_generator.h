// Random filter expressions for the differential suite: and/or/not trees of
// depth <= 4 over primitives with numeric addresses and ports only (so that
// libpcap never consults a resolver), deterministic in the seed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bpfc::difftest {

struct GeneratedFilter {
  std::string expr;
  uint32_t linktype = 1;
  uint32_t snaplen = 262144;
  std::optional<uint32_t> netmask;
};

std::vector<GeneratedFilter> generate_filters(int count, uint64_t seed);
// Filters for one link type: trees over its own primitives (`primitives`,
// picked most of the time, or always with `only_own`) and the generic ones above.
std::vector<GeneratedFilter> generate_link_filters(uint32_t linktype, const std::vector<std::string>& primitives,
                                                   bool only_own, int count, uint64_t seed);

}  // namespace bpfc::difftest
