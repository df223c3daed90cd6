// The parser's depth limit (kMaxSyntaxDepth, parse.h): the message, and the
// exception the AST builder throws when a tree would grow deeper. Private to
// the parser.
#pragma once

#include <cstddef>
#include <string_view>

#include "bpfc/frontend/parse.h"
#include "bpfc/support/diagnostic.h"

namespace bpfc::parse_detail {

inline constexpr std::string_view kTooDeepMessage =
    "can't parse filter expression: expression nested too deeply";

struct SyntaxTreeTooDeep {
  SourceSpan span;
};

// Returns `depth`, or throws SyntaxTreeTooDeep for a node at `where` that
// would make the tree deeper than the limit.
inline size_t checked_depth(size_t depth, SourceSpan where) {
  if (depth > kMaxSyntaxDepth) throw SyntaxTreeTooDeep{where};
  return depth;
}

}  // namespace bpfc::parse_detail
