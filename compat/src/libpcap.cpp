// compat::lower_to_ir(): the libpcap-compatibility layer's entry (see
// bpfc/compat/libpcap.h). The layer's stages are lower_filter()'s (lower.cpp):
// gencode's block program, libpcap's optimizer decisions or the
// representative lowering of long lists, and the lift to IR; here they read
// names only from the bindings sema made.
#include "bpfc/compat/libpcap.h"
#include "bpfc/compat/lower.h"

namespace bpfc::compat {

Result<ir::Function> lower_to_ir(const ResolvedAst& filter, const LowerOptions& options) {
  if (!filter.names) return error("compat::lower_to_ir: the filter has no name bindings");
  LowerOptions bound = options;
  bound.resolver = filter.names.get();
  return lower_filter(filter.filter, bound);
}

}  // namespace bpfc::compat
