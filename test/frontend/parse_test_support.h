// Helpers shared by the parser tests.
#pragma once

#include <string>
#include <string_view>

#include "bpfc/frontend/parse.h"
#include "parse_ast_printer.h"

namespace bpfc::parsetest {

// The rendered AST of `text`, "<empty>" for the empty filter, or
// "error: <message> @<begin>-<end>" when parsing fails.
inline std::string parsed(std::string_view text) {
  Result<ast::Filter> result = parse_filter(text);
  if (!result) {
    const Diagnostic& d = result.error();
    std::string out = "error: " + d.message;
    if (d.span) out += " @" + std::to_string(d.span->begin) + "-" + std::to_string(d.span->end);
    return out;
  }
  if (!result->expr) return "<empty>";
  return render(*result->expr);
}

inline std::string syntax_error_at(uint32_t begin, uint32_t end) {
  return "error: can't parse filter expression: syntax error @" + std::to_string(begin) + "-" +
         std::to_string(end);
}

}  // namespace bpfc::parsetest
