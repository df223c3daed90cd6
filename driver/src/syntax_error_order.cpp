#include "syntax_error_order.h"

#include <utility>

#include "bpfc/compat/libpcap.h"
#include "bpfc/frontend/parse.h"
#include "bpfc/frontend/sema.h"

namespace bpfc {

std::vector<Diagnostic> errors_in_libpcap_order(std::string_view filter, std::vector<Diagnostic> parse_errors,
                                                const LowerOptions& options) {
  if (parse_errors.empty()) return parse_errors;
  std::optional<ast::Filter> reduced = parse_reduced_prefix(filter, parse_errors.front());
  if (!reduced) return parse_errors;
  // Only the code generator runs during the parse: libpcap's optimizer (and
  // its "expression rejects all packets") comes after a whole filter parsed.
  LowerOptions generate_only = options;
  generate_only.libpcap_optimize = false;
  auto resolved = resolve_filter(std::move(*reduced), generate_only);
  if (!resolved) return resolved.errors();
  auto lowered = compat::lower_to_ir(*resolved, generate_only);
  if (!lowered) return lowered.errors();
  return parse_errors;
}

}  // namespace bpfc
