// Semantic checks on the AST before lowering: qualifier combinations, value
// ranges, what the link type supports and whether names resolve (binding
// them, so that they are looked up once), reported
// with libpcap's error messages and the span of the offending text. Checks run
// in the order libpcap's parser would hit them, so the first error reported is
// the one libpcap reports.
#pragma once

#include <optional>

#include "bpfc/frontend/ast.h"
#include "bpfc/frontend/lower_options.h"
#include "bpfc/frontend/resolved_ast.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc {

std::optional<Diagnostic> check_filter(const ast::Filter& filter, const LowerOptions& options);

// check_filter(), and the names the filter mentions bound through
// options.resolver (which must be non-null): what the libpcap-compatible
// lowering takes (bpfc/compat/libpcap.h).
Result<ResolvedAst> resolve_filter(ast::Filter filter, const LowerOptions& options);

}  // namespace bpfc
