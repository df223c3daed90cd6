// Corpus expressions that libpcap 1.10.3's optimizer miscompiles and bpfc
// -O, on purpose, does not: its replica of libpcap's optimizer
// (compat/src/optimizer/*.cpp) carries the fixes for the known
// miscompiles (issue 4 item 6). On these, libpcap 1.10.3 -O is no oracle;
// bpfc must give the verdicts of libpcap 1.10.3's unoptimized program
// instead. The list is exact (expression text as the corpus has it), and the
// suite checks that 1.10.3 -O really is wrong on each, so an entry cannot
// silently excuse anything else.
#pragma once

#include <optional>
#include <string_view>

namespace bpfc::difftest {

struct LibpcapMiscompile {
  std::string_view expr;
  std::string_view issue;  // the libpcap issue or pull request, and the bug
};

inline constexpr LibpcapMiscompile kLibpcapMiscompiles[] = {
    // 1.10.3 takes `jset #0xffffffff` as always true, so it refuses this as
    // "expression rejects all packets"; fixed on libpcap master.
    {"link[0:2] & 0xFFFFFFFF == 0", "libpcap PR #1698 (jset #0xffffffff taken as always true)"},
};

// The entry for `expr`, if libpcap 1.10.3 -O is known to miscompile it.
inline std::optional<LibpcapMiscompile> known_libpcap_miscompile(std::string_view expr) {
  for (const LibpcapMiscompile& known : kLibpcapMiscompiles) {
    if (known.expr == expr) return known;
  }
  return std::nullopt;
}

}  // namespace bpfc::difftest
