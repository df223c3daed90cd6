// Filter text -> AST. Syntax errors use libpcap's wording
// ("can't parse filter expression: syntax error") with a span at the
// offending token; lexical errors name the bad text.
#pragma once

#include <string_view>

#include "bpfc/frontend/ast.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc {

Result<ast::Filter> parse_filter(std::string_view text);

}  // namespace bpfc
