// The link-layer primitives of the link types whose own fields the filter
// language reaches (pflog, MTP2/MTP3...): what the generated differential
// test mixes with the generic primitives for each of them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bpfc::difftest {

struct LinkPrimitives {
  const char* name;
  uint32_t dlt;
  std::vector<std::string> primitives;
  // Only these, no generic primitives: where libpcap 1.10.3 compiles the
  // generic ones differently from the newer libpcap bpfc follows.
  bool only_own = false;
};

const std::vector<LinkPrimitives>& link_primitive_sets();

}  // namespace bpfc::difftest
