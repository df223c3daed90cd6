// Value-to-name tables, tcpdump's `struct tok` lists: protocol knowledge
// lives in such tables next to the printer that uses them.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace bpfc::dissect {

struct Name {
  uint32_t value;
  std::string_view text;
};

// The first entry for `value`, or an empty view.
inline std::string_view name_of(std::span<const Name> table, uint32_t value) {
  for (const Name& name : table) {
    if (name.value == value) return name.text;
  }
  return {};
}

}  // namespace bpfc::dissect
