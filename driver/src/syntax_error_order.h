// Which error pcap_compile() reports for a filter that does not parse: libpcap
// generates code as its parser reduces, so a semantic error in what it has
// reduced before the syntax (or scanner) error comes first.
#pragma once

#include <string_view>
#include <vector>

#include "bpfc/frontend/lower_options.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc {

// `parse_errors` are parse_filter(filter)'s; the result is what to report.
std::vector<Diagnostic> errors_in_libpcap_order(std::string_view filter, std::vector<Diagnostic> parse_errors,
                                                const LowerOptions& options);

}  // namespace bpfc
