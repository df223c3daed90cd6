// Semantic checks on the AST before lowering: qualifier combinations, value
// ranges, what the link type supports and whether names resolve, reported
// with libpcap's error messages and the span of the offending text. Checks run
// in the order libpcap's parser would hit them, so the first error reported is
// the one libpcap reports.
#pragma once

#include <optional>

#include "bpfc/frontend/ast.h"
#include "bpfc/frontend/lower.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc {

std::optional<Diagnostic> check_filter(const ast::Filter& filter, const LowerOptions& options);

}  // namespace bpfc
