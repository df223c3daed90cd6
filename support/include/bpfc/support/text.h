// Small text helpers every library may need: ASCII only and independent of
// the C locale, because filter expressions, link-type names and the name
// files (hosts, ethers, services, ...) are matched the way libpcap and the C
// library match them in the "C" locale.
#pragma once

#include <string_view>

namespace bpfc {

// Whether a and b are the same text when ASCII letters are compared without
// regard to case ("DLT_EN10MB" and "dlt_en10mb"); other bytes must be equal.
bool equals_ignoring_case(std::string_view a, std::string_view b);

}  // namespace bpfc
